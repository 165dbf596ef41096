"""Lifecycle templates per language, in the browser (issue 18): staff pick a template and a
language; the page says where that language's text comes from (the built-in translation, their
own saved text, or English when the language has none) and a save makes it that language's own,
leaving English untouched. Templates only staff read are English only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, expect

from concierge_app.db.engine import Database
from concierge_app.domain import i18n
from concierge_app.domain.templates import DEFAULT_TEMPLATES
from concierge_app.services.shared import messages
from tests.e2e.conftest import signed_in_page
from tests.e2e.test_guest_portal import choose, shot

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}
OWN_SUBJECT = "Su factura {{ invoice_number }} — {{ booking_reference }}"


@pytest.fixture(scope="module")
def db(app_server: AppServer) -> Iterator[Database]:
    database = Database(app_server.database_url)
    try:
        yield database
    finally:
        database.dispose()


def _view(db: Database, key: str, language: str) -> messages.TemplateView:
    return next(v for v in messages.list_templates(db=db, language=language) if v.key == key)


def test_staff_edit_a_template_per_language(
    app_server: AppServer, browser: Browser, db: Database, screenshot_dir: Path
) -> None:
    english_before = _view(db, "invoice_sent", "en")
    with signed_in_page(browser, app_server.base_url, WIDE) as page:
        page.goto(f"{app_server.base_url}/templates")
        source = page.locator("#template-source")
        # English may hold a text saved by another test: only its presence is checked here.
        expect(source).to_be_visible(timeout=20_000)

        choose(page, "Language", "Español")
        spanish = i18n.translated("es", DEFAULT_TEMPLATES["invoice_sent"].subject)
        expect(page.locator("#template-subject")).to_have_value(spanish or "")
        expect(source).to_contain_text("The built-in Español translation")
        shot(page, screenshot_dir / "templates_language_1280.png")

        page.get_by_label("Subject").fill(OWN_SUBJECT)
        expect(page.locator("#preview-subject")).to_contain_text("Su factura CI-0000-00000 — ")
        page.get_by_role("button", name="Save template").click()
        expect(source).to_have_attribute("data-source", "saved")
        expect(source).to_contain_text("Your own Español text")
        saved = _view(db, "invoice_sent", "es")
        assert saved.source == messages.SAVED and saved.subject == OWN_SUBJECT
        assert _view(db, "invoice_sent", "en") == english_before  # English untouched

        choose(page, "Language", "日本語")
        expect(source).to_have_attribute("data-source", "built-in")
        expect(page.locator("#template-subject")).to_have_value(
            i18n.translated("ja", DEFAULT_TEMPLATES["invoice_sent"].subject) or ""
        )

        choose(page, "Template", DEFAULT_TEMPLATES["staff_invitation"].name)
        expect(page.locator("#template-language")).to_have_text("English only (read by staff)")
        expect(source).to_have_count(0)

        page.set_viewport_size(NARROW)
        choose(page, "Template", DEFAULT_TEMPLATES["guest_reminder"].name)
        expect(source).to_be_visible()
        shot(page, screenshot_dir / "templates_language_390.png")
