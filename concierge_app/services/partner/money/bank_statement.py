"""Staff record incoming bank transfers: typed one at a time, or a bank statement imported as CSV.

Each transfer goes through `transfers.record_bank_transfer`: matched to a partner by its
reference (property ID + invoice number) and allocated, or queued for staff with the reason;
recorded once per bank transaction id. A statement is checked whole first
(`domain.bank_statement.parse_bank_statement`): one bad row refuses the file and nothing is
written. Then each row is recorded in its own transaction — should the import stop half way
(a crash), importing the same file again records only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from concierge_app.db.engine import Database
from concierge_app.domain.bank_statement import BankLine, parse_bank_statement, read_bank_line
from concierge_app.domain.formatting import format_day, format_money
from concierge_app.domain.money import Money
from concierge_app.services.partner.money.transfers import TransferOutcome, record_bank_transfer
from concierge_app.services.shared.permissions import Permission, require_in

RowStatus = Literal["matched", "queued", "already recorded"]


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What became of one row of a statement."""

    row: int  # its row in the file (header = row 1)
    transaction_id: str
    amount: Money
    reference: str
    outcome: TransferOutcome

    @property
    def status(self) -> RowStatus:
        if self.outcome.duplicate:
            return "already recorded"
        return "matched" if self.outcome.matched else "queued"


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int  # transfers in the file
    recorded: int  # new ones recorded now (matched + queued)
    matched: int  # of those, matched to a partner and allocated
    queued: int  # of those, waiting in the transfer queue for staff
    duplicates: int  # already recorded by an earlier import or by hand: nothing changed
    outcomes: tuple[RowOutcome, ...]

    @property
    def summary(self) -> str:
        parts = [
            f"{self.rows} transfer{'s' if self.rows != 1 else ''} in the file",
            f"{self.recorded} recorded",
            f"{self.matched} matched",
            f"{self.queued} queued for staff",
        ]
        if self.duplicates:
            parts.append(f"{self.duplicates} already recorded")
        return ": ".join([parts[0], ", ".join(parts[1:])]) + "."


def _record(db: Database, line: BankLine, actor: str) -> TransferOutcome:
    return record_bank_transfer(
        db=db,
        amount=line.amount,
        reference=line.reference,
        received_on=line.received_on,
        external_id=line.transaction_id,
        actor=actor,
        payer=line.payer,
    )


def import_bank_statement(
    *,
    db: Database,
    csv_text: str,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Record every transfer of a bank statement (CSV text), or none when any row is bad
    (StatementRefused lists the rows and reasons). `progress(done, total)` is called as rows
    are recorded."""
    require_in(db, actor, Permission.PARTNER_MONEY)
    lines = parse_bank_statement(csv_text)
    outcomes: list[RowOutcome] = []
    for done, line in enumerate(lines, start=1):
        outcome = _record(db, line, actor)
        outcomes.append(
            RowOutcome(line.row, line.transaction_id, line.amount, line.reference, outcome)
        )
        if progress is not None:
            progress(done, len(lines))
    fresh = [o for o in outcomes if not o.outcome.duplicate]
    matched = sum(1 for o in fresh if o.outcome.matched)
    return ImportResult(
        rows=len(outcomes),
        recorded=len(fresh),
        matched=matched,
        queued=len(fresh) - matched,
        duplicates=len(outcomes) - len(fresh),
        outcomes=tuple(outcomes),
    )


def record_transfer_entry(
    *, db: Database, fields: Mapping[str, str], actor: str
) -> TransferOutcome:
    """A transfer staff typed in (text by field: received_on, amount, currency, reference,
    payer, transaction_id), checked as a statement row is; BankLineInvalid lists what is
    wrong, per field, and nothing is written."""
    require_in(db, actor, Permission.PARTNER_MONEY)
    return _record(db, read_bank_line(fields), actor)


def describe_transfer(outcome: TransferOutcome, *, today: date) -> str:
    """The outcome in words for staff: where the money went, or why it waits."""
    prefix = "Already recorded — nothing changed. " if outcome.duplicate else ""
    if not outcome.matched:
        return f"{prefix}Queued: {outcome.reason or 'waiting for staff.'}"
    paid = ", ".join(f"{number} {format_money(amount)}" for number, amount in outcome.allocated)
    text = f"Matched to {outcome.partner_code}: " + (paid or "no open invoice")
    if not outcome.credit_left.is_zero:
        text += f"; {format_money(outcome.credit_left)} kept as credit"
    if outcome.allocated:
        day = format_day(outcome.reflected_on)
        text += (
            f" — processing until {day}" if outcome.reflected_on > today else f" — paid from {day}"
        )
    return prefix + text + "."
