"""The finance page's Books tab: the period's journal (totals per currency, a CSV download per
currency in our format, Xero's or QuickBooks'), and the monthly invoiced / paid / outstanding
charts for guest invoices and partner commission."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import whole_units
from concierge_app.domain.journal_csv import CsvFormat, decimal_text
from concierge_app.domain.partner_billing import Period
from concierge_app.services.books.charts import CurrencySeries, books_charts
from concierge_app.services.books.journal import build_journal, journal_files
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.settings import get_settings


def to_monthly_chart(series: CurrencySeries) -> dict[str, Any]:
    """One currency's months as bars (whole units: a chart's scale only)."""
    return {
        "currency": series.currency,
        "data": [
            {
                "month": f"{m.period.label[:3]} {m.period.year % 100:02d}",
                "invoiced": whole_units(m.invoiced),
                "paid": whole_units(m.paid),
                "outstanding": whole_units(m.outstanding),
            }
            for m in series.months
        ],
    }


class BooksMixin(rx.State, mixin=True):
    """Part of `FinanceState`: uses the staff session."""

    books_period: str = ""
    books_error: str = ""
    books_totals: list[dict[str, str]] = []  # currency, entries, debit, credit
    guest_chart: list[dict[str, Any]] = []
    commission_chart: list[dict[str, Any]] = []

    @rx.event
    async def load_books(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        if not self.books_period:
            self.books_period = str(Period.of(today()))
        charts = await asyncio.to_thread(books_charts, db=get_database(), today=today())
        self.guest_chart = [to_monthly_chart(s) for s in charts.guest]
        self.commission_chart = [to_monthly_chart(s) for s in charts.commission]
        await self._show_journal()

    @rx.event
    def set_books_period(self, value: str) -> None:
        self.books_period, self.books_error, self.books_totals = value[:20], "", []

    @rx.event
    async def show_journal(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        await self._show_journal()

    async def _show_journal(self) -> None:
        try:
            period = self._books_month()
            journal = await asyncio.to_thread(
                build_journal,
                db=get_database(),
                period=period,
                actor=self.staff_email,  # type: ignore[attr-defined]
            )
        except DomainError as bad:
            self.books_error, self.books_totals = bad.message, []
            return
        self.books_error = "" if journal.entries else f"No money moved in {period.label}."
        self.books_totals = [
            {
                "currency": t.currency,
                "entries": f"{t.entries:,}",
                "debit": decimal_text(t.debit_minor, t.currency),
                "credit": decimal_text(t.credit_minor, t.currency),
            }
            for t in journal.totals
        ]

    def _books_month(self) -> Period:
        if not self.books_period.isascii():
            raise DomainError("Give the period as YYYY-MM, e.g. 2026-11.", field="period")
        return Period.parse(self.books_period)

    @rx.event
    async def download_journal(self, currency: str, fmt: str):  # type: ignore[no-untyped-def]
        """The period's journal for one currency, as CSV text to download."""
        if not await self._signed_in():  # type: ignore[attr-defined]
            yield self._to_sign_in()  # type: ignore[attr-defined]
            return
        try:
            period, kind = self._books_month(), CsvFormat(fmt)
            journal = await asyncio.to_thread(
                build_journal,
                db=get_database(),
                period=period,
                actor=self.staff_email,  # type: ignore[attr-defined]
            )
        except (DomainError, ValueError) as bad:
            self.books_error = getattr(bad, "message", "Choose a file to download.")
            return
        chart = get_settings().chart_of_accounts
        for f in journal_files(journal, chart, kind):
            if f.currency == currency:
                yield rx.download(data=f.text, filename=f.name)
                return
        self.books_error = f"No {currency[:3]} entries in {period.label}."
