"""The reservation statement of a commission invoice, as it was billed.

The month-end run freezes, per partner and currency, the money facts of every line — which
stay or service, who collected the guest's money, the base — in one compact text (a line per
reservation or service) beside the partner's rate, written by the same set-based statement that
sums the invoice. The commission of each line is recomputed from its base and rate with the
run's own half-up rule, so the lines always add up to the invoice. Descriptive facts that never
change (reference, guest, dates, title) are read from the booking when the statement is shown.

Format of a line: ``<source><id> <collected> <base>[ <platform>][ r<rate>]``, e.g.
``b1042 p 120000 r1500`` — source ``b`` (stay) or ``s`` (service); collected ``p`` (platform),
``o`` (partner) or ``d`` (deposit by the platform, balance by the partner); the base in minor
units, refunds taken off; for ``d`` only, the part the platform collected (for ``p`` it is the
base, for ``o`` nothing); the commission rate (bps) the line was billed at, the rate in force
when the reservation was made (see `domain.commission_rates`) — statements written before rates
had a history have none: their lines were all billed at the statement's rate. Lines are
separated by a newline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from concierge_app.domain.errors import DomainError

SOURCES = {"b": "stay", "s": "service"}
COLLECTED = {"p": "platform", "o": "partner", "d": "shared"}
BPS = 10_000


def commission_minor(base_minor: int, rate_bps: int) -> int:
    """Commission on a base in minor units, half-up: (base × rate + 5000) / 10000, as in SQL."""
    if base_minor < 0 or not 0 <= rate_bps <= BPS:
        raise DomainError(f"No commission on {base_minor} at {rate_bps} bps.")
    return (base_minor * rate_bps + BPS // 2) // BPS


@dataclass(frozen=True, slots=True)
class BilledLine:
    """One reservation or service on a statement, as billed."""

    source: str  # "stay" | "service"
    source_id: int
    collected_by: str  # "platform" | "partner" | "shared"
    base_minor: int
    platform_minor: int  # the part of the base the platform collected
    rate_bps: int

    @property
    def commission_minor(self) -> int:
        return commission_minor(self.base_minor, self.rate_bps)

    def deducted_minor(self, net_payout: bool) -> int:
        """Commission taken from the partner's payout (only on what the platform collected)."""
        return commission_minor(self.platform_minor, self.rate_bps) if net_payout else 0


def parse_statement(text: str, rate_bps: int) -> Iterator[BilledLine]:
    """The lines of a stored statement, in the order they were written; a line without its own
    rate was billed at the statement's `rate_bps`."""
    for raw in text.split("\n") if text else ():
        try:
            head, code, base, *rest = raw.split(" ")
            rate = rate_bps
            if rest and rest[-1].startswith("r"):
                rate = int(rest.pop()[1:])
                if not 0 <= rate <= BPS:
                    raise ValueError(raw)
            collected, amount = COLLECTED[code], int(base)
            platform = {"platform": amount, "partner": 0}.get(collected)
            if platform is None:
                (platform,) = map(int, rest)
            elif rest:
                raise ValueError(raw)
            yield BilledLine(SOURCES[head[0]], int(head[1:]), collected, amount, platform, rate)
        except (KeyError, ValueError) as exc:
            raise DomainError(f"Unreadable statement line {raw!r}.") from exc


def format_line(line: BilledLine) -> str:
    """The stored form of one line (the inverse of parse_statement; the run writes it in SQL)."""
    source = next(k for k, v in SOURCES.items() if v == line.source)
    collected = next(k for k, v in COLLECTED.items() if v == line.collected_by)
    text = f"{source}{line.source_id} {collected} {line.base_minor}"
    if collected == "d":
        text = f"{text} {line.platform_minor}"
    return f"{text} r{line.rate_bps}"
