"""`/partner/invoices`: every document, and Outstanding balances (Pay online, Pay all online,
"I've paid"), with what the partner must know first: the property closed ("Open your
property"), refused direct debits, overdue invoices, the checkout it came back from. Live: a
change on the ledger shows without a reload."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.ui.partner.invoices.state import FailedDebitNotice
from concierge_app.ui.partner.invoices.state import PartnerInvoicesState as I
from concierge_app.ui.partner.shell import partner_shell
from concierge_app.ui.shared.document_rows import InvoiceRow
from concierge_app.ui.shared.document_status import status_text
from concierge_app.ui.shared.forms import form_error
from concierge_app.ui.shared.layout import loading_card, page_header
from concierge_app.ui.shared.pay_online.parts import checkout_notice, pay_button
from concierge_app.ui.shared.pay_online.rows import PayAllRow
from concierge_app.ui.shared.stacked_table import stacked_cell, stacked_table

# The Outstanding table needs up to ~990 px (two buttons, a failed debit's notes) + the margins
INVOICES_STACK_BELOW = 1100
# Pay online / I've paid: a finger's size on phones and tablets (below 1024 px, Radix's md)
BUTTON_SIZE = rx.breakpoints(initial="2", md="1")


def _status_cell(row: InvoiceRow) -> rx.Component:
    return rx.vstack(
        status_text(row.status, row.colour, row.colour_css),
        rx.cond(
            row.note != "",
            rx.text(row.note, size="1", color_scheme="gray", class_name="status-note"),
        ),
        rx.cond(  # its direct debit failed: when, and the bank's reason
            row.debit_failed != "",
            rx.text(row.debit_failed, size="1", color_scheme="red", class_name="debit-failed"),
        ),
        rx.cond(  # black, in Outstanding balances: no online payment
            row.transfer_only != "",
            rx.text(row.transfer_only, size="1", color_scheme="gray", class_name="transfer-only"),
        ),
        spacing="1",
    )


def _pay_online_button(
    ids: rx.Var[str] | str, label: rx.Var[str] | str, **props: object
) -> rx.Component:
    """Not while "I've paid" or "Open your property" runs."""
    return pay_button(
        I, ids, label, disabled=(I.paying != "") | I.busy, white_space="nowrap", **props
    )


def _actions_cell(row: InvoiceRow) -> rx.Component:
    return stacked_cell(
        rx.hstack(
            rx.cond(
                row.pay_online,
                _pay_online_button(row.id, "Pay online", size=BUTTON_SIZE, class_name="pay-online"),
            ),
            rx.cond(
                row.can_announce,
                rx.button(
                    rx.icon("landmark", size=14),
                    "I've paid",
                    size=BUTTON_SIZE,
                    variant="soft",
                    on_click=I.announce_paid(row.id),
                    class_name="announce-paid",
                    white_space="nowrap",
                ),
            ),
            spacing="2",
            justify="end",
        ),
        actions=True,
        hide=~row.pay_online & ~row.can_announce,
        text_align="right",
    )


def _outstanding_row(row: InvoiceRow) -> rx.Component:
    return _invoice_row(row, _actions_cell(row))


def _pay_all(group: PayAllRow) -> rx.Component:
    return _pay_online_button(
        group.ids,
        "Pay all online · " + group.total,
        size="2",
        class_name="pay-all-online",
        custom_attrs={"data-currency": group.currency},
    )


def _invoice_row(row: InvoiceRow, *extra: rx.Component) -> rx.Component:
    return rx.table.row(
        stacked_cell(
            rx.link(row.number, href=routes.partner_document(row.number), weight="medium"),
            wide=True,
            white_space="nowrap",
        ),
        stacked_cell(row.title, wide=True),
        stacked_cell(row.period, label="Period", white_space="nowrap"),
        stacked_cell(row.invoice_date, label="Invoice date", white_space="nowrap"),
        stacked_cell(row.amount, label="Amount", text_align="right", white_space="nowrap"),
        stacked_cell(row.payable, label="To pay", text_align="right", white_space="nowrap"),
        stacked_cell(_status_cell(row), wide=True),
        *extra,
        custom_attrs={"data-number": row.number, "data-colour": row.colour},
        class_name="partner-invoice-row",
    )


def _invoices_table(
    rows: rx.Var[list[InvoiceRow]], test_id: str, *, actions: bool = False
) -> rx.Component:
    """Below `INVOICES_STACK_BELOW` (a phone, a tablet) each document is a block: its number
    and kind, then Period, Invoice date, Amount and To pay, its status, its buttons."""
    return stacked_table(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Number"),
                rx.table.column_header_cell("Document"),
                rx.table.column_header_cell("Period"),
                rx.table.column_header_cell("Invoice date"),
                rx.table.column_header_cell("Amount", text_align="right"),
                rx.table.column_header_cell("To pay", text_align="right"),
                rx.table.column_header_cell("Status"),
                *([rx.table.column_header_cell("")] if actions else []),
            )
        ),
        rx.table.body(rx.foreach(rows, _outstanding_row if actions else _invoice_row)),
        stack_below=INVOICES_STACK_BELOW,
        id=test_id,
    )


def _failed_debit(n: FailedDebitNotice) -> rx.Component:
    """A refused direct debit: what failed, the bank's reason, and what to do (the partner
    guide: contact your bank, then pay as soon as possible another way)."""
    return rx.callout(
        rx.vstack(
            rx.text(rx.text.strong(n.headline), " Your bank's reason: ", n.reason),
            rx.text("These documents are unpaid again: ", n.documents, "."),
            rx.text("1. Contact your bank to see why the payment failed."),
            rx.text(
                "2. Pay ",
                rx.text.strong(n.still_due),
                " as soon as possible: ",
                n.transfer,
                rx.cond(n.online, ", or online with Pay online below", ""),
                ".",
            ),
            spacing="1",
        ),
        icon="triangle_alert",
        color_scheme="red",
        width="100%",
        class_name="direct-debit-failed",
        custom_attrs={"data-payment": n.payment_id},
    )


def _invoice_notices() -> rx.Component:
    """The property closed (with "Open your property"), overdue invoices, refused direct
    debits, the last action."""
    return rx.vstack(
        rx.cond(
            I.closed,
            rx.card(
                rx.hstack(
                    rx.hstack(
                        rx.icon("lock", size=20),
                        rx.vstack(
                            rx.text("Your property is closed", weight="bold"),
                            rx.text(I.closed_reason, size="2"),
                            rx.cond(
                                I.can_reopen,
                                rx.text(
                                    "Every outstanding invoice is paid: you can open your "
                                    "property again.",
                                    size="2",
                                ),
                                rx.text(
                                    "Once every outstanding invoice is paid in full and marked "
                                    "Paid, you can open your property again. A written-off "
                                    "invoice can only be paid by bank transfer. Still to pay: ",
                                    rx.text.strong(I.still_to_pay),
                                    size="2",
                                ),
                            ),
                            spacing="1",
                        ),
                        spacing="3",
                        align="start",
                    ),
                    rx.button(
                        rx.cond(I.busy, rx.spinner(size="1"), rx.icon("store", size=16)),
                        "Open your property",
                        on_click=I.open_property,
                        disabled=~I.can_reopen | I.busy,
                        id="open-property",
                    ),
                    justify="between",
                    align="center",
                    width="100%",
                    spacing="4",
                ),
                width="100%",
                id="property-closed",
                style={"border_left": "4px solid #000000"},
            ),
        ),
        rx.foreach(I.failed_debits, _failed_debit),
        rx.cond(
            I.overdue > 0,
            rx.callout(
                rx.text(
                    "You have overdue invoices. If they are not paid, this may lead to your "
                    "account's suspension from the website."
                ),
                icon="triangle_alert",
                color_scheme="red",
                width="100%",
                id="overdue-warning",
            ),
        ),
        checkout_notice(
            I.checkout_title != "",
            rx.text(rx.text.strong(I.checkout_title), " ", I.checkout_detail),
            I.checkout_kind,
        ),
        form_error(I.error != "", I.error),
        form_error(I.pay_error != "", I.pay_error),
        rx.cond(
            I.message != "",
            rx.callout(
                I.message, icon="circle_check", color_scheme="green", width="100%", id="action-done"
            ),
        ),
        spacing="3",
        width="100%",
        _empty={"display": "none"},  # no notice: no gap for it either
    )


def invoices_page() -> rx.Component:
    return partner_shell(
        page_header(
            "Invoices",
            "Commission invoices for the reservations that departed each month. Green: paid; "
            "red: due, overdue or part-paid; black: written off or with our legal department.",
        ),
        rx.cond(
            I.view == "loading",
            loading_card("Loading your invoices…"),
            rx.vstack(
                _invoice_notices(),
                rx.card(
                    rx.vstack(
                        rx.hstack(
                            rx.heading("Outstanding balances", size="4", as_="h2"),
                            rx.cond(
                                I.total_outstanding != "",
                                rx.text("Total amount due: ", rx.text.strong(I.total_outstanding)),
                            ),
                            justify="between",
                            width="100%",
                            wrap="wrap",
                        ),
                        rx.cond(  # why no "Pay online": how this partner pays
                            I.how_you_pay != "",
                            rx.text(I.how_you_pay, size="2", color_scheme="gray", id="how-you-pay"),
                        ),
                        rx.cond(
                            I.pay_all.length() > 0,  # type: ignore[attr-defined]
                            rx.hstack(
                                rx.foreach(I.pay_all, _pay_all),
                                rx.text(
                                    "By card, through our secure payment page.",
                                    size="1",
                                    color_scheme="gray",
                                ),
                                spacing="3",
                                align="center",
                                wrap="wrap",
                                id="pay-all-online",
                            ),
                        ),
                        rx.cond(
                            I.open_items.length() > 0,  # type: ignore[attr-defined]
                            _invoices_table(I.open_items, "outstanding-balances", actions=True),
                            rx.text(
                                "Nothing outstanding. Thank you!",
                                color_scheme="gray",
                                id="outstanding-balances",
                            ),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading("All documents", size="4", as_="h2"),
                        rx.cond(
                            I.invoices.length() > 0,  # type: ignore[attr-defined]
                            _invoices_table(I.invoices, "all-invoices"),
                            rx.text(
                                "No invoices yet: they are issued in the first week of each "
                                "month for the reservations that departed the month before.",
                                color_scheme="gray",
                            ),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
                spacing="5",
                width="100%",
            ),
        ),
        active="Invoices",
    )
