"""`/partner/ledger`: every document, payment and allocation on the partner's account, with the
running balance. Live: a payment or a credit note shows without a reload."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.partner.ledger.state import PartnerLedgerState as L
from concierge_app.ui.partner.shell import partner_shell
from concierge_app.ui.shared.layout import loading_card, page_header
from concierge_app.ui.shared.ledger.table import ledger_books


def partner_ledger_page() -> rx.Component:
    return partner_shell(
        page_header(
            "Ledger",
            "Every invoice, note and payment on your account, with the running balance. "
            "Credit notes are never paid out to your bank account: each pays the invoice it "
            "corrects; what that invoice no longer needs pays your other open or next invoices, "
            "oldest due first.",
        ),
        rx.cond(
            L.view == "loading",
            loading_card("Loading your ledger…"),
            rx.cond(
                L.view == "error",
                rx.callout(
                    "Your ledger could not be loaded. Please try again in a moment.",
                    icon="triangle_alert",
                    color_scheme="red",
                ),
                ledger_books(
                    L.ledgers,
                    "Nothing yet: your first invoice will show here once it is issued.",
                ),
            ),
        ),
        active="Ledger",
    )
