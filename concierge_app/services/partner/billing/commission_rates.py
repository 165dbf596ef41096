"""A partner's commission rate history: the rates staff read, and a change of rate (checked,
audited). The rule in SQL (the rate in force, the day each reservation is billed on), which the
month-end run and payment fulfilment read, is `db.sql.commission_rates`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, PartnerCommissionRate
from concierge_app.domain.commission_rates import (
    DatedRate,
    check_change,
    format_rate,
    parse_rate,
    rate_in_force,
)
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.partner_billing import long_date
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load
from concierge_app.services.shared.permissions import Permission, require_in


@dataclass(frozen=True, slots=True)
class RateEntry:
    """One rate of a partner's history, as staff read it."""

    rate_bps: int
    rate: str  # "15 %"
    valid_from: date
    starts: str  # "From the start" or "December 1, 2026"
    changed_by: str
    changed_at: datetime
    state: str  # "in force" | "scheduled" | "ended"


@dataclass(frozen=True, slots=True)
class RateCard:
    partner_id: int
    current_bps: int  # in force today
    current: str
    entries: tuple[RateEntry, ...]  # newest first
    earliest_start: date  # the first day a new rate may start


def _history(session: Session, partner_id: int) -> list[PartnerCommissionRate]:
    return list(
        session.exec(
            select(PartnerCommissionRate)
            .where(PartnerCommissionRate.partner_id == partner_id)
            .order_by(col(PartnerCommissionRate.valid_from))
        ).all()
    )


def _dated(rows: list[PartnerCommissionRate]) -> list[DatedRate]:
    return [DatedRate(r.valid_from, r.rate_bps) for r in rows]


def commission_rates(*, db: Database, partner_id: int, today: date) -> RateCard:
    """The partner's rate in force today and its whole history (newest first)."""
    with db.read() as session:
        rows = _history(session, partner_id)
    if not rows:
        raise NotFound("This partner has no commission rate.")
    dated = _dated(rows)
    current = rate_in_force(dated, today)
    in_force_from = max(d.valid_from for d in dated if d.valid_from <= today)

    def state(row: PartnerCommissionRate) -> str:
        if row.valid_from > today:
            return "scheduled"
        return "in force" if row.valid_from == in_force_from else "ended"

    entries = tuple(
        RateEntry(
            rate_bps=r.rate_bps,
            rate=format_rate(r.rate_bps),
            valid_from=r.valid_from,
            starts="From the start"
            if DatedRate(r.valid_from, r.rate_bps).from_the_start
            else long_date(r.valid_from),
            changed_by=r.changed_by,
            changed_at=r.changed_at,
            state=state(r),
        )
        for r in reversed(rows)
    )
    earliest = max(today, rows[-1].valid_from) + timedelta(days=1)
    return RateCard(partner_id, current, format_rate(current), entries, earliest)


@dataclass(frozen=True, slots=True)
class RateChanged:
    rate_bps: int
    valid_from: date
    duplicate: bool  # the same change was already recorded (a double submit): nothing new


def parse_start(text: str) -> date:
    """The first day of a new rate, as the form sends it (YYYY-MM-DD)."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise DomainError(
            "Give the day the new rate starts, e.g. 2027-01-01.", field="valid_from"
        ) from None


def change_commission_rate(
    *, db: Database, partner_id: int, rate: str, valid_from: str, actor: str, today: date
) -> RateChanged:
    """Add a rate to the partner's history, from `valid_from` (a later day than today and than
    the last change), audited as `partner.rate_changed`. Bad input changes nothing; the same
    change sent twice is recorded once."""
    require_in(db, actor, Permission.PARTNER_MONEY)
    rate_bps, starts = parse_rate(rate), parse_start(valid_from)
    with db.transaction() as session:
        partner = load(session, Partner, partner_id, "Partner", lock=True)  # one change at once
        return add_rate(
            session, partner, rate_bps=rate_bps, starts=starts, actor=actor, today=today
        )


def add_rate(
    session: Session, partner: Partner, *, rate_bps: int, starts: date, actor: str, today: date
) -> RateChanged:
    """`change_commission_rate` inside the caller's transaction, the partner row locked."""
    partner_id = id_of(partner)
    rows = _history(session, partner_id)
    last = rows[-1] if rows else None
    if last is not None and (last.valid_from, last.rate_bps) == (starts, rate_bps):
        return RateChanged(rate_bps, starts, duplicate=True)
    dated = _dated(rows)
    check_change(dated, rate_bps=rate_bps, valid_from=starts, today=today)
    previous = rate_in_force(dated, starts) if dated else None
    session.add(
        PartnerCommissionRate(
            partner_id=partner_id, rate_bps=rate_bps, valid_from=starts, changed_by=actor
        )
    )
    session.flush()
    record_event(
        session,
        actor=actor,
        action="partner.rate_changed",
        subject=f"partner:{partner_id}",
        data={
            "code": partner.code,
            "rate_bps": rate_bps,
            "valid_from": starts.isoformat(),
            "previous_rate_bps": previous,
        },
    )
    return RateChanged(rate_bps, starts, duplicate=False)
