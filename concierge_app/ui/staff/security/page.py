"""`/security` (staff): locked accounts with Unlock, your own password and two-factor sign-in,
and the sign-in log of staff and partners (newest first, times in the platform's zone)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.ui.shared.forms import form_error, form_field
from concierge_app.ui.shared.layout import loading_card, page_header, table_header
from concierge_app.ui.shared.password_form import password_form
from concierge_app.ui.staff.security.state import LockedRow, LogRow, SecurityState
from concierge_app.ui.staff.shell import page_shell
from concierge_app.ui.staff.sign_in.page import two_factor_secret

S = SecurityState


def _section(title: str, subtitle: str, *children: rx.Component, **props: object) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.vstack(
                rx.heading(title, size="4", as_="h2"),
                rx.text(subtitle, size="2", color_scheme="gray"),
                spacing="1",
            ),
            *children,
            spacing="4",
            width="100%",
        ),
        width="100%",
        **props,
    )


# -- locked accounts ---------------------------------------------------------------------------
def _locked_row(r: ObjectVar[LockedRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(r.email, weight="medium", word_break="break-all")),
        rx.table.cell(r.who),
        rx.table.cell(r.failures, text_align="right"),
        rx.table.cell(r.locked_at, white_space="nowrap"),
        rx.table.cell(rx.cond(S.is_admin, _unlock_button(r)), text_align="right"),
        class_name="locked-account",
    )


def _unlock_button(r: ObjectVar[LockedRow]) -> rx.Component:
    return rx.button(
        rx.icon("lock_open", size=14),
        "Unlock",
        size="1",
        variant="soft",
        on_click=S.unlock(r.id),
        class_name="unlock",
        custom_attrs={"aria-label": "Unlock " + r.email},
    )


def _locked_stacked(r: ObjectVar[LockedRow]) -> rx.Component:
    """One locked account on a phone: a block of lines instead of a table row."""
    return rx.hstack(
        rx.vstack(
            rx.text(r.email, size="2", weight="medium", word_break="break-all"),
            rx.text(
                r.who,
                " · ",
                r.failures,
                " failures · locked ",
                r.locked_at,
                size="1",
                color_scheme="gray",
            ),
            spacing="1",
            min_width="0",
        ),
        rx.cond(S.is_admin, _unlock_button(r)),
        justify="between",
        align="center",
        width="100%",
        padding_y="10px",
        border_bottom="1px solid var(--gray-a5)",
        class_name="locked-account-stacked",
    )


def _locked() -> rx.Component:
    return _section(
        "Locked accounts",
        "An account is locked after 10 failed sign-ins in a row (growing waits start after 3). "
        "Unlock it once you know the person tried, or after their password is changed.",
        rx.cond(
            S.message != "",
            rx.callout(S.message, icon="circle_check", color_scheme="green", role="status"),
        ),
        form_error(S.unlock_error != "", S.unlock_error),
        rx.cond(
            S.locked.length() > 0,
            rx.fragment(
                rx.mobile_only(rx.foreach(S.locked, _locked_stacked), width="100%"),
                rx.tablet_and_desktop(
                    rx.table.root(
                        table_header(
                            "Email", "Who", "Failures", "Locked at", "", right=("Failures",)
                        ),
                        rx.table.body(rx.foreach(S.locked, _locked_row)),
                        width="100%",
                        variant="ghost",
                    ),
                    width="100%",
                ),
            ),
            rx.text("No account is locked.", size="2", color_scheme="gray", id="no-locked"),
        ),
        id="locked-accounts",
    )


# -- your account ------------------------------------------------------------------------------
def _password() -> rx.Component:
    return _section(
        "Your password",
        "Your other sessions are signed out when you change it.",
        password_form(
            errors=S.password_errors,
            strength=S.new_strength,
            message=S.password_message,
            busy=S.saving_password,
            on_submit=S.change_password,
            on_new_password=S.rate_password,
        ),
        id="your-password",
    )


def _code_form(label: str, on_submit: object, form_id: str, *extra: rx.Component) -> rx.Component:
    return rx.form(
        rx.vstack(
            form_field(
                "Authentication code",
                f"{form_id}-code",
                rx.input(
                    id=f"{form_id}-code",
                    name="code",
                    required=True,
                    auto_complete="one-time-code",
                    input_mode="numeric",
                    max_length=7,
                    placeholder="123 456",
                    width="100%",
                    max_width="200px",
                ),
            ),
            form_error(S.code_error != "", S.code_error),
            rx.hstack(
                rx.button(
                    rx.cond(S.switching, rx.spinner(size="2"), rx.fragment()),
                    label,
                    type="submit",
                    disabled=S.switching,
                ),
                *extra,
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
            align="start",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        id=form_id,
    )


def _two_factor_state() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.two_factor_on,
            rx.badge("On", color_scheme="green", size="2", id="two-factor-status"),
            rx.badge("Off", color_scheme="gray", size="2", id="two-factor-status"),
        ),
        rx.cond(
            S.two_factor_required,
            rx.text(
                "Required: in production, staff who can issue refunds must use it.",
                size="2",
                color_scheme="gray",
            ),
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _two_factor() -> rx.Component:
    off_and_idle = rx.vstack(
        rx.text(
            "Sign in with your password and a 6-digit code from an authenticator app on your "
            "phone (Google Authenticator, 1Password, Authy, …).",
            size="2",
        ),
        form_error(S.code_error != "", S.code_error),
        rx.button(
            rx.icon("smartphone", size=16),
            "Set up two-factor sign-in",
            on_click=S.start_two_factor,
            id="start-two-factor",
        ),
        spacing="3",
        align="start",
        width="100%",
    )
    setting_up = rx.vstack(
        rx.text(
            "Scan the QR code with your authenticator app, or type the key, then enter the "
            "6-digit code it shows to turn two-factor sign-in on.",
            size="2",
        ),
        two_factor_secret(S.setup_qr, S.setup_secret),
        _code_form(
            "Turn on",
            S.confirm_two_factor,
            "confirm-two-factor",
            rx.button(
                "Cancel",
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=S.cancel_two_factor,
            ),
        ),
        spacing="3",
        width="100%",
    )
    on = rx.vstack(
        rx.text("Each sign-in asks for a code from your authenticator app.", size="2"),
        rx.cond(
            S.two_factor_required,
            form_error(S.code_error != "", S.code_error),
            rx.vstack(
                rx.text("To switch it off, enter a current code.", size="2", color_scheme="gray"),
                _code_form("Switch off", S.switch_off_two_factor, "switch-off-two-factor"),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )
    return _section(
        "Two-factor sign-in",
        "A code from your phone as well as your password.",
        _two_factor_state(),
        rx.cond(
            S.two_factor_message != "",
            rx.callout(
                S.two_factor_message, icon="circle_check", color_scheme="green", role="status"
            ),
        ),
        rx.cond(S.two_factor_on, on, rx.cond(S.setting_up, setting_up, off_and_idle)),
        id="your-two-factor",
    )


# -- the sign-in log ---------------------------------------------------------------------------
def _what(r: ObjectVar[LogRow]) -> rx.Component:
    return rx.cond(
        r.alarming,
        rx.badge(
            r.what, color_scheme="red", variant="soft", white_space="normal", justify_self="start"
        ),
        rx.text(r.what, size="2"),
    )


def _log_row(r: ObjectVar[LogRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.at, white_space="nowrap"),
        rx.table.cell(rx.text(r.email, word_break="break-all")),
        rx.table.cell(r.who),
        rx.table.cell(r.address, white_space="nowrap"),
        rx.table.cell(_what(r)),
        class_name="sign-in-line",
    )


def _log_stacked(r: ObjectVar[LogRow]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(r.email, size="2", weight="medium", word_break="break-all"),
            rx.text(r.who, size="1", color_scheme="gray"),
            justify="between",
            width="100%",
            align="baseline",
        ),
        rx.text(r.at, " · ", r.address, size="1", color_scheme="gray"),
        _what(r),
        class_name="sign-in-line-stacked",
        border_bottom="1px solid var(--gray-a5)",
        padding_y="10px",
        display="grid",
        gap="4px",
    )


def _log() -> rx.Component:
    return _section(
        "Sign-in log",
        "Every sign-in of staff and partners, each failure and refusal, lockouts and unlocks, "
        "password changes and two-factor changes — the newest 200, newest first. "
        + S.times_note
        + " The address is the browser's as the app sees it.",
        rx.cond(
            S.log.length() > 0,
            rx.fragment(
                rx.mobile_only(rx.foreach(S.log, _log_stacked), width="100%"),
                rx.tablet_and_desktop(
                    rx.table.root(
                        table_header("Time", "Email", "Who", "Address", "What"),
                        rx.table.body(rx.foreach(S.log, _log_row)),
                        width="100%",
                        variant="ghost",
                        size="1",
                    ),
                    width="100%",
                ),
            ),
            rx.text("Nobody has signed in yet.", size="2", color_scheme="gray"),
        ),
        id="sign-in-log",
    )


def security_page() -> rx.Component:
    return page_shell(
        page_header(
            "Security",
            "Locked accounts, your password and two-factor sign-in, and the sign-in log. "
            + S.times_note,
        ),
        rx.cond(
            S.loading,
            loading_card("Loading the sign-in log…"),
            rx.vstack(
                _locked(),
                rx.grid(
                    _password(),
                    _two_factor(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                    align_items="start",
                ),
                _log(),
                spacing="4",
                width="100%",
            ),
        ),
        active="Security",
    )
