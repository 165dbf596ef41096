"""Import a bank statement exported as CSV: the file, its progress and the outcome of each row."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.layout import table_header
from concierge_app.ui.staff.finance.parts import subheading
from concierge_app.ui.staff.finance.rows import ImportRow
from concierge_app.ui.staff.finance.state import FinanceState as F
from concierge_app.ui.staff.finance.transfers_state import (
    STATEMENT_EXAMPLE,
    STATEMENT_LIMITS,
    STATEMENT_MAX_BYTES,
    STATEMENT_UPLOAD,
)


def import_statement() -> rx.Component:
    """Upload a bank statement exported as CSV; every row is checked before any is recorded."""
    chosen = rx.selected_files(STATEMENT_UPLOAD)
    return rx.vstack(
        subheading("Import bank statement (CSV)"),
        rx.text(
            f"A header row, then one transfer per row ({STATEMENT_LIMITS}). Columns in any "
            "order: date (YYYY-MM-DD), "
            "amount, currency, reference, payer (optional), transaction id. A bad row "
            "refuses the whole file; a transfer already recorded is skipped.",
            size="2",
            color_scheme="gray",
        ),
        rx.el.pre(
            STATEMENT_EXAMPLE,
            font_family="var(--code-font-family)",
            font_size="12px",
            padding="8px 10px",
            border_radius="var(--radius-2)",
            background_color="var(--gray-a3)",
            white_space="pre",
            overflow_x="auto",
            width="100%",
            margin="0",
            id="statement-example",
        ),
        rx.upload.root(
            rx.vstack(
                rx.icon("file_up", size=22, color="var(--gray-10)"),
                rx.cond(
                    chosen.length() > 0,  # type: ignore[attr-defined]
                    rx.text(chosen[0], weight="medium", size="2", id="statement-chosen"),  # type: ignore[index]
                    rx.text("Drop the CSV file here, or click to choose it", size="2"),
                ),
                align="center",
                spacing="1",
            ),
            id=STATEMENT_UPLOAD,
            accept={"text/csv": [".csv"], "text/plain": [".csv", ".txt"]},
            max_files=1,
            multiple=False,
            max_size=STATEMENT_MAX_BYTES,
            disabled=F.importing,
            on_drop_rejected=F.statement_rejected,
            border="1px dashed var(--gray-a8)",
            border_radius="var(--radius-3)",
            padding="20px",
            width="100%",
            cursor="pointer",
            background_color="var(--color-panel-solid)",
        ),
        rx.hstack(
            rx.button(
                rx.icon("upload", size=16),
                "Import statement",
                on_click=F.upload_statement(rx.upload_files(upload_id=STATEMENT_UPLOAD)),
                loading=F.importing,
                disabled=chosen.length() == 0,  # type: ignore[attr-defined]
                id="statement-import",
            ),
            rx.cond(
                F.importing,
                rx.hstack(
                    rx.spinner(size="2"),
                    rx.text(F.import_progress, size="2", color_scheme="gray"),
                    align="center",
                    spacing="2",
                    id="statement-progress",
                ),
            ),
            align="center",
            spacing="3",
        ),
        rx.cond(
            F.import_error != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle_alert")),
                rx.callout.text(F.import_error, weight="medium"),
                rx.cond(
                    F.import_problems.length() > 0,  # type: ignore[attr-defined]
                    rx.el.ul(
                        rx.foreach(F.import_problems, lambda p: rx.el.li(rx.text(p, size="2"))),
                        padding_left="20px",
                        margin="0",
                        list_style_type="disc",
                    ),
                ),
                color_scheme="red",
                role="alert",
                id="statement-error",
                width="100%",
            ),
        ),
        rx.cond(
            F.import_summary != "",
            rx.vstack(
                rx.callout(
                    F.import_summary,
                    icon="circle_check",
                    color_scheme="green",
                    id="statement-result",
                    role="status",
                    width="100%",
                ),
                rx.table.root(
                    table_header(
                        "Row", "Transaction id", "Amount", "Outcome", "", right=("Amount",)
                    ),
                    rx.table.body(rx.foreach(F.import_rows, _import_row)),
                    width="100%",
                    size="1",
                    id="statement-rows",
                ),
                rx.cond(F.import_more != "", rx.text(F.import_more, size="1", color_scheme="gray")),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _import_row(r: ImportRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.row),
        rx.table.cell(r.transaction_id, white_space="nowrap"),
        rx.table.cell(r.amount, text_align="right", white_space="nowrap"),
        rx.table.cell(
            rx.badge(
                r.status,
                color_scheme=rx.match(r.status, ("matched", "green"), ("queued", "amber"), "gray"),
            )
        ),
        rx.table.cell(r.detail),
        class_name="import-row",
    )
