"""Partner notices on SQLite and PostgreSQL, as the partner guide has them: a reminder before
the due date, an overdue notice with the suspension warning, a final notice; each once (a rerun
sends nothing new), in the Outbox and the audit trail; none for a document deducted from the
payout, a paid one, one with a transfer processing, or one written off."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.messaging import OutboxMessage
from concierge_app.services.partner.reminders import send_partner_reminders

from .test_partner_documents import ledger  # noqa: F401  (fixture)
from .test_partner_transfers import invoice_of, transfer
from .test_partner_write_off import write_off

# The gross villa's 80.00 (PRP-GRS01) is due by December 16; the net villa's is deducted.
REMINDER, OVERDUE, FINAL = date(2026, 12, 13), date(2026, 12, 17), date(2026, 12, 30)


def _notices(db, number: str) -> list[OutboxMessage]:
    with db.read() as s:
        messages = s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.template_key == "partner_reminder")
            .order_by(OutboxMessage.id)  # type: ignore[arg-type]
        )
        return [m for m in messages if number in m.subject]


def test_reminder_overdue_and_final_notice_each_once(ledger):  # noqa: F811
    db, gross, villa = ledger["db"], ledger["gross"], ledger["villa"]
    number = invoice_of(db, gross).number
    for day in (date(2026, 12, 12), REMINDER, REMINDER, OVERDUE, OVERDUE, FINAL, FINAL):
        send_partner_reminders(db=db, today=day)
    notices = _notices(db, number)
    assert [m.subject.split(":")[0] for m in notices] == [
        "Payment reminder",
        "Overdue notice",
        "Final notice",
    ]
    assert "due by December 16, 2026" in notices[0].body
    assert "80.00" in notices[0].body
    assert "suspension" in notices[1].body and "suspension" in notices[2].body
    assert all(m.partner_id == gross for m in notices)
    assert _notices(db, invoice_of(db, villa).number) == []  # deducted from the payout
    with db.read() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "partner_reminder.sent"))
        assert sum(1 for e in events if number in str(e.data)) == 3


def test_no_notice_once_paid_or_while_a_transfer_is_processing(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = invoice_of(db, gross).number
    transfer(db, "80.00", f"PRP-GRS01 {number}", received_on=date(2026, 12, 16))
    send_partner_reminders(db=db, today=OVERDUE)  # processing until December 18
    send_partner_reminders(db=db, today=FINAL)  # paid
    assert _notices(db, number) == []


def test_no_notice_for_a_written_off_document(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    invoice = invoice_of(db, gross)
    write_off(db, invoice.id)
    for day in (REMINDER, OVERDUE, FINAL):
        send_partner_reminders(db=db, today=day)
    assert _notices(db, invoice.number) == []


def test_two_concurrent_runs_send_each_notice_once_on_postgres(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    if db.url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        send_partner_reminders(db=db, today=OVERDUE)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(_notices(db, invoice_of(db, gross).number)) == 1
