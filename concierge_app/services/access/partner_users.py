"""Partner users: who signs in to a partner's Extranet. Staff (admins) invite one to a property
or to a group (a group login: every property of the group) and disable it; a partner's own
users invite and disable their colleagues of the same property — never another partner's.
An invitation is an emailed link (`account_links`, valid 7 days); a disabled user's sessions
end at once. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from concierge_app import routes
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, StaffUser
from concierge_app.db.partner_billing import PartnerUser
from concierge_app.db.security import SignInAttempt
from concierge_app.domain.errors import Conflict, NotFound
from concierge_app.domain.formatting import format_day
from concierge_app.domain.roles import Permission
from concierge_app.domain.sign_in import Kind, Outcome
from concierge_app.services.access import account_links as links
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of
from concierge_app.services.shared.messages import queue_message
from concierge_app.services.shared.permissions import require
from concierge_app.settings import get_settings

INVITED, ACTIVE, DISABLED = "Invited", "Active", "Disabled"
EXPIRED = "Invitation expired"  # the link expired or was cancelled: invite again
NOT_YOURS = "Partner user not found."


@dataclass(frozen=True, slots=True)
class PartnerUserRow:
    id: int
    email: str
    name: str
    group_login: bool  # sees every property of its group
    status: str
    last_sign_in: datetime | None


@dataclass(frozen=True, slots=True)
class PartnerInvited:
    user_id: int
    link: str
    expires_at: datetime


def _status(user: PartnerUser) -> str:
    if not user.password_hash and not user.is_active:
        return INVITED
    return ACTIVE if user.is_active else DISABLED


def _rows(session: Session, partner_id: int) -> list[PartnerUserRow]:
    users = session.exec(
        select(PartnerUser)
        .where(PartnerUser.partner_id == partner_id)
        .order_by(col(PartnerUser.name))
    ).all()
    emails = [u.email for u in users]
    last = dict(
        session.exec(
            select(SignInAttempt.email, func.max(SignInAttempt.occurred_at))
            .where(
                SignInAttempt.kind == Kind.PARTNER.value,
                SignInAttempt.outcome == Outcome.SIGNED_IN.value,
                col(SignInAttempt.email).in_(emails),
            )
            .group_by(col(SignInAttempt.email))
        ).all()
    )
    live = links.with_live_invitation(session, Kind.PARTNER)
    return [
        PartnerUserRow(
            id_of(u),
            u.email,
            u.name,
            u.group_id is not None,
            EXPIRED if _status(u) == INVITED and u.id not in live else _status(u),
            last.get(u.email),
        )
        for u in users
    ]


def _acting(session: Session, partner_user_id: int) -> PartnerUser:
    """The signed-in partner user acting on its colleagues (active, or refused)."""
    user = session.get(PartnerUser, partner_user_id)
    if user is None or not user.is_active:
        raise Conflict("You are signed out. Sign in again.")
    return user


def _colleague(session: Session, acting: PartnerUser, user_id: int) -> PartnerUser:
    """A user of the acting user's own partner, locked; another partner's is "not found"."""
    user = session.exec(
        select(PartnerUser)
        .where(PartnerUser.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if user is None or user.partner_id != acting.partner_id:
        raise NotFound(NOT_YOURS)
    return user


# -- what the pages show ---------------------------------------------------------------------------
def partner_users_for_staff(*, db: Database, partner_id: int, actor: str) -> list[PartnerUserRow]:
    """A partner's users, for staff who manage users (admins)."""
    with db.read() as session:
        require(session, actor, Permission.USERS)
        return _rows(session, partner_id)


def my_colleagues(*, db: Database, partner_user_id: int) -> list[PartnerUserRow]:
    """The users of the signed-in partner user's own partner (the Extranet's Users page)."""
    with db.read() as session:
        acting = _acting(session, partner_user_id)
        return _rows(session, acting.partner_id)


# -- invite ------------------------------------------------------------------------------------
def _invite(
    session: Session,
    *,
    partner: Partner,
    group_id: int | None,
    email: str,
    name: str,
    actor: str,
    by_name: str,
) -> PartnerInvited:
    user = session.exec(select(PartnerUser).where(PartnerUser.email == email)).first()
    pending = user is not None and not user.password_hash and not user.is_active
    if user is not None and not (pending and user.partner_id == partner.id):
        raise Conflict(f"An Extranet login for {email} already exists.", field="email")
    if user is None:
        user = PartnerUser(
            partner_id=id_of(partner), email=email, name=name, password_hash="", is_active=False
        )
    user.name, user.group_id = name, group_id
    session.add(user)
    session.flush()
    token, expires = links.issue(
        session, kind=Kind.PARTNER, user_id=id_of(user), purpose=links.INVITATION, actor=actor
    )
    url = public_url(routes.account_link(token))
    queue_message(
        session,
        dedupe_key=f"partner_invitation:{user.id}:{expires.isoformat()}",
        template_key="partner_invitation",
        recipient=email,
        partner_id=partner.id,
        context={
            "platform_name": get_settings().platform_name,
            "recipient_name": name,
            "invited_by": by_name,
            "partner_name": partner.name,
            "link_url": url,
            "expires_at": f"{format_day(expires.date())} {expires:%H:%M} UTC",
        },
    )
    record_event(
        session,
        actor=actor,
        action="partner_user.invited",
        subject=f"partner_user:{user.id}",
        data={"email": email, "partner_id": partner.id, "group_id": group_id},
    )
    return PartnerInvited(id_of(user), url, expires)


def invite_partner_user(
    *,
    db: Database,
    partner_id: int,
    email: str,
    name: str,
    actor: str,
    group_login: bool = False,
) -> PartnerInvited:
    """Staff invite a partner user to a property, or (`group_login`) to the property's whole
    group. Inviting someone still invited to the same partner sends a new link."""
    email, name = links.clean_email(email), links.clean_name(name)
    with db.transaction() as session:
        require(session, actor, Permission.USERS)
        partner = session.get(Partner, partner_id)
        if partner is None:
            raise NotFound("Partner not found.")
        if group_login and partner.group_id is None:
            raise Conflict(f"{partner.name} is not in a group.", field="group")
        group_id = partner.group_id if group_login else None
        by = session.exec(select(StaffUser.name).where(StaffUser.email == actor)).first()
        return _invite(
            session,
            partner=partner,
            group_id=group_id,
            email=email,
            name=name,
            actor=actor,
            by_name=by or get_settings().platform_name,
        )


def invite_colleague(
    *, db: Database, partner_user_id: int, email: str, name: str
) -> PartnerInvited:
    """A partner user invites a colleague to its own property (never to the group: group
    logins are given by staff)."""
    email, name = links.clean_email(email), links.clean_name(name)
    with db.transaction() as session:
        acting = _acting(session, partner_user_id)
        partner = session.get(Partner, acting.partner_id)
        if partner is None:
            raise NotFound("Partner not found.")
        return _invite(
            session,
            partner=partner,
            group_id=None,
            email=email,
            name=name,
            actor=acting.email,
            by_name=acting.name,
        )


# -- disable / enable ----------------------------------------------------------------------
def _set_active(session: Session, user: PartnerUser, active: bool, actor: str) -> None:
    if not active and not user.password_hash and not user.is_active:  # still invited
        links.cancel(session, kind=Kind.PARTNER, user_id=id_of(user))
        action = "partner_user.invitation_cancelled"
    elif user.is_active == active:
        return
    elif active and not user.password_hash:
        raise Conflict("This person has not accepted the invitation yet: invite them again.")
    else:
        user.is_active = active
        session.add(user)
        if not active:
            links.end_sessions(session, Kind.PARTNER, id_of(user))
        action = "partner_user.enabled" if active else "partner_user.disabled"
    record_event(session, actor=actor, action=action, subject=f"partner_user:{user.id}", data={})


def _locked(session: Session, user_id: int) -> PartnerUser:
    user = session.exec(
        select(PartnerUser)
        .where(PartnerUser.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if user is None:
        raise NotFound(NOT_YOURS)
    return user


def set_partner_user_active(*, db: Database, user_id: int, active: bool, actor: str) -> None:
    """Staff disable (its sessions end) or enable a partner user. Idempotent."""
    with db.transaction() as session:
        require(session, actor, Permission.USERS)
        _set_active(session, _locked(session, user_id), active, actor)


def set_colleague_active(*, db: Database, partner_user_id: int, user_id: int, active: bool) -> None:
    """A partner user disables or enables a colleague of its own partner (not itself)."""
    with db.transaction() as session:
        acting = _acting(session, partner_user_id)
        user = _colleague(session, acting, user_id)
        if user.id == acting.id:
            raise Conflict("You cannot disable yourself.")
        _set_active(session, user, active, acting.email)
