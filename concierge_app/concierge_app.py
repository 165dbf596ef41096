"""The Reflex app: page registration. The Radix theme lives in `rxconfig.py` (RadixThemesPlugin)."""

import reflex as rx

# Every table, so SQLModel.metadata is complete: `reflex run` compares it with the database
# (alembic autogenerate) and would otherwise report the tables no page imports as "changes".
import concierge_app.db.tables  # noqa: F401
from concierge_app.api import api
from concierge_app.db.engine import get_database
from concierge_app.jobs.direct_debit import collect_direct_debits_when_due
from concierge_app.jobs.month_end import run_month_end_when_due
from concierge_app.jobs.outbox import deliver_outbox_forever
from concierge_app.pages.audit import audit_page
from concierge_app.pages.booking import booking_page
from concierge_app.pages.bookings import bookings_page
from concierge_app.pages.finance import finance_page
from concierge_app.pages.inbox import inbox_page
from concierge_app.pages.login import login_page, partner_login_page
from concierge_app.pages.outbox import outbox_page
from concierge_app.pages.partner_account import partner_account_page
from concierge_app.pages.partner_finance import (
    bank_details_page,
    invoices_page,
    overview_page,
    statement_page,
)
from concierge_app.pages.partner_group import partner_group_page
from concierge_app.pages.partner_inbox import partner_inbox_page
from concierge_app.pages.partner_ledger import partner_ledger_page
from concierge_app.pages.portal import portal_page
from concierge_app.pages.sandbox_checkout import sandbox_checkout_page
from concierge_app.pages.templates import templates_page
from concierge_app.state.audit import AuditState
from concierge_app.state.booking import BookingState
from concierge_app.state.bookings import BookingsState
from concierge_app.state.finance import FinanceState
from concierge_app.state.inbox import InboxState
from concierge_app.state.outbox import OutboxState
from concierge_app.state.partner_account import PartnerAccountState
from concierge_app.state.partner_finance import (
    BankDetailsState,
    OverviewState,
    PartnerInvoicesState,
    StatementState,
)
from concierge_app.state.partner_group import PartnerGroupState
from concierge_app.state.partner_inbox import PartnerInboxState
from concierge_app.state.partner_ledger import PartnerLedgerState
from concierge_app.state.portal import PortalState
from concierge_app.state.sandbox_checkout import SandboxCheckoutState
from concierge_app.state.templates import TemplatesState

app = rx.App(
    html_lang="en",
    api_transformer=api,
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)

app.add_page(
    bookings_page,
    route="/",
    title="Bookings · Concierge",
    description="Bookings with invoiced, paid and outstanding amounts.",
    on_load=BookingsState.load,
)

app.add_page(
    booking_page,
    route="/bookings/[reference]",
    title="Booking · Concierge",
    description="One booking: overview, Trip Portfolio and Payments panel.",
    on_load=BookingState.load,
)

app.add_page(login_page, route="/login", title="Sign in · Concierge")
app.add_page(
    templates_page, route="/templates", title="Templates · Concierge", on_load=TemplatesState.load
)
app.add_page(outbox_page, route="/outbox", title="Outbox · Concierge", on_load=OutboxState.load)
app.add_page(
    portal_page,
    route="/portal/[reference]",
    title="Your booking · Payments",
    description="Your booking, its invoices and payments.",
    on_load=PortalState.load,
)
app.add_page(
    sandbox_checkout_page,
    route="/sandbox/checkout/[session]",
    title="Checkout · Test mode",
    on_load=SandboxCheckoutState.load,
)
app.add_page(
    finance_page, route="/finance", title="Partner finance · Concierge", on_load=FinanceState.load
)
app.add_page(
    partner_account_page,
    route="/finance/partners/[code]",
    title="Partner · Concierge",
    on_load=PartnerAccountState.load,
)
app.add_page(partner_login_page, route="/partner/login", title="Sign in · Extranet")
app.add_page(
    overview_page,
    route="/partner",
    title="Financial Overview · Extranet",
    on_load=OverviewState.load,
)
app.add_page(
    invoices_page,
    route="/partner/invoices",
    title="Invoices · Extranet",
    on_load=PartnerInvoicesState.load,
)
app.add_page(
    statement_page,
    route="/partner/invoices/[number]",
    title="Invoice · Extranet",
    on_load=StatementState.load,
)
app.add_page(
    partner_ledger_page,
    route="/partner/ledger",
    title="Ledger · Extranet",
    on_load=PartnerLedgerState.load,
)
app.add_page(
    bank_details_page,
    route="/partner/bank-details",
    title="Bank details · Extranet",
    on_load=BankDetailsState.load,
)
# A group account's properties, total due and payments (group logins only).
app.add_page(
    partner_group_page,
    route="/partner/group",
    title="All properties · Extranet",
    on_load=PartnerGroupState.load,
)
# The partner inbox: the partner writes at /partner/inbox, staff read and reply at /inbox.
app.add_page(
    partner_inbox_page,
    route="/partner/inbox",
    title="Inbox · Extranet",
    on_load=PartnerInboxState.load,
)
app.add_page(inbox_page, route="/inbox", title="Partner inbox · Concierge", on_load=InboxState.load)
app.add_page(audit_page, route="/audit", title="Audit log · Concierge", on_load=AuditState.load)


app.register_lifespan_task(deliver_outbox_forever)
app.register_lifespan_task(run_month_end_when_due)
app.register_lifespan_task(collect_direct_debits_when_due)


@app.register_lifespan_task
def _fresh_database_connections() -> None:
    """Each worker (Granian forks several with REFLEX_REDIS_URL) opens its own connections."""
    get_database().dispose()
