"""Staff users in the browser: the admin invites a concierge, the invitation's link (read from
the outbox of the app's database) opens the account page, the new member chooses a password,
signs in, does not see the admin's links and is refused the Users page; a used link says so.
Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.messaging import OutboxMessage
from tests.e2e.conftest import shot_desktop_and_phone, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/i17-people-shots")
PASSWORD = "violet-harbour-lantern-42"


def invitation_link(database_url: str, email: str) -> str:
    db = Database(database_url)
    try:
        with db.read() as s:
            body = s.exec(
                select(OutboxMessage.body).where(
                    OutboxMessage.recipient == email,
                    OutboxMessage.template_key == "staff_invitation",
                )
            ).one()
    finally:
        db.dispose()
    found = re.search(r"https?://\S+/account\?t=[\w-]+", body)
    assert found, body
    return found.group(0)


def test_admin_invites_a_concierge_who_cannot_reach_admin_pages(
    app_server: AppServer, staff_page: Page, browser
):
    page, base = staff_page, app_server.base_url
    email = f"dana.{secrets.token_hex(3)}@example.com"
    page.goto(f"{base}/users")
    table = page.locator("#staff-users")
    expect(table).to_contain_text("concierge@demo.test", timeout=30_000)
    expect(table).to_contain_text("desk@demo.test")
    expect(page.get_by_role("link", name="Users").first).to_be_visible()
    shot_desktop_and_phone(page, SHOTS / "users")

    page.get_by_role("button", name="Invite").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email").fill("dana@localhost")
    dialog.get_by_label("Name").fill("Dana Newcomer")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog.locator("#invite-email-error")).to_have_text("Enter a valid email address.")
    dialog.get_by_label("Email").fill(email)
    shot_desktop_and_phone(page, SHOTS / "users-invite")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#users-message")).to_contain_text(f"Invitation sent to {email}")
    row = page.locator(f"tr.staff-user[data-email='{email}']")
    expect(row).to_contain_text("Invited")
    expect(row).to_contain_text("concierge")

    link = invitation_link(app_server.database_url, email)
    assert link.startswith(base)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    newcomer = context.new_page()
    try:
        newcomer.goto(link)
        expect(
            newcomer.get_by_role("heading", name="Welcome — choose your password")
        ).to_be_visible(timeout=30_000)
        expect(newcomer.locator("#account-form")).to_contain_text(email)
        shot_desktop_and_phone(newcomer, SHOTS / "account-link")
        newcomer.get_by_label("Password", exact=True).fill("short")
        newcomer.get_by_label("Password again").fill("short")
        newcomer.get_by_role("button", name="Create my account").click()
        expect(newcomer.locator("#account-password-error")).to_be_visible()
        newcomer.get_by_label("Password", exact=True).fill(PASSWORD)
        newcomer.get_by_label("Password again").fill(PASSWORD)
        newcomer.get_by_role("button", name="Create my account").click()
        expect(newcomer.locator("#account-done")).to_contain_text("Your account is ready.")

        # the link works once
        newcomer.goto(link)
        expect(newcomer.locator("#account-refused")).to_contain_text(
            "expired or was already used", timeout=30_000
        )

        sign_in(newcomer, base, email=email, password=PASSWORD)
        expect(newcomer.get_by_role("link", name="Bookings").first).to_be_visible(timeout=30_000)
        for hidden in ("Users", "Templates", "Finance"):
            expect(newcomer.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
        newcomer.goto(f"{base}/users")
        expect(newcomer.locator("#users-refused")).to_contain_text(
            "Your role does not allow managing users. Ask an admin.", timeout=30_000
        )
        expect(newcomer.locator("#staff-users")).to_have_count(0)
        shot_desktop_and_phone(newcomer, SHOTS / "users-refused")
    finally:
        context.close()

    page.reload()
    expect(row).to_contain_text("Active", timeout=30_000)
    row.get_by_role("button", name=f"Roles of {email}").click()
    roles = page.get_by_role("dialog")
    expect(roles.locator("#role-concierge")).to_be_checked()
    roles.locator("#role-finance").click()
    roles.locator("#role-concierge").click()
    roles.get_by_role("button", name="Save roles").click()
    expect(page.locator("#users-message")).to_contain_text("roles are saved")
    expect(row.locator("td").nth(1)).to_have_text("finance")
    row.get_by_role("button", name=f"Disable {email}").click()
    expect(page.locator("#users-message")).to_contain_text("is disabled")
    expect(row).to_contain_text("Disabled")


def partner_sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/partner/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/partner/login" not in url, timeout=30_000)


def test_a_partner_invites_and_disables_a_colleague(app_server: AppServer, page: Page, browser):
    base = app_server.base_url
    colleague = f"marta.{secrets.token_hex(3)}@villa-azul.example"
    partner_sign_in(page, base, "yoga@partners.demo.test", "demo-partner")
    page.get_by_role("link", name="Users").first.click()
    users = page.locator("#partner-users")
    expect(users).to_contain_text("yoga@partners.demo.test", timeout=30_000)
    # another partner's logins are not listed
    expect(users).not_to_contain_text("villa.azul@partners.demo.test")
    form = page.locator("#colleague-form")
    form.get_by_label("Email").fill(colleague)
    form.get_by_label("Name").fill("Marta 🌿 Colleague")
    form.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#colleagues-message")).to_contain_text(f"Invitation sent to {colleague}")
    row = page.locator(f".partner-colleague[data-email='{colleague}']")
    expect(row).to_contain_text("Invited")
    shot_desktop_and_phone(page, SHOTS / "partner-users")

    db = Database(app_server.database_url)
    try:
        with db.read() as s:
            body = s.exec(
                select(OutboxMessage.body).where(OutboxMessage.recipient == colleague)
            ).one()
    finally:
        db.dispose()
    link = re.search(r"https?://\S+/account\?t=[\w-]+", body).group(0)
    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    try:
        other.goto(link)
        other.get_by_label("Password", exact=True).fill(PASSWORD, timeout=30_000)
        other.get_by_label("Password again").fill(PASSWORD)
        other.get_by_role("button", name="Create my account").click()
        expect(other.locator("#account-done")).to_be_visible()
        other.get_by_role("button", name="Sign in").click()
        other.wait_for_url(re.compile(r"/partner/login"), timeout=30_000)
    finally:
        other.context.close()

    page.reload()
    expect(row).to_contain_text("Active", timeout=30_000)
    row.get_by_role("button", name=f"Disable {colleague}").click()
    expect(page.locator("#colleagues-message")).to_contain_text("can no longer sign in")
    expect(row).to_contain_text("Disabled")


def test_admin_invites_an_extranet_login_from_the_partner_page(
    app_server: AppServer, staff_page: Page
):
    page, base = staff_page, app_server.base_url
    email = f"front.desk.{secrets.token_hex(3)}@villa-azul.example"
    page.goto(f"{base}/finance/partners/PRP-1001")
    card = page.locator("#partner-logins")
    expect(card).to_contain_text("villa.azul@partners.demo.test", timeout=30_000)
    card.get_by_label("Email of the new login").fill(email)
    card.get_by_label("Name of the new login").fill("Front Desk")
    card.get_by_role("button", name="Invite").click()
    expect(page.locator("#logins-message")).to_contain_text(f"Invitation sent to {email}")
    row = card.locator(f".partner-login[data-email='{email}']")
    expect(row).to_contain_text("Invited")
    row.get_by_role("button", name=f"Disable {email}").click()  # "Cancel invitation"
    expect(page.locator("#logins-message")).to_contain_text("can no longer sign in")
    expect(row).to_contain_text("Invitation expired")
    expect(row.get_by_role("button")).to_have_count(0)
    shot_desktop_and_phone(page, SHOTS / "partner-page-logins")


def test_a_finance_member_sees_no_concierge_or_admin_actions(app_server: AppServer, page: Page):
    base = app_server.base_url
    sign_in(page, base, email="finance@demo.test", password="demo-finance")
    expect(page.get_by_role("link", name="Finance", exact=True).first).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name="Users", exact=True)).to_have_count(0)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Bookings")).to_be_visible(timeout=30_000)
    expect(page.locator("#new-booking")).to_have_count(0)
    page.goto(f"{base}/finance/partners/PRP-1001")
    expect(page.get_by_role("heading", name="Villa Azul")).to_be_visible(timeout=30_000)
    expect(page.locator("#partner-logins")).to_have_count(0)
