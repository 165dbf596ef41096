"""Staff roles and what each allows. A staff user may hold several roles; a permission is
granted when any of them grants it.

- concierge: bookings, services, invoices, guest links;
- finance: refunds, partner money (transfers, statements, payouts, direct debit, month-end,
  write-off, notes, rates), reconciliation, the journal export;
- admin: users, API keys, templates, sign-in security (unlock, two-factor reset).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from concierge_app.domain.errors import DomainError


class Role(StrEnum):
    CONCIERGE = "concierge"
    FINANCE = "finance"
    ADMIN = "admin"


class Permission(StrEnum):
    BOOKINGS = "bookings"  # new, edit, import, cancel a booking; guest links
    SERVICES = "services"  # add, confirm, cancel a service
    INVOICES = "invoices"  # send, void and re-issue an invoice
    REFUNDS = "refunds"
    PARTNER_MONEY = "partner_money"  # transfers, statements, payouts, direct debit, notes, rates
    MONTH_END = "month_end"
    WRITE_OFF = "write_off"
    RECONCILIATION = "reconciliation"
    EXPORTS = "exports"  # the journal export
    PARTNERS = "partners"  # create and edit properties and service partners
    USERS = "users"  # staff and partner users
    API_KEYS = "api_keys"
    TEMPLATES = "templates"
    SECURITY = "security"  # unlock a sign-in, reset two-factor


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CONCIERGE: frozenset({Permission.BOOKINGS, Permission.SERVICES, Permission.INVOICES}),
    Role.FINANCE: frozenset(
        {
            Permission.REFUNDS,
            Permission.PARTNER_MONEY,
            Permission.MONTH_END,
            Permission.WRITE_OFF,
            Permission.RECONCILIATION,
            Permission.EXPORTS,
            Permission.PARTNERS,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Permission.USERS,
            Permission.API_KEYS,
            Permission.TEMPLATES,
            Permission.SECURITY,
        }
    ),
}

ALL_ROLES: frozenset[Role] = frozenset(Role)

# How a refusal names what was refused: "Your role does not allow refunds. Ask an admin."
_WHAT: dict[Permission, str] = {
    Permission.BOOKINGS: "changing bookings",
    Permission.SERVICES: "changing services",
    Permission.INVOICES: "sending or voiding invoices",
    Permission.REFUNDS: "refunds",
    Permission.PARTNER_MONEY: "recording partner money",
    Permission.MONTH_END: "running the month-end",
    Permission.WRITE_OFF: "writing off invoices",
    Permission.RECONCILIATION: "running a reconciliation",
    Permission.EXPORTS: "exports",
    Permission.PARTNERS: "creating or editing partners",
    Permission.USERS: "managing users",
    Permission.API_KEYS: "managing API keys",
    Permission.TEMPLATES: "editing templates",
    Permission.SECURITY: "changing other people's sign-in",
}


class NotAllowed(DomainError):
    """The actor's roles do not grant what it asked for."""


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    """Everything the roles together allow."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= GRANTS[role]
    return frozenset(granted)


def allows(roles: Iterable[Role], permission: Permission) -> bool:
    return permission in permissions_of(roles)


def refusal(permission: Permission) -> str:
    """The message a refused staff member reads."""
    return f"Your role does not allow {_WHAT[permission]}. Ask an admin."


def parse_roles(text: str) -> frozenset[Role]:
    """Roles as stored ("admin,finance"); unknown words are refused, blanks ignored."""
    roles: set[Role] = set()
    for word in text.split(","):
        word = word.strip().lower()
        if not word:
            continue
        try:
            roles.add(Role(word))
        except ValueError:
            raise DomainError(f"There is no role called {word[:40]!r}.", field="roles") from None
    return frozenset(roles)


def clean_roles(roles: Iterable[Role | str]) -> frozenset[Role]:
    """Roles chosen in a form or given to a service: at least one, each a known role."""
    chosen = parse_roles(",".join(str(r) for r in roles))
    if not chosen:
        raise DomainError("Choose at least one role.", field="roles")
    return chosen


def format_roles(roles: Iterable[Role]) -> str:
    """How roles are stored: sorted, comma-separated."""
    return ",".join(sorted(role.value for role in set(roles)))


def is_person(actor: str) -> bool:
    """Whether an actor is a person's email (checked against staff users), not the app itself
    ("system:…", "cli:…", "provider:…", "api:…", "demo-seed", …)."""
    head = actor.split("@", 1)[0]
    return "@" in actor and ":" not in head
