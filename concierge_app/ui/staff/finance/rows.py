"""What the finance page's tables and chart show, formatted from the views of the services."""

from __future__ import annotations

import dataclasses
from typing import Any

from concierge_app.domain.formatting import format_day, format_money, whole_units
from concierge_app.domain.partner_billing import Period
from concierge_app.services.partner.billing.month_end import RunView
from concierge_app.services.partner.money.transfers import QueuedTransfer
from concierge_app.services.partner.views.finance import (
    CurrencyTotals,
    PartnerBalance,
    StaffInvoiceView,
    StaffPayoutView,
)
from concierge_app.ui.shared.document_status import STATUS_COLOURS


@dataclasses.dataclass(frozen=True)
class BalanceRow:
    code: str
    name: str
    currency: str
    invoices: str
    invoiced: str
    paid: str
    outstanding: str
    credit: str  # credit not applied yet (credit notes, over-payments)
    balance: str  # the partner's Ledger balance: outstanding less credit


@dataclasses.dataclass(frozen=True)
class DocumentRow:
    id: int
    number: str
    partner: str
    period: str
    amount: str
    to_pay: str  # what remains of it, as the partner's Invoices page says
    status: str
    colour: str
    colour_css: str


@dataclasses.dataclass(frozen=True)
class RunRow:
    period: str
    run_date: str
    started_by: str
    partners: str
    invoices: str
    lines: str
    status: str


@dataclasses.dataclass(frozen=True)
class QueueRow:
    id: int
    received: str
    amount: str
    reference: str
    payer: str
    reason: str


@dataclasses.dataclass(frozen=True)
class ImportRow:
    row: str
    transaction_id: str
    amount: str
    reference: str
    status: str  # matched / queued / already recorded
    detail: str


def to_balance_row(b: PartnerBalance) -> BalanceRow:
    """A partner's balance (`services.partner.views.finance.staff_finance_overview`)."""
    return BalanceRow(
        b.code,
        b.name,
        b.currency,
        str(b.invoices),
        format_money(b.invoiced),
        format_money(b.paid),
        format_money(b.outstanding),
        format_money(b.credit_left),
        format_money(b.balance),
    )


def to_document_row(d: StaffInvoiceView) -> DocumentRow:
    """One of the latest partner documents (`recent_partner_invoices`)."""
    return DocumentRow(
        d.document.id,
        d.document.number,
        d.partner,
        d.document.period_label,
        format_money(d.document.amount),
        format_money(d.document.outstanding),
        d.document.status_text,
        d.document.status_colour.value,
        STATUS_COLOURS[d.document.status_colour.value],
    )


def to_payout(p: StaffPayoutView) -> dict[str, str]:
    return {
        "partner": p.partner,
        "period": p.period,
        "gross": format_money(p.gross),
        "commission": format_money(p.commission),
        "net": format_money(p.net),
    }


def to_chart(t: CurrencyTotals) -> dict[str, Any]:
    """One currency's bars: invoiced, paid and outstanding, in whole units."""
    return {
        "currency": t.currency,
        "data": [
            {"status": "Invoiced", "amount": whole_units(t.invoiced)},
            {"status": "Paid", "amount": whole_units(t.paid)},
            {"status": "Outstanding", "amount": whole_units(t.outstanding)},
        ],
    }


def to_run_row(r: RunView) -> RunRow:
    return RunRow(
        Period.parse(r.period).label,
        format_day(r.run_date),
        r.started_by,
        str(r.partners),
        str(r.invoices),
        str(r.lines),
        "Finished" if r.finished else "Interrupted — run again to resume",
    )


def to_queue_row(q: QueuedTransfer) -> QueueRow:
    return QueueRow(
        q.payment_id,
        format_day(q.received_on),
        format_money(q.amount),
        q.reference,
        q.payer,
        q.reason,
    )
