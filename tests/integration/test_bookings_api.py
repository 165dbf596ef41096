"""The bookings JSON API over HTTP (Starlette's TestClient on the app's `api`), on SQLite and
PostgreSQL: create, upsert, read, cancel; every error status; idempotent replay; revoked keys
and scopes; hostile bodies never answer 500 and write nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from concierge_app import api as api_module
from concierge_app.api_v1 import bookings as endpoints
from concierge_app.db.audit import AuditEvent
from concierge_app.db.bookings import AccommodationPayment, Booking
from concierge_app.db.engine import Database
from concierge_app.db.integrations import ApiKey
from concierge_app.db.parties import Partner
from concierge_app.domain.idempotency import fingerprint
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.integrations import api_keys
from concierge_app.services.integrations.bookings_api import push_booking
from concierge_app.services.shared.common import today

from ..factories import ACTOR, add_service, make_world, snapshot

BOOKINGS = "/api/v1/bookings"


@pytest.fixture
def client(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setattr(endpoints, "get_database", lambda: db)
    with TestClient(api_module.api, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def world(db: Database) -> dict[str, Any]:
    w = make_world(db)
    with db.read() as s:
        code = s.get(Partner, w.property_id).code  # type: ignore[union-attr]
    writer = api_keys.create_key(
        db=db, name="Guesty", scopes=["bookings:read", "bookings:write"], actor=ACTOR
    )
    reader = api_keys.create_key(db=db, name="Reports", scopes=["bookings:read"], actor=ACTOR)
    return {"w": w, "code": code, "writer": writer, "reader": reader}


def auth(new: api_keys.NewKey, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {new.secret}", **more}


def payload(code: str, **changes: Any) -> dict[str, Any]:
    return {
        "external_reference": "GST-1001",
        "guest": {"name": "Ana Souza", "email": "ana@example.com", "language": "pt_PT"},
        "property": code,
        "check_in": "2027-03-02",
        "check_out": "2027-03-09",
        "currency": "EUR",
        "accommodation_total_minor": 420000,
        "accommodation_paid_minor": 100000,
        "collected_by": "platform",
        **changes,
    }


def error_of(response: Any) -> dict[str, Any]:
    data = response.json()
    assert set(data) == {"error"} and set(data["error"]) == {"code", "message", "fields"}
    assert data["error"]["message"]
    return data["error"]  # type: ignore[no-any-return]


# -- create, upsert, read, cancel ----------------------------------------------------------------
def test_a_booking_is_created_read_by_either_reference_and_audited(client, world, db) -> None:
    made = client.post(BOOKINGS, json=payload(world["code"]), headers=auth(world["writer"]))
    assert made.status_code == 201, made.text
    booking = made.json()["data"]
    assert made.json()["result"] == "created"
    assert made.headers["location"] == f"{BOOKINGS}/{booking['reference']}"
    assert booking["external_reference"] == "GST-1001"
    assert (booking["accommodation_total_minor"], booking["accommodation_paid_minor"]) == (
        420000,
        100000,
    )
    assert booking["guest"] == {
        "name": "Ana Souza",
        "email": "ana@example.com",
        "language": "pt_PT",
    }
    for ref in (booking["reference"], "GST-1001"):
        read = client.get(f"{BOOKINGS}/{ref}", headers=auth(world["reader"]))
        assert read.status_code == 200 and read.json()["data"] == booking
    found = client.get(
        BOOKINGS, params={"external_reference": "GST-1001"}, headers=auth(world["reader"])
    )
    assert found.json() == {"data": [booking]}
    none = client.get(
        BOOKINGS, params={"external_reference": "NOPE"}, headers=auth(world["reader"])
    )
    assert none.json() == {"data": []}
    with db.read() as s:
        created = s.exec(select(AuditEvent).where(AuditEvent.action == "booking.created")).all()
    assert any(e.actor == f"api:{world['writer'].key.id}:Guesty" for e in created)


def test_a_known_external_reference_updates_its_booking_and_the_same_body_changes_nothing(
    client, world, db
) -> None:
    headers = auth(world["writer"])
    first = client.post(BOOKINGS, json=payload(world["code"]), headers=headers).json()["data"]
    changed = client.post(
        BOOKINGS,
        json=payload(
            world["code"],
            check_out="2027-03-10",
            accommodation_total_minor=480000,
            accommodation_paid_minor=150000,
        ),
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["result"] == "updated"
    assert set(changed.json()["changed"]) == {
        "check_out",
        "accommodation_total",
        "accommodation_paid",
    }
    assert changed.json()["data"]["reference"] == first["reference"]
    assert changed.json()["data"]["accommodation_paid_minor"] == 150000
    same = client.post(
        BOOKINGS,
        json=payload(
            world["code"],
            check_out="2027-03-10",
            accommodation_total_minor=480000,
            accommodation_paid_minor=150000,
        ),
        headers=headers,
    )
    assert (same.status_code, same.json()["result"]) == (200, "unchanged")
    lower = client.post(
        BOOKINGS,
        json=payload(world["code"], check_out="2027-03-10", accommodation_total_minor=480000),
        headers=headers,
    )
    assert lower.status_code == 422
    assert "accommodation_paid_minor" in error_of(lower)["fields"]
    with db.read() as s:
        assert (
            len(s.exec(select(Booking).where(Booking.external_reference == "GST-1001")).all()) == 1
        )
        paid = s.exec(select(AccommodationPayment)).all()
        assert sorted(p.amount_minor for p in paid) == [50000, 100000]


def test_a_booking_is_cancelled_once_with_its_services(client, world, db) -> None:
    w = world["w"]
    add_service(w, PaymentStrategy.PLATFORM_COLLECTS_FULL, "90.00")
    with db.read() as s:
        reference = s.get(Booking, w.booking_id).reference  # type: ignore[union-attr]
    cancelled = client.post(
        f"{BOOKINGS}/{reference}/cancel",
        json={"reason": "Guest asked"},
        headers=auth(world["writer"]),
    )
    assert cancelled.status_code == 200, cancelled.text
    data = cancelled.json()
    assert data["result"] == "cancelled" and data["services_cancelled"] == 1
    assert data["data"]["status"] == "cancelled"
    assert data["data"]["cancel_reason"] == "Guest asked"
    again = client.post(f"{BOOKINGS}/{reference}/cancel", headers=auth(world["writer"]))
    assert again.status_code == 409 and error_of(again)["code"] == "conflict"
    made = client.post(BOOKINGS, json=payload(world["code"]), headers=auth(world["writer"]))
    by_theirs = client.post(f"{BOOKINGS}/GST-1001/cancel", headers=auth(world["writer"]))
    assert by_theirs.status_code == 200
    assert by_theirs.json()["data"]["reference"] == made.json()["data"]["reference"]
    assert by_theirs.json()["data"]["cancel_reason"] == "Cancelled through the API by Guesty"


# -- idempotency ---------------------------------------------------------------------------------
def test_the_same_idempotency_key_and_body_replay_the_first_answer(client, world, db) -> None:
    headers = auth(world["writer"], **{"Idempotency-Key": "push-1"})
    first = client.post(BOOKINGS, json=payload(world["code"]), headers=headers)
    before = snapshot(db)
    spaced = json.dumps(payload(world["code"]), indent=4)  # the same data, written otherwise
    again = client.post(
        BOOKINGS, content=spaced, headers={**headers, "Content-Type": "application/json"}
    )
    assert (
        (again.status_code, again.json())
        == (first.status_code, first.json())
        == (
            201,
            first.json(),
        )
    )
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert snapshot(db) == before
    other = client.post(
        BOOKINGS, json=payload(world["code"], accommodation_total_minor=1), headers=headers
    )
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_key_reused"
    assert snapshot(db) == before


def test_an_idempotent_cancel_replays_instead_of_refusing(client, world, db) -> None:
    headers = auth(world["writer"], **{"Idempotency-Key": "cancel-1"})
    client.post(BOOKINGS, json=payload(world["code"]), headers=auth(world["writer"]))
    first = client.post(f"{BOOKINGS}/GST-1001/cancel", headers=headers)
    again = client.post(f"{BOOKINGS}/GST-1001/cancel", headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    with db.read() as s:
        cancels = s.exec(select(AuditEvent).where(AuditEvent.action == "booking.cancelled")).all()
    assert len(cancels) == 1


def test_idempotency_keys_belong_to_their_api_key(client, world, db) -> None:
    other = api_keys.create_key(db=db, name="Hostaway", scopes=["bookings:write"], actor=ACTOR)
    key = {"Idempotency-Key": "shared-name"}
    one = client.post(BOOKINGS, json=payload(world["code"]), headers=auth(world["writer"], **key))
    two = client.post(
        BOOKINGS, json=payload(world["code"], external_reference="HA-9"), headers=auth(other, **key)
    )
    assert (one.status_code, two.status_code) == (201, 201)
    assert one.json()["data"]["reference"] != two.json()["data"]["reference"]


def test_a_refused_request_is_not_stored_under_its_key(client, world) -> None:
    headers = auth(world["writer"], **{"Idempotency-Key": "try-1"})
    bad = client.post(BOOKINGS, json=payload("NOPE-1"), headers=headers)
    assert bad.status_code == 422 and "property" in error_of(bad)["fields"]
    fixed = client.post(BOOKINGS, json=payload("NOPE-1"), headers=headers)
    assert fixed.status_code == 422


# -- keys and scopes -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic x"},
        {"Authorization": "Bearer ck_live_" + "z" * 40},
        {"Authorization": "Bearer ck_live_short"},
    ],
)
def test_no_key_or_an_unknown_one_is_401(client, world, db, headers) -> None:
    before = snapshot(db)
    for response in (
        client.post(BOOKINGS, json=payload(world["code"]), headers=headers),
        client.get(f"{BOOKINGS}/GST-1001", headers=headers),
    ):
        assert response.status_code == 401 and error_of(response)["code"] == "unauthorized"
    assert snapshot(db) == before


def test_a_revoked_key_is_403_and_a_read_key_may_not_write(client, world, db) -> None:
    reader = world["reader"]
    write = client.post(BOOKINGS, json=payload(world["code"]), headers=auth(reader))
    assert write.status_code == 403 and "bookings:write" in error_of(write)["message"]
    assert client.get(f"{BOOKINGS}/X-1", headers=auth(reader)).status_code == 404
    api_keys.revoke_key(db=db, key_id=reader.key.id, actor=ACTOR)
    revoked = client.get(f"{BOOKINGS}/X-1", headers=auth(reader))
    assert revoked.status_code == 403 and "revoked" in error_of(revoked)["message"]


def test_the_last_use_of_a_key_is_recorded(client, world, db) -> None:
    assert client.get(f"{BOOKINGS}/X-1", headers=auth(world["reader"])).status_code == 404
    with db.read() as s:
        used = s.get(ApiKey, world["reader"].key.id)
        unused = s.get(ApiKey, world["writer"].key.id)
    assert used is not None and used.last_used_at is not None
    assert unused is not None and unused.last_used_at is None


# -- every error status, hostile input -----------------------------------------------------------
def test_errors_of_the_request_itself(client, world, db) -> None:
    headers = auth(world["writer"])
    before = snapshot(db)
    big = client.post(
        BOOKINGS,
        content=b'{"a":"' + b"x" * 70000 + b'"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert big.status_code == 413 and error_of(big)["code"] == "too_large"
    form = client.post(BOOKINGS, data={"external_reference": "x"}, headers=headers)
    assert form.status_code == 415
    no_type = client.post(BOOKINGS, content=b"{}", headers=headers)
    assert no_type.status_code == 415
    for raw in (
        b"{",
        b"{'a': 1}",
        b"\xff\xfe",
        b'{"a": NaN}',
        b"[" * 20000 + b"]" * 20000,
        b"1" * 5000,
        b"",
    ):
        bad = client.post(
            BOOKINGS, content=raw, headers={**headers, "Content-Type": "application/json"}
        )
        assert bad.status_code == 400, (raw[:20], bad.status_code, bad.text[:200])
        assert error_of(bad)["code"] == "malformed_json"
    bad_key = client.post(
        BOOKINGS, json=payload(world["code"]), headers={**headers, "Idempotency-Key": "x" * 300}
    )
    assert bad_key.status_code == 422 and "Idempotency-Key" in error_of(bad_key)["fields"]
    assert client.get(f"{BOOKINGS}/NOPE", headers=headers).status_code == 404
    assert client.post(f"{BOOKINGS}/NOPE/cancel", headers=headers).status_code == 404
    missing = client.get(BOOKINGS, headers=headers)
    assert missing.status_code == 422 and "external_reference" in error_of(missing)["fields"]
    wrong_method = client.delete(f"{BOOKINGS}/NOPE", headers=headers)
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET"
    nowhere = client.get("/api/v1/guests", headers=headers)
    assert nowhere.status_code == 404 and error_of(nowhere)["code"] == "not_found"
    assert snapshot(db) == before


HOSTILE: list[Any] = [
    [],
    ["booking"],
    "booking",
    12,
    None,
    {"guest": "Ana"},
    {"accommodation_total_minor": -100},
    {"accommodation_total_minor": 10**30},
    {"accommodation_total_minor": 1.5},
    {"accommodation_total_minor": "12"},
    {"accommodation_total_minor": False},
    {"accommodation_paid_minor": -1},
    {"currency": ["EUR"]},
    {"currency": "€"},
    {"check_in": "２０２７-03-02"},
    {"check_in": "2027-03-09", "check_out": "2027-03-02"},
    {"check_out": "2099-01-01"},
    {"external_reference": "x" * 5000},
    {"external_reference": "GST\u202e1"},
    {"external_reference": {"$ne": None}},
    {"guest": {"name": "\ud83d", "email": "ana@example.com"}},
    {"guest": {"name": "Ana\x00", "email": "ana@example.com"}},
    {"guest": {"name": "Z̷̢̛̛a̵l̷g̶o" * 100, "email": "ana@example.com"}},
    {"guest": {"name": "Ana", "email": "not-an-email"}},
    {"guest": {"name": "Ana", "email": "ana@example.com", "language": "klingon"}},
    {"property": None},
    {"collected_by": "guest"},
    {"junk": {"a": [1, {"b": [None, True, 1.5e308]}]}},
]


@pytest.mark.parametrize("changes", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_bodies_are_refused_with_422_and_write_nothing(client, world, db, changes) -> None:
    data = {**payload(world["code"]), **changes} if isinstance(changes, dict) else changes
    before = snapshot(db)
    refused = client.post(
        BOOKINGS,
        content=json.dumps(data),
        headers=auth(world["writer"], **{"Content-Type": "application/json"}),
    )
    assert refused.status_code == 422, refused.text[:300]
    error = error_of(refused)
    assert error["code"] == "invalid" and error["fields"]
    assert snapshot(db) == before


def test_a_hostile_cancel_and_lookup_never_break(client, world, db) -> None:
    headers = auth(world["writer"])
    client.post(BOOKINGS, json=payload(world["code"]), headers=headers)
    before = snapshot(db)
    for body in ([], "x", {"reason": 5}, {"reason": "x" * 600}, {"reason": "a", "b": 1}):
        refused = client.post(f"{BOOKINGS}/GST-1001/cancel", json=body, headers=headers)
        assert refused.status_code == 422, refused.text
    for ref in ("%F0%9F%92%A9", "x" * 3000, "%00", "' OR 1=1 --", "%E2%80%AE"):
        assert client.get(f"{BOOKINGS}/{ref}", headers=headers).status_code == 404
    assert client.get(
        BOOKINGS, params={"external_reference": "\ud800"[:0] + "é" * 500}, headers=headers
    ).json() == {"data": []}
    assert snapshot(db) == before


def test_the_openapi_document_is_served_without_a_key(client) -> None:
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert document.json()["openapi"] == "3.1.0"
    assert BOOKINGS in document.json()["paths"]


def test_the_same_request_sent_twice_at_once_makes_one_booking(world, db) -> None:
    """Two identical pushes with one Idempotency-Key at the same moment: one booking, one
    stored answer, and both callers get it."""
    caller = api_keys.authenticate(db=db, secret=world["writer"].secret, scope="bookings:write")
    body = payload(world["code"])

    def push(_: int) -> Any:
        return push_booking(
            db=db,
            caller=caller,
            body=body,
            today=today(),
            idempotency_key="same-moment",
            fingerprint=fingerprint("POST", BOOKINGS, body),
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(push, range(4)))
    assert {a.status for a in answers} == {201}
    assert len({json.dumps(a.body, sort_keys=True) for a in answers}) == 1
    assert sum(not a.replayed for a in answers) == 1
    with db.read() as s:
        assert (
            len(s.exec(select(Booking).where(Booking.external_reference == "GST-1001")).all()) == 1
        )
