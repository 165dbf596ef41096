"""Partner notices on SQLite and PostgreSQL, as the partner guide has them: a reminder before
the due date, an overdue notice with the suspension warning, a final notice; each once (a rerun
sends nothing new), in the Outbox and the audit trail; none for a document deducted from the
payout, a paid one, one with a transfer processing, or one written off."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from babel.dates import format_date as babel_date
from sqlmodel import select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import Partner
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.reminders import PartnerNotice
from concierge_app.services.partner.reminders import (
    SentNotice,
    partner_reminders,
    send_partner_reminders,
)

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


def _speaks(db, partner_id: int, language: str) -> None:
    with db.transaction() as s:
        partner = s.get(Partner, partner_id)
        assert partner is not None
        partner.language = language
        s.add(partner)


def test_a_spanish_partner_gets_its_notices_in_its_language(ledger):  # noqa: F811
    """The catalog is translated later: what shows the partner's locale reached gettext and
    Babel is the date and the amount as es_ES writes them (not as English does)."""
    db, gross = ledger["db"], ledger["gross"]
    _speaks(db, gross, "es_ES")
    number = invoice_of(db, gross).number
    for day in (REMINDER, OVERDUE):
        send_partner_reminders(db=db, today=day)
    reminder, overdue = _notices(db, number)
    due_es = babel_date(date(2026, 12, 16), format="long", locale="es_ES")
    assert due_es == "16 de diciembre de 2026"
    amount_es = format_money(Money.parse("80.00", "EUR"), "es_ES")
    for message in (reminder, overdue):
        assert number in message.subject and number in message.body
        assert due_es in message.body and amount_es in message.body
        assert "December 16, 2026" not in message.body and "€80.00" not in message.body
        assert "diciembre de 2026" in message.body.split("\n\n")[1]  # the notice's sentence
    assert "noviembre de 2026" in reminder.body  # the period, as es_ES names the month


def test_an_english_partner_keeps_the_partner_guide_wording(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = invoice_of(db, gross).number
    send_partner_reminders(db=db, today=REMINDER)
    (reminder,) = _notices(db, number)
    assert "This invoice is due by December 16, 2026." in reminder.body
    assert "November 2026" in reminder.body and "€80.00" in reminder.body


def test_the_reminders_card_shows_sent_notices_and_the_next_one(ledger):  # noqa: F811
    db, gross, villa = ledger["db"], ledger["gross"], ledger["villa"]
    invoice = invoice_of(db, gross)
    (before,) = partner_reminders(db=db, partner_id=gross, today=date(2026, 12, 10))
    assert (before.number, before.sent) == (invoice.number, ())
    assert (before.next_notice, before.next_on) == (PartnerNotice.REMINDER, REMINDER)
    send_partner_reminders(db=db, today=REMINDER)
    (after,) = partner_reminders(db=db, partner_id=gross, today=REMINDER)
    assert after.sent == (SentNotice(PartnerNotice.REMINDER, REMINDER),)
    assert (after.next_notice, after.next_on) == (PartnerNotice.OVERDUE, OVERDUE)
    # one document, for the partner's own document page
    (one,) = partner_reminders(db=db, partner_id=gross, today=REMINDER, invoice_id=invoice.id)
    assert one.sent == after.sent
    # a transfer processing: none, and why
    transfer(db, "80.00", f"PRP-GRS01 {invoice.number}", received_on=date(2026, 12, 16))
    (processing,) = partner_reminders(db=db, partner_id=gross, today=OVERDUE)
    assert processing.next_notice is None and "transfer is processing" in processing.reason
    # paid: still listed (a notice went out) with why no more come; sent ones kept
    (paid,) = partner_reminders(db=db, partner_id=gross, today=FINAL)
    assert (paid.next_notice, paid.reason, paid.sent) == (None, "paid", after.sent)
    # the net villa's invoice is deducted from its payout: nothing open, nothing listed
    assert all(
        r.next_notice is None for r in partner_reminders(db=db, partner_id=villa, today=FINAL)
    )
    # another partner's document is not found through this partner
    assert partner_reminders(db=db, partner_id=villa, today=FINAL, invoice_id=invoice.id) == []
