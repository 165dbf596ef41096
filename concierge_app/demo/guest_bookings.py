"""The demo's four guest bookings, made through the real services in a fixed order (invoice
numbers and audit events follow it): EUR with all four strategies, USD with invoices for Pay All,
JPY with a partial refund, and a cancelled EUR booking with a declined checkout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from concierge_app.adapters.payments.sandbox_cards import Card
from concierge_app.db.engine import Database
from concierge_app.db.payments import PaymentAttempt
from concierge_app.demo.partners import ACTOR
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.money import Money
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.guest import bookings, invoicing, portfolio, refunds
from concierge_app.services.guest.queries import payments_panel
from concierge_app.services.payments import checkout, guest_checkout
from concierge_app.services.payments.provider import sandbox_gateway

TEST_CARD = Card("4242 4242 4242 4242", "12 / 34", "123")  # Stripe's succeeding test card

SAIL, CHEF, RIDE = "OPR-2001", "OPR-2002", "OPR-2003"
FULL, DEPOSIT = S.PLATFORM_COLLECTS_FULL, S.PLATFORM_COLLECTS_DEPOSIT


class Service(NamedTuple):
    """One service of a booking: by the partner's code, in the booking's currency."""

    partner: str
    title: str
    day: date
    gross: str
    strategy: S
    deposit: str | None = None
    confirm: bool = True


@dataclass(frozen=True, slots=True)
class DemoLedger:
    """The services the demo calls, with the demo's actor and its partners' ids."""

    db: Database
    partners: dict[str, int]

    def booking(
        self, ref: str, guest: tuple[str, str, str], prop: str, stay: tuple[date, date], acc: str
    ) -> tuple[int, str]:
        """A new guest (name, email, locale) and their booking; returns its id and currency."""
        name, email, locale = guest
        guest_id = bookings.create_guest(db=self.db, name=name, email=email, locale=locale)
        currency = acc.split()[1]
        booking_id = bookings.create_booking(
            db=self.db,
            reference=ref,
            guest_id=guest_id,
            property_id=self.partners[prop],
            check_in=stay[0],
            check_out=stay[1],
            currency=currency,
            accommodation_total=Money.parse(acc.split()[0], currency),
            actor=ACTOR,
        )
        return booking_id, currency

    def services(self, booking_id: int, currency: str, *items: Service) -> list[int]:
        """Add the services in order (confirmed unless said); returns their ids."""
        ids = []
        for item in items:
            sid = portfolio.add_service_item(
                db=self.db,
                booking_id=booking_id,
                operator_id=self.partners[item.partner],
                title=item.title,
                service_date=item.day,
                gross=Money.parse(item.gross, currency),
                strategy=item.strategy,
                deposit=None if item.deposit is None else Money.parse(item.deposit, currency),
                actor=ACTOR,
            )
            if item.confirm:
                portfolio.confirm_service(db=self.db, service_id=sid, actor=ACTOR)
            ids.append(sid)
        return ids

    def send(self, booking_id: int) -> int:
        """Send the booking's draft invoice; returns the sent invoice's id."""
        draft = invoicing_draft(self.db, booking_id)
        return invoicing.send_invoice(db=self.db, invoice_id=draft, actor=ACTOR).invoice_id

    def pay(self, booking_id: int, invoice_ids: list[int]) -> None:
        """The guest pays the invoices online at the sandbox with Stripe's succeeding test card:
        the sandbox keeps the payment and its signed event fulfils the checkout, so the demo
        reconciles with the sandbox's records."""
        sandbox = sandbox_gateway(self.db)
        start = guest_checkout.begin_checkout(
            db=self.db, booking_id=booking_id, invoice_ids=invoice_ids, gateway=sandbox
        )
        with self.db.read() as session:
            attempt = session.get(PaymentAttempt, start.attempt_id)
            reference = None if attempt is None else attempt.provider_reference
        if reference is None:
            raise RuntimeError("demo data expected a sandbox checkout")
        sandbox.pay(reference, TEST_CARD)

    def accommodation(
        self, booking_id: int, amount: str, received_on: date, method: str, reference: str
    ) -> None:
        """The property's accommodation payment, e.g. amount "8400.00 EUR"."""
        value, currency = amount.split()
        bookings.record_accommodation_payment(
            db=self.db,
            booking_id=booking_id,
            amount=Money.parse(value, currency),
            received_on=received_on,
            method=method,
            reference=reference,
            actor=ACTOR,
        )


def load_bookings(db: Database, partners: dict[str, int]) -> dict[str, int]:
    """Create the four demo bookings; returns their ids by reference."""
    ledger = DemoLedger(db, partners)
    return {
        "AZ-24001": _ibiza(ledger),
        "MI-24002": _miami(ledger),
        "KY-24003": _kyoto(ledger),
        "AZ-24004": _cancelled(ledger),
    }


def _ibiza(ledger: DemoLedger) -> int:
    """EUR, Ibiza — all four strategies; a paid invoice, a draft, an accommodation payment."""
    guest = ("Emma Laurent", "emma.laurent@example.com", "fr_FR")
    stay = (date(2026, 12, 18), date(2026, 12, 27))
    b, cur = ledger.booking("AZ-24001", guest, "PRP-1001", stay, "8400.00 EUR")
    ledger.services(
        b,
        cur,
        Service(SAIL, "Sunset sailing tour for four", date(2026, 12, 19), "1200.00", FULL),
        Service(
            CHEF,
            "Private chef dinner — Christmas Eve",
            date(2026, 12, 24),
            "1500.00",
            DEPOSIT,
            deposit="300.00",
        ),
        Service(
            RIDE,
            "Airport transfer IBZ → villa",
            date(2026, 12, 18),
            "95.00",
            S.OPERATOR_COLLECTS_FULL,
        ),
        Service("PRP-1001", "Welcome wine tasting", date(2026, 12, 18), "0", S.INCLUDED_IN_STAY),
    )
    ledger.pay(b, [ledger.send(b)])
    ledger.services(
        b,
        cur,
        Service(SAIL, "Full-day yacht charter to Formentera", date(2026, 12, 22), "2400.00", FULL),
        Service(
            CHEF,
            "New Year's brunch (awaiting menu)",
            date(2026, 12, 26),
            "650.00",
            FULL,
            confirm=False,
        ),
    )
    ledger.accommodation(b, "8400.00 EUR", date(2026, 10, 2), "card", "ACC-AZ-24001")
    return b


def _miami(ledger: DemoLedger) -> int:
    """USD, Miami — two Active invoices (for Pay All), a voided and re-issued one, a draft."""
    guest = ("James Carter", "james.carter@example.com", "en_US")
    stay = (date(2027, 1, 8), date(2027, 1, 15))
    b, cur = ledger.booking("MI-24002", guest, "PRP-1002", stay, "6300.00 USD")
    ledger.services(
        b, cur, Service(SAIL, "Biscayne Bay sailing afternoon", date(2027, 1, 9), "850.00", FULL)
    )
    ledger.send(b)
    chef = Service(
        CHEF,
        "Chef's tasting menu at the villa",
        date(2027, 1, 11),
        "1800.00",
        DEPOSIT,
        deposit="450.00",
    )
    ledger.services(b, cur, chef)
    ledger.send(b)
    _, cancelled = ledger.services(
        b,
        cur,
        Service(RIDE, "MIA airport pickup", date(2027, 1, 8), "120.00", FULL),
        Service(SAIL, "Key Biscayne snorkel trip", date(2027, 1, 12), "390.00", FULL),
    )
    ledger.send(b)
    portfolio.cancel_service(
        db=ledger.db, service_id=cancelled, actor=ACTOR, reason="Guest changed plans"
    )
    return b


def _kyoto(ledger: DemoLedger) -> int:
    """JPY, Kyoto — paid, then a partial refund; an operator-collected service."""
    guest = ("Yuki Tanaka", "yuki.tanaka@example.com", "ja_JP")
    stay = (date(2026, 10, 3), date(2026, 10, 10))
    b, cur = ledger.booking("KY-24003", guest, "PRP-1003", stay, "840000 JPY")
    tea, _, _ = ledger.services(
        b,
        cur,
        Service(RIDE, "Private tea ceremony in Gion", date(2026, 10, 4), "45000", FULL),
        Service(CHEF, "Kaiseki dinner with chef", date(2026, 10, 6), "80000", DEPOSIT, "20000"),
        Service(
            RIDE, "Kansai airport transfer", date(2026, 10, 3), "18000", S.OPERATOR_COLLECTS_FULL
        ),
    )
    ledger.pay(b, [ledger.send(b)])
    refunds.issue_refund(  # through the sandbox, which keeps the refund
        db=ledger.db,
        service_id=tea,
        amount=Money.parse("15000", cur),
        note="Ceremony shortened by an hour",
        actor=ACTOR,
        idempotency_key="demo-refund-ky24003",
    )
    ledger.accommodation(b, "840000 JPY", date(2026, 9, 1), "bank transfer", "ACC-KY-24003")
    return b


def _cancelled(ledger: DemoLedger) -> int:
    """EUR, cancelled booking — its draft voided, its Active invoice kept; a failed checkout."""
    guest = ("Sofia Rossi", "sofia.rossi@example.com", "it_IT")
    stay = (date(2027, 2, 12), date(2027, 2, 16))
    b, cur = ledger.booking("AZ-24004", guest, "PRP-1001", stay, "3200.00 EUR")
    ledger.services(
        b,
        cur,
        Service(RIDE, "Airport transfer with child seats", date(2027, 2, 12), "110.00", FULL),
    )
    active = ledger.send(b)
    attempt = checkout.start_payment_attempt(db=ledger.db, invoice_ids=[active], actor="guest")
    checkout.close_payment_attempt(
        db=ledger.db,
        attempt_id=attempt.id,
        provider="sandbox",
        event_id="evt_demo_az24004_declined",
        event_type="checkout.session.async_payment_failed",
        status=CheckoutStatus.FAILED,
        reason="Your card was declined.",
    )
    ledger.services(b, cur, Service(SAIL, "Catamaran day trip", date(2027, 2, 14), "980.00", FULL))
    bookings.cancel_booking(db=ledger.db, booking_id=b, actor=ACTOR, reason="Flights cancelled")
    return b


def invoicing_draft(db: Database, booking_id: int) -> int:
    draft = payments_panel(db=db, booking_id=booking_id).draft
    if draft is None:
        raise RuntimeError("demo data expected a draft invoice")
    return draft.id
