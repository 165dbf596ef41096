"""Partners pay commission documents online (by card) through the payment gateway, once.

Starting: the documents are checked and locked, the checkout is recorded first (its id goes to
the provider as client_reference_id), the provider's checkout is opened outside any
transaction, an open checkout for exactly the same documents and amounts is reused, and older
open ones covering any of them are expired.

Fulfilment happens only on the provider's signed events (never on the success redirect), in one
transaction: the event stored once, the checkout marked paid, one `PartnerPayment` (method
online), its allocations — the checkout's documents first, then the payer's other open
documents oldest due first, what is left kept as credit — and an audit event. Online money
never lands on a written-off or legal document: those are paid by bank transfer only.
"""

from __future__ import annotations

import contextlib
import enum
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from concierge_app.adapters.payments.gateway import (
    CheckoutLine,
    CheckoutRequest,
    GatewayError,
    PaymentGateway,
)
from concierge_app.adapters.payments.stripe_events import PAID_STATUSES, StripeEvent
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, PartnerGroup
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import (
    PartnerCheckout,
    PartnerCheckoutInvoice,
    PartnerPayment,
)
from concierge_app.db.payments import ProviderEvent
from concierge_app.db.types import utcnow
from concierge_app.domain.documents import KIND_TITLES
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.money import Money, total
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period
from concierge_app.domain.partner_checkout import (
    OnlineCandidate,
    PayingWay,
    check_online_payable,
    method_refusal,
    online_refusal,
)
from concierge_app.domain.partner_payments import BLACK_STATES, PAYABLE_KINDS
from concierge_app.domain.statuses import (
    PartnerCheckoutStatus,
    PartnerPaymentMethod,
    PartnerPaymentStatus,
)
from concierge_app.services.partner.money.payments import (
    apply_group_payment,
    apply_payment,
    open_items,
    paid_by,
)
from concierge_app.services.partner.views.documents import (
    NOT_FOUND,
    failed_debits,
    paying_way,
    summary_of,
)
from concierge_app.services.payments.fulfilment import set_event_outcome, store_event
from concierge_app.services.payments.guest_checkout import REUSE_FOR
from concierge_app.services.payments.provider import get_gateway
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of
from concierge_app.services.shared.common import today as business_day
from concierge_app.settings import get_settings

PREFIX = "pc_"  # partner checkout ids; the webhook routes events by it

_INV, _P, _G = table_of(PartnerInvoice), table_of(Partner), table_of(PartnerGroup)
_CO, _COI = table_of(PartnerCheckout), table_of(PartnerCheckoutInvoice)
_PAY, _EVENTS = table_of(PartnerPayment), table_of(ProviderEvent)


class CheckoutOutcome(enum.StrEnum):
    PAID = "partner checkout paid"
    DUPLICATE_EVENT = "duplicate event (ignored)"
    ALREADY_PAID = "partner checkout already paid (ignored)"
    AMOUNT_MISMATCH = "amount or currency differs from the partner checkout (not applied)"
    MARKED_FAILED = "partner checkout marked failed"
    MARKED_EXPIRED = "partner checkout marked expired"
    ALREADY_FINAL = "partner checkout already final (ignored)"
    AWAITING_PAYMENT = "partner checkout completed, payment still processing"


@dataclass(frozen=True, slots=True)
class PartnerCheckoutStart:
    checkout_id: str
    url: str  # where to send the partner


@dataclass(frozen=True, slots=True)
class _Payer:
    partner_id: int | None
    group_id: int | None

    @property
    def actor(self) -> str:
        return f"partner:{self.partner_id}" if self.partner_id else f"group:{self.group_id}"


def _payer(partner_id: int | None, group_id: int | None) -> _Payer:
    if (partner_id is None) == (group_id is None):
        raise ValueError("Give exactly one of partner_id and group_id.")
    return _Payer(partner_id, group_id)


@dataclass(frozen=True, slots=True)
class _Opened:
    """A checkout recorded (or an open one to reuse), with what the provider's page shows."""

    checkout_id: str
    reused_url: str | None
    code: str  # the property ID or group code
    email: str
    lines: tuple[CheckoutLine, ...]


# -- starting --------------------------------------------------------------------------------
def begin_partner_checkout(
    *,
    db: Database,
    invoice_ids: list[int],
    actor: str,
    return_path: str,
    partner_id: int | None = None,
    group_id: int | None = None,
    gateway: PaymentGateway | None = None,
    today: date | None = None,
) -> PartnerCheckoutStart:
    """Send the payer to pay these open documents (one currency) by card.

    `return_path` (e.g. "/partner/invoices") is where the provider sends the partner back, with
    `?checkout={id}` or `?checkout=cancelled`. Refusals write nothing.
    """
    payer = _payer(partner_id, group_id)
    if not return_path.startswith("/") or return_path.startswith("//"):
        raise ValueError("return_path must be a path on this site")
    ids = sorted(set(invoice_ids))
    day = today or business_day()
    gateway = gateway or get_gateway(db)
    with db.transaction() as session:
        opened = _open(session, payer, ids, day, actor, gateway.name)
    if opened.reused_url is not None:
        return PartnerCheckoutStart(opened.checkout_id, opened.reused_url)
    base = get_settings().public_base_url.rstrip("/") + return_path
    request = CheckoutRequest(
        attempt_id=opened.checkout_id,
        booking_reference=opened.code,
        lines=opened.lines,
        customer_email=opened.email,
        success_url=f"{base}?checkout={opened.checkout_id}",
        cancel_url=f"{base}?checkout=cancelled",
    )
    try:
        checkout = gateway.create_checkout(request)
    except GatewayError as refused:
        _abandon(db, opened.checkout_id, str(refused))
        raise DomainError(f"The payment could not be started: {refused}") from None
    _attach(db, opened.checkout_id, checkout.reference, checkout.url)
    for old in _superseded(db, payer, ids, opened.checkout_id):
        # If this fails it expires by itself at the provider; a late payment is still applied.
        with contextlib.suppress(GatewayError):
            gateway.expire_checkout(old)
    return PartnerCheckoutStart(opened.checkout_id, checkout.url)


def _open(
    session: Session, payer: _Payer, ids: list[int], day: date, actor: str, provider: str
) -> _Opened:
    """Check and lock the documents; reuse an open checkout for exactly them, or record one."""
    conn = session.connection()
    rows = (
        conn.execute(
            select(
                _INV,
                _P.c.code.label("partner_code"),
                _P.c.group_id.label("partner_group_id"),
                _P.c.finance_email.label("partner_email"),
            )
            .join(_P, _P.c.id == _INV.c.partner_id)
            .where(_INV.c.id.in_(ids))
            .order_by(_INV.c.due_date, _INV.c.number)
            .with_for_update(of=_INV)
        ).all()
        if ids
        else []
    )
    mine = [
        r
        for r in rows
        if PartnerInvoiceKind(r.kind) in PAYABLE_KINDS
        and (
            r.partner_id == payer.partner_id
            if payer.partner_id is not None
            else r.partner_group_id == payer.group_id
        )
    ]
    if len(mine) != len(ids):  # unknown, another payer's, or not a payable document
        raise NotFound(NOT_FOUND)
    payments = paid_by(session, ids, day)
    summaries = {r.id: summary_of(r, day, payments) for r in mine}
    way = None  # a group pays as the group; a partner as its payment method allows
    if payer.partner_id is not None:
        _, failed = failed_debits(session, payer.partner_id, list(summaries.values()))
        way = paying_way(session, payer.partner_id, failed)
    charge = check_online_payable(
        online_candidate(summaries[r.id], r.partner_code, way) for r in mine
    )
    due = {int(r.id): summaries[r.id].outstanding.minor for r in mine}
    code, email = _payer_contact(session, payer, mine)
    lines = tuple(
        CheckoutLine(
            name=f"{KIND_TITLES[PartnerInvoiceKind(r.kind)]} {r.number}",
            description=f"{Period.parse(r.period).label} · {r.partner_code}",
            amount=summaries[r.id].outstanding,
        )
        for r in mine
    )
    reusable = _reusable(session, payer, due)
    if reusable is not None:
        return _Opened(reusable[0], reusable[1], code, email, lines)
    checkout_id = f"{PREFIX}{secrets.token_hex(12)}"
    conn.execute(
        _CO.insert().values(
            id=checkout_id,
            partner_id=payer.partner_id,
            group_id=payer.group_id,
            currency=charge.currency,
            amount_minor=charge.minor,
            status=PartnerCheckoutStatus.OPEN.value,
            provider=provider,
            created_by=actor,
            created_at=utcnow(),
        )
    )
    conn.execute(
        _COI.insert(),
        [{"checkout_id": checkout_id, "invoice_id": i, "amount_minor": m} for i, m in due.items()],
    )
    record_event(
        session,
        actor=actor,
        action="partner_checkout.started",
        subject=f"partner_checkout:{checkout_id}",
        data={
            "payer": code,
            "amount": str(charge),
            "invoices": [r.number for r in mine],
            "provider": provider,
        },
    )
    return _Opened(checkout_id, None, code, email, lines)


def _payer_contact(session: Session, payer: _Payer, rows: list[Any]) -> tuple[str, str]:
    """(property ID or group code, finance email) for the provider's page and receipt."""
    if payer.group_id is None:
        return rows[0].partner_code, rows[0].partner_email
    group = (
        session.connection()
        .execute(select(_G.c.code, _G.c.finance_email).where(_G.c.id == payer.group_id))
        .one()
    )
    return group.code, group.finance_email


def _payer_filter(payer: _Payer) -> Any:
    return (
        _CO.c.partner_id == payer.partner_id
        if payer.partner_id is not None
        else _CO.c.group_id == payer.group_id
    )


def _reusable(session: Session, payer: _Payer, due: dict[int, int]) -> tuple[str, str] | None:
    """An open checkout of this payer for exactly these documents and amounts, recent enough
    to still be payable: (id, url)."""
    rows = session.connection().execute(
        select(_CO.c.id, _CO.c.checkout_url, _COI.c.invoice_id, _COI.c.amount_minor)
        .join(_COI, _COI.c.checkout_id == _CO.c.id)
        .where(
            _payer_filter(payer),
            _CO.c.status == PartnerCheckoutStatus.OPEN.value,
            _CO.c.checkout_url.is_not(None),
            _CO.c.created_at > utcnow() - REUSE_FOR,
        )
    )
    covered: dict[tuple[str, str], dict[int, int]] = {}
    for r in rows:
        covered.setdefault((r.id, r.checkout_url), {})[int(r.invoice_id)] = int(r.amount_minor)
    for key, amounts in sorted(covered.items()):
        if amounts == due:
            return key
    return None


def _superseded(db: Database, payer: _Payer, ids: list[int], keep: str) -> list[str]:
    """Provider references of the payer's other open checkouts covering any of these ids."""
    with db.read() as session:
        refs = session.connection().execute(
            select(_CO.c.provider_reference)
            .join(_COI, _COI.c.checkout_id == _CO.c.id)
            .where(
                _payer_filter(payer),
                _CO.c.status == PartnerCheckoutStatus.OPEN.value,
                _CO.c.id != keep,
                _COI.c.invoice_id.in_(ids),
            )
        )
        return sorted({r for (r,) in refs if r})


def _attach(db: Database, checkout_id: str, reference: str, url: str) -> None:
    with db.transaction() as session:
        session.connection().execute(
            update(_CO)
            .where(_CO.c.id == checkout_id, _CO.c.provider_reference.is_(None))
            .values(provider_reference=reference, checkout_url=url)
        )


def _abandon(db: Database, checkout_id: str, reason: str) -> None:
    """The provider would not open the checkout: it closes as failed."""
    with db.transaction() as session:
        closed = session.connection().execute(
            update(_CO)
            .where(_CO.c.id == checkout_id, _CO.c.status == PartnerCheckoutStatus.OPEN.value)
            .values(
                status=PartnerCheckoutStatus.FAILED.value,
                completed_at=utcnow(),
                failure_reason=reason[:500],
            )
        )
        if closed.rowcount:
            record_event(
                session,
                actor="provider",
                action="partner_checkout.failed",
                subject=f"partner_checkout:{checkout_id}",
                data={"reason": reason},
            )


def checkout_outcome(
    *, db: Database, checkout_id: str, partner_id: int | None = None, group_id: int | None = None
) -> str:
    """The checkout's status (open / paid / expired / failed); "" when it is not this payer's."""
    payer = _payer(partner_id, group_id)
    with db.read() as session:
        row = (
            session.connection()
            .execute(
                select(_CO.c.status, _CO.c.partner_id, _CO.c.group_id).where(
                    _CO.c.id == checkout_id[:40]
                )
            )
            .first()
        )
    if row is None or (row.partner_id, row.group_id) != (payer.partner_id, payer.group_id):
        return ""
    return str(row.status)


# -- the provider's events -------------------------------------------------------------------
def is_partner_checkout_event(event: StripeEvent) -> bool:
    """A checkout event of a partner checkout (the webhook routes it here)."""
    return event.type.startswith("checkout.session.") and str(event.attempt_id or "").startswith(
        PREFIX
    )


def apply_checkout_event(*, db: Database, provider: str, event: StripeEvent) -> str:
    """Apply one verified checkout event of a partner checkout; returns the outcome text."""
    checkout_id = str(event.attempt_id)
    common: dict[str, Any] = {
        "db": db,
        "checkout_id": checkout_id,
        "provider": provider,
        "event_id": event.id,
        "event_type": event.type,
    }
    match event.type:
        case "checkout.session.completed" if event.payment_status not in PAID_STATUSES:
            return note_partner_awaiting(**common).value
        case "checkout.session.completed" | "checkout.session.async_payment_succeeded":
            if event.amount is None:
                return "event without an amount (ignored)"
            return fulfil_partner_checkout(
                **common,
                amount=event.amount,
                payment_reference=event.payment_intent,
                checkout_reference=event.object_id or None,
            ).value
        case "checkout.session.async_payment_failed":
            return close_partner_checkout(
                **common,
                status=PartnerCheckoutStatus.FAILED,
                reason="The payment failed at the bank.",
            ).value
        case "checkout.session.expired":
            return close_partner_checkout(
                **common,
                status=PartnerCheckoutStatus.EXPIRED,
                reason="The checkout expired before it was paid.",
            ).value
    return f"{event.type} is not handled (ignored)"


def _claim(
    session: Session, checkout_id: str, provider: str, event_id: str, event_type: str
) -> tuple[Any, int] | None:
    """Lock the checkout, then store the event id: (the checkout row, the event's row id), or
    None when this event was stored before (NotFound: no such checkout, nothing written)."""
    conn = session.connection()
    row = conn.execute(select(_CO).where(_CO.c.id == checkout_id).with_for_update()).first()
    if row is None:
        raise NotFound("Payment not found.")
    event_pk = store_event(session, provider=provider, event_id=event_id, event_type=event_type)
    return None if event_pk is None else (row, event_pk)


def fulfil_partner_checkout(
    *,
    db: Database,
    checkout_id: str,
    provider: str,
    event_id: str,
    event_type: str,
    amount: Money,
    payment_reference: str | None = None,
    checkout_reference: str | None = None,
    today: date | None = None,
) -> CheckoutOutcome:
    """The provider says the checkout is paid: apply it exactly once (see the module doc).

    An amount or currency other than the checkout's is not applied (recorded for staff), as in
    the guest flow. A success after an expiry or failure is applied: the money moved.
    """
    day = today or business_day()
    with db.transaction() as session:
        claimed = _claim(session, checkout_id, provider, event_id, event_type)
        if claimed is None:
            return CheckoutOutcome.DUPLICATE_EVENT
        checkout, event_pk = claimed
        expected = Money(int(checkout.amount_minor), checkout.currency)
        actor = f"provider:{provider}"
        if checkout.status == PartnerCheckoutStatus.PAID:
            outcome = CheckoutOutcome.ALREADY_PAID
        elif (amount.currency, amount.minor) != (expected.currency, expected.minor):
            outcome = CheckoutOutcome.AMOUNT_MISMATCH
            record_event(
                session,
                actor=actor,
                action="partner_payment.mismatch",
                subject=f"partner_checkout:{checkout_id}",
                data={"expected": str(expected), "received": str(amount), "event": event_id},
            )
        else:
            _apply_paid(session, checkout, day, actor, event_id, payment_reference)
            session.connection().execute(
                update(_CO)
                .where(_CO.c.id == checkout_id)
                .values(
                    status=PartnerCheckoutStatus.PAID.value,
                    completed_at=utcnow(),
                    provider_reference=checkout.provider_reference or checkout_reference,
                )
            )
            outcome = CheckoutOutcome.PAID
        set_event_outcome(session, event_pk, outcome.value)
        return outcome


def _apply_paid(
    session: Session,
    checkout: Any,
    day: date,
    actor: str,
    event_id: str,
    payment_reference: str | None,
) -> None:
    """One online payment, allocated (checkout's documents first), audited."""
    conn = session.connection()
    amount = Money(int(checkout.amount_minor), checkout.currency)
    first = tuple(
        int(i)
        for (i,) in conn.execute(
            select(_COI.c.invoice_id)
            .where(_COI.c.checkout_id == checkout.id)
            .order_by(_COI.c.invoice_id)
        )
    )
    payment_id = conn.execute(
        _PAY.insert()
        .values(
            method=PartnerPaymentMethod.ONLINE.value,
            external_id=checkout.id,
            partner_id=checkout.partner_id,
            group_id=checkout.group_id,
            currency=amount.currency,
            amount_minor=amount.minor,
            provider_reference=payment_reference,
            reference=f"Online payment {checkout.id}",
            received_on=day,
            reflected_on=day,
            status=PartnerPaymentStatus.APPLIED.value,
            created_by=actor,
            created_at=utcnow(),
        )
        .returning(_PAY.c.id)
    ).scalar_one()
    payer: dict[str, str] = {}
    if checkout.group_id is not None:  # online: written-off / legal documents are left alone
        allocated, left = apply_group_payment(
            session, payment_id=payment_id, effective=day, first=first
        )
        group = conn.execute(select(_G.c.code).where(_G.c.id == checkout.group_id)).one()
        payer["group"] = group.code
    else:
        items = open_items(
            session, amount.currency, partner_id=int(checkout.partner_id), include_black=False
        )
        allocated, left = apply_payment(session, payment_id, items, amount, day, first)
    record_event(
        session,
        actor=actor,
        action="partner_payment.received",
        subject=f"partner_payment:{payment_id}",
        data={
            "method": PartnerPaymentMethod.ONLINE.value,
            **payer,
            "checkout": checkout.id,
            "amount": str(amount),
            "event": event_id,
            "allocated": {n: str(m) for n, m in allocated},
            "credit_left": str(left),
        },
    )


def close_partner_checkout(
    *,
    db: Database,
    checkout_id: str,
    provider: str,
    event_id: str,
    event_type: str,
    status: PartnerCheckoutStatus,
    reason: str = "",
) -> CheckoutOutcome:
    """The checkout expired or failed: it closes, nothing else changes (a paid one stays paid)."""
    if status not in (PartnerCheckoutStatus.FAILED, PartnerCheckoutStatus.EXPIRED):
        raise ValueError("close_partner_checkout takes FAILED or EXPIRED")
    with db.transaction() as session:
        claimed = _claim(session, checkout_id, provider, event_id, event_type)
        if claimed is None:
            return CheckoutOutcome.DUPLICATE_EVENT
        checkout, event_pk = claimed
        if checkout.status != PartnerCheckoutStatus.OPEN:
            outcome = CheckoutOutcome.ALREADY_FINAL
        else:
            session.connection().execute(
                update(_CO)
                .where(_CO.c.id == checkout_id)
                .values(status=status.value, completed_at=utcnow(), failure_reason=reason[:500])
            )
            outcome = (
                CheckoutOutcome.MARKED_FAILED
                if status is PartnerCheckoutStatus.FAILED
                else CheckoutOutcome.MARKED_EXPIRED
            )
            record_event(
                session,
                actor=f"provider:{provider}",
                action=f"partner_checkout.{status.value}",
                subject=f"partner_checkout:{checkout_id}",
                data={"event": event_id, "reason": reason},
            )
        set_event_outcome(session, event_pk, outcome.value)
        return outcome


def note_partner_awaiting(
    *, db: Database, checkout_id: str, provider: str, event_id: str, event_type: str
) -> CheckoutOutcome:
    """The checkout was completed with a delayed payment method: wait for its outcome."""
    with db.transaction() as session:
        claimed = _claim(session, checkout_id, provider, event_id, event_type)
        if claimed is None:
            return CheckoutOutcome.DUPLICATE_EVENT
        record_event(
            session,
            actor=f"provider:{provider}",
            action="partner_checkout.processing",
            subject=f"partner_checkout:{checkout_id}",
            data={"event": event_id},
        )
        set_event_outcome(session, claimed[1], CheckoutOutcome.AWAITING_PAYMENT.value)
        return CheckoutOutcome.AWAITING_PAYMENT


# -- the Invoices page -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PayAllOnline:
    """One "Pay all online" button: every document payable online in one currency."""

    currency: str
    total: Money
    invoice_ids: tuple[int, ...]


def online_candidate(
    summary: Any, partner_code: str, way: PayingWay | None = None
) -> OnlineCandidate:
    """The rule's view of an Invoices row (a `partner_documents.InvoiceSummary`); `way`: how
    the partner pays (None: a group pays)."""
    return OnlineCandidate(
        number=summary.number,
        state=summary.state,
        outstanding=summary.outstanding,
        reference=f"{partner_code} {summary.number}",
        processing=summary.processing,
        invoice_id=summary.id,
        way=way,
    )


@dataclass(frozen=True, slots=True)
class OnlinePayability:
    """For an Invoices row: whether "Pay online" is offered, and if not, why (for people)."""

    offered: bool
    transfer_only: str = ""  # a written-off or legal document: by bank transfer only, quoting …
    other_way: str = ""  # the partner's payment method pays it: by transfer, by direct debit


def online_payability(
    summary: Any, partner_code: str, way: PayingWay | None = None
) -> OnlinePayability:
    """Whether an Invoices row can be paid online, and why not: written off or with legal
    (bank transfer only), or the partner's payment method pays it another way."""
    if summary.kind not in PAYABLE_KINDS or summary.outstanding.minor <= 0:
        return OnlinePayability(False)
    candidate = online_candidate(summary, partner_code, way)
    refusal = online_refusal(candidate)
    if refusal is None:
        return OnlinePayability(True)
    if summary.state in BLACK_STATES:
        return OnlinePayability(False, transfer_only=refusal)
    if summary.processing:  # the row already says the payment is processing
        return OnlinePayability(False)
    return OnlinePayability(False, other_way=method_refusal(candidate) or "")


def pay_all_online(
    outstanding: list[Any], partner_code: str, way: PayingWay | None = None
) -> list[PayAllOnline]:
    """Per currency, the outstanding documents that can be paid online and their total."""
    by_currency: dict[str, list[Any]] = {}
    for s in outstanding:
        if online_payability(s, partner_code, way).offered:
            by_currency.setdefault(s.outstanding.currency, []).append(s)
    return [
        PayAllOnline(
            currency,
            total((s.outstanding for s in docs), currency),
            tuple(sorted(s.id for s in docs)),
        )
        for currency, docs in sorted(by_currency.items())
    ]


__all__ = [
    "PREFIX",
    "CheckoutOutcome",
    "PartnerCheckoutStart",
    "PayAllOnline",
    "apply_checkout_event",
    "begin_partner_checkout",
    "checkout_outcome",
    "close_partner_checkout",
    "fulfil_partner_checkout",
    "is_partner_checkout_event",
    "online_candidate",
    "online_payability",
    "pay_all_online",
]
