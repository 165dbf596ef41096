"""Load the demo ledger through the real services, so every row and audit event is genuine.

- partners: the demo's properties and operators
- guest_bookings: the four guest bookings, their invoices, payments and refund
- partner_seed: the partners' bank details, Extranet logins and a month of stays to invoice
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner, StaffUser
from concierge_app.demo.guest_bookings import load_bookings
from concierge_app.demo.partner_seed import load_partner_demo
from concierge_app.demo.partners import ACTOR, create_partners
from concierge_app.domain.roles import ALL_ROLES, Role
from concierge_app.services.partner import accounts as partners
from concierge_app.services.partner.billing import commission_rates
from concierge_app.services.shared.common import today as business_day

DEMO_STAFF = ("concierge@demo.test", "demo-concierge")  # the demo admin: every role
# The other demo staff logins: (email, password, name, roles).
DEMO_ROLE_LOGINS = (
    ("finance@demo.test", "demo-finance", "Felix Finance", (Role.FINANCE,)),
    ("desk@demo.test", "demo-desk", "Dana Desk", (Role.CONCIERGE,)),
)


def has_data(db: Database) -> bool:
    """True once the database is in use: any booking, partner or staff login (the demo data
    goes only into an empty database, never beside a platform's own)."""
    with db.read() as session:
        return any(
            session.exec(select(table.id)).first() is not None  # type: ignore[attr-defined]
            for table in (Booking, Partner, StaffUser)
        )


def load_demo(db: Database) -> dict[str, int]:
    """Create the demo ledger; returns the booking ids by reference."""
    p = create_partners(db)
    # The demo's documented login is short on purpose (see the README): the password policy
    # is for real accounts; `check --deploy` refuses demo logins in production.
    partners.create_staff_user(
        db=db,
        email=DEMO_STAFF[0],
        name="Clara Concierge",
        password=DEMO_STAFF[1],
        policy=False,
        roles=ALL_ROLES,
    )
    for email, password, name, roles in DEMO_ROLE_LOGINS:
        partners.create_staff_user(
            db=db, email=email, name=name, password=password, policy=False, roles=roles
        )
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
    ids = load_bookings(db, p)
    load_partner_demo(db, date.today())
    return ids
