"""The Sign out button: a form posted to `/api/auth/signout` (not an event handler), because
only the server can clear the HttpOnly session cookie. Reflex's own forms keep their submit to
the page, so the button posts a plain one (`form.submit()` skips the submit handlers)."""

from __future__ import annotations

import reflex as rx

from concierge_app import routes
from concierge_app.domain.sign_in import Kind


def sign_out_button(kind: Kind) -> rx.Component:
    """Sign out of the staff or partner session."""
    post = (
        "const form = document.createElement('form');"
        "form.method = 'post';"
        f"form.action = '{routes.sign_out(kind)}';"
        "document.body.appendChild(form);"
        "form.submit();"
    )
    return rx.button(
        "Sign out",
        variant="soft",
        color_scheme="gray",
        size="2",
        on_click=rx.call_script(post),
    )
