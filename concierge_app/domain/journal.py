"""Double-entry journal entries: lines in integer minor units, one currency per entry, and the
rule that debits equal credits per entry and per currency (an unbalanced journal is an error,
never exported)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from concierge_app.domain.currencies import normalise_currency
from concierge_app.domain.errors import DomainError
from concierge_app.domain.journal_accounts import Account
from concierge_app.domain.money import MAX_MINOR


class UnbalancedJournal(DomainError):
    """Debits and credits differ: the journal is not written."""


@dataclass(frozen=True, slots=True)
class Posting:
    """One side of an entry before normalising: a signed amount (+ debit, − credit)."""

    account: Account
    signed_minor: int


def debit(account: Account, minor: int) -> Posting:
    return Posting(account, minor)


def credit(account: Account, minor: int) -> Posting:
    return Posting(account, -minor)


@dataclass(frozen=True, slots=True)
class JournalLine:
    account: Account
    debit_minor: int
    credit_minor: int


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced entry: date, reference (document number or payment id), description."""

    day: date
    reference: str
    description: str
    currency: str
    lines: tuple[JournalLine, ...]

    @property
    def debits(self) -> int:
        return sum(line.debit_minor for line in self.lines)

    @property
    def credits(self) -> int:
        return sum(line.credit_minor for line in self.lines)


def make_entry(
    *, day: date, reference: str, description: str, currency: str, postings: Iterable[Posting]
) -> JournalEntry | None:
    """Normalise postings (a negative debit is a credit; zeros are dropped; one line per account
    and side) into a balanced entry; None when nothing moves. Raises UnbalancedJournal."""
    code = normalise_currency(currency)
    net: dict[Account, int] = {}
    for posting in postings:
        if not isinstance(posting.signed_minor, int) or isinstance(posting.signed_minor, bool):
            raise UnbalancedJournal(f"{reference}: amounts must be whole minor units.")
        if abs(posting.signed_minor) > MAX_MINOR:
            raise UnbalancedJournal(f"{reference}: an amount is too large.")
        net[posting.account] = net.get(posting.account, 0) + posting.signed_minor
    lines = tuple(
        JournalLine(account, max(amount, 0), max(-amount, 0))
        for account, amount in net.items()
        if amount
    )
    if not lines:
        return None
    entry = JournalEntry(day, reference, description, code, lines)
    if entry.debits != entry.credits:
        raise UnbalancedJournal(
            f"{reference} ({code}): debits {entry.debits} ≠ credits {entry.credits}."
        )
    return entry


@dataclass(frozen=True, slots=True)
class CurrencyTotals:
    currency: str
    entries: int
    debit_minor: int
    credit_minor: int


def check_balanced(entries: Sequence[JournalEntry]) -> list[CurrencyTotals]:
    """Debits equal credits in every entry and every currency; the totals per currency."""
    totals: dict[str, list[int]] = {}
    for entry in entries:
        if entry.debits != entry.credits:
            raise UnbalancedJournal(
                f"{entry.reference} ({entry.currency}) is unbalanced: "
                f"debits {entry.debits} ≠ credits {entry.credits}."
            )
        row = totals.setdefault(entry.currency, [0, 0, 0])
        row[0] += 1
        row[1] += entry.debits
        row[2] += entry.credits
    result = [CurrencyTotals(c, n, d, k) for c, (n, d, k) in sorted(totals.items())]
    for t in result:
        if t.debit_minor != t.credit_minor:
            raise UnbalancedJournal(
                f"The {t.currency} journal is unbalanced: {t.debit_minor} ≠ {t.credit_minor}."
            )
    return result
