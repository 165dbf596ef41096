"""Partners' commission: `month-end` (the monthly invoices and statements) and `direct-debit`
(the open documents of partners with a mandate, requested from the bank)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.table import Table

from concierge_app.cli.database import DatabaseUrl, open_database
from concierge_app.cli.dates import day_or_today
from concierge_app.cli.terminal import console, progress, progress_bar, refused
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.domain.partner_billing import Period
from concierge_app.services.partner.billing.month_end import run_month_end
from concierge_app.services.payments.direct_debit import collect_direct_debits


def month_end(
    period: Annotated[
        str | None,
        typer.Option(help="The month to invoice, YYYY-MM (default: the month before the run date)"),
    ] = None,
    run_date: Annotated[
        str | None, typer.Option(help="The invoice date, YYYY-MM-DD (default: today, UTC)")
    ] = None,
    url: DatabaseUrl = None,
) -> None:
    """Issue the monthly commission invoices (idempotent: a rerun adds nothing; resumes)."""
    try:
        day = date.fromisoformat(run_date) if run_date else datetime.now(UTC).date()
        month = Period.parse(period) if period else Period.of(day).previous()
    except (ValueError, DomainError) as bad:
        raise refused(getattr(bad, "message", str(bad)), 2) from None
    with progress() as bar:
        invoicing = f"Invoicing {month.label}"
        task = bar.add_task(invoicing, total=None)

        def show(done: int, total: int) -> None:
            if total:  # (0, 0): the statements are being written
                bar.update(task, completed=done, total=total, description=invoicing)
            else:
                bar.update(task, description=f"Writing the {month.label} statements")

        summary = run_month_end(
            db=open_database(url), period=month, run_date=day, actor="cli:month-end", progress=show
        )
    table = Table(title=f"Month-end run {summary.period} (invoice date {summary.run_date})")
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("partners", f"{summary.partners:,}")
    table.add_row("invoices issued now", f"{summary.invoices_created:,}")
    table.add_row("statement lines now", f"{summary.lines_created:,}")
    table.add_row("invoices in this run", f"{summary.invoices_total:,}")
    console.print(table)
    if summary.already_done:
        console.print("This period was already invoiced: nothing added.")
    elif summary.resumed:
        console.print("Resumed an interrupted run: partners already invoiced were skipped.")


def direct_debit(
    day: Annotated[
        str | None,
        typer.Option("--date", help="The collection date, YYYY-MM-DD (default: today, UTC)"),
    ] = None,
    url: DatabaseUrl = None,
) -> None:
    """Collect open commission documents of partners with a direct debit mandate (idempotent:
    nothing already requested is requested again)."""
    on = day_or_today(day)
    with progress_bar("Collecting direct debits") as show:
        summary = collect_direct_debits(
            db=open_database(url), today=on, actor="cli:direct-debit", progress=show
        )
    table = Table(title=f"Direct debits requested on {on.isoformat()}")
    for column in ("Partner", "Documents", "Amount", "Outcome"):
        table.add_column(column, justify="right" if column == "Amount" else "left")
    for r in summary.requested:
        outcome = f"[red]refused: {r.refused}[/red]" if r.refused else "sent to the bank"
        table.add_row(r.partner_code, ", ".join(r.documents), format_money(r.amount), outcome)
    for s in summary.skipped:
        table.add_row(s.partner_code, s.number, format_money(s.outstanding), f"skipped: {s.reason}")
    console.print(table)
    console.print(f"Partners with a mandate: {summary.partners}. {summary.text}")
    if summary.resent:
        console.print(f"Sent {summary.resent} request(s) an earlier run had recorded but not sent.")
