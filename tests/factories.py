"""Building blocks for tests: a small world of partners, a guest and a booking, via services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import SQLModel, select

from concierge_app.db.audit import AuditChainHead
from concierge_app.db.engine import Database
from concierge_app.domain.money import Money
from concierge_app.domain.roles import ALL_ROLES, Role
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings, invoicing, portfolio, queries
from concierge_app.services.partner import accounts as partners
from concierge_app.services.payments import checkout

ACTOR = "staff@test.example"  # tests/conftest.py gives every test database this staff member
_seq = itertools.count(1)


@dataclass(frozen=True)
class World:
    db: Database
    property_id: int
    operator_id: int
    guest_id: int
    booking_id: int
    currency: str

    def money(self, text: str) -> Money:
        return Money.parse(text, self.currency)


def add_staff(db: Database, email: str, *roles: Role) -> int:
    """Another staff member (every role unless told): services refuse unknown emails."""
    return partners.create_staff_user(
        db=db,
        email=email,
        name=email.split("@")[0],
        password="not-used",
        policy=False,
        roles=roles or ALL_ROLES,
    )


def make_partner(
    db: Database, *, kind: str = "operator", rate_bps: int = 1000, currency: str = "EUR"
) -> int:
    n = next(_seq)
    return partners.create_partner(
        db=db,
        code=f"{'PRP' if kind == 'property' else 'OPR'}-{n:05d}",
        name=f"Partner {n}",
        kind=kind,
        category="villa" if kind == "property" else "sailing tour",
        country="ES",
        currency=currency,
        commission_rate_bps=rate_bps,
        finance_email=f"p{n}@example.com",
        actor=ACTOR,
    )


def make_booking(
    db: Database,
    *,
    property_id: int,
    currency: str = "EUR",
    guest_id: int | None = None,
    accommodation: str = "0",
) -> int:
    n = next(_seq)
    if guest_id is None:
        guest_id = bookings.create_guest(db=db, name=f"Guest {n}", email=f"g{n}@example.com")
    return bookings.create_booking(
        db=db,
        reference=f"BK-{n:06d}",
        guest_id=guest_id,
        property_id=property_id,
        check_in=date(2026, 7, 1),
        check_out=date(2026, 7, 8),
        currency=currency,
        accommodation_total=Money.parse(accommodation, currency),
        actor=ACTOR,
    )


def make_world(db: Database, currency: str = "EUR", rate_bps: int = 1000) -> World:
    prop = make_partner(db, kind="property", currency=currency)
    operator = make_partner(db, kind="operator", rate_bps=rate_bps, currency=currency)
    n = next(_seq)
    guest = bookings.create_guest(db=db, name=f"Guest {n}", email=f"guest{n}@example.com")
    booking = make_booking(db, property_id=prop, currency=currency, guest_id=guest)
    return World(db, prop, operator, guest, booking, currency)


def add_service(
    w: World,
    strategy: PaymentStrategy,
    gross: str,
    deposit: str | None = None,
    *,
    confirm: bool = True,
    booking_id: int | None = None,
    title: str = "Sunset sailing",
) -> int:
    sid = portfolio.add_service_item(
        db=w.db,
        booking_id=booking_id or w.booking_id,
        operator_id=w.operator_id,
        title=title,
        service_date=date(2026, 7, 3),
        gross=w.money(gross),
        strategy=strategy,
        deposit=None if deposit is None else w.money(deposit),
        actor=ACTOR,
    )
    if confirm:
        portfolio.confirm_service(db=w.db, service_id=sid, actor=ACTOR)
    return sid


def draft_id(w: World, booking_id: int | None = None) -> int:
    draft = queries.payments_panel(db=w.db, booking_id=booking_id or w.booking_id).draft
    assert draft is not None, "expected a draft invoice"
    return draft.id


def send_draft(w: World, booking_id: int | None = None) -> int:
    return invoicing.send_invoice(
        db=w.db, invoice_id=draft_id(w, booking_id), actor=ACTOR
    ).invoice_id


def pay(w: World, invoice_ids: list[int], event_id: str | None = None) -> str:
    return pay_invoices(w.db, invoice_ids, event_id)


def pay_invoices(db: Database, invoice_ids: list[int], event_id: str | None = None) -> str:
    """The guest pays the invoices through the sandbox (checkout completed); the attempt id."""
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=invoice_ids, actor="guest")
    checkout.fulfil_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id=event_id or f"evt_{attempt.id}",
        event_type="checkout.session.completed",
        amount=attempt.amount,
    )
    return attempt.id


def snapshot(db: Database) -> dict[str, object]:
    """Row counts of every table and the audit head: equal before and after = nothing written."""
    with db.read() as session:
        counts: dict[str, object] = {
            t.name: session.exec(select(func.count()).select_from(t)).one()  # type: ignore[call-overload]
            for t in SQLModel.metadata.sorted_tables
        }
        head = session.get(AuditChainHead, "audit")
        counts["audit_head"] = None if head is None else (head.last_sequence, head.last_hash)
        return counts
