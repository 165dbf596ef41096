"""Reservation statements as billed: the frozen lines of a statement, with the descriptive facts
(reference, guest, dates, title) of their stays and services read from the bookings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, literal, select

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.parties import Guest
from concierge_app.domain.documents import StatementLine, rate_text
from concierge_app.domain.money import Money
from concierge_app.domain.statement import BilledLine, parse_statement
from concierge_app.services.shared.common import table_of

_BATCH = 5_000  # ids per read


_B, _S, _G = table_of(Booking), table_of(ServiceItem), table_of(Guest)
_STAYS = (
    select(
        _B.c.id,
        _B.c.reference,
        _G.c.name.label("guest_name"),
        literal("Stay").label("description"),
        _B.c.check_in.label("start_date"),
        _B.c.check_out.label("end_date"),
    )
    .join(_G, _G.c.id == _B.c.guest_id)
    .where(_B.c.id.in_(bindparam("ids", expanding=True)))
)
_SERVICES = (
    select(
        _S.c.id,
        _B.c.reference,
        _G.c.name.label("guest_name"),
        _S.c.title.label("description"),
        _S.c.service_date.label("start_date"),
        _S.c.service_date.label("end_date"),
    )
    .join(_B, _B.c.id == _S.c.booking_id)
    .join(_G, _G.c.id == _B.c.guest_id)
    .where(_S.c.id.in_(bindparam("ids", expanding=True)))
)


def _facts(conn: Connection, query: Any, ids: Sequence[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for start in range(0, len(ids), _BATCH):
        for row in conn.execute(query, {"ids": list(ids[start : start + _BATCH])}):
            found[int(row.id)] = row
    return found


def statement_lines(
    conn: Connection, packed: str, rate_bps: int, currency: str
) -> tuple[StatementLine, ...]:
    """A stored statement's lines, by departure date then start date then reference (one read
    of the stays and one of the services per 5,000 lines)."""
    billed = list(parse_statement(packed, rate_bps))
    stays = _facts(conn, _STAYS, [b.source_id for b in billed if b.source == "stay"])
    services = _facts(conn, _SERVICES, [b.source_id for b in billed if b.source == "service"])
    facts = {"stay": stays, "service": services}
    lines = [_line(b, facts[b.source][b.source_id], currency) for b in billed]
    return tuple(sorted(lines, key=lambda ln: (ln.end_date, ln.start_date, ln.reference)))


def _line(billed: BilledLine, facts: Any, currency: str) -> StatementLine:
    return StatementLine(
        reference=facts.reference,
        guest_name=facts.guest_name,
        description=(facts.description or "")[:200],
        start_date=facts.start_date,
        end_date=facts.end_date,
        base=Money(billed.base_minor, currency),
        rate=rate_text(billed.rate_bps),
        commission=Money(billed.commission_minor, currency),
        collected_by=billed.collected_by,
    )
