"""Staff users (the admin's Users page): invite by email link, disable, enable, change roles,
send a password-reset link; and the very first admin (`concierge create-admin`).

Rules: only an admin (Permission.USERS) manages users; nobody disables themselves; there is
always at least one active admin. Every change is audited; a disabled user's sessions end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from concierge_app import routes
from concierge_app.db.engine import Database
from concierge_app.db.parties import StaffUser
from concierge_app.db.security import SignInAttempt
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import Conflict, NotFound
from concierge_app.domain.formatting import format_day
from concierge_app.domain.roles import (
    ALL_ROLES,
    Permission,
    Role,
    clean_roles,
    format_roles,
    parse_roles,
)
from concierge_app.domain.sign_in import Kind, Outcome
from concierge_app.services.access import account_links as links
from concierge_app.services.access.passwords import check_policy, hash_password
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of
from concierge_app.services.shared.messages import queue_message
from concierge_app.services.shared.permissions import require
from concierge_app.settings import get_settings

INVITED, ACTIVE, DISABLED = "Invited", "Active", "Disabled"
EXPIRED = "Invitation expired"  # invited, but the link expired or was cancelled: invite again
LAST_ADMIN = "There must always be an active admin: make someone else admin first."


@dataclass(frozen=True, slots=True)
class StaffRow:
    id: int
    email: str
    name: str
    roles: tuple[Role, ...]
    status: str  # Invited, Active or Disabled
    last_sign_in: datetime | None


@dataclass(frozen=True, slots=True)
class Invited:
    user_id: int
    link: str  # also in the outbox message
    expires_at: datetime


def invited(user: StaffUser) -> bool:
    """Invited and not yet accepted: inactive with no password."""
    return not user.password_hash and not user.is_active


def status_of(user: StaffUser) -> str:
    if invited(user):
        return INVITED
    return ACTIVE if user.is_active else DISABLED


def list_staff(*, db: Database, actor: str) -> list[StaffRow]:
    """Every staff user, by name, with roles, status and last sign-in (admins only)."""
    with db.read() as session:
        require(session, actor, Permission.USERS)
        users = session.exec(select(StaffUser).order_by(col(StaffUser.name))).all()
        last = dict(
            session.exec(
                select(SignInAttempt.email, func.max(SignInAttempt.occurred_at))
                .where(
                    SignInAttempt.kind == Kind.STAFF.value,
                    SignInAttempt.outcome == Outcome.SIGNED_IN.value,
                )
                .group_by(col(SignInAttempt.email))
            ).all()
        )
        live = links.with_live_invitation(session, Kind.STAFF)
        return [
            StaffRow(
                id_of(u),
                u.email,
                u.name,
                tuple(sorted(parse_roles(u.roles))),
                EXPIRED if invited(u) and u.id not in live else status_of(u),
                last.get(u.email),
            )
            for u in users
        ]


def _roles_text(roles: Iterable[Role]) -> str:
    return ", ".join(sorted(r.value for r in roles))


def _queue_link(
    session: Session, user: StaffUser, *, template: str, token: str, expires: datetime, by: str
) -> str:
    url = public_url(routes.account_link(token))
    queue_message(
        session,
        dedupe_key=f"{template}:staff:{user.id}:{expires.isoformat()}",
        template_key=template,
        recipient=user.email,
        context={
            "platform_name": get_settings().platform_name,
            "recipient_name": user.name,
            "invited_by": by,
            "roles": _roles_text(parse_roles(user.roles)),
            "account_email": user.email,
            "link_url": url,
            "expires_at": f"{format_day(expires.date())} {expires:%H:%M} UTC",
        },
    )
    return url


def _actor_name(session: Session, actor: str) -> str:
    row = session.exec(select(StaffUser.name).where(StaffUser.email == actor)).first()
    return row or get_settings().platform_name


def invite_staff(
    *, db: Database, email: str, name: str, roles: Iterable[Role | str], actor: str
) -> Invited:
    """A new staff user, inactive until the emailed link is used (valid 7 days). Inviting
    someone still invited sends a new link (the old one stops working)."""
    email, name, chosen = links.clean_email(email), links.clean_name(name), clean_roles(roles)
    with db.transaction() as session:
        require(session, actor, Permission.USERS)
        user = session.exec(select(StaffUser).where(StaffUser.email == email)).first()
        if user is not None and not invited(user):
            raise Conflict(f"A staff account for {email} already exists.", field="email")
        if user is None:
            user = StaffUser(email=email, name=name, password_hash="", is_active=False)
        user.name, user.roles = name, format_roles(chosen)
        session.add(user)
        session.flush()
        token, expires = links.issue(
            session, kind=Kind.STAFF, user_id=id_of(user), purpose=links.INVITATION, actor=actor
        )
        url = _queue_link(
            session,
            user,
            template="staff_invitation",
            token=token,
            expires=expires,
            by=_actor_name(session, actor),
        )
        record_event(
            session,
            actor=actor,
            action="staff.invited",
            subject=f"staff:{user.id}",
            data={"email": email, "roles": user.roles},
        )
        return Invited(id_of(user), url, expires)


def _locked_user(session: Session, staff_id: int) -> StaffUser:
    user = session.exec(
        select(StaffUser)
        .where(StaffUser.id == staff_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if user is None:
        raise NotFound("Staff member not found.")
    return user


def _other_active_admins(session: Session, staff_id: int) -> int:
    """Active admins other than this user (all of them locked, so two admins cannot take each
    other's admin role away at once on PostgreSQL)."""
    users = session.exec(
        select(StaffUser)
        .where(col(StaffUser.is_active), StaffUser.id != staff_id)
        .with_for_update()
    ).all()
    return sum(1 for u in users if Role.ADMIN in parse_roles(u.roles))


def _keeps_an_admin(session: Session, user: StaffUser, *, stays_admin: bool) -> None:
    was_admin = user.is_active and Role.ADMIN in parse_roles(user.roles)
    if was_admin and not stays_admin and _other_active_admins(session, id_of(user)) == 0:
        raise Conflict(LAST_ADMIN)


def disable_staff(*, db: Database, staff_id: int, actor: str) -> None:
    """The user can no longer sign in; their sessions end at once. Idempotent."""
    with db.transaction() as session:
        require(session, actor, Permission.USERS)
        user = _locked_user(session, staff_id)
        if user.email == actor.strip().lower():
            raise Conflict("You cannot disable yourself.")
        if invited(user):  # an invitation not accepted yet: its link stops working
            links.cancel(session, kind=Kind.STAFF, user_id=staff_id)
            record_event(
                session,
                actor=actor,
                action="staff.invitation_cancelled",
                subject=f"staff:{staff_id}",
                data={},
            )
            return
        if not user.is_active:
            return
        _keeps_an_admin(session, user, stays_admin=False)
        user.is_active = False
        session.add(user)
        links.end_sessions(session, Kind.STAFF, staff_id)
        record_event(
            session, actor=actor, action="staff.disabled", subject=f"staff:{staff_id}", data={}
        )


def enable_staff(*, db: Database, staff_id: int, actor: str) -> None:
    """A disabled user may sign in again (an invited one still needs their link). Idempotent."""
    with db.transaction() as session:
        require(session, actor, Permission.USERS)
        user = _locked_user(session, staff_id)
        if invited(user):
            raise Conflict("This person has not accepted the invitation yet: invite them again.")
        if user.is_active:
            return
        user.is_active = True
        session.add(user)
        record_event(
            session, actor=actor, action="staff.enabled", subject=f"staff:{staff_id}", data={}
        )


def change_roles(
    *, db: Database, staff_id: int, roles: Iterable[Role | str], actor: str
) -> tuple[Role, ...]:
    """Set the user's roles (at least one). The last active admin keeps the admin role."""
    chosen = clean_roles(roles)
    with db.transaction() as session:
        require(session, actor, Permission.USERS)
        user = _locked_user(session, staff_id)
        before = parse_roles(user.roles)
        if chosen == before:
            return tuple(sorted(chosen))
        _keeps_an_admin(session, user, stays_admin=Role.ADMIN in chosen)
        user.roles = format_roles(chosen)
        session.add(user)
        record_event(
            session,
            actor=actor,
            action="staff.roles_changed",
            subject=f"staff:{staff_id}",
            data={"from": format_roles(before), "to": user.roles},
        )
        return tuple(sorted(chosen))


def send_password_reset(*, db: Database, staff_id: int, actor: str) -> str:
    """Email the user a link to choose a new password (valid 24 hours); using it ends every
    session of theirs. Returns the link."""
    with db.transaction() as session:
        require(session, actor, Permission.USERS)
        user = _locked_user(session, staff_id)
        if status_of(user) != ACTIVE:
            raise Conflict("Only an active account can reset its password.")
        token, expires = links.issue(
            session, kind=Kind.STAFF, user_id=staff_id, purpose=links.RESET, actor=actor
        )
        url = _queue_link(
            session,
            user,
            template="password_reset",
            token=token,
            expires=expires,
            by=_actor_name(session, actor),
        )
        record_event(
            session,
            actor=actor,
            action="staff.password_reset_sent",
            subject=f"staff:{staff_id}",
            data={},
        )
        return url


def create_admin(*, db: Database, email: str, name: str, password: str, actor: str) -> int:
    """The first admin (or another, from the command line): every role, active at once. The
    password must pass the policy; an existing email is refused."""
    email, name = links.clean_email(email), links.clean_name(name)
    check_policy(password, email=email, name=name)
    password_hash = hash_password(password)
    with db.transaction() as session:
        if session.exec(select(StaffUser.id).where(StaffUser.email == email)).first():
            raise Conflict(f"A staff account for {email} already exists.", field="email")
        user = StaffUser(
            email=email,
            name=name,
            password_hash=password_hash,
            roles=format_roles(ALL_ROLES),
            created_at=utcnow(),
        )
        session.add(user)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="staff.admin_created",
            subject=f"staff:{user.id}",
            data={"email": email},
        )
        return id_of(user)


def roles_for(*, db: Database, email: str) -> frozenset[Role]:
    """The roles of a signed-in staff member (what the pages show them)."""
    if not email:
        return frozenset()
    with db.read() as session:
        user = session.exec(select(StaffUser).where(StaffUser.email == email.lower())).first()
        if user is None or not user.is_active:
            return frozenset()
        return parse_roles(user.roles)
