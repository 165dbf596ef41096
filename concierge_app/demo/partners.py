"""The demo's partners: three properties and four operators in three currencies, and the two
properties of the Balearic Homes Group, each with its commission terms and address."""

from __future__ import annotations

from concierge_app.db.engine import Database
from concierge_app.services.partner import accounts as partners

ACTOR = "demo-seed"
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

# country, currency, timezone
SPAIN = ("ES", "EUR", "Europe/Madrid")
UNITED_STATES = ("US", "USD", "America/New_York")
JAPAN = ("JP", "JPY", "Asia/Tokyo")
# code, name, kind, category, (country, currency, timezone), (commission bps, payout, how it pays)
PARTNERS = (
    (
        "PRP-1001",
        "Villa Azul",
        "property",
        "villa",
        SPAIN,
        (1500, "net_payout", "payout_deduction"),
    ),
    (
        "PRP-1002",
        "Casa Palma Miami",
        "property",
        "villa",
        UNITED_STATES,
        (1200, "gross_stripe", "bank_transfer"),
    ),
    (
        "PRP-1003",
        "Kyoto Machiya House",
        "property",
        "townhouse",
        JAPAN,
        (1500, "net_payout", "payout_deduction"),
    ),
    (
        "OPR-2001",
        "Aegean Sailing Co.",
        "operator",
        "sailing tour",
        SPAIN,
        (1000, "gross_stripe", "online"),
    ),
    (
        "OPR-2002",
        "Chef Marco Private Dining",
        "operator",
        "private chef",
        SPAIN,
        (1200, "net_payout", "bank_transfer"),
    ),
    (
        "OPR-2003",
        "SwiftRide Airport Transfers",
        "operator",
        "airport transfer",
        SPAIN,
        (800, "net_payout", "direct_debit"),
    ),
    (
        "OPR-2004",
        "Ibiza Yoga Retreats",
        "operator",
        "yoga retreat",
        SPAIN,
        (1000, "gross_stripe", "bank_transfer"),
    ),
    # The Balearic Homes Group's properties (multiple property payment plan).
    (
        "PRP-1004",
        "Villa Sol Ibiza",
        "property",
        "villa",
        SPAIN,
        (1500, "gross_stripe", "bank_transfer"),
    ),
    (
        "PRP-1005",
        "Casa Mar Mallorca",
        "property",
        "villa",
        SPAIN,
        (1500, "gross_stripe", "bank_transfer"),
    ),
)


def create_partners(db: Database) -> dict[str, int]:
    """Create the demo partners; returns their ids by code."""
    ids = {}
    for code, name, kind, cat, (country, cur, tz), (bps, payout, method) in PARTNERS:
        ids[code] = partners.create_partner(
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
            finance_contact=f"{name} accounts",
            address=ADDRESSES.get(code, ""),
            actor=ACTOR,
        )
    return ids
