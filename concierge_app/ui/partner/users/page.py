"""`/partner/users`: the partner's own Extranet logins and Invite a colleague (an emailed link
to choose a password); Disable / Enable a colleague (never yourself)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.partner.shell import partner_shell
from concierge_app.ui.partner.users.state import ColleagueRow
from concierge_app.ui.partner.users.state import PartnerUsersState as U
from concierge_app.ui.shared.account_status import active_toggle, login_row
from concierge_app.ui.shared.forms import form_error, form_field
from concierge_app.ui.shared.layout import loading_card, page_header


def _action(r: ObjectVar[ColleagueRow]) -> rx.Component:
    return rx.cond(
        r.is_me,
        rx.text("You", size="1", color_scheme="gray"),
        active_toggle(
            r.status, r.email, enable=U.set_active(r.id, True), disable=U.set_active(r.id, False)
        ),
    )


def _row(r: ObjectVar[ColleagueRow]) -> rx.Component:
    return login_row(
        r, group_label="All properties", action=_action(r), class_name="partner-colleague"
    )


def _field(label: str, name: str, kind: str) -> rx.Component:
    element = f"colleague-{name}"
    return form_field(
        label,
        element,
        rx.input(id=element, name=name, type=kind, required=True, max_length=254, width="100%"),
        rx.cond(
            U.errors.contains(name),
            rx.text(U.errors[name], size="1", color_scheme="red", id=f"{element}-error"),
        ),
    )


def _invite() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Invite a colleague", size="4", as_="h2"),
                rx.text(
                    "They get an email with a link (valid 7 days) to choose their password, "
                    "and see this property's finance pages.",
                    size="2",
                    color_scheme="gray",
                ),
                _field("Email", "email", "email"),
                _field("Name", "name", "text"),
                form_error(U.errors.contains("form"), U.errors["form"]),
                rx.button(
                    rx.cond(U.busy, rx.spinner(size="2")),
                    "Send invitation",
                    type="submit",
                    disabled=U.busy,
                    id="send-colleague-invitation",
                ),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=U.invite,
            reset_on_submit=False,
            key=U.form_key,
            id="colleague-form",
        ),
        width="100%",
        max_width="560px",
    )


def partner_users_page() -> rx.Component:
    return partner_shell(
        page_header("Users", "Who can sign in to this property's Extranet."),
        rx.cond(
            U.loading,
            loading_card("Loading users…"),
            rx.vstack(
                rx.cond(
                    U.message != "",
                    rx.callout(
                        U.message,
                        icon="circle_check",
                        color_scheme="green",
                        role="status",
                        id="colleagues-message",
                    ),
                ),
                form_error(U.error != "", U.error),
                rx.card(
                    rx.foreach(U.colleagues, _row),
                    width="100%",
                    max_width="720px",
                    id="partner-users",
                ),
                _invite(),
                spacing="4",
                width="100%",
            ),
        ),
        active="Users",
    )
