"""The guest portal's Payments card: the total due, the open invoices with Pay, Pay All (one
checkout per currency), the notice after the checkout, the paid invoices and the documents
(invoices and receipts as PDF)."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.guest.portal.parts import CARD_SIZE
from concierge_app.ui.guest.portal.rows import PayAllGroup, PortalDocument, PortalInvoice
from concierge_app.ui.guest.portal.state import PortalState as S
from concierge_app.ui.guest.portal.state import T
from concierge_app.ui.shared.pay_online.parts import checkout_notice, pay_button

SCROLL_TO_PAYMENTS = (
    "if (window.location.hash === '#payments') {"
    " requestAnimationFrame(() => document.getElementById('payments')?.scrollIntoView("
    "{block: 'start'})); }"
)


def _lines_table(invoice: PortalInvoice) -> rx.Component:
    return rx.table.root(
        rx.table.body(
            rx.foreach(
                invoice.lines,
                lambda line: rx.table.row(
                    rx.table.cell(line.description),
                    rx.table.cell(line.amount, text_align="right", white_space="nowrap"),
                ),
            ),
            rx.table.row(
                rx.table.row_header_cell(rx.text(T("Total"), weight="bold")),
                rx.table.cell(
                    rx.text(invoice.total, weight="bold"), text_align="right", white_space="nowrap"
                ),
            ),
        ),
        size="1",
        width="100%",
    )


def _pay_button(ids: rx.Var[str], label: rx.Var[str] | str, **props: object) -> rx.Component:
    """Pay (one invoice) or Pay All (one currency); a long label wraps instead of overflowing."""
    return pay_button(
        S,
        ids,
        label,
        large=True,
        opening_label=T("Opening checkout…"),
        size="3",
        height="auto",
        min_height="var(--space-7)",
        padding_y="8px",
        white_space="normal",
        **props,
    )


def _open_invoice(invoice: PortalInvoice) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.flex(
                        rx.text(invoice.title, weight="bold"),
                        rx.badge(T("Due"), color_scheme="orange", variant="soft", radius="full"),
                        align="center",
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.text(invoice.issued, size="1", color_scheme="gray"),
                    spacing="1",
                ),
                rx.cond(
                    ~S.pay_all & ~S.booking_cancelled,
                    _pay_button(
                        invoice.id,
                        invoice.pay_label,
                        width=rx.breakpoints(initial="100%", xs="auto"),
                        custom_attrs={"data-testid": "pay-invoice", "data-invoice": invoice.number},
                    ),
                ),
                justify="between",
                align=rx.breakpoints(initial="start", xs="center"),
                direction=rx.breakpoints(initial="column", xs="row"),
                spacing="3",
                width="100%",
            ),
            _lines_table(invoice),
            spacing="3",
        ),
        padding=rx.breakpoints(initial="12px", sm="16px"),
        border="1px solid var(--gray-a5)",
        border_radius="var(--radius-3)",
        background_color="var(--color-panel-solid)",
        width="100%",
        custom_attrs={"data-testid": "open-invoice", "data-invoice": invoice.number},
    )


def _pay_all_group(group: PayAllGroup) -> rx.Component:
    return _pay_button(
        group.ids,
        group.label,
        width="100%",
        custom_attrs={"data-testid": "pay-all", "data-currency": group.currency},
    )


def _pay_all() -> rx.Component:
    return rx.cond(
        (S.open_count >= 2) & ~S.booking_cancelled,
        rx.vstack(
            rx.hstack(
                rx.switch(
                    checked=S.pay_all,
                    on_change=S.toggle_pay_all,
                    id="pay-all-toggle",
                    size="2",
                ),
                rx.text(
                    rx.el.label(rx.text.strong(T("Pay All")), html_for="pay-all-toggle"),
                    rx.text.span(
                        " — ",
                        T("settle every open invoice in a single transaction"),
                        color_scheme="gray",
                    ),
                    size="2",
                ),
                align="start",
                spacing="2",
            ),
            rx.cond(
                S.pay_all,
                rx.vstack(
                    rx.cond(
                        S.multi_currency,
                        rx.callout(
                            S.currencies_note,
                            icon="info",
                            color_scheme="blue",
                            size="1",
                            width="100%",
                        ),
                    ),
                    rx.foreach(S.pay_all_groups, _pay_all_group),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
            padding=rx.breakpoints(initial="12px", sm="14px"),
            border_radius="var(--radius-3)",
            background_color="var(--accent-a2)",
            border="1px solid var(--accent-a5)",
        ),
    )


def _paid_invoice(invoice: PortalInvoice) -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.icon("circle_check", size=18, color="var(--green-9)", flex_shrink="0"),
            rx.text(invoice.title, weight="medium"),
            rx.badge(T("Paid"), color_scheme="green", variant="soft", radius="full"),
            align="center",
            spacing="2",
        ),
        rx.hstack(
            rx.text(invoice.paid, size="2", color_scheme="gray"),
            rx.text(invoice.total, weight="medium", white_space="nowrap"),
            spacing="4",
            align="center",
            margin_left="auto",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        spacing="2",
        width="100%",
        padding_y="8px",
        border_bottom="1px solid var(--gray-a4)",
        custom_attrs={"data-testid": "paid-invoice", "data-invoice": invoice.number},
    )


def _document(doc: PortalDocument) -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.icon("file_text", size=18, color="var(--gray-10)", flex_shrink="0"),
            rx.text(doc.title, weight="medium"),
            align="center",
            spacing="2",
        ),
        rx.hstack(
            rx.text(doc.date, size="2", color_scheme="gray"),
            rx.text(doc.amount, weight="medium", white_space="nowrap"),
            # A plain anchor: the router's link would navigate inside the app instead.
            rx.el.a(
                rx.hstack(rx.icon("download", size=16), rx.text("PDF"), spacing="1"),
                href=doc.url,
                download=True,
                class_name="rt-Text rt-reset rt-Link rt-underline-auto",
                color="var(--accent-11)",
                custom_attrs={"data-testid": "document-download"},
            ),
            spacing="4",
            align="center",
            margin_left="auto",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        spacing="2",
        width="100%",
        padding_y="8px",
        border_bottom="1px solid var(--gray-a4)",
        custom_attrs={"data-testid": "document", "data-title": doc.title},
    )


def documents_list() -> rx.Component:
    """The booking's documents (sent invoices, receipts), each a PDF to download."""
    return rx.cond(
        S.documents.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.text(T("Documents"), size="2", weight="bold", color_scheme="gray"),
            rx.foreach(S.documents, _document),
            spacing="1",
            width="100%",
            id="documents",
        ),
    )


def payments_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.heading(T("Payments"), size="5", as_="h2"),
                    rx.text(T("Concierge services billed by us"), size="2", color_scheme="gray"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text(T("Total due"), size="1", color_scheme="gray", weight="medium"),
                    rx.text(
                        rx.cond(S.open_count > 0, S.total_due, T("Nothing to pay")),
                        size="6",
                        weight="bold",
                        id="total-due",
                    ),
                    rx.cond(
                        S.open_count > 0,
                        rx.text(S.currency_note, size="1", color_scheme="gray"),
                    ),
                    align="end",
                    spacing="0",
                    margin_left="auto",
                    text_align="right",
                ),
                justify="between",
                align="start",
                wrap="wrap",
                spacing="3",
                width="100%",
            ),
            checkout_notice(S.notice != "", S.notice, S.notice_kind),
            rx.cond(
                S.pay_error != "",
                rx.callout(
                    S.pay_error,
                    icon="triangle_alert",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                    id="pay-error",
                ),
            ),
            rx.cond(
                S.booking_cancelled & (S.open_count > 0),
                rx.callout(
                    S.cancelled_notice,
                    icon="info",
                    color_scheme="gray",
                    width="100%",
                    id="cancelled-booking-notice",
                ),
            ),
            _pay_all(),
            rx.foreach(S.open_invoices, _open_invoice),
            rx.cond(
                (S.open_count == 0) & (S.paid_invoices.length() == 0),  # type: ignore[attr-defined]
                rx.text(
                    T("No concierge invoices yet. When we bill a service, it appears here."),
                    color_scheme="gray",
                    size="2",
                ),
            ),
            rx.cond(
                S.paid_invoices.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.text(T("Paid"), size="2", weight="bold", color_scheme="gray"),
                    rx.foreach(S.paid_invoices, _paid_invoice),
                    spacing="1",
                    width="100%",
                ),
            ),
            documents_list(),
            spacing="4",
            width="100%",
        ),
        width="100%",
        size=CARD_SIZE,
        id="payments",
        scroll_margin_top="12px",
        # The Invoice Sent message links to `…#payments`: the card is only drawn once the
        # booking has loaded, too late for the browser's own jump to the anchor.
        on_mount=rx.call_script(SCROLL_TO_PAYMENTS),
    )
