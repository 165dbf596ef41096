"""Staff sign-in in the browser: strangers are sent to /login, wrong passwords are refused,
sign-out ends the session, and search narrows the bookings list."""

from __future__ import annotations

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
    page.get_by_label("Search").fill("tanaka")
    expect(page.locator("tr.booking-row")).to_have_count(1)
    expect(page.locator("tr.booking-row th")).to_have_text("KY-24003")
    page.get_by_label("Search").fill("nobody-at-all")
    expect(page.locator("#bookings-no-match")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login", timeout=30_000)
    page.goto(f"{app_server.base_url}/")
    page.wait_for_url("**/login?next=/", timeout=30_000)
