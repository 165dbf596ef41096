"""`/partners` (staff): every property and service operator, searched by name or ID and
filtered by kind, each linked to its page (its details, rate history and documents), and the
New partner dialog."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.shared.forms import dialog_footer, dialog_form, form_error
from concierge_app.ui.shared.layout import loading_card, page_header, table_header
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE
from concierge_app.ui.shared.stacked_table import PHONE, stacked_cell, stacked_table
from concierge_app.ui.staff.partners.fields import partner_fields
from concierge_app.ui.staff.partners.state import (
    KIND_FILTERS,
    NEW_VALUES,
    PartnerRow,
)
from concierge_app.ui.staff.partners.state import PartnersState as S
from concierge_app.ui.staff.shell import page_shell


def _kind_badge(row: ObjectVar[PartnerRow]) -> rx.Component:
    return rx.badge(
        row.kind_label,
        color_scheme=rx.cond(row.kind == "property", "blue", "violet"),
        variant="soft",
        radius="full",
    )


def _row(row: ObjectVar[PartnerRow]) -> rx.Component:
    return rx.table.row(
        stacked_cell(
            rx.vstack(
                rx.link(row.name, href=row.href, weight="medium", **WRAP_ANYWHERE),
                rx.text(
                    row.code, size="1", color_scheme="gray", font_family="var(--code-font-family)"
                ),
                spacing="0",
            ),
            title=True,
            min_width="140px",
        ),
        stacked_cell(_kind_badge(row), label="Kind"),
        stacked_cell(rx.text(row.category, color_scheme="gray", **WRAP_ANYWHERE), label="Category"),
        stacked_cell(row.country, label="Country"),
        stacked_cell(rx.code(row.currency, variant="ghost", color_scheme="gray"), label="Currency"),
        stacked_cell(
            rx.link(
                row.rate,
                href=row.href + "#commission-rate-card",
                color_scheme="gray",
                high_contrast=True,
                title="The rate history",
            ),
            label="Rate today",
            white_space="nowrap",
            font_variant_numeric="tabular-nums",
        ),
        stacked_cell(
            rx.text(row.finance_email, size="2", **WRAP_ANYWHERE), label="Finance email", wide=True
        ),
        align="center",
        custom_attrs={"data-code": row.code},
        class_name="partner-row",
    )


def _table() -> rx.Component:
    return rx.card(
        stacked_table(
            table_header(
                "Partner",
                "Kind",
                "Category",
                "Country",
                "Currency",
                "Rate today",
                "Finance email",
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            stack_below=PHONE,
            variant="ghost",
            size=rx.breakpoints(initial="1", lg="2"),
            id="partners-table",
        ),
        size=rx.breakpoints(initial="1", lg="2"),
        width="100%",
    )


def _message(icon: str, title: str, text: str, element_id: str) -> rx.Component:
    return rx.card(
        rx.center(
            rx.vstack(
                rx.icon(icon, size=28, color="var(--gray-10)"),
                rx.heading(title, size="4", as_="h2"),
                rx.text(text, color_scheme="gray", size="2", text_align="center"),
                align="center",
                spacing="3",
            ),
            padding_y="48px",
        ),
        id=element_id,
        width="100%",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label(rx.text("Search", size="1", weight="medium"), html_for="partner-search"),
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                id="partner-search",
                placeholder="Name or partner ID",
                value=S.search,
                on_change=S.set_search.debounce(300),
                max_length=100,
                width=rx.breakpoints(initial="100%", sm="260px"),
            ),
            spacing="1",
            width=rx.breakpoints(initial="100%", sm="auto"),
        ),
        rx.vstack(
            rx.el.label(rx.text("Kind", size="1", weight="medium"), html_for="partner-kind"),
            rx.select(
                list(KIND_FILTERS),
                id="partner-kind",
                value=S.kind_filter,
                on_change=S.set_kind_filter,
            ),
            spacing="1",
        ),
        align="end",
        spacing="4",
        wrap="wrap",
        margin_bottom="16px",
        width="100%",
    )


def new_partner_dialog() -> rx.Component:
    errors = S.new_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New partner"),
            rx.dialog.description(
                "A property or service operator the platform earns commission from. Its ID is "
                "fixed once created; its commission rate becomes its opening rate.",
                size="2",
                color_scheme="gray",
            ),
            dialog_form(
                *partner_fields("new-partner", errors, NEW_VALUES, new=True),
                form_error(errors.contains("form"), errors["form"]),  # type: ignore[attr-defined]
                dialog_footer(
                    rx.dialog.close,
                    "Close",
                    "Create partner",
                    busy=S.saving,
                    id="new-partner-submit",
                ),
                on_submit=S.create_partner,
                id="new-partner-form",
            ),
            max_width="640px",
            id="new-partner-dialog",
        ),
        open=S.creating,
        on_open_change=S.close_new_partner,
    )


def partners_page() -> rx.Component:
    return page_shell(
        page_header(
            "Partners",
            "Properties and service operators: their details, commission rate and accounts.",
            rx.cond(S.view == "table", rx.badge(S.partner_count, size="2", variant="surface")),
            rx.button(
                rx.icon("plus", size=16),
                "New partner",
                on_click=S.open_new_partner,
                id="new-partner",
            ),
        ),
        _filters(),
        rx.match(
            S.view,
            ("loading", loading_card("Loading partners…", id="partners-loading")),
            (
                "error",
                rx.callout(S.error, icon="triangle_alert", color_scheme="red", role="alert"),
            ),
            (
                "empty",
                _message("store", "No partners yet", "Add one with New partner.", "partners-empty"),
            ),
            (
                "no-match",
                _message(
                    "search_x",
                    "No partner matches",
                    "Try another name or ID, or show all kinds.",
                    "partners-no-match",
                ),
            ),
            _table(),
        ),
        new_partner_dialog(),
        active="Partners",
    )
