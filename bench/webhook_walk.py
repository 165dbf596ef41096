"""The webhook walk: which of our functions one webhook passes, from the HTTP route to the ledger.

    .venv/bin/python -m bench.webhook_walk

Issue 16 measured "one webhook, followed from the HTTP route to the ledger, crosses 26 stops in
11 files; a direct debit ping-pongs across 17. The month-end run (11 stops) shows it can be
done." This script measures that the same way on any commit, so before/after figures compare.

A fresh migrated SQLite file becomes the app's database (`bench.webhook_bench.bench_database`:
DATABASE_URL set, caches cleared, Stripe keys removed so the sandbox's secret signs the events).
Set up through the services (not traced), with the objects Stripe sends
(`tests/stripe_objects.py`, built from Stripe's own examples):

1. guest checkout: a booking with 2 Active invoices, `checkout.start_payment_attempt` for both,
   and its signed `checkout.session.completed`;
2. partner online: a partner paying its month-end commission invoice online
   (`begin_partner_checkout`), and its signed `checkout.session.completed`;
3. direct debit: a partner's month-end invoice collected by direct debit, and the bank's
   refusal, a signed `payment_intent.payment_failed`;
4. for comparison, the month-end run (`run_month_end`) of November for seven partners:
   six with departed stays and a chef with services; measured from its call to its return.

Each event is POSTed to the real ASGI app (`concierge_app.api.api`, /api/stripe/webhook) with
httpx.ASGITransport; one event of each kind is delivered first, untraced, so one-off work
(caches, first imports) is not counted. While the traced request runs, `sys.setprofile` and
`threading.setprofile` (the endpoint runs the service in `asyncio.to_thread`; every case runs in
its own event loop, so its worker thread is new and profiled) see every call of a function
defined in a file under concierge_app/ (not `<module>`, class bodies, `<genexpr>`,
`<lambda>` and comprehensions), from the route handler's first line until the request returns.

Printed per case: (a) stops: the distinct functions entered, in the order first entered, as
module.function (module without the `concierge_app.` prefix); (b) the distinct files; (c) the
module hops: each call whose caller (the nearest of our frames below it, in its own thread;
the worker thread's first call is the route handler's) is in another module, listed in the
order first taken with how often; "ping-pong" counts the hops into a module that an earlier hop
left (the walk goes back to it), and "on the path" those of them into a module still on the
call path below the caller (a call back into a module that has not returned yet);
(d) the same without the value helpers (domain/money.py, domain/currencies.py, db/types.py,
settings.py): their frames are left out, as if their code were inline. A generator resumed
(e.g. `with db.transaction()`) is no new call. Figures go to stdout, progress to stderr.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import stripe
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlmodel import col, select, update

import concierge_app
from bench.webhook_bench import bench_database, new_client, post
from concierge_app.adapters.payments.configured import webhook_secret
from concierge_app.adapters.payments.gateway import DebitRequest
from concierge_app.api import api
from concierge_app.db.engine import Database
from concierge_app.db.partner_billing import PartnerBankAccount, PartnerInvoice
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import Period
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest import bookings, invoicing, portfolio
from concierge_app.services.partner import accounts as partners
from concierge_app.services.partner.billing import month_end
from concierge_app.services.partner.views import finance as partner_finance
from concierge_app.services.payments import checkout, direct_debit
from concierge_app.services.payments.partner_checkout import begin_partner_checkout
from tests.stripe_objects import stripe_event, stripe_object

ACTOR = "walk@concierge.test"
URL = "/api/stripe/webhook"
EUR = "EUR"
PACKAGE = Path(concierge_app.__file__).resolve().parent
VALUE_HELPERS = frozenset({"domain.money", "domain.currencies", "db.types", "settings"})
SKIPPED = frozenset({"<module>", "<genexpr>", "<lambda>", "<listcomp>", "<dictcomp>", "<setcomp>"})
CO_NEWLOCALS = inspect.CO_NEWLOCALS  # set for functions, not for module or class bodies
RESUMABLE = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
OCT, NOV = Period(2026, 10), Period(2026, 11)
NOV_RUN, DEC_RUN = date(2026, 11, 3), date(2026, 12, 2)
PAY_DAY, COLLECTION = date(2026, 12, 5), date(2026, 12, 10)
IBAN = "ES7921000813610123456789"

Key = tuple[str, str]  # (module, function)


# -- tracing ---------------------------------------------------------------------------------


class Tracer:
    """Records each call and return of our functions, per thread, once `root` is entered."""

    def __init__(self, root: Callable[..., Any]) -> None:
        self.root = inspect.unwrap(root).__code__
        self.recording = False
        self.events: list[tuple[int, Key | None, bool]] = []  # (thread, call or None, resumed)
        self._keys: dict[CodeType, Key | None] = {}
        self._started: set[int] = set()  # frames of generators already entered
        self._alive: list[FrameType] = []  # keeps those frames (and so their ids) alive

    def key(self, code: CodeType) -> Key | None:
        if code not in self._keys:
            self._keys[code] = self._key(code)
        return self._keys[code]

    @staticmethod
    def _key(code: CodeType) -> Key | None:
        path = Path(code.co_filename).resolve()
        if PACKAGE not in path.parents or code.co_name in SKIPPED:
            return None
        if not code.co_flags & CO_NEWLOCALS:  # a class body
            return None
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "concierge_app"
        return module, code.co_qualname

    def profile(self, frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            if not self.recording:
                if code is not self.root:
                    return
                self.recording = True
            key = self.key(code)
            if key is None:
                return
            resumed = False
            if code.co_flags & RESUMABLE:
                resumed = id(frame) in self._started
                self._started.add(id(frame))
                self._alive.append(frame)
            self.events.append((threading.get_ident(), key, resumed))
        elif event == "return" and self.recording and self.key(frame.f_code) is not None:
            self.events.append((threading.get_ident(), None, False))

    def __enter__(self) -> Tracer:
        threading.setprofile(self.profile)
        sys.setprofile(self.profile)
        return self

    def __exit__(self, *_exc: object) -> None:
        sys.setprofile(None)
        threading.setprofile(None)
        self.recording = False
        self._alive.clear()


@dataclass
class Walk:
    stops: list[Key]
    files: list[str]
    hops: Counter[tuple[str, str]]  # in the order first taken
    ping_pong: int  # hops into a module an earlier hop left
    callbacks: int  # hops into a module still on the call path below the caller

    @property
    def hop_count(self) -> int:
        return sum(self.hops.values())


def walk(events: list[tuple[int, Key | None, bool]], keep: Callable[[Key], bool]) -> Walk:
    """Replay the recorded calls, leaving out the frames `keep` refuses (as if inlined)."""
    stacks: dict[int, list[Key | None]] = {}  # per thread; None: a frame left out
    stops: dict[Key, None] = {}
    hops: Counter[tuple[str, str]] = Counter()
    ping_pong = callbacks = 0
    left: set[str] = set()
    root: Key | None = None
    for thread, key, resumed in events:
        stack = stacks.setdefault(thread, [])
        if key is None:
            if stack:
                stack.pop()
            continue
        if not keep(key):
            stack.append(None)
            continue
        path = [k for k in stack if k is not None]
        if not path and root is not None and key != root:
            path = [root]  # a worker thread: called by the route handler
        root = root or key
        stack.append(key)
        stops.setdefault(key)
        if resumed or not path or path[-1][0] == key[0]:
            continue
        caller = path[-1][0]
        hops[(caller, key[0])] += 1
        ping_pong += key[0] in left
        callbacks += any(k[0] == key[0] for k in path)
        left.add(caller)
    files = list(dict.fromkeys(f"{module.replace('.', '/')}.py" for module, _ in stops))
    return Walk(list(stops), files, hops, ping_pong, callbacks)


def everything(_key: Key) -> bool:
    return True


def no_value_helpers(key: Key) -> bool:
    return key[0] not in VALUE_HELPERS


# -- set-up through the services (not traced) ------------------------------------------------


def partner(db: Database, code: str, *, kind: str = "property", payout: str, method: str) -> int:
    return partners.create_partner(
        db=db,
        code=code,
        name=f"Partner {code}",
        kind=kind,
        category="villa" if kind == "property" else "private chef",
        country="ES",
        currency=EUR,
        commission_rate_bps=1200,
        finance_email=f"{code.lower()}@walk.test",
        payout_method=payout,
        commission_payment_method=method,
        actor=ACTOR,
    )


def stay(db: Database, property_id: int, ref: str, check_in: date, check_out: date) -> int:
    guest_id = bookings.create_guest(db=db, name=f"Guest {ref}", email="guest@walk.test")
    return bookings.create_booking(
        db=db,
        reference=ref,
        guest_id=guest_id,
        property_id=property_id,
        check_in=check_in,
        check_out=check_out,
        currency=EUR,
        accommodation_total=Money.parse("1500.00", EUR),
        actor=ACTOR,
    )


def confirmed_service(
    db: Database, booking_id: int, operator_id: int, day: date, gross: str
) -> int | None:
    """A confirmed *Platform Collects Full* service; returns the booking's draft invoice."""
    sid = portfolio.add_service_item(
        db=db,
        booking_id=booking_id,
        operator_id=operator_id,
        title="Private chef dinner",
        service_date=day,
        gross=Money.parse(gross, EUR),
        strategy=PaymentStrategy.PLATFORM_COLLECTS_FULL,
        actor=ACTOR,
    )
    return portfolio.confirm_service(db=db, service_id=sid, actor=ACTOR).invoice_id


class World:
    """Five partners with stays (and a chef's service) departed in October and November."""

    def __init__(self, db: Database) -> None:
        self.db = db
        net = "net_payout", "payout_deduction"
        self.villa = partner(db, "PRP-WALK1", payout=net[0], method=net[1])
        self.gross = partner(db, "PRP-WALK2", payout="gross_stripe", method="bank_transfer")
        self.online = [
            partner(db, f"PRP-ONLN{n}", payout="gross_stripe", method="online") for n in (1, 2)
        ]
        self.debtors = [
            partner(db, f"PRP-DEBT{n}", payout="gross_stripe", method="direct_debit")
            for n in (1, 2)
        ]
        self.chef = partner(db, "OPR-WALK1", kind="operator", payout=net[0], method=net[1])
        self.refs = 0
        for month, (day_in, day_out) in ((10, (5, 9)), (11, (2, 6))):
            for pid in (self.villa, self.gross, *self.online, *self.debtors):
                self.refs += 1
                booking = stay(
                    db,
                    pid,
                    f"BK-{self.refs:04d}",
                    date(2026, month, day_in),
                    date(2026, month, day_out),
                )
            confirmed_service(db, booking, self.chef, date(2026, month, day_in + 1), "200.00")
        for pid in self.debtors:
            partner_finance.update_bank_account(
                db=db, partner_id=pid, account_holder="Walk S.L.", iban=IBAN, bic="",
                actor=ACTOR, notify=False,
            )  # fmt: skip
        partners_mandate(db, self.debtors)

    def month_end(self, period: Period, run_date: date) -> object:
        return month_end.run_month_end(db=self.db, period=period, run_date=run_date, actor=ACTOR)

    def guest_attempt(self) -> tuple[str, Money]:
        """A booking with 2 Active invoices, and one payment attempt for both."""
        self.refs += 1
        booking = stay(
            self.db, self.villa, f"BK-{self.refs:04d}", date(2027, 7, 1), date(2027, 7, 8)
        )
        invoices = []
        for gross in ("120.00", "80.00"):
            draft = confirmed_service(self.db, booking, self.chef, date(2027, 7, 3), gross)
            assert draft is not None
            invoices.append(invoicing.send_invoice(db=self.db, invoice_id=draft, actor=ACTOR))
        attempt = checkout.start_payment_attempt(
            db=self.db, invoice_ids=[i.invoice_id for i in invoices], actor="guest"
        )
        return attempt.id, attempt.amount

    def partner_checkout(self, partner_id: int) -> tuple[str, Money]:
        """Pay online of the partner's open November commission invoice."""
        invoice_id, amount = open_invoice(self.db, partner_id, NOV)
        start = begin_partner_checkout(
            db=self.db, invoice_ids=[invoice_id], actor=f"partner:{partner_id}",
            return_path="/partner/invoices", partner_id=partner_id, today=PAY_DAY,
        )  # fmt: skip
        return start.checkout_id, amount


def partners_mandate(db: Database, partner_ids: list[int]) -> None:
    """A mandate on each partner's account (signed on paper: set by staff, as the tests do)."""
    with db.transaction() as session:
        for pid in partner_ids:
            session.exec(
                update(PartnerBankAccount)
                .where(col(PartnerBankAccount.partner_id) == pid)
                .values(mandate_reference=f"MNDT-WALK-{pid}", mandate_signed_on=date(2026, 8, 1))
            )


def open_invoice(db: Database, partner_id: int, period: Period) -> tuple[int, Money]:
    with db.read() as session:
        row = session.exec(
            select(PartnerInvoice).where(
                PartnerInvoice.partner_id == partner_id,
                PartnerInvoice.period == str(period),
                PartnerInvoice.kind == "commission",
            )
        ).one()
        assert row.id is not None
        return row.id, Money(row.amount_minor, row.currency)


class BankLikeStripe:
    """Takes each SEPA debit as Stripe does (a processing PaymentIntent); the refusal is later."""

    name = "stripe"
    debit_currencies = frozenset({EUR})

    def __init__(self) -> None:
        self.requests: list[DebitRequest] = []

    def collect_debit(self, request: DebitRequest) -> str:
        self.requests.append(request)
        return f"pi_walk_dd_{request.payment_id}"


# -- events ----------------------------------------------------------------------------------


def session_completed(checkout_id: str, amount: Money) -> dict[str, Any]:
    """Stripe's `checkout.session.completed` for our checkout (guest attempt or partner's)."""
    session = stripe_object(
        "checkout.session",
        id=f"cs_walk_{checkout_id}",
        mode="payment",
        amount_total=amount.minor,
        currency=amount.currency.lower(),
        client_reference_id=checkout_id,
        metadata={"attempt_id": checkout_id},
        payment_intent=f"pi_walk_{checkout_id}",
        payment_status="paid",
        status="complete",
    )
    return stripe_event("checkout.session.completed", session, event_id=f"evt_walk_{checkout_id}")


def debit_failed(request: DebitRequest) -> dict[str, Any]:
    """Stripe's `payment_intent.payment_failed` for a bounced SEPA debit."""
    intent = f"pi_walk_dd_{request.payment_id}"
    bounced = stripe_object(
        "payment_intent",
        id=intent,
        amount=request.amount.minor,
        currency=request.amount.currency.lower(),
        status="requires_payment_method",
        payment_method_types=["sepa_debit"],
        metadata={
            "kind": "partner_direct_debit",
            "partner_payment_id": str(request.payment_id),
            "external_id": request.external_id,
        },
        last_payment_error={
            "code": "insufficient_funds",
            "message": "The customer's account has insufficient funds to cover this payment.",
            "type": "card_error",
        },
    )
    return stripe_event("payment_intent.payment_failed", bounced, event_id=f"evt_walk_{intent}")


def signed(event: dict[str, Any]) -> tuple[bytes, str]:
    body, secret = json.dumps(event), webhook_secret()
    if secret is None:
        raise SystemExit("no webhook secret: the sandbox should sign the events")
    return body.encode(), stripe.WebhookSignature.generate_signature_header(body, secret)


def deliver(event: dict[str, Any], tracer: Tracer | None = None) -> str:
    """POST the signed event to the app in a new event loop (so a new, profiled worker thread)."""

    async def one() -> tuple[int, str]:
        async with new_client() as client:
            return await post(client, signed(event))

    if tracer is None:
        status, outcome = asyncio.run(one())
    else:
        with tracer:
            status, outcome = asyncio.run(one())
    if status != 200:
        raise SystemExit(f"{event['type']}: answered {status} {outcome}")
    return outcome


def handler() -> Callable[..., Any]:
    (route,) = [r for r in api.routes if getattr(r, "path", None) == URL]
    return route.endpoint  # type: ignore[no-any-return, attr-defined]


# -- report ----------------------------------------------------------------------------------


def report(title: str, outcome: str, events: list[tuple[int, Key | None, bool]]) -> None:
    full, lean = walk(events, everything), walk(events, no_value_helpers)
    print(f"\n== {title}")
    print(f"   outcome: {outcome}")
    print(f"(a) {len(full.stops)} stops (distinct functions, in the order first entered):")
    for n, (module, function) in enumerate(full.stops, 1):
        print(f"    {n:3d}. {module}.{function}")
    print(f"(b) {len(full.files)} files: {', '.join(full.files)}")
    print(
        f"(c) {full.hop_count} module hops ({len(full.hops)} distinct); ping-pong: "
        f"{full.ping_pong} back into a module left before, {full.callbacks} of them into "
        "a module still on the call path:"
    )
    for (caller, callee), count in full.hops.items():
        print(f"    {caller} -> {callee}" + (f"  x{count}" if count > 1 else ""))
    print(
        f"(d) without value helpers ({', '.join(sorted(VALUE_HELPERS))}): "
        f"{len(lean.stops)} stops, {len(lean.files)} files, {lean.hop_count} hops "
        f"({len(lean.hops)} distinct), {lean.ping_pong} ping-pong ({lean.callbacks} on the path)"
    )
    summary.append((title, full, lean))


summary: list[tuple[str, Walk, Walk]] = []


def print_summary() -> None:
    print("\n== Summary: all functions / without value helpers")
    print(f"{'case':<34} {'stops':>9} {'files':>7} {'hops':>9} {'ping-pong':>9} {'on path':>7}")
    for title, full, lean in summary:
        print(
            f"{title:<34} {len(full.stops):>4}/{len(lean.stops):<4} "
            f"{len(full.files):>3}/{len(lean.files):<3} {full.hop_count:>4}/{lean.hop_count:<4} "
            f"{full.ping_pong:>4}/{lean.ping_pong:<4} {full.callbacks:>3}/{lean.callbacks:<3}"
        )


class Steps:
    """The set-up steps, shown with a spinner on stderr while they run."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    @staticmethod
    @contextmanager
    def shown() -> Iterator[Steps]:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            yield Steps(progress)

    def run(self, label: str, fn: Callable[[], Any]) -> Any:
        task = self.progress.add_task(label, total=None)
        try:
            return fn()
        finally:
            self.progress.remove_task(task)


Case = tuple[str, dict[str, Any], dict[str, Any]]  # (title, warm-up event, traced event)


def month_end_walk(steps: Steps, world: World) -> tuple[str, list[Any]]:
    """October's run warms up; November's is traced from the call to its return."""
    steps.run("month-end run of October (warm-up)", lambda: world.month_end(OCT, NOV_RUN))
    tracer = Tracer(month_end.run_month_end)
    with tracer:
        result = steps.run("month-end run of November", lambda: world.month_end(NOV, DEC_RUN))
    return f"{result}", tracer.events


def webhook_cases(steps: Steps, world: World) -> list[Case]:
    guest = steps.run("guest checkouts", lambda: [world.guest_attempt() for _ in "ab"])
    online = steps.run(
        "partner checkouts", lambda: [world.partner_checkout(p) for p in world.online]
    )
    bank = BankLikeStripe()
    steps.run(
        "direct debits",
        lambda: direct_debit.collect_direct_debits(
            db=world.db,
            today=COLLECTION,
            actor=ACTOR,
            gateway=bank,  # type: ignore[arg-type]
        ),
    )
    if len(bank.requests) != len(world.debtors):
        raise SystemExit(f"expected {len(world.debtors)} direct debits, got {len(bank.requests)}")
    return [
        ("1. guest checkout (2 invoices)", *[session_completed(*a) for a in guest]),  # type: ignore[list-item]
        ("2. partner online (1 invoice)", *[session_completed(*c) for c in online]),  # type: ignore[list-item]
        ("3. direct debit failed", *[debit_failed(r) for r in bank.requests]),  # type: ignore[list-item]
    ]


def main() -> int:
    print(f"Webhook walk: {PACKAGE}, Python {sys.version.split()[0]}")
    with bench_database() as (db, where), Steps.shown() as steps:
        print(f"Database: SQLite {where}")
        world = steps.run("partners, stays, bank accounts", lambda: World(db))
        month_end_result, month_end_events = month_end_walk(steps, world)
        for title, warm_up, traced in webhook_cases(steps, world):
            steps.run(f"{title}: warm-up delivery", lambda: deliver(warm_up))  # noqa: B023
            tracer = Tracer(handler())
            outcome = steps.run(f"{title}: traced", lambda: deliver(traced, tracer))  # noqa: B023
            report(title, outcome, tracer.events)
        report("4. month-end run (for comparison)", month_end_result, month_end_events)
    print_summary()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
