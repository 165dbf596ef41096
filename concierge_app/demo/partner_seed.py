"""Demo partner finance: addresses, payout accounts, Extranet logins, and stays and services that
departed in the two months before today, with the older month already invoiced, so running the
month-end job (`python -m concierge_app.cli month-end`) issues the newest month's invoices."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from ..db.engine import Database
from ..db.parties import Partner
from ..domain.money import Money
from ..domain.partner_billing import Period
from ..domain.strategies import PaymentStrategy as S
from ..services import bookings, month_end, partner_auth, partner_finance, portfolio

ACTOR = "demo-seed"
DEMO_PARTNER_PASSWORD = "demo-partner"
DEMO_PARTNER_LOGINS = {
    "PRP-1001": "villa.azul@partners.demo.test",
    "PRP-1002": "casa.palma@partners.demo.test",
    "OPR-2002": "chef.marco@partners.demo.test",
}
ACCOUNTS = {
    "PRP-1001": ("Villa Azul S.L.", "ES7921000813610123456789", ""),
    "PRP-1002": ("Casa Palma LLC", "GB33BUKB20201555555555", ""),
    "PRP-1003": ("Machiya House K.K.", "DE89370400440532013000", ""),
    "OPR-2001": ("Aegean Sailing Co. S.L.", "ES9121000418450200051332", ""),
    "OPR-2002": ("Marco Bianchi", "IT60X0542811101000000123456", ""),
    "OPR-2003": ("SwiftRide Transfers S.L.", "ES6000491500051234567892", ""),
}


def load_partner_demo(db: Database, today: date) -> None:
    with db.read() as session:
        ids = {p.code: p.id for p in session.exec(select(Partner)).all()}
    for code, (holder, iban, bic) in ACCOUNTS.items():
        partner_finance.update_bank_account(
            db=db,
            partner_id=ids[code],
            account_holder=holder,
            iban=iban,
            bic=bic,
            actor=ACTOR,
            notify=False,
        )
    for code, email in DEMO_PARTNER_LOGINS.items():
        partner_auth.create_partner_user(
            db=db,
            partner_id=ids[code],
            email=email,
            name=f"Finance team ({code})",
            password=DEMO_PARTNER_PASSWORD,
            actor=ACTOR,
        )
    last = Period.of(today).previous()
    before = last.previous()
    for n, month in enumerate((before, last)):
        _departures(db, ids, month, n)
    month_end.run_month_end(
        db=db, period=before, run_date=last.first_day + timedelta(days=2), actor=ACTOR
    )


def _departures(db: Database, ids: dict[str, int], month: Period, n: int) -> None:
    """Stays at Villa Azul (EUR, paid out net) and Casa Palma (USD, paid gross via Stripe) that
    departed in `month`, with a private chef's services."""
    first = month.first_day
    stays = [
        ("PRP-1001", "EUR", "Lucía Fernández", 3, 7, "4200.00", "platform"),
        ("PRP-1001", "EUR", "Oliver Bennett", 10, 17, "7350.00", "platform"),
        ("PRP-1001", "EUR", "Sophie Martin", 20, 24, "3900.00", "property"),
        ("PRP-1002", "USD", "Daniel Kim", 5, 12, "5600.00", "platform"),
        ("PRP-1002", "USD", "Grace Miller", 18, 25, "6100.00", "platform"),
    ]
    for i, (code, cur, name, ci, co, total, collector) in enumerate(stays):
        guest = bookings.create_guest(
            db=db, name=name, email=f"{name.split()[0].lower()}.{n}{i}@example.com"
        )
        prefix = "AZ" if code == "PRP-1001" else "MI"
        booking = bookings.create_booking(
            db=db,
            reference=f"{prefix}-{month.year % 100}{month.month:02d}{i}",
            guest_id=guest,
            property_id=ids[code],
            check_in=first + timedelta(days=ci - 1),
            check_out=first + timedelta(days=co - 1),
            currency=cur,
            accommodation_total=Money.parse(total, cur),
            accommodation_collected_by=collector,
            actor=ACTOR,
        )
        if code == "PRP-1001" and i < 2:
            sid = portfolio.add_service_item(
                db=db,
                booking_id=booking,
                operator_id=ids["OPR-2002"],
                title="Private chef dinner",
                service_date=first + timedelta(days=ci),
                gross=Money.parse("650.00", cur),
                strategy=S.PLATFORM_COLLECTS_DEPOSIT if i == 0 else S.OPERATOR_COLLECTS_FULL,
                deposit=Money.parse("150.00", cur) if i == 0 else None,
                actor=ACTOR,
            )
            portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR)
