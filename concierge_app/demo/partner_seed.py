"""Demo partner finance: addresses, payout accounts, Extranet logins, and stays and services that
departed in the two months before today, with the older month already invoiced, so running the
month-end job (`python -m concierge_app.cli month-end`) issues the newest month's invoices."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerBankAccount
from concierge_app.demo.partners import ACTOR
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.guest import bookings, portfolio
from concierge_app.services.partner.billing import month_end
from concierge_app.services.partner.money import groups as partner_groups
from concierge_app.services.partner.views import finance as partner_finance

DEMO_PARTNER_PASSWORD = "demo-partner"
DEMO_GROUP = "GRP-7001"
DEMO_GROUP_LOGIN = "group@partners.demo.test"
DEMO_PARTNER_LOGINS = {
    "PRP-1001": "villa.azul@partners.demo.test",  # partly deducted: one stay paid at the villa
    "PRP-1002": "casa.palma@partners.demo.test",
    "PRP-1003": "kyoto.machiya@partners.demo.test",  # fully deducted: nothing to pay
    "OPR-2002": "chef.marco@partners.demo.test",
    "OPR-2001": "sailing@partners.demo.test",  # pays online
    "OPR-2003": "swiftride@partners.demo.test",  # direct debit
    "OPR-2004": "yoga@partners.demo.test",
}
ACCOUNTS = {
    "PRP-1001": ("Villa Azul S.L.", "ES7921000813610123456789", ""),
    "PRP-1002": ("Casa Palma LLC", "GB33BUKB20201555555555", ""),
    "PRP-1003": ("Machiya House K.K.", "DE89370400440532013000", ""),
    "OPR-2001": ("Aegean Sailing Co. S.L.", "ES9121000418450200051332", ""),
    "OPR-2002": ("Marco Bianchi", "IT60X0542811101000000123456", ""),
    "OPR-2003": ("SwiftRide Transfers S.L.", "ES6000491500051234567892", ""),
    "OPR-2004": ("Ibiza Yoga Retreats S.L.", "ES6721000418450123456781", ""),
    "PRP-1004": ("Villa Sol Ibiza S.L.", "ES4021000418490987654321", ""),
    "PRP-1005": ("Casa Mar Mallorca S.L.", "ES3800491500050512345670", ""),
}
# Operators that collect from guests themselves: the platform invoices their commission, which
# they pay by the method on their account (online, direct debit, bank transfer).
SELF_COLLECTED = (
    ("OPR-2001", "Sunset sailing trip", "480.00"),
    ("OPR-2003", "Airport transfer", "90.00"),
    ("OPR-2004", "Private yoga session", "220.00"),
)
# Stays at the group's properties, collected by the properties (commission to pay).
GROUP_STAYS = (
    ("PRP-1004", "Hannah Becker", 6, 13, "5200.00"),
    ("PRP-1005", "Luca Romano", 14, 21, "4600.00"),
)


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
            policy=False,  # the demo's documented password (see the README)
        )
    _group(db, ids)
    _mandate(db, ids["OPR-2003"], today)
    last = Period.of(today).previous()
    before = last.previous()
    for n, month in enumerate((before, last)):
        _departures(db, ids, month, n)
    month_end.run_month_end(
        db=db, period=before, run_date=last.first_day + timedelta(days=2), actor=ACTOR
    )


def _group(db: Database, ids: dict[str, int]) -> None:
    """The Balearic Homes Group: two villas on the multiple property payment plan, one login."""
    gid = partner_groups.create_group(
        db=db,
        code=DEMO_GROUP,
        name="Balearic Homes Group",
        finance_email="finance@balearichomes.demo.test",
        actor=ACTOR,
    )
    for code in ("PRP-1004", "PRP-1005"):
        partner_groups.join_group(db=db, group_id=gid, partner_id=ids[code], actor=ACTOR)
    partner_auth.create_partner_user(
        db=db,
        partner_id=ids["PRP-1004"],
        group_id=gid,
        email=DEMO_GROUP_LOGIN,
        name=f"Finance team ({DEMO_GROUP})",
        password=DEMO_PARTNER_PASSWORD,
        actor=ACTOR,
        policy=False,  # the demo's documented password (see the README)
    )


def _mandate(db: Database, partner_id: int, today: date) -> None:
    """SwiftRide pays by direct debit: a mandate on its account, which its finance team
    accepted four months ago (the demo's stand-in for that acceptance)."""
    signed = today - timedelta(days=120)
    with db.transaction() as session:
        account = session.exec(
            select(PartnerBankAccount).where(PartnerBankAccount.partner_id == partner_id)
        ).one()
        account.mandate_reference = "MNDT-OPR-2003"
        account.mandate_signed_on = signed
        account.mandate_accepted_at = datetime.combine(signed, time(9, 0), tzinfo=UTC)
        account.mandate_accepted_by = DEMO_PARTNER_LOGINS["OPR-2003"]
        account.mandate_accepted_from = "demo data"
        session.add(account)


def _departures(db: Database, ids: dict[str, int], month: Period, n: int) -> None:
    """Stays at Villa Azul (EUR, paid out net; one stay paid at the villa), Casa Palma (USD, paid
    gross via Stripe) and Kyoto Machiya House (JPY, paid out net, every stay collected by us)
    that departed in `month`, with a private chef's services and the self-collecting operators'
    (sailing, airport transfer, yoga); stays at the Balearic Homes Group's two villas."""
    first = month.first_day
    stays = [
        ("PRP-1001", "EUR", "Lucía Fernández", 3, 7, "4200.00", "platform"),
        ("PRP-1001", "EUR", "Oliver Bennett", 10, 17, "7350.00", "platform"),
        ("PRP-1001", "EUR", "Sophie Martin", 20, 24, "3900.00", "property"),
        ("PRP-1002", "USD", "Daniel Kim", 5, 12, "5600.00", "platform"),
        ("PRP-1002", "USD", "Grace Miller", 18, 25, "6100.00", "platform"),
        # Kyoto: every stay collected by us, so its invoices are deducted from its payout in
        # full ("Deducted from your payout — nothing to pay")
        ("PRP-1003", "JPY", "Haruto Sato", 8, 12, "520000", "platform"),
    ]
    for i, (code, cur, name, ci, co, total, collector) in enumerate(stays):
        guest = bookings.create_guest(
            db=db, name=name, email=f"{name.split()[0].lower()}.{n}{i}@example.com"
        )
        prefix = {"PRP-1001": "AZ", "PRP-1002": "MI", "PRP-1003": "KY"}[code]
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
        if code == "PRP-1001" and i == 0:
            for operator, title, gross in SELF_COLLECTED:
                sid = portfolio.add_service_item(
                    db=db,
                    booking_id=booking,
                    operator_id=ids[operator],
                    title=title,
                    service_date=first + timedelta(days=ci + 1),
                    gross=Money.parse(gross, cur),
                    strategy=S.OPERATOR_COLLECTS_FULL,
                    actor=ACTOR,
                )
                portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR)
    for i, (code, name, ci, co, total) in enumerate(GROUP_STAYS):
        guest = bookings.create_guest(
            db=db, name=name, email=f"{name.split()[0].lower()}.{n}{i}@example.com"
        )
        bookings.create_booking(
            db=db,
            reference=f"BH-{month.year % 100}{month.month:02d}{i}",
            guest_id=guest,
            property_id=ids[code],
            check_in=first + timedelta(days=ci - 1),
            check_out=first + timedelta(days=co - 1),
            currency="EUR",
            accommodation_total=Money.parse(total, "EUR"),
            accommodation_collected_by="property",
            actor=ACTOR,
        )
