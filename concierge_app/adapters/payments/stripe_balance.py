"""Stripe's records for reconciliation: balance transactions and payouts of a period.

`GET /v1/balance_transactions` (created[gte]/[lt], 100 a page, `starting_after` from the SDK's
auto-paging, `data.source` expanded) gives each payment, refund and fee; `GET /v1/payouts` the
payouts. A payment or refund is keyed as the ledger keys it: the charge's PaymentIntent ("pi_…",
or the charge "ch_…" when it has none), the refund's "re_…". Its amount and currency are the
source's (what the guest was charged), not the balance's settlement currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import stripe
from stripe.params import BalanceTransactionListParams, PayoutListParams

from concierge_app.adapters.payments.gateway import Progress
from concierge_app.adapters.payments.stripe_amounts import from_stripe_amount
from concierge_app.domain.money import Money
from concierge_app.domain.reconciliation import Item, ItemKind

PAYMENT_TYPES = frozenset({"charge", "payment"})
REFUND_TYPES = frozenset({"refund", "payment_refund"})
FEE_TYPES = frozenset({"stripe_fee", "application_fee", "tax_fee"})
# A payout that never reached the bank (or was taken back) moved no money.
DEAD_PAYOUTS = frozenset({"failed", "canceled"})
PAGE = 100


def read_records(
    client: stripe.StripeClient, *, start: datetime, end: datetime, progress: Progress | None
) -> tuple[Item, ...]:
    """Every payment, refund, fee and payout created in [start, end)."""
    gte, lt = int(start.timestamp()), int(end.timestamp())
    balance_params: BalanceTransactionListParams = {
        "created": {"gte": gte, "lt": lt},
        "limit": PAGE,
        "expand": ["data.source"],
    }
    payout_params: PayoutListParams = {"created": {"gte": gte, "lt": lt}, "limit": PAGE}
    items: list[Item] = []
    read = 0
    balance = client.v1.balance_transactions.list(params=balance_params)
    for txn in balance.auto_paging_iter():
        items.extend(balance_items(txn))
        read += 1
        if progress is not None:
            progress(read)
    payouts = client.v1.payouts.list(params=payout_params)
    for payout in payouts.auto_paging_iter():
        items.extend(payout_items(payout))
        read += 1
        if progress is not None:
            progress(read)
    return tuple(items)


def balance_items(txn: Any) -> Iterable[Item]:
    """What one balance transaction reports: a payment or refund and its fee, or a fee."""
    kind = str(txn.type)
    if kind in PAYMENT_TYPES:
        yield Item(ItemKind.PAYMENT, _payment_key(txn.source), _source_amount(txn, +1))
    elif kind in REFUND_TYPES:
        yield Item(ItemKind.REFUND, _id(txn.source), _source_amount(txn, -1))
    elif kind in FEE_TYPES and txn.amount:
        yield Item(ItemKind.FEE, str(txn.id), from_stripe_amount(abs(txn.amount), txn.currency))
    if txn.fee and kind not in FEE_TYPES:
        yield Item(ItemKind.FEE, str(txn.id), from_stripe_amount(txn.fee, txn.currency))


def payout_items(payout: Any) -> Iterable[Item]:
    if str(payout.status) not in DEAD_PAYOUTS:
        yield Item(
            ItemKind.PAYOUT, str(payout.id), from_stripe_amount(payout.amount, payout.currency)
        )


def _id(source: Any) -> str:
    return source if isinstance(source, str) else str(source.id)


def _payment_key(source: Any) -> str:
    """The PaymentIntent of an expanded charge, else the charge's own id."""
    if isinstance(source, str):
        return source
    intent = getattr(source, "payment_intent", None)
    return _id(intent) if intent else str(source.id)


def _source_amount(txn: Any, sign: int) -> Money:
    """The expanded source's amount and currency (as charged), else the balance's."""
    source = txn.source
    if not isinstance(source, str) and getattr(source, "amount", None) is not None:
        return from_stripe_amount(abs(source.amount), source.currency)
    return from_stripe_amount(sign * txn.amount, txn.currency)
