"""Guest payment reminders: send the ones due (the job and `concierge send-reminders`), pause
and resume a booking's, and the next one due (the booking page).

The schedule rules are `domain/reminders.py`. A reminder is an outbox message whose unique
dedupe key is `reminder:guest_invoice:<id>:<step>`; each invoice is decided again under its
booking's lock, so a rerun or two workers never send the same step twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session

from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine
from concierge_app.db.messaging import OutboxMessage
from concierge_app.domain.errors import NotFound
from concierge_app.domain.formatting import format_money
from concierge_app.domain.lifecycle import InvoiceStatus
from concierge_app.domain.money import Money
from concierge_app.domain.reminders import Decision, GuestInvoiceFacts, Step, guest_reminder
from concierge_app.services.guest.links import PAYMENTS_CARD, new_portal_link
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import locked_rows
from concierge_app.services.shared.messages import booking_recipient, queue_message
from concierge_app.services.shared.permissions import Permission, require
from concierge_app.settings import get_settings

_I = GuestInvoice.__table__  # type: ignore[attr-defined]
_B = Booking.__table__  # type: ignore[attr-defined]
_L = InvoiceLine.__table__  # type: ignore[attr-defined]
_S = ServiceItem.__table__  # type: ignore[attr-defined]
_O = OutboxMessage.__table__  # type: ignore[attr-defined]
PREFIX = "reminder:guest_invoice:"
ACTOR = "system:reminders"

_FIRST_SERVICE = (
    select(func.min(_S.c.service_date))
    .select_from(_L.join(_S, _S.c.id == _L.c.service_item_id))
    .where(_L.c.invoice_id == _I.c.id)
    .scalar_subquery()
)
_FACTS = select(
    _I.c.id,
    _I.c.status,
    _I.c.issued_at,
    _B.c.check_in,
    _B.c.reminders_paused,
    _FIRST_SERVICE.label("service_date"),
).select_from(_I.join(_B, _B.c.id == _I.c.booking_id))
_ACTIVE = _FACTS.where(_I.c.status == InvoiceStatus.ACTIVE.value).order_by(_I.c.id)
_OF_BOOKING = _FACTS.where(
    _I.c.booking_id == bindparam("booking_id"), _I.c.status == InvoiceStatus.ACTIVE.value
).order_by(_I.c.id)
_ONE = _FACTS.where(_I.c.id == bindparam("invoice_id"))
_SENT_KEYS = select(_O.c.dedupe_key).where(_O.c.dedupe_key.like(f"{PREFIX}%"))


def _load_booking(session: Session, booking_id: int) -> Booking:
    """The booking, or NotFound (also for an id no table can hold, e.g. 10**12)."""
    booking = session.get(Booking, booking_id) if 0 < booking_id < 2**31 else None
    if booking is None:
        raise NotFound(f"Booking {booking_id} was not found.")
    return booking


def _key(invoice_id: int, step: Step) -> str:
    return f"{PREFIX}{invoice_id}:{step.key}"


def _sent(keys: list[str]) -> dict[int, frozenset[str]]:
    by_invoice: dict[int, set[str]] = {}
    for key in keys:
        invoice, _, step = key.removeprefix(PREFIX).partition(":")
        if invoice.isdigit():
            by_invoice.setdefault(int(invoice), set()).add(step)
    return {k: frozenset(v) for k, v in by_invoice.items()}


def _sent_of(conn: Any, invoice_ids: list[int]) -> dict[int, frozenset[str]]:
    """The steps already sent of these invoices (one indexed prefix lookup each)."""
    keys: list[str] = []
    for invoice_id in invoice_ids:
        mine = _SENT_KEYS.where(_O.c.dedupe_key.like(f"{PREFIX}{invoice_id}:%"))
        keys.extend(conn.execute(mine).scalars())
    return _sent(keys)


def _facts(row: object) -> GuestInvoiceFacts:
    issued = getattr(row, "issued_at", None)
    return GuestInvoiceFacts(
        status=getattr(row, "status"),  # noqa: B009
        sent_on=issued.date() if issued is not None else None,
        check_in=getattr(row, "check_in"),  # noqa: B009
        service_date=getattr(row, "service_date", None),
        paused=bool(getattr(row, "reminders_paused", False)),
    )


@dataclass(slots=True)
class ReminderRun:
    checked: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)  # (invoice number, step label)

    @property
    def text(self) -> str:
        return f"{len(self.sent)} reminder(s) sent, {self.checked} unpaid invoice(s) checked."


def send_guest_reminders(
    *, db: Database, today: date, progress: Callable[[int, int], None] | None = None
) -> ReminderRun:
    """Queue every guest reminder due today (one transaction per invoice). Idempotent."""
    schedule = get_settings().guest_reminder_schedule
    with db.read() as session:
        conn = session.connection()
        rows = conn.execute(_ACTIVE).all()
        sent = _sent(list(conn.execute(_SENT_KEYS).scalars()))
    run = ReminderRun()
    for done, row in enumerate(rows, start=1):
        run.checked += 1
        if guest_reminder(_facts(row), schedule, today, sent.get(row.id, frozenset())).due:
            queued = _send_one(db=db, invoice_id=row.id, today=today, schedule=schedule)
            if queued is not None:
                run.sent.append(queued)
        if progress is not None:
            progress(done, len(rows))
    return run


def _send_one(
    *, db: Database, invoice_id: int, today: date, schedule: tuple[Step, ...]
) -> tuple[str, str] | None:
    """Decide again under the booking's lock and queue the reminder once."""
    with db.transaction() as session:
        booking, invoice = locked_rows(session, GuestInvoice, invoice_id, "Invoice")
        conn = session.connection()
        row = conn.execute(_ONE, {"invoice_id": invoice_id}).one()
        sent = _sent_of(conn, [invoice_id]).get(invoice_id, frozenset())
        decision = guest_reminder(_facts(row), schedule, today, sent)
        if decision.step is None:
            return None
        key = _key(invoice_id, decision.step)
        link = new_portal_link(booking_id=booking.id, reference=booking.reference)
        guest = booking_recipient(session, booking, portal_url=f"{link}#{PAYMENTS_CARD}")
        total = format_money(Money(invoice.total_minor, invoice.currency), guest.locale)
        queued = queue_message(
            session,
            dedupe_key=key,
            template_key="guest_reminder",
            recipient=guest.email,
            context=guest.context | {"invoice_number": invoice.number, "invoice_total": total},
            booking_id=booking.id,
            language=guest.locale,
        )
        if not queued:  # another worker queued it meanwhile
            return None
        record_event(
            session,
            actor=ACTOR,
            action="reminder.sent",
            subject=f"invoice:{invoice_id}",
            booking_id=booking.id,
            data={"number": invoice.number, "step": decision.step.key, "on": today.isoformat()},
        )
        return invoice.number or "", decision.step.label


_PAUSE = (
    update(_B)
    .where(_B.c.id == bindparam("booking_id"), _B.c.reminders_paused != bindparam("paused"))
    .values(reminders_paused=bindparam("paused"))
    .returning(_B.c.id)
)


def set_reminders_paused(*, db: Database, booking_id: int, paused: bool, actor: str) -> bool:
    """Pause or resume the reminders of a booking's unpaid invoices (concierge work); audited.
    True when it changed (pausing a paused booking changes nothing)."""
    with db.transaction() as session:
        require(session, actor, Permission.INVOICES)
        _load_booking(session, booking_id)
        changed = (
            session.connection()
            .execute(_PAUSE, {"booking_id": booking_id, "paused": paused})
            .first()
        )
        if changed is None:
            return False
        record_event(
            session,
            actor=actor,
            action="reminders.paused" if paused else "reminders.resumed",
            subject=f"booking:{booking_id}",
            booking_id=booking_id,
        )
        return True


@dataclass(frozen=True, slots=True)
class NextReminder:
    on: date
    invoice_number: str
    label: str  # "3 days after sending"


@dataclass(frozen=True, slots=True)
class BookingReminders:
    paused: bool
    next: NextReminder | None


def booking_reminders(*, db: Database, booking_id: int, today: date) -> BookingReminders:
    """Whether the booking's reminders are paused, and the next one due (what its page shows)."""
    schedule = get_settings().guest_reminder_schedule
    with db.read() as session:
        return _booking_reminders(session, booking_id, today, schedule)


def _booking_reminders(
    session: Session, booking_id: int, today: date, schedule: tuple[Step, ...]
) -> BookingReminders:
    booking = _load_booking(session, booking_id)
    conn = session.connection()
    rows = conn.execute(_OF_BOOKING, {"booking_id": booking_id}).all()
    sent = _sent_of(conn, [int(r.id) for r in rows])
    numbers = {
        r.id: r.number
        for r in conn.execute(select(_I.c.id, _I.c.number).where(_I.c.booking_id == booking_id))
    }
    upcoming: list[NextReminder] = []
    # paused: show what would come once resumed
    for row in rows:
        facts = _facts(row)
        decision: Decision = guest_reminder(
            replace(facts, paused=False),
            schedule,
            today,
            sent.get(row.id, frozenset()),
        )
        if decision.step is not None:
            upcoming.append(NextReminder(today, numbers.get(row.id) or "", decision.step.label))
        elif decision.next_on is not None and decision.next_step is not None:
            upcoming.append(
                NextReminder(decision.next_on, numbers.get(row.id) or "", decision.next_step.label)
            )
    first = min(upcoming, key=lambda r: (r.on, r.invoice_number)) if upcoming else None
    return BookingReminders(bool(booking.reminders_paused), first)
