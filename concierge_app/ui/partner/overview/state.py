"""State of `/partner` (Financial Overview): the partner's payment method and how it works, our
bank details for transfers, its payout account, commission by month and its payouts."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from concierge_app.domain.formatting import format_money, whole_units
from concierge_app.domain.partner_billing import Period
from concierge_app.services.partner.views.finance import financial_overview
from concierge_app.services.shared.common import today
from concierge_app.ui.partner.session import PartnerAuthState, PartnerLiveState


@dataclasses.dataclass(frozen=True)
class PayoutRow:
    period: str
    gross: str
    commission: str
    net: str


@dataclasses.dataclass(frozen=True)
class ChartPoint:
    month: str
    commission: int  # major units, rounded down: for the chart's scale only
    label: str


class OverviewState(PartnerLiveState, PartnerAuthState):
    """`/partner`: Financial Overview — how this partner pays, where to, and the chart."""

    method_label: str = ""
    how_it_works: str = ""
    platform_name: str = ""
    bank_name: str = ""
    iban: str = ""
    bic: str = ""
    reference_format: str = ""
    payout_account: str = ""
    payout_holder: str = ""
    payouts: list[PayoutRow] = []
    chart: list[dict[str, Any]] = []  # ChartPoint fields, as recharts wants plain records
    currency: str = ""

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        o = await asyncio.to_thread(financial_overview, **self._scope(), today=today())
        self.method_label, self.how_it_works = o.method_label, o.how_it_works
        self.platform_name, self.bank_name = o.platform_name, o.platform_bank_name
        self.iban, self.bic = o.platform_iban, o.platform_bic
        self.reference_format = o.reference_format
        account = o.payout_account
        self.payout_account = "" if account is None else account.iban_masked
        self.payout_holder = "" if account is None else account.account_holder
        self.currency = o.currency
        self.payouts = [
            PayoutRow(
                Period.parse(p.period).label,
                format_money(p.gross),
                format_money(p.commission),
                format_money(p.net),
            )
            for p in o.payouts
        ]
        self.chart = [
            dataclasses.asdict(ChartPoint(m.label, whole_units(m.amount), format_money(m.amount)))
            for m in o.commission_by_month
        ]
        self.view = "ready"
