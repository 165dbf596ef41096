"""The partner's Financial Overview: how it pays, its payouts and its commission by month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schwifty import IBAN
from sqlalchemy import func
from sqlmodel import col, select

from concierge_app.db.engine import Database
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerBankAccount, PartnerInvoice, Payout
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period
from concierge_app.domain.statuses import CommissionPaymentMethod, PayoutMethod
from concierge_app.services.partner.views.documents.document import (
    PAYMENT_METHOD_LABELS,
)
from concierge_app.services.partner.views.finance.bank_account import BankAccountView, account_view
from concierge_app.services.shared.common import load
from concierge_app.settings import get_settings

METHOD_LABELS = PAYMENT_METHOD_LABELS


@dataclass(frozen=True, slots=True)
class MonthCommission:
    period: str  # "2026-11"
    label: str  # "Nov 2026"
    amount: Money


@dataclass(frozen=True, slots=True)
class PayoutView:
    period: str
    gross: Money
    commission: Money
    net: Money


@dataclass(frozen=True, slots=True)
class FinancialOverview:
    partner_name: str
    partner_code: str
    currency: str
    paid_out: str  # "net" / "gross"
    method: str  # CommissionPaymentMethod value
    method_label: str
    how_it_works: str
    platform_name: str
    platform_bank_name: str
    platform_iban: str
    platform_bic: str
    reference_format: str  # e.g. "PRP-1001 + invoice number"
    payout_account: BankAccountView | None
    payouts: list[PayoutView]
    commission_by_month: list[MonthCommission]


def _how_it_works(partner: Partner) -> str:
    if partner.payout_method == PayoutMethod.GROSS_STRIPE:
        return (
            "You receive the gross amount of your reservations (through Stripe). We invoice the "
            "commission separately each month; pay it by the due date."
        )
    if partner.commission_payment_method == CommissionPaymentMethod.PAYOUT_DEDUCTION:
        return (
            "Payments are facilitated by us: the commission on what we collect for you is "
            "deducted from your payout, so those invoices need no payment. Commission on "
            "money you collect yourself is invoiced and paid by bank transfer."
        )
    method = METHOD_LABELS[partner.commission_payment_method].lower()
    return (
        "The commission on what we collect for you is deducted from your payout; the rest of "
        f"each month's invoice is paid by {method}."
    )


def financial_overview(*, db: Database, partner_id: int, today: date) -> FinancialOverview:
    settings = get_settings()
    with db.read() as session:
        partner = load(session, Partner, partner_id, "Partner")
        payouts = session.exec(
            select(Payout)
            .where(Payout.partner_id == partner_id)
            .order_by(col(Payout.period).desc())
            .limit(12)
        ).all()
        first = Period.of(today).previous()
        months = [first]
        for _ in range(11):
            months.append(months[-1].previous())
        months.reverse()
        sums = dict(
            session.exec(
                select(PartnerInvoice.period, func.sum(PartnerInvoice.amount_minor))
                .where(
                    PartnerInvoice.partner_id == partner_id,
                    PartnerInvoice.kind == PartnerInvoiceKind.COMMISSION,
                    PartnerInvoice.currency == partner.currency,
                    col(PartnerInvoice.period).in_([str(m) for m in months]),
                )
                .group_by(col(PartnerInvoice.period))
            ).all()
        )
        account = session.exec(
            select(PartnerBankAccount).where(PartnerBankAccount.partner_id == partner_id)
        ).first()
    return FinancialOverview(
        partner_name=partner.name,
        partner_code=partner.code,
        currency=partner.currency,
        paid_out="gross" if partner.payout_method == PayoutMethod.GROSS_STRIPE else "net",
        method=partner.commission_payment_method,
        method_label=METHOD_LABELS[partner.commission_payment_method],
        how_it_works=_how_it_works(partner),
        platform_name=settings.platform_legal_name,
        platform_bank_name=settings.platform_bank_name,
        platform_iban=IBAN(settings.platform_iban).formatted,
        platform_bic=settings.platform_bic,
        reference_format=f"{partner.code} + invoice number",
        payout_account=None if account is None else account_view(account, partner.timezone),
        payouts=[
            PayoutView(
                p.period,
                Money(p.gross_minor, p.currency),
                Money(p.commission_minor, p.currency),
                Money(p.net_minor, p.currency),
            )
            for p in payouts
        ],
        commission_by_month=[
            MonthCommission(
                str(m), f"{m.label[:3]} {m.year}", Money(int(sums.get(str(m), 0)), partner.currency)
            )
            for m in months
        ],
    )
