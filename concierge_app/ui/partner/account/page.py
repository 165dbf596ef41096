"""`/partner/account`: the partner login's email and Change password (the same policy and
strength meter as staff)."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.partner.account.state import PartnerProfileState as P
from concierge_app.ui.partner.shell import partner_shell
from concierge_app.ui.shared.layout import loading_card, page_header
from concierge_app.ui.shared.password_form import password_form


def partner_profile_page() -> rx.Component:
    return partner_shell(
        page_header("Account", "Your login to the Extranet."),
        rx.cond(
            P.loading,
            loading_card("Loading your account…"),
            rx.card(
                rx.vstack(
                    rx.vstack(
                        rx.text("Signed in as", size="1", color_scheme="gray", weight="medium"),
                        rx.text(P.login_email, size="3", weight="medium", id="login-email"),
                        spacing="1",
                    ),
                    rx.separator(),
                    rx.heading("Change password", size="4", as_="h2"),
                    rx.text(
                        "Your other sessions are signed out when you change it.",
                        size="2",
                        color_scheme="gray",
                    ),
                    password_form(
                        errors=P.password_errors,
                        strength=P.new_strength,
                        message=P.password_message,
                        busy=P.saving_password,
                        on_submit=P.change_password,
                        on_new_password=P.rate_password,
                    ),
                    spacing="4",
                    width="100%",
                ),
                width="100%",
                max_width="560px",
                id="partner-password",
            ),
        ),
        active="Account",
    )
