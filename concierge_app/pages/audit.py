"""`/audit`: a booking's audit log and a check of the whole hash chain."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from concierge_app.components.layout import page_header, page_shell
from concierge_app.components.live import live_updates
from concierge_app.state.audit import AuditRow, AuditState


def _row(r: ObjectVar[AuditRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.sequence, color="var(--gray-11)"),
        rx.table.cell(r.when, white_space="nowrap"),
        rx.table.cell(r.actor),
        rx.table.cell(rx.code(r.action, variant="soft")),
        rx.table.cell(r.subject, white_space="nowrap"),
        rx.table.cell(rx.text(r.details, size="1")),
        class_name="audit-row",
    )


def audit_page() -> rx.Component:
    return page_shell(
        page_header(
            "Audit log",
            "What was billed and when, and who did it. Append-only and hash-chained.",
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
        live_updates(AuditState.poll),
        active="Audit",
    )
