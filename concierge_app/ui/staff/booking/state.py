"""State of the booking page `/bookings/[reference]`: overview, Trip Portfolio, Payments panel.

Thin by design, like the Bookings page: every read comes from `services.guest.queries`,
every action calls one service and shows its result, or the DomainError's message at the form
field it names. Money reaches the browser only as formatted strings.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from datetime import date
from typing import Any
from urllib.parse import unquote

import reflex as rx

from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.formatting import format_day, format_moment, format_money
from concierge_app.domain.lifecycle import (
    BookingStatus,
    InvoiceStatus,
    ServiceLifecycle,
    can_transition,
)
from concierge_app.domain.money import Money
from concierge_app.domain.statuses import RefundSource, RefundStatus
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings as booking_service
from concierge_app.services.guest import invoicing, portfolio
from concierge_app.services.guest.consequences import cancel_consequence, confirm_consequence
from concierge_app.services.guest.links import issue_guest_link, revoke_guest_links
from concierge_app.services.guest.queries import (
    BookingHeader,
    InvoiceView,
    PaymentsPanel,
    ServiceView,
    booking_by_reference,
    booking_page,
    list_partners,
)
from concierge_app.services.guest.refunds import issue_refund
from concierge_app.services.shared.database import get_database
from concierge_app.ui.shared.stay import format_stay, nights_text
from concierge_app.ui.staff.live_state import LiveState
from concierge_app.ui.staff.session import AuthState

logger = logging.getLogger(__name__)

STRATEGY_CHOICES: list[tuple[str, str]] = [(s.value, s.label) for s in PaymentStrategy]
DEPOSIT_STRATEGY = PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT.value

# The fields of the Add service form (DomainError.field names); anything else is form-wide.
SERVICE_FIELDS = (
    "title",
    "description",
    "operator",
    "service_date",
    "gross_price",
    "deposit",
    "strategy",
)
_FIELD_ALIASES = {"currency": "gross_price", "operator_id": "operator"}

DESCRIPTION_PREVIEW_CHARS = 180  # about what three lines of the Service column hold

COLLECTORS = {"platform": "Paid to the platform", "property": "Paid at the property"}


@dataclasses.dataclass(frozen=True)
class Overview:
    """The booking overview and accommodation plan, formatted."""

    reference: str = ""
    status: str = ""  # "confirmed" / "cancelled"
    cancel_reason: str = ""
    guest_name: str = ""
    guest_email: str = ""
    property_name: str = ""
    timezone: str = ""
    stay: str = ""
    check_in: str = ""
    check_out: str = ""
    check_in_iso: str = ""
    nights: str = ""
    currency: str = ""
    accommodation_total: str = ""
    collected_by: str = ""


@dataclasses.dataclass(frozen=True)
class ServiceRow:
    """One service of the Trip Portfolio, every field formatted for display."""

    id: str
    title: str
    description: str
    long_description: bool  # more than the table's three lines: it offers "Show all"
    operator: str
    service_date: str
    strategy: str  # the label, e.g. "Platform Collects Deposit"
    strategy_locked: bool
    lifecycle: str  # "Draft" / "Confirmed" / "Cancelled"
    amount: str  # the gross price
    amount_note: str  # who collects what, e.g. "Deposit €300.00 · balance €1,200.00 to …"
    billed: str
    invoice_number: str
    payment_status: str  # a ServicePaymentStatus value, or "" while unconfirmed / cancelled
    refund_required: bool
    can_confirm: bool
    can_cancel: bool
    can_refund: bool


@dataclasses.dataclass(frozen=True)
class LineRow:
    id: str
    description: str
    kind: str
    amount: str


@dataclasses.dataclass(frozen=True)
class InvoiceRow:
    id: str
    number: str
    status: str  # "Draft" / "Active" / "Paid" / "Voided"
    total: str
    currency: str
    created: str
    sent: str
    paid: str
    voided: str
    void_reason: str
    lines: list[LineRow]
    can_void: bool


@dataclasses.dataclass(frozen=True)
class RefundRow:
    id: str
    when: str
    service: str
    amount: str
    status: str  # "Refunded" / "Pending" / "Failed"
    at_provider: bool  # made at the payment provider, not from the Refund dialog
    note: str


REFUND_STATUS_LABELS = {"succeeded": "Refunded", "pending": "Pending", "failed": "Failed"}


@dataclasses.dataclass(frozen=True)
class TotalsView:
    concierge_paid: str = ""
    refunded: str = ""
    concierge_net_paid: str = ""
    accommodation_paid: str = ""
    overall_paid: str = ""
    outstanding_concierge: str = ""
    outstanding_accommodation: str = ""
    outstanding: str = ""
    unapplied: str = ""
    has_refunds: bool = False
    has_unapplied: bool = False
    is_outstanding: bool = False


@dataclasses.dataclass(frozen=True)
class OperatorOption:
    id: str
    name: str
    category: str


def to_overview(header: BookingHeader) -> Overview:
    return Overview(
        reference=header.reference,
        status=str(header.status),
        cancel_reason=header.cancel_reason or "",
        guest_name=header.guest_name,
        guest_email=header.guest_email,
        property_name=header.property_name,
        timezone=header.property_timezone,
        stay=format_stay(header.check_in, header.check_out),
        check_in=format_day(header.check_in),
        check_out=format_day(header.check_out),
        check_in_iso=header.check_in.isoformat(),
        nights=nights_text(header.check_in, header.check_out),
        currency=header.currency,
        accommodation_total=format_money(header.accommodation_total),
        collected_by=COLLECTORS.get(
            str(header.accommodation_collected_by), str(header.accommodation_collected_by)
        ),
    )


def amount_note(view: ServiceView) -> str:
    """Who collects what, in the guide's words."""
    strategy = view.strategy
    if strategy is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT and view.deposit is not None:
        return (
            f"Deposit {format_money(view.deposit)} · balance "
            f"{format_money(view.provider_collects)} to the provider"
        )
    if strategy is PaymentStrategy.OPERATOR_COLLECTS_FULL:
        return "Guest pays the provider"
    if strategy is PaymentStrategy.INCLUDED_IN_STAY:
        return "Included in the stay"
    return "Invoiced in full"


def is_long_description(text: str) -> bool:
    """More than the Trip Portfolio shows of a description (three lines of its column)."""
    return len(text) > DESCRIPTION_PREVIEW_CHARS or text.count("\n") >= 3


def to_service_row(view: ServiceView, *, booking_open: bool) -> ServiceRow:
    lifecycle = view.lifecycle
    return ServiceRow(
        id=str(view.id),
        title=view.title,
        description=view.description,
        long_description=is_long_description(view.description),
        operator=view.operator_name,
        service_date=format_day(view.service_date),
        strategy=view.strategy.label,
        strategy_locked=lifecycle is not ServiceLifecycle.DRAFT,
        lifecycle=lifecycle.label,
        amount=format_money(view.gross),
        amount_note=amount_note(view),
        billed="" if view.billed is None else format_money(view.billed),
        invoice_number=view.invoice_number or "",
        payment_status="" if view.payment_status is None else view.payment_status.value,
        refund_required=view.refund_required,
        can_confirm=booking_open and lifecycle is ServiceLifecycle.DRAFT,
        can_cancel=booking_open and lifecycle is not ServiceLifecycle.CANCELLED,
        can_refund=view.refundable.minor > 0,
    )


def to_invoice_row(view: InvoiceView, timezone: str) -> InvoiceRow:
    return InvoiceRow(
        id=str(view.id),
        number=view.number or "",
        status=view.status.label,
        total=format_money(view.total),
        currency=view.total.currency,
        created=format_moment(view.created_at, timezone),
        sent=format_moment(view.issued_at, timezone),
        paid=format_moment(view.paid_at, timezone),
        voided=format_moment(view.voided_at, timezone),
        void_reason=view.void_reason or "",
        lines=[
            LineRow(
                id=str(line.id),
                description=line.description,
                kind=str(line.kind),
                amount=format_money(line.amount),
            )
            for line in view.lines
        ],
        can_void=can_transition(view.status, InvoiceStatus.VOIDED),
    )


def to_totals(panel: PaymentsPanel) -> TotalsView:
    t = panel.totals
    return TotalsView(
        concierge_paid=format_money(t.concierge_paid),
        refunded=format_money(t.refunded),
        concierge_net_paid=format_money(t.concierge_net_paid),
        accommodation_paid=format_money(t.accommodation_paid),
        overall_paid=format_money(t.overall_paid),
        outstanding_concierge=format_money(t.outstanding_concierge),
        outstanding_accommodation=format_money(t.outstanding_accommodation),
        outstanding=format_money(t.outstanding),
        unapplied=format_money(t.unapplied),
        has_refunds=not t.refunded.is_zero,
        has_unapplied=not t.unapplied.is_zero,
        is_outstanding=t.outstanding.minor > 0,
    )


def service_notes(view: ServiceView) -> dict[str, str]:
    billed = "" if view.billed is None else format_money(view.billed)
    return {
        "title": view.title,
        "confirm": confirm_consequence(view),
        "cancel": cancel_consequence(view),
        "billed": billed,
        "refund_default": view.refundable.amount_text() if view.refund_required else "",
    }


class BookingState(LiveState, AuthState):
    """One booking: its overview, Trip Portfolio and Payments panel; reloads when it changes."""

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
    operators: list[OperatorOption] = []

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

    # The Add service form.
    adding: bool = False
    form_strategy: str = ""
    form_errors: dict[str, str] = {}

    # The Refund dialog.
    refund_service_id: str = ""
    refund_service_title: str = ""
    refund_paid: str = ""
    refund_default: str = ""
    refund_key: str = ""
    refund_errors: dict[str, str] = {}

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
        path = self.router.url.path.rstrip("/")
        return unquote(path.rsplit("/", 1)[-1]) if "/bookings/" in path else ""

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
    def _may_poll(self) -> bool:
        return bool(self.staff_name and self.booking_id) and not self.busy

    def _version_scope(self) -> dict[str, Any]:
        return {"booking_id": self.booking_id}

    async def _reload(self) -> None:
        db = get_database()
        try:
            page = await asyncio.to_thread(booking_page, db=db, booking_id=self.booking_id)
        except Exception:
            logger.exception("Could not load booking %s", self.booking_id)
            self.error = "The booking could not be loaded from the database. Check the server log."
        else:
            self._show(page.header, page.services, page.panel)
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
        self.refund_rows = [
            RefundRow(
                id=str(r.id),
                when=format_moment(r.created_at, tz),
                service=r.service_title,
                amount=format_money(r.amount),
                status=REFUND_STATUS_LABELS.get(r.status, r.status),
                at_provider=r.source == RefundSource.PROVIDER,
                note=r.note,
            )
            for r in panel.refunds
        ]

    def _close_dialogs(self) -> None:
        self.confirm_kind = self.confirm_error = ""
        self.adding = False
        self.form_errors = {}
        self.refund_service_id = ""
        self.refund_errors = {}

    # -- confirmation dialog --------------------------------------------------------------
    def _ask(
        self,
        kind: str,
        target: str,
        *,
        title: str,
        body: str,
        action: str,
        reason_label: str = "",
    ) -> None:
        self.confirm_kind, self.confirm_target = kind, target
        self.confirm_title, self.confirm_body, self.confirm_action = title, body, action
        self.confirm_needs_reason = bool(reason_label)
        self.confirm_reason_label = reason_label
        self.confirm_error = self.confirm_error_field = ""

    @rx.event
    def ask_confirm_service(self, service_id: str) -> None:
        notes = self._notes.get(service_id)
        if notes is None:
            return
        self._ask(
            "confirm",
            service_id,
            title=f"Confirm '{notes['title']}'?",
            body=notes["confirm"],
            action="Confirm service",
        )

    @rx.event
    def ask_cancel_service(self, service_id: str) -> None:
        notes = self._notes.get(service_id)
        if notes is None:
            return
        self._ask(
            "cancel_service",
            service_id,
            title=f"Cancel '{notes['title']}'?",
            body=notes["cancel"],
            action="Cancel service",
            reason_label="Reason (optional)",
        )

    @rx.event
    def ask_void_invoice(self, invoice_id: str) -> None:
        row = next((i for i in self.invoices if i.id == invoice_id), None)
        if row is None:
            return
        voided = f"Invoice {row.number} ({row.total}) is voided: the guest can no longer pay it."
        if self.is_cancelled:
            title, action = f"Void invoice {row.number}?", "Void invoice"
            then = " The booking is cancelled, so nothing is re-issued."
        else:
            title, action = f"Void invoice {row.number} and re-issue?", "Void and re-issue"
            then = (
                " Its lines for confirmed services move to the draft invoice, so you can send "
                "them again."
            )
        self._ask(
            "void",
            invoice_id,
            title=title,
            body=voided + then + " The voided invoice stays in the audit trail.",
            action=action,
            reason_label="Reason",
        )

    @rx.event
    def ask_cancel_booking(self) -> None:
        active = sum(1 for i in self.invoices if i.status == InvoiceStatus.ACTIVE.label)
        live = sum(1 for s in self.services if s.lifecycle != ServiceLifecycle.CANCELLED.label)
        kept = (
            f" {active} sent, unpaid invoice{'s' if active != 1 else ''} stay"
            f"{'s' if active == 1 else ''} visible: resolve {'it' if active == 1 else 'them'} "
            "with the guest."
            if active
            else ""
        )
        self._ask(
            "cancel_booking",
            "",
            title=f"Cancel booking {self.overview.reference}?",
            body=(
                f"The whole portfolio ({live} service{'s' if live != 1 else ''}) is cancelled with "
                "it and any draft invoice is voided." + kept + " Paid services are flagged "
                "Refund required; refunds are never automatic."
            ),
            action="Cancel booking",
            reason_label="Reason",
        )

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
        db, actor = get_database(), self.staff_email
        try:
            if kind == "confirm":
                done = await asyncio.to_thread(
                    portfolio.confirm_service, db=db, service_id=int(target), actor=actor
                )
                message = (
                    f"Confirmed. {format_money(done.billed)} added to the draft invoice."
                    if done.billed is not None
                    else "Confirmed. Nothing is invoiced for this service."
                )
            elif kind == "cancel_service":
                cancelled = await asyncio.to_thread(
                    portfolio.cancel_service,
                    db=db,
                    service_id=int(target),
                    actor=actor,
                    reason=reason,
                )
                message = {
                    portfolio.CancelOutcome.NOT_BILLED: "Service cancelled.",
                    portfolio.CancelOutcome.REMOVED_FROM_DRAFT: (
                        "Service cancelled; its line left the draft invoice."
                    ),
                    portfolio.CancelOutcome.INVOICE_VOIDED: (
                        "Service cancelled; its invoice was voided and the other lines moved "
                        "to the draft."
                    ),
                    portfolio.CancelOutcome.REFUND_REQUIRED: (
                        "Service cancelled. It was paid: issue the refund with Refund."
                    ),
                    portfolio.CancelOutcome.ALREADY_REFUNDED: (
                        "Service cancelled. It was paid and already refunded in full."
                    ),
                }[cancelled.outcome]
            elif kind == "void":
                draft = await asyncio.to_thread(
                    invoicing.void_invoice,
                    db=db,
                    invoice_id=int(target),
                    actor=actor,
                    reason=reason,
                )
                message = (
                    "Invoice voided; its lines are on the draft, ready to send again."
                    if draft is not None
                    else "Invoice voided."
                )
            elif kind == "cancel_booking":
                result = await asyncio.to_thread(
                    booking_service.cancel_booking,
                    db=db,
                    booking_id=self.booking_id,
                    actor=actor,
                    reason=reason,
                )
                message = (
                    f"Booking cancelled: {result.services_cancelled} service(s) cancelled, "
                    f"{result.drafts_voided} draft(s) voided, {result.active_invoices_kept} "
                    "sent invoice(s) kept."
                )
            elif kind == "revoke_links":
                revoked = await asyncio.to_thread(
                    revoke_guest_links, db=db, booking_id=self.booking_id, actor=actor
                )
                self.guest_link = ""
                message = f"{revoked} guest link(s) revoked: they open nothing now."
            else:
                raise DomainError(f"Unknown action {kind}.")
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
        self._ask(
            "revoke_links",
            "",
            title="Revoke every guest link of this booking?",
            body=(
                "Links already sent to the guest (in Invoice Sent and Payment Received messages) "
                "stop working at once. Issue a new link afterwards if the guest still needs one."
            ),
            action="Revoke links",
        )

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

    # -- Add service ----------------------------------------------------------------------
    @rx.event
    def open_add_service(self) -> None:
        self.adding, self.form_errors, self.form_strategy = True, {}, ""

    @rx.event
    def close_add_service(self, open_: bool = False) -> None:
        if not open_ and self.busy != "add":
            self.adding, self.form_errors = False, {}

    @rx.event
    def set_form_strategy(self, value: str) -> None:
        self.form_strategy = value
        self.form_errors = {
            k: v for k, v in self.form_errors.items() if k not in ("strategy", "deposit")
        }

    @rx.event
    async def add_service(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.busy:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.busy, self.form_errors = "add", {}
        yield
        currency = self.overview.currency
        strategy = self.form_strategy
        title = form.get("title", "")
        try:
            gross = Money.parse(form.get("gross_price", ""), currency, field="gross_price")
            deposit_text = (form.get("deposit") or "").strip()
            deposit = (
                Money.parse(deposit_text, currency, field="deposit")
                if strategy == DEPOSIT_STRATEGY and deposit_text
                else None
            )
            operator = (form.get("operator") or "").strip()
            if not operator.isdigit():
                raise DomainError("Choose the operator who delivers the service.", field="operator")
            try:
                day = date.fromisoformat((form.get("service_date") or "").strip())
            except ValueError:
                raise DomainError("Choose the date of the service.", field="service_date") from None
            await asyncio.to_thread(
                portfolio.add_service_item,
                db=get_database(),
                booking_id=self.booking_id,
                operator_id=int(operator),
                title=title,
                service_date=day,
                gross=gross,
                strategy=strategy,
                deposit=deposit,
                description=form.get("description", ""),
                actor=self.staff_email,
            )
        except DomainError as refused:
            field = _FIELD_ALIASES.get(refused.field or "", refused.field or "")
            self.form_errors = {field if field in SERVICE_FIELDS else "form": refused.message}
            self.busy = ""
            return
        except Exception:
            logger.exception("Adding a service to booking %s failed", self.booking_id)
            self.form_errors = {"form": "Something went wrong; nothing was saved."}
            self.busy = ""
            return
        self.busy = ""
        self.adding, self.form_strategy = False, ""
        await self._reload()
        yield rx.toast.success(
            f"'{title.strip()}' added as a draft. Confirm it to put it on the guest's plan."
        )

    # -- Refund ---------------------------------------------------------------------------
    @rx.event
    def open_refund(self, service_id: str) -> None:
        notes = self._notes.get(service_id)
        if notes is None:
            return
        self.refund_service_id = service_id
        self.refund_service_title = notes["title"]
        self.refund_paid = notes["billed"]
        self.refund_default = notes["refund_default"]
        # One key per opened dialog: a double click, or a retry after a timeout, refunds once.
        self.refund_key = f"refund_{secrets.token_hex(12)}"
        self.refund_errors = {}

    @rx.event
    def close_refund(self, open_: bool = False) -> None:
        if not open_ and self.busy != "refund":
            self.refund_service_id, self.refund_errors = "", {}

    @rx.event
    async def issue_refund(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        if self.busy or not self.refund_service_id:
            return
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        self.busy, self.refund_errors = "refund", {}
        yield
        try:
            amount = Money.parse(form.get("amount", ""), self.overview.currency, field="amount")
            done = await asyncio.to_thread(
                issue_refund,
                db=get_database(),
                service_id=int(self.refund_service_id),
                amount=amount,
                note=form.get("note", ""),
                actor=self.staff_email,
                idempotency_key=self.refund_key,
            )
        except DomainError as refused:
            # Refused (bad input, or the provider said no and the refund is marked failed): the
            # next try is a new request, so it gets a new key.
            self.refund_key = f"refund_{secrets.token_hex(12)}"
            field = refused.field if refused.field in ("amount", "note") else "form"
            self.refund_errors = {field: refused.message}
            self.busy = ""
            await self._reload()
            return
        except Exception:
            # Unknown outcome (e.g. a timeout): keep the key, so trying again refunds once.
            logger.exception("Refund of service %s failed", self.refund_service_id)
            self.refund_errors = {
                "form": "The refund could not be completed. Try again: it will not be refunded "
                "twice."
            }
            self.busy = ""
            return
        self.busy = ""
        await self._reload()
        title = self.refund_service_title
        if done.status == RefundStatus.FAILED:
            self.refund_key = f"refund_{secrets.token_hex(12)}"
            self.refund_errors = {"form": "The payment provider refused this refund."}
            return
        self.refund_service_id = ""
        if done.status == RefundStatus.PENDING:
            yield rx.toast.info(
                f"Refund of {format_money(done.amount)} for '{title}' requested; waiting for "
                "the payment provider."
            )
            return
        yield rx.toast.success(f"Refunded {format_money(done.amount)} to the guest for '{title}'.")
