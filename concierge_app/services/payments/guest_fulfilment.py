"""A guest's checkout (a payment attempt of Pay / Pay All) in the one checkout lifecycle
(`lifecycle`): its rows, and what its success does — every Active invoice of the attempt Paid,
the commissions earned, the guest told. Paid, failed, expired, waiting: each event applied once.

This is the webhook's hot path: prebuilt Core statements, a fixed number of them whatever the
number of invoices (a Pay All of 10 invoices costs what a Pay of one does).
"""

from __future__ import annotations

import enum
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Table,
    bindparam,
    literal,
    literal_column,
    null,
    true,
    update,
)
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from concierge_app.db.bookings import ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.parties import Partner
from concierge_app.db.payments import Commission, PaymentAttempt, PaymentAttemptInvoice
from concierge_app.db.sql.commission_rates import SERVICE_RATE_DAY, rate_on
from concierge_app.db.sql.month_end.statements import half_up
from concierge_app.db.types import utcnow
from concierge_app.domain.checkout import CheckoutStatus, Step
from concierge_app.domain.errors import NotFound
from concierge_app.domain.formatting import format_money
from concierge_app.domain.lifecycle import InvoiceStatus, ServiceLifecycle
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import CommissionKind
from concierge_app.services.guest.links import PAYMENTS_CARD, new_portal_link
from concierge_app.services.guest.receipts import RECEIPT_ATTACHMENT, issue_receipt
from concierge_app.services.payments import lifecycle
from concierge_app.services.payments.event_log import DUPLICATE_EVENT, Delivery
from concierge_app.services.payments.lifecycle import Locked, Paid
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import BOOKINGS, locked_rows, table_of
from concierge_app.services.shared.messages import (
    RECIPIENT_COLUMNS,
    booking_recipient,
    queue_message,
    recipient_joins,
    render_with_fallback,
    saved_templates,
    saved_templates_column,
)

PAYMENT_RECEIVED = "payment_received"


class EventOutcome(enum.StrEnum):
    FULFILLED = "fulfilled"
    DUPLICATE_EVENT = DUPLICATE_EVENT
    ALREADY_FULFILLED = "attempt already fulfilled (ignored)"
    AMOUNT_MISMATCH = "amount or currency differs from the attempt (not applied)"
    MARKED_FAILED = "marked failed"
    MARKED_EXPIRED = "marked expired"
    ALREADY_FINAL = "attempt already final (ignored)"
    AWAITING_PAYMENT = "checkout completed, payment still processing"


_ATTEMPTS, _LINKS = table_of(PaymentAttempt), table_of(PaymentAttemptInvoice)
_INVOICES, _LINES, _SERVICES = table_of(GuestInvoice), table_of(InvoiceLine), table_of(ServiceItem)
_PARTNERS, _COMMISSIONS = table_of(Partner), table_of(Commission)

_PAY_INVOICES = (
    update(_INVOICES)
    .where(
        _INVOICES.c.id.in_(
            core_select(_LINKS.c.invoice_id).where(_LINKS.c.attempt_id == bindparam("attempt_id"))
        ),
        _INVOICES.c.status == InvoiceStatus.ACTIVE.value,
    )
    .values(
        status=InvoiceStatus.PAID.value,
        paid_at=bindparam("at"),
        paid_by_attempt_id=bindparam("attempt_id"),
    )
    .returning(
        _INVOICES.c.id,
        _INVOICES.c.number,
        _INVOICES.c.total_minor,
        # written out: SQLite writes RETURNING's columns without their table, subqueries too
        literal_column(
            "(SELECT count(*) FROM invoice_line AS l JOIN service_item AS s "
            "ON s.id = l.service_item_id WHERE l.invoice_id = guest_invoice.id "
            f"AND l.amount_minor > 0 AND s.lifecycle = '{ServiceLifecycle.CANCELLED.value}')",
            Integer(),
        ).label("cancelled_lines"),
    )
)
_PAID_LINE = _LINES.c.invoice_id.in_(bindparam("ids", expanding=True))
# The platform's commission on every line of the invoices just paid, earned in one INSERT …
# SELECT: base × the rate in force when the service was confirmed (what the month-end run bills
# it at), half-up in integer arithmetic (`half_up`: the month-end's own rule; amounts >= 0).
_EARNED_COLUMNS = (
    "partner_id",
    "booking_id",
    "service_item_id",
    "attempt_id",
    "refund_id",
    "kind",
    "base_minor",
    "rate_bps",
    "amount_minor",
    "currency",
    "accrual_date",
    "created_at",
)
_PAID_LINES = (
    core_select(
        _LINES.c.id,
        _LINES.c.amount_minor,
        _LINES.c.currency,
        _SERVICES.c.id.label("service_id"),
        _SERVICES.c.service_date,
        _PARTNERS.c.id.label("partner_id"),
        rate_on(_SERVICES.c.operator_id, SERVICE_RATE_DAY).label("rate_bps"),
    )
    .select_from(
        _LINES.join(_SERVICES, _SERVICES.c.id == _LINES.c.service_item_id).join(
            _PARTNERS, _PARTNERS.c.id == _SERVICES.c.operator_id
        )
    )
    .where(_PAID_LINE)
    .subquery("paid_line")
)
_EARNED = core_select(
    _PAID_LINES.c.partner_id,
    bindparam("booking_id", type_=Integer()),
    _PAID_LINES.c.service_id,
    bindparam("attempt_id", type_=String()),
    null(),
    literal(CommissionKind.EARNED.value, String()),
    _PAID_LINES.c.amount_minor,
    _PAID_LINES.c.rate_bps,
    half_up(_PAID_LINES.c.amount_minor, _PAID_LINES.c.rate_bps),
    _PAID_LINES.c.currency,
    _PAID_LINES.c.service_date,
    bindparam("at", type_=_COMMISSIONS.c.created_at.type),
).where(true())  # SQLite: an upsert's SELECT has a WHERE (else ON reads as a join's)
_EARNED = _EARNED.order_by(_PAID_LINES.c.id)
_EARN_ALL = {
    "sqlite": sqlite.insert(_COMMISSIONS)
    .from_select(_EARNED_COLUMNS, _EARNED)
    .on_conflict_do_nothing(),
    "postgresql": postgresql.insert(_COMMISSIONS)
    .from_select(_EARNED_COLUMNS, _EARNED)
    .on_conflict_do_nothing(),
}
# A service paid after it was cancelled: the guest is owed that money back (rare: one UPDATE
# only when the paid invoices say they hold such a line).
_FLAG_REFUND = (
    update(_SERVICES)
    .where(
        _SERVICES.c.id.in_(
            core_select(_LINES.c.service_item_id).where(_PAID_LINE, _LINES.c.amount_minor > 0)
        ),
        _SERVICES.c.lifecycle == ServiceLifecycle.CANCELLED.value,
    )
    .values(refund_required=true())
)
_FINISH = (
    update(_ATTEMPTS)
    .where(_ATTEMPTS.c.id == bindparam("attempt_id"))
    .values(
        status=bindparam("status"),
        completed_at=bindparam("at"),
        unapplied_minor=bindparam("unapplied"),
        failure_reason=bindparam("reason"),
        provider_payment_id=bindparam("payment_id"),
        provider_reference=bindparam("checkout_ref"),
    )
)
_ATTEMPT_BOOKING_GUEST = (
    core_select(
        _ATTEMPTS,
        *(c.label(f"booking__{c.name}") for c in BOOKINGS.c),
        *RECIPIENT_COLUMNS,
        saved_templates_column(PAYMENT_RECEIVED).label("saved_templates"),
    )
    .select_from(recipient_joins(_ATTEMPTS.join(BOOKINGS, BOOKINGS.c.id == _ATTEMPTS.c.booking_id)))
    .where(_ATTEMPTS.c.id == bindparam("key"))
)


class GuestAttempts:
    """The guest's checkouts (payment attempts): locked after their booking, as every writer
    of a booking does; their provider events point at them."""

    table: Table = _ATTEMPTS
    words = {step: EventOutcome[step.name] for step in Step}
    actions = {
        Step.AMOUNT_MISMATCH: "payment.mismatch",
        Step.MARKED_FAILED: "payment.failed",
        Step.MARKED_EXPIRED: "payment.expired",
        Step.AWAITING_PAYMENT: "payment.processing",
    }

    def lock(self, session: Session, checkout_id: str) -> Locked:
        conn = session.connection()
        if conn.dialect.name == "sqlite":  # one writer: one joined read, the guest's too
            found = conn.execute(_ATTEMPT_BOOKING_GUEST, {"key": checkout_id}).first()
            if found is None:
                raise NotFound(f"Payment {checkout_id} was not found.")
            values = found._asdict()
            saved = saved_templates(values.pop("saved_templates"))
            booking = {k[9:]: values.pop(k) for k in list(values) if k.startswith("booking__")}
            guest = {k: values.pop(k) for k in list(values) if k.startswith("recipient__")}
            attempt = SimpleNamespace(**values)
            owner = SimpleNamespace(**booking, recipient=guest, saved_templates=saved)
        else:
            owner, attempt = locked_rows(session, PaymentAttempt, checkout_id, "Payment")
        amount = Money(attempt.amount_minor, attempt.currency)
        return Locked(checkout_id, CheckoutStatus(attempt.status), amount, attempt, owner)

    events_point_at_it = True

    def audit(
        self, session: Session, locked: Locked, actor: str, action: str, data: dict[str, Any]
    ) -> None:
        subject = f"attempt:{locked.id}"
        record_event(
            session,
            actor=actor,
            action=action,
            subject=subject,
            booking_id=locked.owner.id,
            data=data,
        )

    def fulfil(self, session: Session, locked: Locked, delivery: Delivery, paid: Paid) -> None:
        attempt = locked.row
        attempt.provider_payment_id = paid.payment_reference or attempt.provider_payment_id
        attempt.provider_reference = attempt.provider_reference or paid.checkout_reference
        _apply_success(session, locked.owner, attempt, delivery)


GUEST = GuestAttempts()


def fulfil_payment_attempt(*, attempt_id: str, **event: Any) -> EventOutcome:
    """Apply a provider's success event exactly once: invoices Paid, commissions, message.
    `event`: db, provider, event_id, event_type, amount, and optionally `payment_reference`
    (the captured payment at the provider, which refunds use) and `checkout_reference` (the
    checkout's id, kept when the attempt did not record it yet): see `lifecycle.succeed_event`.
    """
    return EventOutcome(lifecycle.succeed_event(GUEST, checkout_id=attempt_id, **event))


def _apply_success(
    session: Session,
    booking: SimpleNamespace,
    attempt: SimpleNamespace,
    delivery: Delivery,
) -> None:
    conn = session.connection()
    now = utcnow()
    # Every Active invoice of the attempt turns Paid; what covered invoices no longer payable
    # (voided meanwhile) is unapplied: money to give back.
    paid = sorted(conn.execute(_PAY_INVOICES, {"at": now, "attempt_id": attempt.id}).all())
    unapplied = attempt.amount_minor - sum(i.total_minor for i in paid)
    if paid:
        _record_commissions(session, booking.id, attempt.id, paid, now)
    conn.execute(
        _FINISH,
        {
            "attempt_id": attempt.id,
            "status": CheckoutStatus.SUCCEEDED.value,
            "at": now,
            "unapplied": unapplied,
            "reason": (
                "Part of this payment covers invoices voided meanwhile: refund it."
                if unapplied
                else attempt.failure_reason
            ),
            "payment_id": attempt.provider_payment_id,
            "checkout_ref": attempt.provider_reference,
        },
    )
    amount = Money(attempt.amount_minor, attempt.currency)
    actor = delivery.actor
    link = new_portal_link(booking_id=booking.id, reference=booking.reference)
    guest = booking_recipient(
        session,
        booking,
        portal_url=f"{link}#{PAYMENTS_CARD}",
        read=getattr(booking, "recipient", None),
        template=PAYMENT_RECEIVED,
    )
    context = guest.context | {
        "amount_paid": format_money(amount, guest.locale),
        "invoice_numbers": ", ".join(i.number or "" for i in paid),
    }
    # Rendered before the receipt's number is reserved: the receipt series and the audit head
    # are rows every payment locks, held from here to the commit; the rendering is not.
    saved = getattr(booking, "saved_templates", None)  # read with the checkout (SQLite)
    rendered = render_with_fallback(
        session,
        PAYMENT_RECEIVED,
        context,
        language=guest.locale,
        saved=saved if saved is not None else guest.saved,
    )
    receipt = issue_receipt(
        session,
        booking_id=booking.id,
        attempt_id=attempt.id,
        amount=Money(sum(i.total_minor for i in paid), attempt.currency),
        provider=attempt.provider,
        paid_at=now,
    )
    queue_message(
        session,
        dedupe_key=f"payment_received:{attempt.id}",
        template_key=PAYMENT_RECEIVED,
        recipient=guest.email,
        booking_id=booking.id,
        context=context,
        attachment=None if receipt is None else f"{RECEIPT_ATTACHMENT}:{receipt}",
        language=guest.locale,
        rendered=rendered,
    )
    record_event(
        session,
        actor=actor,
        action="payment.succeeded",
        subject=f"attempt:{attempt.id}",
        booking_id=booking.id,
        data={
            "amount": str(amount),
            "event": delivery.event_id,
            "paid_invoices": [i.number for i in paid],
            "receipt": receipt,
            "unapplied": str(Money(unapplied, attempt.currency)),
        },
    )


def _record_commissions(
    session: Session, booking_id: int, attempt_id: str, paid: list[Any], now: Any
) -> None:
    """The platform was paid for these invoices' services: its commission on each line is
    earned (one INSERT … SELECT). A service paid after it was cancelled is flagged: the guest
    is owed that money back."""
    conn = session.connection()
    ids = [i.id for i in paid]
    conn.execute(
        _EARN_ALL[conn.dialect.name],
        {"ids": ids, "booking_id": booking_id, "attempt_id": attempt_id, "at": now},
    )
    if any(i.cancelled_lines for i in paid):
        conn.execute(_FLAG_REFUND, {"ids": ids})


def close_payment_attempt(*, attempt_id: str, **event: Any) -> EventOutcome:
    """The checkout failed or expired (`status`, `reason`): the attempt closes, nothing else
    changes. `event`: see `lifecycle.close_event`."""
    return EventOutcome(lifecycle.close_event(GUEST, checkout_id=attempt_id, **event))


def note_awaiting_payment(
    *, db: Database, attempt_id: str, provider: str, event_id: str, event_type: str
) -> EventOutcome:
    """The guest finished the checkout with a delayed payment method: wait for its outcome."""
    delivery = Delivery(provider, event_id, event_type)
    return EventOutcome(
        lifecycle.note_processing(db=db, payer=GUEST, checkout_id=attempt_id, delivery=delivery)
    )
