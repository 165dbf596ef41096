"""`/finance/partners/[code]`: one partner's documents for staff, with the decisions staff take
on them (write off, send to legal, a credit or debit note), whether the property is closed, and
the partner's ledger. Live."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import date

import reflex as rx

from concierge_app import routes
from concierge_app.domain.commission_rates import format_rate
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_moment, format_money
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import (
    PartnerInvoiceKind,
    PartnerInvoiceState,
    due_date,
    long_date,
)
from concierge_app.services.partner.billing.commission_rates import (
    RateCard,
    RateChanged,
    change_commission_rate,
    commission_rates,
)
from concierge_app.services.partner.money.corrections import close_invoice, property_status
from concierge_app.services.partner.money.notes import (
    IssuedNote,
    issue_credit_note,
    issue_debit_note,
)
from concierge_app.services.partner.reminders import partner_reminders
from concierge_app.services.partner.views.documents import InvoiceSummary, partner_invoices
from concierge_app.services.partner.views.finance import partner_by_code
from concierge_app.services.partner.views.ledger import ledger
from concierge_app.services.shared.common import today as business_day
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.document_rows import InvoiceRow, invoice_row
from concierge_app.ui.shared.ledger.rows import LedgerView, ledger_views
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.partner_account.details_state import DetailsMixin
from concierge_app.ui.staff.partner_account.reminders import ReminderRow, reminder_row
from concierge_app.ui.staff.session import AuthState

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class StaffDocumentRow(InvoiceRow):
    can_correct: bool = False  # a credit or debit note may be issued against it
    currency: str = ""


def staff_row(s: InvoiceSummary) -> StaffDocumentRow:
    shown = dataclasses.asdict(invoice_row(s))
    if s.kind is PartnerInvoiceKind.CREDIT_NOTE:  # owed to the partner: nothing falls due
        shown["due_date"] = "—"
    return StaffDocumentRow(
        **shown,
        can_correct=s.can_correct,
        currency=s.amount.currency,
    )


def issued_text(note: IssuedNote) -> str:
    """What staff read after issuing a note."""
    title = "Credit note" if note.kind is PartnerInvoiceKind.CREDIT_NOTE else "Debit note"
    text = f"{title} {note.number} issued for {format_money(note.amount)} ({note.related_number})."
    if note.duplicate:
        return f"{title} {note.number} was already issued a moment ago: nothing new was issued."
    if note.applied:
        used = ", ".join(f"{a.invoice_number} ({format_money(a.amount)})" for a in note.applied)
        return f"{text} Credit applied: {used}."
    if note.kind is PartnerInvoiceKind.CREDIT_NOTE:
        return f"{text} No open invoice: the credit waits for the next one."
    return f"{text} Due by {long_date(note.due_date)}."


@dataclasses.dataclass(frozen=True)
class RateRow:
    """One rate of the partner's history on the Commission rate card."""

    rate: str  # "12.5 %"
    starts: str  # "From the start" / "January 1, 2027"
    state: str  # "in force" | "scheduled" | "ended"
    changed: str  # "by anna@… · Dec 6, 2026, 10:15 UTC" / "Opening rate · partner created …"


def rate_rows(card: RateCard) -> list[RateRow]:
    def changed(by: str, at: str) -> str:
        if by.startswith("system:"):  # given by the database when the partner was created
            return f"Opening rate · partner created {at} UTC"
        return f"by {by} · {at} UTC"

    return [
        RateRow(e.rate, e.starts, e.state, changed(e.changed_by, format_moment(e.changed_at)))
        for e in card.entries
    ]


def rate_changed_text(changed: RateChanged) -> str:
    """What staff read after changing a rate."""
    rate = format_rate(changed.rate_bps)
    starts = long_date(changed.valid_from)
    if changed.duplicate:
        return f"{rate} from {starts} was already recorded: nothing changed."
    return (
        f"Commission rate {rate} from {starts} recorded. Reservations made before then keep "
        "the rate in force when they were made."
    )


class PartnerAccountState(DetailsMixin, LiveState, AuthState):
    code: str = ""
    name: str = ""
    not_found: bool = False
    loading: bool = True
    documents: list[StaffDocumentRow] = []
    reminders: list[ReminderRow] = []
    ledgers: list[LedgerView] = []
    closed: bool = False
    closed_reason: str = ""
    # the write-off / legal dialog
    dialog_open: bool = False
    dialog_invoice_id: str = ""
    dialog_number: str = ""
    dialog_error: str = ""
    saving: bool = False
    message: str = ""
    # the credit / debit note dialog
    note_open: bool = False
    note_kind: str = PartnerInvoiceKind.CREDIT_NOTE.value
    note_invoice_id: str = ""
    note_number: str = ""
    note_amount: str = ""  # the invoice's amount, for the dialog's hint
    note_currency: str = ""
    note_due: str = ""  # a debit note's default due date (ISO)
    note_errors: dict[str, str] = {}
    # the Commission rate card and its Change rate dialog
    rate_current: str = ""
    rates: list[RateRow] = []
    rate_earliest: str = ""  # ISO: the first day a new rate may start
    rate_open: bool = False
    rate_errors: dict[str, str] = {}

    def _code_from_url(self) -> str:
        return routes.path_parameter(self.router.url.path, routes.FINANCE_PARTNER_PREFIX)

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.loading, self.not_found, self.message = True, False, ""
        await self._reload()

    async def _reload(self) -> None:
        db, today = get_database(), business_day()
        self.version = await self._ledger_version()
        try:
            header = await asyncio.to_thread(partner_by_code, db=db, code=self._code_from_url())
        except DomainError:
            self.not_found, self.loading = True, False
            return
        self.code, self.name = header.code, header.name
        await self._load_details(header.code)
        docs = await asyncio.to_thread(partner_invoices, db=db, partner_id=header.id, today=today)
        prop = await asyncio.to_thread(property_status, db=db, partner_id=header.id, today=today)
        books = await asyncio.to_thread(ledger, db=db, partner_id=header.id, today=today)
        reminders = await asyncio.to_thread(
            partner_reminders, db=db, partner_id=header.id, today=today
        )
        self.documents = [staff_row(d) for d in docs]
        self.reminders = [reminder_row(r) for r in reminders]
        self.ledgers = ledger_views(books)
        self.closed, self.closed_reason = prop.closed, prop.reason
        self._show_rates(
            await asyncio.to_thread(commission_rates, db=db, partner_id=header.id, today=today)
        )
        self.loading = False

    @rx.event
    def ask_close(self, invoice_id: str, number: str) -> None:
        self.dialog_open, self.dialog_invoice_id, self.dialog_number = True, invoice_id, number
        self.dialog_error = ""

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    async def close_invoice(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Write the invoice off or send it to legal (the form's `to`), with the reason."""
        if self.saving:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.saving, self.dialog_error = True, ""
        yield
        to = (
            PartnerInvoiceState.LEGAL
            if form.get("to") == "legal"
            else PartnerInvoiceState.WRITTEN_OFF
        )
        try:
            await asyncio.to_thread(
                close_invoice,
                db=get_database(),
                invoice_id=int(self.dialog_invoice_id),
                to=to,
                reason=form.get("reason", ""),
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.dialog_error = refused.message
            return
        finally:
            self.saving = False
        self.dialog_open = False
        words = "sent to legal" if to is PartnerInvoiceState.LEGAL else "written off"
        self.message = f"Invoice {self.dialog_number} was {words}; the property is closed."
        await self._reload()

    # -- credit and debit notes --------------------------------------------------------
    @rx.event
    def ask_note(self, kind: str, invoice_id: str) -> None:
        row = next((d for d in self.documents if d.id == invoice_id), None)
        if row is None:
            return
        self.note_kind = PartnerInvoiceKind(kind).value
        self.note_invoice_id, self.note_number = row.id, row.number
        self.note_amount, self.note_currency = row.amount, row.currency
        self.note_due = due_date(business_day()).isoformat()
        self.note_errors, self.note_open = {}, True

    @rx.event
    def set_note_open(self, value: bool) -> None:
        self.note_open = value

    @rx.event
    async def issue_note(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Issue the credit or debit note of the dialog (a double click issues one)."""
        if self.saving:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.saving, self.note_errors = True, {}
        yield
        try:
            note = await asyncio.to_thread(self._issue, form)
        except DomainError as refused:
            self.note_errors = {refused.field or "form": refused.message}
            return
        finally:
            self.saving = False
        self.note_open = False
        self.message = issued_text(note)
        await self._reload()

    def _issue(self, form: dict[str, str]) -> IssuedNote:
        amount = Money.parse(form.get("amount", ""), self.note_currency, field="amount")
        common = {
            "db": get_database(),
            "invoice_id": int(self.note_invoice_id),
            "amount": amount,
            "reason": form.get("reason", ""),
            "actor": self.staff_email,
            "today": business_day(),
        }
        if self.note_kind == PartnerInvoiceKind.CREDIT_NOTE.value:
            return issue_credit_note(**common)
        try:
            due = date.fromisoformat(form.get("due_date", "").strip())
        except ValueError:
            raise DomainError("Give the due date.", field="due_date") from None
        return issue_debit_note(**common, due_date=due)

    # -- the commission rate -------------------------------------------------------------
    def _show_rates(self, card: RateCard) -> None:
        self.rate_current, self.rates = card.current, rate_rows(card)
        self.rate_earliest = card.earliest_start.isoformat()

    @rx.event
    def ask_rate(self) -> None:
        self.rate_errors, self.rate_open = {}, True

    @rx.event
    def set_rate_open(self, value: bool) -> None:
        self.rate_open = value

    @rx.event
    async def change_rate(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Add the dialog's rate to the partner's history (a double click records one)."""
        if self.saving:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.saving, self.rate_errors = True, {}
        yield
        try:
            changed = await asyncio.to_thread(self._change_rate, form)
        except DomainError as refused:
            self.rate_errors = {refused.field or "form": refused.message}
            return
        finally:
            self.saving = False
        self.rate_open = False
        self.message = rate_changed_text(changed)
        await self._reload()

    def _change_rate(self, form: dict[str, str]) -> RateChanged:
        db = get_database()
        header = partner_by_code(db=db, code=self._code_from_url())
        return change_commission_rate(
            db=db,
            partner_id=header.id,
            rate=form.get("rate", ""),
            valid_from=form.get("valid_from", ""),
            actor=self.staff_email,
            today=business_day(),
        )
