"""The partner's direct debit mandate under Bank details (kept live by the Bank details page's
state): signed, or a new one waiting for the partner to read and accept it."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.partner.bank_details.state import BankDetailsState as b


def mandate_notice() -> rx.Component:
    """The partner's direct debit mandate under Bank details (kept live by the Bank details
    page's state): "Direct debit mandate …, signed … by … from …, collected from …", or — a new
    mandate waiting for the partner — its text to read and accept (nothing is debited before)."""
    return rx.cond(
        b.mandate_pending,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("signature", size=20),
                    rx.heading("Accept your direct debit mandate", size="4", as_="h2"),
                    spacing="2",
                    align="center",
                ),
                rx.text(b.mandate, size="2", color_scheme="amber", id="direct-debit-mandate"),
                rx.box(
                    rx.foreach(b.mandate_terms, lambda line: rx.text(line, size="2")),
                    padding="12px",
                    border="1px solid var(--gray-a6)",
                    border_radius="6px",
                    width="100%",
                    id="mandate-terms",
                    style={"display": "flex", "flex_direction": "column", "gap": "6px"},
                ),
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(
                            checked=b.mandate_agreed,
                            on_change=b.set_mandate_agreed,
                            id="mandate-agree",
                        ),
                        rx.text(
                            "I have read this mandate and accept it for the account above, as ",
                            rx.text.strong(b.signer),
                            ".",
                            size="2",
                        ),
                        spacing="2",
                        align="start",
                    ),
                    html_for="mandate-agree",
                ),
                rx.text(
                    "We record who accepts it, when, and from which address.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.cond(
                    b.mandate_error != "",
                    rx.text(b.mandate_error, size="2", color_scheme="red", id="mandate-error"),
                ),
                rx.button(
                    rx.cond(b.accepting, rx.spinner(size="1"), rx.icon("check", size=16)),
                    "Accept mandate",
                    on_click=b.accept_mandate,
                    disabled=~b.mandate_agreed | b.accepting,
                    id="accept-mandate",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            margin_top="16px",
            id="mandate-to-accept",
            style={"border_left": "4px solid var(--amber-9)"},
        ),
        rx.cond(
            b.mandate != "",
            rx.callout(
                b.mandate,
                icon="landmark",
                color_scheme="blue",
                id="direct-debit-mandate",
                margin_top="16px",
            ),
        ),
    )
