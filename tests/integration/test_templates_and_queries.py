"""Lifecycle templates (edit, preview, used when sending) and read models without N+1."""

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, insert
from sqlmodel import select

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.messaging import OutboxMessage
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.domain.templates import TemplateError
from concierge_app.services.guest import queries
from concierge_app.services.shared import messages

from ..factories import ACTOR, add_service, make_world, send_draft, snapshot


def test_an_edited_template_is_used_for_the_next_invoice_sent_message(db):
    w = make_world(db)
    messages.update_template(
        db=db,
        key="invoice_sent",
        subject="Bill {{ invoice_number }}",
        body="Hello {{ guest_name }}, pay {{ invoice_total }} at {{ portal_url }}",
        actor=ACTOR,
    )
    add_service(w, S.PLATFORM_COLLECTS_FULL, "42.00")
    send_draft(w)
    with db.read() as s:
        msg = s.exec(select(OutboxMessage)).one()
    assert msg.subject.startswith("Bill CI-") and "pay €42.00 at http" in msg.body
    (view,) = [t for t in messages.list_templates(db=db) if t.key == "invoice_sent"]
    assert view.customised and view.subject == "Bill {{ invoice_number }}"


def test_a_template_with_an_unknown_placeholder_is_refused_and_not_saved(db):
    make_world(db)
    before = snapshot(db)
    with pytest.raises(TemplateError, match="Unknown placeholder"):
        messages.update_template(
            db=db, key="payment_received", subject="Thanks", body="{{ invoice_total }}", actor=ACTOR
        )
    assert snapshot(db) == before


def test_preview_renders_on_a_real_booking(db):
    w = make_world(db)
    subject, body = messages.preview_template(
        db=db,
        key="invoice_sent",
        subject="For {{ booking_reference }}",
        body="Dear {{ guest_name }}",
        booking_id=w.booking_id,
    )
    assert subject.startswith("For BK-") and body.startswith("Dear Guest ")


def test_every_default_template_previews_with_its_own_text(db):
    """The Templates page previews each template: sample values cover every placeholder."""
    from concierge_app.domain.templates import DEFAULT_TEMPLATES

    w = make_world(db)
    with db.read() as s:
        reference = s.exec(select(Booking.reference).where(Booking.id == w.booking_id)).one()
    for key, template in DEFAULT_TEMPLATES.items():
        subject, body = messages.preview_template(
            db=db, key=key, subject=template.subject, body=template.body, booking_id=w.booking_id
        )
        # strict rendering raised on any placeholder without a value; here: the values are in
        if "booking_reference" in template.placeholders:  # a guest or staff message
            assert reference in subject + body, key  # about the real booking
        elif key == "reconciliation_drift":  # to finance staff, about the provider
            assert "differences" in subject, key
        elif "link_url" in template.placeholders:  # an account link: to a person, with the link
            assert "Ana García" in body and "/account?t=" in body, key
        else:  # a partner message: the sample partner's
            assert "PRP-0000" in subject + body, key


@contextmanager
def count_statements(db):
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def add_invoices(w, count, lines_per_invoice):
    """Bulk rows (setup only): Active invoices with lines on confirmed services."""
    with w.db.transaction() as s:
        for n in range(count):
            invoice_id = s.execute(
                insert(GuestInvoice)
                .values(
                    booking_id=w.booking_id,
                    status="active",
                    number=f"T-{w.booking_id}-{n}",
                    currency="EUR",
                    total_minor=100 * lines_per_invoice,
                )
                .returning(GuestInvoice.id)
            ).scalar_one()
            for _ in range(lines_per_invoice):
                sid = s.execute(
                    insert(ServiceItem)
                    .values(
                        booking_id=w.booking_id,
                        operator_id=w.operator_id,
                        title="x",
                        service_date=date(2026, 7, 2),
                        currency="EUR",
                        gross_minor=100,
                        strategy="platform_collects_full",
                        lifecycle="confirmed",
                    )
                    .returning(ServiceItem.id)
                ).scalar_one()
                s.execute(
                    insert(InvoiceLine).values(
                        invoice_id=invoice_id,
                        service_item_id=sid,
                        description="x",
                        kind="full",
                        amount_minor=100,
                        currency="EUR",
                    )
                )


@pytest.mark.parametrize("reader", ["payments_panel", "trip_portfolio", "list_bookings"])
def test_read_models_use_the_same_number_of_statements_whatever_the_size(db, reader):
    counts = []
    for size in (1, 10, 30):
        w = make_world(db)
        add_invoices(w, size, 5)
        with count_statements(db) as statements:
            if reader == "list_bookings":
                queries.list_bookings(db=db)
            else:
                getattr(queries, reader)(db=db, booking_id=w.booking_id)
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2] <= 9, counts  # the panel also reads refunds
