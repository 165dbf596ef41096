"""The concierge ledger under random sequences of what staff, guests and the payment provider do.

A Hypothesis state machine drives the real services against a real database — a fresh one for
every example: a copy of the migrated SQLite template file, or a PostgreSQL database cloned
(CREATE DATABASE … TEMPLATE) from a migrated template. Rules: add / confirm / cancel services
(all four payment strategies, sensible and nonsensical prices), Send Invoice, void and re-issue,
Pay and Pay All, checkouts left open and then fulfilled, failed or expired, success events with
a wrong amount, redelivered provider events (same event id), refunds recorded or issued through
the connector (which may refuse), replayed refund requests, booking cancellation — on bookings in
EUR, USD, JPY and KWD. A few rules are whole journeys (bill and pay a service; a checkout
overtaken by another payment, a void or a cancellation; cancel a paid service and refund it),
each call in them checked as in its own rule.

Each rule knows, from the ledger before the call, whether the request must be accepted or
refused. A refusal is a DomainError and writes nothing (tests.factories.snapshot and a digest of
every row are unchanged). After every step the whole ledger is read back and checked: invoice
totals and currencies, sent invoices locked (and equal to what the audit trail says was billed),
money received = invoices paid + unapplied, = booking_totals, one draft per booking, which
services may be billed and for how much, gapless numbers, one message and one audit event per
send and per payment, commissions earned and reversed, refunds, "refund required", and the audit
hash chain. Hypothesis prints the failing steps and a @reproduce_failure blob on failure.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import secrets
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import create_engine, text
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from concierge_app.adapters.payments.gateway import GatewayError
from concierge_app.cli import run_migrations
from concierge_app.db.audit import AuditEvent
from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine, NumberSequence
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import Guest
from concierge_app.db.payments import (
    Commission,
    GuestCreditNote,
    GuestCreditNoteLine,
    GuestReceipt,
    PaymentAttempt,
    PaymentAttemptInvoice,
    ProviderEvent,
    Refund,
)
from concierge_app.domain.charge_limits import max_charge
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money, Rounding, divide_rounded
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings, invoicing, portfolio, queries, refunds
from concierge_app.services.guest.portfolio import CancelOutcome
from concierge_app.services.payments import checkout
from concierge_app.services.payments.checkout import EventOutcome
from concierge_app.services.shared.audit import verify_chain

from ..conftest import (
    PG_ADMIN_URL,
    add_test_staff,
    create_pg_database,
    drop_pg_database,
    require_postgres,
)
from ..factories import ACTOR, World, add_service, make_world, pay, send_draft, snapshot

CURRENCIES = ("EUR", "USD", "JPY", "KWD")
SUCCESS_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
PROVIDER = "sandbox"
MISSING_ID = 987_654_321
MAX_BOOKINGS = 8
PICK = st.tuples(st.booleans(), st.integers(0, 50))  # (prefer acceptable targets, index)
T = TypeVar("T")


def has_active_invoice(led: Any) -> bool:
    return any(i.status == "active" for i in led.invoices.values())


# -- fresh databases -------------------------------------------------------------------------


class SqliteDatabases:
    """A copy of the migrated SQLite template per example."""

    def __init__(self, template: Path, directory: Path) -> None:
        self.template, self.directory = template, directory
        self.count = itertools.count()

    def create(self) -> Database:
        path = self.directory / f"example_{next(self.count)}.db"
        shutil.copy(self.template, path)
        return Database(f"sqlite:///{path}")

    def destroy(self, db: Database) -> None:
        db.dispose()
        path = Path(db.url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresDatabases:
    """CREATE DATABASE … TEMPLATE <migrated template> per example, dropped afterwards."""

    def __init__(self, template_url: str) -> None:
        self.template = template_url.rsplit("/", 1)[1]
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def create(self) -> Database:
        name = f"concierge_sm_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return Database(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")

    def destroy(self, db: Database) -> None:
        db.dispose()
        drop_pg_database(db.url)


# -- reading the whole ledger ----------------------------------------------------------------


def _rows(session: Any, model: type[SQLModel], *order: Any) -> list[SimpleNamespace]:
    stmt = select(model)
    if order:
        stmt = stmt.order_by(*order)
    return [SimpleNamespace(**row.model_dump()) for row in session.exec(stmt).all()]


@dataclass
class Ledger:
    """Every row that matters, read in one session, as plain objects."""

    bookings: dict[int, SimpleNamespace]
    guests: dict[int, SimpleNamespace]
    services: dict[int, SimpleNamespace]
    invoices: dict[int, SimpleNamespace]
    lines: list[SimpleNamespace]
    attempts: dict[str, SimpleNamespace]
    attempt_invoices: list[SimpleNamespace]
    refunds: list[SimpleNamespace]
    commissions: list[SimpleNamespace]
    outbox: list[SimpleNamespace]
    audit: list[SimpleNamespace]
    events: list[SimpleNamespace]
    sequences: dict[str, int]
    receipts: list[SimpleNamespace]
    credit_notes: list[SimpleNamespace]
    credit_note_lines: list[SimpleNamespace]

    @classmethod
    def read(cls, db: Database) -> Ledger:
        with db.read() as s:
            return cls(
                bookings={r.id: r for r in _rows(s, Booking)},
                guests={r.id: r for r in _rows(s, Guest)},
                services={r.id: r for r in _rows(s, ServiceItem, col(ServiceItem.id))},
                invoices={r.id: r for r in _rows(s, GuestInvoice, col(GuestInvoice.id))},
                lines=_rows(s, InvoiceLine, col(InvoiceLine.id)),
                attempts={r.id: r for r in _rows(s, PaymentAttempt)},
                attempt_invoices=_rows(s, PaymentAttemptInvoice),
                refunds=_rows(s, Refund, col(Refund.id)),
                commissions=_rows(s, Commission, col(Commission.id)),
                outbox=_rows(s, OutboxMessage, col(OutboxMessage.id)),
                audit=_rows(s, AuditEvent, col(AuditEvent.id)),
                events=_rows(s, ProviderEvent, col(ProviderEvent.id)),
                sequences={r.name: r.last_value for r in _rows(s, NumberSequence)},
                receipts=_rows(s, GuestReceipt, col(GuestReceipt.id)),
                credit_notes=_rows(s, GuestCreditNote, col(GuestCreditNote.id)),
                credit_note_lines=_rows(s, GuestCreditNoteLine, col(GuestCreditNoteLine.id)),
            )

    def lines_of(self, invoice_id: int) -> list[SimpleNamespace]:
        return [ln for ln in self.lines if ln.invoice_id == invoice_id]

    def invoices_of(self, booking_id: int) -> list[SimpleNamespace]:
        return [i for i in self.invoices.values() if i.booking_id == booking_id]

    def draft_of(self, booking_id: int) -> SimpleNamespace | None:
        drafts = [i for i in self.invoices_of(booking_id) if i.status == "draft"]
        return drafts[0] if drafts else None

    def live_lines(self, service_id: int) -> list[tuple[SimpleNamespace, SimpleNamespace]]:
        """The service's lines on Draft, Active or Paid invoices."""
        return [
            (ln, self.invoices[ln.invoice_id])
            for ln in self.lines
            if ln.service_item_id == service_id and self.invoices[ln.invoice_id].status != "voided"
        ]

    def live_line(self, service_id: int) -> tuple[SimpleNamespace, SimpleNamespace] | None:
        found = self.live_lines(service_id)
        return found[0] if found else None

    def refunded(self, service_id: int) -> int:
        return sum(
            r.amount_minor
            for r in self.refunds
            if r.service_item_id == service_id and r.status != "failed"
        )

    def refundable_left(self, service_id: int) -> int | None:
        """What may still be refunded on the service's paid line (None: not paid)."""
        found = self.live_line(service_id)
        if found is None or found[1].status != "paid":
            return None
        return found[0].amount_minor - self.refunded(service_id)

    def invoices_of_attempt(self, attempt_id: str) -> list[SimpleNamespace]:
        ids = sorted(ai.invoice_id for ai in self.attempt_invoices if ai.attempt_id == attempt_id)
        return [self.invoices[i] for i in ids]


def content_digest(db: Database, *, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """A digest of every row of every table (by primary key): equal = nothing was written."""
    digests = {}
    with db.read() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = session.execute(sa_select(table).order_by(*table.primary_key.columns)).all()
            text_rows = repr([tuple(r) for r in rows]).encode()
            digests[table.name] = hashlib.sha256(text_rows).hexdigest()
    return digests


LEDGER_EFFECT_TABLES = frozenset({"provider_event", "audit_event", "audit_chain_head"})


# The guide's table: only these two strategies put a line on the guest's invoice.
BILLED_STRATEGIES = frozenset(
    {PaymentStrategy.PLATFORM_COLLECTS_FULL, PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT}
)


def billable(service: SimpleNamespace) -> int | None:
    strategy = PaymentStrategy(service.strategy)
    if strategy is PaymentStrategy.PLATFORM_COLLECTS_FULL:
        return int(service.gross_minor)
    if strategy is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT:
        return int(service.deposit_minor)
    return None


def number_parts(number: str) -> tuple[str, int]:
    match = re.fullmatch(r"(CI-\d{4})-(\d{5})", number)
    assert match, f"malformed invoice number {number!r}"
    return match.group(1), int(match.group(2))


@dataclass(frozen=True)
class SentRecord:
    """What a sent invoice said when it was first seen with its number."""

    invoice_id: int
    number: str
    total_minor: int
    currency: str
    lines: tuple[tuple[int, int, str], ...]  # (service id, amount, description)


@dataclass(frozen=True)
class Delivery:
    """A provider event as delivered, to be redelivered verbatim."""

    attempt_id: str
    event_id: str
    event_type: str
    amount: Money | None  # success events
    status: CheckoutStatus | None  # failure / expiry events


class RefusingGateway:
    """A payment provider that refuses every refund."""

    name = "refusing"

    def refund(self, *, payment_reference: str | None, amount: Money, idempotency_key: str) -> str:
        raise GatewayError("card account closed")


@dataclass
class RefundRequest:
    key: str
    service_id: int
    amount: Money
    refund_id: int


# -- the machine -----------------------------------------------------------------------------


class LedgerMachine(RuleBasedStateMachine):
    databases: ClassVar[Any]  # SqliteDatabases | PostgresDatabases, set by each test
    seen: ClassVar[Counter[str]] = Counter()  # accepted / refused requests over all examples

    def __init__(self) -> None:
        super().__init__()
        self.db: Database = self.databases.create()
        self.worlds: list[World] = []
        self.sent: dict[int, SentRecord] = {}
        self.attempt_ids: list[str] = []  # in the order they were started
        self.deliveries: list[Delivery] = []
        self.refund_requests: list[RefundRequest] = []
        self.cancelled: set[int] = set()  # booking ids
        self.last: Ledger | None = None  # the ledger read by the last invariant check
        self.cache: Ledger | None = None  # the ledger now, until the next write
        self.counter = itertools.count(1)
        self.calls: Counter[str] = Counter()

    def teardown(self) -> None:
        self.seen.update(self.calls)
        try:
            if self.worlds:
                report = verify_chain(db=self.db)
                assert report.ok, f"audit chain broken: {report}"
        finally:
            self.databases.destroy(self.db)

    # -- helpers ------------------------------------------------------------------------------

    def ledger(self) -> Ledger:
        """The ledger as it is now (read again only after something may have written)."""
        if self.cache is None:
            self.cache = Ledger.read(self.db)
        return self.cache

    def has(self, condition: Callable[[Ledger], Any]) -> bool:
        """Precondition on the ledger as the last step left it: steps go where they can act
        (refusals are still exercised: picks also land on unfit targets, on purpose)."""
        return self.last is not None and bool(condition(self.last))

    def call(self, name: str, must_succeed: bool, action: Callable[[], T]) -> T | None:
        """Run one service call; a refusal must be a DomainError that wrote nothing.

        `must_succeed` says, from the ledger before the call, whether the request is valid.
        """
        self.cache = None
        before = None if must_succeed else (snapshot(self.db), content_digest(self.db))
        try:
            result = action()
        except DomainError as err:
            self.calls[f"{name}: refused"] += 1
            assert not must_succeed, f"{name} was refused but should have been accepted: {err}"
            assert before is not None and str(err).strip(), "a refusal needs a message"
            assert snapshot(self.db) == before[0], f"{name} was refused ({err}) but wrote rows"
            assert content_digest(self.db) == before[1], f"{name} refused ({err}), rows changed"
            return None
        self.calls[f"{name}: accepted"] += 1
        assert must_succeed, f"{name} was accepted but should have been refused: {result!r}"
        return result

    @staticmethod
    def pick(
        items: list[T], pick: tuple[bool, int], valid: Callable[[T], bool] | None = None
    ) -> T | None:
        """One of `items`: half the time among those a request would accept, when there are."""
        prefer, index = pick
        if valid is not None and prefer:
            items = [x for x in items if valid(x)] or items
        return items[index % len(items)] if items else None

    def world(self, index: int, led: Ledger | None = None) -> World:
        """A booking: the open ones first, so that small picks (and shrinking) favour them."""
        led = led or self.ledger()
        ordered = sorted(
            self.worlds, key=lambda w: led.bookings[w.booking_id].status != "confirmed"
        )
        return ordered[index % len(ordered)]

    def next_event_id(self) -> str:
        return f"evt_{next(self.counter):05d}"

    def invoices_for_pick(self, led: Ledger, first: str) -> list[SimpleNamespace]:
        """Every invoice, those with status `first` first (small picks shrink towards them)."""
        return sorted(led.invoices.values(), key=lambda i: (i.status != first, i.id))

    # -- setup --------------------------------------------------------------------------------

    @initialize(rates=st.lists(st.integers(0, 10_000), min_size=4, max_size=4))
    def open_four_bookings(self, rates: list[int]) -> None:
        for currency, rate in zip(CURRENCIES, rates, strict=True):
            self.worlds.append(make_world(self.db, currency, rate_bps=rate))
        self.cache = None

    @precondition(lambda self: len(self.worlds) < MAX_BOOKINGS)
    @rule(currency=st.sampled_from(CURRENCIES), rate=st.integers(0, 10_000))
    def open_another_booking(self, currency: str, rate: int) -> None:
        self.worlds.append(make_world(self.db, currency, rate_bps=rate))
        self.cache = None

    # -- the Trip Portfolio ---------------------------------------------------------------------

    @rule(
        booking=st.integers(0, 7),
        strategy=st.sampled_from(PaymentStrategy),
        gross=st.integers(0, 2_000_000),
        deposit_permille=st.integers(0, 1100),
        stray_deposit=st.integers(0, 9),
        confirm=st.booleans(),
    )
    def add_service(
        self,
        booking: int,
        strategy: PaymentStrategy,
        gross: int,
        deposit_permille: int,
        stray_deposit: int,
        confirm: bool,
    ) -> None:
        """Mostly sensible prices; now and then a deposit where none belongs, or none at all."""
        led = self.ledger()
        w = self.world(booking, led)
        with_deposit = (strategy is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT) != (
            stray_deposit == 0
        )
        deposit = Money(gross * deposit_permille // 1000, w.currency) if with_deposit else None
        if strategy is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT:
            prices_ok = deposit is not None and 0 < deposit.minor <= gross
        else:
            prices_ok = deposit is None or deposit.is_zero
        if strategy is PaymentStrategy.PLATFORM_COLLECTS_FULL:
            prices_ok = prices_ok and gross > 0  # the platform collects a price above zero
        must = prices_ok and led.bookings[w.booking_id].status == "confirmed"
        service_id = self.call(
            "add service",
            must,
            lambda: portfolio.add_service_item(
                db=self.db,
                booking_id=w.booking_id,
                operator_id=w.operator_id,
                title=f"Service {next(self.counter)}",
                service_date=date(2026, 7, 3),
                gross=Money(gross, w.currency),
                strategy=strategy,
                deposit=deposit,
                actor=ACTOR,
            ),
        )
        if service_id is None:
            return
        item = self.ledger().services[service_id]
        assert (item.lifecycle, item.strategy, item.gross_minor) == ("draft", strategy, gross)
        if confirm:
            self._confirm(service_id)

    @precondition(
        lambda self: self.has(
            lambda led: any(
                s.lifecycle == "draft" and led.bookings[s.booking_id].status == "confirmed"
                for s in led.services.values()
            )
        )
    )
    @rule(pick=PICK)
    def confirm_service(self, pick: tuple[bool, int]) -> None:
        services = self.ledger().services.values()
        ordered = sorted(services, key=lambda s: (s.lifecycle != "draft", s.id))
        service = self.pick(ordered, pick, lambda s: s.lifecycle == "draft")
        self._confirm(MISSING_ID if service is None else service.id)

    def _confirm(self, service_id: int) -> None:
        led = self.ledger()
        service = led.services.get(service_id)
        must = (
            service is not None
            and service.lifecycle == "draft"
            and led.bookings[service.booking_id].status == "confirmed"
        )
        if must and service is not None and (amount := billable(service)) is not None:
            draft = led.draft_of(service.booking_id)
            on_draft = 0 if draft is None else draft.total_minor
            # A draft never grows past what one payment can take.
            must = on_draft + amount <= max_charge(service.currency).minor
        result = self.call(
            "confirm service",
            must,
            lambda: portfolio.confirm_service(db=self.db, service_id=service_id, actor=ACTOR),
        )
        if result is None:
            return
        assert service is not None
        after = self.ledger()
        assert after.services[service_id].lifecycle == "confirmed"
        amount = billable(service)
        found = after.live_line(service_id)
        if amount is None:
            assert result.invoice_id is None and result.billed is None and found is None
            return
        assert found is not None, "a confirmed platform-collects service must be on the draft"
        line, invoice = found
        assert invoice.status == "draft" and invoice.id == result.invoice_id
        assert line.amount_minor == amount and result.billed == Money(amount, service.currency)
        draft_before = led.draft_of(service.booking_id)
        if draft_before is not None:
            assert invoice.id == draft_before.id, "a second draft was opened"

    @precondition(
        lambda self: self.has(
            lambda led: any(s.lifecycle != "cancelled" for s in led.services.values())
        )
    )
    @rule(pick=PICK)
    def cancel_service(self, pick: tuple[bool, int]) -> None:
        led = self.ledger()
        ordered = sorted(led.services.values(), key=lambda s: (s.lifecycle == "cancelled", s.id))
        service = self.pick(ordered, pick, lambda s: s.lifecycle != "cancelled")
        service_id = MISSING_ID if service is None else service.id
        must = service is not None and service.lifecycle != "cancelled"
        found = None if service is None else led.live_line(service_id)
        result = self.call(
            "cancel service",
            must,
            lambda: portfolio.cancel_service(
                db=self.db, service_id=service_id, actor=ACTOR, reason="guest changed plans"
            ),
        )
        if result is None:
            return
        assert service is not None
        after = self.ledger()
        assert after.services[service_id].lifecycle == "cancelled"
        expected = {
            None: CancelOutcome.NOT_BILLED,
            "draft": CancelOutcome.REMOVED_FROM_DRAFT,
            "active": CancelOutcome.INVOICE_VOIDED,
            "paid": CancelOutcome.REFUND_REQUIRED
            if led.refundable_left(service_id)
            else CancelOutcome.ALREADY_REFUNDED,
        }[None if found is None else found[1].status]
        assert result.outcome is expected, (result.outcome, expected)
        self.calls[f"cancel service: {expected.value}"] += 1
        if expected is CancelOutcome.REMOVED_FROM_DRAFT:
            assert after.live_line(service_id) is None
        if expected is CancelOutcome.INVOICE_VOIDED:
            assert found is not None
            self._check_void_and_reissue(led, after, found[1].id, dropped=service_id)
        assert after.services[service_id].refund_required == (
            expected is CancelOutcome.REFUND_REQUIRED
        )

    # -- invoices -----------------------------------------------------------------------------

    @precondition(lambda self: self.has(lambda led: led.invoices))
    @rule(pick=PICK)
    def send_invoice(self, pick: tuple[bool, int]) -> None:
        """Send Invoice on any invoice (drafts first): only a non-empty draft can be sent."""
        led = self.ledger()
        invoice = self.pick(
            self.invoices_for_pick(led, "draft"), pick, lambda i: i.status == "draft"
        )
        self._send(MISSING_ID if invoice is None else invoice.id)

    @precondition(
        lambda self: self.has(lambda led: any(i.status == "draft" for i in led.invoices.values()))
    )
    @rule(booking=st.integers(0, 7))
    def send_the_draft_of_a_booking(self, booking: int) -> None:
        led = self.ledger()
        draft = led.draft_of(self.world(booking, led).booking_id)
        if draft is not None:
            self._send(draft.id)

    def _send(self, invoice_id: int) -> None:
        led = self.ledger()
        invoice = led.invoices.get(invoice_id)
        must = invoice is not None and invoice.status == "draft" and bool(led.lines_of(invoice_id))
        result = self.call(
            "send invoice",
            must,
            lambda: invoicing.send_invoice(db=self.db, invoice_id=invoice_id, actor=ACTOR),
        )
        if result is None:
            return
        assert invoice is not None
        after = self.ledger()
        sent = after.invoices[invoice_id]
        assert (sent.status, sent.number) == ("active", result.number)
        assert sent.total_minor == invoice.total_minor == result.total.minor
        prefix, value = number_parts(result.number)
        sequence = f"guest_invoice:{prefix[3:]}"
        assert value == led.sequences.get(sequence, 0) + 1 == after.sequences[sequence]
        assert result.message_queued
        guest = after.guests[after.bookings[sent.booking_id].guest_id]
        messages = [m for m in after.outbox if m.dedupe_key == f"invoice_sent:{invoice_id}"]
        assert [(m.template_key, m.recipient) for m in messages] == [("invoice_sent", guest.email)]

    @precondition(lambda self: self.has(has_active_invoice))
    @rule(pick=PICK)
    def void_invoice(self, pick: tuple[bool, int]) -> None:
        led = self.ledger()
        invoice = self.pick(
            self.invoices_for_pick(led, "active"), pick, lambda i: i.status == "active"
        )
        invoice_id = MISSING_ID if invoice is None else invoice.id
        must = invoice is not None and invoice.status == "active"
        result = self.call(
            "void invoice",
            must,
            lambda: invoicing.void_invoice(
                db=self.db, invoice_id=invoice_id, actor=ACTOR, reason="wrong date on a line"
            ),
        )
        if invoice is not None and must:
            after = self.ledger()
            self._check_void_and_reissue(led, after, invoice_id, dropped=None)
            assert result == after.invoices[invoice_id].reissued_as_id

    def _check_void_and_reissue(
        self, before: Ledger, after: Ledger, invoice_id: int, *, dropped: int | None
    ) -> None:
        voided = after.invoices[invoice_id]
        assert voided.status == "voided" and voided.number == before.invoices[invoice_id].number
        booking_id = voided.booking_id
        moving = [
            ln
            for ln in before.lines_of(invoice_id)
            if ln.service_item_id != dropped
            and before.services[ln.service_item_id].lifecycle == "confirmed"
        ]
        draft = after.draft_of(booking_id)
        if moving and after.bookings[booking_id].status == "confirmed":
            assert draft is not None and voided.reissued_as_id == draft.id
            on_draft = {ln.service_item_id: ln.amount_minor for ln in after.lines_of(draft.id)}
            for ln in moving:
                assert on_draft.get(ln.service_item_id) == ln.amount_minor, "line not re-issued"
        for ai in before.attempt_invoices:
            if ai.invoice_id == invoice_id and before.attempts[ai.attempt_id].status == "open":
                assert after.attempts[ai.attempt_id].status == "expired"

    # -- paying -------------------------------------------------------------------------------

    def _start(self, invoice_ids: list[int], must: bool) -> checkout.AttemptView | None:
        attempt = self.call(
            "start checkout",
            must,
            lambda: checkout.start_payment_attempt(
                db=self.db, invoice_ids=invoice_ids, actor="guest"
            ),
        )
        if attempt is not None:
            self.attempt_ids.append(attempt.id)
            led = self.ledger()
            row = led.attempts[attempt.id]
            assert row.status == "open" and row.amount_minor == attempt.amount.minor
            assert sorted(i.id for i in led.invoices_of_attempt(attempt.id)) == sorted(
                set(invoice_ids)
            )
        return attempt

    @staticmethod
    def _payable(invoices: list[SimpleNamespace]) -> bool:
        return (
            bool(invoices)
            and all(i.status == "active" for i in invoices)
            and len({i.booking_id for i in invoices}) == 1
            and 0
            < sum(i.total_minor for i in invoices)
            <= max_charge(invoices[0].currency).minor  # one payment's limit
        )

    @precondition(lambda self: self.has(has_active_invoice))
    @rule(pick=PICK, event_type=st.sampled_from(SUCCESS_EVENTS))
    def pay_one_invoice(self, pick: tuple[bool, int], event_type: str) -> None:
        led = self.ledger()
        invoice = self.pick(
            self.invoices_for_pick(led, "active"), pick, lambda i: i.status == "active"
        )
        ids = [MISSING_ID if invoice is None else invoice.id]
        attempt = self._start(ids, invoice is not None and self._payable([invoice]))
        if attempt is not None:
            self._fulfil(attempt.id, event_type, wrong_amount=False)

    @rule(
        booking=st.integers(0, 7),
        deposit=st.booleans(),
        gross=st.integers(1, 2_000_000),
        up_to=st.sampled_from(["confirmed", "sent", "paid"]),
        event_type=st.sampled_from(SUCCESS_EVENTS),
    )
    def a_service_is_billed(
        self, booking: int, deposit: bool, gross: int, up_to: str, event_type: str
    ) -> None:
        """The usual journey in one step (each call checked as in its own rule): add and
        confirm a platform-collects service, then maybe Send Invoice, then maybe Pay."""
        led = self.ledger()
        w = self.world(booking, led)
        if led.bookings[w.booking_id].status != "confirmed":
            return
        strategy = (
            PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT
            if deposit
            else PaymentStrategy.PLATFORM_COLLECTS_FULL
        )
        service_id = self.call(
            "add service",
            True,
            lambda: portfolio.add_service_item(
                db=self.db,
                booking_id=w.booking_id,
                operator_id=w.operator_id,
                title=f"Service {next(self.counter)}",
                service_date=date(2026, 7, 3),
                gross=Money(gross, w.currency),
                strategy=strategy,
                deposit=Money(max(1, gross // 4), w.currency) if deposit else None,
                actor=ACTOR,
            ),
        )
        assert service_id is not None
        self._confirm(service_id)
        if up_to == "confirmed":
            return
        draft = self.ledger().draft_of(w.booking_id)
        assert draft is not None
        self._send(draft.id)
        if up_to == "sent":
            return
        attempt = self._start([draft.id], True)
        assert attempt is not None
        self._fulfil(attempt.id, event_type, wrong_amount=False)

    @precondition(lambda self: self.has(has_active_invoice))
    @rule(
        pick=PICK,
        meanwhile=st.sampled_from(["paid in another tab", "invoice voided", "service cancelled"]),
        event_type=st.sampled_from(SUCCESS_EVENTS),
    )
    def a_checkout_is_overtaken(
        self, pick: tuple[bool, int], meanwhile: str, event_type: str
    ) -> None:
        """The guest opens a checkout; before the provider reports success, the invoice is paid
        in another checkout, voided by staff, or one of its services is cancelled. The late
        success must be recorded as unapplied money, never as a second payment."""
        led = self.ledger()
        invoice = self.pick(
            self.invoices_for_pick(led, "active"), pick, lambda i: i.status == "active"
        )
        assert invoice is not None
        if not self._payable([invoice]):
            return
        first = self._start([invoice.id], True)
        assert first is not None
        live = [
            ln
            for ln in led.lines_of(invoice.id)
            if led.services[ln.service_item_id].lifecycle == "confirmed"
        ]  # none when the whole booking was cancelled after sending
        if meanwhile == "service cancelled" and not live:
            meanwhile = "invoice voided"
        if meanwhile == "paid in another tab":
            second = self._start([invoice.id], True)
            assert second is not None
            self._fulfil(second.id, event_type, wrong_amount=False)
        elif meanwhile == "invoice voided":
            self.call(
                "void invoice",
                True,
                lambda: invoicing.void_invoice(
                    db=self.db, invoice_id=invoice.id, actor=ACTOR, reason="price corrected"
                ),
            )
        else:
            result = self.call(
                "cancel service",
                True,
                lambda: portfolio.cancel_service(
                    db=self.db, service_id=live[0].service_item_id, actor=ACTOR
                ),
            )
            assert result is not None and result.outcome is CancelOutcome.INVOICE_VOIDED
            self.calls[f"cancel service: {result.outcome.value}"] += 1
        self._fulfil(first.id, event_type, wrong_amount=False)
        assert self.ledger().attempts[first.id].unapplied_minor == invoice.total_minor

    @precondition(lambda self: self.has(has_active_invoice))
    @rule(booking=st.integers(0, 7), event_type=st.sampled_from(SUCCESS_EVENTS))
    def pay_all_open_invoices(self, booking: int, event_type: str) -> None:
        led = self.ledger()
        w = self.world(booking, led)
        active = [i for i in led.invoices_of(w.booking_id) if i.status == "active"]
        attempt = self._start([i.id for i in active], self._payable(active))
        if attempt is not None:
            self._fulfil(attempt.id, event_type, wrong_amount=False)

    @precondition(lambda self: self.has(has_active_invoice))
    @rule(booking=st.integers(0, 7), mask=st.integers(1, 255))
    def open_a_checkout(self, booking: int, mask: int) -> None:
        """A guest starts paying some invoices and leaves the checkout open."""
        led = self.ledger()
        w = self.world(booking, led)
        mine = sorted(led.invoices_of(w.booking_id), key=lambda i: (i.status != "active", i.id))
        chosen = [inv for bit, inv in enumerate(mine[:8]) if mask >> bit & 1]
        self._start([i.id for i in chosen], self._payable(chosen))

    @precondition(lambda self: bool(self.attempt_ids))
    @rule(pick=PICK, event_type=st.sampled_from(SUCCESS_EVENTS), wrong_amount=st.booleans())
    def provider_reports_success(
        self, pick: tuple[bool, int], event_type: str, wrong_amount: bool
    ) -> None:
        """Open checkouts first: their invoices may have been paid or voided meanwhile."""
        led = self.ledger()
        rank = {"open": 0, "expired": 1, "failed": 1, "succeeded": 2}
        ordered = sorted(self.attempt_ids, key=lambda a: rank[led.attempts[a].status])
        attempt_id = self.pick(ordered, pick, lambda a: led.attempts[a].status == "open")
        if attempt_id is not None:
            self._fulfil(attempt_id, event_type, wrong_amount=wrong_amount)

    def _fulfil(self, attempt_id: str, event_type: str, *, wrong_amount: bool) -> None:
        led = self.ledger()
        attempt = led.attempts[attempt_id]
        amount = Money(attempt.amount_minor + (1 if wrong_amount else 0), attempt.currency)
        if attempt.status == "succeeded":
            expected = EventOutcome.ALREADY_FULFILLED
        elif wrong_amount:
            expected = EventOutcome.AMOUNT_MISMATCH
        else:
            expected = EventOutcome.FULFILLED
        event_id = self.next_event_id()
        untouched = (
            None
            if expected is EventOutcome.FULFILLED
            else content_digest(self.db, skip=LEDGER_EFFECT_TABLES)
        )
        outcome = self.call(
            "provider success event",
            True,
            lambda: checkout.fulfil_payment_attempt(
                db=self.db,
                attempt_id=attempt_id,
                provider=PROVIDER,
                event_id=event_id,
                event_type=event_type,
                amount=amount,
            ),
        )
        assert outcome is expected, (outcome, expected)
        self.deliveries.append(Delivery(attempt_id, event_id, event_type, amount, None))
        after = self.ledger()
        assert [e.outcome for e in after.events if e.event_id == event_id] == [expected.value]
        if expected is not EventOutcome.FULFILLED:
            assert content_digest(self.db, skip=LEDGER_EFFECT_TABLES) == untouched
            assert after.attempts[attempt_id].status == attempt.status
            return
        assert after.attempts[attempt_id].status == "succeeded"
        unapplied = 0
        for invoice in led.invoices_of_attempt(attempt_id):
            now = after.invoices[invoice.id]
            if invoice.status == "active":
                assert (now.status, now.paid_by_attempt_id) == ("paid", attempt_id)
            else:
                assert now.status == invoice.status
                unapplied += invoice.total_minor
        assert after.attempts[attempt_id].unapplied_minor == unapplied
        if unapplied:
            self.calls["late success: money unapplied"] += 1

    @precondition(lambda self: bool(self.attempt_ids))
    @rule(pick=PICK, status=st.sampled_from([CheckoutStatus.FAILED, CheckoutStatus.EXPIRED]))
    def provider_reports_failure(self, pick: tuple[bool, int], status: CheckoutStatus) -> None:
        led = self.ledger()
        ordered = sorted(self.attempt_ids, key=lambda a: led.attempts[a].status != "open")
        attempt_id = self.pick(ordered, pick, lambda a: led.attempts[a].status == "open")
        if attempt_id is None:
            return
        was = led.attempts[attempt_id].status
        expected = (
            EventOutcome.ALREADY_FINAL
            if was != "open"
            else EventOutcome.MARKED_FAILED
            if status is CheckoutStatus.FAILED
            else EventOutcome.MARKED_EXPIRED
        )
        event_id = self.next_event_id()
        event_type = (
            "checkout.session.async_payment_failed"
            if status is CheckoutStatus.FAILED
            else "checkout.session.expired"
        )
        untouched = content_digest(self.db, skip=LEDGER_EFFECT_TABLES | {"payment_attempt"})
        outcome = self.call(
            "provider failure event",
            True,
            lambda: checkout.close_payment_attempt(
                db=self.db,
                attempt_id=attempt_id,
                provider=PROVIDER,
                event_id=event_id,
                event_type=event_type,
                status=status,
                reason="card declined",
            ),
        )
        assert outcome is expected, (outcome, expected)
        self.deliveries.append(Delivery(attempt_id, event_id, event_type, None, status))
        after = self.ledger()
        assert content_digest(self.db, skip=LEDGER_EFFECT_TABLES | {"payment_attempt"}) == untouched
        assert after.attempts[attempt_id].status == (status.value if was == "open" else was)

    @precondition(lambda self: bool(self.deliveries))
    @rule(pick=PICK)
    def provider_redelivers_an_event(self, pick: tuple[bool, int]) -> None:
        delivery = self.pick(self.deliveries, pick)
        if delivery is None:
            return
        counts, digest = snapshot(self.db), content_digest(self.db)
        if delivery.amount is not None:
            outcome = checkout.fulfil_payment_attempt(
                db=self.db,
                attempt_id=delivery.attempt_id,
                provider=PROVIDER,
                event_id=delivery.event_id,
                event_type=delivery.event_type,
                amount=delivery.amount,
            )
        else:
            assert delivery.status is not None
            outcome = checkout.close_payment_attempt(
                db=self.db,
                attempt_id=delivery.attempt_id,
                provider=PROVIDER,
                event_id=delivery.event_id,
                event_type=delivery.event_type,
                status=delivery.status,
                reason="card declined",
            )
        self.cache = None
        self.calls["redelivered event"] += 1
        assert outcome is EventOutcome.DUPLICATE_EVENT
        assert snapshot(self.db) == counts and content_digest(self.db) == digest

    # -- refunds ------------------------------------------------------------------------------

    @precondition(
        lambda self: self.has(lambda led: any(led.refundable_left(s) for s in led.services))
    )
    @rule(
        pick=PICK,
        how=st.sampled_from(["part", "the rest", "one more than the rest", "nothing"]),
        permille=st.integers(1, 999),
        via=st.sampled_from(["recorded", "connector", "connector refuses"]),
    )
    def refund_a_paid_service(
        self, pick: tuple[bool, int], how: str, permille: int, via: str
    ) -> None:
        """Staff record a refund made at the provider, or issue it through the connector
        (which may refuse it: the refund is then recorded as failed, and nothing else moves)."""
        led = self.ledger()
        paid_first = sorted(  # cancelled ones first: their refund is the one staff owe
            led.services.values(),
            key=lambda s: (not led.refundable_left(s.id), s.lifecycle != "cancelled", s.id),
        )
        service = self.pick(paid_first, pick, lambda s: bool(led.refundable_left(s.id)))
        if service is None:
            return
        left = led.refundable_left(service.id)
        rest = left if left is not None else 100
        minor = {
            "part": rest * permille // 1000,
            "the rest": rest,
            "one more than the rest": rest + 1,
            "nothing": 0,
        }[how]
        must = left is not None and 0 < minor <= left
        key = f"refund_{next(self.counter)}"
        amount = Money(minor, service.currency)
        note = "operator cancelled the tour"
        if via == "connector refuses" and must:
            self._refund_refused_by_the_provider(service.id, amount, key)
            return
        view = self.call(
            "refund",
            must,
            lambda: (
                refunds.record_refund(
                    db=self.db,
                    service_id=service.id,
                    amount=amount,
                    note=note,
                    actor=ACTOR,
                    idempotency_key=key,
                )
                if via == "recorded"
                else refunds.issue_refund(
                    db=self.db,
                    service_id=service.id,
                    amount=amount,
                    note=note,
                    actor=ACTOR,
                    idempotency_key=key,
                    gateway=RefusingGateway() if via != "connector" else None,
                )
            ),
        )
        if view is None:
            return
        assert left is not None and view.status == "succeeded"
        self.refund_requests.append(RefundRequest(key, service.id, amount, view.id))
        after = self.ledger()
        refund = next(r for r in after.refunds if r.id == view.id)
        _, invoice = after.live_line(service.id) or (None, None)
        assert invoice is not None and refund.attempt_id == invoice.paid_by_attempt_id
        assert view.refundable_left.minor == left - minor == after.refundable_left(service.id)
        if left == minor and service.lifecycle == "cancelled":
            assert not after.services[service.id].refund_required

    def _refund_refused_by_the_provider(self, service_id: int, amount: Money, key: str) -> None:
        led = self.ledger()
        untouched = content_digest(self.db, skip=LEDGER_EFFECT_TABLES | {"refund"})
        self.cache = None
        with pytest.raises(DomainError, match="provider refused"):
            refunds.issue_refund(
                db=self.db,
                service_id=service_id,
                amount=amount,
                note="tour cancelled",
                actor=ACTOR,
                idempotency_key=key,
                gateway=RefusingGateway(),
            )
        self.calls["refund: refused by the provider"] += 1
        after = self.ledger()
        [failed] = [r for r in after.refunds if r.idempotency_key == key]
        assert (failed.status, failed.amount_minor) == ("failed", amount.minor)
        assert after.refundable_left(service_id) == led.refundable_left(service_id)
        assert content_digest(self.db, skip=LEDGER_EFFECT_TABLES | {"refund"}) == untouched
        # The app's own view agrees: a refused refund gave nothing back.
        booking_id = after.services[service_id].booking_id
        [view] = [
            v
            for v in queries.trip_portfolio(db=self.db, booking_id=booking_id)
            if v.id == service_id
        ]
        assert view.refundable.minor == led.refundable_left(service_id)
        # Staff then refund the guest another way and record it: the money is still there.
        retry = f"{key}_retry"
        done = self.call(
            "refund",
            True,
            lambda: refunds.record_refund(
                db=self.db,
                service_id=service_id,
                amount=amount,
                note="paid back by transfer",
                actor=ACTOR,
                idempotency_key=retry,
            ),
        )
        assert done is not None
        self.refund_requests.append(RefundRequest(retry, service_id, amount, done.id))

    @precondition(
        lambda self: self.has(
            lambda led: any(
                s.lifecycle == "confirmed" and led.refundable_left(s.id)
                for s in led.services.values()
            )
        )
    )
    @rule(
        pick=st.integers(0, 50),
        in_full=st.booleans(),
        permille=st.integers(1, 999),
        refund_first=st.booleans(),
    )
    def a_paid_service_is_cancelled_and_refunded(
        self, pick: int, in_full: bool, permille: int, refund_first: bool
    ) -> None:
        """The guide's flow after payment: cancelling flags 'refund required' and staff then
        refund (the flag clears once everything is refunded) — or staff refund first, and the
        cancellation asks for a refund only if money is still held."""
        led = self.ledger()
        paid = [
            s
            for s in led.services.values()
            if s.lifecycle == "confirmed" and led.refundable_left(s.id)
        ]
        service = paid[pick % len(paid)]
        left = led.refundable_left(service.id)
        assert left
        minor = left if in_full else max(1, left * permille // 1000)
        owed_after = minor < left

        def cancel() -> None:
            result = self.call(
                "cancel service",
                True,
                lambda: portfolio.cancel_service(db=self.db, service_id=service.id, actor=ACTOR),
            )
            assert result is not None
            self.calls[f"cancel service: {result.outcome.value}"] += 1
            expected = (
                CancelOutcome.REFUND_REQUIRED
                if not refund_first or owed_after
                else CancelOutcome.ALREADY_REFUNDED
            )
            assert result.outcome is expected, (result.outcome, expected)

        if not refund_first:
            cancel()
        key = f"refund_{next(self.counter)}"
        amount = Money(minor, service.currency)
        view = self.call(
            "refund",
            True,
            lambda: refunds.record_refund(
                db=self.db,
                service_id=service.id,
                amount=amount,
                note="tour cancelled",
                actor=ACTOR,
                idempotency_key=key,
            ),
        )
        assert view is not None
        self.refund_requests.append(RefundRequest(key, service.id, amount, view.id))
        if refund_first:
            cancel()
        flagged = self.ledger().services[service.id].refund_required
        assert flagged == owed_after, "'refund required' exactly while money is still held"

    @precondition(lambda self: bool(self.refund_requests))
    @rule(pick=PICK, tamper=st.booleans())
    def staff_repeat_a_refund_request(self, pick: tuple[bool, int], tamper: bool) -> None:
        request = self.pick(self.refund_requests, pick)
        if request is None:
            return
        amount = request.amount + Money(1, request.amount.currency) if tamper else request.amount
        counts, digest = snapshot(self.db), content_digest(self.db)
        view = self.call(
            "repeated refund",
            not tamper,
            lambda: refunds.record_refund(
                db=self.db,
                service_id=request.service_id,
                amount=amount,
                note="operator cancelled the tour",
                actor=ACTOR,
                idempotency_key=request.key,
            ),
        )
        assert snapshot(self.db) == counts and content_digest(self.db) == digest
        if view is not None:
            assert view.id == request.refund_id

    # -- bookings -----------------------------------------------------------------------------

    @precondition(
        lambda self: len(self.worlds) - len(self.cancelled) >= 2 and len(self.cancelled) < 3
    )
    @rule(booking=st.integers(0, 7))
    def cancel_booking(self, booking: int) -> None:
        """The guest cancels (one booking at least stays open, so the machine keeps going)."""
        led = self.ledger()
        w = self.world(booking, led)
        must = led.bookings[w.booking_id].status == "confirmed"
        result = self.call(
            "cancel booking",
            must,
            lambda: bookings.cancel_booking(
                db=self.db, booking_id=w.booking_id, actor=ACTOR, reason="guest cancelled"
            ),
        )
        if result is None:
            return
        self.cancelled.add(w.booking_id)
        after = self.ledger()
        live = [
            s
            for s in led.services.values()
            if s.booking_id == w.booking_id and s.lifecycle != "cancelled"
        ]
        invoices = led.invoices_of(w.booking_id)
        assert result.services_cancelled == len(live)
        assert result.drafts_voided == sum(i.status == "draft" for i in invoices)
        assert result.active_invoices_kept == sum(i.status == "active" for i in invoices)
        paid_live = [s for s in live if led.refundable_left(s.id) is not None]
        owed = [s for s in paid_live if led.refundable_left(s.id)]
        assert result.refunds_required == len(owed)
        assert all(
            after.services[s.id].lifecycle == "cancelled"
            for s in led.services.values()
            if s.booking_id == w.booking_id
        )
        assert all(after.services[s.id].refund_required for s in owed)
        for invoice in invoices:
            now = after.invoices[invoice.id].status
            assert now == ("voided" if invoice.status == "draft" else invoice.status)

    # -- what must always hold ------------------------------------------------------------------

    @invariant()
    def the_ledger_is_consistent(self) -> None:
        self.cache = None
        led = self.last = self.ledger()
        self._check_invoices(led)
        self._check_sent_invoices_are_locked(led)
        self._check_lines_and_services(led)
        self._check_numbers(led)
        self._check_money(led)
        self._check_messages_and_audit(led)
        report = verify_chain(db=self.db)
        assert report.ok, f"audit chain broken: {report}"

    def _check_invoices(self, led: Ledger) -> None:
        drafts: Counter[int] = Counter()
        for invoice in led.invoices.values():
            lines = led.lines_of(invoice.id)
            assert sum(ln.amount_minor for ln in lines) == invoice.total_minor, (
                f"invoice {invoice.id}: lines do not add up to its total"
            )
            booking = led.bookings[invoice.booking_id]
            assert invoice.currency == booking.currency
            for ln in lines:
                assert ln.currency == invoice.currency, f"line {ln.id} in another currency"
            assert (invoice.number is None) == (invoice.issued_at is None)
            if invoice.status in ("active", "paid"):
                assert invoice.number is not None
            if invoice.status == "draft":
                assert invoice.number is None
                drafts[invoice.booking_id] += 1
                assert booking.status == "confirmed", "a cancelled booking keeps a draft"
            assert (invoice.status == "paid") == (invoice.paid_by_attempt_id is not None)
        assert all(n <= 1 for n in drafts.values()), f"several drafts: {drafts}"

    def _check_sent_invoices_are_locked(self, led: Ledger) -> None:
        for invoice in led.invoices.values():
            if invoice.number is None:
                continue
            record = SentRecord(
                invoice.id,
                invoice.number,
                invoice.total_minor,
                invoice.currency,
                tuple(
                    (ln.service_item_id, ln.amount_minor, ln.description)
                    for ln in led.lines_of(invoice.id)
                ),
            )
            first = self.sent.setdefault(invoice.id, record)
            assert record == first, f"sent invoice {invoice.number} changed: {first} → {record}"
        # What the audit trail says was billed is what the invoice says.
        for event in led.audit:
            if event.action != "invoice.sent":
                continue
            invoice_id = int(event.subject.removeprefix("invoice:"))
            record = self.sent[invoice_id]
            data = json.loads(event.data)
            assert data["number"] == record.number
            assert data["total"] == str(Money(record.total_minor, record.currency))
            assert [tuple(x) for x in data["lines"]] == [(s, a) for s, a, _ in record.lines]

    def _check_lines_and_services(self, led: Ledger) -> None:
        for ln in led.lines:
            service = led.services[ln.service_item_id]
            invoice = led.invoices[ln.invoice_id]
            strategy = PaymentStrategy(service.strategy)
            assert service.booking_id == invoice.booking_id
            assert service.lifecycle != "draft", f"unconfirmed service {service.id} was billed"
            assert strategy in BILLED_STRATEGIES, f"{strategy.label} service {service.id} billed"
            assert ln.amount_minor == billable(service), f"line {ln.id} bills the wrong amount"
            deposit = strategy is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT
            assert ln.kind == ("deposit" if deposit else "full"), f"line {ln.id} of wrong kind"
        for service in led.services.values():
            live = led.live_lines(service.id)
            assert len(live) <= 1, f"service {service.id} is on several live invoices"
            if service.lifecycle == "confirmed" and billable(service) is not None:
                assert live, f"confirmed service {service.id} is on no invoice"
            if service.lifecycle == "cancelled" and live:
                # Paid (a refund may be due), or on an invoice sent before the whole booking
                # was cancelled: the guide keeps those, to settle with the guest.
                status = live[0][1].status
                kept = status == "active" and led.bookings[service.booking_id].status == "cancelled"
                assert status == "paid" or kept, f"cancelled service {service.id} still billed"
            paid = bool(live) and live[0][1].status == "paid"
            # "Refund required" exactly while a cancelled service holds money the guest paid
            # (cancelled after payment, or paid after cancellation) and has not had back.
            owed = (
                service.lifecycle == "cancelled" and paid and bool(led.refundable_left(service.id))
            )
            assert service.refund_required == owed, (
                f"service {service.id}: refund_required={service.refund_required}, but "
                f"{'money is owed' if owed else 'nothing is owed'}"
            )

    def _check_numbers(self, led: Ledger) -> None:
        by_sequence: dict[str, list[int]] = defaultdict(list)
        for invoice in led.invoices.values():
            if invoice.number is not None:
                prefix, value = number_parts(invoice.number)
                by_sequence[prefix].append(value)
        for prefix, values in by_sequence.items():
            assert sorted(values) == list(range(1, len(values) + 1)), f"gap in {prefix}: {values}"
            assert led.sequences[f"guest_invoice:{prefix[3:]}"] == len(values)
        # receipts: their own gapless series, one per checkout that paid an invoice
        receipts = sorted(int(r.number.removeprefix("RC-")) for r in led.receipts)
        assert receipts == list(range(1, len(receipts) + 1)), f"gap in receipts: {receipts}"
        assert led.sequences.get("guest_receipt", 0) == len(receipts)
        paying = {i.paid_by_attempt_id for i in led.invoices.values() if i.paid_by_attempt_id}
        assert sorted(r.attempt_id for r in led.receipts) == sorted(paying)
        for r in led.receipts:
            settled = [i for i in led.invoices.values() if i.paid_by_attempt_id == r.attempt_id]
            assert r.amount_minor == sum(i.total_minor for i in settled)
        # credit notes: their own gapless series, one per refund that gave money back (each
        # succeeded refund on exactly one note; a failed one on none), sent to the guest once
        notes = sorted(int(n.number.removeprefix("GCN-")) for n in led.credit_notes)
        assert notes == list(range(1, len(notes) + 1)), f"gap in credit notes: {notes}"
        assert led.sequences.get("guest_credit_note", 0) == len(notes)
        on_notes = Counter(ln.refund_id for ln in led.credit_note_lines)
        succeeded = {r.id for r in led.refunds if r.status == "succeeded"}
        assert set(on_notes) <= {r.id for r in led.refunds}
        assert {r for r in on_notes if r in succeeded} == succeeded
        assert all(n == 1 for n in on_notes.values()), "a refund on two credit notes"
        for note in led.credit_notes:
            mine = [ln for ln in led.credit_note_lines if ln.credit_note_id == note.id]
            assert mine and note.amount_minor == sum(ln.amount_minor for ln in mine)
            assert all(led.invoices[ln.invoice_id].status == "paid" for ln in mine)
        told = sorted(m.dedupe_key for m in led.outbox if m.template_key == "refund_issued")
        assert told == sorted(f"refund_issued:{n.number}" for n in led.credit_notes)
        documents = {"guest_receipt", "guest_credit_note"}
        invoice_sequences = {k: v for k, v in led.sequences.items() if k not in documents}
        assert sum(invoice_sequences.values()) == sum(map(len, by_sequence.values()))

    def _check_money(self, led: Ledger) -> None:
        for attempt in led.attempts.values():
            covered = led.invoices_of_attempt(attempt.id)
            links = [ai for ai in led.attempt_invoices if ai.attempt_id == attempt.id]
            assert sum(ai.amount_minor for ai in links) == attempt.amount_minor
            assert all(i.currency == attempt.currency for i in covered)
            assert {i.booking_id for i in covered} == {attempt.booking_id}
            paid_by_it = [i for i in led.invoices.values() if i.paid_by_attempt_id == attempt.id]
            assert {i.id for i in paid_by_it} <= {i.id for i in covered}
            if attempt.status == "succeeded":
                assert attempt.amount_minor - attempt.unapplied_minor == sum(
                    i.total_minor for i in paid_by_it
                ), f"attempt {attempt.id}: money received ≠ invoices paid + unapplied"
            else:
                assert not paid_by_it and attempt.unapplied_minor == 0
        for booking in led.bookings.values():
            paid = sum(i.total_minor for i in led.invoices_of(booking.id) if i.status == "paid")
            mine = [a for a in led.attempts.values() if a.booking_id == booking.id]
            received = sum(a.amount_minor for a in mine if a.status == "succeeded")
            unapplied = sum(a.unapplied_minor for a in mine if a.status == "succeeded")
            refunded = sum(
                r.amount_minor
                for r in led.refunds
                if r.booking_id == booking.id and r.status != "failed"
            )
            assert paid - refunded == received - unapplied - refunded
            totals = queries.booking_totals(db=self.db, booking_id=booking.id)
            assert totals.concierge_net_paid == Money(paid - refunded, booking.currency)
            assert totals.unapplied == Money(unapplied, booking.currency)
        for service in led.services.values():
            found = led.live_line(service.id)
            refunded = led.refunded(service.id)
            if found is None or found[1].status != "paid":
                assert refunded == 0, f"service {service.id} refunded without being paid"
                continue
            line, invoice = found
            assert 0 <= refunded <= line.amount_minor, f"service {service.id} over-refunded"
            mine = [c for c in led.commissions if c.service_item_id == service.id]
            earned = [c for c in mine if c.kind == "earned"]
            assert len(earned) == 1 and earned[0].attempt_id == invoice.paid_by_attempt_id
            rate = earned[0].rate_bps
            assert earned[0].amount_minor == divide_rounded(
                line.amount_minor * rate, 10_000, Rounding.HALF_UP
            )
            reversed_ = sum(c.amount_minor for c in mine if c.kind == "reversed")
            expected = divide_rounded(
                earned[0].amount_minor * refunded, line.amount_minor or 1, Rounding.HALF_UP
            )
            assert reversed_ == expected, f"service {service.id}: commission reversal wrong"
        earned_services = {c.service_item_id for c in led.commissions if c.kind == "earned"}
        paid_services = {
            ln.service_item_id for ln in led.lines if led.invoices[ln.invoice_id].status == "paid"
        }
        assert earned_services == paid_services, "commission recorded for an unpaid service"

    def _check_messages_and_audit(self, led: Ledger) -> None:
        numbered = {i.id for i in led.invoices.values() if i.number is not None}
        succeeded = {a.id for a in led.attempts.values() if a.status == "succeeded"}
        sent_messages = [m.dedupe_key for m in led.outbox if m.template_key == "invoice_sent"]
        paid_messages = [m.dedupe_key for m in led.outbox if m.template_key == "payment_received"]
        assert sorted(sent_messages) == sorted(f"invoice_sent:{i}" for i in numbered)
        assert sorted(paid_messages) == sorted(f"payment_received:{a}" for a in succeeded)
        sent_events = Counter(e.subject for e in led.audit if e.action == "invoice.sent")
        paid_events = Counter(e.subject for e in led.audit if e.action == "payment.succeeded")
        assert sent_events == Counter(f"invoice:{i}" for i in numbered)
        assert paid_events == Counter(f"attempt:{a}" for a in succeeded)
        claimed = Counter((e.provider, e.event_id) for e in led.events)
        assert all(n == 1 for n in claimed.values())
        assert len(led.events) == len(self.deliveries), "an event id stored twice or not at all"


# -- the tests -------------------------------------------------------------------------------

SQLITE_SETTINGS = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
POSTGRES_SETTINGS = settings(SQLITE_SETTINGS, max_examples=10, stateful_step_count=30)


def test_the_ledger_stays_consistent_under_random_use_on_sqlite(
    sqlite_template: Path, tmp_path: Path
) -> None:
    machine = type(
        "SqliteLedgerMachine",
        (LedgerMachine,),
        {"databases": SqliteDatabases(sqlite_template, tmp_path), "seen": Counter()},
    )
    run_state_machine_as_test(machine, settings=SQLITE_SETTINGS)
    print("requests over all examples:", dict(sorted(machine.seen.items())))


def test_the_machine_reaches_every_kind_of_request(sqlite_template: Path, tmp_path: Path) -> None:
    """Guard against a machine that silently stops exercising the ledger. Swarm testing makes
    one random run's coverage vary a lot, so this guard walks a fixed (derandomized) path."""
    machine = type(
        "CoverageLedgerMachine",
        (LedgerMachine,),
        {"databases": SqliteDatabases(sqlite_template, tmp_path), "seen": Counter()},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            SQLITE_SETTINGS,
            # 12 examples once missed a refused cancellation in CI (the path is derandomized,
            # yet the rules' outcomes vary with the run): more examples keep a margin
            max_examples=25,
            stateful_step_count=50,
            derandomize=True,
            database=None,
        ),
    )
    seen = machine.seen
    for name in (
        "add service",
        "confirm service",
        "cancel service",
        "send invoice",
        "start checkout",
        "provider success event",
        "provider failure event",
        "refund",
        "repeated refund",
        "cancel booking",
        "void invoice",
    ):
        assert seen[f"{name}: accepted"], f"{name} never accepted: {dict(seen)}"
    for name in (
        "add service",
        "confirm service",
        "cancel service",
        "send invoice",
        "start checkout",
        "refund",
        "repeated refund",
        "cancel booking",
    ):
        assert seen[f"{name}: refused"], f"{name} never refused: {dict(seen)}"
    for name in (
        "redelivered event",
        "late success: money unapplied",
        "refund: refused by the provider",
        "cancel service: invoice voided and re-issued",
        "cancel service: removed from draft",
        "cancel service: refund required",
    ):
        assert seen[name], f"never reached {name!r}: {dict(seen)}"


@pytest.fixture(scope="module")
def pg_template_url() -> Any:
    """A migrated PostgreSQL database that each example clones (nobody else connects to it)."""
    require_postgres()
    url = create_pg_database("concierge_sm_template")
    try:
        run_migrations(url)
        add_test_staff(url)  # the staff member the tests act as (ACTOR)
        yield url
    finally:
        drop_pg_database(url)


@pytest.mark.postgres
def test_the_ledger_stays_consistent_under_random_use_on_postgres(pg_template_url: str) -> None:
    databases = PostgresDatabases(pg_template_url)
    try:
        machine = type("PostgresLedgerMachine", (LedgerMachine,), {"databases": databases})
        run_state_machine_as_test(machine, settings=POSTGRES_SETTINGS)
    finally:
        databases.admin.dispose()


# -- what the machine found ------------------------------------------------------------------
# Two cases the machine found (fixed since), kept as plain, fast regression tests.


def test_cancelling_a_service_refunded_in_full_does_not_ask_for_another_refund(sqlite_db):
    w = make_world(sqlite_db)
    service_id = add_service(w, PaymentStrategy.PLATFORM_COLLECTS_FULL, "100.00")
    pay(w, [send_draft(w)])
    refunds.record_refund(
        db=sqlite_db,
        service_id=service_id,
        amount=w.money("100.00"),
        note="operator cancelled the tour",
        actor=ACTOR,
    )
    result = portfolio.cancel_service(db=sqlite_db, service_id=service_id, actor=ACTOR)
    [view] = queries.trip_portfolio(db=sqlite_db, booking_id=w.booking_id)
    assert not view.refund_required, "nothing is left to refund, yet a refund is required"
    assert result.outcome is CancelOutcome.ALREADY_REFUNDED


def test_money_taken_for_a_cancelled_booking_is_flagged_for_refund(sqlite_db):
    """The guide keeps a sent invoice when the booking is cancelled; if the guest pays it
    afterwards, the cancelled services hold money to give back."""
    w = make_world(sqlite_db)
    add_service(w, PaymentStrategy.PLATFORM_COLLECTS_FULL, "100.00")
    invoice_id = send_draft(w)
    bookings.cancel_booking(
        db=sqlite_db, booking_id=w.booking_id, actor=ACTOR, reason="guest cancelled"
    )
    pay(w, [invoice_id])
    [view] = queries.trip_portfolio(db=sqlite_db, booking_id=w.booking_id)
    assert view.refund_required and view.refundable == w.money("100.00")


def test_a_free_service_paid_after_cancellation_owes_no_refund(sqlite_db):
    """A free platform-collected service can no longer be created; an older database may still
    hold one (made here by writing its price, line and draft total to 0 after confirming)."""
    w = make_world(sqlite_db)
    free = add_service(w, PaymentStrategy.PLATFORM_COLLECTS_FULL, "1.00", title="Welcome drink")
    with sqlite_db.transaction() as s:
        s.get(ServiceItem, free).gross_minor = 0
        line = s.exec(select(InvoiceLine).where(InvoiceLine.service_item_id == free)).one()
        line.amount_minor = 0
        s.get(GuestInvoice, line.invoice_id).total_minor = 0
    add_service(w, PaymentStrategy.PLATFORM_COLLECTS_FULL, "100.00", title="Sailing")
    invoice_id = send_draft(w)
    bookings.cancel_booking(
        db=sqlite_db, booking_id=w.booking_id, actor=ACTOR, reason="guest cancelled"
    )
    pay(w, [invoice_id])
    views = {v.id: v for v in queries.trip_portfolio(db=sqlite_db, booking_id=w.booking_id)}
    assert views[free].refundable.is_zero
    assert not views[free].refund_required, "a refund is required of a service that cost 0"
