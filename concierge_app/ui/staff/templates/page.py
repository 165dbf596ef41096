"""`/templates`: the Invoice Sent and Payment Received messages, edited with a live preview."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.forms import field_label
from concierge_app.ui.shared.layout import page_header
from concierge_app.ui.staff.shell import page_shell
from concierge_app.ui.staff.templates.state import LIMITS_NOTE
from concierge_app.ui.staff.templates.state import TemplatesState as S


def _field_error(field: str) -> rx.Component:
    return rx.cond(
        (S.error != "") & (S.error_field == field),
        rx.text(S.error, size="1", color_scheme="red", role="alert", id=f"{field}-error"),
    )


def _editor() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    field_label("Template", "template-key"),
                    rx.select(
                        S.template_labels,
                        id="template-key",
                        value=S.template_label,
                        on_change=S.choose,
                    ),
                    spacing="1",
                ),
                rx.vstack(
                    field_label("Language", "template-language"),
                    rx.cond(
                        S.translatable,
                        rx.select(
                            S.language_labels,
                            id="template-language",
                            value=S.language_label,
                            on_change=S.choose_language,
                        ),
                        rx.text(
                            "English only (read by staff)",
                            size="2",
                            color_scheme="gray",
                            id="template-language",
                        ),
                    ),
                    spacing="1",
                ),
                wrap="wrap",
                spacing="4",
            ),
            rx.cond(
                S.translatable,
                rx.callout(
                    S.source_note,
                    icon=rx.cond(S.source == "english", "languages", "info"),
                    color_scheme=rx.cond(S.source == "english", "amber", "gray"),
                    size="1",
                    id="template-source",
                    custom_attrs={"data-source": S.source},
                ),
            ),
            field_label("Subject", "template-subject"),
            rx.input(
                id="template-subject",
                value=S.subject,
                on_change=S.set_subject.debounce(250),
                width="100%",
            ),
            _field_error("subject"),
            field_label("Body", "template-body"),
            rx.text_area(
                id="template-body",
                value=S.body,
                on_change=S.set_body.debounce(250),
                rows="14",
                width="100%",
                font_family="var(--code-font-family)",
            ),
            _field_error("body"),
            rx.cond(
                (S.error != "") & (S.error_field == ""),
                rx.callout(S.error, icon="triangle_alert", color_scheme="red", role="alert"),
            ),
            rx.text("Placeholders you can use:", size="1", color_scheme="gray"),
            rx.flex(
                rx.foreach(
                    S.placeholders, lambda p: rx.code("{{ " + p + " }}", size="1", variant="soft")
                ),
                wrap="wrap",
                spacing="1",
            ),
            rx.text(LIMITS_NOTE, size="1", color_scheme="gray", id="template-limits"),
            rx.hstack(
                rx.cond(
                    S.is_admin,
                    rx.button(
                        rx.cond(S.saving, rx.spinner(size="2"), rx.icon("save", size=16)),
                        "Save template",
                        on_click=S.save,
                        disabled=S.saving,
                    ),
                    rx.text("Only an admin can change templates.", size="2", color_scheme="gray"),
                ),
                rx.cond(
                    S.saved_note != "",
                    rx.text(S.saved_note, size="2", color_scheme="green", role="status"),
                ),
                align="center",
                spacing="3",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _preview() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Preview", size="3", as_="h2"),
                rx.spacer(),
                field_label("On booking", "preview-booking"),
                rx.select(
                    S.bookings,
                    id="preview-booking",
                    value=S.preview_booking,
                    on_change=S.set_preview_booking,
                    size="1",
                ),
                align="center",
                width="100%",
                spacing="2",
            ),
            rx.cond(
                S.preview_ok,
                rx.fragment(
                    rx.text("Subject", size="1", color_scheme="gray"),
                    rx.text(S.preview_subject, weight="bold", id="preview-subject"),
                    rx.separator(size="4"),
                    rx.text(S.preview_body, white_space="pre-wrap", size="2", id="preview-body"),
                ),
                rx.callout.root(
                    rx.callout.icon(rx.icon("shield_alert")),
                    rx.box(
                        rx.text("No preview: this text cannot be used.", size="2", weight="bold"),
                        rx.text(S.error, size="2", margin_top="4px"),
                    ),
                    color_scheme="amber",
                    id="preview-problem",
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def templates_page() -> rx.Component:
    return page_shell(
        page_header(
            "Lifecycle templates",
            "Every message the app sends — to guests (invoice sent, payment received), to "
            "partners (invoices, notes, payments, inbox replies) and to staff (refunds at the "
            "payment provider) — with a live preview.",
        ),
        rx.grid(
            _editor(),
            _preview(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        active="Templates",
    )
