"""Import a bank statement exported as CSV: the file, its progress and the outcome of each row."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.csv_upload import (
    csv_drop_zone,
    csv_example,
    import_button,
    import_done,
    import_refusal,
)
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
        csv_example(STATEMENT_EXAMPLE, id="statement-example"),
        csv_drop_zone(
            STATEMENT_UPLOAD,
            max_bytes=STATEMENT_MAX_BYTES,
            disabled=F.importing,
            on_rejected=F.statement_rejected,
            chosen_id="statement-chosen",
        ),
        import_button(
            STATEMENT_UPLOAD,
            "Import statement",
            on_upload=F.upload_statement,
            importing=F.importing,
            progress=F.import_progress,
            button_id="statement-import",
            progress_id="statement-progress",
        ),
        import_refusal(F.import_error, F.import_problems, id="statement-error"),
        rx.cond(
            F.import_summary != "",
            rx.vstack(
                import_done(F.import_summary, id="statement-result"),
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
