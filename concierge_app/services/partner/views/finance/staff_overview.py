"""The staff finance overview: every partner's balance as its own pages show it, and the totals
by currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy import select as core_select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation
from concierge_app.domain.money import Money, totals_by_currency
from concierge_app.domain.partner_payments import PAYABLE_KINDS
from concierge_app.services.partner.money.credit import credit_by_partner
from concierge_app.services.shared.common import today as business_day


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
