"""Refunds the payment provider reports (`refund.created` / `refund.updated` / `refund.failed`,
or a `charge.refunded` whose refunds are listed from the provider), recorded in the ledger
exactly once as the Refund dialog would: the services refunded, commission reversed, totals,
audit, the guest's credit note — and staff told.

- A refund the ledger asked for (its metadata carries our idempotency key, or its id is on our
  row) is the Refund dialog's own: a success settles it if it is still pending, a failure
  marks it failed (the guest got nothing back: the service again needs a refund).
- Any other refund was made at the provider (e.g. in Stripe's dashboard): it is spread over the
  services the payment paid for (`domain.provider_refunds`), recorded with the provider's
  refund id, put on the booking's audit trail, and told to staff (a "Refund at the Provider"
  message to the platform's address); a split that had to be assumed, or an amount beyond what
  the services can give back, is said so.

Each refund is keyed by the provider's id (re_…), whatever event brings it, so `refund.created`
and `charge.refunded` for one refund record it once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from concierge_app import routes
from concierge_app.adapters.payments.gateway import ProviderRefund
from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.payments import PaymentAttempt, Refund
from concierge_app.domain.formatting import format_money
from concierge_app.domain.lifecycle import InvoiceStatus, ServiceLifecycle
from concierge_app.domain.money import Money
from concierge_app.domain.provider_refunds import RefundableService, split_refund
from concierge_app.domain.statuses import RefundSource, RefundStatus
from concierge_app.services.guest.credit_notes import issue_credit_notes
from concierge_app.services.guest.refunds import settle_refund
from concierge_app.services.payments.event_log import DUPLICATE_EVENT, Delivery, set_event_outcome
from concierge_app.services.payments.guest_fulfilment import GUEST
from concierge_app.services.payments.lifecycle import Locked, claim
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.messages import queue_message
from concierge_app.settings import get_settings

SUCCEEDED = "succeeded"
NOTHING = "no refund to record"


def attempt_of_payment(*, db: Database, payment_intent: str) -> str | None:
    """Our checkout whose captured payment is `payment_intent` (None: not ours)."""
    with db.read() as session:
        found = session.exec(
            select(PaymentAttempt.id).where(PaymentAttempt.provider_payment_id == payment_intent)
        ).first()
    return None if found is None else str(found)


def recorded_total(*, db: Database, attempt_id: str) -> Money | None:
    """What the ledger holds as refunded (or being refunded) of the checkout's payment."""
    with db.read() as session:
        attempt = session.get(PaymentAttempt, attempt_id)
        if attempt is None:
            return None
        minor = session.exec(
            select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
                Refund.attempt_id == attempt_id, Refund.status != RefundStatus.FAILED
            )
        ).one()
    return Money(int(minor), attempt.currency)


def record_provider_refunds(
    *,
    db: Database,
    provider: str,
    event_id: str,
    event_type: str,
    attempt_id: str,
    refunds: Sequence[ProviderRefund],
) -> str:
    """Apply the provider's refunds of one checkout's payment, once per event and per refund.
    Returns the event's outcome (also stored on it)."""
    with db.transaction() as session:
        delivery = Delivery(provider, event_id, event_type)
        found = claim(session, GUEST, attempt_id, delivery)
        if found is None:
            return DUPLICATE_EVENT
        (locked, event_pk), actor = found, delivery.actor
        said = [_apply(session, locked, refund, actor) for refund in refunds]
        outcome = "; ".join(said) or NOTHING
        set_event_outcome(session, event_pk, outcome)
        return outcome[:200]


def _ours(session: Session, refund: ProviderRefund) -> list[Refund]:
    """The ledger's rows of this provider refund (by its id, or our idempotency key)."""
    keys = [col(Refund.provider_reference) == refund.refund_id]
    if refund.refund_key:
        keys.append(col(Refund.idempotency_key) == refund.refund_key)
    return list(session.exec(select(Refund).where(or_(*keys)).order_by(col(Refund.id))).all())


def _apply(session: Session, locked: Locked, refund: ProviderRefund, actor: str) -> str:
    """One provider refund against the checkout's payment; what was done, in a few words."""
    if refund.amount.currency != locked.amount.currency:
        return f"refund {refund.refund_id} is in {refund.amount.currency}, the payment was not"
    rows = _ours(session, refund)
    if rows:
        return _update(session, rows, refund, actor)
    if refund.failed:
        return f"refund {refund.refund_id} failed at the provider: nothing to record"
    return _record_new(session, locked, refund, actor)


def _update(session: Session, rows: list[Refund], refund: ProviderRefund, actor: str) -> str:
    """A refund the ledger holds already: settle it, fail it, or leave it as it is."""
    if refund.failed:
        changed = [r for r in rows if r.status != RefundStatus.FAILED]
        for row in changed:
            _fail(session, row, refund, actor)
        if not changed:
            return f"refund {refund.refund_id} already marked failed"
        reason = refund.failure_reason.replace("_", " ") or "no reason given"
        _tell_staff(
            session,
            changed[0].booking_id,
            refund,
            kind="failed",
            headline="a refund failed at the payment provider",
            what_happened=f"failed at the payment provider ({reason}): the guest did not get "
            "this money back, and these services need a refund again:",
            parts=[(r.service_item_id, Money(r.amount_minor, r.currency)) for r in changed],
        )
        return f"refund {refund.refund_id} failed at the provider: marked failed"
    if refund.status == SUCCEEDED:
        pending = [r for r in rows if r.status == RefundStatus.PENDING]
        for row in pending:
            settle_refund(session, row, refund.refund_id, actor)
        issue_credit_notes(session, pending, actor=actor)
        if pending:
            return f"refund {refund.refund_id} succeeded: recorded"
    return f"refund {refund.refund_id} already recorded"


def _fail(session: Session, row: Refund, refund: ProviderRefund, actor: str) -> None:
    """The money did not go back: the refund is failed and its service needs a refund again."""
    was = row.status
    row.status = RefundStatus.FAILED.value
    row.provider_reference = row.provider_reference or refund.refund_id
    session.add(row)
    service = session.get(ServiceItem, row.service_item_id)
    if service is not None and service.lifecycle == ServiceLifecycle.CANCELLED:
        service.refund_required = True
        session.add(service)
    record_event(
        session,
        actor=actor,
        action="refund.failed",
        subject=f"refund:{row.id}",
        booking_id=row.booking_id,
        data={
            "provider_reference": refund.refund_id,
            "amount": str(Money(row.amount_minor, row.currency)),
            "was": was,
            "reason": refund.failure_reason.replace("_", " ") or "no reason given",
        },
    )


def _tell_staff(
    session: Session,
    booking_id: int,
    refund: ProviderRefund,
    *,
    kind: str,
    headline: str,
    what_happened: str,
    parts: list[tuple[int, Money]],
    check: str = "",
) -> None:
    """A message to the platform's finance address (the Outbox): money moved at the provider."""
    settings = get_settings()
    booking = session.get(Booking, booking_id)
    reference = "" if booking is None else booking.reference
    titles = dict(
        session.exec(
            select(ServiceItem.id, ServiceItem.title).where(
                col(ServiceItem.id).in_([service_id for service_id, _ in parts])
            )
        ).all()
    )
    queue_message(
        session,
        dedupe_key=f"provider_refund:{refund.refund_id}:{kind}"[:200],
        template_key="provider_refund",
        recipient=settings.platform_email,
        booking_id=booking_id,
        context={
            "platform_name": settings.platform_name,
            "booking_reference": reference,
            "headline": headline,
            "refund_id": refund.refund_id,
            "amount": format_money(refund.amount),
            "what_happened": what_happened,
            "lines": [
                {"description": titles.get(service_id, "A service"), "amount": format_money(m)}
                for service_id, m in parts
            ],
            "check": check,
            "booking_url": public_url(routes.booking(reference)),
        },
    )


def _refundable_services(session: Session, attempt_id: str) -> list[RefundableService]:
    """The services the checkout paid for, with what each can still give back."""
    lines = session.exec(
        select(InvoiceLine, ServiceItem)
        .join(GuestInvoice, col(GuestInvoice.id) == InvoiceLine.invoice_id)
        .join(ServiceItem, col(ServiceItem.id) == InvoiceLine.service_item_id)
        .where(
            GuestInvoice.paid_by_attempt_id == attempt_id,
            GuestInvoice.status == InvoiceStatus.PAID,
        )
        .order_by(col(InvoiceLine.id))
    ).all()
    given: dict[int, int] = dict(
        session.exec(
            select(Refund.service_item_id, func.sum(Refund.amount_minor))
            .where(Refund.attempt_id == attempt_id, Refund.status != RefundStatus.FAILED)
            .group_by(col(Refund.service_item_id))
        ).all()
    )
    return [
        RefundableService(
            service_id=int(service.id or 0),
            refundable=Money(
                line.amount_minor - int(given.get(line.service_item_id, 0)), line.currency
            ),
            refund_required=service.refund_required,
            order=int(line.id or 0),
        )
        for line, service in lines
    ]


def _record_new(session: Session, locked: Locked, refund: ProviderRefund, actor: str) -> str:
    """A refund made at the provider: recorded against the services it is spread over."""
    booking, attempt = locked.owner, locked.row
    split = split_refund(refund.amount, _refundable_services(session, attempt.id))
    status = RefundStatus.SUCCEEDED if refund.status == SUCCEEDED else RefundStatus.PENDING
    made: list[Refund] = []
    note = f"Refunded at the payment provider ({refund.refund_id}), not from the Refund dialog."
    for service_id, amount in split.parts:
        row = Refund(
            booking_id=booking.id,
            service_item_id=service_id,
            attempt_id=attempt.id,
            amount_minor=amount.minor,
            currency=amount.currency,
            note=note,
            status=RefundStatus.PENDING.value,
            idempotency_key=f"provider:{refund.refund_id}:{service_id}"[:100],
            provider_reference=refund.refund_id,
            source=RefundSource.PROVIDER.value,
            created_by=actor,
        )
        session.add(row)
        session.flush()
        if status is RefundStatus.SUCCEEDED:
            settle_refund(session, row, refund.refund_id, actor)
        made.append(row)
    issue_credit_notes(session, made, actor=actor)  # one note for the whole refund
    record_event(
        session,
        actor=actor,
        action="refund.made_at_provider",
        subject=f"attempt:{attempt.id}",
        booking_id=booking.id,
        data={
            "provider_reference": refund.refund_id,
            "amount": str(refund.amount),
            "status": refund.status,
            "services": {str(s): str(m) for s, m in split.parts},
            "split_assumed": not split.exact,
            "not_recorded": str(split.leftover),
        },
    )
    said = f"refund {refund.refund_id} of {format_money(refund.amount)} made at the provider"
    check = ""
    if not split.leftover.is_zero:
        check = (
            f"{format_money(split.leftover)} of it is more than these services can give back: "
            "not recorded. Check the payment at the provider."
        )
    elif not split.exact:
        check = "The split over the services was assumed: check which services it was for."
    _tell_staff(
        session,
        booking.id,
        refund,
        kind="made",
        headline="a refund was made at the payment provider",
        what_happened="was made at the payment provider, not from the Refund dialog, and is "
        + ("recorded against:" if split.parts else "recorded against no service:"),
        parts=list(split.parts),
        check=check,
    )
    if not split.parts:
        return f"{said}: nothing left to refund on this payment (flagged for staff)"
    if not split.leftover.is_zero:
        return f"{said}: {format_money(split.leftover)} more than the services paid (flagged)"
    if not split.exact:
        return f"{said}: recorded over {len(split.parts)} services (check the split)"
    return f"{said}: recorded"
