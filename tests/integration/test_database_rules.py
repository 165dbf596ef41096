"""The database itself enforces what it can, whatever code talks to it."""

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from concierge_app.db.bookings import ServiceItem
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.payments import PaymentAttempt, ProviderEvent
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.shared.audit import verify_chain

from ..factories import add_service, make_world, pay, send_draft


def write(db, *rows):
    with db.transaction() as s:
        for row in rows:
            s.add(row)


def test_at_most_one_draft_per_booking(db):
    w = make_world(db)
    write(db, GuestInvoice(booking_id=w.booking_id, currency="EUR"))
    with pytest.raises(IntegrityError):
        write(db, GuestInvoice(booking_id=w.booking_id, currency="EUR"))
    write(db, GuestInvoice(booking_id=w.booking_id, currency="EUR", status="voided"))


def test_provider_references_and_event_ids_are_unique(db):
    w = make_world(db)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "10.00")
    attempt_id = pay(w, [send_draft(w)], event_id="evt_same")
    with pytest.raises(IntegrityError):
        write(
            db, ProviderEvent(provider="sandbox", event_id="evt_same", event_type="x", outcome="x")
        )
    write(db, ProviderEvent(provider="stripe", event_id="evt_same", event_type="x", outcome="x"))
    with db.transaction() as s:
        s.get(PaymentAttempt, attempt_id).provider_reference = "cs_1"
    with pytest.raises(IntegrityError):
        write(
            db,
            PaymentAttempt(
                id="pa_other",
                booking_id=w.booking_id,
                currency="EUR",
                amount_minor=1,
                provider="stripe",
                provider_reference="cs_1",
                created_by="x",
            ),
        )


@pytest.mark.parametrize(
    "row",
    [
        lambda w: ServiceItem(
            booking_id=w.booking_id,
            operator_id=w.operator_id,
            title="x",
            service_date=date(2026, 7, 1),
            currency="EUR",
            gross_minor=-1,
            strategy=S.PLATFORM_COLLECTS_FULL.value,
        ),
        lambda w: ServiceItem(
            booking_id=w.booking_id,
            operator_id=w.operator_id,
            title="x",
            service_date=date(2026, 7, 1),
            currency="EUR",
            gross_minor=100,
            deposit_minor=101,
            strategy=S.PLATFORM_COLLECTS_DEPOSIT.value,
        ),
        lambda w: ServiceItem(
            booking_id=w.booking_id,
            operator_id=w.operator_id,
            title="x",
            service_date=date(2026, 7, 1),
            currency="EUR",
            gross_minor=100,
            strategy=S.PLATFORM_COLLECTS_DEPOSIT.value,
        ),
        lambda w: ServiceItem(
            booking_id=w.booking_id,
            operator_id=w.operator_id,
            title="x",
            service_date=date(2026, 7, 1),
            currency="eur",
            gross_minor=100,
            strategy=S.PLATFORM_COLLECTS_FULL.value,
        ),
        lambda w: ServiceItem(
            booking_id=w.booking_id,
            operator_id=w.operator_id,
            title="x",
            service_date=date(2026, 7, 1),
            currency="EURO",
            gross_minor=100,
            strategy=S.PLATFORM_COLLECTS_FULL.value,
        ),
        lambda w: ServiceItem(
            booking_id=w.booking_id,
            operator_id=w.operator_id,
            title="x",
            service_date=date(2026, 7, 1),
            currency="EUR",
            gross_minor=100,
            strategy="pay_later",
        ),
        lambda w: ServiceItem(
            booking_id=999_999,
            operator_id=w.operator_id,
            title="x",
            service_date=date(2026, 7, 1),
            currency="EUR",
            gross_minor=100,
            strategy=S.PLATFORM_COLLECTS_FULL.value,
        ),
        lambda w: GuestInvoice(booking_id=w.booking_id, currency="EUR", total_minor=-5),
    ],
    ids=[
        "negative gross",
        "deposit above gross",
        "deposit strategy without deposit",
        "lower-case currency",
        "four-letter currency",
        "unknown strategy",
        "missing booking",
        "negative invoice total",
    ],
)
def test_check_and_foreign_key_constraints(db, row):
    w = make_world(db)
    with pytest.raises((IntegrityError, DataError)):  # PostgreSQL: too long for CHAR(3)
        write(db, row(w))


def test_the_audit_trail_is_append_only_in_the_database(db):
    make_world(db)
    for statement in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.transaction() as s:
                s.execute(text(statement))
    assert verify_chain(db=db).ok
