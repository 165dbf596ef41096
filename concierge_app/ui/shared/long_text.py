"""Long text in staff tables: wrapped at any character rather than widening the table, and
clamped to a few lines where it can be long (the whole text stays in the page: on hover, to
screen readers, and behind "Show all" where it is longest).

`overflow-wrap: anywhere` (unlike `break-word`) also lowers the text's min-content width, which
is what lets an automatic table layout keep a column with a long unbroken word (a pasted link,
a 200-character title) inside the table's width.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

WRAP_ANYWHERE: dict[str, Any] = {"overflow_wrap": "anywhere"}


def clamp_style(lines: int) -> dict[str, Any]:
    """CSS that shows at most `lines` lines, then an ellipsis."""
    return {
        "display": "-webkit-box",
        "WebkitLineClamp": str(lines),
        "WebkitBoxOrient": "vertical",
        "overflow": "hidden",
        "overflowWrap": "anywhere",
    }


def clamped_text(text: Any, *, lines: int = 3, **props: Any) -> rx.Component:
    """`text` in at most `lines` lines; the whole of it as the element's tooltip."""
    return rx.text(text, title=text, style=clamp_style(lines), **props)


def show_all(text: Any, *, label: str = "Show all", **props: Any) -> rx.Component:
    """A small "Show all" button opening the whole `text` (line breaks kept), for text that a
    table clamps."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(label, variant="ghost", size="1", class_name="show-all", **props),
        ),
        rx.popover.content(
            rx.text(text, size="2", white_space="pre-line", **WRAP_ANYWHERE),
            max_width="min(520px, 90vw)",
            # never taller than the room the popover has on its side of the button
            max_height="min(60vh, var(--radix-popover-content-available-height))",
            overflow_y="auto",
        ),
    )
