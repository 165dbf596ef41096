"""The sandbox speaks Stripe's event format: every event it sends has each field Stripe's schema
of that event and object requires, and no field the schema lacks, so the ledger's code that
reads them is exercised on Stripe's own shapes whether the sandbox or Stripe sends them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from concierge_app.adapters.payments.gateway import CheckoutLine, CheckoutRequest, DebitRequest
from concierge_app.adapters.payments.sandbox import SandboxGateway
from concierge_app.adapters.payments.sandbox_cards import Card
from concierge_app.adapters.payments.stripe_gateway import STRIPE_API_VERSION
from concierge_app.domain.money import Money
from tests.stripe_objects import EVENT_OBJECTS, SCHEMAS, alternatives, check_fields

FAILING_IBAN = "DE89370400440532013000"


def missing_required(schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """The fields `schema` requires that `value` lacks, at any depth the copied schemas reach."""
    if not isinstance(value, dict):
        return []
    shapes = [s for s in alternatives(schema) if "properties" in s]
    if not shapes:
        return []
    shape = shapes[0]
    missing = [f"{where}.{name}" for name in shape.get("required", []) if name not in value]
    for name, item in value.items():
        if name in shape["properties"] and item is not None:
            missing += missing_required(shape["properties"][name], item, f"{where}.{name}")
    return missing


@pytest.fixture
def sent(sqlite_db) -> tuple[SandboxGateway, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    gateway = SandboxGateway(
        sqlite_db,
        webhook_secret="whsec_contract",
        send_event=lambda payload, _signature: events.append(json.loads(payload)),
        base_url="http://127.0.0.1",
    )
    return gateway, events


def checkout(gateway: SandboxGateway, attempt_id: str) -> str:
    line = CheckoutLine("Invoice CI-2026-00001", "Sunset sailing", Money(12000, "EUR"))
    request = CheckoutRequest(
        attempt_id, "AZ-24001", (line,), "guest@example.com", "http://x/ok", "http://x/no"
    )
    return gateway.create_checkout(request).reference


def debit(gateway: SandboxGateway, payment_id: int, iban: str) -> None:
    gateway.collect_debit(
        DebitRequest(
            payment_id=payment_id,
            external_id=f"DD-PRP-1-EUR-2026-12-{payment_id}",
            partner_code="PRP-1",
            amount=Money(871, "EUR"),
            iban=iban,
            account_holder="Villa S.L.",
            email="finance@villa.example",
            mandate_reference=f"MNDT-PRP-{payment_id}",
            mandate_signed_on=date(2026, 11, 1),
            description="Commission PRP-1",
        )
    )


def test_every_event_the_sandbox_sends_is_whole_by_stripes_schema(sent):
    gateway, events = sent
    gateway.pay(checkout(gateway, "pa_paid"), Card("4242 4242 4242 4242", "12 / 34", "123"))
    gateway.expire_checkout(checkout(gateway, "pa_expired"))
    debit(gateway, 1, "ES9121000418450200051332")
    debit(gateway, 2, FAILING_IBAN)
    gateway.answer_debits(failing_iban=FAILING_IBAN)

    kinds = sorted(e["type"] for e in events)
    assert kinds == [
        "checkout.session.completed",
        "checkout.session.expired",
        "payment_intent.payment_failed",
        "payment_intent.succeeded",
    ]
    for event in events:
        obj = event["data"]["object"]
        assert obj["object"] == EVENT_OBJECTS[event["type"]]
        assert event["api_version"] == STRIPE_API_VERSION
        check_fields(SCHEMAS["event"], event, "event")  # no field Stripe does not send
        assert missing_required(SCHEMAS["event"], event, "event") == []
        assert missing_required(SCHEMAS[obj["object"]], obj, obj["object"]) == []
    failed = next(e for e in events if e["type"] == "payment_intent.payment_failed")
    assert failed["data"]["object"]["last_payment_error"]["type"] == "card_error"


def test_a_field_the_schema_requires_is_told_missing():
    session = {"object": "checkout.session", "id": "cs_1"}
    missing = missing_required(SCHEMAS["checkout.session"], session, "session")
    assert "session.expires_at" in missing and "session.payment_status" in missing
