"""Read models of partner documents: one invoice with its statement, and the Finance lists.

A partner sees only its own documents: asking for another partner's invoice fails exactly as
asking for one that does not exist. Each call runs a fixed number of statements.

For now "paid" is the commission deducted from the payout; partner payments come later.

- tables: the tables these reads select from
- summaries: a document's derived status, the partner's documents and the outstanding ones
- document: one document with its statement, as shown and printed
- invoices_page: Finance → Invoices in one read (how the partner pays, its refused debits)
"""

from concierge_app.domain.documents import (
    InvoiceDocument,
    PartnerDetails,
    PayoutSummary,
    PlatformDetails,
    StatementLine,
)
from concierge_app.services.partner.platform import platform_details
from concierge_app.services.partner.views.documents.document import (
    NOT_FOUND,
    PAYMENT_METHOD_LABELS,
    invoice_document,
)
from concierge_app.services.partner.views.documents.invoices_page import (
    FailedDebit,
    InvoicesView,
    failed_debits,
    invoices_view,
    paying_way,
)
from concierge_app.services.partner.views.documents.summaries import (
    InvoiceSummary,
    document_payments,
    outstanding,
    outstanding_of,
    partner_invoices,
    summary_of,
)

__all__ = [
    "NOT_FOUND",
    "PAYMENT_METHOD_LABELS",
    "FailedDebit",
    "InvoiceDocument",
    "InvoiceSummary",
    "InvoicesView",
    "PartnerDetails",
    "PayoutSummary",
    "PlatformDetails",
    "StatementLine",
    "document_payments",
    "failed_debits",
    "invoice_document",
    "invoices_view",
    "outstanding",
    "outstanding_of",
    "partner_invoices",
    "paying_way",
    "platform_details",
    "summary_of",
]
