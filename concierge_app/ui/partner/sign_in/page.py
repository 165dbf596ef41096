"""`/partner/login`: partner sign-in (the shared card: email and password)."""

from __future__ import annotations

import reflex as rx

from concierge_app.settings import get_settings
from concierge_app.ui.partner.session import PartnerAuthState as A
from concierge_app.ui.shared.sign_in_card import sign_in_card


def partner_login_page() -> rx.Component:
    return sign_in_card(
        "Extranet: your commission invoices, statements, payouts and bank details.",
        A.sign_in_error,
        A.signing_in,
        A.sign_in,
        names=(get_settings().platform_name, "Extranet"),
    )
