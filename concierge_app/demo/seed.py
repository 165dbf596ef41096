"""Load the demo ledger through the real services, so every row and audit event is genuine."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.demo.partner_seed import load_partner_demo
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import bookings, invoicing, portfolio, refunds
from concierge_app.services.guest.queries import payments_panel
from concierge_app.services.partner import accounts as partners
from concierge_app.services.partner.billing import commission_rates
from concierge_app.services.payments import checkout
from concierge_app.services.shared.common import today as business_day

DEMO_STAFF = ("concierge@demo.test", "demo-concierge")
ADDRESSES = {
    "PRP-1001": "Camí de sa Punta 12\n07820 Sant Antoni de Portmany\nIbiza, Spain",
    "PRP-1002": "1420 Ocean Drive\nMiami Beach, FL 33139\nUnited States",
    "PRP-1003": "Gionmachi Minamigawa 570\nHigashiyama-ku, Kyoto 605-0074\nJapan",
    "OPR-2001": "Port de Sant Antoni, Moll 3\n07820 Ibiza, Spain",
    "OPR-2002": "Carrer de Vara de Rey 8\n07800 Eivissa, Spain",
    "OPR-2003": "Aeropuerto de Ibiza, Local 14\n07817 Sant Josep, Spain",
    "OPR-2004": "Carrer des Puig 5\n07830 Sant Josep de sa Talaia, Spain",
    "PRP-1004": "Cala Salada 21\n07820 Sant Antoni de Portmany\nIbiza, Spain",
    "PRP-1005": "Carrer de la Mar 44\n07157 Port d'Andratx\nMallorca, Spain",
}
ACTOR = "demo-seed"


def has_data(db: Database) -> bool:
    with db.read() as session:
        return session.exec(select(Booking.id)).first() is not None


def _pay(db: Database, invoice_ids: list[int], event: str) -> None:
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=invoice_ids, actor="guest")
    checkout.fulfil_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id=event,
        event_type="checkout.session.completed",
        amount=attempt.amount,
    )


def load_demo(db: Database) -> dict[str, int]:
    """Create the demo ledger; returns the booking ids by reference."""
    p = {}
    for code, name, kind, cat, country, cur, tz, bps, payout, method in (
        (
            "PRP-1001",
            "Villa Azul",
            "property",
            "villa",
            "ES",
            "EUR",
            "Europe/Madrid",
            1500,
            "net_payout",
            "payout_deduction",
        ),
        (
            "PRP-1002",
            "Casa Palma Miami",
            "property",
            "villa",
            "US",
            "USD",
            "America/New_York",
            1200,
            "gross_stripe",
            "bank_transfer",
        ),
        (
            "PRP-1003",
            "Kyoto Machiya House",
            "property",
            "townhouse",
            "JP",
            "JPY",
            "Asia/Tokyo",
            1500,
            "net_payout",
            "payout_deduction",
        ),
        (
            "OPR-2001",
            "Aegean Sailing Co.",
            "operator",
            "sailing tour",
            "ES",
            "EUR",
            "Europe/Madrid",
            1000,
            "gross_stripe",
            "online",
        ),
        (
            "OPR-2002",
            "Chef Marco Private Dining",
            "operator",
            "private chef",
            "ES",
            "EUR",
            "Europe/Madrid",
            1200,
            "net_payout",
            "bank_transfer",
        ),
        (
            "OPR-2003",
            "SwiftRide Airport Transfers",
            "operator",
            "airport transfer",
            "ES",
            "EUR",
            "Europe/Madrid",
            800,
            "net_payout",
            "direct_debit",
        ),
        (
            "OPR-2004",
            "Ibiza Yoga Retreats",
            "operator",
            "yoga retreat",
            "ES",
            "EUR",
            "Europe/Madrid",
            1000,
            "gross_stripe",
            "bank_transfer",
        ),
        # The Balearic Homes Group's properties (multiple property payment plan).
        (
            "PRP-1004",
            "Villa Sol Ibiza",
            "property",
            "villa",
            "ES",
            "EUR",
            "Europe/Madrid",
            1500,
            "gross_stripe",
            "bank_transfer",
        ),
        (
            "PRP-1005",
            "Casa Mar Mallorca",
            "property",
            "villa",
            "ES",
            "EUR",
            "Europe/Madrid",
            1500,
            "gross_stripe",
            "bank_transfer",
        ),
    ):
        p[code] = partners.create_partner(
            db=db,
            code=code,
            name=name,
            kind=kind,
            category=cat,
            country=country,
            currency=cur,
            timezone=tz,
            commission_rate_bps=bps,
            payout_method=payout,
            commission_payment_method=method,
            finance_email=f"finance+{code.lower()}@partners.demo.test",
            address=ADDRESSES.get(code, ""),
            actor=ACTOR,
        )
    # The demo's documented login is short on purpose (see the README): the password policy
    # is for real accounts; `check --deploy` refuses demo logins in production.
    partners.create_staff_user(
        db=db, email=DEMO_STAFF[0], name="Clara Concierge", password=DEMO_STAFF[1], policy=False
    )
    sail, chef, ride = p["OPR-2001"], p["OPR-2002"], p["OPR-2003"]
    # Villa Azul's new contract: 14 % for reservations made from next month on (its staff
    # page shows it scheduled; what is booked until then keeps 15 %)
    today = business_day()
    commission_rates.change_commission_rate(
        db=db,
        partner_id=p["PRP-1001"],
        rate="14",
        valid_from=date(today.year + today.month // 12, today.month % 12 + 1, 1).isoformat(),
        actor=ACTOR,
        today=today,
    )

    def guest(name: str, email: str, locale: str = "en_US") -> int:
        return bookings.create_guest(db=db, name=name, email=email, locale=locale)

    def booking(ref: str, guest_id: int, prop: str, ci: date, co: date, cur: str, acc: str) -> int:
        return bookings.create_booking(
            db=db,
            reference=ref,
            guest_id=guest_id,
            property_id=p[prop],
            check_in=ci,
            check_out=co,
            currency=cur,
            accommodation_total=Money.parse(acc, cur),
            actor=ACTOR,
        )

    def service(
        b: int,
        op: int,
        title: str,
        day: date,
        gross: str,
        cur: str,
        strategy: S,
        deposit: str | None = None,
        confirm: bool = True,
    ) -> int:
        sid = portfolio.add_service_item(
            db=db,
            booking_id=b,
            operator_id=op,
            title=title,
            service_date=day,
            gross=Money.parse(gross, cur),
            strategy=strategy,
            deposit=None if deposit is None else Money.parse(deposit, cur),
            actor=ACTOR,
        )
        if confirm:
            portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR)
        return sid

    def send(b: int) -> int:
        draft = invoicing_draft(db, b)
        return invoicing.send_invoice(db=db, invoice_id=draft, actor=ACTOR).invoice_id

    ids = {}
    # 1. EUR, Ibiza — all four strategies; a paid invoice, a draft, an accommodation payment.
    b = booking(
        "AZ-24001",
        guest("Emma Laurent", "emma.laurent@example.com", "fr_FR"),
        "PRP-1001",
        date(2026, 12, 18),
        date(2026, 12, 27),
        "EUR",
        "8400.00",
    )
    service(
        b,
        sail,
        "Sunset sailing tour for four",
        date(2026, 12, 19),
        "1200.00",
        "EUR",
        S.PLATFORM_COLLECTS_FULL,
    )
    service(
        b,
        chef,
        "Private chef dinner — Christmas Eve",
        date(2026, 12, 24),
        "1500.00",
        "EUR",
        S.PLATFORM_COLLECTS_DEPOSIT,
        deposit="300.00",
    )
    service(
        b,
        ride,
        "Airport transfer IBZ → villa",
        date(2026, 12, 18),
        "95.00",
        "EUR",
        S.OPERATOR_COLLECTS_FULL,
    )
    service(
        b, p["PRP-1001"], "Welcome wine tasting", date(2026, 12, 18), "0", "EUR", S.INCLUDED_IN_STAY
    )
    first = send(b)
    _pay(db, [first], "evt_demo_az24001_1")
    service(
        b,
        sail,
        "Full-day yacht charter to Formentera",
        date(2026, 12, 22),
        "2400.00",
        "EUR",
        S.PLATFORM_COLLECTS_FULL,
    )
    service(
        b,
        chef,
        "New Year's brunch (awaiting menu)",
        date(2026, 12, 26),
        "650.00",
        "EUR",
        S.PLATFORM_COLLECTS_FULL,
        confirm=False,
    )
    bookings.record_accommodation_payment(
        db=db,
        booking_id=b,
        amount=Money.parse("8400.00", "EUR"),
        received_on=date(2026, 10, 2),
        method="card",
        reference="ACC-AZ-24001",
        actor=ACTOR,
    )
    ids["AZ-24001"] = b

    # 2. USD, Miami — two Active invoices (for Pay All), a voided and re-issued one, a draft.
    b = booking(
        "MI-24002",
        guest("James Carter", "james.carter@example.com"),
        "PRP-1002",
        date(2027, 1, 8),
        date(2027, 1, 15),
        "USD",
        "6300.00",
    )
    service(
        b,
        sail,
        "Biscayne Bay sailing afternoon",
        date(2027, 1, 9),
        "850.00",
        "USD",
        S.PLATFORM_COLLECTS_FULL,
    )
    send(b)
    service(
        b,
        chef,
        "Chef's tasting menu at the villa",
        date(2027, 1, 11),
        "1800.00",
        "USD",
        S.PLATFORM_COLLECTS_DEPOSIT,
        deposit="450.00",
    )
    send(b)
    service(
        b, ride, "MIA airport pickup", date(2027, 1, 8), "120.00", "USD", S.PLATFORM_COLLECTS_FULL
    )
    cancelled = service(
        b,
        sail,
        "Key Biscayne snorkel trip",
        date(2027, 1, 12),
        "390.00",
        "USD",
        S.PLATFORM_COLLECTS_FULL,
    )
    send(b)
    portfolio.cancel_service(db=db, service_id=cancelled, actor=ACTOR, reason="Guest changed plans")
    ids["MI-24002"] = b

    # 3. JPY, Kyoto — paid, then a partial refund; an operator-collected service.
    b = booking(
        "KY-24003",
        guest("Yuki Tanaka", "yuki.tanaka@example.com", "ja_JP"),
        "PRP-1003",
        date(2026, 10, 3),
        date(2026, 10, 10),
        "JPY",
        "840000",
    )
    tea = service(
        b,
        ride,
        "Private tea ceremony in Gion",
        date(2026, 10, 4),
        "45000",
        "JPY",
        S.PLATFORM_COLLECTS_FULL,
    )
    service(
        b,
        chef,
        "Kaiseki dinner with chef",
        date(2026, 10, 6),
        "80000",
        "JPY",
        S.PLATFORM_COLLECTS_DEPOSIT,
        deposit="20000",
    )
    service(
        b,
        ride,
        "Kansai airport transfer",
        date(2026, 10, 3),
        "18000",
        "JPY",
        S.OPERATOR_COLLECTS_FULL,
    )
    _pay(db, [send(b)], "evt_demo_ky24003_1")
    refunds.record_refund(
        db=db,
        service_id=tea,
        amount=Money.parse("15000", "JPY"),
        note="Ceremony shortened by an hour",
        actor=ACTOR,
        idempotency_key="demo-refund-ky24003",
    )
    bookings.record_accommodation_payment(
        db=db,
        booking_id=b,
        amount=Money.parse("840000", "JPY"),
        received_on=date(2026, 9, 1),
        method="bank transfer",
        reference="ACC-KY-24003",
        actor=ACTOR,
    )
    ids["KY-24003"] = b

    # 4. EUR, cancelled booking — its draft voided, its Active invoice kept; a failed checkout.
    b = booking(
        "AZ-24004",
        guest("Sofia Rossi", "sofia.rossi@example.com", "it_IT"),
        "PRP-1001",
        date(2027, 2, 12),
        date(2027, 2, 16),
        "EUR",
        "3200.00",
    )
    service(
        b,
        ride,
        "Airport transfer with child seats",
        date(2027, 2, 12),
        "110.00",
        "EUR",
        S.PLATFORM_COLLECTS_FULL,
    )
    active = send(b)
    attempt = checkout.start_payment_attempt(db=db, invoice_ids=[active], actor="guest")
    checkout.close_payment_attempt(
        db=db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id="evt_demo_az24004_declined",
        event_type="checkout.session.async_payment_failed",
        status=CheckoutStatus.FAILED,
        reason="Your card was declined.",
    )
    service(
        b, sail, "Catamaran day trip", date(2027, 2, 14), "980.00", "EUR", S.PLATFORM_COLLECTS_FULL
    )
    bookings.cancel_booking(db=db, booking_id=b, actor=ACTOR, reason="Flights cancelled")
    ids["AZ-24004"] = b
    load_partner_demo(db, date.today())
    return ids


def invoicing_draft(db: Database, booking_id: int) -> int:
    draft = payments_panel(db=db, booking_id=booking_id).draft
    if draft is None:
        raise RuntimeError("demo data expected a draft invoice")
    return draft.id
