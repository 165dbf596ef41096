"""The TEST MODE bar on every page while payments run in the sandbox (no real money moves)."""

from __future__ import annotations

import reflex as rx

from concierge_app.settings import get_settings


def test_mode_bar() -> rx.Component:
    return rx.box(
        rx.text(
            rx.text.strong("TEST MODE"),
            " — payments run in the sandbox: no real money moves (test card 4242 4242 4242 4242).",
            size="1",
            align="center",
        ),
        id="test-mode-bar",
        role="status",
        width="100%",
        padding_x="12px",
        padding_y="4px",
        background="var(--amber-9)",
        color="var(--gray-12)",
    )


def app_wraps() -> dict[tuple[int, str], object]:
    """`rx.App(extra_app_wraps=…)`: the bar above every page, only in test mode (decided when
    the app is built, from PAYMENTS and the Stripe keys)."""
    if not get_settings().test_mode:
        return {}
    return {(3, "TestModeBar"): lambda _stateful: rx.fragment(test_mode_bar())}
