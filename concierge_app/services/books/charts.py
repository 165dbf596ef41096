"""What a finance lead asks for first: invoiced, paid and outstanding by month and currency,
for the guests' (concierge) invoices and for the partners' commission invoices.

Guest invoices count in the month they were issued (voided ones not at all); a commission
invoice in the month of its invoice date, paid by what was deducted from the payout plus the
payments and credit notes applied to it (reversed ones not counted)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerAllocation
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period
from concierge_app.services.shared.common import table_of

_GI, _PI, _AL = table_of(GuestInvoice), table_of(PartnerInvoice), table_of(PartnerAllocation)
MONTHS = 12


@dataclass(frozen=True, slots=True)
class MonthFigures:
    period: Period
    invoiced: Money
    paid: Money

    @property
    def outstanding(self) -> Money:
        return self.invoiced - self.paid


@dataclass(frozen=True, slots=True)
class CurrencySeries:
    currency: str
    months: tuple[MonthFigures, ...]  # oldest first, every month of the window


@dataclass(frozen=True, slots=True)
class BooksCharts:
    guest: tuple[CurrencySeries, ...]
    commission: tuple[CurrencySeries, ...]


def _window(today: date, months: int) -> list[Period]:
    last = Period.of(today)
    periods = [last]
    for _ in range(months - 1):
        periods.append(periods[-1].previous())
    return periods[::-1]


def _series(
    figures: dict[tuple[str, Period], list[int]], window: list[Period]
) -> tuple[CurrencySeries, ...]:
    currencies = sorted({c for c, _ in figures})
    return tuple(
        CurrencySeries(
            c,
            tuple(
                MonthFigures(p, Money(v[0], c), Money(v[1], c))
                for p in window
                for v in [figures.get((c, p), [0, 0])]
            ),
        )
        for c in currencies
    )


def books_charts(*, db: Database, today: date, months: int = MONTHS) -> BooksCharts:
    """The last `months` months up to `today`'s, per currency (no currency ever mixed)."""
    window = _window(today, max(1, min(months, 36)))
    start = datetime.combine(window[0].first_day, time.min, tzinfo=UTC)
    guest: dict[tuple[str, Period], list[int]] = defaultdict(lambda: [0, 0])
    commission: dict[tuple[str, Period], list[int]] = defaultdict(lambda: [0, 0])
    paid = (
        select(_AL.c.invoice_id, func.sum(_AL.c.amount_minor).label("paid"))
        .where(_AL.c.reversed_at.is_(None))
        .group_by(_AL.c.invoice_id)
        .subquery()
    )
    with db.read() as session:
        conn = session.connection()
        rows = conn.execute(
            select(_GI.c.currency, _GI.c.total_minor, _GI.c.status, _GI.c.issued_at).where(
                _GI.c.issued_at >= start, _GI.c.status != InvoiceStatus.VOIDED.value
            )
        ).all()
        docs = conn.execute(
            select(
                _PI.c.currency,
                _PI.c.amount_minor,
                _PI.c.deducted_minor,
                _PI.c.invoice_date,
                func.coalesce(paid.c.paid, 0),
            )
            .outerjoin(paid, paid.c.invoice_id == _PI.c.id)
            .where(
                _PI.c.kind == PartnerInvoiceKind.COMMISSION.value,
                _PI.c.invoice_date >= window[0].first_day,
            )
        ).all()
    for currency, total, status, issued_at in rows:
        aware = issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=UTC)
        month = Period.of(aware.astimezone(UTC).date())
        if month in window:
            row = guest[(currency, month)]
            row[0] += total
            row[1] += total if status == InvoiceStatus.PAID.value else 0
    for currency, amount, deducted, day, settled in docs:
        month = Period.of(day)
        if month in window:
            row = commission[(currency, month)]
            row[0] += amount
            row[1] += min(amount, deducted + int(settled))
    return BooksCharts(_series(guest, window), _series(commission, window))
