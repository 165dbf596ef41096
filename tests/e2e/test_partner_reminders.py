"""Partner reminders seen, in the browser. After the month-end run and `concierge
send-reminders` on the demo, the staff page of Ibiza Yoga Retreats (OPR-2004) shows the Payment
reminders card: each open document with the notices sent (the final notice on the overdue
November invoice) and the next one due (the reminder before the new invoice's due date); Edit
details sets the partner's language (Español), saved and shown on the Details card; the
partner's own document page says "Reminder sent on …". Screenshots at 1280 and 390 px."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS
from tests.e2e.conftest import REPO_ROOT, sign_in
from tests.e2e.test_partner_finance import (  # noqa: F401  (fixtures)
    PageFactory,
    invoices_of,
    new_page,
    partner_sign_in,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

YOGA = "OPR-2004"
HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"
SHOTS = Path("/tmp/h3-reminders-shots")
DAY = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(
            path=str(SHOTS / f"{name}-{width}.png"),
            full_page=True,
            style=HIDE_TOASTS,
            animations="disabled",
        )
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} overflows by {overflow}px at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def send_reminders(app_server: AppServer) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "concierge_app.cli", "send-reminders"],
        cwd=REPO_ROOT,
        env=dict(os.environ)
        | {"DATABASE_URL": app_server.database_url, "PUBLIC_BASE_URL": app_server.base_url},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_staff_partner_page_shows_payment_reminders_and_the_language(
    app_server: AppServer,
    month_end: subprocess.CompletedProcess[str],
    new_page: PageFactory,  # noqa: F811
) -> None:
    assert month_end.returncode == 0
    assert "partner notice(s) sent" in send_reminders(app_server)
    base = app_server.base_url
    overdue, *newer = [i for i in invoices_of(app_server, YOGA) if i.number.startswith("CM-")]
    assert newer, "the month-end run issued a new commission invoice"

    page = new_page()
    sign_in(page, base)
    page.goto(f"{base}/finance/partners/{YOGA}")
    card = page.locator("#partner-reminders-card")
    expect(card).to_be_visible(timeout=30_000)
    expect(card.get_by_role("heading", name="Payment reminders")).to_be_visible()
    old = card.locator(".reminder-document", has_text=overdue.number)
    expect(old.locator(".reminder-sent")).to_have_text(
        re.compile(r"Sent: Final notice: " + DAY.pattern)
    )
    expect(old.locator(".reminder-next")).to_have_text(
        "Next: none — no reminder left in the schedule"
    )
    new = card.locator(".reminder-document", has_text=newer[-1].number)
    expect(new.locator(".reminder-sent")).to_have_text("None sent yet.")
    expect(new.locator(".reminder-next")).to_have_text(
        re.compile(r"Next: Payment reminder on " + DAY.pattern)
    )
    expect(page.locator("#details-language")).to_have_text("English (US)")
    card.scroll_into_view_if_needed()
    shot(page, "staff-partner-reminders")

    # The partner's language, from the guests' list, saved and shown.
    page.get_by_role("button", name="Edit details").click()
    edit = page.locator("#edit-partner-dialog")
    expect(edit.locator("#edit-partner-language")).to_have_text("English (US)")
    edit.locator("#edit-partner-language").click()
    page.get_by_role("option", name="Español", exact=True).click()
    shot(page, "edit-partner-language")
    edit.get_by_role("button", name="Save details").click()
    expect(edit).to_have_count(0, timeout=30_000)
    expect(page.locator("#staff-action-done")).to_contain_text("language")
    expect(page.locator("#details-language")).to_have_text("Español")
    with Database(app_server.database_url).read() as s:
        assert s.exec(select(Partner.language).where(Partner.code == YOGA)).one() == "es_ES"

    # The partner sees the notice on its document.
    yoga = new_page()
    partner_sign_in(yoga, base, DEMO_PARTNER_LOGINS[YOGA])
    yoga.goto(f"{base}/partner/invoices/{overdue.number}")
    sent = yoga.locator("#document-reminders-sent")
    expect(sent).to_have_text(re.compile(r"Reminder sent on " + DAY.pattern), timeout=30_000)
    shot(yoga, "partner-document-reminder-sent")
