"""The partner tables as SQLAlchemy Core tables, for the set-based reads and writes of partner
billing, money and views (one definition, imported where a query selects from them)."""

from __future__ import annotations

from concierge_app.db.parties import Partner, PartnerGroup
from concierge_app.db.partner_billing import (
    PartnerBankAccount,
    PartnerInvoice,
    PartnerStatement,
    Payout,
)
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.services.shared.common import table_of

INVOICE = table_of(PartnerInvoice)
STATEMENT = table_of(PartnerStatement)
PARTNER = table_of(Partner)
GROUP = table_of(PartnerGroup)
PAYOUT = table_of(Payout)
BANK_ACCOUNT = table_of(PartnerBankAccount)
PAYMENT = table_of(PartnerPayment)
ALLOCATION = table_of(PartnerAllocation)
