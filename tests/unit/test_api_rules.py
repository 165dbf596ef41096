"""The bookings API's pure rules: API key shape, hash and bearer header; scopes and names; the
Idempotency-Key and the request fingerprint; a JSON body read into the form's fields."""

from __future__ import annotations

import pytest

from concierge_app.domain import api_keys as keys
from concierge_app.domain.booking_input import BookingInvalid
from concierge_app.domain.booking_json import booking_fields, cancel_reason, read_api_booking
from concierge_app.domain.errors import DomainError
from concierge_app.domain.idempotency import (
    KeyReused,
    check_same_request,
    fingerprint,
    read_idempotency_key,
)

SECRET = keys.key_from_random("Ab12" + "x" * 36)


def body(**changes: object) -> dict[str, object]:
    return {
        "external_reference": "GST-1001",
        "guest": {"name": "Ana Souza", "email": "Ana@Example.com", "language": "pt_PT"},
        "property": "prp-1",
        "check_in": "2027-03-02",
        "check_out": "2027-03-09",
        "currency": "EUR",
        "accommodation_total_minor": 420000,
        "accommodation_paid_minor": 100000,
        "collected_by": "platform",
        **changes,
    }


# -- keys ----------------------------------------------------------------------------------------
def test_a_key_has_its_start_40_letters_and_digits_and_a_short_shown_prefix() -> None:
    assert SECRET.startswith("ck_live_Ab12") and len(SECRET) == 48
    assert keys.well_formed(SECRET)
    assert keys.shown_prefix(SECRET) == "ck_live_Ab12"
    for bad in ("", "ck_live_short", SECRET + "x", "ck_test_" + "x" * 40, SECRET[:-1] + "é"):
        assert not keys.well_formed(bad)
    with pytest.raises(ValueError):
        keys.key_from_random("x" * 39 + "-")


def test_only_the_sha256_of_a_key_is_kept_and_compared_in_constant_time() -> None:
    digest = keys.secret_hash(SECRET)
    assert len(digest) == 64 and SECRET not in digest
    assert digest == keys.secret_hash(SECRET)
    assert keys.same_hash(digest, keys.secret_hash(SECRET))
    assert not keys.same_hash(digest, keys.secret_hash(SECRET[:-1] + "y"))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Basic abc",
        f"Token {SECRET}",
        "Bearer ck_live_x",
        "Bearer " + "a" * 9000,
    ],
)
def test_a_missing_or_odd_authorization_header_is_refused(header: str | None) -> None:
    with pytest.raises(keys.KeyRefused):
        keys.bearer_secret(header)


def test_the_bearer_key_is_read_whatever_the_scheme_case() -> None:
    assert keys.bearer_secret(f"Bearer {SECRET}") == SECRET
    assert keys.bearer_secret(f"bearer {SECRET} ") == SECRET


def test_scopes_are_known_at_least_one_in_a_stable_order() -> None:
    assert keys.read_scopes(["bookings:write", " BOOKINGS:READ "]) == (
        "bookings:read",
        "bookings:write",
    )
    assert keys.scopes_of(keys.scopes_text(("bookings:read",))) == ("bookings:read",)
    with pytest.raises(DomainError, match="Unknown scope"):
        keys.read_scopes(["bookings:delete"])
    with pytest.raises(DomainError, match="at least one"):
        keys.read_scopes(["", " "])


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "Gues\u200fty", "Guesty\x00"])
def test_a_bad_integration_name_is_refused(name: str) -> None:
    with pytest.raises(DomainError):
        keys.read_name(name)


def test_a_name_is_trimmed_and_may_be_any_script() -> None:
    assert keys.read_name("  Hostaway 東京 ") == "Hostaway 東京"


# -- idempotency -----------------------------------------------------------------------------
def test_the_same_request_has_the_same_fingerprint_whatever_its_key_order() -> None:
    a = fingerprint("POST", "/api/v1/bookings", {"a": 1, "b": [1, 2]})
    assert a == fingerprint("post", "/api/v1/bookings", {"b": [1, 2], "a": 1})
    check_same_request(a, a)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("POST", "/api/v1/bookings", {"a": 2, "b": [1, 2]}),
        ("POST", "/api/v1/bookings", {"a": 1, "b": [2, 1]}),
        ("POST", "/api/v1/bookings/X/cancel", {"a": 1, "b": [1, 2]}),
        ("POST", "/api/v1/bookings", {"a": "1", "b": [1, 2]}),
    ],
)
def test_a_different_request_with_the_same_key_is_refused(
    method: str, path: str, data: object
) -> None:
    first = fingerprint("POST", "/api/v1/bookings", {"a": 1, "b": [1, 2]})
    with pytest.raises(KeyReused):
        check_same_request(first, fingerprint(method, path, data))


def test_a_lone_surrogate_in_a_body_still_has_a_fingerprint() -> None:
    assert len(fingerprint("POST", "/x", {"name": "\ud800"})) == 64


def test_the_idempotency_key_is_printable_ascii_of_at_most_255() -> None:
    assert read_idempotency_key(None) is None
    assert read_idempotency_key(" k-1 ") == "k-1"
    for bad in ("", "   ", "k" * 256, "clé", "a\x00b"):
        with pytest.raises(DomainError):
            read_idempotency_key(bad)


# -- the JSON body ---------------------------------------------------------------------------
def test_a_body_becomes_the_form_fields_with_amounts_in_minor_units() -> None:
    fields = booking_fields(body())
    assert fields["accommodation_total"] == "4200.00"
    assert fields["accommodation_paid"] == "1000.00"
    assert fields["guest_email"] == "Ana@Example.com"
    wanted = read_api_booking(body())
    assert wanted.accommodation_total.minor == 420000
    assert wanted.guest_email == "ana@example.com" and wanted.property_code == "PRP-1"
    assert (
        read_api_booking(
            body(currency="JPY", accommodation_total_minor=5000, accommodation_paid_minor=0)
        ).accommodation_total.minor
        == 5000
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accommodation_total_minor": -1}, "accommodation_total_minor"),
        ({"accommodation_total_minor": 12.5}, "accommodation_total_minor"),
        ({"accommodation_total_minor": True}, "accommodation_total_minor"),
        ({"accommodation_total_minor": "420000"}, "accommodation_total_minor"),
        ({"accommodation_total_minor": 10**40}, "accommodation_total_minor"),
        ({"accommodation_paid_minor": 500000}, "accommodation_paid_minor"),
        ({"guest": ["Ana"]}, "guest"),
        ({"guest": {"name": {"first": "Ana"}, "email": "a@b.co"}}, "guest.name"),
        ({"guest": {"name": "Ana", "email": "a@b.co", "age": 3}}, "guest"),
        ({"check_in": 20270302}, "check_in"),
        ({"check_in": "2027-02-30"}, "check_in"),
        ({"external_reference": None}, "external_reference"),
        ({"external_reference": "=cmd()"}, "external_reference"),
        ({"currency": "XXX1"}, "currency"),
        ({"guest": {"name": "A\u202eB", "email": "a@b.co"}}, "guest.name"),
        ({"guest": {"name": "\ud800", "email": "a@b.co"}}, "guest.name"),
        ({"extra": {"nested": [1, [2, {"x": None}]]}}, "body"),
    ],
)
def test_a_bad_body_is_refused_at_its_api_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(BookingInvalid) as refused:
        read_api_booking(body(**changes))
    assert field in {f for f, _ in refused.value.problems}, refused.value.problems


@pytest.mark.parametrize("data", [[], [body()], "booking", 3, None, True])
def test_a_body_that_is_not_an_object_is_refused(data: object) -> None:
    with pytest.raises(BookingInvalid, match="must be a JSON object"):
        read_api_booking(data)


def test_a_cancel_reason_is_optional_checked_and_bounded() -> None:
    assert cancel_reason(None, "default") == "default"
    assert cancel_reason({}, "default") == "default"
    assert cancel_reason({"reason": " Guest asked "}, "d") == "Guest asked"
    for bad in ([], {"reason": 3}, {"reason": "x" * 501}, {"why": "x"}, {"reason": "a\x07"}):
        with pytest.raises(BookingInvalid):
            cancel_reason(bad, "d")


def test_every_problem_is_listed_at_once_a_missing_total_too() -> None:
    data = body(currency="EURO")
    del data["accommodation_total_minor"]
    data["guest"] = {"name": 7, "email": "a@b.co"}
    with pytest.raises(BookingInvalid) as refused:
        read_api_booking(data)
    fields = {f for f, _ in refused.value.problems}
    assert {"guest.name", "accommodation_total_minor"} <= fields
