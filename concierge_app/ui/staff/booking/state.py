"""State of the booking page `/bookings/[reference]`: overview, Trip Portfolio, Payments panel.

Thin by design, like the Bookings page: every read comes from `services.guest.queries`,
every action calls one service and shows its result, or the DomainError's message at the form
field it names. Money reaches the browser only as formatted strings (`rows`); the confirmation
dialog's questions and messages are in `actions`; the Refund dialog and the Add service form
are the mixins `refund_state` and `service_form_state`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx

from concierge_app import routes
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.formatting import format_day, format_moment, format_money
from concierge_app.domain.lifecycle import BookingStatus, InvoiceStatus, ServiceLifecycle
from concierge_app.services.guest import invoicing
from concierge_app.services.guest.document_list import booking_documents
from concierge_app.services.guest.links import issue_guest_link
from concierge_app.services.guest.queries import (
    BookingHeader,
    PaymentsPanel,
    ServiceView,
    booking_by_reference,
    booking_page,
    list_partners,
)
from concierge_app.services.guest.reminders import (
    BookingReminders,
    booking_reminders,
    set_reminders_paused,
)
from concierge_app.services.shared.common import today
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.booking.actions import (
    REVOKE_LINKS_QUESTION,
    Question,
    cancel_booking_question,
    cancel_service_question,
    confirm_service_question,
    run_confirmed_action,
    void_question,
)
from concierge_app.ui.staff.booking.edit_state import EditBookingMixin
from concierge_app.ui.staff.booking.refund_state import RefundDialogMixin
from concierge_app.ui.staff.booking.rows import (
    DEPOSIT_STRATEGY,
    DocumentRow,
    InvoiceRow,
    LineRow,
    OperatorOption,
    Overview,
    RefundRow,
    ServiceRow,
    TotalsView,
    service_notes,
    to_invoice_row,
    to_overview,
    to_refund_row,
    to_service_row,
    to_totals,
)
from concierge_app.ui.staff.booking.service_form_state import AddServiceMixin
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState

logger = logging.getLogger(__name__)


class BookingState(EditBookingMixin, RefundDialogMixin, AddServiceMixin, LiveState, AuthState):
    """One booking: its overview, Trip Portfolio and Payments panel; reloads when it changes.
    The Refund dialog and the Add service form are its mixins."""

    booking_id: int = 0
    loading: bool = True
    not_found: str = ""
    error: str = ""
    overview: Overview = Overview()
    services: list[ServiceRow] = []
    invoices: list[InvoiceRow] = []
    draft_id: str = ""
    draft_lines: list[LineRow] = []
    draft_total: str = ""
    totals: TotalsView = TotalsView()
    refund_rows: list[RefundRow] = []
    documents: list[DocumentRow] = []
    operators: list[OperatorOption] = []
    reminders_paused: bool = False
    next_reminder: str = ""  # "Next reminder: July 4, 2026 (3 days after sending, CI-…)"

    # Per service (backend only): title, what confirming / cancelling does, amounts for Refund.
    _notes: dict[str, dict[str, str]] = {}

    # Work in progress: "" or what runs, e.g. "confirm", "send", "cancel_booking".
    busy: str = ""
    guest_link: str = ""  # a link just issued by staff, shown once to copy
    guest_link_expires: str = ""

    # The confirmation dialog (confirm / cancel a service, void an invoice, cancel the booking).
    confirm_kind: str = ""  # "" when closed
    confirm_target: str = ""
    confirm_title: str = ""
    confirm_body: str = ""
    confirm_action: str = ""
    confirm_needs_reason: bool = False
    confirm_reason_label: str = ""
    confirm_error: str = ""
    confirm_error_field: str = ""  # "reason" when the message belongs at the reason field

    # -- derived --------------------------------------------------------------------------
    @rx.var
    def view(self) -> str:
        """What the page shows: "loading", "not-found", "error" or "booking"."""
        if self.loading:
            return "loading"
        if self.not_found:
            return "not-found"
        if self.error:
            return "error"
        return "booking"

    @rx.var
    def is_cancelled(self) -> bool:
        return self.overview.status == BookingStatus.CANCELLED.value

    @rx.var
    def can_send(self) -> bool:
        return bool(self.draft_id and self.draft_lines) and not self.is_cancelled

    @rx.var
    def refunds_due(self) -> list[ServiceRow]:
        return [row for row in self.services if row.refund_required]

    @rx.var
    def needs_deposit(self) -> bool:
        return self.form_strategy == DEPOSIT_STRATEGY

    @rx.var
    def service_count(self) -> str:
        count = len(self.services)
        return "1 service" if count == 1 else f"{count} services"

    # -- loading --------------------------------------------------------------------------
    def _reference_from_url(self) -> str:
        return routes.path_parameter(self.router.url.path, routes.BOOKING_PREFIX)

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        """on_load: sign-in check, then the booking named in the URL."""
        self.loading, self.not_found, self.error = True, "", ""
        self.booking_id, self.version = 0, -1
        self._close_dialogs()
        yield
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        reference = self._reference_from_url()
        db = get_database()
        try:
            header = await asyncio.to_thread(booking_by_reference, db=db, reference=reference)
            operators = await asyncio.to_thread(list_partners, db=db, kind="operator")
        except NotFound as missing:
            self.not_found = missing.message
            self.loading = False
            return
        except Exception:
            logger.exception("Could not load booking %s", reference)
            self.error = "The booking could not be loaded from the database. Check the server log."
            self.loading = False
            return
        self.booking_id = header.id
        self.operators = [OperatorOption(str(o.id), o.name, o.category) for o in operators]
        await self._reload()

    # Live: watch this booking only, and not while this browser's own change runs.
    def _may_reload(self) -> bool:
        return bool(self.staff_name and self.booking_id) and not self.busy

    def _version_scope(self) -> dict[str, Any]:
        return {"booking_id": self.booking_id}

    async def _reload(self) -> None:
        db = get_database()
        try:
            page = await asyncio.to_thread(booking_page, db=db, booking_id=self.booking_id)
            documents = await asyncio.to_thread(
                booking_documents, db=db, booking_id=self.booking_id
            )
            reminders = await asyncio.to_thread(
                booking_reminders, db=db, booking_id=self.booking_id, today=today()
            )
        except Exception:
            logger.exception("Could not load booking %s", self.booking_id)
            self.error = "The booking could not be loaded from the database. Check the server log."
        else:
            self._show(page.header, page.services, page.panel)
            reference = page.header.reference
            self.documents = [
                DocumentRow(
                    d.title(),
                    format_day(d.day),
                    format_money(d.amount),
                    routes.guest_document(reference, d.number),
                )
                for d in documents
            ]
            self._show_reminders(reminders)
            self.version = page.version
            self.error = ""
        finally:
            self.loading = False

    def _show(
        self, header: BookingHeader, services: list[ServiceView], panel: PaymentsPanel
    ) -> None:
        self.overview = to_overview(header)
        booking_open = header.status != BookingStatus.CANCELLED
        self.services = [to_service_row(v, booking_open=booking_open) for v in services]
        self._notes = {str(v.id): service_notes(v) for v in services}
        tz = header.property_timezone
        self.invoices = [to_invoice_row(v, tz) for v in panel.invoices]
        draft = panel.draft
        self.draft_id = "" if draft is None else str(draft.id)
        self.draft_lines = [] if draft is None else to_invoice_row(draft, tz).lines
        self.draft_total = "" if draft is None else format_money(draft.total)
        self.totals = to_totals(panel)
        self.refund_rows = [to_refund_row(r, tz) for r in panel.refunds]

    def _show_reminders(self, reminders: BookingReminders) -> None:
        self.reminders_paused = reminders.paused
        nxt = reminders.next
        self.next_reminder = (
            ""
            if nxt is None
            else f"Next reminder: {format_day(nxt.on)} ({nxt.label}, {nxt.invoice_number})"
        )

    def _close_dialogs(self) -> None:
        self.confirm_kind = self.confirm_error = ""
        self.adding = False
        self.form_errors = {}
        self.refund_service_id = ""
        self.refund_errors = {}
        self.editing, self.edit_errors = False, {}

    # -- confirmation dialog --------------------------------------------------------------
    def _ask(self, kind: str, target: str, question: Question) -> None:
        self.confirm_kind, self.confirm_target = kind, target
        self.confirm_title, self.confirm_body = question.title, question.body
        self.confirm_action = question.action
        self.confirm_needs_reason = bool(question.reason_label)
        self.confirm_reason_label = question.reason_label
        self.confirm_error = self.confirm_error_field = ""

    @rx.event
    def ask_confirm_service(self, service_id: str) -> None:
        notes = self._notes.get(service_id)
        if notes is None:
            return
        self._ask("confirm", service_id, confirm_service_question(notes["title"], notes["confirm"]))

    @rx.event
    def ask_cancel_service(self, service_id: str) -> None:
        notes = self._notes.get(service_id)
        if notes is None:
            return
        question = cancel_service_question(notes["title"], notes["cancel"])
        self._ask("cancel_service", service_id, question)

    @rx.event
    def ask_void_invoice(self, invoice_id: str) -> None:
        row = next((i for i in self.invoices if i.id == invoice_id), None)
        if row is None:
            return
        question = void_question(row.number, row.total, booking_cancelled=self.is_cancelled)
        self._ask("void", invoice_id, question)

    @rx.event
    def ask_cancel_booking(self) -> None:
        active = sum(1 for i in self.invoices if i.status == InvoiceStatus.ACTIVE.label)
        live = sum(1 for s in self.services if s.lifecycle != ServiceLifecycle.CANCELLED.label)
        question = cancel_booking_question(self.overview.reference, active=active, live=live)
        self._ask("cancel_booking", "", question)

    @rx.event
    def close_confirm(self, open_: bool = False) -> None:
        if not open_ and not self.busy:
            self.confirm_kind = self.confirm_error = ""

    @rx.event
    async def run_confirmed(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """The dialog's action: one service call, then a toast (or the message in the dialog)."""
        kind, target = self.confirm_kind, self.confirm_target
        reason = (form.get("reason") or "").strip()
        if not kind or self.busy:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.busy, self.confirm_error, self.confirm_error_field = kind, "", ""
        yield
        try:
            message = await asyncio.to_thread(
                run_confirmed_action,
                kind,
                target,
                db=get_database(),
                booking_id=self.booking_id,
                actor=self.staff_email,
                reason=reason,
            )
        except DomainError as refused:
            self.confirm_error = refused.message
            self.confirm_error_field = "reason" if refused.field == "reason" else ""
            self.busy = ""
            return
        except Exception:
            logger.exception("Action %s on %s failed", kind, target)
            self.confirm_error = "Something went wrong; nothing was changed. Check the server log."
            self.busy = ""
            return
        if kind == "revoke_links":
            self.guest_link = ""
        self.busy = ""
        self.confirm_kind = ""
        await self._reload()
        yield rx.toast.success(message)

    # -- guest access ---------------------------------------------------------------------
    @rx.event
    async def new_guest_link(self):  # type: ignore[no-untyped-def]
        """Issue a fresh link into the guest's portal, to copy into a message by hand."""
        if self.busy or not await self._signed_in():
            return
        issued = await asyncio.to_thread(
            issue_guest_link, db=get_database(), booking_id=self.booking_id, actor=self.staff_email
        )
        self.guest_link = issued.url
        self.guest_link_expires = format_moment(issued.expires_at, self.overview.timezone)

    @rx.event
    def hide_guest_link(self) -> None:
        self.guest_link = ""

    @rx.event
    def ask_revoke_links(self) -> None:
        self._ask("revoke_links", "", REVOKE_LINKS_QUESTION)

    # -- reminders ------------------------------------------------------------------------
    @rx.event
    async def toggle_reminders(self):  # type: ignore[no-untyped-def]
        """Pause or resume the payment reminders of this booking's unpaid invoices."""
        if self.busy:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        pause = not self.reminders_paused
        self.busy = "reminders"
        yield
        try:
            await asyncio.to_thread(
                set_reminders_paused,
                db=get_database(),
                booking_id=self.booking_id,
                paused=pause,
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.busy = ""
            yield rx.toast.error(refused.message)
            return
        except Exception:
            logger.exception("Pausing the reminders of booking %s failed", self.booking_id)
            self.busy = ""
            yield rx.toast.error("The reminders could not be changed; nothing was changed.")
            return
        self.busy = ""
        await self._reload()
        yield rx.toast.success("Reminders paused." if pause else "Reminders resumed.")

    # -- Send Invoice ---------------------------------------------------------------------
    @rx.event
    async def send_invoice(self):  # type: ignore[no-untyped-def]
        if self.busy or not self.draft_id:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.busy = "send"
        yield
        try:
            sent = await asyncio.to_thread(
                invoicing.send_invoice,
                db=get_database(),
                invoice_id=int(self.draft_id),
                actor=self.staff_email,
            )
        except DomainError as refused:
            self.busy = ""
            await self._reload()
            yield rx.toast.error(refused.message)
            return
        except Exception:
            logger.exception("Sending invoice %s failed", self.draft_id)
            self.busy = ""
            yield rx.toast.error("The invoice could not be sent; nothing was changed.")
            return
        self.busy = ""
        await self._reload()
        notified = " The guest is notified (Invoice Sent)." if sent.message_queued else ""
        yield rx.toast.success(
            f"Invoice {sent.number} sent: {format_money(sent.total)} is now Active.{notified}"
        )
