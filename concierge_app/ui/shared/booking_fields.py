"""The fields of a booking as staff type them: the New booking form and the Edit dialog share
them (names as `domain.booking_input.FIELDS`, each checked against `errors[name]`), and how a
refusal's problems map onto them (`field_errors`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import reflex as rx

from concierge_app.domain.booking_input import COLLECTORS, FIELDS, LOCALES
from concierge_app.domain.currencies import CURRENCY_EXPONENTS
from concierge_app.ui.shared.forms import checked_field, form_field, validation_props

CURRENCIES = {code: code for code in sorted(CURRENCY_EXPONENTS)}


def field_errors(problems: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The first message for each field; anything not a field of the form is form-wide."""
    errors: dict[str, str] = {}
    for field, message in problems:
        errors.setdefault(field if field in FIELDS else "form", message)
    return errors


def pair(*fields: rx.Component) -> rx.Component:
    """Two fields side by side; stacked on a phone."""
    return rx.grid(*fields, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%")


def _select(
    label: str, element_id: str, name: str, items: Any, errors: Any, default: Any, **props: Any
) -> rx.Component:
    return form_field(
        label,
        element_id,
        rx.select.root(
            rx.select.trigger(
                id=element_id, width="100%", **validation_props(errors, name, element_id)
            ),
            rx.select.content(*items),
            name=name,
            default_value=default,
            **props,
        ),
        errors=errors,
        key=name,
    )


def _options(options: dict[str, str]) -> list[rx.Component]:
    return [rx.select.item(text, value=value) for value, text in options.items()]


def booking_fields(
    prefix: str,
    errors: Any,
    properties: Any,
    values: Mapping[str, Any],
    *,
    with_paid: bool,
) -> list[rx.Component]:
    """The fields, ids `{prefix}-…`; `properties` a list Var of [code, label]; `values` the
    starting text by field name."""

    def text(label: str, field: str, **props: Any) -> rx.Component:
        element_id = f"{prefix}-{field.replace('_', '-')}"
        return checked_field(
            label,
            element_id,
            rx.input,
            errors=errors,
            field=field,
            default_value=values.get(field, ""),
            **props,
        )

    property_items = rx.foreach(
        properties,
        lambda option: rx.select.item(option[1], value=option[0]),
    )
    paid = (
        text(
            "Already paid",
            "accommodation_paid",
            input_mode="decimal",
            placeholder="0.00",
            hint="Recorded as an accommodation payment today.",
        )
        if with_paid
        else rx.fragment()
    )
    return [
        pair(text("Guest name", "guest_name"), text("Guest email", "guest_email", type="email")),
        pair(
            _select(
                "Language",
                f"{prefix}-guest-language",
                "guest_language",
                _options(LOCALES),
                errors,
                values.get("guest_language", "en_US"),
            ),
            _select(
                "Property",
                f"{prefix}-property",
                "property",
                [property_items],
                errors,
                values.get("property"),
            ),
        ),
        pair(
            text("Check-in", "check_in", type="date"),
            text("Check-out", "check_out", type="date"),
        ),
        pair(
            _select(
                "Currency",
                f"{prefix}-currency",
                "currency",
                _options(CURRENCIES),
                errors,
                values.get("currency", "EUR"),
            ),
            _select(
                "Accommodation collected by",
                f"{prefix}-collected-by",
                "collected_by",
                _options(COLLECTORS),
                errors,
                values.get("collected_by", "platform"),
            ),
        ),
        pair(
            text(
                "Accommodation total",
                "accommodation_total",
                input_mode="decimal",
                placeholder="0.00",
            ),
            paid,
        ),
        text(
            "External reference",
            "external_reference",
            hint="Optional: the PMS's or channel's id; an import with it updates this booking.",
        ),
    ]
