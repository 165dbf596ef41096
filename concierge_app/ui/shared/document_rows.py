"""A partner document as a row of the Invoices tables, formatted for people: the partner's own
pages (with whether it can be paid online) and the staff partner page."""

from __future__ import annotations

import dataclasses

from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_checkout import OnlinePayability, PayingWay, online_payability
from concierge_app.services.partner.views.documents import InvoiceSummary
from concierge_app.ui.shared.document_status import STATUS_COLOURS


@dataclasses.dataclass(frozen=True)
class InvoiceRow:
    id: str
    number: str
    title: str
    period: str
    invoice_date: str
    due_date: str
    amount: str
    payable: str
    outstanding: str
    status: str
    colour: str  # green / red / black
    colour_css: str
    note: str  # payment processing, or the overdue warning
    can_announce: bool  # "I've paid" is offered
    can_close: bool  # staff may write it off or send it to legal
    pay_online: bool = False  # "Pay online" (by card) is offered
    transfer_only: str = ""  # a black document: paid by bank transfer only, quoting …
    debit_failed: str = ""  # "Direct debit failed on …: {reason}"


def to_pay_text(remaining: Money) -> str:
    """The "To pay" column: what remains of the document (so the rows add up to the total
    amount due), "Nothing to pay" once nothing does."""
    return "Nothing to pay" if remaining.minor <= 0 else format_money(remaining)


def invoice_row(
    s: InvoiceSummary,
    partner_code: str | None = None,
    way: PayingWay | None = None,
    debit_failed: str = "",
) -> InvoiceRow:
    """A row of the Invoices tables; with `partner_code` (the partner's own page) and `way`
    (how it pays), whether it can be paid online (the page says once why the payment method
    does not: `how_you_pay`) and, for a black one, that it is paid by bank transfer only;
    `debit_failed`: its direct debit failed (when, why)."""
    colour = s.status_colour.value
    online = (
        OnlinePayability(False) if partner_code is None else online_payability(s, partner_code, way)
    )
    return InvoiceRow(
        id=str(s.id),
        number=s.number,
        title=s.title,
        period=s.period_label,
        invoice_date=format_day(s.invoice_date),
        due_date=format_day(s.due_date),
        amount=format_money(s.amount),
        payable=to_pay_text(s.outstanding),
        outstanding=format_money(s.outstanding),
        status=s.status_text,
        colour=colour,
        colour_css=STATUS_COLOURS[colour],
        note=s.status_note,
        can_announce=s.can_announce,
        can_close=s.can_close,
        pay_online=online.offered,
        transfer_only=online.transfer_only,
        debit_failed=debit_failed,
    )
