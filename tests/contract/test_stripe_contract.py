"""Contract tests: what our code reads from Stripe is what Stripe sends at the pinned version.

The shapes come from Stripe's OpenAPI spec and its example objects (tests/fixtures/stripe/),
and from stripe-python, whose typed classes are generated from the spec of exactly the pinned
API version. `FIELDS_READ` declares every field the adapter reads; these tests check that each
one exists in Stripe's schema, and that `stripe_events.parse` reads nothing undeclared.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import stripe
from stripe._list_object import ListObject

from concierge_app.adapters.payments.stripe_events import DIRECT_DEBIT_ANSWERS, StripeEvent, parse
from concierge_app.adapters.payments.stripe_fields import FIELDS_READ
from concierge_app.adapters.payments.stripe_gateway import STRIPE_API_VERSION
from concierge_app.domain.money import Money
from concierge_app.domain.provider_events import REFUND_EVENTS

from ..stripe_objects import (
    EVENT_OBJECTS,
    EXAMPLES,
    FIXTURES,
    SCHEMAS,
    SPEC_VERSION,
    NotInStripeSchema,
    alternatives,
    check_fields,
    stripe_error,
    stripe_event,
    stripe_list,
    stripe_object,
)

DECLARED = [(name, path) for name, paths in FIELDS_READ.items() for path in paths]

# stripe-python's class for each object; a nested schema (api_errors) is reached by its path.
SDK_CLASSES: dict[str, type] = {
    "event": stripe.Event,
    "checkout.session": stripe.checkout.Session,
    "charge": stripe.Charge,
    "refund": stripe.Refund,
    "payment_intent": stripe.PaymentIntent,
    "balance_transaction": stripe.BalanceTransaction,
    "payout": stripe.Payout,
}
# Fields stripe-python has that the public spec does not (they come from Stripe's SDK spec).
SDK_ONLY: dict[str, set[str]] = {
    "charge": {"authorization_code", "level3", "source"},
    "payment_intent": {"source"},
}


# -- the declaration against Stripe's schemas ---------------------------------------------------


@pytest.mark.parametrize(("name", "path"), DECLARED, ids=[f"{n}:{p}" for n, p in DECLARED])
def test_every_field_our_code_reads_is_in_stripes_schema_of_that_object(name, path):
    assert in_schema(name, path), (
        f"{name}.{path} is read by our code but is not in Stripe's schema of {name} "
        f"(spec {SPEC_VERSION})"
    )


@pytest.mark.parametrize(("name", "path"), DECLARED, ids=[f"{n}:{p}" for n, p in DECLARED])
def test_every_field_our_code_reads_is_in_stripe_python_for_exactly_the_pinned_version(name, path):
    assert stripe.api_version == STRIPE_API_VERSION, "the SDK no longer targets our pinned version"
    assert in_sdk(SDK_CLASSES[name], path), (
        f"{name}.{path} is not a field of stripe-python's {SDK_CLASSES[name].__name__} "
        f"at {STRIPE_API_VERSION}"
    )


def test_the_declaration_names_only_objects_whose_schema_is_copied():
    assert set(FIELDS_READ) <= set(SCHEMAS) & set(EXAMPLES)


def test_a_path_that_is_not_in_the_schema_is_told_apart():
    """The schema walk is not vacuous: invented and misplaced fields are not found."""
    assert in_schema("charge", "refunds.data.failure_reason")
    assert not in_schema("charge", "refunds.data.amount_refunded")
    assert not in_schema("refund", "amount_refunded")
    assert not in_schema("checkout.session", "amount")
    assert not in_sdk(stripe.Refund, "amount_refunded")
    assert in_sdk(stripe.Charge, "refunds.data.payment_intent.id")


@pytest.mark.parametrize("name", sorted(SDK_CLASSES))
def test_the_copied_schemas_list_the_same_fields_as_stripe_python_for_the_pinned_version(name):
    """Guards the copy (and the month between the spec's release and the pinned one)."""
    sdk = sdk_fields(SDK_CLASSES[name]) - SDK_ONLY.get(name, set())
    assert set(SCHEMAS[name]["properties"]) == sdk


def test_the_copied_error_schema_lists_the_same_fields_as_stripe_python():
    assert set(SCHEMAS["api_errors"]["properties"]) == sdk_fields(
        stripe.PaymentIntent.LastPaymentError
    )


# -- the copied spec and its version ------------------------------------------------------------


def readme_line(label: str) -> str:
    text = (FIXTURES / "README.md").read_text()
    found = re.search(rf"^- {re.escape(label)}: (\S+)$", text, re.MULTILINE)
    assert found, f"tests/fixtures/stripe/README.md has no line '- {label}: …'"
    return found[1]


def test_the_fixtures_readme_names_the_api_version_the_adapter_pins():
    assert readme_line("Pinned API version (`STRIPE_API_VERSION`)") == STRIPE_API_VERSION


def test_the_copied_spec_is_the_pinned_release_or_the_nearest_older_one_of_the_same_major():
    """The spec for 2026-10-28.endive was not available; 2026-09-30.endive (same major, so no
    breaking change) was. The README says so, and stripe-python covers the exact release."""
    spec = readme_line("Spec `info.version`")
    assert spec == SPEC_VERSION
    spec_day, _, spec_major = spec.partition(".")
    pinned_day, _, pinned_major = STRIPE_API_VERSION.partition(".")
    assert spec_major == pinned_major
    assert date.fromisoformat(spec_day) <= date.fromisoformat(pinned_day)
    if spec != STRIPE_API_VERSION:
        readme = (FIXTURES / "README.md").read_text()
        assert "## Why the spec is one release older than the pinned version" in readme


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_stripes_example_objects_fit_the_copied_schemas(name):
    example = EXAMPLES[name]
    check_fields(SCHEMAS[name], example, name)
    assert set(SCHEMAS[name].get("required", ())) <= set(example)
    assert example["object"] == name


# -- the builders -------------------------------------------------------------------------------


def test_a_built_object_is_stripes_example_with_the_overrides():
    session = stripe_object("checkout.session", client_reference_id="pa_1", amount_total=1200)
    assert session == EXAMPLES["checkout.session"] | {
        "client_reference_id": "pa_1",
        "amount_total": 1200,
    }
    assert "refunds" not in stripe_object("charge", omit=("refunds",))


@pytest.mark.parametrize(
    ("build", "said"),
    [
        (lambda: stripe_object("checkout.session", amount=1200), "checkout.session.amount"),
        (lambda: stripe_object("refund", amount_refunded=1), "refund.amount_refunded"),
        (
            lambda: stripe_object("payment_intent", last_payment_error={"reason": "x"}),
            "payment_intent.last_payment_error.reason",
        ),
        (
            lambda: stripe_object("charge", refunds=stripe_list([{"amount_refunded": 1}], url="/")),
            "charge.refunds.data[].amount_refunded",
        ),
        (lambda: stripe_object("charge", omit=("refund_ids",)), "charge.refund_ids"),
        (lambda: stripe_error(type="api_error", reason="down"), "error.error.reason"),
    ],
)
def test_a_builder_refuses_a_field_stripe_does_not_have(build, said):
    with pytest.raises(NotInStripeSchema, match=re.escape(said)):
        build()


def test_an_event_refuses_an_object_of_another_kind_than_stripe_sends_with_it():
    with pytest.raises(ValueError, match="carries a refund"):
        stripe_event("refund.created", stripe_object("charge"))


def test_a_built_event_is_the_whole_envelope_at_the_pinned_version():
    refund = stripe_object("refund", id="re_1")
    event = stripe_event("refund.created", refund, event_id="evt_1", created=1_790_000_000)
    assert event == {
        "id": "evt_1",
        "object": "event",
        "api_version": STRIPE_API_VERSION,
        "created": 1_790_000_000,
        "data": {"object": refund},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "refund.created",
    }


# -- parse reads only declared fields -----------------------------------------------------------


def test_every_event_type_the_webhook_handles_has_a_builder():
    checkout = {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
    assert checkout | REFUND_EVENTS | DIRECT_DEBIT_ANSWERS == set(EVENT_OBJECTS)


def events_of_every_handled_type() -> Iterator[Any]:
    """One event per type (and per shape: expanded fields, lists), as Stripe sends them."""
    session = stripe_object(
        "checkout.session",
        client_reference_id="pa_1",
        metadata={"attempt_id": "pa_1"},
        payment_status="paid",
        payment_intent="pi_1",
        amount_total=12_000,
        currency="eur",
    )
    for kind in sorted(t for t, o in EVENT_OBJECTS.items() if o == "checkout.session"):
        yield pytest.param(stripe_event(kind, session), id=kind)
    expanded = session | {"payment_intent": stripe_object("payment_intent", id="pi_1")}
    yield pytest.param(
        stripe_event("checkout.session.completed", expanded), id="payment_intent expanded"
    )
    refund = stripe_object(
        "refund",
        id="re_1",
        amount=2_000,
        currency="eur",
        payment_intent="pi_1",
        metadata={"refund_key": "refund:rf_1"},
    )
    for kind in ("refund.created", "refund.updated", "refund.failed"):
        yield pytest.param(stripe_event(kind, refund), id=kind)
    charge = stripe_object(
        "charge",
        omit=("refunds",),
        payment_intent="pi_1",
        amount_refunded=2_000,
        currency="eur",
    )
    yield pytest.param(stripe_event("charge.refunded", charge), id="charge.refunded")
    listed = charge | {"refunds": stripe_list([refund], url="/v1/charges/ch_1/refunds")}
    yield pytest.param(stripe_event("charge.refunded", listed), id="charge.refunded refunds")
    # data.object of charge.refund.updated is the Refund, not the Charge.
    yield pytest.param(stripe_event("charge.refund.updated", refund), id="charge.refund.updated")
    intent = stripe_object(
        "payment_intent",
        amount=15_000,
        currency="eur",
        metadata={"kind": "partner_direct_debit", "partner_payment_id": "7"},
        last_payment_error={"type": "card_error", "code": "insufficient_funds", "message": "No"},
    )
    for kind in sorted(DIRECT_DEBIT_ANSWERS):
        yield pytest.param(stripe_event(kind, intent), id=kind)


@pytest.mark.parametrize("event", list(events_of_every_handled_type()))
def test_parse_reads_only_fields_declared_in_fields_read(event):
    reads = Reads()
    parsed = parse(reads.wrap(event, ""))

    assert parsed.problem == ""
    name = EVENT_OBJECTS[event["type"]]
    envelope = {p for p in reads.paths if not p.startswith("data.object.")}
    in_object = {p.removeprefix("data.object.") for p in reads.paths} - envelope
    assert undeclared("event", envelope) == set()
    assert undeclared(name, in_object) == set()
    assert {"id", "type", "data.object"} <= envelope  # the recording sees what parse reads


# -- parse reads the right values ---------------------------------------------------------------


def parsed(kind: str, obj: dict[str, Any]) -> StripeEvent:
    return parse(stripe_event(kind, obj, event_id="evt_1"))


@pytest.mark.parametrize(
    "kind",
    [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
    ],
)
def test_a_checkout_session_event_gives_the_attempt_payment_and_amount(kind):
    metadata = {"attempt_id": "pa_1", "booking_reference": "BK-2026-0042"}
    session = stripe_object(
        "checkout.session",
        id="cs_test_1",
        client_reference_id="pa_1",
        metadata=metadata,
        payment_status="paid",
        payment_intent="pi_1",
        amount_total=12_000,
        currency="eur",
    )
    assert parsed(kind, session) == StripeEvent(
        id="evt_1",
        type=kind,
        object_id="cs_test_1",
        attempt_id="pa_1",
        payment_status="paid",
        payment_intent="pi_1",
        amount=Money(12_000, "EUR"),
        metadata=metadata,
    )


def test_an_expired_checkout_session_has_no_payment():
    session = stripe_object(
        "checkout.session",
        id="cs_test_2",
        client_reference_id="pa_2",
        payment_status="unpaid",
        payment_intent=None,
        status="expired",
        amount_total=9_900,
        currency="eur",
    )
    event = parsed("checkout.session.expired", session)
    assert (event.object_id, event.attempt_id, event.payment_status) == (
        "cs_test_2",
        "pa_2",
        "unpaid",
    )
    assert (event.payment_intent, event.amount) == (None, Money(9_900, "EUR"))


def test_the_attempt_comes_from_metadata_when_the_session_has_no_client_reference():
    session = stripe_object(
        "checkout.session", client_reference_id=None, metadata={"attempt_id": "pa_3"}
    )
    assert parsed("checkout.session.completed", session).attempt_id == "pa_3"


def test_an_expanded_payment_intent_is_read_as_its_id():
    intent = stripe_object("payment_intent", id="pi_expanded")
    session = stripe_object("checkout.session", payment_intent=intent)
    assert parsed("checkout.session.completed", session).payment_intent == "pi_expanded"


@pytest.mark.parametrize(
    ("amount", "currency", "money"),
    [
        (48_500, "jpy", Money(48_500, "JPY")),  # zero-decimal
        (300, "isk", Money(3, "ISK")),  # Stripe counts ISK in hundredths, ISO in units
        (1_230, "kwd", Money(1_230, "KWD")),  # three decimals
    ],
)
def test_amounts_are_read_as_money_by_stripes_currency_rules(amount, currency, money):
    session = stripe_object("checkout.session", amount_total=amount, currency=currency)
    assert parsed("checkout.session.completed", session).amount == money


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("refund.created", "pending", ""),
        ("refund.updated", "succeeded", ""),
        ("refund.failed", "failed", "expired_or_canceled_card"),
        ("charge.refund.updated", "succeeded", ""),
    ],
)
def test_a_refund_event_gives_the_refund_its_payment_and_our_key(kind, status, reason):
    fields: dict[str, Any] = {"failure_reason": reason} if reason else {}
    refund = stripe_object(
        "refund",
        id="re_1",
        amount=2_000,
        currency="eur",
        status=status,
        payment_intent="pi_1",
        charge="ch_1",
        metadata={"refund_key": "refund:rf_1"},
        **fields,
    )
    event = parsed(kind, refund)
    assert (event.object_id, event.payment_intent, event.amount, event.problem) == (
        "re_1",
        "pi_1",
        Money(2_000, "EUR"),
        "",
    )
    (found,) = event.refunds
    assert (found.refund_id, found.status, found.amount, found.payment_intent) == (
        "re_1",
        status,
        Money(2_000, "EUR"),
        "pi_1",
    )
    assert (found.failure_reason, found.refund_key) == (reason, "refund:rf_1")


def test_a_refund_stripe_sends_without_our_key_is_read_with_none():
    event = parsed("refund.created", stripe_object("refund", amount=500, currency="eur"))
    (found,) = event.refunds
    assert (found.refund_key, found.payment_intent, found.amount) == ("", None, Money(500, "EUR"))


def test_charge_refunded_at_the_pinned_version_gives_the_refunded_total_and_no_list():
    charge = stripe_object(
        "charge",
        omit=("refunds",),
        id="ch_1",
        payment_intent="pi_1",
        amount_refunded=2_000,
        currency="eur",
        metadata={"attempt_id": "pa_1"},
    )
    assert parsed("charge.refunded", charge) == StripeEvent(
        id="evt_1",
        type="charge.refunded",
        object_id="ch_1",
        attempt_id="pa_1",
        payment_intent="pi_1",
        amount=Money(2_000, "EUR"),
        metadata={"attempt_id": "pa_1"},
    )


def test_charge_refunded_with_its_refunds_expanded_gives_each_refund():
    first = stripe_object("refund", id="re_1", amount=1_500, currency="eur", payment_intent=None)
    second = stripe_object("refund", id="re_2", amount=500, currency="eur", status="pending")
    charge = stripe_object(
        "charge",
        payment_intent="pi_1",
        amount_refunded=2_000,
        currency="eur",
        refunds=stripe_list([first, second], url="/v1/charges/ch_1/refunds"),
    )
    event = parsed("charge.refunded", charge)
    assert [(r.refund_id, r.amount, r.status, r.payment_intent) for r in event.refunds] == [
        ("re_1", Money(1_500, "EUR"), "succeeded", "pi_1"),  # the charge's payment
        ("re_2", Money(500, "EUR"), "pending", "pi_1"),
    ]


def test_a_failed_direct_debit_gives_the_banks_reason_and_our_payment():
    intent = stripe_object(
        "payment_intent",
        id="pi_dd",
        amount=15_000,
        currency="eur",
        status="requires_payment_method",
        metadata={"kind": "partner_direct_debit", "partner_payment_id": "7"},
        last_payment_error={
            "type": "card_error",
            "code": "insufficient_funds",
            "message": "The customer's account has insufficient funds to cover this payment.",
        },
    )
    event = parsed("payment_intent.payment_failed", intent)
    assert (event.object_id, event.payment_intent, event.amount) == (
        "pi_dd",
        "pi_dd",
        Money(15_000, "EUR"),
    )
    assert (event.failure_code, event.failure_reason) == (
        "insufficient_funds",
        "The customer's account has insufficient funds to cover this payment.",
    )
    assert (event.direct_debit_payment_id, event.is_direct_debit_answer) == (7, True)


def test_a_succeeded_direct_debit_has_no_failure():
    intent = stripe_object(
        "payment_intent",
        status="succeeded",
        amount=15_000,
        currency="eur",
        metadata={"kind": "partner_direct_debit", "partner_payment_id": "7"},
        last_payment_error=None,
    )
    event = parsed("payment_intent.succeeded", intent)
    assert (event.failure_reason, event.failure_code, event.is_direct_debit_answer) == (
        None,
        None,
        True,
    )


# -- helpers ------------------------------------------------------------------------------------


class Reads:
    """Wraps an event so that every key read through get / [] / in is recorded, by path
    (list items under the list's path: `data.object.refunds.data.id`)."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def wrap(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return Recorded(value, path, self)
        if isinstance(value, list):
            return [self.wrap(item, path) for item in value]
        return value


class Recorded(dict[str, Any]):
    def __init__(self, data: dict[str, Any], path: str, reads: Reads) -> None:
        super().__init__({k: reads.wrap(v, join(path, k)) for k, v in data.items()})
        self._path = path
        self._reads = reads

    def _read(self, key: object) -> None:
        self._reads.paths.add(join(self._path, str(key)))

    def get(self, key: str, default: Any = None) -> Any:
        self._read(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self._read(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._read(key)
        return super().__contains__(key)


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def undeclared(name: str, paths: set[str]) -> set[str]:
    """The paths read that FIELDS_READ does not declare (a prefix of a declared path is read
    on the way to it, e.g. `data` for `data.object`)."""
    declared = FIELDS_READ[name]
    return {p for p in paths if not any(d == p or d.startswith(p + ".") for d in declared)}


def in_schema(name: str, path: str) -> bool:
    """Whether the dotted path exists in the copied schema of `name`, through $ref, anyOf
    (expandable fields) and lists."""
    shapes = alternatives(SCHEMAS[name])
    for key in path.split("."):
        found = [s["properties"][key] for s in objects(shapes) if key in s.get("properties", {})]
        if not found:
            return False
        shapes = [alt for prop in found for alt in alternatives(prop)]
    return True


def objects(shapes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for shape in shapes:
        if "items" in shape:
            yield from objects(alternatives(shape["items"]))
        else:
            yield shape


def sdk_fields(cls: type) -> set[str]:
    return {
        name
        for klass in cls.__mro__
        if klass.__module__.startswith("stripe.") and "_stripe_object" not in klass.__module__
        for name in vars(klass).get("__annotations__", {})
        if not name.startswith("_") and name != "OBJECT_NAME"
    }


def in_sdk(cls: type, path: str) -> bool:
    """Whether stripe-python's typed class has the dotted path (through Optional / Union
    members, forward references to other resources, and ListObject's `data`)."""
    hints: list[Any] = [cls]
    for key in path.split("."):
        found = [
            hint
            for klass in (c for h in hints for c in sdk_classes(h))
            for hint in _annotation(klass, key)
        ]
        if not found:
            return False
        hints = found
    return True


def _annotation(klass: Any, key: str) -> list[Any]:
    if typing.get_origin(klass) is ListObject:
        return [typing.get_args(klass)[0]] if key == "data" else []
    for base in getattr(klass, "__mro__", ()):
        annotations = vars(base).get("__annotations__", {})
        if key in annotations:
            return [annotations[key]]
    return []


def sdk_classes(hint: Any) -> list[Any]:
    if isinstance(hint, typing.ForwardRef):
        hint = hint.__forward_arg__
    if isinstance(hint, str):  # a resource stripe-python does not export is not followed
        return sdk_classes(getattr(stripe, hint)) if hasattr(stripe, hint) else []
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(hint) for c in sdk_classes(arg)]
    if typing.get_origin(hint) is ListObject:
        return [hint]
    return [hint] if isinstance(hint, type) and hint is not type(None) else []
