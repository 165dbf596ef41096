"""Every field the Stripe adapter reads from Stripe, per object, as dotted paths.

A declaration only: `tests/contract` checks each path against Stripe's OpenAPI schema of the
pinned API version, and checks that `stripe_events.parse` reads nothing that is not listed here.
Paths go through expandable fields (`payment_intent.id`: the id of an expanded PaymentIntent) and
lists (`refunds.data.id`: the id of each Refund in the list). `metadata` is read as a whole: its
keys are ours (attempt_id, kind, partner_payment_id, refund_key).
"""

from __future__ import annotations

FIELDS_READ: dict[str, tuple[str, ...]] = {
    # The envelope of a webhook event (stripe_events.verify and parse).
    "event": ("id", "type", "data.object"),
    # checkout.session.* events, and what StripeGateway reads back from sessions.create /
    # sessions.retrieve (`url`, `status`).
    "checkout.session": (
        "id",
        "client_reference_id",
        "metadata",
        "payment_status",
        "payment_intent",
        "payment_intent.id",
        "amount_total",
        "currency",
        "url",
        "status",
    ),
    # charge.* events (charge.refunded). `refunds` is listed only when expanded (not included
    # by default since API version 2022-11-15); each listed Refund is read as a refund.
    "charge": (
        "id",
        "payment_intent",
        "payment_intent.id",
        "amount_refunded",
        "currency",
        "metadata",
        "refunds",
        "refunds.data.id",
        "refunds.data.amount",
        "refunds.data.currency",
        "refunds.data.status",
        "refunds.data.payment_intent",
        "refunds.data.payment_intent.id",
        "refunds.data.failure_reason",
        "refunds.data.metadata",
    ),
    # refund.* events, and what StripeGateway reads back from refunds.create / refunds.list.
    "refund": (
        "id",
        "object",
        "amount",
        "currency",
        "status",
        "payment_intent",
        "payment_intent.id",
        "charge",
        "metadata",
        "failure_reason",
    ),
    # payment_intent.* events (a partner's direct debit answered), and what StripeGateway reads
    # back from payment_intents.create.
    "payment_intent": (
        "id",
        "amount",
        "currency",
        "metadata",
        "status",
        "last_payment_error",
        "last_payment_error.message",
        "last_payment_error.code",
    ),
    # Reconciliation (stripe_balance.py): GET /v1/balance_transactions with `data.source`
    # expanded — a Charge (its PaymentIntent, amount and currency as charged) or a Refund.
    "balance_transaction": (
        "id",
        "type",
        "amount",
        "currency",
        "fee",
        "source",
        "source.id",
        "source.payment_intent",
        "source.payment_intent.id",
        "source.amount",
        "source.currency",
    ),
    # and GET /v1/payouts
    "payout": ("id", "amount", "currency", "status"),
}
