"""The partners staff create and edit: the Partners list (search by name or ID, filter by
kind), New partner and Edit details.

Each form is checked field by field (`domain.partner_input`) before anything is written; a
partner's ID never changes once it is created. A double submit of New partner makes one partner
(the ID is unique: the same partner sent again is found, not made twice). An edit writes only
what changed, audited as `partner.details_changed` with each field's before and after; its
currency (and whether it is a property or an operator) is fixed once it has bookings, services
or invoices; a new commission rate goes into the dated rate history from a later day
(`billing.commission_rates.add_rate`), never over the past; a new bank account is saved as the
partner's own Bank details page saves it (audited masked, the finance contact told), and a
switch to direct debit issues the mandate the partner then accepts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, PartnerCommissionRate
from concierge_app.db.partner_billing import PartnerBankAccount, PartnerInvoice
from concierge_app.domain.bank_details import BankDetails
from concierge_app.domain.commission_rates import DatedRate, format_rate, rate_in_force
from concierge_app.domain.errors import Conflict, DomainError, NotFound
from concierge_app.domain.partner_input import PartnerInput, PartnerInvalid, check_partner_fields
from concierge_app.domain.statuses import CommissionPaymentMethod
from concierge_app.services.partner.accounts import DETAILS, create_partner
from concierge_app.services.partner.billing.commission_rates import add_rate, parse_start
from concierge_app.services.partner.views.finance.bank_account import mask_iban, save_bank_account
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load
from concierge_app.services.shared.permissions import Permission, require

MAX_LISTED = 500
_RATE_FIELDS = {"rate": "commission_rate", "valid_from": "rate_valid_from"}


@dataclass(frozen=True, slots=True)
class PartnerSaved:
    id: int
    code: str
    repeated: bool  # nothing new: the same partner or the same edit was already saved
    changed: tuple[str, ...] = ()  # the fields an edit changed ("bank_account", "commission_rate")


@dataclass(frozen=True, slots=True)
class PartnerListItem:
    code: str
    name: str
    kind: str
    category: str
    country: str
    currency: str
    rate: str  # in force today, "15 %"
    finance_email: str


@dataclass(frozen=True, slots=True)
class PartnerDetails:
    """A partner as the Edit details form shows it (text by field name), with what is fixed."""

    code: str
    fields: dict[str, str]
    rate: str  # in force today
    bank_masked: str  # "" without an account
    currency_fixed: bool  # it has bookings, services or invoices: currency and kind stay


def _values(data: PartnerInput) -> dict[str, str]:
    return {
        "name": data.name,
        "kind": data.kind.value,
        "category": data.category,
        "address": data.address,
        "country": data.country,
        "timezone": data.timezone,
        "currency": data.currency,
        "payout_method": data.payout_method.value,
        "commission_payment_method": data.commission_payment_method.value,
        "finance_contact": data.finance_contact,
        "finance_email": data.finance_email,
        "language": data.language,
    }


def _by_code(session: Session, code: str) -> Partner:
    found = session.exec(
        select(Partner).where(Partner.code == (code or "").strip().upper())
    ).first()
    if found is None:
        raise NotFound(f"No partner {code.strip()[:20]!r}.")
    return found


def add_partner(*, db: Database, fields: Mapping[str, str], actor: str) -> PartnerSaved:
    """New partner from the staff form; `PartnerInvalid` with every problem, or `Conflict` when
    another partner has the ID. The same partner sent twice is made once (`repeated`)."""
    data = check_partner_fields(fields, new=True)
    if data.commission_rate_bps is None:  # pragma: no cover - required for a new partner
        raise PartnerInvalid([("commission_rate", "Enter the commission rate.")])
    try:
        partner_id = create_partner(
            db=db,
            code=data.code,
            **_values(data),
            commission_rate_bps=data.commission_rate_bps,
            bank=data.bank,
            actor=actor,
        )
    except (Conflict, IntegrityError):
        with db.read() as session:
            existing = session.exec(select(Partner).where(Partner.code == data.code)).first()
            same = existing is not None and all(
                getattr(existing, k) == v for k, v in _values(data).items()
            )
            if existing is None or not same:
                raise Conflict(
                    f"A partner with ID {data.code} already exists: choose another ID.",
                    field="code",
                ) from None
            return PartnerSaved(id_of(existing), existing.code, repeated=True)
    return PartnerSaved(partner_id, data.code, repeated=False)


def _has_business(session: Session, partner_id: int, currency: str | None) -> bool:
    """Bookings, services or invoices of the partner (in `currency`, if given)."""
    checks = (
        (Booking.id, Booking.property_id, Booking.currency),
        (ServiceItem.id, ServiceItem.operator_id, ServiceItem.currency),
        (PartnerInvoice.id, PartnerInvoice.partner_id, PartnerInvoice.currency),
    )
    for key, owner, money in checks:
        query = select(key).where(owner == partner_id)
        if currency is not None:
            query = query.where(money == currency)
        if session.exec(query.limit(1)).first() is not None:
            return True
    return False


def _bank_changes(session: Session, partner_id: int, data: PartnerInput) -> bool:
    if data.bank is None:
        return False
    row = session.exec(
        select(PartnerBankAccount).where(PartnerBankAccount.partner_id == partner_id)
    ).first()
    return row is None or (row.account_holder, row.iban, row.bic) != (
        data.bank.account_holder,
        data.bank.iban,
        data.bank.bic,
    )


def _start_direct_debit(session: Session, partner: Partner, actor: str) -> None:
    """A partner switched to direct debit gets a mandate on the account on file, waiting for
    its acceptance (as a new account would); without an account the switch is refused."""
    row = session.exec(
        select(PartnerBankAccount).where(PartnerBankAccount.partner_id == id_of(partner))
    ).first()
    if row is None:
        raise PartnerInvalid(
            [("iban", "Direct debit collects from the partner's bank account: enter it.")]
        )
    if not row.mandate_reference:
        on_file = BankDetails(row.account_holder, row.iban, row.bic)
        save_bank_account(session, partner, on_file, actor=actor, notify=False)


def edit_partner(
    *, db: Database, code: str, fields: Mapping[str, str], actor: str, today: date
) -> PartnerSaved:
    """Edit details: only what changed is written and audited; the same edit sent twice changes
    nothing the second time (`repeated`). A currency or kind change is refused once the partner
    has business in it; a new rate (`commission_rate`, from `rate_valid_from`) is dated."""
    data = check_partner_fields(fields, new=False)
    starts = None
    if data.commission_rate_bps is not None:
        try:
            starts = parse_start(str(fields.get("rate_valid_from", "")))
        except DomainError as bad:
            raise PartnerInvalid([("rate_valid_from", bad.message)]) from None
    with db.transaction() as session:
        require(session, actor, Permission.PARTNERS)
        partner = load(session, Partner, _by_code(session, code).id, "Partner", lock=True)
        partner_id = id_of(partner)
        changes = {
            k: {"before": getattr(partner, k), "after": v}
            for k, v in _values(data).items()
            if getattr(partner, k) != v
        }
        if "currency" in changes and _has_business(session, partner_id, partner.currency):
            raise PartnerInvalid(
                [
                    (
                        "currency",
                        f"{partner.code} already has bookings, services or invoices in "
                        f"{partner.currency}: its currency cannot change.",
                    )
                ]
            )
        if "kind" in changes and _has_business(session, partner_id, None):
            raise PartnerInvalid(
                [("kind", f"{partner.code} already has bookings or services: its kind is fixed.")]
            )
        changed = list(changes)
        if changes:
            for field, change in changes.items():
                setattr(partner, field, change["after"])
            session.add(partner)
            session.flush()
            record_event(
                session,
                actor=actor,
                action="partner.details_changed",
                subject=f"partner:{partner_id}",
                data={"code": partner.code, "changed": changes},
            )
        if data.bank is not None and _bank_changes(session, partner_id, data):
            save_bank_account(session, partner, data.bank, actor=actor, notify=True)
            changed.append("bank_account")
        elif "commission_payment_method" in changes and (
            data.commission_payment_method is CommissionPaymentMethod.DIRECT_DEBIT
        ):
            _start_direct_debit(session, partner, actor)
        if data.commission_rate_bps is not None and starts is not None:
            try:
                rate = add_rate(
                    session,
                    partner,
                    rate_bps=data.commission_rate_bps,
                    starts=starts,
                    actor=actor,
                    today=today,
                )
            except DomainError as bad:
                field = _RATE_FIELDS.get(bad.field or "", "commission_rate")
                raise PartnerInvalid([(field, bad.message)]) from None
            if not rate.duplicate:
                changed.append("commission_rate")
        return PartnerSaved(partner_id, partner.code, repeated=not changed, changed=tuple(changed))


def _rates_today(session: Session, today: date) -> dict[int, int]:
    history: dict[int, list[DatedRate]] = {}
    for row in session.exec(select(PartnerCommissionRate)).all():
        history.setdefault(row.partner_id, []).append(DatedRate(row.valid_from, row.rate_bps))
    return {pid: rate_in_force(rates, today) for pid, rates in history.items()}


def partner_list(
    *, db: Database, today: date, search: str = "", kind: str = ""
) -> list[PartnerListItem]:
    """Partners by name (at most `MAX_LISTED`), those whose name or ID contains `search`, of
    `kind` ("property" / "operator") if given, with the rate in force today."""
    words = " ".join((search or "").split())[:100]
    with db.read() as session:
        query = select(Partner).order_by(col(Partner.name), col(Partner.code))
        if words:
            pattern = (
                "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            )
            query = query.where(
                or_(
                    col(Partner.name).ilike(pattern, escape="\\"),
                    col(Partner.code).ilike(pattern, escape="\\"),
                )
            )
        if kind:
            query = query.where(Partner.kind == kind)
        rows = session.exec(query.limit(MAX_LISTED)).all()
        rates = _rates_today(session, today)
        return [
            PartnerListItem(
                p.code,
                p.name,
                p.kind,
                p.category,
                p.country,
                p.currency,
                format_rate(rates[id_of(p)]) if id_of(p) in rates else "—",
                p.finance_email,
            )
            for p in rows
        ]


def partner_details(*, db: Database, code: str, today: date) -> PartnerDetails:
    """What the Edit details form starts from."""
    with db.read() as session:
        partner = _by_code(session, code)
        partner_id = id_of(partner)
        bank = session.exec(
            select(PartnerBankAccount).where(PartnerBankAccount.partner_id == partner_id)
        ).first()
        rates = [
            DatedRate(r.valid_from, r.rate_bps)
            for r in session.exec(
                select(PartnerCommissionRate).where(PartnerCommissionRate.partner_id == partner_id)
            ).all()
        ]
        return PartnerDetails(
            code=partner.code,
            fields={k: str(getattr(partner, k)) for k in DETAILS},
            rate=format_rate(rate_in_force(rates, today)) if rates else "—",
            bank_masked="" if bank is None else f"{bank.account_holder} · {mask_iban(bank.iban)}",
            currency_fixed=_has_business(session, partner_id, None),
        )
