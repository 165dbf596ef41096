"""Read models of partner documents: one invoice with its statement, and the Finance lists.

A partner sees only its own documents: asking for another partner's invoice fails exactly as
asking for one that does not exist. Each call runs a fixed number of statements.

For now "paid" is the commission deducted from the payout; partner payments come later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import (
    PartnerBankAccount,
    PartnerInvoice,
    PartnerStatement,
    Payout,
)
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.domain.credit import CORRECTABLE_KINDS, credit_note_status
from concierge_app.domain.direct_debit import BANK_REFUSED
from concierge_app.domain.documents import (
    KIND_TITLES,
    InvoiceDocument,
    PartnerDetails,
    PayoutSummary,
    PlatformDetails,
    StatementLine,
    TaxLine,
)
from concierge_app.domain.errors import NotFound
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money, total, totals_by_currency
from concierge_app.domain.partner_billing import (
    InvoiceStatus,
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
    StatusColour,
    invoice_status,
)
from concierge_app.domain.partner_checkout import PayingWay
from concierge_app.domain.partner_payments import PAYABLE_KINDS, reflected_on
from concierge_app.domain.statuses import (
    CommissionPaymentMethod,
    PartnerPaymentMethod,
    PartnerPaymentStatus,
)
from concierge_app.domain.vat import format_bps, tax_label
from concierge_app.services.partner.billing.statements import statement_lines
from concierge_app.services.partner.money.credit import credit_applications
from concierge_app.services.partner.money.payments import paid_by
from concierge_app.services.partner.platform import platform_details
from concierge_app.services.shared.common import table_of
from concierge_app.settings import get_settings

__all__ = [
    "PAYMENT_METHOD_LABELS",
    "InvoiceDocument",
    "InvoiceSummary",
    "PartnerDetails",
    "PayoutSummary",
    "PlatformDetails",
    "StatementLine",
    "invoice_document",
    "outstanding",
    "partner_invoices",
    "paying_way",
]

PAYMENT_METHOD_LABELS = {
    CommissionPaymentMethod.PAYOUT_DEDUCTION.value: "Deducted from your payout",
    CommissionPaymentMethod.BANK_TRANSFER.value: "Bank transfer",
    CommissionPaymentMethod.ONLINE.value: "Online payment",
    CommissionPaymentMethod.DIRECT_DEBIT.value: "Direct debit",
}
NOT_FOUND = "Invoice not found."


_INV, _STMT, _P, _PAYOUT = (
    table_of(PartnerInvoice),
    table_of(PartnerStatement),
    table_of(Partner),
    table_of(Payout),
)
_ACC, _PAY, _ALLOC = (
    table_of(PartnerBankAccount),
    table_of(PartnerPayment),
    table_of(PartnerAllocation),
)
_RELATED = aliased(_INV, name="related")


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


def _status(
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


_DOCUMENT = (
    select(
        _INV,
        _P.c.name.label("partner_name"),
        _P.c.code.label("partner_code"),
        _P.c.kind.label("partner_kind"),
        _P.c.address.label("partner_address"),
        _P.c.country.label("partner_country"),
        _P.c.finance_email.label("partner_email"),
        _P.c.commission_payment_method.label("partner_method"),
        _PAYOUT.c.gross_minor.label("payout_gross"),
        _PAYOUT.c.commission_minor.label("payout_commission"),
        _PAYOUT.c.net_minor.label("payout_net"),
        _PAYOUT.c.vat_minor.label("payout_vat"),
        _RELATED.c.number.label("related_number"),
        _RELATED.c.amount_minor.label("related_amount"),
        _STMT.c.lines.label("statement_lines"),
        _STMT.c.rate_bps.label("statement_rate"),
    )
    .select_from(
        _INV.join(_P, _P.c.id == _INV.c.partner_id)
        .outerjoin(
            _PAYOUT,
            and_(_PAYOUT.c.invoice_id == _INV.c.id, _PAYOUT.c.partner_id == _INV.c.partner_id),
        )
        .outerjoin(_RELATED, _RELATED.c.id == _INV.c.related_invoice_id)
        .outerjoin(_STMT, _STMT.c.id == _INV.c.statement_id)
    )
    .limit(1)
)


def invoice_document(
    *, db: Database, invoice_id: int, partner_id: int | None, today: date
) -> InvoiceDocument:
    """One document with its statement. `partner_id` None: staff (any invoice); otherwise the
    invoice must be that partner's, or it is NotFound — the same as an unknown id."""
    stmt = _DOCUMENT.where(_INV.c.id == invoice_id)
    if partner_id is not None:
        stmt = stmt.where(_INV.c.partner_id == partner_id)
    with db.read() as session:
        conn = session.connection()
        row = conn.execute(stmt).first()
        if row is None:
            raise NotFound(NOT_FOUND)
        lines = statement_lines(
            conn, row.statement_lines or "", row.statement_rate or 0, row.currency
        )
        payments = document_payments(session, [row], today)
    cur = row.currency

    def m(minor: int) -> Money:
        return Money(int(minor), cur)

    amount, deducted = m(row.amount_minor), m(row.deducted_minor)
    payable = amount - deducted
    period = Period.parse(row.period)
    method = row.partner_method
    return InvoiceDocument(
        id=int(row.id),
        number=row.number,
        kind=PartnerInvoiceKind(row.kind),
        period=period,
        period_label=period.label,
        invoice_date=row.invoice_date,
        due_date=row.due_date,
        currency=cur,
        amount=amount,
        deducted=deducted,
        payable=payable,
        state=PartnerInvoiceState(row.state),
        status=_status(row, today, payments),
        nothing_to_pay=payable.is_zero,
        partner=PartnerDetails(
            id=int(row.partner_id),
            name=row.partner_name,
            code=row.partner_code,
            kind=row.partner_kind,
            address=row.partner_address or "",
            country=row.partner_country,
            finance_email=row.partner_email,
            payment_method=method,
            payment_method_label=PAYMENT_METHOD_LABELS.get(method, method),
        ),
        payout=None
        if row.payout_gross is None
        else PayoutSummary(
            m(row.payout_gross), m(row.payout_commission), m(row.payout_net), m(row.payout_vat)
        ),
        lines=lines,
        payment_reference=f"{row.partner_code} {row.number}",
        platform=platform_details(),
        related_number=row.related_number,
        reason=row.reason,
        tax=None
        if row.tax_rate_bps is None or row.related_number is None
        else TaxLine(
            label=tax_label(row.partner_country),
            rate=f"{format_bps(int(row.tax_rate_bps))} %",
            base=m(row.related_amount),
            invoice_number=row.related_number,
        ),
    )


_SUMMARIES = select(_INV).order_by(_INV.c.invoice_date.desc(), _INV.c.id.desc())


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
    status = _status(row, today, payments)
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
        rows = session.connection().execute(_SUMMARIES.where(_INV.c.partner_id == partner_id)).all()
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


@dataclass(frozen=True, slots=True)
class FailedDebit:
    """A direct debit the bank refused, whose documents are still to pay: the Invoices page
    says so, why, and what to do."""

    payment_id: int
    amount: Money  # what was requested
    requested_on: date
    failed_on: date
    reason: str
    documents: tuple[str, ...]  # its documents still open, oldest due first
    still_due: Money  # what remains of them


def paying_way(session: Session, partner_id: int, debit_failed: Iterable[int] = ()) -> PayingWay:
    """How the partner pays (its method, its accepted mandate), and the documents whose direct
    debit failed (`debit_failed`, see `failed_debits`)."""
    conn = session.connection()
    method = conn.execute(
        select(_P.c.commission_payment_method).where(_P.c.id == partner_id)
    ).scalar_one()
    mandate = conn.execute(
        select(_ACC.c.mandate_reference).where(
            _ACC.c.partner_id == partner_id, _ACC.c.mandate_signed_on.is_not(None)
        )
    ).scalar()
    return PayingWay(str(method), mandate or "", frozenset(debit_failed))


def failed_debits(
    session: Session, partner_id: int, documents: Sequence[InvoiceSummary]
) -> tuple[list[FailedDebit], frozenset[int]]:
    """The partner's refused direct debits whose documents are still to pay (newest first), and
    the ids of those documents."""
    open_now = {s.id: s for s in documents if s.outstanding.minor > 0}
    rows = session.connection().execute(
        select(
            _PAY.c.id,
            _PAY.c.currency,
            _PAY.c.amount_minor,
            _PAY.c.received_on,
            _PAY.c.failed_at,
            _PAY.c.failure_reason,
            _ALLOC.c.invoice_id,
        )
        .join(_ALLOC, _ALLOC.c.payment_id == _PAY.c.id)
        .where(
            _PAY.c.partner_id == partner_id,
            _PAY.c.method == PartnerPaymentMethod.DIRECT_DEBIT.value,
            _PAY.c.status == PartnerPaymentStatus.FAILED.value,
        )
        .order_by(_PAY.c.id.desc(), _ALLOC.c.id)
    )
    found: dict[int, tuple[Any, list[int]]] = {}
    for r in rows:
        found.setdefault(int(r.id), (r, []))[1].append(int(r.invoice_id))
    failed: list[FailedDebit] = []
    ids: set[int] = set()
    for pay, invoices in found.values():
        still = sorted(
            {open_now[i] for i in invoices if i in open_now}, key=lambda s: (s.due_date, s.id)
        )
        if not still:
            continue
        ids.update(s.id for s in still)
        failed.append(
            FailedDebit(
                int(pay.id),
                Money(int(pay.amount_minor), pay.currency),
                pay.received_on,
                pay.received_on if pay.failed_at is None else pay.failed_at.date(),
                pay.failure_reason or BANK_REFUSED,
                tuple(s.number for s in still),
                total((s.outstanding for s in still), pay.currency),
            )
        )
    return failed, frozenset(ids)


@dataclass(frozen=True, slots=True)
class InvoicesView:
    """Finance → Invoices in one read: every document, the outstanding ones, the total due, how
    the partner pays, and its refused direct debits still to pay."""

    documents: list[InvoiceSummary]
    outstanding: list[InvoiceSummary]
    total_due: tuple[Money, ...]  # one per currency
    way: PayingWay | None = None
    failed_debits: tuple[FailedDebit, ...] = ()

    @property
    def overdue(self) -> int:
        return sum(1 for s in self.outstanding if s.overdue)


def invoices_view(*, db: Database, partner_id: int, today: date) -> InvoicesView:
    documents = partner_invoices(db=db, partner_id=partner_id, today=today)
    due = outstanding_of(documents)
    with db.read() as session:
        failed, ids = failed_debits(session, partner_id, due)
        way = paying_way(session, partner_id, ids)
    return InvoicesView(
        documents, due, totals_by_currency(s.outstanding for s in due), way, tuple(failed)
    )
