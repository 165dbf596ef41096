"""A partner document as a file to download: its PDF, and its reservation statement as CSV."""

from __future__ import annotations

from concierge_app.adapters.documents.invoice_pdf import render_invoice_pdf
from concierge_app.adapters.documents.statement_csv import statement_csv
from concierge_app.domain.documents import InvoiceDocument


def invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The document as the PDF the partner receives (slow: call it off the event loop)."""
    return render_invoice_pdf(doc)


def statement_file(doc: InvoiceDocument) -> str:
    """The commission invoice's reservation statement, one CSV row per line."""
    return statement_csv(doc)
