"""The Reflex app: page registration (one table, `PAGES`) and the lifespan jobs. The Radix theme
lives in `rxconfig.py` (RadixThemesPlugin)."""

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

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
from concierge_app.jobs.reconciliation import reconcile_daily
from concierge_app.jobs.reminders import send_reminders_when_due
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
from concierge_app.ui.partner.users.page import partner_users_page
from concierge_app.ui.partner.users.state import PartnerUsersState
from concierge_app.ui.shared.account_link.page import account_link_page
from concierge_app.ui.shared.account_link.state import AccountLinkState
from concierge_app.ui.shared.live_push import push_changes_forever
from concierge_app.ui.shared.sandbox_checkout.page import sandbox_checkout_page
from concierge_app.ui.shared.sandbox_checkout.state import SandboxCheckoutState
from concierge_app.ui.shared.test_mode import app_wraps as test_mode_wraps
from concierge_app.ui.staff.api_keys.page import api_keys_page
from concierge_app.ui.staff.api_keys.state import ApiKeysState
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
from concierge_app.ui.staff.partners.page import partners_page
from concierge_app.ui.staff.partners.state import PartnersState
from concierge_app.ui.staff.payment_events.page import provider_events_page
from concierge_app.ui.staff.payment_events.state import ProviderEventsState
from concierge_app.ui.staff.security.page import security_page
from concierge_app.ui.staff.security.state import SecurityState
from concierge_app.ui.staff.session import AuthState
from concierge_app.ui.staff.sign_in.page import login_page
from concierge_app.ui.staff.templates.page import templates_page
from concierge_app.ui.staff.templates.state import TemplatesState
from concierge_app.ui.staff.users.page import users_page
from concierge_app.ui.staff.users.state import UsersState

# Production refuses to start with unsafe settings (e.g. no payment provider): `check --deploy`.
for _warning in refuse_unsafe_start(get_settings(), get_database()):
    logging.getLogger(__name__).warning("check --deploy: %s", _warning)

app = rx.App(
    html_lang="en",
    api_transformer=api,
    extra_app_wraps=test_mode_wraps(),  # type: ignore[arg-type]
    head_components=[rx.el.link(rel="icon", href=routes.FAVICON, type="image/svg+xml")],
)


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of the app: what it shows, at which path, its title and what loads its data."""

    component: Callable[[], rx.Component]
    route: str
    title: str
    on_load: Any
    description: str | None = None


PAGES = (
    Page(
        bookings_page,
        routes.BOOKINGS,
        "Bookings · Concierge",
        BookingsState.load,
        "Bookings with invoiced, paid and outstanding amounts.",
    ),
    Page(
        booking_page,
        routes.BOOKING,
        "Booking · Concierge",
        BookingState.load,
        "One booking: overview, Trip Portfolio and Payments panel.",
    ),
    Page(login_page, routes.SIGN_IN, "Sign in · Concierge", AuthState.open_sign_in),
    Page(templates_page, routes.TEMPLATES, "Templates · Concierge", TemplatesState.load),
    Page(outbox_page, routes.OUTBOX, "Outbox · Concierge", OutboxState.load),
    Page(
        portal_page,
        routes.PORTAL,
        "Your booking · Payments",
        PortalState.load,
        "Your booking, its invoices and payments.",
    ),
    Page(
        sandbox_checkout_page,
        routes.SANDBOX_CHECKOUT,
        "Checkout · Test mode",
        SandboxCheckoutState.load,
    ),
    Page(finance_page, routes.FINANCE, "Partner finance · Concierge", FinanceState.load),
    Page(partners_page, routes.PARTNERS, "Partners · Concierge", PartnersState.load),
    Page(
        partner_account_page,
        routes.FINANCE_PARTNER,
        "Partner · Concierge",
        PartnerAccountState.load,
    ),
    Page(
        partner_login_page,
        routes.PARTNER_SIGN_IN,
        "Sign in · Extranet",
        PartnerAuthState.open_sign_in,
    ),
    Page(overview_page, routes.PARTNER_HOME, "Financial Overview · Extranet", OverviewState.load),
    Page(invoices_page, routes.PARTNER_INVOICES, "Invoices · Extranet", PartnerInvoicesState.load),
    Page(statement_page, routes.PARTNER_DOCUMENT, "Invoice · Extranet", StatementState.load),
    Page(partner_ledger_page, routes.PARTNER_LEDGER, "Ledger · Extranet", PartnerLedgerState.load),
    Page(
        bank_details_page,
        routes.PARTNER_BANK_DETAILS,
        "Bank details · Extranet",
        BankDetailsState.load,
    ),
    # A group account's properties, total due and payments (group logins only).
    Page(
        partner_group_page,
        routes.PARTNER_GROUP,
        "All properties · Extranet",
        PartnerGroupState.load,
    ),
    # The partner inbox: the partner writes at /partner/inbox, staff read and reply at /inbox.
    Page(partner_inbox_page, routes.PARTNER_INBOX, "Inbox · Extranet", PartnerInboxState.load),
    Page(inbox_page, routes.INBOX, "Partner inbox · Concierge", InboxState.load),
    Page(audit_page, routes.AUDIT, "Audit log · Concierge", AuditState.load),
    Page(
        provider_events_page,
        routes.PAYMENT_EVENTS,
        "Payment events · Concierge",
        ProviderEventsState.load,
    ),
    # Sign-in security: the sign-in log, locked accounts (Unlock), the member's password and
    # two-factor sign-in (staff); a partner login's password (partners).
    Page(security_page, routes.SECURITY, "Security · Concierge", SecurityState.load),
    # Staff users and roles (admins); the invitation / password-reset link (public).
    Page(users_page, routes.USERS, "Users · Concierge", UsersState.load),
    Page(partner_users_page, routes.PARTNER_USERS, "Users · Extranet", PartnerUsersState.load),
    Page(account_link_page, routes.ACCOUNT_LINK, "Your account · Concierge", AccountLinkState.load),
    # The integrations' keys for the bookings API (/api/v1/…).
    Page(api_keys_page, routes.API_KEYS, "API keys · Concierge", ApiKeysState.load),
    Page(
        partner_profile_page, routes.PARTNER_ACCOUNT, "Account · Extranet", PartnerProfileState.load
    ),
)

for _page in PAGES:
    app.add_page(
        _page.component,
        route=_page.route,
        title=_page.title,
        description=_page.description,
        on_load=_page.on_load,
    )


app.register_lifespan_task(deliver_outbox_forever)
app.register_lifespan_task(run_month_end_when_due)
app.register_lifespan_task(collect_direct_debits_when_due)
app.register_lifespan_task(reconcile_daily)
app.register_lifespan_task(send_reminders_when_due)
# Open pages are pushed the changes that concern them (one watcher per worker, no polling).
app.register_lifespan_task(push_changes_forever)


@app.register_lifespan_task
def _fresh_database_connections() -> None:
    """Each worker (Granian forks several with REFLEX_REDIS_URL) opens its own connections."""
    get_database().dispose()
