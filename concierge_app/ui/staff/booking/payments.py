"""The Payments panel: refunds due, the draft invoice and Send Invoice, the invoices (void and
re-issue), the refunds and the booking's totals (one module each)."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.staff.booking.common import section
from concierge_app.ui.staff.booking.invoices import draft_card, invoices_card
from concierge_app.ui.staff.booking.refunds import documents_card, refunds_card, refunds_due
from concierge_app.ui.staff.booking.reminders import reminders_card
from concierge_app.ui.staff.booking.totals import totals_card


def payments_panel() -> rx.Component:
    return section(
        "Payments panel",
        "payments-panel",
        rx.vstack(
            refunds_due(),
            rx.grid(
                rx.vstack(
                    draft_card(),
                    invoices_card(),
                    reminders_card(),
                    refunds_card(),
                    documents_card(),
                    spacing="4",
                    width="100%",
                ),
                totals_card(),
                columns=rx.breakpoints(initial="1", md="minmax(0, 1fr) 320px"),
                spacing="4",
                width="100%",
                align="start",
            ),
            spacing="4",
            width="100%",
        ),
    )
