"""`/partner/bank-details`: the payout account, masked, and its edit form (IBAN checked); the
direct debit mandate under it (`mandate.py`). Live."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.partner.bank_details.mandate import mandate_notice
from concierge_app.ui.partner.bank_details.state import BankDetailsState as B
from concierge_app.ui.partner.shell import fact, partner_shell
from concierge_app.ui.shared.forms import form_error
from concierge_app.ui.shared.layout import page_header


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
        active="Bank details",
    )
