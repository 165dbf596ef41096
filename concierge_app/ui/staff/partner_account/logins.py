"""The Extranet logins card of a partner's staff page (admins only): who signs in to this
partner's Extranet, Invite (to the property, or as a group login to its whole group), Disable /
Enable."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.shared.account_status import active_toggle, login_row
from concierge_app.ui.shared.forms import form_error
from concierge_app.ui.staff.partner_account.logins_state import LoginRow
from concierge_app.ui.staff.partner_account.logins_state import PartnerLoginsState as L


def _row(r: ObjectVar[LoginRow]) -> rx.Component:
    return login_row(
        r,
        group_label="Group login",
        action=active_toggle(
            r.status,
            r.email,
            enable=L.set_login_active(r.id, True),
            disable=L.set_login_active(r.id, False),
        ),
        class_name="partner-login",
    )


def _invite_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(
                name="email",
                type="email",
                placeholder="Email",
                required=True,
                max_length=254,
                id="login-email-input",
                custom_attrs={"aria-label": "Email of the new login"},
                flex="2 1 200px",
            ),
            rx.input(
                name="name",
                placeholder="Name",
                required=True,
                max_length=200,
                id="login-name-input",
                custom_attrs={"aria-label": "Name of the new login"},
                flex="2 1 160px",
            ),
            rx.el.label(
                rx.hstack(
                    rx.checkbox(name="group_login", id="login-group"),
                    rx.text("Group login", size="2"),
                    spacing="2",
                    align="center",
                ),
            ),
            rx.button(
                rx.cond(L.invite_busy, rx.spinner(size="1")),
                "Invite",
                type="submit",
                disabled=L.invite_busy,
                id="invite-login",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        on_submit=L.invite_login,
        reset_on_submit=False,
        key=L.invite_key,
        width="100%",
    )


def logins_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Extranet logins", size="4", as_="h2"),
            rx.text(
                "Who signs in to this partner's Extranet. A group login sees every property "
                "of the partner's group. An invitation is an emailed link, valid 7 days.",
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                L.logins_message != "",
                rx.callout(
                    L.logins_message,
                    icon="circle_check",
                    color_scheme="green",
                    id="logins-message",
                ),
            ),
            form_error(L.logins_error != "", L.logins_error),
            rx.box(rx.foreach(L.logins, _row), width="100%"),
            _invite_form(),
            rx.foreach(
                L.logins_errors.values(),
                lambda message: rx.text(message, size="1", color_scheme="red"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="partner-logins",
        on_mount=L.load_logins,
    )
