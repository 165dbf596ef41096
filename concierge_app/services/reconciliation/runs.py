"""A reconciliation run: read the provider's records for a period, compare them with the ledger
(`domain/reconciliation.py`), store the run and its differences, and — for the daily job — tell
finance staff when there is drift. Nothing is ever corrected here: people check each difference.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from concierge_app import routes
from concierge_app.adapters.payments.configured import provider_records
from concierge_app.adapters.payments.gateway import Progress, ProviderRecords
from concierge_app.db.engine import Database
from concierge_app.db.reconciliation import ReconciliationDifference, ReconciliationRun
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.reconciliation import Result, reconcile, summarise
from concierge_app.services.reconciliation.ledger_side import ledger_items
from concierge_app.services.reconciliation.views import RunView, run_view
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.messages import queue_message
from concierge_app.services.shared.permissions import Permission, require_in
from concierge_app.settings import get_settings

NOT_YET = "{period} has not started yet: pick this month or an earlier one."
MESSAGE_LINES = 50  # the message lists at most this many differences (the tab lists all)


def window(period: Period, *, until: date | None = None) -> tuple[datetime, datetime]:
    """[start, end) in UTC: the month, or its first day up to (not including) `until`."""
    start = datetime.combine(period.first_day, time(0), tzinfo=UTC)
    end_day = period.last_day + timedelta(days=1)
    if until is not None:
        end_day = min(end_day, until)
    return start, datetime.combine(end_day, time(0), tzinfo=UTC)


def run_reconciliation(
    *,
    db: Database,
    period: Period,
    actor: str,
    today: date,
    records: ProviderRecords | None = None,
    progress: Progress | None = None,
) -> RunView:
    """Reconcile the period (up to now for the current month) and store the run."""
    require_in(db, actor, Permission.RECONCILIATION)
    if period.first_day > today:
        raise DomainError(NOT_YET.format(period=period_text(period)), field="period")
    start, end = window(period, until=today + timedelta(days=1))
    return _run(db, period, actor, (start, end), records, progress, scheduled_for=None)


def run_daily(*, db: Database, today: date, records: ProviderRecords | None = None) -> RunView:
    """The daily job: yesterday's period, from its first day to the end of yesterday. Once per
    day: a second call that day returns the day's run and changes nothing."""
    existing = _scheduled(db, today)
    if existing is not None:
        return existing
    yesterday = today - timedelta(days=1)
    period = Period.of(yesterday)
    try:
        return _run(
            db, period, "system:schedule", window(period, until=today), records, None, today
        )
    except IntegrityError:  # another worker ran today's meanwhile
        found = _scheduled(db, today)
        if found is None:
            raise
        return found


def _scheduled(db: Database, day: date) -> RunView | None:
    with db.read() as session:
        run = session.exec(
            select(ReconciliationRun).where(ReconciliationRun.scheduled_for == day)
        ).first()
        return None if run is None else run_view(session, run)


def _run(
    db: Database,
    period: Period,
    actor: str,
    span: tuple[datetime, datetime],
    records: ProviderRecords | None,
    progress: Progress | None,
    scheduled_for: date | None,
) -> RunView:
    source = records or provider_records(db)
    theirs = source.provider_records(start=span[0], end=span[1], progress=progress)
    with db.transaction() as session:
        results = reconcile(theirs, ledger_items(session, start=span[0], end=span[1]))
        summary = summarise(results)
        run = ReconciliationRun(
            period=period_text(period),
            provider=source.name,
            ends_on=span[1].date() - timedelta(days=1),
            scheduled_for=scheduled_for,
            drift_count=summary.drift_count,
            summary_json=json.dumps(
                sorted([k.value, d.value, n] for (k, d), n in summary.counts.items())
            ),
            created_by=actor,
        )
        session.add(run)
        session.flush()
        assert run.id is not None
        drift = [r for r in results if r.drift.is_drift]
        for result in drift:
            session.add(_difference(run.id, result))
        record_event(
            session,
            actor=actor,
            action="reconciliation.run",
            subject=f"reconciliation:{run.id}",
            data={
                "period": run.period,
                "provider": run.provider,
                "drift": summary.drift_count,
                "scheduled_for": None if scheduled_for is None else scheduled_for.isoformat(),
            },
        )
        if drift and scheduled_for is not None:
            _tell_finance(session, run, drift)
        session.flush()
        return run_view(session, run)


def period_text(period: Period) -> str:
    return f"{period.year:04d}-{period.month:02d}"


def _amounts(amounts: tuple[Money, ...]) -> str:
    return json.dumps([[m.minor, m.currency] for m in amounts])


REFERENCE_MAX = 255  # reconciliation_difference.reference


def _shown(reference: str) -> tuple[str, str]:
    """The reference as stored and sent, and what was changed to store it (said, never silent):
    PostgreSQL text cannot hold NUL (shown as �); a reference longer than the column is cut."""
    said = []
    if "\x00" in reference:
        reference = reference.replace("\x00", "\ufffd")
        said.append("The reference has NUL characters: shown as �.")
    if len(reference) > REFERENCE_MAX:
        said.append(f"The reference is {len(reference):,} characters: shown cut.")
    return reference[:REFERENCE_MAX], " ".join(said)


def _difference(run_id: int, result: Result) -> ReconciliationDifference:
    reference, said = _shown(result.reference)
    return ReconciliationDifference(
        run_id=run_id,
        kind=result.kind.value,
        reference=reference,
        drift=result.drift.value,
        provider_json=_amounts(result.provider),
        ledger_json=_amounts(result.ledger),
        note=f"{result.note} {said}".strip()[:500],
    )


def _texts(amounts: tuple[Money, ...]) -> str:
    return " + ".join(format_money(m) for m in amounts) or "none"


def _tell_finance(session: Session, run: ReconciliationRun, drift: list[Result]) -> None:
    """A message to the platform's finance address (the Outbox): drift was found."""
    settings = get_settings()
    queue_message(
        session,
        dedupe_key=f"reconciliation_drift:{run.id}",
        template_key="reconciliation_drift",
        recipient=settings.platform_email,
        context={
            "platform_name": settings.platform_name,
            "period": run.period,
            "provider": run.provider,
            "drift_count": run.drift_count,
            "lines": [
                {
                    "description": f"{r.kind.value} {_shown(r.reference)[0]}: {r.drift.label}",
                    "amount": f"provider {_texts(r.provider)}, ledger {_texts(r.ledger)}",
                }
                for r in drift[:MESSAGE_LINES]
            ],
            "reconciliation_url": public_url(routes.FINANCE),
        },
    )
