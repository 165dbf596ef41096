"""`/users` (admins): every staff member with roles, status and last sign-in; Invite (email,
name, roles: an emailed link), Roles, Disable / Enable and Reset password. A member without
the admin role sees why the page is not for them."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.shared.account_status import active_toggle, status_badge
from concierge_app.ui.shared.forms import dialog_form, form_error, form_field
from concierge_app.ui.shared.layout import loading_card, page_header, table_header
from concierge_app.ui.staff.shell import page_shell
from concierge_app.ui.staff.users.state import ROLE_ORDER, UserRow, UsersState

S = UsersState

ROLE_HINTS = {
    "concierge": "bookings, services, invoices",
    "finance": "refunds, partner money, write-off, exports",
    "admin": "users, API keys, templates, sign-in security",
}


def _actions(r: ObjectVar[UserRow]) -> rx.Component:
    return rx.hstack(
        rx.button(
            "Roles",
            size="1",
            variant="soft",
            on_click=S.open_roles(r.id),
            custom_attrs={"aria-label": "Roles of " + r.email},
            class_name="edit-roles",
        ),
        rx.cond(
            r.status == "Active",
            rx.button(
                "Reset password",
                size="1",
                variant="soft",
                on_click=S.reset_password(r.id),
                custom_attrs={"aria-label": "Reset password of " + r.email},
                class_name="reset-password",
            ),
        ),
        rx.cond(
            ~r.is_me,
            active_toggle(r.status, r.email, enable=S.enable(r.id), disable=S.disable(r.id)),
        ),
        spacing="2",
        justify="end",
        wrap="wrap",
    )


def _row(r: ObjectVar[UserRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(r.name, weight="medium", word_break="break-word")),
        rx.table.cell(rx.text(r.email, word_break="break-all")),
        rx.table.cell(r.roles),
        rx.table.cell(status_badge(r.status)),
        rx.table.cell(r.last_sign_in, white_space="nowrap"),
        rx.table.cell(_actions(r)),
        class_name="staff-user",
        custom_attrs={"data-email": r.email},
    )


def _stacked(r: ObjectVar[UserRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(r.name, size="2", weight="medium", word_break="break-word", min_width="0"),
            status_badge(r.status),
            justify="between",
            width="100%",
            align="center",
        ),
        rx.text(r.email, size="1", word_break="break-all"),
        rx.text(r.roles, " · last sign-in ", r.last_sign_in, size="1", color_scheme="gray"),
        _actions(r),
        spacing="1",
        width="100%",
        padding_y="10px",
        border_bottom="1px solid var(--gray-a5)",
        class_name="staff-user-stacked",
    )


def _role_choice() -> rx.Component:
    return rx.vstack(
        rx.text("Roles", size="2", weight="medium"),
        *[
            rx.el.label(
                rx.hstack(
                    rx.checkbox(
                        checked=S.pick[role.value],
                        on_change=lambda on, r=role.value: S.toggle(r, on),
                        id=f"role-{role.value}",
                    ),
                    rx.text(role.value.capitalize(), size="2", weight="medium"),
                    rx.text(ROLE_HINTS[role.value], size="1", color_scheme="gray"),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
            )
            for role in ROLE_ORDER
        ],
        rx.cond(
            S.form_errors.contains("roles"),
            rx.text(S.form_errors["roles"], size="1", color_scheme="red", id="roles-error"),
        ),
        spacing="2",
        width="100%",
    )


def _footer(close_label: str, submit: str, submit_id: str) -> rx.Component:
    return rx.hstack(
        rx.dialog.close(rx.button(close_label, type="button", variant="soft", color_scheme="gray")),
        rx.button(
            rx.cond(S.saving, rx.spinner(size="1")),
            submit,
            type="submit",
            disabled=S.saving,
            id=submit_id,
        ),
        justify="end",
        width="100%",
    )


def _field(label: str, name: str, kind: str = "text") -> rx.Component:
    element = f"invite-{name}"
    return form_field(
        label,
        element,
        rx.input(id=element, name=name, type=kind, width="100%", required=True, max_length=254),
        rx.cond(
            S.form_errors.contains(name),
            rx.text(S.form_errors[name], size="1", color_scheme="red", id=f"{element}-error"),
        ),
    )


def _invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Invite a staff member"),
            rx.dialog.description(
                "They get an email with a link (valid 7 days) to choose their password.",
                size="2",
            ),
            dialog_form(
                _field("Email", "email", "email"),
                _field("Name", "name"),
                _role_choice(),
                form_error(S.form_errors.contains("form"), S.form_errors["form"]),
                _footer("Cancel", "Send invitation", "send-invitation"),
                on_submit=S.invite,
                id="invite-form",
            ),
            max_width="480px",
        ),
        open=S.invite_open,
        on_open_change=S.set_invite_open,
    )


def _roles_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Roles of ", S.roles_name),
            rx.dialog.description("A member may hold several roles.", size="2"),
            dialog_form(
                _role_choice(),
                form_error(S.form_errors.contains("form"), S.form_errors["form"]),
                _footer("Cancel", "Save roles", "save-roles"),
                on_submit=S.save_roles,
                id="roles-form",
            ),
            max_width="480px",
        ),
        open=S.roles_open,
        on_open_change=S.set_roles_open,
    )


def _list() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.cond(
                S.message != "",
                rx.callout(
                    S.message,
                    icon="circle_check",
                    color_scheme="green",
                    role="status",
                    id="users-message",
                ),
            ),
            form_error(S.error != "", S.error),
            rx.mobile_only(rx.foreach(S.users, _stacked), width="100%"),
            rx.tablet_and_desktop(
                rx.table.root(
                    table_header("Name", "Email", "Roles", "Status", "Last sign-in", ""),
                    rx.table.body(rx.foreach(S.users, _row)),
                    width="100%",
                    variant="ghost",
                ),
                width="100%",
            ),
            rx.text(S.times_note, size="1", color_scheme="gray"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="staff-users",
    )


def users_page() -> rx.Component:
    return page_shell(
        page_header(
            "Users",
            "Staff members, their roles and sign-in.",
            rx.cond(
                S.is_admin,
                rx.button(
                    rx.icon("user_plus", size=16), "Invite", on_click=S.open_invite, id="invite"
                ),
            ),
        ),
        rx.cond(
            S.loading,
            loading_card("Loading users…"),
            rx.cond(
                S.refused != "",
                rx.callout(
                    S.refused, icon="lock", color_scheme="amber", role="alert", id="users-refused"
                ),
                _list(),
            ),
        ),
        _invite_dialog(),
        _roles_dialog(),
        active="Users",
    )
