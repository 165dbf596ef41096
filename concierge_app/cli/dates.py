"""The dates and months the commands are given (`--date`, `--period`), read or refused."""

from __future__ import annotations

from datetime import date

from concierge_app.cli.terminal import refused
from concierge_app.domain.errors import DomainError
from concierge_app.domain.partner_billing import Period
from concierge_app.services.shared.common import today


def day_or_today(day: str | None) -> date:
    """`--date` YYYY-MM-DD, or today; a bad date is refused with exit 2."""
    try:
        return date.fromisoformat(day) if day else today()
    except ValueError as bad:
        raise refused(str(bad), 2) from None


def month(period: str, *, code: int) -> Period:
    """`--period` YYYY-MM; a bad one is refused with its message and the exit `code`."""
    try:
        return Period.parse(period)
    except DomainError as bad:
        raise refused(bad.message, code) from None
