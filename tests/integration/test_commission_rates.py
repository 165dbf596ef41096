"""A partner's dated commission rate history on SQLite and PostgreSQL: every partner has its
opening rate, staff changes (checked, audited, once), and each reservation billed — by the
month-end run and by the commission recorded at payment — at the rate in force on the day it was
made (a stay: its booking created; a service: confirmed)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, delete, func, insert, text, update
from sqlmodel import col, select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.parties import Partner, PartnerCommissionRate
from concierge_app.db.payments import Commission
from concierge_app.domain.commission_rates import FROM_THE_START
from concierge_app.domain.errors import DomainError
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import invoicing, queries
from concierge_app.services.partner.billing import month_end
from concierge_app.services.partner.billing.commission_rates import (
    change_commission_rate,
    commission_rates,
)
from concierge_app.services.partner.views import documents as partner_documents
from concierge_app.services.payments import checkout

from ..factories import ACTOR, make_partner
from .migrations import downgrade, migrate
from .test_month_end import NOV, RUN_DATE, invoices, lines_of, run, service, stay

SEPT_15 = date(2026, 9, 15)  # "today" when the October change was agreed


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def booked_on(db, booking_id, when: datetime) -> None:
    with db.transaction() as s:
        s.connection().execute(
            update(Booking).where(col(Booking.id) == booking_id).values(created_at=when)
        )


def confirmed_on(db, service_id, when: datetime) -> None:
    with db.transaction() as s:
        s.connection().execute(
            update(ServiceItem).where(col(ServiceItem.id) == service_id).values(confirmed_at=when)
        )


def change(db, partner_id, rate, valid_from, today=SEPT_15):
    return change_commission_rate(
        db=db, partner_id=partner_id, rate=rate, valid_from=valid_from, actor=ACTOR, today=today
    )


def history(db, partner_id):
    with db.read() as s:
        rows = s.exec(
            select(PartnerCommissionRate)
            .where(PartnerCommissionRate.partner_id == partner_id)
            .order_by(col(PartnerCommissionRate.valid_from))
        ).all()
        return [(r.valid_from, r.rate_bps, r.changed_by) for r in rows]


def rate_events(db):
    with db.read() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == "partner.rate_changed")).all()
        return [(r.actor, r.subject, json.loads(r.data)) for r in rows]


def audit_count(db):
    with db.read() as s:
        return s.exec(select(func.count()).select_from(AuditEvent)).one()


def test_a_new_partner_has_its_rate_in_force_from_the_start_however_it_is_created(db):
    villa = make_partner(db, kind="property", rate_bps=1500)
    with db.transaction() as s:  # straight into the table, as a bulk load would
        loaded = (
            s.connection()
            .execute(
                insert(Partner)
                .values(
                    code="BULK-1",
                    name="Loaded villa",
                    kind="property",
                    category="villa",
                    country="ES",
                    currency="EUR",
                    commission_rate_bps=1250,
                    finance_email="bulk@example.com",
                    created_at=datetime.now(UTC),
                )
                .returning(col(Partner.id))
            )
            .scalar_one()
        )
    assert history(db, villa) == [(FROM_THE_START, 1500, "system:opening rate")]
    assert history(db, loaded) == [(FROM_THE_START, 1250, "system:opening rate")]
    card = commission_rates(db=db, partner_id=villa, today=SEPT_15)
    assert (card.current_bps, card.current) == (1500, "15 %")
    (opening,) = card.entries
    assert (opening.starts, opening.state) == ("From the start", "in force")


def test_a_rate_change_is_recorded_with_who_and_from_when_and_audited(db):
    villa = make_partner(db, kind="property", rate_bps=1500)
    changed = change(db, villa, "12.5", "2026-10-01")
    assert (changed.rate_bps, changed.valid_from, changed.duplicate) == (
        1250,
        date(2026, 10, 1),
        False,
    )
    assert history(db, villa)[1] == (date(2026, 10, 1), 1250, ACTOR)
    ((actor, subject, data),) = rate_events(db)
    assert (actor, subject) == (ACTOR, f"partner:{villa}")
    assert data["rate_bps"] == 1250 and data["previous_rate_bps"] == 1500
    assert data["valid_from"] == "2026-10-01"


def test_the_rate_card_shows_the_rate_in_force_today_what_ended_and_what_is_scheduled(db):
    villa = make_partner(db, kind="property", rate_bps=1500)
    change(db, villa, "12", "2026-10-01")
    change(db, villa, "10", "2027-01-01")
    card = commission_rates(db=db, partner_id=villa, today=date(2026, 12, 8))
    assert card.current == "12 %"
    assert [(e.rate, e.starts, e.state) for e in card.entries] == [
        ("10 %", "January 1, 2027", "scheduled"),
        ("12 %", "October 1, 2026", "in force"),
        ("15 %", "From the start", "ended"),
    ]
    assert card.earliest_start == date(2027, 1, 2)  # after the last change


@pytest.mark.parametrize(
    ("rate", "valid_from", "field"),
    [
        ("101", "2026-10-01", "rate"),
        ("12.345", "2026-10-01", "rate"),
        ("abc", "2026-10-01", "rate"),
        ("", "2026-10-01", "rate"),
        ("12", "", "valid_from"),
        ("12", "01/10/2026", "valid_from"),
        ("12", "2026-09-15", "valid_from"),  # today: the day has begun
        ("12", "2026-09-01", "valid_from"),  # in the past
        ("12", "2026-10-15", "valid_from"),  # before the last change
        ("11", "2026-12-01", "rate"),  # the rate already in force then
    ],
)
def test_a_refused_change_says_why_and_writes_nothing(db, rate, valid_from, field):
    villa = make_partner(db, kind="property", rate_bps=1500)
    change(db, villa, "11", "2026-11-01")
    before, events = history(db, villa), audit_count(db)
    with pytest.raises(DomainError) as refused:
        change(db, villa, rate, valid_from)
    assert refused.value.field == field and refused.value.message
    assert history(db, villa) == before and audit_count(db) == events


def test_the_same_change_sent_twice_is_recorded_once(db):
    villa = make_partner(db, kind="property", rate_bps=1500)
    change(db, villa, "12", "2026-10-01")
    again = change(db, villa, "12.00", "2026-10-01")
    assert again.duplicate
    assert len(history(db, villa)) == 2 and len(rate_events(db)) == 1


def test_each_stay_is_billed_at_the_rate_in_force_on_the_day_its_booking_was_made(db):
    villa = make_partner(db, kind="property", rate_bps=1000)
    change(db, villa, "12", "2026-10-01")
    early = stay(db, villa, date(2026, 11, 2), date(2026, 11, 5))
    late = stay(db, villa, date(2026, 11, 20), date(2026, 11, 24))
    booked_on(db, early, at(date(2026, 9, 30), 23, 59))  # the last minute at 10 %
    booked_on(db, late, at(date(2026, 10, 1), 0, 0))  # the first minute at 12 %
    run(db)
    (invoice,) = invoices(db)
    by_id = {ln.source_id: ln for ln in lines_of(db, invoice.id)}
    assert by_id[early].commission_minor == 10_000  # 10 % of 1,000.00
    assert by_id[late].commission_minor == 12_000  # 12 % of 1,000.00
    assert invoice.amount_minor == 22_000 and invoice.deducted_minor == 22_000
    # the partner's statement shows each line's own rate
    document = partner_documents.invoice_document(
        db=db, invoice_id=invoice.id, partner_id=villa, today=RUN_DATE
    )
    assert sorted(ln.rate for ln in document.lines) == ["10%", "12%"]


def test_a_change_after_the_booking_was_made_does_not_reprice_it(db):
    villa = make_partner(db, kind="property", rate_bps=1500)
    booking = stay(db, villa, date(2026, 11, 10), date(2026, 11, 14))
    booked_on(db, booking, at(date(2026, 8, 20)))
    change(db, villa, "20", "2026-10-01")  # agreed after the guest booked, before the stay
    run(db)
    (invoice,) = invoices(db)
    assert invoice.amount_minor == 15_000


def test_each_service_is_billed_at_the_rate_in_force_on_the_utc_day_it_was_confirmed(db):
    villa = make_partner(db, kind="property")
    chef = make_partner(db, kind="operator", rate_bps=1000)
    change(db, chef, "20", "2026-10-01")
    booking = stay(db, villa, date(2026, 11, 20), date(2026, 12, 3))
    before = service(db, booking, chef, date(2026, 11, 21), S.OPERATOR_COLLECTS_FULL, "100.00")
    after = service(
        db, booking, chef, date(2026, 11, 22), S.PLATFORM_COLLECTS_DEPOSIT, "100.00", "40.00"
    )
    draft = service(
        db, booking, chef, date(2026, 11, 23), S.OPERATOR_COLLECTS_FULL, "100.00", confirm=False
    )
    confirmed_on(db, before, at(date(2026, 9, 30), 23, 30))
    confirmed_on(db, after, at(date(2026, 10, 1), 0, 30))
    run(db)
    chef_invoice = next(i for i in invoices(db) if i.partner_id == chef)
    by_id = {ln.source_id: ln for ln in lines_of(db, chef_invoice.id)}
    assert draft not in by_id
    assert by_id[before].commission_minor == 1_000  # 10 % of 100.00
    assert (by_id[after].commission_minor, by_id[after].deducted_minor) == (2_000, 800)
    assert chef_invoice.amount_minor == 3_000


def test_the_commission_recorded_at_payment_agrees_with_the_month_end_line(db):
    """A service confirmed at 10 %, paid and billed after the rate went up to 20 %."""
    villa = make_partner(db, kind="property")
    chef = make_partner(db, kind="operator", rate_bps=1000)
    today = datetime.now(UTC).date()
    change(db, chef, "20", (today - timedelta(days=3)).isoformat(), today=today - timedelta(days=7))
    booking = stay(db, villa, date(2026, 11, 20), date(2026, 12, 3))
    sid = service(db, booking, chef, date(2026, 11, 22), S.PLATFORM_COLLECTS_FULL, "200.00")
    confirmed_on(db, sid, at(today - timedelta(days=5)))  # before the change took effect
    late = service(db, booking, chef, date(2026, 11, 23), S.PLATFORM_COLLECTS_FULL, "100.00")
    draft = queries.payments_panel(db=db, booking_id=booking).draft.id
    invoice = invoicing.send_invoice(db=db, invoice_id=draft, actor=ACTOR).invoice_id
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[invoice], actor="guest")
    checkout.fulfil_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id="evt_rate_in_force",
        event_type="checkout.session.completed",
        amount=attempt.amount,
    )
    with db.read() as s:
        earned = {
            c.service_item_id: (c.rate_bps, c.amount_minor)
            for c in s.exec(select(Commission)).all()
        }
    assert earned == {sid: (1000, 2_000), late: (2000, 2_000)}
    run(db)
    chef_invoice = next(i for i in invoices(db) if i.partner_id == chef)
    by_id = {ln.source_id: ln for ln in lines_of(db, chef_invoice.id)}
    assert {k: ln.commission_minor for k, ln in by_id.items()} == {
        k: amount for k, (_rate, amount) in earned.items()
    }


def test_the_preview_matches_a_run_over_rates_that_changed(db):
    villa = make_partner(db, kind="property", rate_bps=1000)
    change(db, villa, "12.5", "2026-10-01")
    for day, made in ((3, date(2026, 9, 1)), (10, date(2026, 10, 2)), (17, date(2026, 9, 30))):
        booking = stay(db, villa, date(2026, 11, day), date(2026, 11, day + 2), total="333.33")
        booked_on(db, booking, at(made))
    preview = month_end.preview_month_end(db=db, period=NOV)
    run(db)
    (invoice,) = invoices(db)
    # 10 % of 333.33 = 33.333 → 33.33 (twice); 12.5 % = 41.666 → 41.67
    assert invoice.amount_minor == 3333 * 2 + 4167
    assert [m.minor for m in preview.commission] == [invoice.amount_minor]


def test_the_run_refuses_to_start_while_a_partner_has_no_opening_rate(db):
    villa = make_partner(db, kind="property", rate_bps=1000)
    stay(db, villa, date(2026, 11, 2), date(2026, 11, 5))
    with db.transaction() as s:
        s.connection().execute(
            delete(PartnerCommissionRate).where(col(PartnerCommissionRate.partner_id) == villa)
        )
    with pytest.raises(DomainError, match="No commission rate from the start"):
        run(db)
    assert invoices(db) == [] and month_end.list_runs(db=db) == []


PARTNER_SQL = (
    "INSERT INTO partner (code, name, kind, category, country, timezone, currency, "
    "commission_rate_bps, payout_method, commission_payment_method, finance_email, address, "
    "created_at) VALUES (:code, 'Villa', 'property', 'villa', 'ES', 'UTC', 'EUR', :bps, "
    "'net_payout', 'payout_deduction', 'v@example.com', '', '2025-03-01 10:00:00')"
)
HISTORY_SQL = (
    "SELECT p.code, r.rate_bps, r.valid_from, r.changed_by FROM partner_commission_rate r "
    "JOIN partner p ON p.id = r.partner_id ORDER BY p.code"
)


def test_upgrading_gives_every_existing_partner_its_rate_from_the_start(database_at):
    url = database_at("0014")  # one step before the rate history
    engine = create_engine(url)
    with engine.begin() as conn:
        for code, bps in (("PRP-OLD1", 1500), ("PRP-OLD2", 1275)):
            conn.execute(text(PARTNER_SQL), {"code": code, "bps": bps})
    migrate(url, "0015")
    with engine.begin() as conn:
        conn.execute(text(PARTNER_SQL), {"code": "PRP-NEW3", "bps": 900})  # the trigger's
        found = [(c, b, str(v), who) for c, b, v, who in conn.execute(text(HISTORY_SQL))]
    assert found == [
        ("PRP-NEW3", 900, "0001-01-01", "system:opening rate"),
        ("PRP-OLD1", 1500, "0001-01-01", "system:migration 0015"),
        ("PRP-OLD2", 1275, "0001-01-01", "system:migration 0015"),
    ]
    downgrade(url, "0014")  # and back: the table and trigger go
    with engine.begin() as conn:
        conn.execute(text(PARTNER_SQL), {"code": "PRP-NEW4", "bps": 900})
    engine.dispose()
