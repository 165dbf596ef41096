"""Sign-in security in the browser: wrong passwords get the wait and then the lockout, staff
unlock on the Security page, two-factor set-up and sign-in with a code (computed here with
pyotp), a partner's HttpOnly session and password change; screenshots of the sign-in card's
two steps, the Security page and the partner's password form, at 1280 and 390 px wide.

The accounts are made for these tests (through the services, on the app's database), so the
demo logins the other tests use are never locked or changed."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.security import SignInAccount, SignInAddress, SignInAttempt
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.partner import accounts as partners
from tests.e2e.conftest import sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

WIDTHS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"
LOCKED_MESSAGE = (
    "This account is locked after too many failed sign-ins. Ask platform staff to unlock it."
)

PageFactory = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser) -> Iterator[PageFactory]:
    """Pages in fresh browser contexts (own cookies); none may throw."""
    contexts = []
    errors: list[str] = []

    def open_page(width: str = "1280") -> Page:
        context = browser.new_context(viewport=WIDTHS[width], locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()
    assert errors == [], f"a page threw: {errors}"


@pytest.fixture
def app_db(app_server: AppServer) -> Iterator[Database]:
    db = Database(app_server.database_url)
    try:
        yield db
    finally:
        db.engine.dispose()


def shot(page: Page, path: Path) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True, style=HIDE_TOASTS, animations="disabled")


def wind_back(db: Database, email: str, *, failures: int | None = None) -> None:
    """As if an hour had passed since the account's last failure (optionally: that many)."""
    with db.transaction() as session:
        row = session.exec(select(SignInAccount).where(SignInAccount.email == email)).one()
        if failures is not None:
            row.failures = failures
        row.last_failure_at = row.last_failure_at - timedelta(hours=1)
        session.add(row)


def forget_address_failures(db: Database) -> None:
    """The browser tests all come from 127.0.0.1: leave its count as the tests found it."""
    with db.transaction() as session:
        for row in session.exec(select(SignInAddress)).all():
            row.failures, row.last_failure_at, row.window_started_at = 0, None, None
            session.add(row)


def log_lines(db: Database, email: str) -> int:
    with db.read() as session:
        return len(session.exec(select(SignInAttempt).where(SignInAttempt.email == email)).all())


def wait_for_log(db: Database, email: str, count: int) -> None:
    """Until the sign-in log has `count` lines for `email` (each attempt writes one or two)."""
    deadline = time.monotonic() + 30
    while log_lines(db, email) < count:
        assert time.monotonic() < deadline, f"the log never reached {count} lines for {email}"
        time.sleep(0.05)


def try_password(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_wrong_passwords_wait_then_lock_and_staff_unlock_on_the_security_page(
    app_server: AppServer, app_db: Database, new_page: PageFactory, screenshot_dir: Path
) -> None:
    email, password = "locked.out@staff.test", "seven quiet lanterns drifting"
    partners.create_staff_user(db=app_db, email=email, name="Lee Locked", password=password)
    base = app_server.base_url
    try:
        page = new_page()
        page.goto(f"{base}/login")
        alert = page.get_by_role("alert")
        for n in range(1, 5):  # three free failures, and a fourth
            try_password(page, email, f"wrong guess {n}")
            wait_for_log(app_db, email, n)
            expect(alert).to_have_text("The email or password is not correct.")
        try_password(page, email, password)  # right, but too soon
        expect(alert).to_contain_text("Too many failed sign-ins. Try again in ")
        expect(page).to_have_url(re.compile(r"/login/?$"))
        wind_back(app_db, email, failures=9)
        try_password(page, email, "wrong guess 10")
        expect(alert).to_have_text(LOCKED_MESSAGE)
        try_password(page, email, password)
        expect(alert).to_have_text(LOCKED_MESSAGE)

        staff = new_page()
        sign_in(staff, base)
        staff.get_by_role("link", name="Security").click()
        staff.wait_for_url(re.compile(r"/security/?$"), timeout=30_000)
        row = staff.locator("tr.locked-account", has_text=email)
        expect(row).to_be_visible(timeout=30_000)
        expect(row).to_contain_text("Staff")
        log = staff.locator("#sign-in-log")
        expect(log).to_contain_text("Account locked")
        expect(log).to_contain_text("Refused: account locked")
        expect(log).to_contain_text("Times in UTC")
        for width in ("1280", "390"):
            staff.set_viewport_size(WIDTHS[width])
            shot(staff, screenshot_dir / f"security-{width}.png")
        staff.set_viewport_size(WIDTHS["1280"])
        row.get_by_role("button", name="Unlock").click()
        expect(staff.locator("#locked-accounts").get_by_role("status")).to_contain_text(
            f"{email} is unlocked"
        )
        expect(row).to_have_count(0)
        expect(staff.locator("#no-locked")).to_be_visible()
        expect(log.locator("tr.sign-in-line").first).to_contain_text(
            "Unlocked by concierge@demo.test"
        )

        try_password(page, email, password)
        page.wait_for_url(f"{base}/", timeout=30_000)
        expect(page.locator("tr.booking-row").first).to_be_visible(timeout=30_000)
        # The staff page is live: the sign-in shows in the log without a reload.
        expect(log.locator("tr.sign-in-line").first).to_contain_text("Signed in")
    finally:
        forget_address_failures(app_db)


def test_two_factor_set_up_on_the_security_page_then_sign_in_with_a_code(
    app_server: AppServer, app_db: Database, new_page: PageFactory, screenshot_dir: Path
) -> None:
    email, password = "two.factor@staff.test", "amber comets whistle softly"
    partners.create_staff_user(db=app_db, email=email, name="Tess Two", password=password)
    base = app_server.base_url
    page = new_page()
    sign_in(page, base, email=email, password=password)
    page.goto(f"{base}/security")
    card = page.locator("#your-two-factor")
    expect(card.locator("#two-factor-status")).to_have_text("Off", timeout=30_000)
    card.get_by_role("button", name="Set up two-factor sign-in").click()
    secret = card.locator("#two-factor-secret")
    expect(secret).not_to_be_empty()
    expect(card.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    totp = pyotp.TOTP(secret.inner_text().replace(" ", ""))
    card.get_by_label("Authentication code").fill("000000")
    card.get_by_role("button", name="Turn on").click()
    expect(card.get_by_role("alert")).to_contain_text("That code is not right")
    card.get_by_label("Authentication code").fill(totp.now())
    card.get_by_role("button", name="Turn on").click()
    expect(card.locator("#two-factor-status")).to_have_text("On")
    expect(page.locator("#sign-in-log")).to_contain_text("Two-factor switched on")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/?$"), timeout=30_000)
    for width in ("1280", "390"):
        look = new_page(width)
        look.goto(f"{base}/login")
        expect(look.get_by_label("Email")).to_be_visible(timeout=30_000)
        shot(look, screenshot_dir / f"sign-in-password-{width}.png")
        try_password(look, email, password)
        expect(look.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
        shot(look, screenshot_dir / f"sign-in-code-{width}.png")

    page.goto(f"{base}/login?next=/finance")
    try_password(page, email, password)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    assert [c for c in page.context.cookies() if c["name"] == "concierge_staff"] == []
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    # The set-up took the current 30-second step's code; the next one is accepted (drift).
    page.get_by_label("Authentication code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/finance/?$"), timeout=30_000)
    assert "concierge_staff" not in page.evaluate("document.cookie")
    forget_address_failures(app_db)


def test_a_partner_signs_in_with_an_httponly_cookie_and_changes_the_password(
    app_server: AppServer, app_db: Database, new_page: PageFactory, screenshot_dir: Path
) -> None:
    from tests.e2e.test_partner_finance import partner_id

    email, password = "finance@miami.partners.test", "coral reef ledger sunrise"
    new_password = "mango kites drift north"
    partner_auth.create_partner_user(
        db=app_db,
        partner_id=partner_id(app_server, "PRP-1002"),
        email=email,
        name="Miami finance",
        password=password,
        actor="e2e:staff",
    )
    base = app_server.base_url
    page = new_page()
    page.goto(f"{base}/partner/account")
    page.wait_for_url(re.compile(r"/partner/login\?next=/partner/account/?$"), timeout=30_000)
    try_password(page, email, password)
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/partner/account/?$"), timeout=30_000)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "concierge_partner"]
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Lax")
    assert "concierge_partner=" not in page.evaluate("document.cookie")
    expect(page.locator("#login-email")).to_have_text(email, timeout=30_000)

    form = page.locator("#password-form")
    form.get_by_label("Current password").fill(password)
    form.get_by_label("New password", exact=True).fill("password1234")
    meter = form.locator("#password-strength")
    expect(meter).to_contain_text("Very weak")
    expect(meter).to_contain_text("This is a very common password")
    form.get_by_label("New password again").fill("password1234")
    form.get_by_role("button", name="Change password").click()
    expect(form.locator("#new-password-error")).to_contain_text("too easy to guess")
    for width in ("1280", "390"):
        page.set_viewport_size(WIDTHS[width])
        shot(page, screenshot_dir / f"partner-password-{width}.png")
    page.set_viewport_size(WIDTHS["1280"])

    form.get_by_label("New password", exact=True).fill(new_password)
    expect(meter).to_contain_text("Strength: Very strong")
    form.get_by_label("New password again").fill(new_password)
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_role("status")).to_contain_text("Your password is changed")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/partner/login/?$"), timeout=30_000)
    assert [c for c in page.context.cookies() if c["name"] == "concierge_partner"] == []
    try_password(page, email, password)
    expect(page.get_by_role("alert")).to_have_text("The email or password is not correct.")
    try_password(page, email, new_password)
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/partner/?$"), timeout=30_000)
    forget_address_failures(app_db)
