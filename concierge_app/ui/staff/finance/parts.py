"""The finance tabs' common pieces: a titled card and a subheading."""

from __future__ import annotations

import reflex as rx


def card(title: str, *children: rx.Component, **props: object) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def subheading(text: str, *aside: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.heading(text, size="3", as_="h3"),
        *aside,
        align="center",
        spacing="2",
        width="100%",
    )
