"""The guest's credit notes on SQLite and PostgreSQL: one per refund — from the Refund dialog or
made at Stripe and told by its events — numbered GCN-000001… without gaps, written once however
often the request or the event is repeated, naming the invoice(s) it corrects and the amount,
sent to the guest with "Refund Issued" and the PDF attached; the paid invoice never changes."""

from __future__ import annotations

import dataclasses
import io
import threading

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from concierge_app.adapters.payments.gateway import REFUND_KEY
from concierge_app.db.bookings import Booking
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.payments import GuestCreditNote, GuestCreditNoteLine, Refund
from concierge_app.domain.errors import NotFound
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import bookings, refunds
from concierge_app.services.guest.credit_notes import (
    booking_credit_notes,
    credit_note_document,
    credit_note_pdf,
)
from concierge_app.services.guest.document_access import document_file
from concierge_app.services.guest.links import issue_guest_link
from concierge_app.services.outbox.delivery import attachment_for

from ..factories import ACTOR, add_service, make_booking, make_world, pay, send_draft
from .test_provider_refunds import event, paid_booking, refund_object
from .test_refunds_and_bookings import RecordingGateway
from .test_webhooks import deliver


def notes(db):
    with db.read() as s:
        return s.exec(select(GuestCreditNote).order_by(col(GuestCreditNote.id))).all()


def refund_issued(db):
    with db.read() as s:
        return s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.template_key == "refund_issued")
            .order_by(col(OutboxMessage.id))
        ).all()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def paid_tour(w, gross="100.00"):
    """A service on its own invoice, paid: (service id, invoice id)."""
    service = add_service(w, S.PLATFORM_COLLECTS_FULL, gross, title="Boat tour")
    invoice = send_draft(w)
    pay(w, [invoice])
    return service, invoice


def invoice_row(db, invoice_id):
    with db.read() as s:
        row = s.get(GuestInvoice, invoice_id)
        return row.model_dump()


def staff_refund(w, service, amount="40.00", key="dialog-1", note="Boat broke down"):
    return refunds.issue_refund(
        db=w.db,
        service_id=service,
        amount=w.money(amount),
        note=note,
        actor=ACTOR,
        idempotency_key=key,
        gateway=RecordingGateway(),
    )


def test_a_staff_refund_issues_one_credit_note_and_the_paid_invoice_never_changes(db):
    w = make_world(db)
    service, invoice = paid_tour(w)
    before = invoice_row(db, invoice)
    staff_refund(w, service)
    staff_refund(w, service)  # a double click / a retried request: the same key
    (note,) = notes(db)
    assert (note.number, note.booking_id, note.amount_minor, note.currency) == (
        "GCN-000001",
        w.booking_id,
        4000,
        "EUR",
    )
    assert note.reason == "Boat broke down" and note.refund_key.startswith("refund:")
    assert invoice_row(db, invoice) == before  # still Paid, same total, same everything
    doc = credit_note_document(db=db, booking_id=w.booking_id, number="GCN-000001")
    assert doc.invoice_numbers == (before["number"],)
    assert [(line.description, line.amount) for line in doc.lines] == [
        ("Boat tour", w.money("40.00"))
    ]
    (listed,) = booking_credit_notes(db=db, booking_id=w.booking_id)
    assert (listed.number, listed.amount) == ("GCN-000001", w.money("40.00"))
    # a second refund of the same service is a second note, the next number
    staff_refund(w, service, amount="10.00", key="dialog-2", note="Late pick-up")
    assert [n.number for n in notes(db)] == ["GCN-000001", "GCN-000002"]


def test_refund_issued_goes_to_the_guest_with_the_credit_note_pdf(db):
    w = make_world(db)
    service, invoice = paid_tour(w)
    staff_refund(w, service)
    (message,) = refund_issued(db)
    with db.read() as s:
        number = s.get(GuestInvoice, invoice).number
    assert message.recipient.startswith("guest") and message.booking_id == w.booking_id
    assert message.attachment == "guest_credit_note_pdf:GCN-000001"
    assert "GCN-000001" in message.subject and "€40.00" in message.subject
    assert number in message.body and "Reason: Boat broke down" in message.body
    assert "#documents" in message.body
    attachment = attachment_for(db, message.attachment)
    assert attachment.filename == "GCN-000001.pdf"
    text = pdf_text(attachment.content)
    for expected in ("Credit note", "GCN-000001", number, "€40.00", "EUR", "Boat broke down"):
        assert expected in text, expected


def test_the_pdf_is_written_in_the_guests_locale(db):
    w = make_world(db)
    guest = bookings.create_guest(
        db=db, name="Lucía Pérez", email="lucia@example.com", locale="es_ES"
    )
    w = dataclasses.replace(
        w, booking_id=make_booking(db, property_id=w.property_id, guest_id=guest)
    )
    service, _ = paid_tour(w, "1250.00")
    staff_refund(w, service, amount="1200.50")
    _, data = credit_note_pdf(db=db, booking_id=w.booking_id, number="GCN-000001")
    text = pdf_text(data)
    assert "1200,50\xa0€" in text or "1.200,50\xa0€" in text, text
    assert "Lucía Pérez" in text
    (message,) = refund_issued(db)
    assert "1200,50" in message.subject or "1.200,50" in message.subject


def test_a_refund_recorded_as_made_elsewhere_also_issues_its_note(db):
    w = make_world(db)
    service, _ = paid_tour(w)
    refunds.record_refund(
        db=db, service_id=service, amount=w.money("100.00"), note="Goodwill", actor=ACTOR
    )
    (note,) = notes(db)
    assert (note.amount_minor, note.reason) == (10000, "Goodwill")


def test_a_refund_made_at_stripe_over_two_services_is_one_credit_note_replays_change_nothing(db):
    w = make_world(db)
    (sailing, chef), pi = paid_booking(w, "120.00", "80.00")
    deliver(db, event("refund.created", refund_object("re_s", 10000, pi), "evt_1"))
    (note,) = notes(db)
    assert (note.number, note.amount_minor, note.refund_key, note.reason) == (
        "GCN-000001",
        10000,
        "provider:re_s",
        "",  # Stripe gives no reason the guest should read
    )
    with db.read() as s:
        lines = s.exec(select(GuestCreditNoteLine).order_by(col(GuestCreditNoteLine.id))).all()
        refunded = {r.id: r.service_item_id for r in s.exec(select(Refund)).all()}
    assert {refunded[line.refund_id]: line.amount_minor for line in lines} == {
        chef: 8000,
        sailing: 2000,
    }
    doc = credit_note_document(db=db, booking_id=w.booking_id, number="GCN-000001")
    assert len(doc.invoice_numbers) == 1 and doc.amount == Money(10000, "EUR")
    # the same event again, the same refund told by another event: nothing more
    deliver(db, event("refund.created", refund_object("re_s", 10000, pi), "evt_1"))
    deliver(db, event("refund.updated", refund_object("re_s", 10000, pi), "evt_2"))
    assert len(notes(db)) == 1 and len(refund_issued(db)) == 1


def test_a_pending_stripe_refund_gets_its_note_when_it_succeeds(db):
    w = make_world(db)
    _, pi = paid_booking(w, "120.00")
    pending = refund_object("re_p", 5000, pi, status="pending")
    deliver(db, event("refund.created", pending, "evt_1"))
    assert notes(db) == []
    deliver(db, event("refund.updated", refund_object("re_p", 5000, pi), "evt_2"))
    (note,) = notes(db)
    assert (note.amount_minor, note.refund_key) == (5000, "provider:re_p")


def test_the_staff_refunds_own_stripe_event_makes_no_second_note(db):
    w = make_world(db)
    (sailing,), pi = paid_booking(w, "120.00")
    view = staff_refund(w, sailing, key="dialog-9")
    with db.read() as s:
        reference = s.get(Refund, view.id).provider_reference
    told = refund_object(reference, 4000, pi, metadata={REFUND_KEY: "dialog-9"})
    deliver(db, event("refund.updated", told, "evt_9"))
    assert [n.number for n in notes(db)] == ["GCN-000001"] and len(refund_issued(db)) == 1


def test_credit_notes_stay_gapless_under_concurrent_refunds(db):
    racers = 4
    services = []
    for _ in range(racers):
        w = make_world(db)
        services.append((w, paid_tour(w)[0]))
    barrier = threading.Barrier(racers * 2)
    errors: list[Exception] = []

    def run(w, service, key):
        barrier.wait()
        try:
            staff_refund(w, service, amount="30.00", key=key)
        except Exception as exc:  # a failure below
            errors.append(exc)

    # each booking's refund twice at once (a double click): one note each, no gap
    threads = [
        threading.Thread(target=run, args=(w, service, f"race-{service}"))
        for w, service in services
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(n.number for n in notes(db)) == [f"GCN-{n:06d}" for n in range(1, racers + 1)]
    assert len({n.booking_id for n in notes(db)}) == racers
    assert len(refund_issued(db)) == racers


def test_the_guest_document_route_serves_it_to_its_booking_only(db):
    w = make_world(db)
    service, _ = paid_tour(w)
    staff_refund(w, service)
    token = issue_guest_link(db=db, booking_id=w.booking_id, actor=ACTOR).token
    other = make_world(db)
    theirs = issue_guest_link(db=db, booking_id=other.booking_id, actor=ACTOR).token
    with db.read() as s:
        reference = s.get(Booking, w.booking_id).reference
    found = document_file(
        db=db, reference=reference, number="GCN-000001", guest_token=token, staff_token=""
    )
    assert found is not None and found[0] == "GCN-000001.pdf" and found[1].startswith(b"%PDF")
    for number, tok in (("GCN-000001", theirs), ("GCN-000002", token), ("GCN-000001' --", token)):
        assert (
            document_file(
                db=db, reference=reference, number=number, guest_token=tok, staff_token=""
            )
            is None
        )
    with pytest.raises(NotFound):
        credit_note_document(db=db, booking_id=other.booking_id, number="GCN-000001")
