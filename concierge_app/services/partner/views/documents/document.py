"""One partner document with its statement, as the document page shows it and the PDF prints it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from concierge_app.db.engine import Database
from concierge_app.domain.documents import (
    InvoiceDocument,
    PartnerDetails,
    PayoutSummary,
    TaxLine,
)
from concierge_app.domain.errors import NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    PartnerInvoiceKind,
    PartnerInvoiceState,
    Period,
)
from concierge_app.domain.statuses import (
    CommissionPaymentMethod,
)
from concierge_app.domain.vat import format_bps, tax_label
from concierge_app.services.partner.billing.statements import statement_lines
from concierge_app.services.partner.platform import platform_details
from concierge_app.services.partner.tables import (
    INVOICE,
    PARTNER,
    PAYOUT,
    STATEMENT,
)
from concierge_app.services.partner.views.documents.summaries import (
    document_payments,
    document_status,
)

PAYMENT_METHOD_LABELS = {
    CommissionPaymentMethod.PAYOUT_DEDUCTION.value: "Deducted from your payout",
    CommissionPaymentMethod.BANK_TRANSFER.value: "Bank transfer",
    CommissionPaymentMethod.ONLINE.value: "Online payment",
    CommissionPaymentMethod.DIRECT_DEBIT.value: "Direct debit",
}
NOT_FOUND = "Invoice not found."


RELATED = aliased(INVOICE, name="related")


_DOCUMENT = (
    select(
        INVOICE,
        PARTNER.c.name.label("partner_name"),
        PARTNER.c.code.label("partner_code"),
        PARTNER.c.kind.label("partner_kind"),
        PARTNER.c.address.label("partner_address"),
        PARTNER.c.country.label("partner_country"),
        PARTNER.c.finance_email.label("partner_email"),
        PARTNER.c.commission_payment_method.label("partner_method"),
        PAYOUT.c.gross_minor.label("payout_gross"),
        PAYOUT.c.commission_minor.label("payout_commission"),
        PAYOUT.c.net_minor.label("payout_net"),
        PAYOUT.c.vat_minor.label("payout_vat"),
        RELATED.c.number.label("related_number"),
        RELATED.c.amount_minor.label("related_amount"),
        STATEMENT.c.lines.label("statement_lines"),
        STATEMENT.c.rate_bps.label("statement_rate"),
    )
    .select_from(
        INVOICE.join(PARTNER, PARTNER.c.id == INVOICE.c.partner_id)
        .outerjoin(
            PAYOUT,
            and_(PAYOUT.c.invoice_id == INVOICE.c.id, PAYOUT.c.partner_id == INVOICE.c.partner_id),
        )
        .outerjoin(RELATED, RELATED.c.id == INVOICE.c.related_invoice_id)
        .outerjoin(STATEMENT, STATEMENT.c.id == INVOICE.c.statement_id)
    )
    .limit(1)
)


def invoice_document(
    *, db: Database, invoice_id: int, partner_id: int | None, today: date
) -> InvoiceDocument:
    """One document with its statement. `partner_id` None: staff (any invoice); otherwise the
    invoice must be that partner's, or it is NotFound — the same as an unknown id."""
    stmt = _DOCUMENT.where(INVOICE.c.id == invoice_id)
    if partner_id is not None:
        stmt = stmt.where(INVOICE.c.partner_id == partner_id)
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
        status=document_status(row, today, payments),
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
