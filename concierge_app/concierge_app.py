"""The Reflex app: page registration. The Radix theme lives in `rxconfig.py` (RadixThemesPlugin)."""

import logging

import reflex as rx

# Every table, so SQLModel.metadata is complete: `reflex run` compares it with the database
# (alembic autogenerate) and would otherwise report the tables no page imports as "changes".
import concierge_app.db.tables  # noqa: F401
from concierge_app import routes
from concierge_app.api import api
from concierge_app.db.engine import get_database
from concierge_app.jobs.direct_debit import collect_direct_debits_when_due
from concierge_app.jobs.month_end import run_month_end_when_due
from concierge_app.jobs.outbox import deliver_outbox_forever
from concierge_app.services.shared.deploy_checks import refuse_unsafe_start
from concierge_app.settings import get_settings
from concierge_app.ui.guest.portal.page import portal_page
from concierge_app.ui.guest.portal.state import PortalState
from concierge_app.ui.partner.account.page import partner_profile_page
from concierge_app.ui.partner.account.state import PartnerProfileState
from concierge_app.ui.partner.bank_details.page import bank_details_page
from concierge_app.ui.partner.bank_details.state import BankDetailsState
from concierge_app.ui.partner.document.page import statement_page
from concierge_app.ui.partner.document.state import StatementState
from concierge_app.ui.partner.group.page import partner_group_page
from concierge_app.ui.partner.group.state import PartnerGroupState
from concierge_app.ui.partner.inbox.page import partner_inbox_page
from concierge_app.ui.partner.inbox.state import PartnerInboxState
from concierge_app.ui.partner.invoices.page import invoices_page
from concierge_app.ui.partner.invoices.state import PartnerInvoicesState
from concierge_app.ui.partner.ledger.page import partner_ledger_page
from concierge_app.ui.partner.ledger.state import PartnerLedgerState
from concierge_app.ui.partner.overview.page import overview_page
from concierge_app.ui.partner.overview.state import OverviewState
from concierge_app.ui.partner.session import PartnerAuthState
from concierge_app.ui.partner.sign_in.page import partner_login_page
from concierge_app.ui.shared.sandbox_checkout.page import sandbox_checkout_page
from concierge_app.ui.shared.sandbox_checkout.state import SandboxCheckoutState
from concierge_app.ui.shared.test_mode import app_wraps as test_mode_wraps
from concierge_app.ui.staff.audit.page import audit_page
from concierge_app.ui.staff.audit.state import AuditState
from concierge_app.ui.staff.booking.page import booking_page
from concierge_app.ui.staff.booking.state import BookingState
from concierge_app.ui.staff.bookings.page import bookings_page
from concierge_app.ui.staff.bookings.state import BookingsState
from concierge_app.ui.staff.finance.page import finance_page
from concierge_app.ui.staff.finance.state import FinanceState
from concierge_app.ui.staff.inbox.page import inbox_page
from concierge_app.ui.staff.inbox.state import InboxState
from concierge_app.ui.staff.outbox.page import outbox_page
from concierge_app.ui.staff.outbox.state import OutboxState
from concierge_app.ui.staff.partner_account.page import partner_account_page
from concierge_app.ui.staff.partner_account.state import PartnerAccountState
from concierge_app.ui.staff.payment_events.page import provider_events_page
from concierge_app.ui.staff.payment_events.state import ProviderEventsState
from concierge_app.ui.staff.security.page import security_page
from concierge_app.ui.staff.security.state import SecurityState
from concierge_app.ui.staff.session import AuthState
from concierge_app.ui.staff.sign_in.page import login_page
from concierge_app.ui.staff.templates.page import templates_page
from concierge_app.ui.staff.templates.state import TemplatesState

# Production refuses to start with unsafe settings (e.g. no payment provider): `check --deploy`.
for _warning in refuse_unsafe_start(get_settings(), get_database()):
    logging.getLogger(__name__).warning("check --deploy: %s", _warning)

app = rx.App(
    html_lang="en",
    api_transformer=api,
    extra_app_wraps=test_mode_wraps(),  # type: ignore[arg-type]
    head_components=[rx.el.link(rel="icon", href=routes.FAVICON, type="image/svg+xml")],
)

app.add_page(
    bookings_page,
    route=routes.BOOKINGS,
    title="Bookings · Concierge",
    description="Bookings with invoiced, paid and outstanding amounts.",
    on_load=BookingsState.load,
)

app.add_page(
    booking_page,
    route=routes.BOOKING,
    title="Booking · Concierge",
    description="One booking: overview, Trip Portfolio and Payments panel.",
    on_load=BookingState.load,
)

app.add_page(
    login_page, route=routes.SIGN_IN, title="Sign in · Concierge", on_load=AuthState.open_sign_in
)
app.add_page(
    templates_page,
    route=routes.TEMPLATES,
    title="Templates · Concierge",
    on_load=TemplatesState.load,
)
app.add_page(outbox_page, route=routes.OUTBOX, title="Outbox · Concierge", on_load=OutboxState.load)
app.add_page(
    portal_page,
    route=routes.PORTAL,
    title="Your booking · Payments",
    description="Your booking, its invoices and payments.",
    on_load=PortalState.load,
)
app.add_page(
    sandbox_checkout_page,
    route=routes.SANDBOX_CHECKOUT,
    title="Checkout · Test mode",
    on_load=SandboxCheckoutState.load,
)
app.add_page(
    finance_page,
    route=routes.FINANCE,
    title="Partner finance · Concierge",
    on_load=FinanceState.load,
)
app.add_page(
    partner_account_page,
    route=routes.FINANCE_PARTNER,
    title="Partner · Concierge",
    on_load=PartnerAccountState.load,
)
app.add_page(
    partner_login_page,
    route=routes.PARTNER_SIGN_IN,
    title="Sign in · Extranet",
    on_load=PartnerAuthState.open_sign_in,
)
app.add_page(
    overview_page,
    route=routes.PARTNER_HOME,
    title="Financial Overview · Extranet",
    on_load=OverviewState.load,
)
app.add_page(
    invoices_page,
    route=routes.PARTNER_INVOICES,
    title="Invoices · Extranet",
    on_load=PartnerInvoicesState.load,
)
app.add_page(
    statement_page,
    route=routes.PARTNER_DOCUMENT,
    title="Invoice · Extranet",
    on_load=StatementState.load,
)
app.add_page(
    partner_ledger_page,
    route=routes.PARTNER_LEDGER,
    title="Ledger · Extranet",
    on_load=PartnerLedgerState.load,
)
app.add_page(
    bank_details_page,
    route=routes.PARTNER_BANK_DETAILS,
    title="Bank details · Extranet",
    on_load=BankDetailsState.load,
)
# A group account's properties, total due and payments (group logins only).
app.add_page(
    partner_group_page,
    route=routes.PARTNER_GROUP,
    title="All properties · Extranet",
    on_load=PartnerGroupState.load,
)
# The partner inbox: the partner writes at /partner/inbox, staff read and reply at /inbox.
app.add_page(
    partner_inbox_page,
    route=routes.PARTNER_INBOX,
    title="Inbox · Extranet",
    on_load=PartnerInboxState.load,
)
app.add_page(
    inbox_page, route=routes.INBOX, title="Partner inbox · Concierge", on_load=InboxState.load
)
app.add_page(audit_page, route=routes.AUDIT, title="Audit log · Concierge", on_load=AuditState.load)
app.add_page(
    provider_events_page,
    route=routes.PAYMENT_EVENTS,
    title="Payment events · Concierge",
    on_load=ProviderEventsState.load,
)
# Sign-in security: the sign-in log, locked accounts (Unlock), the member's password and
# two-factor sign-in (staff); a partner login's password (partners).
app.add_page(
    security_page, route=routes.SECURITY, title="Security · Concierge", on_load=SecurityState.load
)
app.add_page(
    partner_profile_page,
    route=routes.PARTNER_ACCOUNT,
    title="Account · Extranet",
    on_load=PartnerProfileState.load,
)


app.register_lifespan_task(deliver_outbox_forever)
app.register_lifespan_task(run_month_end_when_due)
app.register_lifespan_task(collect_direct_debits_when_due)


@app.register_lifespan_task
def _fresh_database_connections() -> None:
    """Each worker (Granian forks several with REFLEX_REDIS_URL) opens its own connections."""
    get_database().dispose()
