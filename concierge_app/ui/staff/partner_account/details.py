"""The partner's Details card on its staff page (legal name, address, country, currency, how
money moves, the finance contact, the bank account masked, a link to the rate history) and the
Edit details dialog."""

from __future__ import annotations

from typing import Any

import reflex as rx

from concierge_app.services.partner.accounts import DETAILS
from concierge_app.ui.shared.forms import dialog_footer, dialog_form, form_error
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE
from concierge_app.ui.staff.partner_account.state import PartnerAccountState as A
from concierge_app.ui.staff.partners.fields import partner_fields


def _item(label: str, value: Any, element_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(value, size="2", white_space="pre-line", id=element_id, **WRAP_ANYWHERE),
        spacing="0",
        min_width="0",
    )


def details_card() -> rx.Component:
    d = A.details_shown
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Details", size="4", as_="h2"),
                rx.button(
                    rx.icon("pencil", size=14),
                    "Edit details",
                    variant="soft",
                    on_click=A.ask_edit,
                    id="edit-partner-details",
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.grid(
                _item("Legal name", d["name"], "details-name"),
                _item("Kind · category", d["kind"] + " · " + d["category"], "details-kind"),
                _item("Address", d["address"], "details-address"),
                _item(
                    "Country · time zone", d["country"] + " · " + d["timezone"], "details-country"
                ),
                _item("Currency", d["currency"], "details-currency"),
                rx.vstack(
                    rx.text(
                        "Commission rate today", size="1", color_scheme="gray", weight="medium"
                    ),
                    rx.hstack(
                        rx.text(A.details_rate, size="2", id="details-rate"),
                        rx.link("Rate history", href="#commission-rate-card", size="2"),
                        spacing="2",
                        align="baseline",
                    ),
                    spacing="0",
                ),
                _item("Payout", d["payout_method"], "details-payout"),
                _item("Commission paid by", d["commission_payment_method"], "details-paying"),
                _item(
                    "Finance contact",
                    rx.cond(
                        d["finance_contact"] != "",
                        d["finance_contact"] + " · " + d["finance_email"],
                        d["finance_email"],
                    ),
                    "details-finance",
                ),
                _item("Language", d["language"], "details-language"),
                _item(
                    "Bank account",
                    rx.cond(A.details_bank != "", A.details_bank, "None on file"),
                    "details-bank",
                ),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="4",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="partner-details-card",
    )


def edit_details_dialog() -> rx.Component:
    errors = A.edit_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit details of " + A.code),
            rx.dialog.description(
                "Only what you change is saved and audited. The partner ID never changes.",
                size="2",
                color_scheme="gray",
            ),
            dialog_form(
                *partner_fields(
                    "edit-partner",
                    errors,
                    {k: A.details[k] for k in DETAILS} | {"rate_valid_from": A.rate_earliest},
                    new=False,
                    fixed_note=rx.cond(
                        A.details_fixed, "Fixed: it has bookings, services or invoices.", ""
                    ),
                    rate_note="In force today: " + A.details_rate,
                    bank_note=rx.cond(A.details_bank != "", "On file: " + A.details_bank, ""),
                ),
                form_error(errors.contains("form"), errors["form"]),  # type: ignore[attr-defined]
                dialog_footer(
                    rx.dialog.close,
                    "Close",
                    "Save details",
                    busy=A.edit_saving,
                    id="edit-partner-submit",
                ),
                on_submit=A.save_details,
                id="edit-partner-form",
            ),
            max_width="640px",
            id="edit-partner-dialog",
        ),
        open=A.edit_open,
        on_open_change=A.set_edit_open,
    )
