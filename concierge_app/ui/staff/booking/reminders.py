"""The Payments panel's Reminders card: the next payment reminder due (or that they are paused)
and Pause / Resume reminders."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.staff.booking.state import BookingState as S


def reminders_card() -> rx.Component:
    return rx.cond(
        S.invoices.length() > 0,  # type: ignore[attr-defined]
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.heading("Reminders", size="3", as_="h3"),
                    rx.cond(
                        S.reminders_paused,
                        rx.text(
                            "Paused: the guest gets no payment reminder until they are resumed.",
                            size="2",
                            id="reminders-paused",
                        ),
                        rx.text(
                            rx.cond(
                                S.next_reminder != "",
                                S.next_reminder,
                                "No reminder due: every invoice is paid, voided or past its "
                                "schedule.",
                            ),
                            size="2",
                            id="next-reminder",
                        ),
                    ),
                    spacing="1",
                    min_width="0",
                ),
                rx.button(
                    rx.cond(S.reminders_paused, "Resume reminders", "Pause reminders"),
                    variant="soft",
                    on_click=S.toggle_reminders,
                    loading=S.busy == "reminders",
                    id="toggle-reminders",
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                justify="between",
                align=rx.breakpoints(initial="start", sm="center"),
                gap="3",
                width="100%",
            ),
            size="2",
            width="100%",
            id="reminders-card",
        ),
    )
