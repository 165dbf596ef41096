"""The books of a month: `export-journal` (the double-entry journal's files) and `reconcile`
(the payment provider's records against the ledger)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from concierge_app.adapters.payments.gateway import GatewayError
from concierge_app.cli.database import DatabaseUrl, open_database
from concierge_app.cli.dates import month
from concierge_app.cli.terminal import console, progress, refused
from concierge_app.domain.errors import DomainError
from concierge_app.domain.journal_csv import decimal_text
from concierge_app.services.books.journal import export_journal
from concierge_app.services.reconciliation.runs import run_reconciliation
from concierge_app.services.shared.common import today
from concierge_app.settings import get_settings


def export_journal_command(
    period: Annotated[str, typer.Option(help="The month to export, YYYY-MM")],
    out: Annotated[str, typer.Option(help="The folder to write the CSV files into")],
    url: DatabaseUrl = None,
) -> None:
    """Write the month's double-entry journal: one CSV per currency (debit and credit columns),
    plus Xero and QuickBooks import files. Nothing is written if it does not balance."""
    if not period.isascii():  # \d would also take other scripts' digits
        raise refused("Give the period as YYYY-MM, e.g. 2026-11.")
    chosen = month(period, code=1)
    try:
        with progress() as bar:
            task = bar.add_task(f"Journal {chosen.label}", total=None)

            def show(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description="Writing files")

            journal, files = export_journal(
                db=open_database(url),
                period=chosen,
                out_dir=Path(out),
                chart=get_settings().chart_of_accounts,
                actor="cli:export-journal",
                progress=show,
            )
    except DomainError as bad:
        raise refused(bad.message) from None
    table = Table(title=f"Journal {chosen} ({len(journal.entries):,} entries)")
    for column in ("Currency", "Entries", "Debit", "Credit"):
        table.add_column(column, justify="left" if column == "Currency" else "right")
    for t in journal.totals:
        table.add_row(
            t.currency,
            f"{t.entries:,}",
            decimal_text(t.debit_minor, t.currency),
            decimal_text(t.credit_minor, t.currency),
        )
    console.print(table)
    if not journal.entries:
        console.print(f"No money moved in {chosen.label}: no files written.")
    for path in files:
        console.print(f"  {path}")


def reconcile(
    period: Annotated[str, typer.Option(help="The month to reconcile, YYYY-MM")],
    url: DatabaseUrl = None,
) -> None:
    """Compare the provider's payments, refunds, payouts and fees of a month with the ledger;
    print the differences. Exit 1 when there is drift, 0 when none, 2 when it could not run."""
    chosen = month(period, code=2)
    try:
        with progress() as bar:
            task = bar.add_task("Reading the provider's records", total=None)

            def show(read: int) -> None:
                bar.update(task, completed=read)

            run = run_reconciliation(
                db=open_database(url),
                period=chosen,
                actor="cli:reconcile",
                today=today(),
                progress=show,
            )
    except (DomainError, GatewayError) as failed:
        raise refused(f"Reconciliation failed: {getattr(failed, 'message', failed)}", 2) from None
    counts = Table(
        title=f"Reconciliation {run.period} (up to {run.ends_on.isoformat()}) with {run.provider}"
    )
    for column in ("Kind", "Outcome", "Items"):
        counts.add_column(column, justify="right" if column == "Items" else "left")
    for c in run.counts:
        counts.add_row(c.kind, f"[red]{c.outcome}[/red]" if c.drift else c.outcome, str(c.count))
    console.print(counts if run.counts else "Nothing at the provider or in the ledger.")
    if not run.drift_count:
        console.print("No drift: the provider and the ledger agree.")
        return
    noun = "difference" if run.drift_count == 1 else "differences"
    drift = Table(title=f"{run.drift_count} {noun}: nothing was changed")
    for column in ("Kind", "Reference", "Outcome", "Provider", "Ledger", "Note"):
        drift.add_column(column, overflow="fold")
    for d in run.differences:
        drift.add_row(d.kind, d.reference, d.outcome, d.provider, d.ledger, d.note)
    console.print(drift)
    raise typer.Exit(1)
