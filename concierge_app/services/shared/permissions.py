"""Who may do what: `require` at the top of every staff-facing service (re-exported by
`services.access.roles`; here so that every service package, `shared` too, can call it).

An actor that is an email is a person: it must be an active staff user holding the
permission (an unknown email is refused). Other actors ("system:…", "cli:…", "provider:…",
"api:…", "demo-seed", …) are the app itself and may do anything; an empty actor (nobody signed
in) is refused.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.parties import StaffUser
from concierge_app.db.types import table_of
from concierge_app.domain.roles import NotAllowed, Permission, Role, allows, is_person, parse_roles
from concierge_app.domain.roles import refusal as refusal

__all__ = ["NotAllowed", "Permission", "require", "require_in", "roles_of"]

SIGN_IN_AGAIN = "You are signed out. Sign in again."


_STAFF = table_of(StaffUser)
_ROLES_OF = core_select(_STAFF.c.roles, _STAFF.c.is_active).where(
    _STAFF.c.email == bindparam("email")
)


def _roles(row: Any) -> frozenset[Role]:
    if row is None or not row[1]:
        return frozenset()
    return parse_roles(row[0])


def _email(actor: str) -> str:
    return actor.strip().lower()[:254]


def roles_of(session: Session, email: str) -> frozenset[Role]:
    """The roles of the active staff user with this email (none when unknown or disabled)."""
    return _roles(session.connection().execute(_ROLES_OF, {"email": _email(email)}).first())


def require(session: Session, actor: str, permission: Permission) -> None:
    """Refuse (NotAllowed) unless the actor may do it; in the caller's transaction or read."""
    if not actor.strip():
        raise NotAllowed(SIGN_IN_AGAIN)
    if is_person(actor) and not allows(roles_of(session, actor), permission):
        raise NotAllowed(refusal(permission))


def require_in(db: Database, actor: str, permission: Permission) -> None:
    """`require` in a short read of its own, for a service that checks before it opens its
    transaction (e.g. before a long file is parsed)."""
    if not actor.strip():
        raise NotAllowed(SIGN_IN_AGAIN)
    if is_person(actor):  # one SELECT, on a bare connection (no ORM session)
        roles = _roles(db.select_one(_ROLES_OF, {"email": _email(actor)}))
        if not allows(roles, permission):
            raise NotAllowed(refusal(permission))
