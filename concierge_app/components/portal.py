"""The guest portal's parts: overview, accommodation plan, Payments card and services."""

from __future__ import annotations

import reflex as rx

from concierge_app.components.layout import brand_mark
from concierge_app.settings import get_settings
from concierge_app.state.portal import (
    CANCELLED_BOOKING,
    PayAllGroup,
    PortalInvoice,
    PortalService,
)
from concierge_app.state.portal import PortalState as S


def guest_shell(*children: rx.Component) -> rx.Component:
    """The guest's chrome: the platform's name, no staff navigation."""
    return rx.box(
        rx.box(
            rx.hstack(
                rx.hstack(
                    brand_mark(),
                    rx.text(get_settings().platform_name, size="4", weight="bold", trim="both"),
                    align="center",
                    spacing="2",
                ),
                rx.cond(
                    S.reference != "",
                    rx.text("Booking ", rx.code(S.reference), size="2", color_scheme="gray"),
                ),
                justify="between",
                align="center",
                max_width="880px",
                margin_x="auto",
                padding_x="20px",
                height="56px",
            ),
            border_bottom="1px solid var(--gray-a5)",
            background_color="var(--color-panel-solid)",
        ),
        rx.box(*children, max_width="880px", margin_x="auto", padding_x="20px", padding_y="28px"),
        min_height="100vh",
        background_color="var(--gray-2)",
    )


def _fact(label: str, value: rx.Var[str] | str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(value, size="3", weight="medium"),
        spacing="1",
        min_width="120px",
    )


def overview() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text("Welcome, ", S.guest_name, size="2", color_scheme="gray"),
                    rx.heading("Your stay at ", S.property_name, size="6", as_="h1"),
                    spacing="1",
                ),
                rx.cond(
                    S.booking_cancelled,
                    rx.badge("Cancelled", color_scheme="red", variant="solid", radius="full"),
                ),
                justify="between",
                align="start",
                width="100%",
            ),
            rx.flex(
                _fact("Check-in", S.check_in),
                _fact("Check-out", S.check_out),
                _fact("Length", S.nights),
                _fact("Booking", S.reference),
                wrap="wrap",
                spacing="5",
            ),
            spacing="4",
        ),
        width="100%",
        size="3",
    )


def accommodation_plan() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Accommodation plan", size="4", as_="h2"),
            rx.flex(
                _fact("Stay", S.stay),
                _fact("Accommodation total", S.accommodation_total),
                _fact("Paid", S.accommodation_paid),
                _fact("Balance", S.accommodation_balance),
                _fact("How it is paid", S.accommodation_collector),
                wrap="wrap",
                spacing="5",
            ),
            rx.text(
                "Your stay is settled as agreed in your booking, apart from the concierge "
                "invoices below.",
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
        ),
        width="100%",
        size="3",
        id="accommodation-plan",
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
                rx.table.row_header_cell(rx.text("Total", weight="bold")),
                rx.table.cell(
                    rx.text(invoice.total, weight="bold"), text_align="right", white_space="nowrap"
                ),
            ),
        ),
        size="1",
        width="100%",
    )


def _pay_button(ids: rx.Var[str], label: rx.Var[str] | str, **props: object) -> rx.Component:
    return rx.button(
        rx.cond(S.paying == ids, rx.spinner(size="2"), rx.icon("credit_card", size=16)),
        rx.cond(S.paying == ids, "Opening checkout…", label),
        on_click=S.pay(ids),
        disabled=S.paying != "",
        size="3",
        **props,
    )


def _open_invoice(invoice: PortalInvoice) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.hstack(
                        rx.text("Invoice ", invoice.number, weight="bold"),
                        rx.badge("Due", color_scheme="orange", variant="soft", radius="full"),
                        align="center",
                        spacing="2",
                    ),
                    rx.text("Sent ", invoice.issued, size="1", color_scheme="gray"),
                    spacing="1",
                ),
                rx.cond(
                    ~S.pay_all & ~S.booking_cancelled,
                    _pay_button(
                        invoice.id,
                        "Pay " + invoice.total,
                        custom_attrs={"data-testid": "pay-invoice", "data-invoice": invoice.number},
                    ),
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            _lines_table(invoice),
            spacing="3",
        ),
        padding="16px",
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
                rx.el.label(
                    rx.text("Pay All", weight="bold", size="2"),
                    html_for="pay-all-toggle",
                ),
                rx.text(
                    "— settle every open invoice in a single transaction",
                    size="2",
                    color_scheme="gray",
                ),
                align="center",
                spacing="2",
            ),
            rx.cond(
                S.pay_all,
                rx.vstack(
                    rx.cond(
                        S.multi_currency,
                        rx.callout(
                            "Your open invoices are in "
                            + S.currencies_text
                            + ". A payment is made in one currency, so Pay All opens one "
                            "checkout per currency.",
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
            padding="14px",
            border_radius="var(--radius-3)",
            background_color="var(--accent-a2)",
            border="1px solid var(--accent-a5)",
        ),
    )


def _paid_invoice(invoice: PortalInvoice) -> rx.Component:
    return rx.hstack(
        rx.hstack(
            rx.icon("circle_check", size=18, color="var(--green-9)"),
            rx.text("Invoice ", invoice.number, weight="medium"),
            rx.badge("Paid", color_scheme="green", variant="soft", radius="full"),
            align="center",
            spacing="2",
        ),
        rx.hstack(
            rx.text("Paid ", invoice.paid, size="2", color_scheme="gray"),
            rx.text(invoice.total, weight="medium"),
            spacing="4",
            align="center",
        ),
        justify="between",
        align="center",
        width="100%",
        padding_y="8px",
        border_bottom="1px solid var(--gray-a4)",
        custom_attrs={"data-testid": "paid-invoice", "data-invoice": invoice.number},
    )


def _notice() -> rx.Component:
    return rx.cond(
        S.notice != "",
        rx.callout(
            S.notice,
            icon=rx.match(
                S.notice_kind, ("success", "circle_check"), ("warning", "info"), "loader"
            ),
            color_scheme=rx.match(
                S.notice_kind, ("success", "green"), ("warning", "amber"), "blue"
            ),
            width="100%",
            id="checkout-notice",
        ),
    )


def payments_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading("Payments", size="5", as_="h2"),
                    rx.text("Concierge services billed by us", size="2", color_scheme="gray"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("Total due", size="1", color_scheme="gray", weight="medium"),
                    rx.text(
                        rx.cond(S.open_count > 0, S.total_due, "Nothing to pay"),
                        size="6",
                        weight="bold",
                        id="total-due",
                    ),
                    rx.cond(
                        S.open_count > 0,
                        rx.text("Currency: ", S.currency, size="1", color_scheme="gray"),
                    ),
                    align="end",
                    spacing="0",
                ),
                justify="between",
                align="start",
                width="100%",
            ),
            _notice(),
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
                    CANCELLED_BOOKING,
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
                    "No concierge invoices yet. When we bill a service, it appears here.",
                    color_scheme="gray",
                    size="2",
                ),
            ),
            rx.cond(
                S.paid_invoices.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.text("Paid", size="2", weight="bold", color_scheme="gray"),
                    rx.foreach(S.paid_invoices, _paid_invoice),
                    spacing="1",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        size="3",
        id="payments-card",
    )


def _service(service: PortalService) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(service.title, weight="medium"),
            rx.text(service.date, " · ", service.operator, size="1", color_scheme="gray"),
            rx.cond(
                service.description != "",
                rx.text(service.description, size="1", color_scheme="gray"),
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.badge(
                service.badge,
                color_scheme=service.colour,  # type: ignore[arg-type]
                variant="soft",
                radius="large",
                size="2",
                white_space="normal",
                text_align="right",
                max_width="480px",
                custom_attrs={"data-testid": "service-badge"},
            ),
            rx.cond(service.amount != "", rx.text(service.amount, size="2", weight="medium")),
            rx.cond(service.note != "", rx.text(service.note, size="1", color_scheme="gray")),
            align="end",
            spacing="1",
        ),
        justify="between",
        align="start",
        width="100%",
        padding_y="10px",
        border_bottom="1px solid var(--gray-a4)",
        custom_attrs={"data-testid": "guest-service", "data-title": service.title},
    )


def services_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Your services", size="4", as_="h2"),
            rx.cond(
                S.services.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(S.services, _service), spacing="0", width="100%"),
                rx.text("No services booked yet.", color_scheme="gray", size="2"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        size="3",
        id="guest-services",
    )
