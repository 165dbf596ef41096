"""The API keys page in the browser: staff make a key (the secret shown once, with Copy), the
key works against the running app's bookings API, the list shows its prefix and last use; after
Revoke (confirmed) the API refuses it. Screenshots at 1280 and 390 px, no page wider than the
screen."""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from concierge_app.ui.staff.shell import STAFF_NAV_WIDE
from tests.e2e.conftest import HIDE_TOASTS, shot_desktop_and_phone

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/i17-api-keys-shots")


def api_get(base: str, path: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path, headers={"Authorization": f"Bearer {secret}"}, method="GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_make_a_key_see_its_secret_once_use_it_and_revoke_it(
    app_server: AppServer, staff_page: Page
) -> None:
    page, base = staff_page, app_server.base_url
    name = f"Guesty {secrets.token_hex(3)}"
    page.goto(f"{base}/api-keys")
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys")
    page.get_by_role("button", name="New key").click(timeout=30_000)
    dialog = page.locator("#create-key-dialog")
    dialog.get_by_role("button", name="Create key").click()
    expect(page.locator("#key-name-error")).to_contain_text("Name the integration")
    dialog.get_by_label("Integration").fill(name)
    shot_desktop_and_phone(page, SHOTS / "new-key-dialog")
    dialog.get_by_role("button", name="Create key").click()
    secret_box = page.locator("#new-secret")
    expect(secret_box).to_have_text(re.compile(r"^ck_live_[A-Za-z0-9]{40}$"), timeout=30_000)
    secret = secret_box.inner_text()
    expect(dialog).to_contain_text("it is shown once")
    expect(dialog.get_by_role("button", name="Copy")).to_be_visible()
    shot_desktop_and_phone(page, SHOTS / "new-key-secret")

    row = page.locator("tr.api-key", has_text=name)
    expect(row).to_contain_text(secret[:12] + "…")
    expect(row).to_contain_text("Never")
    expect(row).to_contain_text("Active")
    page.locator("#secret-done").click()
    expect(dialog).to_be_hidden()
    assert secret not in page.content()  # shown once: gone from the page after Done
    page.reload()
    expect(page.locator("tr.api-key", has_text=name)).to_be_visible(timeout=30_000)
    assert secret not in page.content()

    status, body = api_get(base, "/api/v1/bookings?external_reference=NONE-1", secret)
    assert (status, body) == (200, {"data": []})
    page.reload()  # the last use is not an audited change: the list shows it when read again
    expect(row.locator("td").nth(3)).not_to_have_text("Never", timeout=30_000)
    shot_desktop_and_phone(page, SHOTS / "api-keys")

    row.get_by_role("button", name="Revoke").click()
    confirm = page.locator("#revoke-dialog")
    expect(confirm).to_contain_text(name)
    confirm.get_by_role("button", name="Go back").click()
    expect(confirm).to_be_hidden()
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name="Revoke").click()
    confirm.get_by_role("button", name="Revoke key").click()
    expect(row).to_contain_text("Revoked", timeout=30_000)
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)
    expect(page.locator("#key-message")).to_contain_text("is revoked")
    status, body = api_get(base, "/api/v1/bookings?external_reference=NONE-1", secret)
    assert status == 403 and body["error"]["code"] == "forbidden"
    shot_desktop_and_phone(page, SHOTS / "api-keys-revoked")
    # the staff bar with its new link still fits where it stops collapsing
    page.set_viewport_size({"width": int(STAFF_NAV_WIDE.removesuffix("px")), "height": 900})
    page.screenshot(path=str(SHOTS / "api-keys-nav-wide.png"), style=HIDE_TOASTS)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    expect(page.locator("#top-bar").get_by_role("link", name="API keys")).to_be_visible()
