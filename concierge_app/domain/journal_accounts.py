"""The chart of accounts the journal export posts to: one key per role, a default code and
name each, overridable by `JOURNAL_ACCOUNTS="receivable_guest=1100,bank=1010"` (checked at
start-up; a bad override refuses to start rather than export to the wrong account)."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

from concierge_app.domain.errors import DomainError

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$")
_MAX_TEXT = 2000


class Account(enum.StrEnum):
    """An account's role in the journal (the code is configurable, the role is not)."""

    BANK = "bank"
    CLEARING = "clearing"
    RECEIVABLE_GUEST = "receivable_guest"
    RECEIVABLE_PARTNER = "receivable_partner"
    COMMISSION_ACCRUED = "commission_accrued"
    PAYABLE_PARTNER = "payable_partner"
    VAT_PAYABLE = "vat_payable"
    GUEST_UNAPPLIED = "guest_unapplied"
    UNMATCHED_RECEIPTS = "unmatched_receipts"
    COMMISSION_REVENUE = "commission_revenue"
    COMMISSION_ADJUSTMENTS = "commission_adjustments"
    BAD_DEBT = "bad_debt"


@dataclass(frozen=True, slots=True)
class AccountInfo:
    code: str
    name: str


DEFAULT_CHART: dict[Account, AccountInfo] = {
    Account.BANK: AccountInfo("1000", "Bank"),
    Account.CLEARING: AccountInfo("1200", "Payment provider clearing"),
    Account.RECEIVABLE_GUEST: AccountInfo("1100", "Receivables guests"),
    Account.RECEIVABLE_PARTNER: AccountInfo("1300", "Receivables partners"),
    Account.COMMISSION_ACCRUED: AccountInfo("1400", "Commission accrued, not yet invoiced"),
    Account.PAYABLE_PARTNER: AccountInfo("2100", "Payable to partners"),
    Account.VAT_PAYABLE: AccountInfo("2200", "VAT/GST payable"),
    Account.GUEST_UNAPPLIED: AccountInfo("2300", "Guest money to refund (unapplied)"),
    Account.UNMATCHED_RECEIPTS: AccountInfo("2400", "Unmatched partner receipts"),
    Account.COMMISSION_REVENUE: AccountInfo("4000", "Commission revenue"),
    Account.COMMISSION_ADJUSTMENTS: AccountInfo("4050", "Commission credit and debit notes"),
    Account.BAD_DEBT: AccountInfo("6000", "Bad debts written off"),
}


@dataclass(frozen=True, slots=True)
class ChartOfAccounts:
    """Role → code and name; every role has exactly one code."""

    accounts: Mapping[Account, AccountInfo]

    def code(self, account: Account) -> str:
        return self.accounts[account].code

    def name(self, account: Account) -> str:
        return self.accounts[account].name


def parse_chart(text: str) -> ChartOfAccounts:
    """The default chart with `key=code` overrides (comma-separated); a clear error per part."""
    chart = dict(DEFAULT_CHART)
    if len(text or "") > _MAX_TEXT:
        raise DomainError("The account list is too long.", field="journal_accounts")
    seen: set[Account] = set()
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, code = part.partition("=")
        key, code = key.strip().lower(), code.strip()
        try:
            account = Account(key)
        except ValueError:
            known = ", ".join(a.value for a in Account)
            raise DomainError(
                f"{key[:40]!r} is not an account role (use one of {known}).",
                field="journal_accounts",
            ) from None
        if not sep or not _CODE.match(code):
            raise DomainError(
                f"{key}: give a code of 1–20 letters, digits, '.' or '-' (e.g. {key}=1100).",
                field="journal_accounts",
            )
        if account in seen:
            raise DomainError(f"{key} is listed twice.", field="journal_accounts")
        seen.add(account)
        chart[account] = AccountInfo(code, DEFAULT_CHART[account].name)
    codes = [info.code for info in chart.values()]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise DomainError(
            f"Account code {twice[0]} is given to two roles; each role needs its own code.",
            field="journal_accounts",
        )
    return ChartOfAccounts(chart)
