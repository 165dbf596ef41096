"""`/partner/ledger`: every document, payment and allocation on the partner's account, with the
running balance. Live: a payment or a credit note shows without a reload."""

from __future__ import annotations

import reflex as rx

from concierge_app.components.layout import loading_card, page_header
from concierge_app.components.ledger import ledger_books
from concierge_app.components.live import live_updates
from concierge_app.components.partner import partner_shell
from concierge_app.state.partner_ledger import PartnerLedgerState as L


def partner_ledger_page() -> rx.Component:
    return partner_shell(
        page_header(
            "Ledger",
            "Every invoice, note and payment on your account, with the running balance. "
            "Credit notes are never paid out to your bank account: they pay your open or next "
            "invoices, oldest due first.",
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
        live_updates(L.poll),
        active="Ledger",
    )
