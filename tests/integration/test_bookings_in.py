"""Bookings in, on SQLite and PostgreSQL: New booking by form (guest reused by email, paid so far
recorded, audit entry), Edit (what may change, before/after audited), the bookings CSV import
(create, update, unchanged; one bad row writes nothing; a second import changes nothing) and
`concierge import-bookings`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from concierge_app.cli import app
from concierge_app.db.audit import AuditEvent
from concierge_app.db.bookings import AccommodationPayment, Booking
from concierge_app.db.engine import Database
from concierge_app.db.parties import Guest, Partner
from concierge_app.domain.booking_csv import BookingFileRefused
from concierge_app.domain.booking_input import BookingInvalid
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings
from concierge_app.services.guest.booking_entry import edit_booking, edit_values, new_booking
from concierge_app.services.guest.booking_import import import_bookings

from ..factories import ACTOR, add_service, make_partner, make_world, send_draft, snapshot

TODAY = date(2026, 12, 14)
HEADER = (
    "external_reference,guest_name,guest_email,guest_language,property,check_in,check_out,"
    "currency,accommodation_total,accommodation_paid,collected_by"
)


def code_of(db: Database, partner_id: int) -> str:
    with db.read() as s:
        partner = s.get(Partner, partner_id)
        assert partner is not None
        return partner.code


def form(code: str, **changes: str) -> dict[str, str]:
    return {
        "external_reference": "",
        "guest_name": "Ana Souza",
        "guest_email": "ana@example.com",
        "guest_language": "pt_PT",
        "property": code,
        "check_in": "2027-03-02",
        "check_out": "2027-03-09",
        "currency": "EUR",
        "accommodation_total": "4200.00",
        "accommodation_paid": "1000.00",
        "collected_by": "platform",
        **changes,
    }


def booking(db: Database, booking_id: int) -> Booking:
    with db.read() as s:
        found = s.get(Booking, booking_id)
        assert found is not None
        return found


def events(db: Database, action: str) -> list[dict]:
    with db.read() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == action)).all()
        return [json.loads(e.data) for e in rows]


def paid(db: Database, booking_id: int) -> list[int]:
    with db.read() as s:
        return [
            p.amount_minor
            for p in s.exec(
                select(AccommodationPayment).where(AccommodationPayment.booking_id == booking_id)
            ).all()
        ]


@pytest.fixture
def prop(db: Database) -> str:
    return code_of(db, make_partner(db, kind="property"))


# -- New booking ---------------------------------------------------------------------------------
def test_new_booking_creates_guest_booking_and_payment(db: Database, prop: str):
    made = new_booking(
        db=db, fields=form(prop, external_reference="HX-1"), actor=ACTOR, received_on=TODAY
    )
    row = booking(db, made.id)
    assert made.reference.startswith("BK-") and not made.guest_reused
    assert (row.external_reference, row.accommodation_total_minor) == ("HX-1", 420000)
    assert paid(db, made.id) == [100000]
    assert events(db, "booking.created")[-1]["external_reference"] == "HX-1"
    assert events(db, "accommodation.payment_recorded")

    again = new_booking(
        db=db,
        fields=form(prop, guest_name="Ana S.", accommodation_paid=""),
        actor=ACTOR,
        received_on=TODAY,
    )
    assert again.guest_reused and booking(db, again.id).guest_id == row.guest_id
    assert again.reference != made.reference and paid(db, again.id) == []


def test_new_booking_refuses_bad_input_per_field_and_writes_nothing(db: Database, prop: str):
    new_booking(db=db, fields=form(prop, external_reference="HX-1"), actor=ACTOR, received_on=TODAY)
    before = snapshot(db)
    with pytest.raises(BookingInvalid) as refused:
        new_booking(
            db=db,
            fields=form(prop, guest_email="nope", check_out="2027-03-01", accommodation_total="-1"),
            actor=ACTOR,
            received_on=TODAY,
        )
    assert {f for f, _ in refused.value.problems} == {
        "guest_email",
        "check_out",
        "accommodation_total",
    }
    for fields, field in (
        (form("PRP-NOPE"), "property"),
        (form(prop, external_reference="HX-1"), "external_reference"),
    ):
        with pytest.raises(BookingInvalid) as refused:
            new_booking(db=db, fields=fields, actor=ACTOR, received_on=TODAY)
        assert refused.value.field == field
    assert snapshot(db) == before


# -- Edit --------------------------------------------------------------------------------------
def test_edit_changes_what_may_change_and_audits_before_and_after(db: Database, prop: str):
    made = new_booking(db=db, fields=form(prop), actor=ACTOR, received_on=TODAY)
    values = edit_values(db=db, booking_id=made.id)
    assert values["accommodation_total"] == "4200.00" and values["property"] == prop
    changed = edit_booking(
        db=db,
        booking_id=made.id,
        fields={
            **values,
            "check_out": "2027-03-12",
            "guest_name": "Ana Souza Lima",
            "external_reference": "HX-77",
        },
        actor=ACTOR,
    )
    assert set(changed) == {"check_out", "guest_name", "external_reference"}
    row = booking(db, made.id)
    assert (row.check_out, row.external_reference) == (date(2027, 3, 12), "HX-77")
    with db.read() as s:
        assert s.get(Guest, row.guest_id).name == "Ana Souza Lima"  # type: ignore[union-attr]
    audit = events(db, "booking.edited")[-1]
    assert audit["check_out"] == {"before": "2027-03-09", "after": "2027-03-12"}

    before = snapshot(db)
    assert (
        edit_booking(
            db=db, booking_id=made.id, fields=edit_values(db=db, booking_id=made.id), actor=ACTOR
        )
        == ()
    )
    with pytest.raises(BookingInvalid, match="below what is already paid"):
        edit_booking(
            db=db, booking_id=made.id, fields={**values, "accommodation_total": "999"}, actor=ACTOR
        )
    with pytest.raises(BookingInvalid, match="currency stays EUR"):
        edit_booking(db=db, booking_id=made.id, fields={**values, "currency": "USD"}, actor=ACTOR)
    assert snapshot(db) == before


def test_edit_refuses_property_once_invoiced_and_anything_once_cancelled(db: Database):
    w = make_world(db)
    add_service(w, PaymentStrategy.PLATFORM_COLLECTS_FULL, "120.00")
    send_draft(w)
    values = edit_values(db=db, booking_id=w.booking_id)
    other = code_of(db, make_partner(db, kind="property"))
    with pytest.raises(BookingInvalid, match="property stays"):
        edit_booking(
            db=db, booking_id=w.booking_id, fields={**values, "property": other}, actor=ACTOR
        )
    bookings.cancel_booking(db=db, booking_id=w.booking_id, actor=ACTOR, reason="Guest left")
    with pytest.raises(BookingInvalid, match="cancelled"):
        edit_booking(
            db=db, booking_id=w.booking_id, fields={**values, "check_in": "2026-06-30"}, actor=ACTOR
        )
    with pytest.raises(BookingInvalid, match="This booking is cancelled"):  # nor anything else
        edit_booking(
            db=db,
            booking_id=w.booking_id,
            fields={**values, "guest_name": "Fixed Typo"},
            actor=ACTOR,
        )


# -- CSV import ---------------------------------------------------------------------------------
def csv_of(prop: str, *rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def line(prop: str, ext: str, total: str = "800.00", paid_: str = "0", name: str = "Ana") -> str:
    return (
        f"{ext},{name},{ext.lower()}@example.com,fr_FR,{prop},2027-01-10,2027-01-14,EUR,"
        f"{total},{paid_},platform"
    )


def by_external(db: Database, ext: str) -> Booking:
    with db.read() as s:
        return s.exec(select(Booking).where(Booking.external_reference == ext)).one()


def test_import_creates_then_updates_then_changes_nothing(db: Database, prop: str):
    first = import_bookings(
        db=db,
        csv_text=csv_of(prop, line(prop, "HX-1", paid_="100"), line(prop, "HX-2")),
        actor=ACTOR,
        today=TODAY,
    )
    assert first.summary == "2 bookings in the file: 2 created, 0 updated, 0 unchanged."
    assert paid(db, by_external(db, "HX-1").id) == [10000]

    before = snapshot(db)
    again = import_bookings(
        db=db,
        csv_text=csv_of(prop, line(prop, "HX-1", paid_="100"), line(prop, "HX-2")),
        actor=ACTOR,
        today=TODAY,
    )
    assert again.summary.endswith("0 created, 0 updated, 2 unchanged.")
    assert snapshot(db) == before

    seen: list[tuple[int, int]] = []
    third = import_bookings(
        db=db,
        csv_text=csv_of(
            prop,
            line(prop, "HX-1", total="900.00", paid_="250", name="Ana B"),
            line(prop, "HX-2"),
            line(prop, "HX-3"),
        ),
        actor=ACTOR,
        today=TODAY,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert third.summary.endswith("1 created, 1 updated, 1 unchanged.")
    assert seen[-1] == (3, 3)
    updated = third.outcomes[0]
    assert set(updated.changed) == {"accommodation_total", "guest_name", "accommodation_paid"}
    hx1 = by_external(db, "HX-1")
    assert hx1.accommodation_total_minor == 90000
    assert sorted(paid(db, hx1.id)) == [10000, 15000]
    assert events(db, "booking.edited")[-1]["accommodation_total"]["after"] == "900.00 EUR"


def test_one_bad_row_refuses_the_whole_file(db: Database, prop: str):
    import_bookings(
        db=db, csv_text=csv_of(prop, line(prop, "HX-1", paid_="100")), actor=ACTOR, today=TODAY
    )
    before = snapshot(db)
    for text, says in (
        (
            csv_of(prop, line(prop, "HX-5"), line(prop, "HX-6", total="abc")),
            "Row 3 (accommodation_total)",
        ),
        (csv_of(prop, line(prop, "HX-5"), line("PRP-NOPE", "HX-6")), "Row 3 (property)"),
        (
            csv_of(prop, line(prop, "HX-5"), line(prop, "HX-1", paid_="50")),
            "Row 3 (accommodation_paid)",
        ),
        (
            csv_of(prop, line(prop, "HX-5"), line(prop, "HX-1", total="50.00")),
            "Row 3 (accommodation_total)",
        ),
    ):
        with pytest.raises(BookingFileRefused) as refused:
            import_bookings(db=db, csv_text=text, actor=ACTOR, today=TODAY)
        assert refused.value.problems[0].startswith(says), refused.value.problems
        assert snapshot(db) == before


def test_cli_import_bookings(db: Database, prop: str, tmp_path: Path):
    url = db.engine.url.render_as_string(hide_password=False)
    good = tmp_path / "bookings.csv"
    good.write_text(csv_of(prop, line(prop, "HX-1"), line(prop, "HX-2")), encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["import-bookings", str(good), "--url", url])
    assert done.exit_code == 0, done.output
    assert "2 created, 0 updated, 0 unchanged" in done.output
    again = runner.invoke(app, ["import-bookings", str(good), "--url", url])
    assert "0 created, 0 updated, 2 unchanged" in again.output

    bad = tmp_path / "bad.csv"
    bad.write_text(csv_of(prop, line(prop, "HX-3", total="-4")), encoding="utf-8")
    refused = runner.invoke(app, ["import-bookings", str(bad), "--url", url])
    assert refused.exit_code == 1
    assert (
        "Nothing was imported" in refused.output and "Row 2 (accommodation_total)" in refused.output
    )
    missing = runner.invoke(app, ["import-bookings", str(tmp_path / "none.csv"), "--url", url])
    assert missing.exit_code == 1 and "Cannot read" in missing.output
