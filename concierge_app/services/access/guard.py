"""The guard in front of every password or code check (staff and partners alike).

1. `admit`: a short write transaction judges the account and the client address
   (`domain.sign_in`); a throttled or locked attempt is logged and refused with no check at all;
   an admitted one is counted as a failure until it is settled, so parallel guesses see it.
2. The caller checks the password (Argon2) or code with no transaction open.
3. `record_failure` (its own short transaction) or `record_success` (inside the caller's
   transaction, beside the session ticket it writes) settles the attempt and logs it.

Counts live in the database: every worker shares them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from concierge_app.db.engine import Database
from concierge_app.db.security import SignInAccount, SignInAddress, SignInAttempt
from concierge_app.db.types import utcnow
from concierge_app.domain import sign_in as rules
from concierge_app.domain.errors import Conflict, DomainError
from concierge_app.domain.sign_in import AccountCount, AddressCount, Kind, Outcome
from concierge_app.services.access.passwords import check_password
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import insert_ignore
from concierge_app.services.shared.permissions import Permission, require_in

WRONG_CREDENTIALS = "The email or password is not correct."


class SignInRefused(DomainError):
    """Email, password or code wrong, the account disabled or locked, or too many attempts."""


class SignInThrottled(SignInRefused):
    """Too many failures lately: try again at `retry_at`."""

    def __init__(self, message: str, *, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who tries to sign in (kind and email as typed) and from where."""

    kind: Kind
    email: str
    client_address: str = ""

    @property
    def key(self) -> str:
        """The account's key: the email trimmed and in lower case."""
        return self.email.strip().lower()[:254]

    @property
    def typed(self) -> str:
        return self.email.strip()[:254]

    @property
    def address(self) -> str:
        return self.client_address.strip()[:64]


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a password check needs to know about an account."""

    user_id: int
    password_hash: str
    is_active: bool


def log_attempt(session: Session, attempt: Attempt, outcome: Outcome, actor: str = "") -> None:
    """One line of the sign-in log, in the caller's transaction."""
    session.add(
        SignInAttempt(
            occurred_at=utcnow(),
            kind=attempt.kind.value,
            email=attempt.typed,
            client_address=attempt.address,
            outcome=outcome.value,
            actor=actor[:254],
        )
    )


def _account(session: Session, attempt: Attempt) -> SignInAccount:
    """The account's count row (created at first use), locked on PostgreSQL."""
    key = {"kind": attempt.kind.value, "email": attempt.key}
    insert_ignore(session, SignInAccount, key | {"failures": 0})
    stmt = (
        select(SignInAccount)
        .where(SignInAccount.kind == key["kind"], SignInAccount.email == key["email"])
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(stmt).one()


def _address(session: Session, attempt: Attempt) -> SignInAddress | None:
    """The address's count row, locked on PostgreSQL (None: no address known)."""
    if not attempt.address:
        return None
    insert_ignore(session, SignInAddress, {"address": attempt.address, "failures": 0})
    stmt = (
        select(SignInAddress)
        .where(SignInAddress.address == attempt.address)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(stmt).one()


def _account_count(row: SignInAccount) -> AccountCount:
    return AccountCount(row.failures, row.last_failure_at, row.locked_at)


def _address_count(row: SignInAddress | None) -> AddressCount:
    if row is None:
        return AddressCount()
    return AddressCount(row.failures, row.window_started_at, row.last_failure_at)


def _store(row: SignInAccount, count: AccountCount) -> None:
    row.failures, row.last_failure_at, row.locked_at = (
        count.failures,
        count.last_failure_at,
        count.locked_at,
    )


def _store_address(row: SignInAddress | None, count: AddressCount) -> None:
    if row is not None:
        row.failures = count.failures
        row.window_started_at, row.last_failure_at = count.window_started_at, count.last_failure_at


def admit(*, db: Database, attempt: Attempt) -> None:
    """Refuse a throttled or locked attempt (logged, nothing checked); else count it."""
    now = utcnow()
    with db.transaction() as session:
        account, address = _account(session, attempt), _address(session, attempt)
        verdict = rules.judge(_account_count(account), _address_count(address), now)
        if verdict.allowed:
            _store(account, rules.reserve(_account_count(account), now))
            _store_address(address, rules.reserve_address(_address_count(address), now))
        else:
            log_attempt(session, attempt, verdict.refusal or Outcome.THROTTLED)
        session.add(account)
        if address is not None:
            session.add(address)
    if verdict.refusal is Outcome.LOCKED:
        raise SignInRefused(rules.LOCKED_MESSAGE)
    if verdict.retry_at is not None:
        raise SignInThrottled(rules.retry_message(verdict.retry_at, now), retry_at=verdict.retry_at)


def record_failure(*, db: Database, attempt: Attempt, outcome: Outcome) -> AccountCount:
    """The admitted attempt failed: log it; lock the account at the LOCK_AFTERth failure."""
    now = utcnow()
    with db.transaction() as session:
        account = _account(session, attempt)
        before = _account_count(account)
        after = rules.confirm_failure(before, now)
        _store(account, after)
        session.add(account)
        log_attempt(session, attempt, outcome)
        if before.locked_at is None and after.locked_at is not None:
            log_attempt(session, attempt, Outcome.LOCKED_OUT)
            record_event(
                session,
                actor="sign-in",
                action="sign_in.locked",
                subject=f"sign_in_account:{account.id}",
                data={"kind": attempt.kind.value, "email": attempt.key, "failures": after.failures},
            )
        return after


def record_success(
    session: Session, *, attempt: Attempt, outcome: Outcome | None, complete: bool
) -> None:
    """In the caller's transaction: give back the attempt's count (a completed sign-in starts
    the account's count again) and log `outcome` (None: a step that logs nothing yet)."""
    account, address = _account(session, attempt), _address(session, attempt)
    count = _account_count(account)
    _store(account, rules.signed_in() if complete else rules.give_back(count))
    _store_address(address, rules.give_back_address(_address_count(address)))
    session.add(account)
    if address is not None:
        session.add(address)
    if outcome is not None:
        log_attempt(session, attempt, outcome)


def check_credentials(
    *,
    db: Database,
    attempt: Attempt,
    password: str,
    lookup: Callable[[Session, str], Credentials | None],
    wrong_message: str = WRONG_CREDENTIALS,
) -> tuple[Credentials, str | None]:
    """Admit the attempt, read the account (a short read), check the password with no
    transaction open. Returns the account and a stronger hash to store (or None); a failure is
    recorded and refused."""
    admit(db=db, attempt=attempt)
    with db.read() as session:
        found = lookup(session, attempt.key)
    valid, new_hash = check_password(password, None if found is None else found.password_hash)
    if found is None or not valid or not found.is_active:
        outcome = (
            Outcome.UNKNOWN_ACCOUNT
            if found is None
            else (Outcome.WRONG_PASSWORD if not valid else Outcome.DISABLED)
        )
        count = record_failure(db=db, attempt=attempt, outcome=outcome)
        raise SignInRefused(rules.LOCKED_MESSAGE if count.locked_at else wrong_message)
    return found, new_hash


def unlock(*, db: Database, account_id: int, actor: str) -> None:
    """Staff lift an account's lockout: its failures start again from nothing. Logged (with who
    unlocked it) and audited."""
    require_in(db, actor, Permission.SECURITY)
    with db.transaction() as session:
        row = session.exec(
            select(SignInAccount)
            .where(SignInAccount.id == account_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if row is None or row.locked_at is None:
            raise Conflict("This account is not locked (any more).")
        _store(row, rules.unlocked())
        row.unlocked_at, row.unlocked_by = utcnow(), actor[:254]
        session.add(row)
        log_attempt(session, Attempt(Kind(row.kind), row.email), Outcome.UNLOCKED, actor=actor)
        record_event(
            session,
            actor=actor,
            action="sign_in.unlocked",
            subject=f"sign_in_account:{row.id}",
            data={"kind": row.kind, "email": row.email},
        )
