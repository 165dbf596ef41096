"""The TEST MODE bar on every page while payments run in the sandbox (no real money moves)."""

from __future__ import annotations

import reflex as rx

from concierge_app.settings import get_settings

SANDBOX_NOTE = "payments run in the sandbox: no real money moves (test card 4242 4242 4242 4242)."
# A page in the guest's language draws its own bar (`test_mode_bar(words…)`) and hides this one.
HIDE_APP_BAR = "#test-mode-bar { display: none; }"


def test_mode_bar(
    title: rx.Var[str] | str = "TEST MODE",
    note: rx.Var[str] | str = SANDBOX_NOTE,
    bar_id: str = "test-mode-bar",
) -> rx.Component:
    return rx.box(
        rx.text(rx.text.strong(title), " — ", note, size="1", align="center"),
        id=bar_id,
        role="status",
        width="100%",
        padding_x="12px",
        padding_y="4px",
        background="var(--amber-9)",
        color="var(--gray-12)",
    )


def own_test_mode_bar(title: rx.Var[str], note: rx.Var[str]) -> rx.Component:
    """A page's own bar in its language, in place of the app's English one (test mode only)."""
    if not get_settings().test_mode:
        return rx.fragment()
    return rx.fragment(rx.el.style(HIDE_APP_BAR), test_mode_bar(title, note, "page-test-mode-bar"))


def app_wraps() -> dict[tuple[int, str], object]:
    """`rx.App(extra_app_wraps=…)`: the bar above every page, only in test mode (decided when
    the app is built, from PAYMENTS and the Stripe keys)."""
    if not get_settings().test_mode:
        return {}
    return {(3, "TestModeBar"): lambda _stateful: rx.fragment(test_mode_bar())}
