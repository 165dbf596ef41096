"""Guest payment reminders on SQLite and PostgreSQL: sent once per step (a rerun and two
concurrent runs send nothing new), stopped by Paid, Voided and a pause, in the Outbox and the
audit trail; the booking's next reminder; `concierge send-reminders` with its progress bar."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner

from concierge_app.cli import app as cli
from concierge_app.db.audit import AuditEvent
from concierge_app.db.messaging import OutboxMessage
from concierge_app.domain.errors import NotFound
from concierge_app.domain.roles import NotAllowed, Role
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest.invoicing import void_invoice
from concierge_app.services.guest.reminders import (
    booking_reminders,
    send_guest_reminders,
    set_reminders_paused,
)

from ..factories import ACTOR, add_service, add_staff, make_world, pay, send_draft

SENT_ON = date(2026, 6, 20)  # check-in July 1, the service July 3 (tests/factories.py)


def _sent_invoice(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "80.00")
    invoice_id = send_draft(w)
    with db.transaction() as s:  # the clock is frozen: the invoice went out on June 20
        s.connection().execute(
            text("UPDATE guest_invoice SET issued_at = :at WHERE id = :id"),
            {"at": datetime(2026, 6, 20, 9, 0, tzinfo=UTC), "id": invoice_id},
        )
    return w, invoice_id


def _reminders(db) -> list[OutboxMessage]:
    with db.read() as s:
        return list(
            s.exec(select(OutboxMessage).where(OutboxMessage.template_key == "guest_reminder"))
        )


def _audit(db, action: str) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_each_step_is_queued_once_in_the_outbox_and_the_audit_trail(db):
    w, invoice_id = _sent_invoice(db)
    assert send_guest_reminders(db=db, today=date(2026, 6, 22)).sent == []
    first = send_guest_reminders(db=db, today=date(2026, 6, 23))
    assert [label for _, label in first.sent] == ["3 days after sending"]
    again = send_guest_reminders(db=db, today=date(2026, 6, 23))
    assert again.sent == [] and again.checked == 1
    send_guest_reminders(db=db, today=date(2026, 6, 29))
    send_guest_reminders(db=db, today=date(2026, 7, 3))
    send_guest_reminders(db=db, today=date(2026, 7, 3))
    messages = _reminders(db)
    assert sorted(m.dedupe_key for m in messages) == sorted(
        f"reminder:guest_invoice:{invoice_id}:{step}"
        for step in ("sent+3", "check-in-2", "service-date+0")
    )
    body = messages[0].body
    assert "still unpaid" in body and "/portal/" in body and "80" in body
    assert all(m.booking_id == w.booking_id for m in messages)
    events = _audit(db, "reminder.sent")
    assert len(events) == 3 and {e.booking_id for e in events} == {w.booking_id}


def test_paid_invoices_get_no_reminder(db):
    w, invoice_id = _sent_invoice(db)
    pay(w, [invoice_id])
    assert send_guest_reminders(db=db, today=date(2026, 6, 23)).checked == 0
    assert _reminders(db) == []
    assert booking_reminders(db=db, booking_id=w.booking_id, today=date(2026, 6, 23)).next is None


def test_voided_invoices_get_no_reminder(db):
    w, invoice_id = _sent_invoice(db)
    void_invoice(db=db, invoice_id=invoice_id, actor=ACTOR, reason="Wrong amount")
    send_guest_reminders(db=db, today=date(2026, 6, 23))
    assert _reminders(db) == []
    assert booking_reminders(db=db, booking_id=w.booking_id, today=date(2026, 6, 23)).next is None


def test_a_paused_booking_gets_none_until_resumed_and_both_are_audited(db):
    w, _ = _sent_invoice(db)
    assert set_reminders_paused(db=db, booking_id=w.booking_id, paused=True, actor=ACTOR)
    assert not set_reminders_paused(db=db, booking_id=w.booking_id, paused=True, actor=ACTOR)
    assert send_guest_reminders(db=db, today=date(2026, 6, 23)).sent == []
    view = booking_reminders(db=db, booking_id=w.booking_id, today=date(2026, 6, 23))
    assert view.paused
    assert set_reminders_paused(db=db, booking_id=w.booking_id, paused=False, actor=ACTOR)
    assert len(send_guest_reminders(db=db, today=date(2026, 6, 24)).sent) == 1
    assert len(_audit(db, "reminders.paused")) == 1
    assert len(_audit(db, "reminders.resumed")) == 1


def test_the_booking_shows_the_next_reminder_due(db):
    w, _ = _sent_invoice(db)
    view = booking_reminders(db=db, booking_id=w.booking_id, today=date(2026, 6, 21))
    assert not view.paused
    assert view.next is not None
    assert (view.next.on, view.next.label) == (date(2026, 6, 23), "3 days after sending")
    send_guest_reminders(db=db, today=date(2026, 6, 23))
    after = booking_reminders(db=db, booking_id=w.booking_id, today=date(2026, 6, 23))
    assert after.next is not None
    assert (after.next.on, after.next.label) == (date(2026, 6, 29), "2 days before check-in")


def test_pausing_is_concierge_work_and_bad_bookings_change_nothing(db):
    w, _ = _sent_invoice(db)
    add_staff(db, "money@test.example", Role.FINANCE)
    with pytest.raises(NotAllowed):
        set_reminders_paused(
            db=db, booking_id=w.booking_id, paused=True, actor="money@test.example"
        )
    for bad in (-1, 0, 10**12):
        with pytest.raises(NotFound):
            set_reminders_paused(db=db, booking_id=bad, paused=True, actor=ACTOR)
    assert not booking_reminders(db=db, booking_id=w.booking_id, today=SENT_ON).paused
    assert _audit(db, "reminders.paused") == []


@pytest.mark.postgres
def test_two_concurrent_runs_send_each_reminder_once(pg_db):
    db = pg_db
    worlds = [_sent_invoice(db) for _ in range(3)]
    start = threading.Barrier(2)
    runs = []

    def run() -> None:
        start.wait()
        runs.append(send_guest_reminders(db=db, today=date(2026, 6, 23)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(r.sent) for r in runs) == len(worlds)
    assert len(_reminders(db)) == len(worlds)
    assert len(_audit(db, "reminder.sent")) == len(worlds)


def test_the_cli_sends_with_a_progress_bar_and_a_rerun_sends_nothing(db):
    _sent_invoice(db)
    runner = CliRunner()
    args = ["send-reminders", "--date", "2026-06-23", "--url", db.url]
    first = runner.invoke(cli, args, env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    assert "Guest invoices" in first.output and "1/1" in first.output
    assert "Partner documents" in first.output and "0 partner notice(s) sent" in first.output
    assert "3 days after sending" in first.output
    assert "1 reminder(s) sent, 1 unpaid invoice(s) checked." in first.output
    second = runner.invoke(cli, args, env={"COLUMNS": "200"})
    assert "0 reminder(s) sent" in second.output
    bad = runner.invoke(cli, ["send-reminders", "--date", "2026-02-30", "--url", db.url])
    assert bad.exit_code == 2
    assert len(_reminders(db)) == 1
