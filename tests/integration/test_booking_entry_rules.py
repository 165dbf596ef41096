"""Bookings in, the finer rules, on SQLite and PostgreSQL: Edit changes the booking's own guest
in place and refuses another guest's email; a cancelled booking refuses every edit (the Edit
dialog and an import row alike); the New booking form's request key makes a repeated submit —
one after the other, or two at the same moment — return the booking already made."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlmodel import select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.parties import Guest
from concierge_app.domain.booking_csv import BookingFileRefused
from concierge_app.domain.booking_input import BookingInvalid
from concierge_app.domain.errors import DomainError
from concierge_app.services.guest import booking_entry, bookings
from concierge_app.services.guest.booking_entry import NewBooking, edit_booking, edit_values
from concierge_app.services.guest.booking_import import import_bookings

from ..factories import ACTOR, make_partner, snapshot
from .test_bookings_in import HEADER, TODAY, booking, code_of, events, form
from .test_concurrency_pg import _lock_waiters


@pytest.fixture
def prop(db: Database) -> str:
    return code_of(db, make_partner(db, kind="property"))


def guest_of(db: Database, booking_id: int) -> Guest:
    with db.read() as s:
        guest = s.get(Guest, booking(db, booking_id).guest_id)
        assert guest is not None
        return guest


def create(db: Database, prop: str, key: str | None = None, **changes: str) -> NewBooking:
    return booking_entry.new_booking(
        db=db, fields=form(prop, **changes), actor=ACTOR, received_on=TODAY, request_key=key
    )


# -- the guest's details ---------------------------------------------------------------------------
def test_edit_changes_the_guest_in_place_and_refuses_another_guests_email(db: Database, prop: str):
    ana = create(db, prop)
    bob = create(db, prop, guest_name="Bob", guest_email="bob@example.com")
    bobs_other = create(db, prop, guest_name="Bob", guest_email="bob@example.com")
    assert bobs_other.guest_reused
    bob_id = booking(db, bob.id).guest_id

    values = edit_values(db=db, booking_id=bob.id)
    changed = edit_booking(
        db=db,
        booking_id=bob.id,
        fields={
            **values,
            "guest_name": "Robert",
            "guest_email": "Robert@Example.com",
            "guest_language": "de_DE",
        },
        actor=ACTOR,
    )
    assert set(changed) == {"guest_name", "guest_email", "guest_language"}
    assert booking(db, bob.id).guest_id == bob_id  # the same guest record, changed in place
    guest = guest_of(db, bob.id)
    assert (guest.name, guest.email, guest.locale) == ("Robert", "robert@example.com", "de_DE")
    assert guest_of(db, bobs_other.id).id == bob_id
    ana_guest = guest_of(db, ana.id)
    assert (ana_guest.name, ana_guest.email) == ("Ana Souza", "ana@example.com")
    assert events(db, "booking.edited")[-1]["guest_email"] == {
        "before": "bob@example.com",
        "after": "robert@example.com",
    }

    before = snapshot(db)
    for taken in ("ana@example.com", " ANA@example.COM "):
        with pytest.raises(BookingInvalid) as refused:
            edit_booking(
                db=db,
                booking_id=bob.id,
                fields={**edit_values(db=db, booking_id=bob.id), "guest_email": taken},
                actor=ACTOR,
            )
        assert refused.value.field == "guest_email"
        assert refused.value.message.startswith("Another guest has this email: Ana Souza.")
    assert snapshot(db) == before
    assert guest_of(db, bob.id).email == "robert@example.com"
    assert guest_of(db, ana.id).name == "Ana Souza"


# -- a cancelled booking ---------------------------------------------------------------------------
def test_a_cancelled_booking_refuses_every_edit(db: Database, prop: str):
    made = create(db, prop, external_reference="HX-9", accommodation_paid="")
    values = edit_values(db=db, booking_id=made.id)
    bookings.cancel_booking(db=db, booking_id=made.id, actor=ACTOR, reason="Guest left")
    before = snapshot(db)
    for field, value in (
        ("guest_name", "Fixed Typo"),
        ("guest_email", "new@example.com"),
        ("guest_language", "fr_FR"),
        ("check_in", "2027-03-01"),
        ("currency", "USD"),
        ("accommodation_total", "10.00"),
        ("collected_by", "property"),
        ("external_reference", "HX-10"),
        ("property", code_of(db, booking(db, made.id).property_id)),  # unchanged: no-op
    ):
        fields = {**values, field: value}
        if field == "property":
            assert edit_booking(db=db, booking_id=made.id, fields=fields, actor=ACTOR) == ()
            continue
        with pytest.raises(BookingInvalid) as refused:
            edit_booking(db=db, booking_id=made.id, fields=fields, actor=ACTOR)
        assert refused.value.problems == (
            (
                "booking",
                f"This booking is cancelled: {made.reference} keeps its details as they were.",
            ),
        ), field
    assert snapshot(db) == before

    row = (
        f"HX-9,Ana Souza,ana@example.com,pt_PT,{values['property']},2027-03-02,2027-03-09,EUR,"
        "4200.00,0,platform"
    )
    assert import_bookings(
        db=db, csv_text=f"{HEADER}\n{row}\n", actor=ACTOR, today=TODAY
    ).summary.endswith("0 created, 0 updated, 1 unchanged.")
    with pytest.raises(BookingFileRefused) as refused_file:
        import_bookings(
            db=db,
            csv_text=f"{HEADER}\n{row.replace('Ana Souza', 'Ana B')}\n",
            actor=ACTOR,
            today=TODAY,
        )
    assert refused_file.value.problems[0].startswith("Row 2 (booking): This booking is cancelled")
    assert snapshot(db) == before


# -- the request key -------------------------------------------------------------------------------
def count_with_key(db: Database, key: str) -> int:
    with db.read() as s:
        return len(s.exec(select(Booking.id).where(Booking.request_key == key)).all())


def test_a_repeated_submit_returns_the_booking_already_made(db: Database, prop: str):
    first = create(db, prop, "key-1", external_reference="HX-1")
    assert not first.repeated and booking(db, first.id).request_key == "key-1"
    before = snapshot(db)
    for _ in range(2):
        again = create(db, prop, "key-1", external_reference="HX-1")
        assert (again.id, again.reference, again.repeated) == (first.id, first.reference, True)
    assert snapshot(db) == before

    other = create(db, prop, "key-2")  # another opening of the form: another booking
    plain = create(db, prop)  # no key (the import, the API): no idempotency by key
    assert len({first.id, other.id, plain.id}) == 3 and not other.repeated

    before = snapshot(db)
    for bad in ("", "k" * 65, "clé", "key\n1", "key\x00", "\u202ekey"):
        with pytest.raises(DomainError, match="request key is malformed"):
            create(db, prop, bad)
    with pytest.raises(BookingInvalid):  # bad input is refused before the key is looked at
        create(db, prop, "key-1", check_in="nope")
    assert snapshot(db) == before


def test_a_key_committed_meanwhile_returns_that_booking(
    db: Database, prop: str, monkeypatch: pytest.MonkeyPatch
):
    """The race's second half, deterministically: the look-up before writing misses, the
    insert then meets the key's unique index."""
    first = create(db, prop, "key-race")
    looked_up = booking_entry._made_with
    calls = iter([None])
    monkeypatch.setattr(
        booking_entry, "_made_with", lambda d, k: next(calls, None) or looked_up(d, k)
    )
    before = snapshot(db)
    again = create(db, prop, "key-race")
    assert (again.id, again.repeated) == (first.id, True)
    assert snapshot(db) == before


@pytest.mark.parametrize("gated", [True, False])
def test_two_submits_of_one_key_at_the_same_moment_make_one_booking(
    db: Database, prop: str, gated: bool
):
    """Real threads. On PostgreSQL, gated: a third connection holds the booking-number row, so
    both submits have looked the key up (and missed) before either writes."""
    create(db, prop)  # the booking number's sequence row exists
    results: list[NewBooking | BaseException] = []
    barrier = threading.Barrier(2)

    def submit() -> None:
        try:
            if not gated:
                barrier.wait(timeout=30)
            results.append(create(db, prop, "key-both"))
        except BaseException as err:
            results.append(err)

    threads = [threading.Thread(target=submit, daemon=True) for _ in range(2)]
    if gated and db.dialect == "postgresql":
        with db.engine.connect() as conn, conn.begin():
            conn.execute(
                text("SELECT 1 FROM number_sequence WHERE name = 'booking_reference' FOR UPDATE")
            )
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 10
            while _lock_waiters(db) < 2:
                assert time.monotonic() < deadline, "the submits did not queue on the gate"
                time.sleep(0.005)
    else:
        for thread in threads:
            thread.start()
    for thread in threads:
        thread.join(timeout=60)
    made = [r for r in results if isinstance(r, NewBooking)]
    assert len(made) == 2, results
    assert made[0].id == made[1].id and sorted(m.repeated for m in made) == [False, True]
    assert count_with_key(db, "key-both") == 1
    created = [e for e in events(db, "booking.created") if e["reference"] == made[0].reference]
    assert len(created) == 1
