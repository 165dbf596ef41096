"""Partners (properties and service operators) and staff accounts."""

from __future__ import annotations

import re

from sqlmodel import select

from ..db.engine import Database
from ..db.parties import (
    CommissionPaymentMethod,
    Partner,
    PartnerKind,
    PayoutMethod,
    StaffUser,
)
from ..domain.currencies import normalise_currency
from ..domain.errors import Conflict, DomainError
from .audit import record_event
from .auth import hash_password
from .common import id_of

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,19}$")


def create_partner(
    *,
    db: Database,
    code: str,
    name: str,
    kind: PartnerKind | str,
    category: str,
    country: str,
    currency: str,
    commission_rate_bps: int,
    finance_email: str,
    timezone: str = "UTC",
    address: str = "",
    payout_method: PayoutMethod | str = PayoutMethod.NET_PAYOUT,
    commission_payment_method: CommissionPaymentMethod | str = (
        CommissionPaymentMethod.PAYOUT_DEDUCTION
    ),
    actor: str,
) -> int:
    """A property or operator the platform earns commission from. Returns its id."""
    code = code.strip().upper()
    if not _CODE.match(code):
        raise DomainError("A partner ID is 3–20 letters, digits or dashes.", field="code")
    if not name.strip():
        raise DomainError("Enter the partner's name.", field="name")
    if not 0 <= commission_rate_bps <= 10_000:
        raise DomainError("The commission rate is between 0 % and 100 %.", field="commission")
    if len(country) != 2 or not country.isalpha():
        raise DomainError("The country is a two-letter code such as ES.", field="country")
    with db.transaction() as session:
        if session.exec(select(Partner.id).where(Partner.code == code)).first():
            raise Conflict(f"A partner with ID {code} already exists.", field="code")
        partner = Partner(
            code=code,
            name=name.strip(),
            kind=PartnerKind(kind).value,
            category=category,
            country=country.upper(),
            timezone=timezone,
            currency=normalise_currency(currency),
            commission_rate_bps=commission_rate_bps,
            payout_method=PayoutMethod(payout_method).value,
            commission_payment_method=CommissionPaymentMethod(commission_payment_method).value,
            finance_email=finance_email.strip().lower(),
            address=address.strip()[:500],
        )
        session.add(partner)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="partner.created",
            subject=f"partner:{partner.id}",
            data={"code": code, "name": partner.name, "rate_bps": commission_rate_bps},
        )
        return id_of(partner)


def create_staff_user(*, db: Database, email: str, name: str, password: str) -> int:
    """A staff account; the password is stored as an Argon2 hash."""
    if len(password) < 10:
        raise DomainError("Use a password of at least 10 characters.", field="password")
    with db.transaction() as session:
        email = email.strip().lower()
        if session.exec(select(StaffUser.id).where(StaffUser.email == email)).first():
            raise Conflict(f"A staff account for {email} already exists.", field="email")
        user = StaffUser(email=email, name=name.strip(), password_hash=hash_password(password))
        session.add(user)
        session.flush()
        return id_of(user)
