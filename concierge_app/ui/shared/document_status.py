"""A partner document's status as the partner guide shows it: its words in its colour (green
paid; red due, overdue or part-paid; black written off or with legal). Staff and partner pages
alike."""

from __future__ import annotations

from typing import Any

import reflex as rx

# The partner guide's colours: green paid, red due / overdue / part-paid, black written off.
STATUS_COLOURS = {"green": "#1b7f3b", "red": "#c4221f", "black": "#000000"}


def status_text(text: rx.Var[str], colour: rx.Var[str], css: rx.Var[str], **props: Any) -> Any:
    """The Status column: the guide's words in its colour (green, red or black)."""
    return rx.hstack(
        rx.box(width="8px", height="8px", border_radius="50%", background_color=css),
        rx.text(text, weight="medium", size="2", style={"color": css}),
        align="center",
        spacing="2",
        custom_attrs={"data-colour": colour, "data-testid": "invoice-status"},
        **props,
    )
