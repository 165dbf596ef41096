"""Staff sign-in in the browser: strangers are sent to /login, wrong passwords are refused,
the session cookie is HttpOnly (the page's JavaScript cannot read it), sign-out ends the
session, and search narrows the bookings list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_bookings_page import _bookings_in

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer


@pytest.mark.e2e
def test_a_visitor_is_sent_to_sign_in_and_a_wrong_password_is_refused(
    app_server: AppServer, page: Page, screenshot_dir: Path
) -> None:
    page.goto(f"{app_server.base_url}/")
    page.wait_for_url("**/login?next=/", timeout=30_000)
    expect(page.locator("tr.booking-row")).to_have_count(0)
    page.get_by_label("Email").fill("concierge@demo.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or password is not correct.")
    page.screenshot(path=str(screenshot_dir / "login.png"), full_page=True)
    assert "/login" in page.url


@pytest.mark.e2e
def test_signing_in_shows_the_bookings_and_signing_out_closes_them(
    app_server: AppServer, page: Page
) -> None:
    sign_in(page, app_server.base_url)
    expect(page.locator("tr.booking-row").first).to_be_visible(timeout=30_000)
    expect(page.locator("tr.booking-row")).to_have_count(len(_bookings_in(app_server.database_url)))
    # The session cookie is HttpOnly: the browser has it, the page's JavaScript does not.
    [cookie] = [c for c in page.context.cookies() if c["name"] == "concierge_staff"]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Lax", "/")
    assert cookie["secure"] is False  # PUBLIC_BASE_URL is http here
    assert "concierge_staff" not in page.evaluate("document.cookie")
    page.get_by_label("Search").fill("tanaka")
    expect(page.locator("tr.booking-row")).to_have_count(1)
    expect(page.locator("tr.booking-row th")).to_have_text("KY-24003")
    page.get_by_label("Search").fill("nobody-at-all")
    expect(page.locator("#bookings-no-match")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/?$"), timeout=30_000)
    assert [c for c in page.context.cookies() if c["name"] == "concierge_staff"] == []
    page.goto(f"{app_server.base_url}/")
    page.wait_for_url("**/login?next=/", timeout=30_000)


@pytest.mark.e2e
def test_signing_in_goes_on_to_the_page_that_was_asked_for(
    app_server: AppServer, page: Page
) -> None:
    base = app_server.base_url
    page.goto(f"{base}/outbox")
    page.wait_for_url(re.compile(r"/login\?next=/outbox/?$"), timeout=30_000)
    page.get_by_label("Email").fill("concierge@demo.test")
    page.get_by_label("Password").fill("demo-concierge")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/outbox/?$"), timeout=30_000)
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()
