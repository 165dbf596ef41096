"""Sign-in rules: throttling per account and per client address, lockout, where to go after.

Pure: counts and times in, decisions out. The services keep the counts in the database (every
worker shares them) and call these rules inside short transactions.

- An account (staff or partner, by email) counts its consecutive failures. The first
  `FREE_FAILURES` cost nothing; after that the next attempt waits 2^(n − 3) seconds after the
  last failure (2 s, 4 s, 8 s …, never more than 15 minutes); the `LOCK_AFTER`th failure locks
  the account until staff unlock it.
- A client address counts its failures in a 15-minute window (any account): past
  `ADDRESS_FREE_FAILURES` the same growing delay applies.
- A refused attempt (throttled or locked) checks no password at all.
- Every admitted attempt counts as a failure while its password is being checked, so a burst of
  parallel guesses sees each other; a success gives it back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

FREE_FAILURES = 3
MAX_DELAY = timedelta(minutes=15)
LOCK_AFTER = 10
ADDRESS_FREE_FAILURES = 30
ADDRESS_WINDOW = timedelta(minutes=15)


class Kind(enum.StrEnum):
    """Whose sign-in: platform staff or a partner's finance login."""

    STAFF = "staff"
    PARTNER = "partner"


class Outcome(enum.StrEnum):
    """One line of the sign-in log."""

    SIGNED_IN = "signed_in"
    WRONG_PASSWORD = "wrong_password"
    UNKNOWN_ACCOUNT = "unknown_account"
    DISABLED = "disabled"  # the account is switched off
    TOTP_FAILED = "totp_failed"
    THROTTLED = "throttled"  # refused without checking: too soon after failures
    LOCKED = "locked"  # refused without checking: the account is locked
    LOCKED_OUT = "locked_out"  # this failure locked the account
    UNLOCKED = "unlocked"  # staff lifted a lockout
    PASSWORD_CHANGED = "password_changed"
    TWO_FACTOR_ON = "two_factor_on"
    TWO_FACTOR_OFF = "two_factor_off"


LABELS: dict[Outcome, str] = {
    Outcome.SIGNED_IN: "Signed in",
    Outcome.WRONG_PASSWORD: "Wrong password",
    Outcome.UNKNOWN_ACCOUNT: "Unknown email",
    Outcome.DISABLED: "Account disabled",
    Outcome.TOTP_FAILED: "Wrong two-factor code",
    Outcome.THROTTLED: "Refused: too many failures, waiting",
    Outcome.LOCKED: "Refused: account locked",
    Outcome.LOCKED_OUT: "Account locked",
    Outcome.UNLOCKED: "Unlocked",
    Outcome.PASSWORD_CHANGED: "Password changed",
    Outcome.TWO_FACTOR_ON: "Two-factor switched on",
    Outcome.TWO_FACTOR_OFF: "Two-factor switched off",
}

# Outcomes shown as a problem on the sign-in log.
ALARMING = frozenset({Outcome.THROTTLED, Outcome.LOCKED, Outcome.LOCKED_OUT})

FAILURES = frozenset(
    {Outcome.WRONG_PASSWORD, Outcome.UNKNOWN_ACCOUNT, Outcome.DISABLED, Outcome.TOTP_FAILED}
)


@dataclass(frozen=True, slots=True)
class AccountCount:
    """An account's consecutive failures (in-flight attempts included) and its lockout."""

    failures: int = 0
    last_failure_at: datetime | None = None
    locked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AddressCount:
    """A client address's failures in the window that started at `window_started_at`."""

    failures: int = 0
    window_started_at: datetime | None = None
    last_failure_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether to check the password now; if not, why (throttled or locked) and until when."""

    allowed: bool
    refusal: Outcome | None = None
    retry_at: datetime | None = None


def delay_after(failures: int, free: int = FREE_FAILURES) -> timedelta:
    """The wait after `failures` consecutive failures: none for the first `free`, then
    2^(failures − free) seconds, capped at MAX_DELAY."""
    if failures <= free:
        return timedelta(0)
    exponent = min(failures - free, 20)  # 2^20 s is far past the cap already
    return min(timedelta(seconds=2**exponent), MAX_DELAY)


def window_failures(address: AddressCount, now: datetime) -> int:
    """The address's failures in its current window (0 once the window has passed)."""
    start = address.window_started_at
    if start is None or now - start >= ADDRESS_WINDOW:
        return 0
    return address.failures


def judge(account: AccountCount, address: AddressCount, now: datetime) -> Verdict:
    """May this attempt be checked now? Locked beats throttled; the later wait wins."""
    if account.locked_at is not None:
        return Verdict(False, Outcome.LOCKED)
    waits: list[datetime] = []
    if account.last_failure_at is not None:
        waits.append(account.last_failure_at + delay_after(account.failures))
    if address.last_failure_at is not None:
        in_window = window_failures(address, now)
        waits.append(address.last_failure_at + delay_after(in_window, ADDRESS_FREE_FAILURES))
    retry_at = max(waits, default=now)
    if retry_at > now:
        return Verdict(False, Outcome.THROTTLED, retry_at)
    return Verdict(True)


def reserve(account: AccountCount, now: datetime) -> AccountCount:
    """Count an admitted attempt as a failure while it is being checked."""
    return replace(account, failures=account.failures + 1, last_failure_at=now)


def reserve_address(address: AddressCount, now: datetime) -> AddressCount:
    """The same for the address; a passed window starts again at this attempt."""
    if window_failures(address, now) == 0:
        return AddressCount(1, now, now)
    return replace(address, failures=address.failures + 1, last_failure_at=now)


def give_back(account: AccountCount) -> AccountCount:
    """A step that succeeded without finishing the sign-in (the password before its code)."""
    return replace(account, failures=max(account.failures - 1, 0))


def give_back_address(address: AddressCount) -> AddressCount:
    return replace(address, failures=max(address.failures - 1, 0))


def confirm_failure(account: AccountCount, now: datetime) -> AccountCount:
    """The checked attempt failed (it was counted already): lock at LOCK_AFTER failures."""
    if account.locked_at is None and account.failures >= LOCK_AFTER:
        return replace(account, locked_at=now)
    return account


def signed_in() -> AccountCount:
    """A completed sign-in starts the count again."""
    return AccountCount()


def unlocked() -> AccountCount:
    """Staff lifted the lockout: the account starts again with no failures."""
    return AccountCount()


def retry_message(retry_at: datetime, now: datetime) -> str:
    """What a throttled person reads: how long to wait, and until when (UTC)."""
    seconds = max(int((retry_at - now).total_seconds() + 0.999), 1)
    if seconds < 120:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        wait = f"{(seconds + 59) // 60} minutes"
    return (
        f"Too many failed sign-ins. Try again in {wait} (at {retry_at.strftime('%H:%M:%S')} UTC)."
    )


LOCKED_MESSAGE = (
    "This account is locked after too many failed sign-ins. Ask platform staff to unlock it."
)


def two_factor_required(*, app_env: str, can_refund: bool) -> bool:
    """In production, staff who can refund must use two-factor sign-in."""
    return app_env == "production" and can_refund


def safe_next(
    target: str, *, default: str, within: str = "/", refused: tuple[str, ...] = ()
) -> str:
    """Where to go after signing in: a relative path of this site under `within` and not under
    a `refused` prefix (the API, the sign-in pages), else `default` (never another site: no
    scheme, no host, no `//` or backslash tricks)."""
    if not target or any(ch in target for ch in "\\\r\n\t") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return default
    base = within.rstrip("/")
    if not (parts.path == within or parts.path == base or parts.path.startswith(base + "/")):
        return default
    if refused and parts.path.startswith(refused):
        return default
    return target
