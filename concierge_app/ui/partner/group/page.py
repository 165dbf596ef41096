"""`/partner/group` ("All properties"): a group account's properties, every outstanding document
across them with the total due, how to pay it all at once, and the group's payments with their
allocation breakdown. Live: a payment shows without a reload."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.partner.group.state import (
    AllocationRow,
    GroupInvoiceRow,
    PaymentRow,
    PropertyRow,
)
from concierge_app.ui.partner.group.state import PartnerGroupState as G
from concierge_app.ui.partner.shell import fact, partner_shell
from concierge_app.ui.shared.document_status import STATUS_COLOURS, status_text
from concierge_app.ui.shared.forms import form_error
from concierge_app.ui.shared.layout import loading_card, page_header
from concierge_app.ui.shared.pay_online.parts import checkout_notice, pay_button
from concierge_app.ui.shared.pay_online.rows import PayAllRow
from concierge_app.ui.shared.stacked_table import TABLET, stacked_cell, stacked_table


def _property_card(p: PropertyRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("house", size=18),
                rx.text(p.name, weight="bold"),
                align="center",
                spacing="2",
            ),
            rx.text("Property ID ", p.code, size="1", color_scheme="gray"),
            rx.cond(
                p.total_due != "",
                rx.text(
                    rx.text.strong(p.total_due),
                    " due · ",
                    p.open_count,
                    rx.cond(p.open_count == 1, " document", " documents"),
                    rx.cond(p.overdue > 0, rx.text.span(" · overdue", color=STATUS_COLOURS["red"])),
                    size="2",
                ),
                rx.text("Nothing outstanding", size="2", color=STATUS_COLOURS["green"]),
            ),
            spacing="1",
        ),
        min_width="240px",
        flex="1",
        class_name="group-property",
        custom_attrs={"data-code": p.code},
    )


def _invoice_row(row: GroupInvoiceRow) -> rx.Component:
    return rx.table.row(
        stacked_cell(rx.text(row.number, weight="medium"), wide=True, white_space="nowrap"),
        stacked_cell(
            rx.vstack(
                rx.text(row.property_name, size="2"),
                rx.text(row.property_code, size="1", color_scheme="gray"),
                spacing="0",
            ),
            label="Property",
        ),
        stacked_cell(row.title, label="Document"),
        stacked_cell(row.due_date, label="Due date", white_space="nowrap"),
        stacked_cell(row.outstanding, label="Still due", text_align="right", white_space="nowrap"),
        stacked_cell(
            rx.vstack(
                status_text(row.status, row.colour, row.colour_css),
                rx.cond(
                    row.note != "",
                    rx.text(row.note, size="1", color_scheme="gray", class_name="status-note"),
                ),
                spacing="1",
            ),
            wide=True,
        ),
        custom_attrs={
            "data-number": row.number,
            "data-colour": row.colour,
            "data-property": row.property_code,
        },
        class_name="group-invoice-row",
    )


def _pay_online(o: PayAllRow) -> rx.Component:
    return pay_button(
        G,
        o.ids,
        "Pay all online · " + o.total,
        white_space="nowrap",
        class_name="group-pay-online",
    )


def _outstanding() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Outstanding across your properties", size="4", as_="h2"),
                rx.cond(
                    G.total_due != "",
                    rx.text("Total amount due: ", rx.text.strong(G.total_due), id="group-total"),
                ),
                justify="between",
                width="100%",
                wrap="wrap",
            ),
            rx.cond(
                G.invoices.length() > 0,  # type: ignore[attr-defined]
                stacked_table(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Number"),
                            rx.table.column_header_cell("Property"),
                            rx.table.column_header_cell("Document"),
                            rx.table.column_header_cell("Due date"),
                            rx.table.column_header_cell("Still due", text_align="right"),
                            rx.table.column_header_cell("Status"),
                        )
                    ),
                    rx.table.body(rx.foreach(G.invoices, _invoice_row)),
                    stack_below=TABLET,
                    id="group-outstanding",
                ),
                rx.text(
                    "Nothing outstanding on any property. Thank you!",
                    color_scheme="gray",
                    id="group-outstanding",
                ),
            ),
            rx.text(
                "One payment is applied to these documents oldest due first, across every "
                "property; what is left over is kept as your credit.",
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _how_to_pay() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Pay everything at once", size="4", as_="h2"),
            rx.grid(
                rx.vstack(
                    rx.hstack(
                        rx.icon("landmark", size=16), rx.text("By bank transfer", weight="bold")
                    ),
                    rx.text(
                        "One transfer for every property: quote your group code as the "
                        "reference (add invoice numbers to have those paid first).",
                        size="2",
                    ),
                    rx.grid(
                        fact("Reference", G.code, id="group-reference"),
                        fact("Beneficiary", G.beneficiary),
                        fact("Bank", G.bank_name),
                        fact("IBAN", G.iban, id="group-iban"),
                        fact("BIC", G.bic),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="2",
                ),
                rx.vstack(
                    rx.hstack(rx.icon("credit_card", size=16), rx.text("Online", weight="bold")),
                    rx.text(
                        "By card, through our secure payment page. Written-off documents and "
                        "those with a transfer processing are paid by bank transfer only.",
                        size="2",
                    ),
                    rx.cond(
                        G.pay_all.length() > 0,  # type: ignore[attr-defined]
                        rx.hstack(rx.foreach(G.pay_all, _pay_online), wrap="wrap", spacing="2"),
                        rx.text("Nothing to pay online.", size="2", color_scheme="gray"),
                    ),
                    spacing="2",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="6",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="group-how-to-pay",
    )


def _allocation(line: AllocationRow) -> rx.Component:
    """What one payment paid of one document. Where the payments are stacked, the property
    has a line of its own above the document and the amount."""
    return rx.flex(
        rx.text(
            line.property,
            size="1",
            color_scheme="gray",
            min_width=rx.breakpoints({"0px": "100%", f"{TABLET}px": "220px"}),
        ),
        rx.text(line.number, size="1", font_family="var(--code-font-family)"),
        rx.text(line.amount, size="1", weight="medium"),
        spacing="3",
        align="start",
        flex_wrap=rx.breakpoints({"0px": "wrap", f"{TABLET}px": "nowrap"}),
        row_gap="0",
        class_name="group-allocation",
    )


def _payment_row(p: PaymentRow) -> rx.Component:
    return rx.table.row(
        stacked_cell(p.received, label="Received", white_space="nowrap"),
        stacked_cell(p.method, label="Method", white_space="nowrap"),
        stacked_cell(rx.text(p.amount, weight="medium"), label="Amount", white_space="nowrap"),
        stacked_cell(
            rx.vstack(
                rx.foreach(p.lines, _allocation),
                rx.cond(
                    p.credit_left != "",
                    rx.text("Kept as credit: ", p.credit_left, size="1", weight="medium"),
                ),
                rx.cond(
                    p.lines.length() == 0,  # type: ignore[attr-defined]
                    rx.text("Not applied to any document yet", size="1", color_scheme="gray"),
                ),
                spacing="1",
            ),
            label="Applied to",
            wide=True,
        ),
        custom_attrs={"data-payment": p.id},
        class_name="group-payment",
    )


def _payments() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Recent group payments", size="4", as_="h2"),
                rx.cond(
                    G.credit != "",
                    rx.badge("Your credit: ", G.credit, color_scheme="green", id="group-credit"),
                ),
                justify="between",
                width="100%",
            ),
            rx.cond(
                G.payments.length() > 0,  # type: ignore[attr-defined]
                stacked_table(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Received"),
                            rx.table.column_header_cell("Method"),
                            rx.table.column_header_cell("Amount"),
                            rx.table.column_header_cell("Applied to"),
                        )
                    ),
                    rx.table.body(rx.foreach(G.payments, _payment_row)),
                    stack_below=TABLET,
                    id="group-payments",
                ),
                rx.text(
                    "No group payment yet. A breakdown of each one is emailed to ",
                    G.finance_email,
                    ".",
                    size="2",
                    color_scheme="gray",
                    id="group-payments",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _notices() -> rx.Component:
    return rx.vstack(
        checkout_notice(
            G.checkout_title != "",
            rx.text(rx.text.strong(G.checkout_title), " ", G.checkout_detail),
            G.checkout_kind,
        ),
        rx.cond(
            G.overdue > 0,
            rx.callout(
                "Some of your properties have overdue invoices. If they are not paid, this may "
                "lead to the suspension of those properties from the website.",
                icon="triangle_alert",
                color_scheme="red",
                width="100%",
                id="overdue-warning",
            ),
        ),
        form_error(G.pay_error != "", G.pay_error),
        spacing="3",
        width="100%",
        _empty={"display": "none"},  # no notice: no gap for it either
    )


def partner_group_page() -> rx.Component:
    return partner_shell(
        rx.cond(
            G.view == "loading",
            loading_card("Loading your properties…"),
            rx.cond(
                G.not_group,
                rx.callout(
                    "This page is for group accounts (the multiple property payment plan). "
                    "Your login belongs to one property: see Invoices.",
                    icon="info",
                    width="100%",
                    id="not-a-group",
                ),
                rx.cond(
                    G.view == "error",
                    rx.callout(
                        "We could not load your group. Please try again in a moment.",
                        icon="triangle_alert",
                        color_scheme="red",
                        width="100%",
                    ),
                    rx.vstack(
                        page_header(
                            "All properties",
                            "Your multiple property payment plan: one total due across your "
                            "properties, one payment for all of them.",
                            rx.vstack(
                                rx.text(G.name, weight="bold", id="group-name"),
                                rx.text("Group ", G.code, size="1", color_scheme="gray"),
                                spacing="0",
                                # under the title on a phone: from the left, like it
                                align=rx.breakpoints(initial="start", sm="end"),
                            ),
                        ),
                        _notices(),
                        rx.flex(
                            rx.foreach(G.properties, _property_card),
                            gap="12px",
                            wrap="wrap",
                            width="100%",
                            id="group-properties",
                        ),
                        _outstanding(),
                        _how_to_pay(),
                        _payments(),
                        spacing="5",
                        width="100%",
                    ),
                ),
            ),
        ),
        active="All properties",
    )
