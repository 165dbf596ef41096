"""The Bank transfers tab: record a transfer, import a statement (`statement_import`), and
assign the queued transfers nobody could match."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.forms import checked_field, form_error
from concierge_app.ui.shared.layout import table_header
from concierge_app.ui.shared.notices import done_notice, error_notice
from concierge_app.ui.staff.booking.common import empty_state
from concierge_app.ui.staff.finance.parts import card, subheading
from concierge_app.ui.staff.finance.rows import QueueRow
from concierge_app.ui.staff.finance.state import FinanceState as F
from concierge_app.ui.staff.finance.statement_import import import_statement


def bank_transfers_tab() -> rx.Component:
    return card(
        "Bank transfers",
        rx.text(
            "Partners pay commission by bank transfer quoting their property ID and invoice "
            "number. A matched transfer is applied to the quoted invoices first, then the oldest "
            "due; it shows as processing for a few business days before the invoice turns Paid.",
            size="2",
            color_scheme="gray",
        ),
        rx.grid(
            _record_transfer(),
            import_statement(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="6",
            width="100%",
        ),
        rx.separator(size="4"),
        _transfer_queue(),
        id="bank-transfers",
    )


def _transfer_input(key: str, label: str, *, hint: str | None = None, **props: object):
    element_id = f"transfer-{key.replace('_', '-')}"
    errors = F.transfer_errors
    return checked_field(label, element_id, rx.input, errors=errors, field=key, hint=hint, **props)


def _record_transfer() -> rx.Component:
    """Staff type one incoming transfer from the bank's statement."""
    return rx.vstack(
        subheading("Record a transfer"),
        rx.form(
            rx.vstack(
                rx.grid(
                    _transfer_input(
                        "received_on", "Received on", type="date", default_value=F.today_iso
                    ),
                    _transfer_input(
                        "transaction_id",
                        "Bank transaction id",
                        placeholder="As on the statement",
                        hint="Each id is recorded once.",
                    ),
                    _transfer_input("amount", "Amount", placeholder="120.00", input_mode="decimal"),
                    _transfer_input("currency", "Currency", placeholder="EUR", max_length=3),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                _transfer_input(
                    "reference",
                    "Reference",
                    placeholder="e.g. PRP-1001 CM-2026-000012",
                    hint="As the payer wrote it: property ID + invoice number.",
                ),
                _transfer_input("payer", "Payer", placeholder="Optional"),
                form_error(
                    F.transfer_errors.contains("form"),
                    F.transfer_errors["form"],  # type: ignore[index]
                ),
                rx.button(
                    rx.icon("landmark", size=16),
                    "Record transfer",
                    type="submit",
                    loading=F.recording,
                    id="transfer-submit",
                ),
                rx.cond(
                    F.transfer_result != "",
                    rx.callout(
                        F.transfer_result,
                        icon=rx.cond(F.transfer_matched, "circle_check", "inbox"),
                        color_scheme=rx.cond(F.transfer_matched, "green", "amber"),
                        id="transfer-result",
                        role="status",
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=F.record_transfer,
            reset_on_submit=False,
            id="transfer-form",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _queue_row(q: QueueRow) -> rx.Component:
    element_id = f"assign-{q.id}"
    return rx.table.row(
        rx.table.cell(q.received, white_space="nowrap"),
        rx.table.cell(q.amount, text_align="right", white_space="nowrap"),
        rx.table.cell(q.reference),
        rx.table.cell(q.payer),
        rx.table.cell(rx.text(q.reason, size="2", color_scheme="amber")),
        rx.table.cell(
            rx.form(
                rx.hstack(
                    rx.el.input(type="hidden", name="payment_id", value=q.id),
                    rx.input(
                        name="partner_code",
                        placeholder="Property or group ID",
                        aria_label="Property or group ID",
                        id=element_id,
                        size="1",
                        width="120px",
                    ),
                    rx.button(
                        "Assign",
                        type="submit",
                        size="1",
                        loading=F.assigning == q.id,
                    ),
                    spacing="2",
                    align="center",
                ),
                on_submit=F.assign,
                reset_on_submit=False,
            )
        ),
        class_name="queue-row",
        custom_attrs={"data-payment-id": q.id},
    )


def _transfer_queue() -> rx.Component:
    return rx.vstack(
        subheading(
            "Transfer queue",
            rx.badge(F.queue.length(), variant="soft", color_scheme="gray", id="queue-count"),  # type: ignore[attr-defined]
        ),
        rx.text(
            "Transfers whose reference names no property or invoice, or names several. Assign "
            "each to a property ID (or a group's code: spread across its properties): it is "
            "applied to that partner's invoices, oldest due first.",
            size="2",
            color_scheme="gray",
        ),
        error_notice(F.queue_error, id="queue-error"),
        done_notice(F.queue_notice, id="queue-notice"),
        rx.cond(
            F.queue.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                table_header(
                    "Received",
                    "Amount",
                    "Reference",
                    "Payer",
                    "Reason",
                    "Assign to",
                    right=("Amount",),
                ),
                rx.table.body(rx.foreach(F.queue, _queue_row)),
                width="100%",
                id="transfer-queue",
            ),
            empty_state(
                "inbox",
                "No transfers waiting.",
                "Every transfer received so far is matched to a partner.",
                id="transfer-queue-empty",
            ),
        ),
        spacing="3",
        width="100%",
    )
