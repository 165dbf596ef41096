"""Outbox delivery over SMTP against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from concierge_app.adapters.notify.smtp import SmtpMailer
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.types import utcnow
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.outbox.delivery import MAX_ATTEMPTS, deliver_due_messages, retry_pause

from ..factories import add_service, make_world, send_draft


class Inbox:
    """An SMTP handler that keeps what it receives, or refuses while `refuse` is set."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], object]] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Mailbox temporarily unavailable"
        self.received.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield (
            inbox,
            SmtpMailer("127.0.0.1", port, "Concierge <billing@test.example>", starttls=False),
        )
    finally:
        controller.stop()


def queued(db) -> list[OutboxMessage]:
    with db.read() as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_queued_messages_are_delivered_once_and_marked_sent(db, smtp):
    inbox, mailer = smtp
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "250.00", title="Sunset sailing")
    send_draft(w)
    report = deliver_due_messages(db=db, mailer=mailer)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    ((recipients, message),) = inbox.received
    (row,) = queued(db)
    assert recipients == [row.recipient] and message["Subject"] == row.subject
    body = message.get_content()
    assert "Sunset sailing" in body and "€250.00" in body
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1
    assert deliver_due_messages(db=db, mailer=mailer).sent == 0  # nothing sent twice
    assert len(inbox.received) == 1


def test_a_refused_message_is_retried_later_and_finally_marked_failed(db, smtp):
    inbox, mailer = smtp
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    send_draft(w)
    inbox.refuse = True
    start = utcnow()
    report = deliver_due_messages(db=db, mailer=mailer, now=start)
    assert (report.sent, report.retrying) == (0, 1)
    (row,) = queued(db)
    assert row.status == "queued" and "451" in (row.last_error or "")
    assert row.next_attempt_at == start + retry_pause(1)
    # Not due yet: nothing is tried.
    assert deliver_due_messages(db=db, mailer=mailer, now=start + timedelta(seconds=30)) == type(
        report
    )(0, 0, 0)
    # The server recovers: the next due attempt delivers it.
    inbox.refuse = False
    later = start + retry_pause(1)
    assert deliver_due_messages(db=db, mailer=mailer, now=later).sent == 1
    assert queued(db)[0].status == "sent" and len(inbox.received) == 1

    add_service(w, S.PLATFORM_COLLECTS_FULL, "20.00")
    send_draft(w)
    inbox.refuse = True
    moment = utcnow()
    for _ in range(MAX_ATTEMPTS):
        report = deliver_due_messages(db=db, mailer=mailer, now=moment)
        moment += timedelta(hours=7)
    failed = queued(db)[1]
    assert report.failed == 1 and failed.status == "failed" and failed.attempts == MAX_ATTEMPTS


def test_an_unreachable_server_is_a_retry_not_a_crash(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    send_draft(w)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    report = deliver_due_messages(
        db=db, mailer=SmtpMailer("127.0.0.1", port, "x@test.example", starttls=False, timeout=2)
    )
    assert report.retrying == 1
    assert "Connection" in (queued(db)[0].last_error or "") or "refused" in (
        queued(db)[0].last_error or ""
    )


def test_each_delivery_is_on_the_audit_trail_and_moves_the_change_feed(db, smtp):
    from concierge_app.db.audit import AuditEvent
    from concierge_app.services.shared.changes import ledger_version

    _inbox, mailer = smtp
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "40.00")
    send_draft(w)
    before = ledger_version(db=db)
    deliver_due_messages(db=db, mailer=mailer)
    assert ledger_version(db=db) > before  # an open Outbox page reloads
    with db.read() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "message.sent")).one()
    assert event.booking_id == w.booking_id


def test_the_invoice_sent_message_carries_a_working_guest_link(db, smtp):
    import re

    from concierge_app.services.guest.links import booking_for_guest

    inbox, mailer = smtp
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "40.00")
    send_draft(w)
    deliver_due_messages(db=db, mailer=mailer)
    ((_, message),) = inbox.received
    token = re.search(r"/portal/[A-Z0-9-]+\?t=([\w-]+)", message.get_content())[1]
    assert booking_for_guest(db=db, token=token) == w.booking_id


def test_the_in_app_job_delivers_without_the_cli(sqlite_db, smtp, monkeypatch):
    import asyncio

    from concierge_app.jobs import outbox as job
    from concierge_app.settings import get_settings
    from tests.conftest import run_async

    inbox, mailer = smtp
    w = make_world(sqlite_db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "40.00")
    send_draft(w)
    monkeypatch.setenv("SMTP_HOST", mailer.host)
    monkeypatch.setenv("SMTP_PORT", str(mailer.port))
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    monkeypatch.setenv("OUTBOX_DELIVERY_SECONDS", "1")
    monkeypatch.setattr(job, "get_database", lambda: sqlite_db)
    get_settings.cache_clear()

    async def run_briefly() -> None:
        task = asyncio.create_task(job.deliver_outbox_forever())
        for _ in range(50):
            await asyncio.sleep(0.1)
            if inbox.received:
                break
        task.cancel()

    try:
        run_async(run_briefly())
    finally:
        get_settings.cache_clear()
    assert len(inbox.received) == 1 and queued(sqlite_db)[0].status == "sent"


def test_a_message_that_cannot_be_rendered_fails_alone(db, smtp):
    """A message rendered when sent whose subject is gone (here: no such invoice) is a failed
    attempt of that message; the others in the batch are sent, and the Outbox still lists."""
    from concierge_app.services.outbox.listing import list_outbox

    inbox, mailer = smtp
    with db.transaction() as s:
        s.add(
            OutboxMessage(
                dedupe_key="partner_invoice_issued:999999",
                template_key="partner_invoice_issued",
                recipient="finance@gone.example",
                subject="",
                body="",
                render_from="partner_invoice:999999",
            )
        )
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "250.00", title="Sunset sailing")
    send_draft(w)
    report = deliver_due_messages(db=db, mailer=mailer)
    assert (report.sent, report.retrying, report.failed) == (1, 1, 0)
    assert len(inbox.received) == 1
    broken, guest = queued(db)
    assert guest.status == "sent"
    assert broken.status == "queued" and broken.attempts == 1
    assert broken.last_error.startswith("Could not render partner_invoice:999999")
    shown = {v.id: v for v in list_outbox(db=db)}[broken.id]
    assert shown.subject == "(cannot be rendered)" and "partner_invoice:999999" in shown.body
