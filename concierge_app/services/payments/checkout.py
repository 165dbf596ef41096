"""Checkouts: start a payment attempt for Active invoices, fulfil it once, fail or expire it."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import col, select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.payments import PaymentAttempt, PaymentAttemptInvoice
from concierge_app.domain.charge_limits import max_charge
from concierge_app.domain.errors import CurrencyMismatch, DomainError, InvalidAmount, NotFound
from concierge_app.domain.i18n import N_
from concierge_app.domain.lifecycle import InvoiceStatus, check_payable
from concierge_app.domain.money import Money

# Applying the provider's events (the webhook's hot path) lives in `guest_fulfilment`; its
# entry points are re-exported here, where checkouts are started.
from concierge_app.services.payments.guest_fulfilment import EventOutcome as EventOutcome
from concierge_app.services.payments.guest_fulfilment import (
    close_payment_attempt as close_payment_attempt,
)
from concierge_app.services.payments.guest_fulfilment import (
    fulfil_payment_attempt as fulfil_payment_attempt,
)
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import id_of, load


@dataclass(frozen=True, slots=True)
class AttemptView:
    id: str
    booking_id: int
    amount: Money
    invoice_ids: tuple[int, ...]
    status: str


def start_payment_attempt(
    *,
    db: Database,
    invoice_ids: Iterable[int],
    actor: str,
    provider: str = "sandbox",
    booking_id: int | None = None,
) -> AttemptView:
    """One checkout for Active invoices of one booking, in one currency.

    With `booking_id` (the guest's booking), invoices of any other booking are not found.
    """
    ids = sorted(set(invoice_ids))
    if not ids:
        raise DomainError(N_("Choose at least one invoice to pay."))
    with db.transaction() as session:
        peek = session.exec(select(GuestInvoice).where(col(GuestInvoice.id).in_(ids))).all()
        missing = set(ids) - {
            i.id for i in peek if booking_id is None or i.booking_id == booking_id
        }
        if missing:
            raise NotFound(f"Invoice {min(missing)} was not found.")
        if len({i.booking_id for i in peek}) != 1:
            raise DomainError(N_("One payment can only cover invoices of one booking."))
        booking = load(session, Booking, peek[0].booking_id, "Booking", lock=True)
        invoices = session.exec(
            select(GuestInvoice)
            .where(col(GuestInvoice.id).in_(ids))
            .order_by(col(GuestInvoice.id))
            .with_for_update()
        ).all()
        for invoice in invoices:
            check_payable(InvoiceStatus(invoice.status), invoice.number)
        currencies = sorted({i.currency for i in invoices})
        if len(currencies) > 1:
            raise CurrencyMismatch(
                f"These invoices are in {' and '.join(currencies)}; pay each currency in its "
                "own checkout."
            )
        amount = Money(sum(i.total_minor for i in invoices), currencies[0])
        if amount.minor <= 0:
            raise DomainError(N_("There is nothing to pay on these invoices."))
        if amount > max_charge(amount.currency):
            raise InvalidAmount(
                f"Together these invoices come to {amount}, more than one payment can take "
                f"(at most {max_charge(amount.currency)}): pay them in several payments."
            )
        attempt = PaymentAttempt(
            id=f"pa_{secrets.token_hex(12)}",
            booking_id=id_of(booking),
            currency=amount.currency,
            amount_minor=amount.minor,
            provider=provider,
            created_by=actor,
        )
        session.add(attempt)
        session.flush()
        for invoice in invoices:
            session.add(
                PaymentAttemptInvoice(
                    attempt_id=attempt.id,
                    invoice_id=id_of(invoice),
                    amount_minor=invoice.total_minor,
                )
            )
        record_event(
            session,
            actor=actor,
            action="payment.started",
            subject=f"attempt:{attempt.id}",
            booking_id=booking.id,
            data={
                "amount": str(amount),
                "invoices": [i.number for i in invoices],
                "provider": provider,
            },
        )
        return AttemptView(attempt.id, id_of(booking), amount, tuple(ids), attempt.status)


def attach_provider_reference(
    *, db: Database, attempt_id: str, provider_reference: str, checkout_url: str | None = None
) -> None:
    """Remember the provider's id for the checkout (e.g. a Stripe Checkout Session id)."""
    with db.transaction() as session:
        attempt = load(session, PaymentAttempt, attempt_id, "Payment", lock=True)
        if attempt.provider_reference not in (None, provider_reference):
            raise DomainError("This payment already has another provider reference.")
        attempt.provider_reference = provider_reference
        attempt.checkout_url = checkout_url or attempt.checkout_url
        session.add(attempt)
