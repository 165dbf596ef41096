"""`/sandbox/checkout/[session]`: the sandbox's hosted checkout, clearly in test mode.

Stripe's test cards behave as at Stripe: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is
declined. A success sends the signed `checkout.session.completed` event to the app's webhook
handler, then returns the guest to the portal (a partner to its Invoices page)."""

from __future__ import annotations

import reflex as rx

from concierge_app.settings import get_settings
from concierge_app.ui.shared.sandbox_checkout.state import CheckoutLineRow, T
from concierge_app.ui.shared.sandbox_checkout.state import SandboxCheckoutState as S
from concierge_app.ui.shared.test_mode import HIDE_APP_BAR


def _test_mode_banner() -> rx.Component:
    return rx.box(
        rx.flex(
            rx.badge(T("TEST MODE"), color_scheme="orange", variant="solid", size="2"),
            rx.text(
                T("Sandbox checkout — no real card is charged and no money moves."),
                size="2",
                weight="medium",
                text_align="center",
            ),
            align="center",
            justify="center",
            spacing="3",
            wrap="wrap",
        ),
        width="100%",
        padding_y="10px",
        padding_x="12px",
        background_color="var(--orange-3)",
        border_bottom="1px solid var(--orange-6)",
        id="test-mode-banner",
    )


def _line(line: CheckoutLineRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(line.name, weight="medium", size="2"),
            rx.cond(
                line.description != "", rx.text(line.description, size="1", color_scheme="gray")
            ),
            spacing="0",
        ),
        rx.text(line.amount, size="2", weight="medium", white_space="nowrap"),
        justify="between",
        width="100%",
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=16), T("Back"), spacing="1", align="center"),
            href=S.cancel_url,
            color_scheme="gray",
            size="2",
            id="checkout-back",
        ),
        rx.text(get_settings().platform_name, size="3", weight="bold", color_scheme="gray"),
        rx.text(S.reference_label, " ", S.booking_reference, size="2", color_scheme="gray"),
        rx.heading(S.total, size="8", id="checkout-total"),
        rx.divider(),
        rx.foreach(S.lines, _line),
        spacing="3",
        width="100%",
    )


def _field(
    label: rx.Var[str], name: str, placeholder: rx.Var[str] | str, **props: object
) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(id=name, name=name, placeholder=placeholder, size="3", width="100%", **props),
        spacing="1",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(T("Pay with card"), size="4"),
            rx.text(T("Email"), ": ", S.email, size="2", color_scheme="gray"),
            _field(
                T("Card number"),
                "card",
                "1234 1234 1234 1234",
                autocomplete="cc-number",
                input_mode="numeric",
            ),
            rx.hstack(
                _field(T("Expiry"), "expiry", T("MM / YY"), autocomplete="cc-exp"),
                _field(T("CVC"), "cvc", T("CVC"), autocomplete="cc-csc", input_mode="numeric"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                S.error != "",
                rx.callout(
                    S.error,
                    icon="circle_alert",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                    id="card-error",
                ),
            ),
            rx.button(
                rx.cond(S.processing, rx.spinner(size="2"), rx.icon("lock", size=16)),
                rx.cond(S.processing, T("Processing…"), S.pay_label),
                type="submit",
                size="3",
                width="100%",
                disabled=S.processing,
                id="checkout-pay",
            ),
            rx.box(
                rx.text(T("Test cards"), size="1", weight="bold"),
                rx.text(
                    T(
                        "4242 4242 4242 4242 succeeds · 4000 0000 0000 0002 is declined · "
                        "4000 0000 0000 9995 has insufficient funds. Any future expiry, any CVC."
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                padding="10px",
                border_radius="var(--radius-2)",
                background_color="var(--gray-a2)",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=S.pay,
        width="100%",
    )


def _closed(title: rx.Var[str], body: rx.Var[str]) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="5"),
        rx.text(body, color_scheme="gray"),
        rx.cond(S.cancel_url != "", rx.link(S.return_label, href=S.cancel_url)),
        spacing="3",
        align="center",
        padding_y="40px",
        id="checkout-closed",
    )


def sandbox_checkout_page() -> rx.Component:
    return rx.box(
        rx.el.style(HIDE_APP_BAR),  # the page has its own banner, in the checkout's language
        _test_mode_banner(),
        rx.center(
            rx.card(
                rx.match(
                    S.view,
                    ("loading", rx.center(rx.spinner(size="3"), padding_y="60px")),
                    (
                        "open",
                        rx.grid(
                            _summary(),
                            _form(),
                            columns=rx.breakpoints(initial="1", sm="2"),
                            spacing="7",
                            width="100%",
                        ),
                    ),
                    ("complete", _closed(T("This checkout has been paid"), T("Thank you."))),
                    (
                        "expired",
                        _closed(T("This checkout has expired"), T("Start a new payment.")),
                    ),
                    (
                        "off",
                        _closed(
                            T("Sandbox checkout is off"),
                            T("This deployment takes payments through Stripe."),
                        ),
                    ),
                    _closed(
                        T("Checkout not found"), T("Check the link, or start the payment again.")
                    ),
                ),
                size=rx.breakpoints(initial="3", sm="4"),
                width="100%",
                max_width="860px",
            ),
            padding=rx.breakpoints(initial="16px 12px", sm="32px 16px"),
        ),
        min_height="100vh",
        background_color="var(--gray-2)",
    )
