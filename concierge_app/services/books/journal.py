"""The period's double-entry journal: built from the ledger's money events, checked balanced
(per entry and per currency) before anything is written, and rendered as CSV text per currency
in our format, Xero's and QuickBooks'."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from concierge_app.db.engine import Database
from concierge_app.domain.errors import DomainError
from concierge_app.domain.journal import CurrencyTotals, JournalEntry, check_balanced
from concierge_app.domain.journal_accounts import ChartOfAccounts
from concierge_app.domain.journal_csv import CsvFormat, render
from concierge_app.domain.journal_rules import journal_of
from concierge_app.domain.partner_billing import Period
from concierge_app.services.books.events import ledger_events
from concierge_app.services.shared.permissions import Permission, require_in

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Journal:
    period: Period
    entries: tuple[JournalEntry, ...]
    totals: tuple[CurrencyTotals, ...]

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(t.currency for t in self.totals)

    def of(self, currency: str) -> list[JournalEntry]:
        return [e for e in self.entries if e.currency == currency]


@dataclass(frozen=True, slots=True)
class JournalFile:
    name: str
    currency: str
    text: str


def build_journal(*, db: Database, period: Period, actor: str) -> Journal:
    """Every money event of the period as balanced entries (UnbalancedJournal otherwise)."""
    require_in(db, actor, Permission.EXPORTS)
    with db.read() as session:
        events = list(ledger_events(session.connection(), period))
    entries = journal_of(events)
    return Journal(period, tuple(entries), tuple(check_balanced(entries)))


def file_name(period: Period, currency: str, fmt: CsvFormat) -> str:
    suffix = "" if fmt is CsvFormat.JOURNAL else f"-{fmt.value}"
    return f"journal-{period}-{currency}{suffix}.csv"


def journal_files(
    journal: Journal, chart: ChartOfAccounts, fmt: CsvFormat = CsvFormat.JOURNAL
) -> list[JournalFile]:
    """One CSV per currency in the given format."""
    return [
        JournalFile(file_name(journal.period, c, fmt), c, render(fmt, journal.of(c), c, chart))
        for c in journal.currencies
    ]


def export_journal(
    *,
    db: Database,
    period: Period,
    out_dir: Path,
    chart: ChartOfAccounts,
    actor: str,
    progress: Progress | None = None,
) -> tuple[Journal, list[Path]]:
    """Write the period's journal (our format, Xero's and QuickBooks', one file per currency)
    into `out_dir`. Nothing is written when the journal does not balance or the folder cannot
    be written; a rerun overwrites the same files with the same content."""
    if out_dir.exists() and not out_dir.is_dir():
        raise DomainError(f"{out_dir} is not a folder.", field="out")
    journal = build_journal(db=db, period=period, actor=actor)
    files = [f for fmt in CsvFormat for f in journal_files(journal, chart, fmt)]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for done, f in enumerate(files, start=1):
            target = out_dir / f.name
            partial = target.with_suffix(".csv.part")
            partial.write_text(f.text, encoding="utf-8", newline="")
            partial.replace(target)
            written.append(target)
            if progress:
                progress(done, len(files))
    except OSError as bad:
        raise DomainError(
            f"Cannot write to {out_dir}: {bad.strerror or bad}.", field="out"
        ) from None
    return journal, written
