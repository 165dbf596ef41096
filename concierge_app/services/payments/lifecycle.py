"""One checkout lifecycle for every payer: attempt → provider session → signed event →
fulfilment once. A guest's Pay / Pay All (`guest_fulfilment`) and a partner's or a group's Pay
online (`partner_fulfilment`) plug in as a `Payer`: which row is the checkout, which documents
it pays and how the money is applied. Everything else is done here, once, in one transaction
per event: lock the checkout, store the event id (a duplicate stops there), apply the domain's
guard (`domain/checkout.on_success` / `on_close`), call the payer's step, record the outcome.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy import Table, update
from sqlmodel import Session

from concierge_app.db.engine import Database
from concierge_app.db.types import utcnow
from concierge_app.domain.checkout import (
    CheckoutStatus,
    Step,
    on_close,
    on_success,
)
from concierge_app.domain.money import Money
from concierge_app.services.payments.event_log import Delivery, store_event


@dataclass(frozen=True, slots=True)
class Locked:
    """A checkout locked for one event: its id, status and amount, and the payer's own rows."""

    id: str
    status: CheckoutStatus
    amount: Money
    row: Any  # the checkout row (plain values)
    owner: Any = None  # what is locked before it (a guest attempt: its booking)


@dataclass(frozen=True, slots=True)
class Paid:
    """What the provider's success event says about the money."""

    amount: Money
    payment_reference: str | None = None  # the captured payment (Stripe: "pi_…")
    checkout_reference: str | None = None  # the provider's checkout (Stripe: "cs_…")


class Payer(Protocol):
    """The payer-specific part of a checkout."""

    @property
    def table(self) -> Table:
        """Its checkouts (with the columns id, status, completed_at, failure_reason)."""
        ...

    @property
    def words(self) -> Mapping[Step, enum.StrEnum]:
        """Each step's outcome, as staff read it on Payment events."""
        ...

    @property
    def actions(self) -> Mapping[Step, str]:
        """The audit action of a mismatch, a closing, a wait."""
        ...

    def lock(self, session: Session, checkout_id: str) -> Locked:
        """Lock the checkout (and what every writer locks before it); NotFound if none."""
        ...

    @property
    def events_point_at_it(self) -> bool:
        """Whether the stored event keeps the checkout's id (the event table's attempt_id)."""
        ...

    def audit(
        self, session: Session, locked: Locked, actor: str, action: str, data: dict[str, Any]
    ) -> None: ...

    def fulfil(self, session: Session, locked: Locked, delivery: Delivery, paid: Paid) -> None:
        """Mark the checkout succeeded and apply its money (documents paid, audit)."""
        ...


def claim(
    session: Session, payer: Payer, checkout_id: str, delivery: Delivery
) -> tuple[Locked, int] | None:
    """Lock the checkout, then store the event id: (the checkout, the event's row id), or None
    when this event was stored before (NotFound: no such checkout, nothing written). With
    `delivery.outcome_of`, the event is stored with its outcome, decided on the locked checkout
    before anything is applied (in this transaction, so it is never seen without its effects)."""
    locked = payer.lock(session, checkout_id)
    event_pk = store_event(
        session,
        provider=delivery.provider,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        attempt=checkout_id if payer.events_point_at_it else None,
        outcome="processing" if delivery.outcome_of is None else delivery.outcome_of(locked),
    )
    return None if event_pk is None else (locked, event_pk)


def _claim_as(
    session: Session,
    payer: Payer,
    checkout_id: str,
    delivery: Delivery,
    step_of: Callable[[Locked], Step],
) -> tuple[Locked, Step] | None:
    """`claim`, the event stored with the outcome of `step_of(the locked checkout)`:
    (the checkout, its step), or None for a duplicate."""
    claimed = claim(
        session,
        payer,
        checkout_id,
        replace(delivery, outcome_of=lambda locked: payer.words[step_of(locked)].value),
    )
    return None if claimed is None else (claimed[0], step_of(claimed[0]))


def succeed(
    *, db: Database, payer: Payer, checkout_id: str, delivery: Delivery, paid: Paid
) -> enum.StrEnum:
    """The provider says the checkout is paid: fulfil it exactly once. An amount or currency
    other than the checkout's is not applied (recorded for staff); a success after an expiry
    or a failure is applied: the money moved."""
    with db.transaction() as session:
        claimed = _claim_as(
            session,
            payer,
            checkout_id,
            delivery,
            lambda locked: on_success(locked.status, locked.amount, paid.amount),
        )
        if claimed is None:
            return payer.words[Step.DUPLICATE_EVENT]
        locked, step = claimed
        if step is Step.AMOUNT_MISMATCH:
            data = {"expected": str(locked.amount), "received": str(paid.amount)}
            payer.audit(
                session,
                locked,
                delivery.actor,
                payer.actions[step],
                data | {"event": delivery.event_id},
            )
        elif step is Step.FULFILLED:  # the guard: open, failed or expired → succeeded
            payer.fulfil(session, locked, delivery, paid)
        return payer.words[step]


def close(
    *,
    db: Database,
    payer: Payer,
    checkout_id: str,
    delivery: Delivery,
    status: CheckoutStatus,
    reason: str = "",
) -> enum.StrEnum:
    """The checkout failed or expired: it closes while it is open; nothing else changes."""
    if status not in (CheckoutStatus.FAILED, CheckoutStatus.EXPIRED):
        raise ValueError("a checkout closes as FAILED or EXPIRED")
    with db.transaction() as session:
        claimed = _claim_as(
            session, payer, checkout_id, delivery, lambda locked: on_close(locked.status, status)
        )
        if claimed is None:
            return payer.words[Step.DUPLICATE_EVENT]
        locked, step = claimed
        if step is not Step.ALREADY_FINAL:  # the guard: only an open checkout closes
            session.connection().execute(
                update(payer.table)
                .where(payer.table.c.id == checkout_id)
                .values(
                    status=status.value, completed_at=utcnow(), failure_reason=reason[:500] or None
                )
            )
            data = {"event": delivery.event_id, "reason": reason}
            payer.audit(session, locked, delivery.actor, payer.actions[step], data)
        return payer.words[step]


def note_processing(
    *, db: Database, payer: Payer, checkout_id: str, delivery: Delivery
) -> enum.StrEnum:
    """The checkout was completed with a delayed payment method: wait for its outcome."""
    with db.transaction() as session:
        claimed = _claim_as(
            session, payer, checkout_id, delivery, lambda _locked: Step.AWAITING_PAYMENT
        )
        if claimed is None:
            return payer.words[Step.DUPLICATE_EVENT]
        locked, step = claimed
        data = {"event": delivery.event_id}
        payer.audit(session, locked, delivery.actor, payer.actions[step], data)
        return payer.words[step]


def succeed_event(
    payer: Payer,
    *,
    db: Database,
    checkout_id: str,
    provider: str,
    event_id: str,
    event_type: str,
    amount: Money,
    payment_reference: str | None = None,
    checkout_reference: str | None = None,
) -> enum.StrEnum:
    """`succeed`, given the event's fields (the payers' entry points take these)."""
    delivery = Delivery(provider, event_id, event_type)
    paid = Paid(amount, payment_reference, checkout_reference)
    return succeed(db=db, payer=payer, checkout_id=checkout_id, delivery=delivery, paid=paid)


def close_event(
    payer: Payer,
    *,
    db: Database,
    checkout_id: str,
    provider: str,
    event_id: str,
    event_type: str,
    status: CheckoutStatus,
    reason: str = "",
) -> enum.StrEnum:
    """`close`, given the event's fields (the payers' entry points take these)."""
    delivery = Delivery(provider, event_id, event_type)
    return close(
        db=db, payer=payer, checkout_id=checkout_id, delivery=delivery, status=status, reason=reason
    )
