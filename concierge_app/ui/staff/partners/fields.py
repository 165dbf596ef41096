"""The fields of a partner as staff type them: the New partner form and the Edit details dialog
share them (names as `domain.partner_input.FIELDS`, each checked against `errors[name]`), and
how a refusal's problems map onto them (`field_errors`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import reflex as rx

from concierge_app.domain.booking_input import LOCALES
from concierge_app.domain.partner_input import (
    COMMISSION_PAYMENT_METHODS,
    DEFAULT_LANGUAGE,
    FIELDS,
    KINDS,
    PAYOUT_METHODS,
)
from concierge_app.ui.shared.booking_fields import CURRENCIES, pair
from concierge_app.ui.shared.forms import checked_field, form_field, validation_props

# The edit form's extra field: the day a new commission rate starts.
EDIT_FIELDS = (*FIELDS, "rate_valid_from")


def field_errors(problems: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The first message for each field; anything not a field of the form is form-wide."""
    errors: dict[str, str] = {}
    for field, message in problems:
        errors.setdefault(field if field in EDIT_FIELDS else "form", message)
    return errors


def _select(
    label: str,
    element_id: str,
    name: str,
    options: Mapping[str, str],
    errors: Any,
    default: Any,
    hint: Any = None,
) -> rx.Component:
    return form_field(
        label,
        element_id,
        rx.select.root(
            rx.select.trigger(
                id=element_id, width="100%", **validation_props(errors, name, element_id)
            ),
            rx.select.content(*[rx.select.item(text, value=v) for v, text in options.items()]),
            name=name,
            default_value=default,
        ),
        errors=errors,
        key=name,
        hint=hint,
    )


def _section(title: str, note: str = "") -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3", as_="h3"),
        *([rx.text(note, size="1", color_scheme="gray")] if note else []),
        spacing="0",
        width="100%",
        padding_top="8px",
        border_top="1px solid var(--gray-a4)",
    )


def _identity(text: Callable[..., rx.Component]) -> list[rx.Component]:
    """Legal name, category, address, country and time zone."""
    return [
        pair(
            text("Legal name", "name", placeholder="Villa Sol S.L."),
            text("Category", "category", placeholder="villa, sailing tour, private chef…"),
        ),
        text(
            "Address",
            "address",
            control=rx.text_area,
            rows="3",
            placeholder="Street\nPostcode and town",
            hint="One line each; at most 6 lines.",
        ),
        pair(
            text(
                "Country",
                "country",
                placeholder="ES",
                max_length=2,
                hint="ISO code (ES, GB, AU); sets VAT/GST.",
                text_transform="uppercase",
            ),
            text("Time zone", "timezone", placeholder="Europe/Madrid"),
        ),
    ]


def partner_fields(
    prefix: str,
    errors: Any,
    values: Mapping[str, Any],
    *,
    new: bool,
    fixed_note: Any = "",
    rate_note: Any = "",
    bank_note: Any = "",
) -> list[rx.Component]:
    """The fields, ids `{prefix}-…`; `values` the starting text by field name. A new partner
    has its ID and opening rate; an edit has a new rate from a day (optional) instead, with
    `fixed_note` under currency and kind, `rate_note` (the rate today) and `bank_note` (the
    account on file, masked)."""

    def text(label: str, field: str, **props: Any) -> rx.Component:
        return checked_field(
            label,
            f"{prefix}-{field.replace('_', '-')}",
            props.pop("control", rx.input),
            errors=errors,
            field=field,
            default_value=values.get(field, ""),
            **props,
        )

    code = text("Partner ID", "code", placeholder="VILLA-01", hint="Quoted on transfers; fixed.")
    kind = _select(
        "Kind", f"{prefix}-kind", "kind", KINDS, errors, values.get("kind", "property"), fixed_note
    )
    currency = _select(
        "Currency",
        f"{prefix}-currency",
        "currency",
        CURRENCIES,
        errors,
        values.get("currency", "EUR"),
        fixed_note,
    )
    if new:
        top = [
            pair(code, kind),
            *_identity(text),
            pair(
                currency,
                text(
                    "Commission rate (%)", "commission_rate", input_mode="decimal", placeholder="15"
                ),
            ),
        ]
    else:
        top = [
            pair(kind, currency),
            *_identity(text),
            pair(
                text(
                    "New commission rate (%)",
                    "commission_rate",
                    input_mode="decimal",
                    placeholder="Leave empty to keep it",
                    hint=rate_note,
                ),
                text(
                    "New rate from",
                    "rate_valid_from",
                    type="date",
                    hint="Tomorrow at the earliest; earlier bookings keep their rate.",
                ),
            ),
        ]
    return [
        *top,
        _section("How money moves"),
        pair(
            _select(
                "Payout",
                f"{prefix}-payout-method",
                "payout_method",
                PAYOUT_METHODS,
                errors,
                values.get("payout_method", "net_payout"),
            ),
            _select(
                "Commission paid by",
                f"{prefix}-commission-payment-method",
                "commission_payment_method",
                COMMISSION_PAYMENT_METHODS,
                errors,
                values.get("commission_payment_method", "payout_deduction"),
            ),
        ),
        pair(
            text("Finance contact", "finance_contact", placeholder="Full name"),
            text("Finance email", "finance_email", type="email", placeholder="finance@…"),
        ),
        _select(
            "Language",
            f"{prefix}-language",
            "language",
            LOCALES,
            errors,
            values.get("language", DEFAULT_LANGUAGE),
            "Payment reminders and notices are written in it.",
        ),
        _section(
            "Bank account",
            "Optional (needed for direct debit). The IBAN's checksum is checked."
            if new
            else "Leave empty to keep the account on file.",
        ),
        *(
            []
            if isinstance(bank_note, str)
            else [
                rx.cond(bank_note != "", rx.text(bank_note, size="2", id=f"{prefix}-bank-on-file"))
            ]
        ),
        pair(
            text("Account holder", "account_holder"),
            text("BIC", "bic", placeholder="Optional"),
        ),
        text("IBAN", "iban", placeholder="ES91 2100 0418 4502 0005 1332"),
    ]
