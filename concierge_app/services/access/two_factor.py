"""Staff two-factor sign-in: TOTP (RFC 6238, pyotp), 6 digits every 30 seconds.

The secret is stored encrypted (Fernet; its key derived from SECRET_KEY with HKDF), never in
plain text. A code is accepted for the current step or one either side (clock drift), and
never twice: the last accepted step is remembered. Enrolment shows the secret and its
otpauth:// URI (and a QR code of it, drawn here: no network) and switches two-factor on only
once a code from the new authenticator is confirmed. Switching it off takes a code too.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import StaffUser
from concierge_app.db.security import StaffTwoFactor
from concierge_app.db.types import utcnow
from concierge_app.domain.errors import Conflict, DomainError, NotFound
from concierge_app.domain.roles import allows, parse_roles
from concierge_app.domain.sign_in import Kind, Outcome, two_factor_required
from concierge_app.services.access.guard import (
    Attempt,
    admit,
    log_attempt,
    record_failure,
    record_success,
)
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of
from concierge_app.services.shared.permissions import Permission, require_in
from concierge_app.settings import get_settings

ISSUER = "Concierge Billing"
CODE_DIGITS = 6
WRONG_CODE = "That code is not right. Enter the current 6-digit code from your authenticator app."


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What a new authenticator needs: the secret (typed in) or its URI (scanned as a QR)."""

    secret: str
    uri: str
    qr_data_uri: str  # an SVG of the URI's QR code


@dataclass(frozen=True, slots=True)
class TwoFactorStatus:
    enabled: bool
    required: bool  # production, and the staff member can refund


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"concierge staff totp secret v1"
    ).derive(secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet(get_settings().secret_key).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(token: str) -> str:
    try:
        return _fernet(get_settings().secret_key).decrypt(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise DomainError(
            "The two-factor secret cannot be read: SECRET_KEY has changed since it was set up."
        ) from None


def enrolment_for(secret: str, email: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
    return Enrolment(secret, uri, qr)


def clean_code(code: str) -> str:
    """The code as typed, spaces removed; refused unless it is 6 digits."""
    digits = "".join(code.split())
    if len(digits) != CODE_DIGITS or not digits.isdigit():
        raise DomainError("Enter the 6-digit code from your authenticator app.", field="code")
    return digits


def accepted_step(secret: str, code: str, *, last_step: int, now: datetime) -> int | None:
    """The time step the code belongs to (now, or one step either side), if it is later than
    the last accepted one; None for a wrong or reused code."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def staff_can_refund(user: StaffUser) -> bool:
    """An active staff member whose roles allow refunds (finance)."""
    return user.is_active and allows(parse_roles(user.roles), Permission.REFUNDS)


def required_for(user: StaffUser) -> bool:
    return two_factor_required(app_env=get_settings().app_env, can_refund=staff_can_refund(user))


def enabled_row(session: Session, staff_id: int) -> StaffTwoFactor | None:
    row = session.get(StaffTwoFactor, staff_id)
    return row if row is not None and row.enabled_at is not None else None


def new_pending(session: Session, user: StaffUser) -> Enrolment:
    """A fresh secret waiting for its first code (replaces an unconfirmed one)."""
    if user.id is None:
        raise NotFound("Staff member not found.")
    secret = pyotp.random_base32()
    row = session.get(StaffTwoFactor, user.id)
    if row is None:
        row = StaffTwoFactor(staff_user_id=user.id, secret_encrypted=encrypt_secret(secret))
    else:
        row.secret_encrypted, row.enabled_at = encrypt_secret(secret), None
    row.created_at = utcnow()
    session.add(row)
    return enrolment_for(secret, user.email)


def take_code(row: StaffTwoFactor, code: str, now: datetime) -> bool:
    """Check a code against the row's secret; remember its step when it is accepted."""
    step = accepted_step(
        decrypt_secret(row.secret_encrypted), code, last_step=row.last_time_step, now=now
    )
    if step is None:
        return False
    row.last_time_step = step
    return True


def switched_on(session: Session, row: StaffTwoFactor, user: StaffUser, attempt: Attempt) -> None:
    """Mark the confirmed secret in use; log and audit it."""
    row.enabled_at = utcnow()
    session.add(row)
    log_attempt(session, attempt, Outcome.TWO_FACTOR_ON)
    record_event(
        session, actor=user.email, action="staff.two_factor_on", subject=f"staff:{user.id}", data={}
    )


def status(*, db: Database, staff_id: int) -> TwoFactorStatus:
    with db.read() as session:
        user = session.get(StaffUser, staff_id)
        if user is None:
            raise NotFound("Staff member not found.")
        return TwoFactorStatus(enabled_row(session, staff_id) is not None, required_for(user))


def start_enrolment(*, db: Database, staff_id: int) -> Enrolment:
    """A new secret for the Security page; two-factor stays off until a code confirms it."""
    with db.transaction() as session:
        user = session.get(StaffUser, staff_id)
        if user is None:
            raise NotFound("Staff member not found.")
        if enabled_row(session, staff_id) is not None:
            raise Conflict("Two-factor sign-in is already on.")
        return new_pending(session, user)


def confirm_enrolment(*, db: Database, staff_id: int, code: str, client_address: str) -> None:
    """Switch two-factor on once the new authenticator's code is right (codes are throttled
    like a sign-in)."""
    digits = clean_code(code)
    with db.read() as session:
        user = session.get(StaffUser, staff_id)
        waiting = session.get(StaffTwoFactor, staff_id)
    if user is None or waiting is None or waiting.enabled_at is not None:
        raise Conflict("Start the set-up again: there is no authenticator waiting.")
    attempt = Attempt(Kind.STAFF, user.email, client_address)
    admit(db=db, attempt=attempt)
    with db.transaction() as session:
        row = pending_or_enabled(session, staff_id)
        accepted = row is not None and row.enabled_at is None and take_code(row, digits, utcnow())
        if row is not None and accepted:
            switched_on(session, row, user, attempt)
            record_success(session, attempt=attempt, outcome=None, complete=False)
    if not accepted:
        record_failure(db=db, attempt=attempt, outcome=Outcome.TOTP_FAILED)
        raise DomainError(WRONG_CODE, field="code")


def switch_off(*, db: Database, staff_id: int, code: str, client_address: str) -> None:
    """Switch two-factor off, with a valid code (throttled like a sign-in); not where it is
    required (production)."""
    digits = clean_code(code)
    with db.read() as session:
        user = session.get(StaffUser, staff_id)
        if user is None or enabled_row(session, staff_id) is None:
            raise Conflict("Two-factor sign-in is not on.")
        if required_for(user):
            raise Conflict("Two-factor sign-in is required in production for staff who can refund.")
    attempt = Attempt(Kind.STAFF, user.email, client_address)
    admit(db=db, attempt=attempt)
    with db.transaction() as session:
        row = pending_or_enabled(session, staff_id)
        accepted = (
            row is not None and row.enabled_at is not None and take_code(row, digits, utcnow())
        )
        if row is not None and accepted:
            session.delete(row)
            record_success(session, attempt=attempt, outcome=Outcome.TWO_FACTOR_OFF, complete=False)
            record_event(
                session,
                actor=user.email,
                action="staff.two_factor_off",
                subject=f"staff:{user.id}",
                data={},
            )
    if not accepted:
        record_failure(db=db, attempt=attempt, outcome=Outcome.TOTP_FAILED)
        raise DomainError(WRONG_CODE, field="code")


def reset(*, db: Database, email: str, actor: str) -> bool:
    """An operator removes a staff member's authenticator (a lost phone, a changed SECRET_KEY):
    the next sign-in sets up a new one (in production straight after the password). Logged and
    audited. False when the staff member had none."""
    require_in(db, actor, Permission.SECURITY)
    key = email.strip().lower()
    with db.transaction() as session:
        user = session.exec(select(StaffUser).where(StaffUser.email == key)).first()
        if user is None:
            raise NotFound(f"No staff member signs in as {email.strip()[:254]}.")
        row = pending_or_enabled(session, id_of(user))
        if row is None:
            return False
        session.delete(row)
        log_attempt(session, Attempt(Kind.STAFF, user.email), Outcome.TWO_FACTOR_OFF, actor=actor)
        record_event(
            session,
            actor=actor,
            action="staff.two_factor_reset",
            subject=f"staff:{user.id}",
            data={},
        )
    return True


def pending_or_enabled(session: Session, staff_id: int) -> StaffTwoFactor | None:
    """The row a sign-in's code is checked against (locked on PostgreSQL)."""
    return session.exec(
        select(StaffTwoFactor)
        .where(StaffTwoFactor.staff_user_id == staff_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
