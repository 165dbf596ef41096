"""Lifecycle templates with live preview, the outbox and the audit log, in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from concierge_app.db.engine import Database
from concierge_app.domain.templates import DEFAULT_TEMPLATES
from concierge_app.services.guest.queries import booking_by_reference
from concierge_app.services.outbox.listing import list_outbox
from concierge_app.services.shared.audit import booking_audit_log
from concierge_app.services.shared.messages import list_templates, update_template

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer


@pytest.fixture
def db(app_server: AppServer):
    database = Database(app_server.database_url)
    yield database
    database.dispose()


@pytest.mark.e2e
def test_templates_preview_live_refuse_unknown_placeholders_and_save(
    app_server: AppServer, staff_page: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff_page
    page.goto(f"{app_server.base_url}/templates")
    expect(page.locator("#preview-body")).to_contain_text("Dear ", timeout=20_000)
    page.screenshot(path=str(screenshot_dir / "templates.png"), full_page=True)
    page.get_by_label("Body").fill("Dear {{ guest_nam }}")
    expect(page.locator("#body-error")).to_contain_text("Unknown placeholder {{ guest_nam }}")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("#body-error")).to_be_visible()
    assert not next(t for t in list_templates(db=db) if t.key == "invoice_sent").customised
    page.screenshot(path=str(screenshot_dir / "templates_error.png"), full_page=True)
    page.get_by_label("Body").fill("Hello {{ guest_name }}, pay at {{ portal_url }}")
    expect(page.locator("#preview-body")).to_contain_text("Hello ")
    expect(page.locator("#preview-body")).to_contain_text("/portal/")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("status").filter(has_text="saved")).to_contain_text(
        "Invoice Sent saved"
    )
    saved = next(t for t in list_templates(db=db) if t.key == "invoice_sent")
    assert saved.customised and saved.body == "Hello {{ guest_name }}, pay at {{ portal_url }}"
    # Put the default back: other tests read Invoice Sent messages from the same demo database.
    default = DEFAULT_TEMPLATES["invoice_sent"]
    update_template(
        db=db, key="invoice_sent", subject=default.subject, body=default.body, actor="e2e-cleanup"
    )


@pytest.mark.e2e
def test_outbox_lists_every_message_with_its_status(
    app_server: AppServer, staff_page: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff_page
    page.goto(f"{app_server.base_url}/outbox")
    messages = list_outbox(db=db)
    expect(page.locator("tr.outbox-row")).to_have_count(len(messages), timeout=20_000)
    first = page.locator("tr.outbox-row").first
    expect(first).to_contain_text(messages[0].recipient)
    expect(first).to_contain_text(messages[0].status.capitalize())
    first.get_by_role("button").click()
    expect(page.get_by_role("dialog")).to_contain_text(messages[0].body.splitlines()[0])
    page.screenshot(path=str(screenshot_dir / "outbox.png"), full_page=True)


@pytest.mark.e2e
def test_audit_log_shows_what_was_billed_and_verifies_the_chain(
    app_server: AppServer, staff_page: Page, db: Database, screenshot_dir: Path
) -> None:
    page = staff_page
    booking = booking_by_reference(db=db, reference="MI-24002")
    events = booking_audit_log(db=db, booking_id=booking.id)
    page.goto(f"{app_server.base_url}/audit?booking=MI-24002")
    expect(page.locator("tr.audit-row")).to_have_count(len(events), timeout=20_000)
    expect(page.locator("tr.audit-row").filter(has_text="invoice.voided")).to_have_count(1)
    page.get_by_role("button", name="Verify audit chain").click()
    expect(page.get_by_role("status").filter(has_text="Audit chain")).to_contain_text(
        "Audit chain intact"
    )
    page.screenshot(path=str(screenshot_dir / "audit.png"), full_page=True)
