"""Every path of the app, once: the pages (staff, guest, partner Extranet), the sandbox checkout
and the HTTP endpoints beside the Reflex app.

A page registered with a parameter (`/bookings/[reference]`) has a small function building one
address (`booking("BK-000123")`); in a page the argument may be a Reflex Var, and the address is
then a Var too. Imports nothing of ours but the domain's sign-in kinds.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from concierge_app.domain.sign_in import Kind

# -- staff -------------------------------------------------------------------------------------
BOOKINGS = "/"
BOOKING_PREFIX = "/bookings/"
BOOKING = BOOKING_PREFIX + "[reference]"
SIGN_IN = "/login"
TEMPLATES = "/templates"
OUTBOX = "/outbox"
FINANCE = "/finance"
PARTNERS = "/partners"
FINANCE_PARTNER_PREFIX = "/finance/partners/"
FINANCE_PARTNER = FINANCE_PARTNER_PREFIX + "[code]"
INBOX = "/inbox"
AUDIT = "/audit"
PAYMENT_EVENTS = "/payments/events"
SECURITY = "/security"
USERS = "/users"  # staff users (admin)
ACCOUNT_LINK = "/account"  # ?t=<token>: accept an invitation or reset a password (public)
API_KEYS = "/api-keys"

# -- guest -------------------------------------------------------------------------------------
PORTAL_PREFIX = "/portal/"
PORTAL = PORTAL_PREFIX + "[reference]"

# -- the sandbox payment provider's checkout page ------------------------------------------------
SANDBOX_CHECKOUT_PREFIX = "/sandbox/checkout/"
SANDBOX_CHECKOUT = SANDBOX_CHECKOUT_PREFIX + "[session]"

# -- partner Extranet --------------------------------------------------------------------------
PARTNER_SIGN_IN = "/partner/login"
PARTNER_HOME = "/partner"  # Financial Overview
PARTNER_INVOICES = "/partner/invoices"
PARTNER_DOCUMENT_PREFIX = PARTNER_INVOICES + "/"
PARTNER_DOCUMENT = PARTNER_DOCUMENT_PREFIX + "[number]"
PARTNER_LEDGER = "/partner/ledger"
PARTNER_BANK_DETAILS = "/partner/bank-details"
PARTNER_GROUP = "/partner/group"  # a group login's "All properties"
PARTNER_INBOX = "/partner/inbox"
PARTNER_ACCOUNT = "/partner/account"
PARTNER_USERS = "/partner/users"

# -- HTTP endpoints (api.py) -------------------------------------------------------------------
STRIPE_WEBHOOK = "/api/stripe/webhook"
OPEN_SESSION = "/api/auth/session"  # ?code=<one-time ticket>&next=<path>
SIGN_OUT = "/api/auth/signout"  # ?kind=staff|partner
GUEST_DOCUMENT_PREFIX = "/api/guest/documents/"
GUEST_DOCUMENT = GUEST_DOCUMENT_PREFIX + "{reference}/{number}"  # ?t=<guest token>, or staff cookie
# the bookings API for a PMS or channel manager (api_v1/); {ref}: our reference or theirs
API_V1 = "/api/v1"
API_BOOKINGS = API_V1 + "/bookings"  # POST create/upsert; GET ?external_reference=…
API_BOOKING = API_BOOKINGS + "/{ref}"
API_BOOKING_CANCEL = API_BOOKING + "/cancel"
API_OPENAPI = API_V1 + "/openapi.json"
API_V1_ANYTHING = API_V1 + "/{rest:path}"  # a JSON 404 for every other path of the API

FAVICON = "/favicon.svg"
API_PREFIX = "/api/"
# where a sign-in never goes on to: the HTTP endpoints and the sign-in pages themselves
NOT_AFTER_SIGN_IN = (API_PREFIX, SIGN_IN, PARTNER_SIGN_IN)


def account_link(token: str) -> str:
    """The link in an invitation or password-reset message."""
    return f"{ACCOUNT_LINK}?t={token}"


def booking(reference: str) -> str:
    """One booking's staff page."""
    return BOOKING_PREFIX + reference


def portal(reference: str) -> str:
    """A booking's guest portal (its link carries the guest's token)."""
    return PORTAL_PREFIX + reference


def guest_document(reference: str, number: str, token: str = "", returned: str = "") -> str:
    """A guest document's PDF (a receipt or a sent invoice): with the guest's portal `token`,
    or `returned` ("<attempt>:<return code>" of a checkout the guest came back from); neither
    when a staff member asks."""
    path = f"{GUEST_DOCUMENT_PREFIX}{quote(reference, safe='')}/{quote(number, safe='')}"
    if token:
        return f"{path}?t={quote(token, safe='')}"
    return f"{path}?back={quote(returned, safe='')}" if returned else path


def sandbox_checkout(session: str) -> str:
    """The sandbox provider's checkout page of one session."""
    return SANDBOX_CHECKOUT_PREFIX + session


def partner_thread(thread_id: int) -> str:
    """One thread of the partner's inbox."""
    return f"{PARTNER_INBOX}?thread={thread_id}"


def finance_partner(code: str) -> str:
    """One partner's page in staff Finance."""
    return FINANCE_PARTNER_PREFIX + code


def partner_document(number: str) -> str:
    """One document (invoice, note) on the partner's Extranet, with its statement."""
    return PARTNER_DOCUMENT_PREFIX + number


def sign_in(kind: Kind) -> str:
    """The sign-in page of staff or of partners."""
    return SIGN_IN if kind is Kind.STAFF else PARTNER_SIGN_IN


def home(kind: Kind) -> str:
    """Where a session starts, and what a sign-in goes back to without `next`."""
    return BOOKINGS if kind is Kind.STAFF else PARTNER_HOME


def sign_out(kind: Kind) -> str:
    """The form action ending the session of `kind`."""
    return f"{SIGN_OUT}?kind={kind.value}"


def path_parameter(path: str, prefix: str) -> str:
    """The parameter of a page registered as `prefix + "[name]"`, read from its address
    (`path_parameter("/bookings/BK-000123", BOOKING_PREFIX)` is "BK-000123"); "" elsewhere."""
    path = path.rstrip("/")
    return unquote(path.rsplit("/", 1)[-1]) if prefix in path else ""
