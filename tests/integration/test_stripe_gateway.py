"""StripeGateway on the wire.

Two stand-ins for api.stripe.com, both on loopback:

- a recording HTTP server (this file) to pin down the exact requests: paths, headers, form
  fields, and how Stripe's error replies become GatewayError;
- `localstripe` (a Stripe API fake) to run real refunds against PaymentIntents it has charged.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from concierge_app.adapters.payments.gateway import (
    CheckoutLine,
    CheckoutRequest,
    GatewayError,
    PaymentGateway,
)
from concierge_app.adapters.payments.stripe_gateway import STRIPE_API_VERSION, StripeGateway
from concierge_app.domain.money import Money

from ..stripe_objects import stripe_error, stripe_object

SECRET_KEY = "sk_test_concierge_123"
SESSION_URL = "https://checkout.stripe.com/c/pay/cs_test_123"

Reply = tuple[int, dict[str, Any]]


# -- a recording stand-in for the Stripe API ----------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]

    def field(self, name: str) -> str:
        """The single value of a form field (fails the test if absent or repeated)."""
        values = self.form[name]
        assert len(values) == 1, (name, values)
        return values[0]


@dataclass
class FakeStripe:
    """Records every request; answers from `replies` (a queue per route) or a default."""

    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    replies: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    session_status: str = "open"

    def reply(self, method: str, path: str, status: int, body: dict[str, Any]) -> None:
        self.replies.setdefault((method, path), []).append((status, body))

    def answer(self, method: str, path: str, form: dict[str, list[str]]) -> Reply:
        queued = self.replies.get((method, path))
        if queued:
            return queued.pop(0)
        return _default_reply(method, path, form, self.session_status)


def _session(session_id: str, status: str, url: str | None) -> dict[str, Any]:
    return stripe_object("checkout.session", id=session_id, status=status, url=url)


def _default_reply(method: str, path: str, form: dict[str, list[str]], status: str) -> Reply:
    parts = path.strip("/").split("/")
    if method == "POST" and path == "/v1/checkout/sessions":
        return 200, _session("cs_test_123", "open", SESSION_URL)
    if method == "POST" and parts[:3] == ["v1", "checkout", "sessions"] and parts[-1] == "expire":
        return 200, _session(parts[3], "expired", None)
    if method == "GET" and parts[:3] == ["v1", "checkout", "sessions"]:
        return 200, _session(parts[3], status, SESSION_URL if status == "open" else None)
    if method == "POST" and path == "/v1/refunds":
        amount = int(form["amount"][0])
        refund = stripe_object(
            "refund",
            id="re_test_1",
            status="succeeded",
            amount=amount,
            payment_intent=form["payment_intent"][0],
        )
        return 200, refund
    return 404, stripe_error(type="invalid_request_error", message=f"No route {path}")


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            url = urlsplit(self.path)
            form = parse_qs(body or url.query, keep_blank_values=True)
            fake.requests.append(Recorded(self.command, url.path, dict(self.headers), form))
            status, payload = fake.answer(self.command, url.path, form)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def gateway_for(fake: FakeStripe, *, retries: int = 0) -> StripeGateway:
    return StripeGateway(SECRET_KEY, api_base=fake.base_url, max_network_retries=retries)


def checkout_request(*lines: CheckoutLine, email: str = "guest@example.com") -> CheckoutRequest:
    return CheckoutRequest(
        attempt_id="pa_01HZYQ3",
        booking_reference="BK-2026-0042",
        lines=lines,
        customer_email=email,
        success_url="https://concierge.example/pay/BK-2026-0042/done?attempt=pa_01HZYQ3",
        cancel_url="https://concierge.example/pay/BK-2026-0042",
    )


TWO_INVOICES = (
    CheckoutLine(
        "Invoice CI-2026-00001", "Sailing tour · Private chef dinner", Money(125_050, "EUR")
    ),
    CheckoutLine("Invoice CI-2026-00002", "", Money(9_900, "EUR")),
)


# -- checkout sessions ---------------------------------------------------------------------------


def test_stripe_gateway_satisfies_the_protocol() -> None:
    gateway: PaymentGateway = StripeGateway(SECRET_KEY)
    assert gateway.name == "stripe"


def test_pinned_api_version_matches_the_installed_sdk() -> None:
    """Fails on an SDK upgrade that moves the API version, so the move is made on purpose."""
    assert stripe.api_version == STRIPE_API_VERSION, (
        f"stripe-python now targets {stripe.api_version}; read Stripe's changelog, then update "
        "STRIPE_API_VERSION in concierge_app/adapters/payments/stripe_gateway.py."
    )


def test_create_checkout_sends_one_session_with_a_line_per_invoice(
    fake_stripe: FakeStripe,
) -> None:
    session = gateway_for(fake_stripe).create_checkout(checkout_request(*TWO_INVOICES))

    assert (session.reference, session.url) == ("cs_test_123", SESSION_URL)
    [sent] = fake_stripe.requests
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert sent.headers["Stripe-Version"] == STRIPE_API_VERSION
    assert sent.headers["Idempotency-Key"] == "checkout:pa_01HZYQ3"
    assert sent.field("mode") == "payment"
    assert sent.field("client_reference_id") == "pa_01HZYQ3"
    assert sent.field("metadata[attempt_id]") == "pa_01HZYQ3"
    assert sent.field("metadata[booking_reference]") == "BK-2026-0042"
    assert sent.field("payment_intent_data[metadata][attempt_id]") == "pa_01HZYQ3"
    assert sent.field("payment_intent_data[metadata][booking_reference]") == "BK-2026-0042"
    assert sent.field("customer_email") == "guest@example.com"
    assert sent.field("success_url") == (
        "https://concierge.example/pay/BK-2026-0042/done?attempt=pa_01HZYQ3"
    )
    assert sent.field("cancel_url") == "https://concierge.example/pay/BK-2026-0042"
    assert sent.field("locale") == "auto"  # no language asked: Stripe uses the browser's

    first = "line_items[0]"
    assert sent.field(f"{first}[quantity]") == "1"
    assert sent.field(f"{first}[price_data][currency]") == "eur"
    assert sent.field(f"{first}[price_data][unit_amount]") == "125050"
    assert sent.field(f"{first}[price_data][product_data][name]") == "Invoice CI-2026-00001"
    assert sent.field(f"{first}[price_data][product_data][description]") == (
        "Sailing tour · Private chef dinner"
    )
    second = "line_items[1]"
    assert sent.field(f"{second}[quantity]") == "1"
    assert sent.field(f"{second}[price_data][unit_amount]") == "9900"
    assert sent.field(f"{second}[price_data][product_data][name]") == "Invoice CI-2026-00002"
    # An empty description is left out rather than sent blank.
    assert f"{second}[price_data][product_data][description]" not in sent.form
    assert not any(key.startswith("line_items[2]") for key in sent.form)


def test_create_checkout_sends_zero_decimal_amounts_unscaled(fake_stripe: FakeStripe) -> None:
    line = CheckoutLine("Invoice CI-2026-00003", "Ryokan", Money(48_500, "JPY"))
    gateway_for(fake_stripe).create_checkout(checkout_request(line))

    [sent] = fake_stripe.requests
    assert sent.field("line_items[0][price_data][currency]") == "jpy"
    assert sent.field("line_items[0][price_data][unit_amount]") == "48500"


def test_create_checkout_opens_in_the_guests_language(fake_stripe: FakeStripe) -> None:
    request = dataclasses.replace(checkout_request(TWO_INVOICES[0]), locale="ja")
    gateway_for(fake_stripe).create_checkout(request)

    [sent] = fake_stripe.requests
    assert sent.field("locale") == "ja"


def test_create_checkout_leaves_out_an_empty_customer_email(fake_stripe: FakeStripe) -> None:
    gateway_for(fake_stripe).create_checkout(checkout_request(TWO_INVOICES[0], email=""))

    [sent] = fake_stripe.requests
    assert "customer_email" not in sent.form


def test_create_checkout_refuses_mixed_currencies_without_calling_stripe(
    fake_stripe: FakeStripe,
) -> None:
    dollars = CheckoutLine("Invoice CI-2026-00004", "", Money(5_000, "USD"))
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).create_checkout(checkout_request(TWO_INVOICES[0], dollars))

    assert str(caught.value) == "One checkout takes one currency; these invoices are in EUR, USD."
    assert fake_stripe.requests == []


def test_create_checkout_refuses_an_amount_stripe_cannot_take_exactly(
    fake_stripe: FakeStripe,
) -> None:
    line = CheckoutLine("Invoice CI-2026-00005", "", Money(1_234, "KWD"))
    with pytest.raises(GatewayError, match=r"multiples of 0\.010; 1\.234 KWD"):
        gateway_for(fake_stripe).create_checkout(checkout_request(line))
    assert fake_stripe.requests == []


def test_stripe_error_reply_becomes_gateway_error_with_stripes_message(
    fake_stripe: FakeStripe,
) -> None:
    message = "Amount must be at least €0.50 eur"
    fake_stripe.reply(
        "POST",
        "/v1/checkout/sessions",
        400,
        stripe_error(type="invalid_request_error", message=message),
    )
    small = CheckoutLine("Invoice CI-2026-00006", "", Money(20, "EUR"))

    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).create_checkout(checkout_request(small))

    assert str(caught.value) == message
    assert isinstance(caught.value.__cause__, stripe.InvalidRequestError)
    assert len(fake_stripe.requests) == 1  # max_network_retries=0: asked once


def test_card_error_message_is_passed_through(fake_stripe: FakeStripe) -> None:
    message = "Your card was declined."
    fake_stripe.reply(
        "POST",
        "/v1/refunds",
        402,
        stripe_error(type="card_error", code="card_declined", message=message),
    )
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).refund(
            payment_reference="pi_test_1", amount=Money(100, "EUR"), idempotency_key="refund:9"
        )
    assert str(caught.value) == message


def test_unreachable_stripe_says_so() -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = StripeGateway(SECRET_KEY, api_base=f"http://127.0.0.1:{port}", max_network_retries=0)
    with pytest.raises(GatewayError) as caught:
        gateway.create_checkout(checkout_request(*TWO_INVOICES))
    assert str(caught.value).startswith("Could not reach Stripe: ")
    assert isinstance(caught.value.__cause__, stripe.APIConnectionError)


# -- expiring sessions ---------------------------------------------------------------------------


def test_expire_checkout_posts_to_the_sessions_expire_path(fake_stripe: FakeStripe) -> None:
    gateway_for(fake_stripe).expire_checkout("cs_test_abc")

    [sent] = fake_stripe.requests
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions/cs_test_abc/expire")
    assert sent.headers["Stripe-Version"] == STRIPE_API_VERSION


NOT_OPEN = stripe_error(
    type="invalid_request_error",
    message='Only Checkout Sessions with a status in ["open"] can be expired.',
)


@pytest.mark.parametrize("status", ["expired", "complete"])
def test_expire_checkout_of_a_closed_session_is_done(fake_stripe: FakeStripe, status: str) -> None:
    fake_stripe.reply("POST", "/v1/checkout/sessions/cs_test_abc/expire", 400, NOT_OPEN)
    fake_stripe.session_status = status

    gateway_for(fake_stripe).expire_checkout("cs_test_abc")  # no error

    assert [(r.method, r.path) for r in fake_stripe.requests] == [
        ("POST", "/v1/checkout/sessions/cs_test_abc/expire"),
        ("GET", "/v1/checkout/sessions/cs_test_abc"),
    ]


def test_expire_checkout_refused_while_still_open_is_an_error(fake_stripe: FakeStripe) -> None:
    fake_stripe.reply("POST", "/v1/checkout/sessions/cs_test_abc/expire", 400, NOT_OPEN)
    fake_stripe.session_status = "open"

    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).expire_checkout("cs_test_abc")
    assert str(caught.value) == NOT_OPEN["error"]["message"]


def test_expire_checkout_of_an_unknown_session_is_an_error(fake_stripe: FakeStripe) -> None:
    missing = stripe_error(
        type="invalid_request_error",
        code="resource_missing",
        message="No such checkout.session: 'cs_test_gone'",
    )
    fake_stripe.reply("POST", "/v1/checkout/sessions/cs_test_gone/expire", 404, missing)
    fake_stripe.reply("GET", "/v1/checkout/sessions/cs_test_gone", 404, missing)

    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).expire_checkout("cs_test_gone")
    assert str(caught.value) == "No such checkout.session: 'cs_test_gone'"


def test_expire_checkout_server_error_is_an_error(fake_stripe: FakeStripe) -> None:
    fake_stripe.reply(
        "POST",
        "/v1/checkout/sessions/cs_test_abc/expire",
        500,
        stripe_error(type="api_error", message="Something went wrong on Stripe's end."),
    )
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).expire_checkout("cs_test_abc")
    assert str(caught.value) == "Something went wrong on Stripe's end."


# -- refunds: request shape ----------------------------------------------------------------------


def test_refund_request_shape(fake_stripe: FakeStripe) -> None:
    refund_id = gateway_for(fake_stripe).refund(
        payment_reference="pi_test_1", amount=Money(2_500, "EUR"), idempotency_key="refund:rf_7"
    )

    assert refund_id == "re_test_1"
    [sent] = fake_stripe.requests
    assert (sent.method, sent.path) == ("POST", "/v1/refunds")
    assert sent.headers["Idempotency-Key"] == "refund:rf_7"
    assert sent.headers["Stripe-Version"] == STRIPE_API_VERSION
    assert sent.field("payment_intent") == "pi_test_1"
    assert sent.field("amount") == "2500"


def test_refund_amount_uses_stripe_units(fake_stripe: FakeStripe) -> None:
    gateway = gateway_for(fake_stripe)
    gateway.refund(payment_reference="pi_1", amount=Money(3, "ISK"), idempotency_key="refund:a")
    gateway.refund(payment_reference="pi_2", amount=Money(1_250, "JPY"), idempotency_key="r:b")

    assert [r.field("amount") for r in fake_stripe.requests] == ["300", "1250"]


def test_refund_without_provider_reference_is_refused(fake_stripe: FakeStripe) -> None:
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).refund(
            payment_reference=None, amount=Money(100, "EUR"), idempotency_key="refund:x"
        )
    assert str(caught.value) == "This payment has no provider reference to refund."
    assert fake_stripe.requests == []


@pytest.mark.parametrize("status", ["failed", "canceled"])
def test_refund_that_stripe_reports_failed_is_an_error(
    fake_stripe: FakeStripe, status: str
) -> None:
    fake_stripe.reply(
        "POST",
        "/v1/refunds",
        200,
        stripe_object("refund", id="re_test_2", status=status, failure_reason="declined"),
    )
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).refund(
            payment_reference="pi_test_1", amount=Money(100, "EUR"), idempotency_key="refund:y"
        )
    assert str(caught.value) == "Stripe could not complete the refund (declined)."


def test_refund_pending_at_stripe_returns_its_id(fake_stripe: FakeStripe) -> None:
    fake_stripe.reply(
        "POST", "/v1/refunds", 200, stripe_object("refund", id="re_test_3", status="pending")
    )
    refund_id = gateway_for(fake_stripe).refund(
        payment_reference="pi_test_1", amount=Money(100, "EUR"), idempotency_key="refund:z"
    )
    assert refund_id == "re_test_3"


def test_refund_larger_than_the_remainder_is_stripes_refusal(fake_stripe: FakeStripe) -> None:
    # localstripe does not check the unrefunded remainder, so Stripe's refusal is replayed here.
    message = "Refund amount (€60.00) is greater than unrefunded amount on charge (€50.00)"
    fake_stripe.reply(
        "POST",
        "/v1/refunds",
        400,
        stripe_error(type="invalid_request_error", param="amount", message=message),
    )
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake_stripe).refund(
            payment_reference="pi_test_1", amount=Money(6_000, "EUR"), idempotency_key="refund:q"
        )
    assert str(caught.value) == message


def test_network_retry_repeats_the_same_idempotency_key(fake_stripe: FakeStripe) -> None:
    """A retried refund carries our key unchanged, so Stripe can replay instead of refunding."""
    fake_stripe.reply(
        "POST", "/v1/refunds", 500, stripe_error(type="api_error", message="Try again.")
    )
    refund_id = gateway_for(fake_stripe, retries=1).refund(
        payment_reference="pi_test_1", amount=Money(700, "EUR"), idempotency_key="refund:rf_8"
    )

    assert refund_id == "re_test_1"
    assert [r.headers["Idempotency-Key"] for r in fake_stripe.requests] == [
        "refund:rf_8",
        "refund:rf_8",
    ]


# -- refunds against localstripe ---------------------------------------------------------------


def _localstripe_binary() -> Path | None:
    beside_python = Path(sys.executable).parent / "localstripe"
    if beside_python.exists():
        return beside_python
    found = shutil.which("localstripe")
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {SECRET_KEY}"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered, even if with an error
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"localstripe did not answer at {url} within {timeout} s")


@pytest.fixture(scope="module")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = _localstripe_binary()
    if binary is None:
        pytest.skip("localstripe is not installed (pip install localstripe): skipping refunds.")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    with log_path.open("wb") as log:
        # --from-scratch: never load state an earlier run left in /tmp/localstripe.pickle.
        process = subprocess.Popen(
            [str(binary), "--port", str(port), "--from-scratch"], stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(f"{url}/v1/charges", process, timeout=20)
    except RuntimeError as exc:
        process.kill()
        process.wait(timeout=5)
        pytest.fail(f"{exc}\n{log_path.read_text(errors='replace')}")
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def stripe_client(localstripe_url: str) -> stripe.StripeClient:
    """The SDK pointed straight at localstripe, to set up payments and inspect the results."""
    return stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": localstripe_url}, max_network_retries=0
    )


def _paid_intent(client: stripe.StripeClient, amount: int, currency: str) -> tuple[str, str]:
    """A PaymentIntent charged to the test Visa card; returns (payment intent id, charge id)."""
    intent = client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": currency,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    assert intent.status == "succeeded"
    charge = intent.latest_charge
    charge_id = charge if isinstance(charge, str) else charge.id if charge else None
    assert charge_id is not None
    return intent.id, charge_id


def test_localstripe_partial_refund(
    localstripe_url: str, stripe_client: stripe.StripeClient
) -> None:
    intent_id, charge_id = _paid_intent(stripe_client, 5_000, "eur")
    gateway = StripeGateway(SECRET_KEY, api_base=localstripe_url, max_network_retries=0)

    refund_id = gateway.refund(
        payment_reference=intent_id, amount=Money(2_000, "EUR"), idempotency_key="refund:1"
    )

    assert refund_id.startswith("re_")
    refund = stripe_client.v1.refunds.retrieve(refund_id)
    assert (refund.amount, refund.currency, refund.payment_intent) == (2_000, "eur", intent_id)
    charge = stripe_client.v1.charges.retrieve(charge_id)
    assert (charge.amount_refunded, charge.refunded) == (2_000, False)


def test_localstripe_refunds_add_up_to_the_full_charge(
    localstripe_url: str, stripe_client: stripe.StripeClient
) -> None:
    intent_id, charge_id = _paid_intent(stripe_client, 5_000, "eur")
    gateway = StripeGateway(SECRET_KEY, api_base=localstripe_url, max_network_retries=0)

    first = gateway.refund(
        payment_reference=intent_id, amount=Money(2_000, "EUR"), idempotency_key="refund:a"
    )
    second = gateway.refund(
        payment_reference=intent_id, amount=Money(3_000, "EUR"), idempotency_key="refund:b"
    )

    assert first != second
    charge = stripe_client.v1.charges.retrieve(charge_id)
    assert (charge.amount_refunded, charge.refunded) == (5_000, True)
    # Idempotency: localstripe does not implement Idempotency-Key (the same key twice would
    # refund twice there), so replay is not tested against it. What is ours to guarantee, the
    # key reaching Stripe unchanged on every attempt, is tested above with the recording server;
    # the ledger reserves a refund before calling, so it never reuses a key for a new refund.


def test_localstripe_zero_decimal_refund_is_not_scaled(
    localstripe_url: str, stripe_client: stripe.StripeClient
) -> None:
    intent_id, charge_id = _paid_intent(stripe_client, 8_000, "jpy")
    gateway = StripeGateway(SECRET_KEY, api_base=localstripe_url, max_network_retries=0)

    gateway.refund(
        payment_reference=intent_id, amount=Money(1_200, "JPY"), idempotency_key="refund:jpy"
    )

    assert stripe_client.v1.charges.retrieve(charge_id).amount_refunded == 1_200


def test_localstripe_refund_of_unknown_payment_is_an_error(localstripe_url: str) -> None:
    gateway = StripeGateway(SECRET_KEY, api_base=localstripe_url, max_network_retries=0)
    with pytest.raises(GatewayError) as caught:
        gateway.refund(
            payment_reference="pi_doesnotexist",
            amount=Money(100, "EUR"),
            idempotency_key="refund:none",
        )
    # localstripe's own wording for a missing object; Stripe says "No such payment_intent: …".
    assert str(caught.value) == "Not Found"
    assert isinstance(caught.value.__cause__, stripe.InvalidRequestError)
