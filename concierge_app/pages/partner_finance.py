"""Partner Finance pages: `/partner` (Financial Overview), `/partner/invoices` (documents and
Outstanding balances), `/partner/invoices/[number]` (reservation statement, CSV, PDF) and
`/partner/bank-details`. Live: a change on the ledger shows without a reload."""

from __future__ import annotations

import reflex as rx

from concierge_app.components.direct_debit import mandate_notice
from concierge_app.components.forms import form_error
from concierge_app.components.layout import loading_card, page_header
from concierge_app.components.live import live_updates
from concierge_app.components.partner import fact, partner_shell, status_text
from concierge_app.state.partner_finance import BankDetailsState as B
from concierge_app.state.partner_finance import InvoiceRow, PayAllRow, PayoutRow, StatementRow
from concierge_app.state.partner_finance import OverviewState as O
from concierge_app.state.partner_finance import PartnerInvoicesState as I
from concierge_app.state.partner_finance import StatementState as S


# -- Invoices --------------------------------------------------------------------------------
def _status_cell(row: InvoiceRow) -> rx.Component:
    return rx.vstack(
        status_text(row.status, row.colour, row.colour_css),
        rx.cond(
            row.note != "",
            rx.text(row.note, size="1", color_scheme="gray", class_name="status-note"),
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
    """Opens the card checkout; a spinner while it is being opened, then the browser goes
    there."""
    return rx.button(
        rx.cond(I.paying == ids, rx.spinner(size="1"), rx.icon("credit_card", size=14)),
        rx.cond(I.paying == ids, "Opening checkout…", label),
        on_click=I.pay_online(ids),
        disabled=(I.paying != "") | I.busy,
        white_space="nowrap",
        **props,
    )


def _actions_cell(row: InvoiceRow) -> rx.Component:
    return rx.table.cell(
        rx.hstack(
            rx.cond(
                row.pay_online,
                _pay_online_button(row.id, "Pay online", size="1", class_name="pay-online"),
            ),
            rx.cond(
                row.can_announce,
                rx.button(
                    rx.icon("landmark", size=14),
                    "I've paid",
                    size="1",
                    variant="soft",
                    on_click=I.announce_paid(row.id),
                    class_name="announce-paid",
                    white_space="nowrap",
                ),
            ),
            spacing="2",
            justify="end",
        ),
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
        rx.table.cell(
            rx.link(row.number, href="/partner/invoices/" + row.number, weight="medium"),
            white_space="nowrap",
        ),
        rx.table.cell(row.title),
        rx.table.cell(row.period, white_space="nowrap"),
        rx.table.cell(row.invoice_date, white_space="nowrap"),
        rx.table.cell(row.amount, text_align="right", white_space="nowrap"),
        rx.table.cell(row.payable, text_align="right", white_space="nowrap"),
        rx.table.cell(_status_cell(row)),
        *extra,
        custom_attrs={"data-number": row.number, "data-colour": row.colour},
        class_name="partner-invoice-row",
    )


def _invoices_table(
    rows: rx.Var[list[InvoiceRow]], test_id: str, *, actions: bool = False
) -> rx.Component:
    return rx.table.root(
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
        width="100%",
        id=test_id,
    )


def _invoice_notices() -> rx.Component:
    """The property closed (with "Open your property"), overdue invoices, the last action."""
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
        rx.cond(
            I.checkout_title != "",
            rx.callout(
                rx.text(rx.text.strong(I.checkout_title), " ", I.checkout_detail),
                icon=rx.match(
                    I.checkout_kind, ("success", "circle_check"), ("warning", "info"), "loader"
                ),
                color_scheme=rx.match(
                    I.checkout_kind, ("success", "green"), ("warning", "amber"), "blue"
                ),
                width="100%",
                id="checkout-notice",
                custom_attrs={"data-kind": I.checkout_kind},
            ),
        ),
        form_error(I.error != "", I.error),
        rx.cond(
            I.message != "",
            rx.callout(
                I.message, icon="circle_check", color_scheme="green", width="100%", id="action-done"
            ),
        ),
        spacing="3",
        width="100%",
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
        live_updates(I.poll),
        active="Invoices",
    )


# -- one document ----------------------------------------------------------------------------
def _statement_row(row: StatementRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.reference), white_space="nowrap"),
        rx.table.cell(row.guest),
        rx.table.cell(row.description),
        rx.table.cell(row.dates, white_space="nowrap"),
        rx.table.cell(row.base, text_align="right", white_space="nowrap"),
        rx.table.cell(row.rate, text_align="right"),
        rx.table.cell(row.commission, text_align="right", white_space="nowrap"),
        rx.table.cell(rx.text(row.collected_by, size="1", color_scheme="gray")),
        class_name="statement-row",
    )


def statement_page() -> rx.Component:
    return partner_shell(
        rx.cond(
            S.view == "loading",
            loading_card("Loading the invoice…"),
            rx.cond(
                S.not_found,
                rx.callout(
                    "This invoice was not found among your documents.",
                    icon="search_x",
                    color_scheme="gray",
                    id="invoice-not-found",
                ),
                rx.vstack(
                    rx.link("← All invoices", href="/partner/invoices", size="2"),
                    rx.hstack(
                        rx.vstack(
                            rx.heading(S.title, " ", S.number, size="6", as_="h1"),
                            rx.text(S.subtitle, color_scheme="gray", id="document-subtitle"),
                            spacing="1",
                        ),
                        rx.hstack(
                            rx.button(
                                rx.icon("file_text", size=16),
                                "Download PDF",
                                on_click=S.download_pdf,
                                id="download-pdf",
                            ),
                            rx.cond(
                                S.is_commission,
                                rx.button(
                                    rx.icon("sheet", size=16),
                                    "Download statement (CSV)",
                                    variant="soft",
                                    on_click=S.download_csv,
                                    id="download-csv",
                                ),
                            ),
                            spacing="2",
                        ),
                        justify="between",
                        align="end",
                        width="100%",
                    ),
                    rx.card(
                        rx.flex(
                            fact(rx.cond(S.is_commission, "Invoice date", "Date"), S.invoice_date),
                            rx.cond(~S.is_credit_note, fact("Due date", S.due_date)),
                            fact(
                                rx.cond(
                                    S.is_commission,
                                    "Commission",
                                    rx.cond(S.is_credit_note, "Credited to you", "Amount"),
                                ),
                                S.amount,
                            ),
                            rx.cond(
                                ~S.is_credit_note,
                                fact("Deducted from your payout", S.deducted),
                            ),
                            rx.cond(
                                ~S.is_credit_note,
                                fact(
                                    "To pay",
                                    rx.cond(S.nothing_to_pay, "Nothing to pay", S.payable),
                                ),
                            ),
                            rx.vstack(
                                rx.text("Status", size="1", color_scheme="gray", weight="medium"),
                                status_text(S.status, "", S.colour_css, id="document-status"),
                                spacing="1",
                            ),
                            wrap="wrap",
                            spacing="6",
                        ),
                        width="100%",
                    ),
                    rx.cond(
                        S.is_credit_note,
                        rx.callout(
                            rx.foreach(S.instructions, lambda line: rx.text(line)),
                            icon="info",
                            color_scheme="green",
                            width="100%",
                            id="credit-note-use",
                        ),
                    ),
                    rx.cond(
                        S.is_credit_note,
                        rx.fragment(),
                        rx.cond(
                            S.nothing_to_pay,
                            rx.callout(
                                "Deducted from your payout — nothing to pay.",
                                icon="circle_check",
                                color_scheme="green",
                                width="100%",
                            ),
                            rx.callout(
                                rx.vstack(
                                    rx.foreach(S.instructions, lambda line: rx.text(line)),
                                    rx.text(
                                        "Property ID and invoice number: ",
                                        rx.code(S.payment_reference, id="payment-reference"),
                                    ),
                                    spacing="1",
                                    id="payment-instructions",
                                ),
                                icon="landmark",
                                color_scheme="blue",
                                width="100%",
                            ),
                        ),
                    ),
                    rx.cond(
                        S.is_commission,
                        rx.card(
                            rx.vstack(
                                rx.heading("Reservation statement", size="4", as_="h2"),
                                rx.table.root(
                                    rx.table.header(
                                        rx.table.row(
                                            rx.table.column_header_cell("Reservation"),
                                            rx.table.column_header_cell("Guest"),
                                            rx.table.column_header_cell("Item"),
                                            rx.table.column_header_cell("Dates"),
                                            rx.table.column_header_cell(
                                                "Amount", text_align="right"
                                            ),
                                            rx.table.column_header_cell("Rate", text_align="right"),
                                            rx.table.column_header_cell(
                                                "Commission", text_align="right"
                                            ),
                                            rx.table.column_header_cell("Paid"),
                                        )
                                    ),
                                    rx.table.body(rx.foreach(S.lines, _statement_row)),
                                    width="100%",
                                ),
                                spacing="3",
                                width="100%",
                            ),
                            width="100%",
                        ),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        live_updates(S.poll),
        active="Invoices",
    )


# -- Financial Overview ----------------------------------------------------------------------
def _payout_row(row: PayoutRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.period),
        rx.table.cell(row.gross, text_align="right"),
        rx.table.cell(row.commission, text_align="right"),
        rx.table.cell(row.net, text_align="right"),
    )


def overview_page() -> rx.Component:
    return partner_shell(
        page_header("Financial Overview", "How you pay your commission, and where to."),
        rx.cond(
            O.view == "loading",
            loading_card("Loading…"),
            rx.vstack(
                rx.grid(
                    rx.card(
                        rx.vstack(
                            rx.heading("Payment information", size="4", as_="h2"),
                            fact("Your payment method", O.method_label, id="payment-method"),
                            rx.text(O.how_it_works, size="2", color_scheme="gray"),
                            fact("Reference to quote on transfers", O.reference_format),
                            spacing="3",
                        ),
                    ),
                    rx.card(
                        rx.vstack(
                            rx.heading("Our bank details (for transfers)", size="4", as_="h2"),
                            fact("Account holder", O.platform_name),
                            fact("Bank", O.bank_name),
                            fact("IBAN", O.iban, id="platform-iban"),
                            fact("BIC", O.bic),
                            spacing="3",
                        ),
                    ),
                    rx.card(
                        rx.vstack(
                            rx.heading("Your payout account", size="4", as_="h2"),
                            rx.cond(
                                O.payout_account != "",
                                rx.vstack(
                                    fact("Account holder", O.payout_holder),
                                    fact("IBAN", O.payout_account),
                                    spacing="3",
                                ),
                                rx.text("No payout account yet.", color_scheme="gray"),
                            ),
                            rx.link("Bank details →", href="/partner/bank-details", size="2"),
                            spacing="3",
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="4",
                    width="100%",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading(
                            "Commission by month (", O.currency, ", last 12 months)", size="4"
                        ),
                        rx.recharts.bar_chart(
                            rx.recharts.bar(
                                data_key="commission", fill="var(--accent-9)", name="Commission"
                            ),
                            rx.recharts.x_axis(data_key="month"),
                            rx.recharts.y_axis(),
                            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                            rx.recharts.graphing_tooltip(),
                            data=O.chart,
                            width="100%",
                            height=260,
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                    id="commission-chart",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading("Payouts", size="4", as_="h2"),
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("Period"),
                                    rx.table.column_header_cell("Collected", text_align="right"),
                                    rx.table.column_header_cell("Commission", text_align="right"),
                                    rx.table.column_header_cell("Paid out", text_align="right"),
                                )
                            ),
                            rx.table.body(rx.foreach(O.payouts, _payout_row)),
                            width="100%",
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
        live_updates(O.poll),
        active="Financial Overview",
    )


# -- Bank details ----------------------------------------------------------------------------
def _input(label: str, name: str, placeholder: str, value: rx.Var[str] | str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(
            id=name,
            name=name,
            placeholder=placeholder,
            default_value=value,
            size="3",
            width="100%",
        ),
        rx.cond(
            B.errors.contains(name),  # type: ignore[attr-defined]
            rx.text(B.errors[name], size="1", color_scheme="red", id=name + "-error"),
        ),
        spacing="1",
        width="100%",
    )


def bank_details_page() -> rx.Component:
    return partner_shell(
        page_header(
            "Bank details",
            "The account we pay your payouts into (and collect direct debits from).",
            rx.cond(
                ~B.editing,
                rx.button(rx.icon("pencil", size=16), "Edit bank details", on_click=B.start_edit),
            ),
        ),
        rx.cond(
            B.saved != "",
            rx.callout(B.saved, icon="circle_check", color_scheme="green", margin_bottom="16px"),
        ),
        rx.card(
            rx.cond(
                B.editing,
                rx.form(
                    rx.vstack(
                        _input("Account holder", "account_holder", "Villa Azul S.L.", B.holder),
                        _input("IBAN", "iban", "ES91 2100 0418 4502 0005 1332"),
                        _input("BIC (optional)", "bic", "CAIXESBBXXX"),
                        form_error(B.errors.contains("form"), B.errors["form"]),  # type: ignore[attr-defined]
                        rx.hstack(
                            rx.button("Save", type="submit", loading=B.saving),
                            rx.button(
                                "Cancel",
                                variant="soft",
                                color_scheme="gray",
                                on_click=B.cancel_edit,
                            ),
                            spacing="2",
                        ),
                        spacing="4",
                        max_width="520px",
                    ),
                    on_submit=B.save,
                    reset_on_submit=False,
                ),
                rx.cond(
                    B.iban_masked != "",
                    rx.flex(
                        fact("Account holder", B.holder),
                        fact("IBAN", B.iban_masked, id="iban-masked"),
                        fact("BIC", B.bic),
                        fact("Last changed", B.updated),
                        wrap="wrap",
                        spacing="6",
                    ),
                    rx.text("No bank account on file yet.", color_scheme="gray"),
                ),
            ),
            width="100%",
        ),
        mandate_notice(),
        live_updates(B.poll),
        active="Bank details",
    )
