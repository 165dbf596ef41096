"""Pay and Pay All from the guest portal: a payment attempt, then the provider's checkout.

The attempt is recorded first (our id goes to the provider as metadata and
client_reference_id), the provider's checkout is opened outside any transaction, and an older
open checkout for the same invoices is closed so a guest cannot pay twice by accident.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlmodel import col, select

from concierge_app.adapters.payments.gateway import (
    CheckoutLine,
    CheckoutRequest,
    GatewayError,
    PaymentGateway,
)
from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.parties import Guest
from concierge_app.db.payments import PaymentAttempt, PaymentAttemptInvoice
from concierge_app.db.types import utcnow
from concierge_app.domain.checkout import REUSE_FOR, CheckoutStatus
from concierge_app.domain.errors import DomainError
from concierge_app.domain.i18n import CHECKOUT_LOCALES, N_, gettext, language_of
from concierge_app.domain.lifecycle import BookingStatus
from concierge_app.domain.money import Money
from concierge_app.services.guest.links import return_urls
from concierge_app.services.payments.checkout import (
    attach_provider_reference,
    start_payment_attempt,
)
from concierge_app.services.payments.provider import get_gateway
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import load

CANCELLED_BOOKING = N_(
    "This booking was cancelled, so its invoices cannot be paid here: your concierge will "
    "settle them with you."
)


@dataclass(frozen=True, slots=True)
class CheckoutStart:
    attempt_id: str
    url: str  # where to send the guest


def begin_checkout(
    *,
    db: Database,
    booking_id: int,
    invoice_ids: list[int],
    gateway: PaymentGateway | None = None,
) -> CheckoutStart:
    """Send the guest to pay these Active invoices of their booking (one currency)."""
    ids = sorted(set(invoice_ids))
    with db.read() as session:
        booking = load(session, Booking, booking_id, "Booking")
        reference = booking.reference
    if booking.status == BookingStatus.CANCELLED:
        raise DomainError(CANCELLED_BOOKING)
    reusable = _open_checkout(db, booking_id, ids)
    if reusable is not None:
        return reusable
    gateway = gateway or get_gateway(db)
    attempt = start_payment_attempt(
        db=db,
        invoice_ids=ids,
        actor=f"guest:{reference}",
        provider=gateway.name,
        booking_id=booking_id,
    )
    request = _request(db, attempt.id, reference)
    try:
        checkout = gateway.create_checkout(request)
    except GatewayError as refused:
        abandon_attempt(db=db, attempt_id=attempt.id, reason=str(refused))
        raise DomainError(f"The payment could not be started: {refused}") from None
    attach_provider_reference(
        db=db,
        attempt_id=attempt.id,
        provider_reference=checkout.reference,
        checkout_url=checkout.url,
    )
    for old in _superseded(db, booking_id, ids, attempt.id):
        # If this fails it expires by itself at the provider; a late payment is unapplied.
        with contextlib.suppress(GatewayError):
            gateway.expire_checkout(old)
    return CheckoutStart(attempt.id, checkout.url)


def _open_checkout(db: Database, booking_id: int, ids: list[int]) -> CheckoutStart | None:
    """An open checkout for exactly these invoices, recent enough to still be payable."""
    with db.read() as session:
        rows = session.exec(
            select(PaymentAttempt.id, PaymentAttempt.checkout_url, PaymentAttemptInvoice.invoice_id)
            .join(PaymentAttemptInvoice, col(PaymentAttemptInvoice.attempt_id) == PaymentAttempt.id)
            .where(
                PaymentAttempt.booking_id == booking_id,
                PaymentAttempt.status == CheckoutStatus.OPEN,
                col(PaymentAttempt.checkout_url).is_not(None),
                PaymentAttempt.created_at > utcnow() - REUSE_FOR,
            )
        ).all()
    covered: dict[tuple[str, str], list[int]] = {}
    for attempt_id, url, invoice_id in rows:
        covered.setdefault((attempt_id, url or ""), []).append(invoice_id)
    for (attempt_id, url), invoices in covered.items():
        if sorted(invoices) == ids:
            return CheckoutStart(attempt_id, url)
    return None


def _superseded(db: Database, booking_id: int, ids: list[int], keep: str) -> list[str]:
    """Provider references of other open checkouts covering any of these invoices."""
    with db.read() as session:
        return sorted(
            {
                ref
                for ref in session.exec(
                    select(PaymentAttempt.provider_reference)
                    .join(
                        PaymentAttemptInvoice,
                        col(PaymentAttemptInvoice.attempt_id) == PaymentAttempt.id,
                    )
                    .where(
                        PaymentAttempt.booking_id == booking_id,
                        PaymentAttempt.status == CheckoutStatus.OPEN,
                        PaymentAttempt.id != keep,
                        col(PaymentAttemptInvoice.invoice_id).in_(ids),
                    )
                ).all()
                if ref
            }
        )


def _request(db: Database, attempt_id: str, reference: str) -> CheckoutRequest:
    """The provider's checkout lines: one per invoice, its services as the description."""
    with db.read() as session:
        invoices = session.exec(
            select(GuestInvoice)
            .join(PaymentAttemptInvoice, col(PaymentAttemptInvoice.invoice_id) == GuestInvoice.id)
            .where(PaymentAttemptInvoice.attempt_id == attempt_id)
            .order_by(col(GuestInvoice.id))
        ).all()
        descriptions: dict[int, list[str]] = {}
        for line in session.exec(
            select(InvoiceLine)
            .where(col(InvoiceLine.invoice_id).in_([i.id for i in invoices]))
            .order_by(col(InvoiceLine.id))
        ).all():
            descriptions.setdefault(line.invoice_id, []).append(line.description)
        email, locale = session.exec(
            select(Guest.email, Guest.locale)
            .join(Booking, col(Booking.guest_id) == Guest.id)
            .where(Booking.reference == reference)
        ).one()
    success_url, cancel_url = return_urls(reference, attempt_id)
    return CheckoutRequest(
        attempt_id=attempt_id,
        booking_reference=reference,
        lines=tuple(
            CheckoutLine(
                name=gettext(
                    locale, "Invoice {number} · {booking}", number=i.number, booking=reference
                ),
                description=" · ".join(descriptions.get(i.id or 0, []))[:500],
                amount=Money(i.total_minor, i.currency),
            )
            for i in invoices
        ),
        customer_email=email,
        success_url=success_url,
        cancel_url=cancel_url,
        locale=CHECKOUT_LOCALES[language_of(locale)],
    )


def abandon_attempt(*, db: Database, attempt_id: str, reason: str) -> None:
    """The provider would not open the checkout: the attempt closes as failed."""
    with db.transaction() as session:
        attempt = load(session, PaymentAttempt, attempt_id, "Payment", lock=True)
        if attempt.status != CheckoutStatus.OPEN:
            return
        attempt.status, attempt.completed_at = CheckoutStatus.FAILED.value, utcnow()
        attempt.failure_reason = reason[:500]
        session.add(attempt)
        record_event(
            session,
            actor="provider",
            action="payment.failed",
            subject=f"attempt:{attempt_id}",
            booking_id=attempt.booking_id,
            data={"reason": reason},
        )


def attempt_outcome(*, db: Database, booking_id: int, attempt_id: str) -> str:
    """The status of the booking's payment attempt ("" when it is not this booking's)."""
    with db.read() as session:
        attempt = session.get(PaymentAttempt, attempt_id[:40])
    if attempt is None or attempt.booking_id != booking_id:
        return ""
    return attempt.status
