"""Read models of the Security page: the sign-in log and the locked accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from concierge_app.db.engine import Database
from concierge_app.db.security import SignInAccount, SignInAttempt
from concierge_app.domain.sign_in import ALARMING, LABELS, Kind, Outcome

LOG_LIMIT = 200


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of the sign-in log, worded for people."""

    id: int
    occurred_at: datetime
    kind: Kind
    email: str
    client_address: str
    outcome: Outcome
    what: str  # "Wrong password", "Unlocked by ana@…"
    alarming: bool  # throttled, refused as locked, or locked


@dataclass(frozen=True, slots=True)
class LockedAccount:
    id: int
    kind: Kind
    email: str
    failures: int
    locked_at: datetime


def sign_in_log(*, db: Database, limit: int = LOG_LIMIT, email: str = "") -> list[LogLine]:
    """The newest lines first (of one email when given)."""
    stmt = select(SignInAttempt).order_by(col(SignInAttempt.id).desc()).limit(limit)
    if email.strip():
        stmt = stmt.where(func.lower(SignInAttempt.email) == email.strip().lower())
    with db.read() as session:
        rows = session.exec(stmt).all()
    lines = []
    for row in rows:
        outcome = Outcome(row.outcome)
        what = LABELS[outcome]
        if row.actor:
            what = f"{what} by {row.actor}"
        lines.append(
            LogLine(
                id=row.id or 0,
                occurred_at=row.occurred_at,
                kind=Kind(row.kind),
                email=row.email,
                client_address=row.client_address,
                outcome=outcome,
                what=what,
                alarming=outcome in ALARMING,
            )
        )
    return lines


def log_version(*, db: Database) -> int:
    """The newest log line's id: the Security page reloads when it moves."""
    with db.read() as session:
        value = session.exec(select(func.max(SignInAttempt.id))).one()
    return int(value or 0)


def locked_accounts(*, db: Database) -> list[LockedAccount]:
    """Accounts locked after too many failures, the most recent first."""
    with db.read() as session:
        rows = session.exec(
            select(SignInAccount)
            .where(col(SignInAccount.locked_at).is_not(None))
            .order_by(col(SignInAccount.locked_at).desc())
        ).all()
    return [
        LockedAccount(row.id or 0, Kind(row.kind), row.email, row.failures, row.locked_at)
        for row in rows
        if row.locked_at is not None
    ]
