"""What the payment provider's events say: the one mapping from an event type (Stripe's names;
the sandbox sends the same) to what the ledger does with it. A type not listed is stored as
not handled."""

from __future__ import annotations

import enum

from concierge_app.domain.checkout import CheckoutStatus


class Signal(enum.Enum):
    CHECKOUT_PAID = "the checkout is paid"
    CHECKOUT_PROCESSING = "the checkout is complete, its payment still processing"
    CHECKOUT_FAILED = "the checkout's payment failed"
    CHECKOUT_EXPIRED = "the checkout expired"
    REFUND = "a refund of a checkout's payment"
    DEBIT_PAID = "a direct debit was paid"
    DEBIT_FAILED = "a direct debit failed"


CHECKOUT_COMPLETED = "checkout.session.completed"
CHECKOUT_EXPIRED = "checkout.session.expired"
DEBIT_SUCCEEDED = "payment_intent.succeeded"
DEBIT_FAILED = "payment_intent.payment_failed"
# A completed Checkout Session whose money is in (anything else is a delayed payment method).
PAID_STATUSES = frozenset({"paid", "no_payment_required"})


def is_checkout(event_type: str) -> bool:
    """An event about a checkout (Stripe: a Checkout Session), handled or not."""
    return event_type.startswith("checkout.session.")


_SIGNALS = {
    "checkout.session.async_payment_succeeded": Signal.CHECKOUT_PAID,
    "checkout.session.async_payment_failed": Signal.CHECKOUT_FAILED,
    CHECKOUT_EXPIRED: Signal.CHECKOUT_EXPIRED,
    # a refund: the Refund object's own events, and the charge's refunded total
    "refund.created": Signal.REFUND,
    "refund.updated": Signal.REFUND,
    "refund.failed": Signal.REFUND,
    "charge.refunded": Signal.REFUND,
    "charge.refund.updated": Signal.REFUND,
    DEBIT_SUCCEEDED: Signal.DEBIT_PAID,
    DEBIT_FAILED: Signal.DEBIT_FAILED,
}
CHECKOUT_EVENTS = frozenset({CHECKOUT_COMPLETED} | {t for t in _SIGNALS if is_checkout(t)})
REFUND_EVENTS = frozenset(t for t, s in _SIGNALS.items() if s is Signal.REFUND)
DIRECT_DEBIT_ANSWERS = frozenset({DEBIT_SUCCEEDED, DEBIT_FAILED})

# What a checkout's failure or expiry closes it as, and why (the reason kept on it).
CLOSES = {
    Signal.CHECKOUT_FAILED: (CheckoutStatus.FAILED, "The payment failed at the bank."),
    Signal.CHECKOUT_EXPIRED: (CheckoutStatus.EXPIRED, "The checkout expired before it was paid."),
}


def signal_of(event_type: str, payment_status: str | None = None) -> Signal | None:
    """What the event says (None: the ledger does not handle this type). A completed checkout
    is paid when its payment status says the money is in, else still processing."""
    if event_type == CHECKOUT_COMPLETED:
        paid = payment_status in PAID_STATUSES
        return Signal.CHECKOUT_PAID if paid else Signal.CHECKOUT_PROCESSING
    return _SIGNALS.get(event_type)
