"""The Stripe adapter: hosted Checkout Sessions, their expiry, refunds, and SEPA direct debits.

Talks to Stripe through the official SDK's `StripeClient` (never the global `stripe.api_key`),
pinned to one API version so an SDK upgrade cannot change the wire format underneath us.
Every Stripe error becomes a `GatewayError` carrying Stripe's own readable reason; one that is
not a refusal (Stripe unreachable or overloaded, its own error, a concurrent request with the
same idempotency key, our key refused) is a `GatewayUnavailable`: try again later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time

import stripe
from stripe.params import PaymentIntentCreateParams, RefundCreateParams
from stripe.params.checkout import (
    SessionCreateParams,
    SessionCreateParamsLineItem,
    SessionCreateParamsLineItemPriceDataProductData,
)

from concierge_app.adapters.payments.gateway import (
    FAILED_REFUND_STATUSES,
    REFUND_KEY,
    CheckoutLine,
    CheckoutRequest,
    CheckoutSession,
    DebitRequest,
    GatewayError,
    GatewayUnavailable,
    Progress,
    ProviderRefund,
)
from concierge_app.adapters.payments.stripe_amounts import from_stripe_amount, to_stripe_amount
from concierge_app.adapters.payments.stripe_balance import read_records
from concierge_app.domain.money import Money
from concierge_app.domain.reconciliation import Item

# The version stripe-python 16.1.0 pins (`stripe.api_version`), written out so that upgrading
# the SDK does not silently move us to a newer API: change it deliberately, with the tests.
STRIPE_API_VERSION = "2026-10-28.endive"

# A confirmed SEPA PaymentIntent is "processing" until the bank answers (days later, as an
# event); one sent straight back for another payment method was refused at once.
_REFUSED_DEBIT_STATUSES = frozenset({"requires_payment_method", "canceled"})
# HTTP statuses that are no refusal: a concurrent request with the same idempotency key (409),
# our key or its permissions refused (401, 403: Stripe did nothing), too many requests (429).
_NOT_A_REFUSAL = frozenset({401, 403, 409, 429})


class StripeGateway:
    """`PaymentGateway` backed by a Stripe account (or anything speaking its API at `api_base`)."""

    name = "stripe"
    debit_currencies = frozenset({"EUR"})  # sepa_debit takes euros only

    def __init__(
        self, secret_key: str, *, api_base: str | None = None, max_network_retries: int = 2
    ) -> None:
        if not secret_key:
            raise ValueError("A Stripe secret key is required.")
        self._client = stripe.StripeClient(
            secret_key,
            stripe_version=STRIPE_API_VERSION,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
        )

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """Open a hosted Checkout Session; the attempt's idempotency key makes retries safe."""
        with _stripe_errors():
            session = self._client.v1.checkout.sessions.create(
                params=checkout_params(request),
                options={"idempotency_key": request.idempotency_key},
            )
        if not session.url:
            raise GatewayError("Stripe opened the checkout without a payment page address.")
        return CheckoutSession(reference=session.id, url=session.url)

    def expire_checkout(self, reference: str) -> None:
        """Expire an open session; one already expired or completed needs nothing more."""
        sessions = self._client.v1.checkout.sessions
        try:
            sessions.expire(reference)
        except stripe.InvalidRequestError as err:
            # Stripe only expires open sessions. Ask which state it is in rather than parse
            # the message: anything but "open" means there is nothing left to close.
            with _stripe_errors():
                status = sessions.retrieve(reference).status
            if status == "open":
                raise _gateway_error(err) from err
        except stripe.StripeError as err:
            raise _gateway_error(err) from err

    def refund(self, *, payment_reference: str | None, amount: Money, idempotency_key: str) -> str:
        """Refund `amount` of the PaymentIntent `payment_reference`; returns Stripe's refund id."""
        if not payment_reference:
            raise GatewayError("This payment has no provider reference to refund.")
        params: RefundCreateParams = {
            "payment_intent": payment_reference,
            "amount": to_stripe_amount(amount),
            # The refund's events carry it back: the webhook knows the ledger asked for it.
            "metadata": {REFUND_KEY: idempotency_key},
        }
        with _stripe_errors():
            refund = self._client.v1.refunds.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        if refund.status in FAILED_REFUND_STATUSES:
            reason = (refund.failure_reason or "no reason given").replace("_", " ")
            raise GatewayError(f"Stripe could not complete the refund ({reason}).")
        return refund.id

    def list_refunds(self, payment_reference: str) -> tuple[ProviderRefund, ...]:
        """Every refund of the PaymentIntent, page after page (100 a page)."""
        found: list[ProviderRefund] = []
        with _stripe_errors():
            page = self._client.v1.refunds.list(
                params={"payment_intent": payment_reference, "limit": 100}
            )
            for refund in page.auto_paging_iter():
                found.append(
                    ProviderRefund(
                        refund_id=refund.id,
                        status=str(refund.status or ""),
                        amount=from_stripe_amount(refund.amount, refund.currency),
                        payment_intent=payment_reference,
                        failure_reason=str(getattr(refund, "failure_reason", None) or ""),
                        refund_key=_metadata_value(refund.metadata, REFUND_KEY),
                    )
                )
        return tuple(found)

    def provider_records(
        self, *, start: datetime, end: datetime, progress: Progress | None = None
    ) -> tuple[Item, ...]:
        """Balance transactions and payouts of [start, end), all pages (stripe_balance.py)."""
        with _stripe_errors():
            return read_records(self._client, start=start, end=end, progress=progress)

    def collect_debit(self, request: DebitRequest) -> str:
        """Create and confirm a PaymentIntent debiting the partner's IBAN under its mandate;
        the collection's idempotency key makes a retry return the same PaymentIntent."""
        with _stripe_errors():
            intent = self._client.v1.payment_intents.create(
                params=debit_params(request),
                options={"idempotency_key": request.idempotency_key},
            )
        if intent.status in _REFUSED_DEBIT_STATUSES:
            error = intent.last_payment_error
            said = " ".join(str(getattr(error, "message", "") or "").split())
            raise GatewayError(said or "Stripe refused the direct debit.")
        return intent.id


def _metadata_value(metadata: object, key: str) -> str:
    """One value of a Stripe object's metadata ('' when absent)."""
    values = metadata.to_dict() if isinstance(metadata, stripe.StripeObject) else metadata
    value = values.get(key) if isinstance(values, dict) else None
    return value if isinstance(value, str) else ""


def debit_params(request: DebitRequest) -> PaymentIntentCreateParams:
    """A confirmed PaymentIntent with a sepa_debit payment method built from the IBAN, and the
    partner's mandate (signed offline, on paper or in the Extranet) as customer acceptance."""
    signed = datetime.combine(request.mandate_signed_on, time(0), tzinfo=UTC)
    return {
        "amount": to_stripe_amount(request.amount),
        "currency": request.amount.currency.lower(),
        "allowed_payment_method_types": ["sepa_debit"],
        "payment_method_data": {
            "type": "sepa_debit",
            "sepa_debit": {"iban": request.iban},
            "billing_details": {"name": request.account_holder, "email": request.email},
        },
        "mandate_data": {
            "customer_acceptance": {
                "type": "offline",
                "accepted_at": int(signed.timestamp()),
            }
        },
        "confirm": True,
        "description": request.description,
        "metadata": request.metadata,
    }


def checkout_params(request: CheckoutRequest) -> SessionCreateParams:
    """The Checkout Session parameters for a request: one line item per invoice."""
    currency = _single_currency(request.lines)
    metadata = {"attempt_id": request.attempt_id, "booking_reference": request.booking_reference}
    params: SessionCreateParams = {
        "mode": "payment",
        "line_items": [_line_item(line, currency) for line in request.lines],
        "client_reference_id": request.attempt_id,
        "metadata": metadata,
        "payment_intent_data": {"metadata": dict(metadata)},
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
        "locale": request.locale,
    }
    if request.customer_email:
        params["customer_email"] = request.customer_email
    return params


def _line_item(line: CheckoutLine, currency: str) -> SessionCreateParamsLineItem:
    product: SessionCreateParamsLineItemPriceDataProductData = {"name": line.name}
    if line.description:
        product["description"] = line.description
    return {
        "price_data": {
            "currency": currency.lower(),
            "unit_amount": to_stripe_amount(line.amount),
            "product_data": product,
        },
        "quantity": 1,
    }


def _single_currency(lines: tuple[CheckoutLine, ...]) -> str:
    currencies = sorted({line.amount.currency for line in lines})
    if not currencies:
        raise GatewayError("A checkout needs at least one invoice to pay.")
    if len(currencies) > 1:
        raise GatewayError(
            f"One checkout takes one currency; these invoices are in {', '.join(currencies)}."
        )
    return currencies[0]


@contextmanager
def _stripe_errors() -> Iterator[None]:
    """Re-raise any Stripe SDK error as a GatewayError with Stripe's readable reason."""
    try:
        yield
    except stripe.StripeError as err:
        raise _gateway_error(err) from err


def _gateway_error(err: stripe.StripeError) -> GatewayError:
    """A refusal is a GatewayError; Stripe not taking the request now is GatewayUnavailable
    (the request may have been made: only a retry with the same idempotency key is safe)."""
    status = err.http_status
    unavailable = (
        isinstance(err, stripe.APIConnectionError | stripe.RateLimitError)
        or status is None
        or status >= 500
        or status in _NOT_A_REFUSAL
    )
    return (GatewayUnavailable if unavailable else GatewayError)(_readable(err))


def _readable(err: stripe.StripeError) -> str:
    """What Stripe said, without the request id; connection failures say so."""
    said = " ".join(str(err.user_message or "").split())
    if isinstance(err, stripe.APIConnectionError):
        return f"Could not reach Stripe: {said or 'no response.'}"
    return said or f"Stripe refused the request (HTTP status {err.http_status})."
