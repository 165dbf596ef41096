"""Partner finance pages: Financial Overview, Bank details (view, masked; edit, audited), the
commission chart, and the staff finance overview across partners."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerBankAccount, PartnerInvoice, Payout
from concierge_app.db.partner_payments import PartnerAllocation
from concierge_app.db.types import utcnow
from concierge_app.domain.direct_debit import new_mandate_reference
from concierge_app.domain.errors import Conflict, NotFound
from concierge_app.domain.formatting import format_moment
from concierge_app.domain.money import Money, totals_by_currency
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period
from concierge_app.domain.partner_payments import PAYABLE_KINDS
from concierge_app.domain.statuses import CommissionPaymentMethod, PayoutMethod
from concierge_app.services.partner.money.credit import credit_by_partner
from concierge_app.services.partner.views.documents import (
    PAYMENT_METHOD_LABELS,
    InvoiceSummary,
    document_payments,
    summary_of,
)
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import load
from concierge_app.services.shared.common import today as business_day
from concierge_app.services.shared.messages import queue_message
from concierge_app.settings import get_settings

METHOD_LABELS = PAYMENT_METHOD_LABELS


def mask_iban(iban: str) -> str:
    """ "ES91 •••• •••• •••• •••• 1332": the country, check digits and last four only."""
    compact = iban.replace(" ", "")
    if len(compact) < 8:
        return "•" * len(compact)
    hidden = len(compact) - 8
    groups = [compact[:4], *(["••••"] * ((hidden + 3) // 4)), compact[-4:]]
    return " ".join(groups)


@dataclass(frozen=True, slots=True)
class BankAccountView:
    account_holder: str
    iban_masked: str
    bic: str
    updated_at: str
    updated_by: str


@dataclass(frozen=True, slots=True)
class MonthCommission:
    period: str  # "2026-11"
    label: str  # "Nov 2026"
    amount: Money


@dataclass(frozen=True, slots=True)
class PayoutView:
    period: str
    gross: Money
    commission: Money
    net: Money


@dataclass(frozen=True, slots=True)
class FinancialOverview:
    partner_name: str
    partner_code: str
    currency: str
    paid_out: str  # "net" / "gross"
    method: str  # CommissionPaymentMethod value
    method_label: str
    how_it_works: str
    platform_name: str
    platform_bank_name: str
    platform_iban: str
    platform_bic: str
    reference_format: str  # e.g. "PRP-1001 + invoice number"
    payout_account: BankAccountView | None
    payouts: list[PayoutView]
    commission_by_month: list[MonthCommission]


def _how_it_works(partner: Partner) -> str:
    if partner.payout_method == PayoutMethod.GROSS_STRIPE:
        return (
            "You receive the gross amount of your reservations (through Stripe). We invoice the "
            "commission separately each month; pay it by the due date."
        )
    if partner.commission_payment_method == CommissionPaymentMethod.PAYOUT_DEDUCTION:
        return (
            "Payments are facilitated by us: the commission on what we collect for you is "
            "deducted from your payout, so those invoices need no payment. Commission on "
            "money you collect yourself is invoiced and paid by bank transfer."
        )
    method = METHOD_LABELS[partner.commission_payment_method].lower()
    return (
        "The commission on what we collect for you is deducted from your payout; the rest of "
        f"each month's invoice is paid by {method}."
    )


def bank_account(*, db: Database, partner_id: int) -> BankAccountView | None:
    with db.read() as session:
        row = session.exec(
            select(PartnerBankAccount).where(PartnerBankAccount.partner_id == partner_id)
        ).first()
        partner = session.get(Partner, partner_id)
        timezone = "UTC" if partner is None else partner.timezone
        return None if row is None else _account_view(row, timezone)


def _account_view(row: PartnerBankAccount, timezone: str = "UTC") -> BankAccountView:
    return BankAccountView(
        row.account_holder,
        mask_iban(row.iban),
        row.bic,
        format_moment(row.updated_at, timezone),
        row.updated_by,
    )


def financial_overview(*, db: Database, partner_id: int, today: date) -> FinancialOverview:
    settings = get_settings()
    with db.read() as session:
        partner = load(session, Partner, partner_id, "Partner")
        payouts = session.exec(
            select(Payout)
            .where(Payout.partner_id == partner_id)
            .order_by(col(Payout.period).desc())
            .limit(12)
        ).all()
        first = Period.of(today).previous()
        months = [first]
        for _ in range(11):
            months.append(months[-1].previous())
        months.reverse()
        sums = dict(
            session.exec(
                select(PartnerInvoice.period, func.sum(PartnerInvoice.amount_minor))
                .where(
                    PartnerInvoice.partner_id == partner_id,
                    PartnerInvoice.kind == PartnerInvoiceKind.COMMISSION,
                    PartnerInvoice.currency == partner.currency,
                    col(PartnerInvoice.period).in_([str(m) for m in months]),
                )
                .group_by(col(PartnerInvoice.period))
            ).all()
        )
        account = session.exec(
            select(PartnerBankAccount).where(PartnerBankAccount.partner_id == partner_id)
        ).first()
    return FinancialOverview(
        partner_name=partner.name,
        partner_code=partner.code,
        currency=partner.currency,
        paid_out="gross" if partner.payout_method == PayoutMethod.GROSS_STRIPE else "net",
        method=partner.commission_payment_method,
        method_label=METHOD_LABELS[partner.commission_payment_method],
        how_it_works=_how_it_works(partner),
        platform_name=settings.platform_legal_name,
        platform_bank_name=settings.platform_bank_name,
        platform_iban=IBAN(settings.platform_iban).formatted,
        platform_bic=settings.platform_bic,
        reference_format=f"{partner.code} + invoice number",
        payout_account=None if account is None else _account_view(account, partner.timezone),
        payouts=[
            PayoutView(
                p.period,
                Money(p.gross_minor, p.currency),
                Money(p.commission_minor, p.currency),
                Money(p.net_minor, p.currency),
            )
            for p in payouts
        ],
        commission_by_month=[
            MonthCommission(
                str(m), f"{m.label[:3]} {m.year}", Money(int(sums.get(str(m), 0)), partner.currency)
            )
            for m in months
        ],
    )


def update_bank_account(
    *,
    db: Database,
    partner_id: int,
    account_holder: str,
    iban: str,
    bic: str,
    actor: str,
    notify: bool = True,
) -> BankAccountView:
    """Change the payout account: the IBAN's checksum (and the BIC) are checked; the change is
    audited (masked) and the partner's finance contact is told. A direct debit mandate belongs
    to one account: on a new IBAN a partner paying by direct debit gets a new mandate, which
    waits until the partner accepts it (saving an IBAN signs nothing); any other partner's
    mandate is withdrawn."""
    holder = " ".join(account_holder.split())
    if not holder:
        raise Conflict("Enter the account holder's name.", field="account_holder")
    try:
        parsed = IBAN(iban)
    except SchwiftyException as bad:
        raise Conflict(f"This IBAN is not valid: {bad}.", field="iban") from None
    bic_text = bic.strip().upper().replace(" ", "")
    if bic_text:
        try:
            BIC(bic_text)
        except SchwiftyException as bad:
            raise Conflict(f"This BIC is not valid: {bad}.", field="bic") from None
    elif parsed.bic is not None:
        bic_text = str(parsed.bic)
    now = utcnow()
    with db.transaction() as session:
        partner = load(session, Partner, partner_id, "Partner", lock=True)
        row = session.exec(
            select(PartnerBankAccount).where(PartnerBankAccount.partner_id == partner_id)
        ).first()
        before = None if row is None else mask_iban(row.iban)
        if row is None:
            row = PartnerBankAccount(
                partner_id=partner_id, account_holder=holder, iban=parsed.compact, updated_by=actor
            )
        debits = partner.commission_payment_method == CommissionPaymentMethod.DIRECT_DEBIT
        new_account = row.iban != parsed.compact or row.id is None
        if (debits and (new_account or not row.mandate_reference)) or (
            row.mandate_reference and new_account
        ):
            # A direct debit mandate belongs to one account. A partner paying by direct debit
            # gets a new mandate on the new account, waiting for its acceptance: nothing is
            # debited until the partner accepts its text (`direct_debit.accept_mandate`). Any
            # other partner's mandate is withdrawn, not kept on an account it was never given
            # for.
            old_mandate = row.mandate_reference
            row.mandate_reference = (
                new_mandate_reference(partner.code, secrets.token_hex(3)) if debits else None
            )
            row.mandate_signed_on = row.mandate_accepted_at = None
            row.mandate_accepted_by = row.mandate_accepted_from = None
            record_event(
                session,
                actor=actor,
                action="partner.mandate_withdrawn"
                if row.mandate_reference is None
                else "partner.mandate_reissued"
                if old_mandate
                else "partner.mandate_created",
                subject=f"partner:{partner_id}",
                data={
                    "before": old_mandate,
                    "after": row.mandate_reference,
                    "iban": mask_iban(parsed.compact),
                    **({"status": "awaiting the partner's acceptance"} if debits else {}),
                },
            )
        row.account_holder, row.iban, row.bic = holder, parsed.compact, bic_text
        row.updated_by, row.updated_at = actor, now
        session.add(row)
        record_event(
            session,
            actor=actor,
            action="partner.bank_details_changed",
            subject=f"partner:{partner_id}",
            data={"before": before, "after": mask_iban(parsed.compact), "holder": holder},
        )
        if notify:
            _tell_partner(session, partner, holder, parsed.compact, actor, now)
        session.flush()
        return _account_view(row, partner.timezone)


def _tell_partner(
    session: Session, partner: Partner, holder: str, iban: str, actor: str, now: datetime
) -> None:
    """ "Bank Details Changed" to the partner's finance contact."""
    queue_message(
        session,
        dedupe_key=f"bank_details_changed:{partner.id}:{now.isoformat()}",
        template_key="bank_details_changed",
        recipient=partner.finance_email,
        partner_id=partner.id,
        context={
            "platform_name": get_settings().platform_name,
            "partner_name": partner.name,
            "partner_code": partner.code,
            "changed_at": format_moment(now, partner.timezone),
            "changed_by": actor,
            "account_holder": holder,
            "iban_masked": mask_iban(iban),
        },
    )


@dataclass(frozen=True, slots=True)
class PartnerBalance:
    """One partner's balance in one currency, as its own pages show it: `outstanding` is the
    total amount due of its Invoices page, `balance` the closing balance of its Ledger."""

    partner_id: int
    code: str
    name: str
    currency: str
    invoiced: Money  # every document it owes: commission invoices, VAT/GST documents, debit notes
    paid: Money  # deducted from payouts, and payments and credit applied
    outstanding: Money
    invoices: int
    credit: Money | None = None  # credit not applied yet (credit notes, over-payments)

    @property
    def credit_left(self) -> Money:
        return self.credit if self.credit is not None else Money.zero(self.currency)

    @property
    def balance(self) -> Money:
        """What the partner owes (negative: credit in its favour): the Ledger's balance."""
        return self.outstanding - self.credit_left


@dataclass(frozen=True, slots=True)
class CurrencyTotals:
    currency: str
    invoiced: Money
    paid: Money
    outstanding: Money


def currency_totals(balances: list[PartnerBalance]) -> list[CurrencyTotals]:
    """Invoiced, paid and outstanding over all partners, one row per currency."""
    invoiced = totals_by_currency(b.invoiced for b in balances)
    paid = {m.currency: m for m in totals_by_currency(b.paid for b in balances)}
    due = {m.currency: m for m in totals_by_currency(b.outstanding for b in balances)}
    return [CurrencyTotals(m.currency, m, paid[m.currency], due[m.currency]) for m in invoiced]


def staff_finance_overview(*, db: Database, today: date | None = None) -> list[PartnerBalance]:
    """Per partner and currency, over every document the partner owes (commission invoices,
    VAT/GST documents, debit notes; all periods): invoiced, paid (deducted from payouts, and
    payments and credit notes applied and effective by `today`), outstanding, and the credit not
    applied yet — the figures of the partner's own Invoices page and Ledger."""
    day = today or business_day()
    p, i = Partner.__table__, PartnerInvoice.__table__  # type: ignore[attr-defined]
    a = PartnerAllocation.__table__  # type: ignore[attr-defined]
    owed = i.c.kind.in_([k.value for k in PAYABLE_KINDS])
    stmt = (
        core_select(
            p.c.id,
            p.c.code,
            p.c.name,
            i.c.currency,
            func.sum(i.c.amount_minor),
            func.sum(i.c.deducted_minor),
            func.count(),
        )
        .join(i, i.c.partner_id == p.c.id)
        .where(owed)
        .group_by(p.c.id, p.c.code, p.c.name, i.c.currency)
        .order_by(p.c.name)
    )
    applied = (
        core_select(i.c.partner_id, i.c.currency, func.sum(a.c.amount_minor))
        .join(a, a.c.invoice_id == i.c.id)
        .where(owed, a.c.reversed_at.is_(None), a.c.effective_on <= day)
        .group_by(i.c.partner_id, i.c.currency)
    )
    with db.read() as session:
        conn = session.connection()
        rows = conn.execute(stmt).all()
        paid_in = {(pid, cur): int(total) for pid, cur, total in conn.execute(applied)}
        credit = credit_by_partner(session, as_of=day)
        names = {
            int(r.id): (r.code, r.name)
            for r in conn.execute(core_select(p.c.id, p.c.code, p.c.name))
        }
    result = []
    seen = set()
    for pid, code, name, currency, invoiced, deducted, count in rows:
        inv = Money(int(invoiced or 0), currency)
        pd = Money(int(deducted or 0) + paid_in.get((pid, currency), 0), currency)
        left = credit.get((int(pid), currency), Money.zero(currency))
        seen.add((int(pid), currency))
        result.append(
            PartnerBalance(pid, code, name, currency, inv, pd, inv - pd, int(count), left)
        )
    for (pid, currency), left in sorted(credit.items()):  # credit, and nothing owed yet
        if (pid, currency) not in seen:
            code, name = names[pid]
            zero = Money.zero(currency)
            result.append(PartnerBalance(pid, code, name, currency, zero, zero, zero, 0, left))
    return sorted(result, key=lambda b: (b.name, b.currency))


def invoice_id_by_number(*, db: Database, partner_id: int, number: str) -> int:
    """The partner's own document by its number; another partner's number is not found."""
    with db.read() as session:
        found = session.exec(
            select(PartnerInvoice.id).where(
                PartnerInvoice.number == number.strip().upper(),
                PartnerInvoice.partner_id == partner_id,
            )
        ).first()
    if found is None:
        raise NotFound("Invoice not found.")
    return int(found)


@dataclass(frozen=True, slots=True)
class StaffInvoiceView:
    partner: str
    document: InvoiceSummary


def recent_partner_invoices(
    *, db: Database, today: date, limit: int = 25
) -> list[StaffInvoiceView]:
    """The newest partner documents across all partners, with their derived status."""
    i, p = PartnerInvoice.__table__, Partner.__table__  # type: ignore[attr-defined]
    stmt = (
        core_select(i, p.c.name.label("partner_name"))
        .join(p, p.c.id == i.c.partner_id)
        .order_by(i.c.id.desc())
        .limit(limit)
    )
    with db.read() as session:
        rows = session.connection().execute(stmt).all()
        payments = document_payments(session, rows, today)
    return [StaffInvoiceView(r.partner_name, summary_of(r, today, payments)) for r in rows]


@dataclass(frozen=True, slots=True)
class StaffPayoutView:
    partner: str
    period: str
    gross: Money
    commission: Money
    net: Money


def recent_payouts(*, db: Database, limit: int = 25) -> list[StaffPayoutView]:
    """The newest payouts across partners: collected gross − commission deducted."""
    with db.read() as session:
        rows = session.exec(
            select(Payout, Partner.name)
            .join(Partner, col(Partner.id) == Payout.partner_id)
            .order_by(col(Payout.period).desc(), col(Partner.name))
            .limit(limit)
        ).all()
    return [
        StaffPayoutView(
            name,
            Period.parse(p.period).label,
            Money(p.gross_minor, p.currency),
            Money(p.commission_minor, p.currency),
            Money(p.net_minor, p.currency),
        )
        for p, name in rows
    ]


@dataclass(frozen=True, slots=True)
class PartnerHeader:
    id: int
    code: str
    name: str
    payment_method: str


def partner_by_code(*, db: Database, code: str) -> PartnerHeader:
    """A partner by its property ID (staff pages)."""
    with db.read() as session:
        row = session.exec(select(Partner).where(Partner.code == code.strip())).first()
        if row is None or row.id is None:
            raise NotFound(f"No partner {code.strip()!r}.")
        return PartnerHeader(row.id, row.code, row.name, row.commission_payment_method)
