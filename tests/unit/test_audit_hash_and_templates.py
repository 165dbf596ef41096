import pytest

from concierge_app.domain.audit import GENESIS_HASH, canonical_json, event_hash
from concierge_app.domain.formatting import format_money
from concierge_app.domain.money import Money
from concierge_app.domain.templates import (
    DEFAULT_TEMPLATES,
    TemplateError,
    render,
    validate_template,
)

BASE = dict(
    prev_hash=GENESIS_HASH,
    sequence=1,
    occurred_at="2026-11-21T10:00:00+00:00",
    actor="a",
    action="invoice.sent",
    subject="invoice:1",
    booking_id=7,
    data_json=canonical_json({"total": "10.00 EUR"}),
)


def test_event_hash_is_deterministic_and_covers_every_field():
    digest = event_hash(**BASE)
    assert digest == event_hash(**BASE) and len(digest) == 64
    for field, other in [
        ("prev_hash", "1" * 64),
        ("sequence", 2),
        ("actor", "b"),
        ("action", "x"),
        ("subject", "invoice:2"),
        ("booking_id", None),
        ("occurred_at", "2026-11-21T10:00:01+00:00"),
        ("data_json", "{}"),
    ]:
        assert event_hash(**{**BASE, field: other}) != digest, field


def test_canonical_json_is_order_independent():
    assert (
        canonical_json({"b": 1, "a": "é"})
        == canonical_json({"a": "é", "b": 1})
        == '{"a":"é","b":1}'
    )


@pytest.mark.parametrize("key", list(DEFAULT_TEMPLATES))
def test_default_templates_validate_and_render(key):
    t = DEFAULT_TEMPLATES[key]
    validate_template(key, t.subject, t.body)
    context = {name: f"<{name}>" for name in t.placeholders}
    context["lines"] = [{"description": "Sailing", "amount": "€10.00"}]
    subject, body = render(t.subject, t.body, context)
    if "guest_name" in t.placeholders:  # guest messages
        assert "<booking_reference>" in subject
        assert "<guest_name>" in body and "<portal_url>" in body
    elif "booking_url" in t.placeholders:  # to staff: which booking, and a link to it
        assert "<booking_reference>" in subject and "<platform_name>" in subject
        assert "<refund_id>" in body and "<booking_url>" in body and "Sailing: €10.00" in body
    elif "link_url" in t.placeholders:  # an account link: to whom, the link and its expiry
        assert "<recipient_name>" in body and "<link_url>" in body and "<expires_at>" in body
        assert "<platform_name>" in subject
    elif "reconciliation_url" in t.placeholders:  # to finance staff: the drift, and the tab
        assert "<drift_count>" in subject and "<period>" in subject
        assert "<reconciliation_url>" in body and "Sailing: €10.00" in body
    else:  # partner messages
        assert "<partner_code>" in body and "<partner_name>" in body
        assert "<platform_name>" in subject


def test_an_unknown_placeholder_is_refused_with_the_list_of_available_ones():
    with pytest.raises(TemplateError, match=r"Unknown placeholder \{\{ guest_nam \}\}") as err:
        validate_template("invoice_sent", "Hi", "Dear {{ guest_nam }}")
    assert "guest_name" in err.value.message and err.value.field == "body"


def test_a_syntax_error_is_refused_with_its_line():
    with pytest.raises(TemplateError, match="line 2"):
        validate_template("payment_received", "Hi", "ok\n{% if %}")


def test_the_sandbox_blocks_unsafe_attribute_access():
    with pytest.raises(TemplateError):
        render("x", "{{ guest_name.__class__.__mro__[1].__subclasses__() }}", {"guest_name": "a"})


def test_a_missing_value_is_an_error_not_an_empty_string():
    with pytest.raises(TemplateError):
        render("x", "Dear {{ guest_name }}", {})


@pytest.mark.parametrize(
    ("money", "locale", "text"),
    [
        (Money(125050, "EUR"), "en_US", "€1,250.50"),
        (Money(125050, "EUR"), "de_DE", "1.250,50\xa0€"),
        (Money(1200000, "JPY"), "en_US", "¥1,200,000"),
        (Money(1250, "KWD"), "en_US", "KWD1.250"),
        (Money(99, "USD"), "en_US", "$0.99"),
    ],
)
def test_money_is_formatted_per_currency_and_locale_without_rounding(money, locale, text):
    assert format_money(money, locale) == text
