"""A partner document's derived status (paid, processing, overdue; a credit note's use), the
partner's documents newest first, and its outstanding ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.domain.credit import CORRECTABLE_KINDS, credit_note_status
from concierge_app.domain.documents import (
    KIND_TITLES,
)
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    InvoiceStatus,
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
    StatusColour,
    invoice_status,
)
from concierge_app.domain.partner_payments import PAYABLE_KINDS, reflected_on
from concierge_app.services.partner.money.credit import credit_applications
from concierge_app.services.partner.money.payments import paid_by
from concierge_app.services.partner.tables import INVOICE
from concierge_app.settings import get_settings


@dataclass(frozen=True, slots=True)
class InvoiceSummary:
    """One row of Finance → Invoices."""

    id: int
    number: str
    kind: PartnerInvoiceKind
    title: str  # "Commission invoice", "Credit note", …
    period_label: str  # "November 2026"
    invoice_date: date
    due_date: date
    amount: Money
    payable: Money
    status_text: str  # "Paid", "Due by December 16, 2026", …
    status_colour: StatusColour
    outstanding: Money
    nothing_to_pay: bool
    status_note: str = ""  # e.g. "Payment processing — it should be reflected by …"
    state: PartnerInvoiceState = PartnerInvoiceState.ISSUED
    processing: bool = False  # a transfer received or announced, not reflected yet
    overdue: bool = False  # red past its due date

    @property
    def can_close(self) -> bool:
        """Staff may write it off or send it to legal: payable, issued, not paid in full."""
        return (
            self.status_colour is StatusColour.RED
            and self.kind in PAYABLE_KINDS
            and self.state is PartnerInvoiceState.ISSUED
        )

    @property
    def can_correct(self) -> bool:
        """Staff may issue a credit or debit note against it."""
        return self.kind in CORRECTABLE_KINDS

    @property
    def can_announce(self) -> bool:
        """The partner may say "I've paid" (by bank transfer): not paid (red, or black: paid by
        transfer only), payable, nothing pending."""
        return (
            self.status_colour is not StatusColour.GREEN
            and self.kind in PAYABLE_KINDS
            and not self.processing
        )


class Payments(dict[int, tuple[int, date | None]]):
    """Invoice id → (paid by today, processing until); and, for credit notes, what each one
    paid (`applied_to`: note id → (document number, amount), in the order applied)."""

    def __init__(
        self,
        paid: Mapping[int, tuple[int, date | None]] | None = None,
        applied_to: Mapping[int, Sequence[tuple[str, Money]]] | None = None,
    ) -> None:
        super().__init__(paid or {})
        self.applied_to: dict[int, tuple[tuple[str, Money], ...]] = {
            k: tuple(v) for k, v in (applied_to or {}).items()
        }


def document_status(
    row: Any, today: date, payments: Mapping[int, tuple[int, date | None]] | None = None
) -> InvoiceStatus:
    """Paid = deducted from the payout + payments and credit applied and effective by today.
    A credit note (`payments`: what of it is applied, and to which documents) is green, never
    outstanding."""
    paid, processing = (payments or {}).get(int(row.id), (0, None))
    if row.kind == PartnerInvoiceKind.CREDIT_NOTE.value:
        applied_to = payments.applied_to if isinstance(payments, Payments) else {}
        return credit_note_status(
            amount=Money(int(row.amount_minor), row.currency),
            applied=Money(paid, row.currency),
            applied_to=applied_to.get(int(row.id), ()),
            format_money=format_money,
        )
    announced = row.paid_notice_on
    if announced is not None:
        expected = reflected_on(announced, get_settings().transfer_processing_days)
        processing = max(processing or expected, expected)
    return invoice_status(
        amount=Money(int(row.amount_minor), row.currency),
        paid=Money(int(row.deducted_minor) + paid, row.currency),
        due=row.due_date,
        today=today,
        state=PartnerInvoiceState(row.state),
        format_money=format_money,
        processing_until=processing,
    )


_SUMMARIES = select(INVOICE).order_by(INVOICE.c.invoice_date.desc(), INVOICE.c.id.desc())


def document_payments(session: Session, rows: Sequence[Any], today: date) -> Payments:
    """`paid_by` for these documents (partner_invoice rows); for a credit note, the part of it
    applied to documents by `today`, and to which."""
    notes = [int(r.id) for r in rows if r.kind == PartnerInvoiceKind.CREDIT_NOTE.value]
    applied = credit_applications(session, notes, today)
    payments = Payments(paid_by(session, [int(r.id) for r in rows], today), applied)
    for note, uses in applied.items():
        payments[note] = (sum(m.minor for _, m in uses), None)
    return payments


def summary_of(
    row: Any, today: date, payments: Mapping[int, tuple[int, date | None]] | None = None
) -> InvoiceSummary:
    """A document row (partner_invoice columns) with its derived status (`payments`: from
    `document_payments`)."""
    amount = Money(int(row.amount_minor), row.currency)
    payable = amount - Money(int(row.deducted_minor), row.currency)
    if row.kind == PartnerInvoiceKind.CREDIT_NOTE.value:  # owed to the partner, never paid
        payable = Money.zero(row.currency)
    status = document_status(row, today, payments)
    kind = PartnerInvoiceKind(row.kind)
    return InvoiceSummary(
        id=int(row.id),
        number=row.number,
        kind=kind,
        title=KIND_TITLES[kind],
        period_label=Period.parse(row.period).label,
        invoice_date=row.invoice_date,
        due_date=row.due_date,
        amount=amount,
        payable=payable,
        status_text=status.text,
        status_colour=status.colour,
        outstanding=status.outstanding,
        nothing_to_pay=payable.is_zero,
        status_note=status.note,
        state=PartnerInvoiceState(row.state),
        processing=status.processing_until is not None,
        overdue=status.overdue,
    )


def partner_invoices(*, db: Database, partner_id: int, today: date) -> list[InvoiceSummary]:
    """Finance → Invoices: every document of the partner, newest first."""
    with db.read() as session:
        rows = (
            session.connection().execute(_SUMMARIES.where(INVOICE.c.partner_id == partner_id)).all()
        )
        payments = document_payments(session, rows, today)
        return [summary_of(row, today, payments) for row in rows]


def outstanding(*, db: Database, partner_id: int, today: date) -> list[InvoiceSummary]:
    """Outstanding balances (see `outstanding_of`)."""
    return outstanding_of(partner_invoices(db=db, partner_id=partner_id, today=today))


def outstanding_of(documents: list[InvoiceSummary]) -> list[InvoiceSummary]:
    """Outstanding balances: the documents not paid in full — red (due, overdue, part-paid)
    and black (written off or with legal: still owed, by bank transfer) — the one due first on
    top. Credit notes are owed to the partner, so they are never among them."""
    unpaid = [
        s
        for s in documents
        if s.status_colour is not StatusColour.GREEN and s.kind in PAYABLE_KINDS
    ]
    return sorted(unpaid, key=lambda s: (s.due_date, s.id))
