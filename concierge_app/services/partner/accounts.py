"""Partners (properties and service operators) and staff accounts. A partner's commission
rate history: `services.partner.billing.commission_rates`; the staff forms that create and edit
partners: `services.partner.directory`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, StaffUser
from concierge_app.domain.bank_details import BankDetails
from concierge_app.domain.currencies import normalise_currency
from concierge_app.domain.errors import Conflict, DomainError
from concierge_app.domain.partner_input import check_code
from concierge_app.domain.roles import ALL_ROLES, Role, clean_roles, format_roles
from concierge_app.domain.statuses import CommissionPaymentMethod, PartnerKind, PayoutMethod
from concierge_app.services.access.passwords import check_policy, hash_password
from concierge_app.services.partner.views.finance.bank_account import save_bank_account
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of
from concierge_app.services.shared.permissions import Permission, require

# What staff may see and change of a partner (its code and id never change), as audited.
DETAILS = (
    "name",
    "kind",
    "category",
    "address",
    "country",
    "timezone",
    "currency",
    "payout_method",
    "commission_payment_method",
    "finance_contact",
    "finance_email",
    "language",
)


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
    finance_contact: str = "",
    language: str = "en_US",
    timezone: str = "UTC",
    address: str = "",
    payout_method: PayoutMethod | str = PayoutMethod.NET_PAYOUT,
    commission_payment_method: CommissionPaymentMethod | str = (
        CommissionPaymentMethod.PAYOUT_DEDUCTION
    ),
    bank: BankDetails | None = None,
    actor: str,
) -> int:
    """A property or operator the platform earns commission from, with its payout account if
    `bank` is given (checked by `domain.bank_details`). Returns its id. Audited with what it
    was created with; its commission rate becomes its opening rate (in force from the start)."""
    code = check_code(code)
    if not name.strip():
        raise DomainError("Enter the partner's name.", field="name")
    if not 0 <= commission_rate_bps <= 10_000:
        raise DomainError("The commission rate is between 0 % and 100 %.", field="commission")
    if len(country) != 2 or not country.isalpha():
        raise DomainError("The country is a two-letter code such as ES.", field="country")
    with db.transaction() as session:
        require(session, actor, Permission.PARTNERS)
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
            finance_contact=finance_contact.strip()[:200],
            language=language,
            address=address.strip()[:500],
        )
        session.add(partner)
        session.flush()
        record_event(
            session,
            actor=actor,
            action="partner.created",
            subject=f"partner:{partner.id}",
            data={
                "code": code,
                "name": partner.name,
                "rate_bps": commission_rate_bps,
                **{field: getattr(partner, field) for field in DETAILS if field != "name"},
            },
        )
        if bank is not None:  # audited there (masked), no email: the partner is new
            save_bank_account(session, partner, bank, actor=actor, notify=False)
        return id_of(partner)


def create_staff_user(
    *,
    db: Database,
    email: str,
    name: str,
    password: str,
    policy: bool = True,
    roles: Iterable[Role] = ALL_ROLES,
) -> int:
    """A staff account holding `roles`. The password must pass the policy (`policy=False` only
    for the demo's documented logins); it is stored as an Argon2 hash, made before the
    transaction opens. Staff are otherwise invited (`services.access.staff_users`)."""
    email = email.strip().lower()
    if "@" not in email:
        raise DomainError("Enter a valid email address.", field="email")
    if policy:
        check_policy(password, email=email, name=name)
    password_hash = hash_password(password)
    with db.transaction() as session:
        if session.exec(select(StaffUser.id).where(StaffUser.email == email)).first():
            raise Conflict(f"A staff account for {email} already exists.", field="email")
        user = StaffUser(
            email=email,
            name=name.strip(),
            password_hash=password_hash,
            roles=format_roles(clean_roles(roles)),
        )
        session.add(user)
        session.flush()
        return id_of(user)
