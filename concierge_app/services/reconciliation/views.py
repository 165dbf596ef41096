"""What the Reconciliation tab and the command line show of a run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from concierge_app.db.engine import Database
from concierge_app.db.reconciliation import ReconciliationDifference, ReconciliationRun
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.reconciliation import Drift, ItemKind


@dataclass(frozen=True, slots=True)
class CountRow:
    kind: str  # "Payment"
    outcome: str  # "Matched"
    count: int
    drift: bool


@dataclass(frozen=True, slots=True)
class DifferenceRow:
    kind: str
    reference: str
    outcome: str
    provider: str  # "12.50 EUR", "—" when absent
    ledger: str
    note: str


@dataclass(frozen=True, slots=True)
class RunView:
    id: int
    period: str
    ends_on: date  # the last day compared
    provider: str
    created_at: datetime
    created_by: str
    drift_count: int
    counts: tuple[CountRow, ...]
    differences: tuple[DifferenceRow, ...]


def _money_text(raw: str) -> str:
    amounts = [Money(int(m), str(c)) for m, c in json.loads(raw)]
    return " + ".join(format_money(m) for m in amounts) or "—"


def run_view(session: Session, run: ReconciliationRun) -> RunView:
    assert run.id is not None
    rows = session.exec(
        select(ReconciliationDifference)
        .where(ReconciliationDifference.run_id == run.id)
        .order_by(col(ReconciliationDifference.id))
    ).all()
    counts = tuple(
        CountRow(ItemKind(k).value.title(), Drift(d).label, int(n), Drift(d).is_drift)
        for k, d, n in json.loads(run.summary_json)
    )
    return RunView(
        id=run.id,
        period=run.period,
        ends_on=run.ends_on,
        provider=run.provider,
        created_at=run.created_at,
        created_by=run.created_by,
        drift_count=run.drift_count,
        counts=counts,
        differences=tuple(
            DifferenceRow(
                kind=ItemKind(r.kind).value.title(),
                reference=r.reference,
                outcome=Drift(r.drift).label,
                provider=_money_text(r.provider_json),
                ledger=_money_text(r.ledger_json),
                note=r.note,
            )
            for r in rows
        ),
    )


def last_run(*, db: Database) -> RunView | None:
    """The newest run (the daily job's or anyone's), with its differences."""
    with db.read() as session:
        run = session.exec(
            select(ReconciliationRun).order_by(col(ReconciliationRun.id).desc())
        ).first()
        return None if run is None else run_view(session, run)
