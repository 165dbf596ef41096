"""Partners and groups start paying commission documents online (by card): Pay online, Pay
all online, the group's payment. The documents are checked and locked, the checkout is recorded
first (its id goes to the provider as client_reference_id), the provider's checkout is opened
outside any transaction, an open checkout for exactly the same documents and amounts is reused,
and older open ones covering any of them are expired. Its fulfilment, on the provider's signed
events only (never on the success redirect), is `partner_fulfilment` in the one lifecycle.
"""

from __future__ import annotations

import contextlib
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
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, PartnerGroup
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.db.partner_payments import PartnerCheckout, PartnerCheckoutInvoice
from concierge_app.db.types import utcnow
from concierge_app.domain.checkout import REUSE_FOR, CheckoutStatus
from concierge_app.domain.documents import KIND_TITLES
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period
from concierge_app.domain.partner_checkout import check_online_payable, online_candidate
from concierge_app.domain.partner_payments import PAYABLE_KINDS
from concierge_app.services.partner.money.payments import paid_by
from concierge_app.services.partner.views.documents import (
    NOT_FOUND,
    failed_debits,
    paying_way,
    summary_of,
)
from concierge_app.services.payments.partner_fulfilment import PREFIX
from concierge_app.services.payments.provider import get_gateway
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import table_of
from concierge_app.services.shared.common import today as business_day

_INV, _P, _G = table_of(PartnerInvoice), table_of(Partner), table_of(PartnerGroup)
_CO, _COI = table_of(PartnerCheckout), table_of(PartnerCheckoutInvoice)


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
    base = public_url(return_path)
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
            status=CheckoutStatus.OPEN.value,
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
            _CO.c.status == CheckoutStatus.OPEN.value,
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
                _CO.c.status == CheckoutStatus.OPEN.value,
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
            .where(_CO.c.id == checkout_id, _CO.c.status == CheckoutStatus.OPEN.value)
            .values(
                status=CheckoutStatus.FAILED.value,
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
    """The checkout's status (open / succeeded / expired / failed); "" when it is not this
    payer's."""
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
