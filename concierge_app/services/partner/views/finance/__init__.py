"""Partner finance pages: Financial Overview, Bank details (view, masked; edit, audited), the
commission chart, and the staff finance overview across partners.

- bank_account: the partner's bank details, masked, and their audited change
- overview: the partner's Financial Overview (payouts, commission by month)
- staff_overview: every partner's balance, and the totals by currency
- lookups: a partner by code, a document by number, the recent invoices and payouts
"""

from concierge_app.services.partner.views.finance.bank_account import (
    BankAccountView,
    account_view,
    bank_account,
    mask_iban,
    update_bank_account,
)
from concierge_app.services.partner.views.finance.lookups import (
    PartnerHeader,
    StaffInvoiceView,
    StaffPayoutView,
    invoice_id_by_number,
    partner_by_code,
    recent_partner_invoices,
    recent_payouts,
)
from concierge_app.services.partner.views.finance.overview import (
    METHOD_LABELS,
    FinancialOverview,
    MonthCommission,
    PayoutView,
    financial_overview,
)
from concierge_app.services.partner.views.finance.staff_overview import (
    CurrencyTotals,
    PartnerBalance,
    currency_totals,
    staff_finance_overview,
)

__all__ = [
    "METHOD_LABELS",
    "BankAccountView",
    "CurrencyTotals",
    "FinancialOverview",
    "MonthCommission",
    "PartnerBalance",
    "PartnerHeader",
    "PayoutView",
    "StaffInvoiceView",
    "StaffPayoutView",
    "account_view",
    "bank_account",
    "currency_totals",
    "financial_overview",
    "invoice_id_by_number",
    "mask_iban",
    "partner_by_code",
    "recent_partner_invoices",
    "recent_payouts",
    "staff_finance_overview",
    "update_bank_account",
]
