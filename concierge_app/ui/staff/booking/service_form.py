"""The Add service dialog: a new service for the Trip Portfolio, with its payment strategy."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.domain.service_text import DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.ui.shared.forms import (
    checked_field,
    dialog_footer,
    dialog_form,
    form_error,
    form_field,
    validation_props,
)
from concierge_app.ui.staff.booking.common import money_input
from concierge_app.ui.staff.booking.rows import STRATEGY_CHOICES, OperatorOption
from concierge_app.ui.staff.booking.state import BookingState as S

STRATEGY_HELP = {
    PaymentStrategy.OPERATOR_COLLECTS_FULL.value: (
        "No invoice: the guest pays the operator at the time of service (Pay Provider)."
    ),
    PaymentStrategy.PLATFORM_COLLECTS_FULL.value: (
        "The full amount becomes a line on the concierge invoice when you confirm."
    ),
    PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT.value: (
        "Only the deposit is invoiced; the operator collects the balance at the time of service."
    ),
    PaymentStrategy.INCLUDED_IN_STAY.value: (
        "No separate charge: the service is bundled into the accommodation rate."
    ),
}


def _operator_item(option: ObjectVar[OperatorOption]) -> rx.Component:
    return rx.select.item(option.name, value=option.id)


def _pair(*fields: rx.Component) -> rx.Component:
    return rx.grid(*fields, columns="2", spacing="3", width="100%")


def add_service_dialog() -> rx.Component:
    errors = S.form_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Add service"),
            rx.dialog.description(
                "The service starts as a draft on the Trip Portfolio. Check the strategy: it is "
                "locked when you confirm.",
                size="2",
                color_scheme="gray",
            ),
            dialog_form(
                checked_field(
                    "Title",
                    "service-title",
                    rx.input,
                    errors=errors,
                    field="title",
                    hint=f"One line, up to {TITLE_MAX_CHARS} characters.",
                    placeholder="e.g. Sunset sailing tour for four",
                ),
                checked_field(
                    "Description",
                    "service-description",
                    rx.text_area,
                    errors=errors,
                    field="description",
                    hint=f"Optional; up to {DESCRIPTION_MAX_CHARS:,} characters.",
                    rows="2",
                    placeholder="What the guest sees on the line",
                ),
                _pair(
                    form_field(
                        "Operator",
                        "service-operator",
                        rx.select.root(
                            rx.select.trigger(
                                id="service-operator",
                                placeholder="Choose an operator",
                                width="100%",
                                **validation_props(errors, "operator", "service-operator"),
                            ),
                            rx.select.content(rx.foreach(S.operators, _operator_item)),
                            name="operator",
                        ),
                        errors=errors,
                        key="operator",
                    ),
                    checked_field(
                        "Service date",
                        "service-date",
                        rx.input,
                        errors=errors,
                        field="service_date",
                        type="date",
                        default_value=S.overview.check_in_iso,
                    ),
                ),
                form_field(
                    "Payment strategy",
                    "service-strategy",
                    rx.select.root(
                        rx.select.trigger(
                            id="service-strategy",
                            placeholder="Choose how payment is handled",
                            width="100%",
                            **validation_props(errors, "strategy", "service-strategy"),
                        ),
                        rx.select.content(
                            *[
                                rx.select.item(label, value=value)
                                for value, label in STRATEGY_CHOICES
                            ]
                        ),
                        name="strategy",
                        value=S.form_strategy,
                        on_change=S.set_form_strategy,
                    ),
                    errors=errors,
                    key="strategy",
                    hint=rx.match(
                        S.form_strategy,
                        *STRATEGY_HELP.items(),
                        "Only the two platform-collects strategies put a line on the invoice.",
                    ),
                ),
                _pair(
                    form_field(
                        "Gross price",
                        "service-gross",
                        money_input(
                            "service-gross",
                            "gross_price",
                            errors,
                            "gross_price",
                            placeholder="0.00",
                        ),
                        errors=errors,
                        key="gross_price",
                        hint="What the guest pays for the service in total.",
                    ),
                    form_field(
                        "Deposit",
                        "service-deposit",
                        money_input(
                            "service-deposit",
                            "deposit",
                            errors,
                            "deposit",
                            placeholder=rx.cond(S.needs_deposit, "0.00", "—"),
                            disabled=~S.needs_deposit,
                        ),
                        errors=errors,
                        key="deposit",
                        hint=rx.cond(
                            S.needs_deposit,
                            "Invoiced now; the operator collects the balance.",
                            "Only for Platform Collects Deposit.",
                        ),
                    ),
                ),
                form_error(errors.contains("form"), errors["form"]),  # type: ignore[attr-defined]
                dialog_footer(
                    rx.dialog.close,
                    "Close",
                    "Add service",
                    busy=S.busy == "add",
                    id="add-service-submit",
                ),
                on_submit=S.add_service,
                id="add-service-form",
            ),
            max_width="560px",
            id="add-service-dialog",
        ),
        open=S.adding,
        on_open_change=S.close_add_service,
    )
