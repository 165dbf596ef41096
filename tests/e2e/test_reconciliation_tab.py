"""Staff reconcile the ledger with the payment provider on Finance → Reconciliation, in the
browser: a bad period is refused at the field; Run shows a spinner while the sandbox's records
are read, then the run's summary by kind and outcome and each difference — here a payment the
sandbox holds and the ledger never heard of (injected), flagged "Only at the provider"."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from concierge_app.db.engine import Database
from concierge_app.db.sandbox import SandboxCheckoutSession

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e

HIDE_TOASTS = "[data-sonner-toaster] { display: none !important; }"
SHOTS = Path("/tmp/i17-recon-shots")


@pytest.fixture
def db(app_server: AppServer) -> Iterator[Database]:
    database = Database(app_server.database_url)
    yield database
    database.dispose()


def stray_payment(db: Database) -> str:
    """A completed checkout at the sandbox that no ledger payment matches."""
    intent = f"pi_sandbox_e2e_{secrets.token_hex(6)}"
    with db.transaction() as s:
        s.add(
            SandboxCheckoutSession(
                id=f"cs_test_sandbox_e2e_{secrets.token_hex(6)}",
                attempt_id=f"pa_e2e_{secrets.token_hex(6)}",
                booking_reference="AZ-24001",
                currency="EUR",
                amount_minor=4_200,
                lines_json="[]",
                customer_email="stray@example.com",
                success_url="https://example.com",
                cancel_url="https://example.com",
                status="complete",
                payment_intent=intent,
                completed_at=datetime.now(UTC),
            )
        )
    return intent


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(
        path=str(SHOTS / name), full_page=True, style=HIDE_TOASTS, animations="disabled"
    )


def test_staff_run_a_reconciliation_and_see_each_difference(
    app_server: AppServer, console_errors: list[str], staff_page: Page, db: Database
) -> None:
    page, base = staff_page, app_server.base_url
    page.set_viewport_size({"width": 1280, "height": 900})
    intent = stray_payment(db)
    page.goto(f"{base}/finance")
    page.get_by_role("tab", name="Reconciliation").click(timeout=30_000)
    expect(page.locator("#reconciliation")).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(re.escape(base) + r"/finance/?\?tab=reconciliation$"))
    period = page.get_by_label("Period").locator("visible=true")
    expect(period).to_have_value(datetime.now(UTC).strftime("%Y-%m"))

    period.fill("２０２６-１１")  # full-width digits are not a period
    page.locator("#reconciliation-run").click()
    expect(page.locator("#reconciliation-period-error")).to_contain_text("YYYY-MM")
    expect(period).to_have_attribute("aria-invalid", "true")
    shot(page, "reconciliation-refused-1280.png")

    period.fill(datetime.now(UTC).strftime("%Y-%m"))
    page.locator("#reconciliation-run").click()
    expect(page.locator("#reconciliation-run")).to_be_enabled(timeout=60_000)
    expect(page.locator("#reconciliation-error")).to_have_count(0)
    expect(page.locator("#reconciliation-period-error")).to_have_count(0)
    drift = page.locator("#reconciliation-drift")  # the session's other tests may add their own
    counted = re.compile(r"\b(1 difference|([2-9]|\d{2,}) differences) between")
    expect(drift).to_contain_text(counted)
    row = page.locator("#reconciliation-differences tr", has_text=intent)
    expect(row).to_contain_text("Only at the provider")
    expect(row).to_contain_text("42.00")
    summary = page.locator("#reconciliation-summary")
    expect(summary.locator("tr", has_text="Matched").first).to_be_visible()
    expect(page.locator("#reconciliation-title")).to_contain_text(
        f"(up to {datetime.now(UTC).date().isoformat()})"
    )
    expect(page.locator("#reconciliation-title")).to_contain_text("by concierge@demo.test")
    shot(page, "reconciliation-1280.png")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(row).to_contain_text("Provider €42.00 · Ledger —")  # under the outcome on a phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide at 390px"
    shot(page, "reconciliation-390.png")
    assert console_errors == []
