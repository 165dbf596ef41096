"""States of the partner finance pages: Financial Overview, Invoices (with Outstanding balances),
one invoice's reservation statement with its CSV and PDF, and Bank details."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import date
from typing import Any
from urllib.parse import unquote

import reflex as rx

from concierge_app.db.engine import get_database
from concierge_app.documents import document_payment_lines
from concierge_app.documents.partner_invoice_pdf import render_invoice_pdf
from concierge_app.documents.statement_csv import statement_csv
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.partner_billing import PartnerInvoiceKind, Period, long_date
from concierge_app.services.common import today
from concierge_app.services.direct_debit import mandate_of
from concierge_app.services.formatting import format_day, format_money, whole_units
from concierge_app.services.partner_checkout import (
    begin_partner_checkout,
    checkout_outcome,
    online_payability,
    pay_all_online,
)
from concierge_app.services.partner_corrections import property_status, reopen_property
from concierge_app.services.partner_documents import (
    InvoiceSummary,
    invoice_document,
    invoices_view,
)
from concierge_app.services.partner_finance import (
    bank_account,
    financial_overview,
    invoice_id_by_number,
    update_bank_account,
)
from concierge_app.services.partner_payments import announce_payment
from concierge_app.state.partner_auth import PartnerAuthState, PartnerLiveState

logger = logging.getLogger(__name__)

# The partner guide's colours: green paid, red due / overdue / part-paid, black written off.
STATUS_COLOURS = {"green": "#1b7f3b", "red": "#c4221f", "black": "#000000"}


def _today() -> date:
    return today()


@dataclasses.dataclass(frozen=True)
class InvoiceRow:
    id: str
    number: str
    title: str
    period: str
    invoice_date: str
    due_date: str
    amount: str
    payable: str
    outstanding: str
    status: str
    colour: str  # green / red / black
    colour_css: str
    note: str  # payment processing, or the overdue warning
    can_announce: bool  # "I've paid" is offered
    can_close: bool  # staff may write it off or send it to legal
    pay_online: bool = False  # "Pay online" (by card) is offered
    transfer_only: str = ""  # a black document: paid by bank transfer only, quoting …


def invoice_row(s: InvoiceSummary, partner_code: str | None = None) -> InvoiceRow:
    """A row of the Invoices tables; with `partner_code` (the partner's own page), whether it
    can be paid online and, for a black one, that it is paid by bank transfer only."""
    colour = s.status_colour.value
    pay_online, transfer_only = (
        (False, "") if partner_code is None else online_payability(s, partner_code)
    )
    return InvoiceRow(
        id=str(s.id),
        number=s.number,
        title=s.title,
        period=s.period_label,
        invoice_date=format_day(s.invoice_date),
        due_date=format_day(s.due_date),
        amount=format_money(s.amount),
        payable="Nothing to pay" if s.nothing_to_pay else format_money(s.payable),
        outstanding=format_money(s.outstanding),
        status=s.status_text,
        colour=colour,
        colour_css=STATUS_COLOURS[colour],
        note=s.status_note,
        can_announce=s.can_announce,
        can_close=s.can_close,
        pay_online=pay_online,
        transfer_only=transfer_only,
    )


INVOICES_PATH = "/partner/invoices"
# After the provider's checkout (`?checkout=…`): what the ledger says, never the redirect.
CHECKOUT_NOTICES = {
    "cancelled": ("Payment cancelled", "Nothing was charged.", "warning"),
    "paid": ("Payment received — thank you", "Your invoices are marked Paid.", "success"),
    "open": (
        "Payment processing…",
        "We are confirming your payment with the card provider: this page updates by itself.",
        "info",
    ),
    "expired": ("Payment not completed", "Nothing was charged: you can pay again.", "warning"),
    "failed": ("Payment not completed", "The payment failed: you can pay again.", "warning"),
}


@dataclasses.dataclass(frozen=True)
class PayAllRow:
    """One "Pay all online" button: the documents payable online in one currency."""

    ids: str  # "12,15"
    currency: str
    total: str


class PartnerInvoicesState(PartnerLiveState, PartnerAuthState):
    invoices: list[InvoiceRow] = []
    open_items: list[InvoiceRow] = []
    total_outstanding: str = ""
    overdue: int = 0  # red invoices past their due date
    closed: bool = False  # the property is closed (an invoice written off or with legal)
    closed_reason: str = ""
    can_reopen: bool = False
    still_to_pay: str = ""  # the documents to pay in full before reopening
    message: str = ""  # the outcome of the last action
    error: str = ""
    busy: bool = False
    pay_all: list[PayAllRow] = []  # one per currency
    paying: str = ""  # the ids of the checkout being opened
    checkout_title: str = ""  # back from the checkout: received / processing / cancelled
    checkout_detail: str = ""
    checkout_kind: str = ""  # success / info / warning
    _returned: str = ""  # ?checkout=… (a checkout id, or "cancelled")

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.paying = ""
        self._returned = self.router.url.query_parameters.get("checkout", "")[:40]
        if not await self._enter():
            yield self._to_sign_in()
            return
        await self._reload()

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        try:
            view = await asyncio.to_thread(invoices_view, **self._scope(), today=_today())
            prop = await asyncio.to_thread(property_status, **self._scope(), today=_today())
            returned = await asyncio.to_thread(self._checkout_status)
        except Exception:
            logger.exception("Could not load invoices of partner %s", self._pid)
            self.view = "error"
            return
        code = self.partner_code
        self.invoices = [invoice_row(s) for s in view.documents]
        self.open_items = [invoice_row(s, code) for s in view.outstanding]
        self.pay_all = [
            PayAllRow(",".join(map(str, g.invoice_ids)), g.currency, format_money(g.total))
            for g in pay_all_online(view.outstanding, code)
        ]
        self.checkout_title, self.checkout_detail, self.checkout_kind = CHECKOUT_NOTICES.get(
            returned, ("", "", "")
        )
        self.total_outstanding = " + ".join(format_money(m) for m in view.total_due)
        self.overdue = view.overdue
        self.closed, self.closed_reason = prop.closed, prop.reason
        self.can_reopen, self.still_to_pay = prop.can_reopen, ", ".join(prop.unpaid)
        self.view = "ready"

    def _checkout_status(self) -> str:
        """The status of the checkout the partner came back from ("" when none or not its)."""
        if self._returned in ("", "cancelled"):
            return self._returned
        return checkout_outcome(db=get_database(), checkout_id=self._returned, partner_id=self._pid)

    @rx.event
    async def pay_online(self, ids: str):  # type: ignore[no-untyped-def]
        """Open the payment provider's checkout for these documents (one currency), go there."""
        if self.paying or self.busy:
            return
        if not await self._enter():
            yield self._to_sign_in()
            return
        self.paying, self.message, self.error = ids, "", ""
        yield
        try:
            start = await asyncio.to_thread(
                begin_partner_checkout,
                db=get_database(),
                invoice_ids=[int(i) for i in ids.split(",") if i.isdigit()],
                actor=f"partner:{self._pid}",
                return_path=INVOICES_PATH,
                partner_id=self._pid,
                today=_today(),
            )
        except DomainError as refused:
            self.error, self.paying = refused.message, ""
            return
        except Exception:
            logger.exception("Could not start an online payment for partner %s", self._pid)
            self.error = "The payment could not be started. Please try again in a moment."
            self.paying = ""
            return
        yield rx.redirect(start.url)

    @rx.event
    async def announce_paid(self, invoice_id: str):  # type: ignore[no-untyped-def]
        """ "I've paid" (by bank transfer): the invoice stays red and says when it should be
        reflected."""
        if self.busy:
            return
        if not await self._enter():
            yield self._to_sign_in()
            return
        self.message, self.error, self.busy = "", "", True
        yield
        try:
            by = await asyncio.to_thread(
                announce_payment, **self._scope(), invoice_id=int(invoice_id), today=_today()
            )
            self.message = (
                f"Thank you. Your payment is processing: it should be reflected by {long_date(by)}."
            )
        except DomainError as refused:
            self.error = refused.message
        finally:
            self.busy = False
        await self._reload()

    @rx.event
    async def open_property(self):  # type: ignore[no-untyped-def]
        """ "Open your property": once every outstanding invoice is paid in full."""
        if self.busy:
            return
        if not await self._enter():
            yield self._to_sign_in()
            return
        self.message, self.error, self.busy = "", "", True
        yield
        try:
            await asyncio.to_thread(
                reopen_property,
                **self._scope(),
                actor=f"partner:{self._pid}",
                today=_today(),
            )
            self.message = "Your property is open again."
        except DomainError as refused:
            self.error = refused.message
        finally:
            self.busy = False
        await self._reload()


@dataclasses.dataclass(frozen=True)
class StatementRow:
    reference: str
    guest: str
    description: str
    dates: str
    base: str
    rate: str
    commission: str
    collected_by: str


class StatementState(PartnerLiveState, PartnerAuthState):
    """`/partner/invoices/[number]`: one document and its reservation statement."""

    number: str = ""
    title: str = ""
    period: str = ""
    invoice_date: str = ""
    due_date: str = ""
    amount: str = ""
    deducted: str = ""
    payable: str = ""
    nothing_to_pay: bool = False
    status: str = ""
    colour_css: str = ""
    payment_reference: str = ""
    instructions: list[str] = []
    lines: list[StatementRow] = []
    # what the document is: a commission invoice (with its statement), a VAT/GST document, a
    # credit note (owed to the partner: nothing to pay) or a debit note
    is_commission: bool = True
    is_credit_note: bool = False
    subtitle: str = ""
    not_found: bool = False
    _invoice_id: int = 0

    def _number_from_url(self) -> str:
        path = self.router.url.path.rstrip("/")
        return unquote(path.rsplit("/", 1)[-1]) if "/partner/invoices/" in path else ""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.view, self.not_found = "loading", False
        if not await self._enter():
            yield self._to_sign_in()
            return
        await self._reload()

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        number = self._number_from_url()
        try:
            doc = await asyncio.to_thread(self._load_document, number)
        except NotFound:
            self.not_found, self.view = True, "ready"
            return
        self._invoice_id = doc.id
        self.number, self.title, self.period = doc.number, doc.title, doc.period_label
        self.is_commission = doc.kind is PartnerInvoiceKind.COMMISSION
        self.is_credit_note = doc.kind is PartnerInvoiceKind.CREDIT_NOTE
        self.subtitle = doc.subtitle
        self.invoice_date, self.due_date = format_day(doc.invoice_date), format_day(doc.due_date)
        self.amount, self.deducted = format_money(doc.amount), format_money(doc.deducted)
        self.payable, self.nothing_to_pay = format_money(doc.payable), doc.nothing_to_pay
        self.status = doc.status.text
        self.colour_css = STATUS_COLOURS[doc.status.colour.value]
        self.payment_reference = doc.payment_reference
        self.instructions = document_payment_lines(doc, format_money(doc.payable))
        self.lines = [
            StatementRow(
                ln.reference,
                ln.guest_name,
                ln.description,
                format_day(ln.end_date)
                if ln.start_date == ln.end_date
                else f"{format_day(ln.start_date)} – {format_day(ln.end_date)}",
                format_money(ln.base),
                ln.rate,
                format_money(ln.commission),
                ln.collected_by_label,
            )
            for ln in doc.lines
        ]
        self.view = "ready"

    def _load_document(self, number: str):  # type: ignore[no-untyped-def]
        """The partner's own invoice by number (another partner's number is not found)."""
        invoice_id = invoice_id_by_number(db=get_database(), partner_id=self._pid, number=number)
        return invoice_document(
            db=get_database(), invoice_id=invoice_id, partner_id=self._pid, today=_today()
        )

    async def _own_document(self) -> Any:
        """This page's document, for the signed-in partner only (None: signed out)."""
        if not await self._enter():
            return None
        return await asyncio.to_thread(
            invoice_document,
            db=get_database(),
            invoice_id=self._invoice_id,
            partner_id=self._pid,
            today=_today(),
        )

    @rx.event
    async def download_csv(self):  # type: ignore[no-untyped-def]
        doc = await self._own_document()
        if doc is None:
            yield self._to_sign_in()
            return
        yield rx.download(data=statement_csv(doc), filename=f"{doc.number}-statement.csv")

    @rx.event
    async def download_pdf(self):  # type: ignore[no-untyped-def]
        doc = await self._own_document()
        if doc is None:
            yield self._to_sign_in()
            return
        pdf = await asyncio.to_thread(render_invoice_pdf, doc)
        yield rx.download(data=pdf, filename=f"{doc.number}.pdf")


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

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._enter():
            yield self._to_sign_in()
            return
        await self._reload()

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        o = await asyncio.to_thread(financial_overview, **self._scope(), today=_today())
        self.method_label, self.how_it_works = o.method_label, o.how_it_works
        self.platform_name, self.bank_name = o.platform_name, o.platform_bank_name
        self.iban, self.bic, self.reference_format = (
            o.platform_iban,
            o.platform_bic,
            (o.reference_format),
        )
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


class BankDetailsState(PartnerLiveState, PartnerAuthState):
    """`/partner/bank-details`: the payout account, masked; edit with IBAN validation."""

    holder: str = ""
    iban_masked: str = ""
    bic: str = ""
    updated: str = ""
    mandate: str = ""  # "Direct debit mandate …, signed …, collected from …" (if any)
    editing: bool = False
    errors: dict[str, str] = {}
    saved: str = ""
    saving: bool = False

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.editing, self.errors, self.saved = False, {}, ""
        if not await self._enter():
            yield self._to_sign_in()
            return
        await self._reload()

    async def _reload(self) -> None:
        self.version = await self._ledger_version()
        account = await asyncio.to_thread(bank_account, **self._scope())
        self.holder = "" if account is None else account.account_holder
        self.iban_masked = "" if account is None else account.iban_masked
        self.bic = "" if account is None else account.bic
        self.updated = "" if account is None else f"{account.updated_at} by {account.updated_by}"
        mandate = await asyncio.to_thread(mandate_of, **self._scope())
        self.mandate = "" if mandate is None else mandate.text
        self.view = "ready"

    @rx.event
    def start_edit(self) -> None:
        self.editing, self.errors, self.saved = True, {}, ""

    @rx.event
    def cancel_edit(self) -> None:
        self.editing, self.errors = False, {}

    @rx.event
    async def save(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.saving:
            return
        who = await self._identity()
        if who is None or who.partner_id != self._pid:
            yield self._to_sign_in()
            return
        self.saving, self.errors = True, {}
        yield
        try:
            await asyncio.to_thread(
                update_bank_account,
                db=get_database(),
                partner_id=self._pid,
                account_holder=form.get("account_holder", ""),
                iban=form.get("iban", ""),
                bic=form.get("bic", ""),
                actor=who.email,
            )
        except DomainError as refused:
            self.errors = {refused.field or "form": refused.message}
            self.saving = False
            return
        self.saving, self.editing = False, False
        self.saved = "Bank details saved. We emailed your finance contact about the change."
        await self._reload()
