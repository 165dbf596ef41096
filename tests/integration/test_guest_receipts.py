"""The guest's documents on SQLite and PostgreSQL. Receipts: one per successful checkout (one
for a Pay All settling several invoices), numbered RC-000001… without gaps, written once however
often the provider delivers the event, attached to Payment Received. Sent invoices: a PDF with
who delivers each line, Due then Paid. Each PDF shows the stored figures."""

from __future__ import annotations

import io
import threading

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import GuestReceipt
from concierge_app.domain.errors import NotFound
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest.guest_invoices import (
    booking_invoice_files,
    guest_invoice_document,
    guest_invoice_pdf,
)
from concierge_app.services.guest.receipts import booking_receipts, receipt_document, receipt_pdf
from concierge_app.services.outbox.delivery import attachment_for
from concierge_app.services.payments import checkout
from concierge_app.services.payments.checkout import EventOutcome

from ..factories import add_service, make_world, pay, send_draft, snapshot


def two_sent_invoices(w):
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Sailing")
    first = send_draft(w)
    add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "500.00", "50.00", title="Chef")
    return [first, send_draft(w)]


def receipts(db):
    with db.read() as s:
        return s.exec(select(GuestReceipt).order_by(col(GuestReceipt.id))).all()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_one_receipt_for_a_pay_all_settling_two_invoices(db):
    w = make_world(db)
    invoices = two_sent_invoices(w)
    attempt = pay(w, invoices)
    (receipt,) = receipts(db)
    assert (receipt.number, receipt.attempt_id, receipt.booking_id) == (
        "RC-000001",
        attempt,
        w.booking_id,
    )
    assert (receipt.amount_minor, receipt.currency, receipt.provider) == (15000, "EUR", "sandbox")
    doc = receipt_document(db=db, booking_id=w.booking_id, number="RC-000001")
    assert [i.amount for i in doc.invoices] == [w.money("100.00"), w.money("50.00")]
    assert all(i.number.startswith("CI-") for i in doc.invoices)
    assert doc.settled_total == doc.amount == w.money("150.00")
    (listed,) = booking_receipts(db=db, booking_id=w.booking_id)
    assert (listed.number, listed.amount) == ("RC-000001", w.money("150.00"))


def test_the_receipt_pdf_shows_number_invoices_totals_currency_and_method(db):
    w = make_world(db)
    invoices = two_sent_invoices(w)
    pay(w, invoices)
    doc = receipt_document(db=db, booking_id=w.booking_id, number="RC-000001")
    name, data = receipt_pdf(db=db, booking_id=w.booking_id, number="RC-000001")
    text = pdf_text(data)
    assert name == "RC-000001.pdf" and data.startswith(b"%PDF")
    for expected in (
        "Receipt",
        "RC-000001",
        doc.booking_reference,
        doc.guest_name,
        "EUR",
        "Paid",
        "Card (test payment)",
        "€100.00",
        "€50.00",
        "€150.00",
        *(i.number for i in doc.invoices),
    ):
        assert expected in text, expected


def test_a_retried_webhook_makes_no_second_receipt(db):
    w = make_world(db)
    invoices = two_sent_invoices(w)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=invoices, actor="guest")

    def deliver(event_id):
        return checkout.fulfil_payment_attempt(
            db=db,
            attempt_id=attempt.id,
            provider="stripe",
            event_id=event_id,
            event_type="checkout.session.completed",
            amount=attempt.amount,
        )

    assert deliver("evt_1") is EventOutcome.FULFILLED
    before = snapshot(db)
    assert deliver("evt_1") is EventOutcome.DUPLICATE_EVENT
    assert deliver("evt_2") is EventOutcome.ALREADY_FULFILLED
    assert snapshot(db)["guest_receipt"] == before["guest_receipt"] == 1
    assert [r.number for r in receipts(db)] == ["RC-000001"]
    # the next payment takes the next number: no gap, no reuse
    add_service(w, S.PLATFORM_COLLECTS_FULL, "20.00", title="Taxi")
    pay(w, [send_draft(w)])
    assert [r.number for r in receipts(db)] == ["RC-000001", "RC-000002"]


def test_payment_received_carries_the_receipt_pdf(db):
    w = make_world(db)
    attempt = pay(w, two_sent_invoices(w))
    with db.read() as s:
        message = s.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == f"payment_received:{attempt}")
        ).one()
    assert message.attachment == "guest_receipt_pdf:RC-000001"
    attachment = attachment_for(db, message.attachment)
    assert attachment.filename == "RC-000001.pdf"
    assert "€150.00" in pdf_text(attachment.content)


@pytest.mark.parametrize(
    "number", ["RC-999999", "", "RC-000001' OR 1=1 --", "ＲＣ-000001", "x" * 10_000]
)
def test_another_bookings_or_an_unknown_receipt_is_not_found(db, number):
    w = make_world(db)
    pay(w, two_sent_invoices(w))
    other = make_world(db)
    with pytest.raises(NotFound):
        receipt_document(db=db, booking_id=other.booking_id, number="RC-000001")
    with pytest.raises(NotFound):
        receipt_document(db=db, booking_id=w.booking_id, number=number)
    assert booking_receipts(db=db, booking_id=other.booking_id) == ()


def test_receipts_stay_gapless_when_several_bookings_pay_at_once(db):
    racers = 6
    attempts = []
    for _ in range(racers):
        w = make_world(db)
        add_service(w, S.PLATFORM_COLLECTS_FULL, "40.00", title="Sailing")
        invoice = send_draft(w)
        attempts.append(checkout.start_payment_attempt(db=db, invoice_ids=[invoice], actor="g"))
    barrier = threading.Barrier(racers)
    outcomes: list[object] = []

    def run(attempt):
        barrier.wait()
        try:
            outcomes.append(
                checkout.fulfil_payment_attempt(
                    db=db,
                    attempt_id=attempt.id,
                    provider="stripe",
                    event_id=f"evt_race_{attempt.id}",
                    event_type="checkout.session.completed",
                    amount=attempt.amount,
                )
            )
        except Exception as exc:  # any error is a failure below
            outcomes.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes == [EventOutcome.FULFILLED] * racers
    numbers = sorted(r.number for r in receipts(db))
    assert numbers == [f"RC-{n:06d}" for n in range(1, racers + 1)]
    assert {r.attempt_id for r in receipts(db)} == {a.id for a in attempts}


def test_a_sent_invoice_pdf_shows_lines_who_delivers_them_totals_and_its_status(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Sailing")
    add_service(w, S.PLATFORM_COLLECTS_DEPOSIT, "500.00", "50.00", title="Chef")
    invoice = send_draft(w)
    (row,) = booking_invoice_files(db=db, booking_id=w.booking_id)
    assert (row.status, row.total) == ("active", w.money("150.00"))
    doc = guest_invoice_document(db=db, booking_id=w.booking_id, number=row.number)
    assert [line.amount for line in doc.lines] == [w.money("100.00"), w.money("50.00")]
    assert len({line.delivered_by for line in doc.lines}) == 1 and doc.paid_on is None
    name, data = guest_invoice_pdf(db=db, booking_id=w.booking_id, number=row.number)
    text = pdf_text(data)
    assert name == f"{row.number}.pdf"
    for expected in (
        "Invoice",
        row.number,
        doc.booking_reference,
        doc.guest_name,
        doc.lines[0].delivered_by,
        "Delivered by",
        "€100.00",
        "€50.00",
        "€150.00",
        "Amount due",
        "EUR",
        "Due",
    ):
        assert expected in text, expected
    pay(w, [invoice])
    paid = pdf_text(guest_invoice_pdf(db=db, booking_id=w.booking_id, number=row.number)[1])
    assert "Paid" in paid and "Paid in full" in paid and "Amount due" not in paid
    assert row.number in paid and "€150.00" in paid


def test_a_draft_or_another_bookings_invoice_has_no_document(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "100.00", title="Sailing")
    assert booking_invoice_files(db=db, booking_id=w.booking_id) == ()
    send_draft(w)
    (row,) = booking_invoice_files(db=db, booking_id=w.booking_id)
    other = make_world(db)
    with pytest.raises(NotFound):
        guest_invoice_document(db=db, booking_id=other.booking_id, number=row.number)
    for number in ("", "CI-9999-99999", "x" * 10_000, "CI-\u202e2026"):
        with pytest.raises(NotFound):
            guest_invoice_document(db=db, booking_id=w.booking_id, number=number)
