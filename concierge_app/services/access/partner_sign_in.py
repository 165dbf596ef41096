"""Partner sign-in: a partner user sees only its own partner's finance pages.

A group login (multiple property payment plan) also sees its group: the group page, and — one
at a time, switched by the user — each property of the group; never another group's.

Same rules as staff sign-in (no second factor): throttled password checks (Argon2, outside any
transaction), a one-time ticket the browser exchanges for its HttpOnly session cookie, sessions
stored as token hashes, expiring after STAFF_SESSION_HOURS, ended by sign-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Unpack

from sqlmodel import Session, col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, PartnerGroup
from concierge_app.db.partner_billing import PartnerSession, PartnerUser
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import Conflict, NotFound
from concierge_app.domain.sign_in import Kind
from concierge_app.services.access import login as login
from concierge_app.services.access import tickets as tickets
from concierge_app.services.access.guard import SignInRefused
from concierge_app.services.access.login import Login, PasswordChange
from concierge_app.services.access.passwords import check_policy, hash_password
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of

__all__ = ["SignInRefused"]


@dataclass(frozen=True, slots=True)
class PropertyChoice:
    """One of a group's properties, for the property switcher."""

    partner_id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class PartnerIdentity:
    user_id: int
    email: str
    name: str
    partner_id: int  # the partner the pages show: the home property, or the one switched to
    partner_name: str
    partner_code: str
    partner_kind: str  # property / operator
    session_expires_at: datetime
    # A group login: its group and the group's properties (it may switch between them).
    group_id: int | None = None
    group_code: str = ""
    group_name: str = ""
    properties: tuple[PropertyChoice, ...] = ()


@dataclass(frozen=True, slots=True)
class PartnerSignedIn:
    ticket: str  # one-time, for /api/auth/session (which sets the HttpOnly session cookie)
    identity: PartnerIdentity


def create_partner_user(
    *,
    db: Database,
    partner_id: int,
    email: str,
    name: str,
    password: str,
    actor: str,
    group_id: int | None = None,
    policy: bool = True,
) -> int:
    """A login for one partner's finance pages. Returns its id.

    With `group_id`, a group login: `partner_id` is its home property (which must be on that
    group's plan) and it also sees the group's other properties and the group page. The
    password must pass the policy (`policy=False` only for the demo's documented logins); its
    Argon2 hash is made before the transaction opens."""
    email = email.strip().lower()
    if "@" not in email:
        raise Conflict("Enter a valid email address.", field="email")
    if policy:
        check_policy(password, email=email, name=name)
    password_hash = hash_password(password)
    with db.transaction() as session:
        home = _partner(session, partner_id)
        if group_id is not None and home.group_id != group_id:
            raise Conflict("The home property is not on this group's plan.", field="group")
        if session.exec(select(PartnerUser).where(PartnerUser.email == email)).first():
            raise Conflict("There is already a login with this email.", field="email")
        user = PartnerUser(
            partner_id=partner_id,
            group_id=group_id,
            email=email,
            name=name.strip(),
            password_hash=password_hash,
        )
        session.add(user)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="partner_user.created",
            subject=f"partner:{partner_id}",
            data={"email": email} if group_id is None else {"email": email, "group": group_id},
        )
        return id_of(user)


PARTNER_LOGIN: Login[PartnerUser] = Login(
    kind=Kind.PARTNER,
    users=PartnerUser,
    sessions=PartnerSession,
    owner="partner_user_id",
    signed_in="partner_user.signed_in",
    password_changed="partner_user.password_changed",
    subject=lambda user: f"partner:{user.partner_id}",
    missing="Login not found.",
)


def partner_sign_in(
    *, db: Database, email: str, password: str, client_address: str = ""
) -> PartnerSignedIn:
    """Check the password (throttled per account and per address); a right one gives the
    one-time ticket for the session cookie."""
    checked = login.check_password(
        db=db, login=PARTNER_LOGIN, email=email, password=password, client_address=client_address
    )
    with db.transaction() as session:
        user = login.active_user(session, PARTNER_LOGIN, checked)
        partner = _partner(session, user.partner_id)
        ticket = login.complete(session, PARTNER_LOGIN, user, checked.attempt)
        group, members = _group_of(session, user)
        expires = utcnow() + tickets.session_length()
        return PartnerSignedIn(ticket, _identity(user, partner, expires, group, members))


def change_partner_password(*, user_id: int, **change: Unpack[PasswordChange]) -> None:
    """A partner user sets a new password: the current one is checked (throttled like a
    sign-in), the new one must pass the policy, hashed outside any transaction; the login's
    other sessions end (the one with `keep_token` stays)."""
    login.change_password(login=PARTNER_LOGIN, user_id=user_id, **change)


def current_partner_user(
    *, db: Database, token: str, property_code: str = ""
) -> PartnerIdentity | None:
    """Who a session token belongs to, or None (unknown, expired, signed out, disabled).

    A group login asking for `property_code` (one of its group's properties) sees that property;
    any other code — another group's property, or from an ordinary login — is ignored: the
    login's home property is shown."""
    with db.read() as session:
        found = login.live_session(session, PARTNER_LOGIN, token)
        if found is None:
            return None
        partner_session, user = found
        partner = _partner(session, user.partner_id)
        group, members = _group_of(session, user)
    wanted = property_code.strip().upper()
    shown = next((p for p in members if p.code == wanted), partner)
    return _identity(user, shown, partner_session.expires_at, group, members)


def partner_sign_out(*, db: Database, token: str) -> None:
    login.sign_out(db=db, login=PARTNER_LOGIN, token=token)


def _partner(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"Partner {partner_id} was not found.")
    return partner


def _group_of(session: Session, user: PartnerUser) -> tuple[PartnerGroup | None, Sequence[Partner]]:
    """A group login's group and its properties (by code); (None, ()) for any other login."""
    if user.group_id is None:
        return None, ()
    group = session.get(PartnerGroup, user.group_id)
    members = session.exec(
        select(Partner).where(Partner.group_id == user.group_id).order_by(col(Partner.code))
    ).all()
    return group, members


def _identity(
    user: PartnerUser,
    partner: Partner,
    expires: datetime,
    group: PartnerGroup | None = None,
    members: Sequence[Partner] = (),
) -> PartnerIdentity:
    return PartnerIdentity(
        id_of(user),
        user.email,
        user.name,
        id_of(partner),
        partner.name,
        partner.code,
        partner.kind,
        expires,
        group_id=None if group is None else group.id,
        group_code="" if group is None else group.code,
        group_name="" if group is None else group.name,
        properties=tuple(PropertyChoice(id_of(p), p.code, p.name) for p in members),
    )
