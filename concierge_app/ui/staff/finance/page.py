"""`/finance` (staff), one tab per job: Overview (invoiced vs paid vs outstanding, partner
balances), Month-end (preview, run with a progress bar, past runs), Bank transfers (record one,
import a bank statement CSV, the queue of unmatched ones), Direct debit (collect; the sandbox
bank's answers), Payouts and Documents (the latest partner documents). `?tab=<name>` opens a
tab; choosing one puts it in the address."""

from __future__ import annotations

import reflex as rx

from concierge_app.ui.shared.document_status import status_text
from concierge_app.ui.shared.forms import form_error, form_field, validation_props
from concierge_app.ui.shared.layout import loading_card, page_header, table_header
from concierge_app.ui.shared.live import live_updates
from concierge_app.ui.staff.booking.common import empty_state
from concierge_app.ui.staff.finance.direct_debit import direct_debit_card
from concierge_app.ui.staff.finance.state import (
    DATES_NOTE,
    FINANCE_TABS,
    STATEMENT_EXAMPLE,
    STATEMENT_LIMITS,
    STATEMENT_MAX_BYTES,
    STATEMENT_UPLOAD,
    BalanceRow,
    DocumentRow,
    ImportRow,
    QueueRow,
    RunRow,
)
from concierge_app.ui.staff.finance.state import FinanceState as F
from concierge_app.ui.staff.shell import page_shell


def _card(title: str, *children: rx.Component, **props: object) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _month_end() -> rx.Component:
    return _card(
        "Month-end run",
        rx.text(
            "Issues one commission invoice per partner for everything that departed in the "
            "month (stays by check-out, services by service date). It runs by itself in the "
            "first week of each month; a rerun adds nothing and an interrupted run resumes.",
            size="2",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.input(
                value=F.period,
                on_change=F.set_period,
                placeholder="YYYY-MM",
                id="month-end-period",
                width="140px",
                aria_label="Period",
            ),
            rx.button("Preview", variant="soft", on_click=F.preview_run, id="month-end-preview"),
            rx.button(
                rx.cond(F.running, rx.spinner(size="2"), rx.icon("play", size=16)),
                "Run month-end",
                on_click=F.run,
                disabled=F.running,
                id="month-end-run",
            ),
            align="center",
            spacing="2",
        ),
        rx.cond(
            F.running,
            rx.vstack(
                rx.progress(value=F.progress, width="100%"),
                rx.text(F.progress_text, size="1", color_scheme="gray"),
                width="100%",
            ),
        ),
        rx.cond(F.error != "", rx.callout(F.error, icon="triangle_alert", color_scheme="red")),
        rx.cond(
            F.preview != "",
            rx.callout(F.preview, icon="info", color_scheme="blue", id="month-end-result"),
        ),
        rx.table.root(
            table_header(
                "Period", "Invoice date", "Started by", "Partners", "Invoices", "Lines", "Status"
            ),
            rx.table.body(rx.foreach(F.runs, _run_row)),
            width="100%",
        ),
        id="month-end",
    )


def _run_row(r: RunRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.period),
        rx.table.cell(r.run_date),
        rx.table.cell(r.started_by),
        rx.table.cell(r.partners),
        rx.table.cell(r.invoices),
        rx.table.cell(r.lines),
        rx.table.cell(r.status),
    )


def _payout_row(p: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    return rx.table.row(
        rx.table.cell(p["partner"]),
        rx.table.cell(p["period"]),
        rx.table.cell(p["gross"], text_align="right"),
        rx.table.cell(p["commission"], text_align="right"),
        rx.table.cell(p["net"], text_align="right"),
    )


def _balance_row(b: BalanceRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(b.code)),
        rx.table.cell(
            rx.link(b.name, href="/finance/partners/" + b.code, class_name="partner-link"),
            min_width="150px",
        ),
        rx.table.cell(b.currency),
        rx.table.cell(b.invoices, text_align="right"),
        rx.table.cell(b.invoiced, text_align="right"),
        rx.table.cell(b.paid, text_align="right"),
        rx.table.cell(b.outstanding, text_align="right"),
        rx.table.cell(b.credit, text_align="right"),
        rx.table.cell(rx.text(b.balance, weight="medium"), text_align="right"),
    )


def _document_row(d: DocumentRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d.number, white_space="nowrap"),
        rx.table.cell(d.partner, min_width="150px"),
        rx.table.cell(d.period, white_space="nowrap"),
        rx.table.cell(d.amount, text_align="right", white_space="nowrap"),
        rx.table.cell(d.to_pay, text_align="right", white_space="nowrap"),
        # on a phone the table scrolls sideways: its status keeps a readable width
        rx.table.cell(status_text(d.status, d.colour, d.colour_css), min_width="190px"),
        rx.table.cell(
            rx.button(
                rx.icon("file_down", size=14),
                "PDF",
                size="1",
                variant="soft",
                on_click=F.download_pdf(d.id),
            )
        ),
    )


def _currency_chart(group: rx.Var) -> rx.Component:  # type: ignore[type-arg]
    """One currency's invoiced, paid and outstanding commission (currencies never mixed)."""
    return rx.vstack(
        rx.text(group["currency"], weight="bold", size="2"),
        rx.recharts.bar_chart(
            rx.recharts.bar(data_key="amount", fill="var(--accent-9)", name="Amount"),
            rx.recharts.x_axis(data_key="status"),
            rx.recharts.y_axis(),
            rx.recharts.graphing_tooltip(),
            data=group["data"],
            width="100%",
            height=200,
        ),
        width="100%",
    )


def _subheading(text: str, *aside: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.heading(text, size="3", as_="h3"),
        *aside,
        align="center",
        spacing="2",
        width="100%",
    )


def _transfer_input(key: str, label: str, *, hint: str | None = None, **props: object):
    element_id = f"transfer-{key.replace('_', '-')}"
    errors = F.transfer_errors
    return form_field(
        label,
        element_id,
        rx.input(
            id=element_id,
            name=key,
            width="100%",
            **validation_props(errors, key, element_id),
            **props,
        ),
        errors=errors,
        key=key,
        hint=hint,
    )


def _record_transfer() -> rx.Component:
    """Staff type one incoming transfer from the bank's statement."""
    return rx.vstack(
        _subheading("Record a transfer"),
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


def _import_statement() -> rx.Component:
    """Upload a bank statement exported as CSV; every row is checked before any is recorded."""
    chosen = rx.selected_files(STATEMENT_UPLOAD)
    return rx.vstack(
        _subheading("Import bank statement (CSV)"),
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
        _subheading(
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
        rx.cond(
            F.queue_error != "",
            rx.callout(
                F.queue_error,
                icon="triangle_alert",
                color_scheme="red",
                role="alert",
                id="queue-error",
                width="100%",
            ),
        ),
        rx.cond(
            F.queue_notice != "",
            rx.callout(
                F.queue_notice,
                icon="circle_check",
                color_scheme="green",
                role="status",
                id="queue-notice",
                width="100%",
            ),
        ),
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


def _bank_transfers() -> rx.Component:
    return _card(
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
            _import_statement(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="6",
            width="100%",
        ),
        rx.separator(size="4"),
        _transfer_queue(),
        id="bank-transfers",
    )


def _overview() -> rx.Component:
    return rx.vstack(
        _card(
            "Invoiced vs paid vs outstanding",
            rx.grid(
                rx.foreach(F.chart, _currency_chart),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="4",
                width="100%",
            ),
            id="finance-chart",
        ),
        _card(
            "Partners",
            rx.table.root(
                table_header(
                    "ID",
                    "Partner",
                    "Currency",
                    "Invoices",
                    "Invoiced",
                    "Paid",
                    "Outstanding",
                    "Credit",
                    "Balance",
                ),
                rx.table.body(rx.foreach(F.balances, _balance_row)),
                width="100%",
            ),
            id="partner-balances",
        ),
        spacing="5",
        width="100%",
    )


def _payouts() -> rx.Component:
    return _card(
        "Payouts",
        rx.table.root(
            table_header("Partner", "Period", "Collected", "Commission", "Paid out"),
            rx.table.body(rx.foreach(F.payouts, _payout_row)),
            width="100%",
        ),
        id="payouts",
    )


def _documents() -> rx.Component:
    return _card(
        "Latest documents",
        rx.table.root(
            table_header("Number", "Partner", "Period", "Amount", "To pay", "Status", ""),
            rx.table.body(rx.foreach(F.documents, _document_row)),
            width="100%",
        ),
        id="latest-documents",
    )


def _tab_trigger(value: str) -> rx.Component:
    label = FINANCE_TABS[value]
    if value == "transfers":  # the queue waits for staff: its size shows on the tab
        return rx.tabs.trigger(
            label,
            rx.cond(
                F.queue.length() > 0,  # type: ignore[attr-defined]
                rx.badge(
                    F.queue.length(),  # type: ignore[attr-defined]
                    color_scheme="amber",
                    variant="soft",
                    radius="full",
                    margin_left="6px",
                    id="transfers-tab-count",
                ),
            ),
            value=value,
            id=f"finance-tab-{value}",
        )
    return rx.tabs.trigger(label, value=value, id=f"finance-tab-{value}")


_TAB_CONTENT = {
    "overview": _overview,
    "month-end": _month_end,
    "transfers": _bank_transfers,
    "direct-debit": direct_debit_card,
    "payouts": _payouts,
    "documents": _documents,
}


def _tabs() -> rx.Component:
    """One tab per job (a deep link opens one: `/finance?tab=transfers`)."""
    return rx.tabs.root(
        rx.tabs.list(
            *[_tab_trigger(value) for value in FINANCE_TABS],
            flex_wrap="wrap",
            margin_bottom="16px",
        ),
        *[
            rx.tabs.content(_TAB_CONTENT[value](), value=value, width="100%")
            for value in FINANCE_TABS
        ],
        value=F.tab,
        on_change=F.choose_tab,
        width="100%",
        id="finance-tabs",
    )


def finance_page() -> rx.Component:
    return page_shell(
        page_header(
            "Partner finance",
            f"Commission invoices, payouts and the month-end run. {DATES_NOTE}",
        ),
        rx.cond(
            F.loading,
            loading_card("Loading partner finance…"),
            _tabs(),
        ),
        live_updates(F.poll),
        active="Finance",
    )
