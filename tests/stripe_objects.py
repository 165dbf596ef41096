"""Stripe events and objects for tests, built from Stripe's own examples, never written by hand.

Every object starts from Stripe's example of that resource (`tests/fixtures/stripe/fixtures.json`,
copied from the stripe/openapi repository) and takes overrides. An override naming a field the
spec's schema of that object does not have (`tests/fixtures/stripe/schemas.json`) is refused, at
any depth, so a test cannot invent a field Stripe does not send:

    session = stripe_object("checkout.session", client_reference_id="pa_1", amount_total=1200)
    event = stripe_event("checkout.session.completed", session, event_id="evt_1")

A hostile-input test may still break what a builder returns; it starts from Stripe's shape.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
from pathlib import Path
from typing import Any

from concierge_app.adapters.payments.stripe_gateway import STRIPE_API_VERSION

FIXTURES = Path(__file__).parent / "fixtures" / "stripe"
_SPEC = json.loads((FIXTURES / "schemas.json").read_text())
SCHEMAS: dict[str, dict[str, Any]] = _SPEC["components"]["schemas"]
SPEC_VERSION: str = _SPEC["info"]["version"]
EXAMPLES: dict[str, dict[str, Any]] = json.loads((FIXTURES / "fixtures.json").read_text())[
    "resources"
]
_REF = "#/components/schemas/"

# What `data.object` is for each event type the app handles (Stripe's event types reference).
EVENT_OBJECTS: dict[str, str] = {
    "checkout.session.completed": "checkout.session",
    "checkout.session.async_payment_succeeded": "checkout.session",
    "checkout.session.async_payment_failed": "checkout.session",
    "checkout.session.expired": "checkout.session",
    "charge.refunded": "charge",
    "charge.refund.updated": "refund",
    "refund.created": "refund",
    "refund.updated": "refund",
    "refund.failed": "refund",
    "payment_intent.succeeded": "payment_intent",
    "payment_intent.payment_failed": "payment_intent",
}


class NotInStripeSchema(KeyError):
    """A test tried to give a Stripe object a field the spec does not have."""


def stripe_object(name: str, /, *, omit: tuple[str, ...] = (), **overrides: Any) -> dict[str, Any]:
    """Stripe's example `name` object (e.g. "checkout.session") with `overrides` applied, and
    without the fields in `omit` (e.g. a Charge's `refunds`, only there when expanded)."""
    if name not in EXAMPLES:
        raise NotInStripeSchema(f"No example of {name!r} is copied: {sorted(EXAMPLES)}")
    check_fields(SCHEMAS[name], overrides | dict.fromkeys(omit), name)
    obj = copy.deepcopy(EXAMPLES[name]) | copy.deepcopy(overrides)
    return {key: value for key, value in obj.items() if key not in omit}


def stripe_event(
    event_type: str,
    obj: dict[str, Any],
    *,
    event_id: str | None = None,
    created: int | None = None,
    previous_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole event Stripe sends to a webhook endpoint at the pinned API version, with
    `obj` as `data.object` (its kind must be the one Stripe sends for that event type)."""
    expected = EVENT_OBJECTS.get(event_type)
    if expected is not None and obj.get("object") != expected:
        raise ValueError(f"A {event_type} event carries a {expected}, not {obj.get('object')!r}.")
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    event = copy.deepcopy(EXAMPLES["event"]) | {
        "id": event_id or f"evt_test_{secrets.token_hex(12)}",
        "api_version": STRIPE_API_VERSION,
        "created": int(time.time()) if created is None else created,
        "data": data,
        "livemode": bool(obj.get("livemode", False)),
        "pending_webhooks": 1,  # this delivery
        "type": event_type,
    }
    check_fields(SCHEMAS["event"], event, "event")
    return event


def stripe_error(**fields: Any) -> dict[str, Any]:
    """An API error reply (`{"error": {...}}`), e.g. stripe_error(type="api_error", message=…)."""
    body = {"error": fields}
    check_fields(SCHEMAS["error"], body, "error")
    return body


def stripe_list(items: list[dict[str, Any]], *, url: str, has_more: bool = False) -> dict[str, Any]:
    """A list reply, as every Stripe list endpoint pages its results."""
    return {"object": "list", "data": items, "has_more": has_more, "url": url}


def check_fields(schema: dict[str, Any], value: Any, where: str) -> None:
    """Refuse any key of `value` (recursively) that `schema` does not define. Inside an object
    whose schema is not copied here (e.g. a Charge's `billing_details`) nothing is checked."""
    if isinstance(value, list):
        items = [s["items"] for s in alternatives(schema) if "items" in s]
        for item in value:
            if items:
                check_fields(items[0], item, f"{where}[]")
        return
    if not isinstance(value, dict):
        return
    shapes = [s for s in alternatives(schema) if s.get("type") == "object" or "properties" in s]
    if not shapes:
        if any("$ref" in s for s in alternatives(schema)):
            return
        raise NotInStripeSchema(f"{where} is not an object in Stripe's schema")
    if any("properties" not in s and s.get("additionalProperties") for s in shapes):
        return  # a map with free keys (metadata, data.object)
    known = {name: prop for s in shapes for name, prop in s.get("properties", {}).items()}
    for key, item in value.items():
        if key not in known:
            raise NotInStripeSchema(
                f"{where}.{key} is not in Stripe's schema (spec {SPEC_VERSION})"
            )
        if item is not None:
            check_fields(known[key], item, f"{where}.{key}")


def alternatives(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schemas a value may match: `schema` itself, or its `$ref` / `anyOf` members,
    resolved (a `$ref` to a schema that is not copied stays a `$ref`)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(_REF)
        return alternatives(SCHEMAS[name]) if name in SCHEMAS else [schema]
    if "anyOf" in schema:
        return [found for member in schema["anyOf"] for found in alternatives(member)]
    return [schema]
