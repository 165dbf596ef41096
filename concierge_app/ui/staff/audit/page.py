"""`/audit`: a booking's audit log and a check of the whole hash chain."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app import routes
from concierge_app.ui.shared.layout import page_header
from concierge_app.ui.shared.long_text import WRAP_ANYWHERE, clamped_text
from concierge_app.ui.staff.audit.state import AuditRow, AuditState
from concierge_app.ui.staff.shell import page_shell


def _row(r: ObjectVar[AuditRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.sequence, color="var(--gray-11)"),
        rx.table.cell(r.when, white_space="nowrap"),
        rx.table.cell(rx.text(r.actor, **WRAP_ANYWHERE), min_width="120px"),
        rx.table.cell(rx.code(r.action, variant="soft")),
        rx.table.cell(r.subject, white_space="nowrap"),
        rx.table.cell(
            clamped_text(r.details, size="1", class_name="audit-details"), min_width="200px"
        ),
        class_name="audit-row",
    )


def audit_page() -> rx.Component:
    return page_shell(
        page_header(
            "Audit log",
            "What was billed and when, and who did it. Append-only and hash-chained. "
            + AuditState.times_note,
            rx.link(
                rx.button("Payment events", variant="soft", color_scheme="gray"),
                href=routes.PAYMENT_EVENTS,
                id="payment-events-link",
            ),
            rx.button(
                rx.cond(
                    AuditState.checking, rx.spinner(size="2"), rx.icon("shield_check", size=16)
                ),
                "Verify audit chain",
                on_click=AuditState.verify,
                disabled=AuditState.checking,
                variant="soft",
            ),
        ),
        rx.cond(
            AuditState.chain_status != "",
            rx.callout(
                AuditState.chain_status,
                role="status",
                margin_bottom="12px",
                color_scheme=rx.cond(AuditState.chain_ok, "green", "red"),
            ),
        ),
        rx.hstack(
            rx.el.label(rx.text("Booking", size="2", weight="medium"), html_for="audit-booking"),
            rx.select(
                AuditState.references,
                id="audit-booking",
                value=AuditState.reference,
                on_change=AuditState.choose,
            ),
            align="center",
            spacing="2",
            margin_bottom="12px",
        ),
        rx.card(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("#", "When", "Who", "Action", "Subject", "Details")
                        ],
                    )
                ),
                rx.table.body(rx.foreach(AuditState.rows, _row)),
                variant="ghost",
                width="100%",
            ),
            width="100%",
        ),
        active="Audit",
    )
