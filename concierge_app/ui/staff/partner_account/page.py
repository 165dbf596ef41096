"""`/finance/partners/[code]` (staff): one partner's details (Edit details), its documents, its
property open or closed, Write off / Send to legal on an unpaid invoice, a credit or debit note
against an invoice, its commission rate (the history and Change rate), its Extranet logins
(admins) and the partner's ledger."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.ui.shared.layout import loading_card, table_header
from concierge_app.ui.shared.ledger.table import ledger_books
from concierge_app.ui.staff.partner_account.details import details_card, edit_details_dialog
from concierge_app.ui.staff.partner_account.dialogs import close_dialog, note_dialog
from concierge_app.ui.staff.partner_account.documents import document_row
from concierge_app.ui.staff.partner_account.logins import logins_card
from concierge_app.ui.staff.partner_account.rate import rate_card, rate_dialog
from concierge_app.ui.staff.partner_account.reminders import reminders_card
from concierge_app.ui.staff.partner_account.state import PartnerAccountState as A
from concierge_app.ui.staff.shell import page_shell


def _ledger_card() -> rx.Component:
    return rx.vstack(
        rx.heading("Ledger", size="5", as_="h2"),
        ledger_books(A.ledgers, "No documents or payments yet."),
        spacing="3",
        width="100%",
        id="staff-partner-ledger",
    )


def partner_account_page() -> rx.Component:
    return page_shell(
        rx.cond(
            A.loading,
            loading_card("Loading the partner…"),
            rx.cond(
                A.not_found,
                rx.callout("No such partner.", icon="search_x", color_scheme="gray"),
                rx.vstack(
                    rx.hstack(
                        rx.link("← Partners", href=routes.PARTNERS, size="2"),
                        rx.link("Partner finance", href=routes.FINANCE, size="2"),
                        spacing="4",
                    ),
                    rx.hstack(
                        rx.heading(A.name, size="7", as_="h1"),
                        rx.badge(A.code, variant="soft", color_scheme="gray", size="2"),
                        rx.cond(
                            A.closed,
                            rx.badge(
                                rx.icon("lock", size=12),
                                "Property closed",
                                color_scheme="gray",
                                variant="solid",
                                high_contrast=True,
                                id="property-closed-badge",
                            ),
                            rx.badge("Open", color_scheme="green", variant="soft"),
                        ),
                        align="center",
                        spacing="3",
                    ),
                    rx.cond(A.closed, rx.text(A.closed_reason, size="2", color_scheme="gray")),
                    rx.cond(
                        A.message != "",
                        rx.callout(
                            A.message,
                            icon="circle_check",
                            color_scheme="green",
                            id="staff-action-done",
                        ),
                    ),
                    details_card(),
                    rx.card(
                        rx.vstack(
                            rx.heading("Documents", size="4", as_="h2"),
                            rx.table.root(
                                table_header(
                                    "Number",
                                    "Document",
                                    "Period",
                                    "Due",
                                    "Amount",
                                    "Outstanding",
                                    "Status",
                                    "",
                                    right=("Amount", "Outstanding"),
                                ),
                                rx.table.body(rx.foreach(A.documents, document_row)),
                                width="100%",
                            ),
                            spacing="3",
                            width="100%",
                        ),
                        width="100%",
                    ),
                    reminders_card(A.reminders),
                    rate_card(),
                    rx.cond(A.is_admin, logins_card()),
                    _ledger_card(),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        close_dialog(),
        note_dialog(),
        rate_dialog(),
        edit_details_dialog(),
        active="Partners",
    )
