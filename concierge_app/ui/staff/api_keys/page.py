"""`/api-keys` (staff): the keys of integrations (a PMS, a channel manager) for the bookings
API — name, key prefix, scopes, created, last used, status; New key (the secret shown once,
with a copy button) and Revoke (after a confirmation). A phone shows each key as a block."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app import routes
from concierge_app.domain.api_keys import SCOPES
from concierge_app.ui.shared.forms import (
    checked_field,
    dialog_footer,
    dialog_form,
    form_error,
)
from concierge_app.ui.shared.layout import loading_card, page_header, table_header
from concierge_app.ui.staff.api_keys.state import ApiKeysState, KeyRow
from concierge_app.ui.staff.shell import page_shell

S = ApiKeysState


def _status(k: ObjectVar[KeyRow]) -> rx.Component:
    return rx.cond(
        k.status == "Active",
        rx.badge("Active", color_scheme="green", variant="soft", radius="full"),
        rx.tooltip(
            rx.badge("Revoked", color_scheme="gray", variant="outline", radius="full"),
            content="Revoked " + k.revoked,
        ),
    )


def _scopes(k: ObjectVar[KeyRow]) -> rx.Component:
    return rx.flex(
        rx.foreach(k.scopes, lambda s: rx.code(s, size="1", variant="soft")),
        spacing="1",
        wrap="wrap",
    )


def _revoke_button(k: ObjectVar[KeyRow]) -> rx.Component:
    return rx.cond(
        k.status == "Active",
        rx.button(
            "Revoke",
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=S.ask_revoke(k.id),
            class_name="revoke",
            custom_attrs={"aria-label": "Revoke " + k.name + " " + k.prefix},
        ),
    )


def _row(k: ObjectVar[KeyRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(k.name, weight="medium", word_break="break-word")),
        rx.table.cell(rx.code(k.prefix, size="2", variant="ghost"), white_space="nowrap"),
        rx.table.cell(_scopes(k)),
        rx.table.cell(
            rx.vstack(
                rx.text(k.created, white_space="nowrap"),
                rx.text(k.created_by, size="1", color_scheme="gray", word_break="break-all"),
                spacing="0",
            )
        ),
        rx.table.cell(k.last_used, white_space="nowrap"),
        rx.table.cell(_status(k)),
        rx.table.cell(_revoke_button(k), text_align="right"),
        class_name="api-key",
        custom_attrs={"data-status": k.status},
    )


def _stacked(k: ObjectVar[KeyRow]) -> rx.Component:
    """One key on a phone."""
    return rx.vstack(
        rx.hstack(
            rx.text(k.name, weight="medium", size="2", word_break="break-word", min_width="0"),
            _status(k),
            justify="between",
            align="center",
            width="100%",
        ),
        rx.code(k.prefix, size="2", variant="ghost"),
        _scopes(k),
        rx.text(
            "Created ",
            k.created,
            " by ",
            k.created_by,
            size="1",
            color_scheme="gray",
            word_break="break-all",
        ),
        rx.text("Last used: ", k.last_used, size="1", color_scheme="gray"),
        _revoke_button(k),
        spacing="2",
        width="100%",
        padding_y="12px",
        border_bottom="1px solid var(--gray-4)",
        class_name="api-key-stacked",
    )


def _keys() -> rx.Component:
    return rx.cond(
        S.keys.length() > 0,
        rx.card(
            rx.box(
                rx.table.root(
                    table_header(
                        "Integration", "Key", "Scopes", "Created", "Last used", "Status", ""
                    ),
                    rx.table.body(rx.foreach(S.keys, _row)),
                    variant="ghost",
                    width="100%",
                ),
                display=rx.breakpoints(initial="none", md="block"),
            ),
            rx.box(
                rx.foreach(S.keys, _stacked),
                display=rx.breakpoints(initial="block", md="none"),
            ),
            width="100%",
        ),
        rx.callout(
            "No API keys yet. Make one for each integration that pushes bookings "
            "(a PMS, a channel manager).",
            icon="key_round",
        ),
    )


def _secret_shown() -> rx.Component:
    return rx.vstack(
        rx.callout(
            "Copy this key now and store it in " + S.new_name + "'s settings: it is shown "
            "once, here, and cannot be shown again.",
            icon="triangle_alert",
            color_scheme="amber",
            width="100%",
        ),
        rx.hstack(
            rx.code(
                S.new_secret,
                id="new-secret",
                size="2",
                word_break="break-all",
                padding="8px",
                flex="1",
                min_width="0",
            ),
            rx.button(
                rx.icon("copy", size=14),
                "Copy",
                variant="soft",
                on_click=[rx.set_clipboard(S.new_secret), rx.toast("Copied.")],
                id="copy-secret",
                type="button",
            ),
            align="center",
            width="100%",
        ),
        rx.text(
            "Requests send it as ",
            rx.code("Authorization: Bearer ck_live_…"),
            ". The API is described at ",
            rx.link(routes.API_OPENAPI, href=routes.API_OPENAPI, is_external=True),
            ".",
            size="1",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.button("Done", on_click=S.done, id="secret-done"),
            justify="end",
            width="100%",
        ),
        spacing="3",
        width="100%",
        margin_top="16px",
    )


def _create_form() -> rx.Component:
    return dialog_form(
        checked_field(
            "Integration",
            "key-name",
            rx.input,
            errors=S.errors,
            field="name",
            placeholder="e.g. Guesty, Hostaway",
            max_length=100,
            hint="Who uses the key; it shows in the audit log of what the key does.",
        ),
        rx.vstack(
            rx.text("Scopes", size="2", weight="medium"),
            *[
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(name=scope, default_checked=True, id=f"scope-{i}"),
                        rx.code(scope, size="1"),
                        rx.text(label, size="2", color_scheme="gray"),
                        align="center",
                        spacing="2",
                        wrap="wrap",
                    ),
                )
                for i, (scope, label) in enumerate(SCOPES.items())
            ],
            rx.cond(
                S.errors.contains("scopes"),
                rx.text(S.errors["scopes"], size="1", color_scheme="red", id="scopes-error"),
            ),
            spacing="2",
            width="100%",
        ),
        dialog_footer(rx.dialog.close, "Cancel", "Create key", busy=S.busy, id="create-key"),
        on_submit=S.create,
        spacing="4",
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.new_secret != "", "Your new API key", "New API key")),
            rx.dialog.description(
                "A key lets an integration create, read and cancel bookings through the API.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(S.new_secret != "", _secret_shown(), _create_form()),
            max_width="560px",
            id="create-key-dialog",
        ),
        open=S.creating,
        on_open_change=S.close_create,
    )


def _revoke_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Revoke " + S.revoke_label + "?"),
            rx.alert_dialog.description(
                "Requests with this key are refused from now on. Revoking cannot be undone: "
                "the integration needs a new key.",
                size="2",
            ),
            dialog_form(
                form_error(S.revoke_error != "", S.revoke_error),
                dialog_footer(
                    rx.alert_dialog.cancel,
                    "Go back",
                    "Revoke key",
                    busy=S.busy,
                    color_scheme="red",
                    id="confirm-revoke",
                ),
                on_submit=S.revoke,
                spacing="4",
            ),
            max_width="480px",
            id="revoke-dialog",
        ),
        open=S.revoke_id != "",
        on_open_change=S.close_revoke,
    )


def api_keys_page() -> rx.Component:
    return page_shell(
        page_header(
            "API keys",
            "Keys of the integrations that push bookings through the API "
            "(Authorization: Bearer). Only a key's start is kept to recognise it. " + S.times_note,
            rx.button(rx.icon("plus", size=16), "New key", on_click=S.open_create, id="new-key"),
        ),
        rx.cond(
            S.message != "",
            rx.callout(
                S.message,
                icon="check",
                color_scheme="green",
                width="100%",
                margin_bottom="16px",
                role="status",
                id="key-message",
            ),
        ),
        rx.cond(S.loading, loading_card("Loading the keys…"), _keys()),
        _create_dialog(),
        _revoke_dialog(),
        active="API keys",
    )
