"""Changing one's own password, for staff and partner logins alike: the current password is
checked (throttled like a sign-in), the new one must pass the policy and is hashed outside any
transaction; the login's other sessions end (the one it is changed from stays)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import update
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.parties import StaffSession, StaffUser
from concierge_app.db.partner_billing import PartnerSession, PartnerUser
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.sign_in import Kind, Outcome
from concierge_app.services.access.guard import (
    Attempt,
    Credentials,
    check_credentials,
    record_success,
)
from concierge_app.services.access.passwords import check_policy, hash_password
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of, token_digest

User = StaffUser | PartnerUser


@dataclass(frozen=True, slots=True)
class Login:
    """Where one kind of login keeps its users and sessions, and how it is audited."""

    kind: Kind
    users: type[StaffUser] | type[PartnerUser]
    sessions: type[StaffSession] | type[PartnerSession]
    owner: str  # the sessions' column naming the user, e.g. "staff_user_id"
    lookup: Callable[[Session, str], Credentials | None]
    action: str  # the audit action, e.g. "staff.password_changed"
    subject: Callable[[User], str]  # the audit subject
    missing: str  # said when the user is gone


def change_password(
    *,
    db: Database,
    login: Login,
    user_id: int,
    current: str,
    new: str,
    repeat: str,
    keep_token: str = "",
    client_address: str = "",
) -> None:
    """Set a new password for `user_id` of this kind of login (see the module)."""
    with db.read() as session:
        user = cast("User | None", session.get(login.users, user_id))
    if user is None:
        raise NotFound(login.missing)
    if new != repeat:
        raise DomainError("The two new passwords are not the same.", field="repeat")
    check_policy(new, email=user.email, name=user.name)
    attempt = Attempt(login.kind, user.email, client_address)
    check_credentials(
        db=db,
        attempt=attempt,
        password=current,
        lookup=login.lookup,
        wrong_message="The current password is not correct.",
    )
    new_hash = hash_password(new)
    sessions = table_of(login.sessions)
    with db.transaction() as session:
        stored = cast("User | None", session.get(login.users, user_id))
        if stored is None:
            raise NotFound(login.missing)
        stored.password_hash = new_hash
        session.add(stored)
        others = (
            update(sessions)
            .where(
                sessions.c[login.owner] == user_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.token_hash != token_digest(keep_token),
            )
            .values(revoked_at=utcnow())
        )
        session.connection().execute(others)
        record_success(session, attempt=attempt, outcome=Outcome.PASSWORD_CHANGED, complete=True)
        record_event(
            session, actor=stored.email, action=login.action, subject=login.subject(stored), data={}
        )
