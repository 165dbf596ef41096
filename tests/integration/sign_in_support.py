"""What the sign-in tests share: accounts, a full sign-in (ticket redeemed for a session), the
log, and moving the throttling clock back instead of sleeping."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from concierge_app.db.engine import Database
from concierge_app.db.security import SignInAccount, SignInAddress, SignInAttempt
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.access import staff_sign_in as auth
from concierge_app.services.access.tickets import redeem_session
from concierge_app.services.partner import accounts as partners
from tests.factories import make_partner

STAFF_EMAIL, STAFF_PASSWORD = "clara@example.com", "correct horse battery"
PARTNER_EMAIL, PARTNER_PASSWORD = "fin@villa.example", "tidy otter quartz lantern"


def add_staff(db: Database, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD) -> int:
    return partners.create_staff_user(db=db, email=email, name="Clara", password=password)


def add_partner_login(db: Database) -> int:
    return partner_auth.create_partner_user(
        db=db,
        partner_id=make_partner(db, kind="property"),
        email=PARTNER_EMAIL,
        name="Ana",
        password=PARTNER_PASSWORD,
        actor="test",
    )


def staff_token(
    db: Database, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD, address: str = ""
) -> str:
    """Sign in all the way (no two-factor): the session token the cookie would carry."""
    step = auth.sign_in(db=db, email=email, password=password, client_address=address)
    assert step.next == "session"
    opened = redeem_session(db=db, code=step.ticket)
    assert opened is not None
    return opened.token


def outcomes(db: Database, email: str | None = None) -> list[str]:
    """The sign-in log's outcomes, oldest first (of one email when given)."""
    stmt = select(SignInAttempt).order_by(col(SignInAttempt.id))
    with db.read() as session:
        rows = session.exec(stmt).all()
    return [r.outcome for r in rows if email is None or r.email.lower() == email.lower()]


def log_rows(db: Database) -> list[SignInAttempt]:
    with db.read() as session:
        return list(session.exec(select(SignInAttempt).order_by(col(SignInAttempt.id))).all())


def wind_back(db: Database, seconds: float) -> None:
    """As if `seconds` had passed since the last failures (accounts and addresses)."""
    delta = timedelta(seconds=seconds)
    with db.transaction() as session:
        for account in session.exec(select(SignInAccount)).all():
            if account.last_failure_at is not None:
                account.last_failure_at -= delta
                session.add(account)
        for address in session.exec(select(SignInAddress)).all():
            if address.last_failure_at is not None:
                address.last_failure_at -= delta
            if address.window_started_at is not None:
                address.window_started_at -= delta
            session.add(address)


def account_row(db: Database, email: str, kind: str = "staff") -> SignInAccount:
    with db.read() as session:
        return session.exec(
            select(SignInAccount).where(
                SignInAccount.kind == kind, SignInAccount.email == email.lower()
            )
        ).one()
