"""The ledger's change feed: every write appends to the audit trail, so its newest sequence
number is a version that moves whenever anything changes.

Open pages do not ask for it themselves: one watcher per worker (`ui/shared/live_push.py`) reads
`changes_since` twice a second and reloads only the open pages a change concerns. Through the
database, so it works across workers and processes (the CLI, the API, another worker)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, func, select, union

from concierge_app.db.audit import AuditChainHead, AuditEvent
from concierge_app.db.bookings import Booking, ServiceItem
from concierge_app.db.engine import Database
from concierge_app.db.security import SignInAttempt

_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_HEADS = AuditChainHead.__table__  # type: ignore[attr-defined]
_BOOKINGS = Booking.__table__  # type: ignore[attr-defined]
_SERVICES = ServiceItem.__table__  # type: ignore[attr-defined]
_OVERALL = select(_HEADS.c.last_sequence).where(_HEADS.c.name == "audit")
_SIGN_INS = select(func.max(SignInAttempt.__table__.c.id))  # type: ignore[attr-defined]
_BOTH_HEADS = select(_OVERALL.scalar_subquery(), _SIGN_INS.scalar_subquery())
_OF_BOOKING = select(func.max(_EVENTS.c.id)).where(_EVENTS.c.booking_id == bindparam("booking_id"))
_NEW_EVENTS = select(_EVENTS.c.booking_id, _EVENTS.c.subject).where(
    _EVENTS.c.id > bindparam("after"), _EVENTS.c.id <= bindparam("head")
)
_PARTNERS_OF = union(
    select(_BOOKINGS.c.property_id).where(_BOOKINGS.c.id.in_(bindparam("ids", expanding=True))),
    select(_SERVICES.c.operator_id).where(
        _SERVICES.c.booking_id.in_(bindparam("ids", expanding=True))
    ),
)

# More new events than this in one look: every open page is told (cheaper than sorting them).
MOST_EVENTS = 2_000


@dataclass(frozen=True)
class LedgerChanges:
    """What moved on the ledger after a version, up to `head` (the newest change).

    `bookings`: the bookings changed; `partners`: the partners whose pages may show it (a
    booking's property and operators, or a partner named by the change); `other`: a change of
    neither kind (month-end, templates, staff…); `everything`: too many to sort, assume all.
    The sign-in log is not on the audit trail: `sign_in_head` is its newest line and
    `sign_ins` says whether it moved.
    """

    head: int
    sign_in_head: int = 0
    sign_ins: bool = False
    bookings: frozenset[int] = frozenset()
    partners: frozenset[int] = frozenset()
    other: bool = False
    everything: bool = False

    @property
    def any(self) -> bool:
        return self.everything or self.other or bool(self.bookings or self.partners)


def ledger_version(*, db: Database, booking_id: int | None = None) -> int:
    """The newest change, overall or of one booking (0 when there is none)."""
    with db.read_once() as session:
        conn = session.connection()
        if booking_id is None:
            value = conn.execute(_OVERALL).scalar()
        else:
            value = conn.execute(_OF_BOOKING, {"booking_id": booking_id}).scalar()
    return int(value or 0)


def changes_since(
    *, db: Database, after: int, after_sign_in: int = 0, most: int = MOST_EVENTS
) -> LedgerChanges:
    """The changes after version `after` and sign-in line `after_sign_in` (one cheap read
    when nothing moved)."""
    with db.read_once() as session:
        row = session.connection().execute(_BOTH_HEADS).one()
    head, sign_in_head = int(row[0] or 0), int(row[1] or 0)
    heads = LedgerChanges(head, sign_in_head, sign_ins=sign_in_head > after_sign_in)
    if head <= after:
        return heads
    if head - after > most:
        return replace(heads, everything=True)
    with db.read() as session:
        conn = session.connection()
        rows = conn.execute(_NEW_EVENTS, {"after": after, "head": head}).all()
        bookings = frozenset(b for b, _ in rows if b is not None)
        named, other = _named_partners(s for b, s in rows if b is None)
        found = conn.execute(_PARTNERS_OF, {"ids": list(bookings)}).scalars() if bookings else ()
        partners = named | frozenset(int(p) for p in found)
    return replace(heads, bookings=bookings, partners=partners, other=other)


def _named_partners(subjects: Iterable[str]) -> tuple[frozenset[int], bool]:
    """The partners named by `partner:<id>` subjects, and whether any change was of another kind."""
    named: set[int] = set()
    other = False
    for subject in subjects:
        kind, _, ident = subject.partition(":")
        if kind == "partner" and ident.isdigit():
            named.add(int(ident))
        else:
            other = True
    return frozenset(named), other
