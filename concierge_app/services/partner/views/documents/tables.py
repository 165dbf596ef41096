"""The tables the partner document reads select from (SQLAlchemy Core)."""

from __future__ import annotations

from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import (
    PartnerBankAccount,
    PartnerInvoice,
    PartnerStatement,
    Payout,
)
from concierge_app.db.partner_payments import PartnerAllocation, PartnerPayment
from concierge_app.services.shared.common import table_of

INVOICE, STATEMENT, PARTNER, PAYOUT = (
    table_of(PartnerInvoice),
    table_of(PartnerStatement),
    table_of(Partner),
    table_of(Payout),
)
BANK_ACCOUNT, PAYMENT, ALLOCATION = (
    table_of(PartnerBankAccount),
    table_of(PartnerPayment),
    table_of(PartnerAllocation),
)
