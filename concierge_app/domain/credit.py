"""Credit and debit notes, and the partner's credit applied to its documents (pure rules).

A credit note corrects an invoice downwards, a debit note upwards; the original stays valid.
A credit note is "the amount to be deducted from the original invoice" (the partner guide): it
pays the document it corrects first, as far as that one still needs it. Credit — what is left
of a credit note after that, or of a payment that paid more than was open — is never paid out
to a bank account: it is applied to the partner's other open documents, oldest due first, or
waits for the next one issued. A credit note is never applied to a black document (written
off or with legal: "it can only be paid via bank transfer"); what is left of a bank transfer
may be, being a bank transfer itself.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from concierge_app.domain.allocation import Allocation, OpenItem, allocate, oldest_due_first
from concierge_app.domain.charge_limits import check_chargeable
from concierge_app.domain.errors import DomainError
from concierge_app.domain.money import Money
from concierge_app.domain.partner_billing import InvoiceStatus, PartnerInvoiceKind, StatusColour

REASON_MAX = 250
# What a credit or debit note may correct: a commission invoice, its VAT/GST document, a debit
# note (a credit note is itself a correction).
CORRECTABLE_KINDS = (
    PartnerInvoiceKind.COMMISSION,
    PartnerInvoiceKind.VAT,
    PartnerInvoiceKind.DEBIT_NOTE,
)


class CreditKind(enum.StrEnum):
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"  # the unallocated remainder of a payment (an over-payment)


@dataclass(frozen=True, slots=True)
class CreditSource:
    """Credit the partner has: a credit note, or what is left of a payment."""

    kind: CreditKind
    source_id: int
    available: Money
    since: date  # the note's date, the payment's receipt: older credit is used first
    effective_on: date  # what it pays counts as paid from this day
    pays_black: bool = False  # a bank transfer's remainder may settle a black document
    corrects: int | None = None  # a credit note: the document it deducts from (paid first)


@dataclass(frozen=True, slots=True)
class CreditTarget:
    """An open document credit could pay."""

    item: OpenItem
    black: bool = False  # written off or with legal


@dataclass(frozen=True, slots=True)
class CreditUse:
    source: CreditSource
    allocation: Allocation


def apply_credit(
    sources: Iterable[CreditSource], targets: Sequence[CreditTarget]
) -> list[CreditUse]:
    """Spread the credit over the open documents. First each credit note pays the document it
    corrects (what that one still needs, if it is open and not black); then what is left of
    every credit, the oldest credit first, pays the other documents oldest due first. A credit
    bigger than everything open keeps the rest (it waits for the next document); nothing is
    ever paid out."""
    left = {t.item.invoice_id: t.item.outstanding for t in targets}
    black = {t.item.invoice_id for t in targets if t.black}
    ordered = sorted(
        sources, key=lambda s: (s.since, s.kind != CreditKind.CREDIT_NOTE, s.source_id)
    )
    available = {s: s.available for s in ordered}
    uses: list[CreditUse] = []
    for source in ordered:  # the correction deducted from its own document first
        own = source.corrects
        if own is None or own not in left or own in black or available[source].minor <= 0:
            continue
        part = min(available[source], left[own])
        if part.minor > 0:
            left[own] = left[own] - part
            available[source] = available[source] - part
            uses.append(CreditUse(source, Allocation(own, part)))
    for source in ordered:
        if available[source].minor <= 0:
            continue
        eligible = [
            OpenItem(t.item.invoice_id, t.item.due_date, t.item.number, left[t.item.invoice_id])
            for t in targets
            if left[t.item.invoice_id].minor > 0 and (source.pays_black or not t.black)
        ]
        if not eligible:
            continue
        plan = allocate(available[source], oldest_due_first(eligible))
        for allocation in plan.allocations:
            left[allocation.invoice_id] = left[allocation.invoice_id] - allocation.amount
            uses.append(CreditUse(source, allocation))
    return uses


def clean_reason(reason: str) -> str:
    """The reason a note gives (the partner reads it): required, at most 250 characters."""
    text = " ".join((reason or "").split())
    if not text:
        raise DomainError("Give the reason (the partner reads it on the note).", field="reason")
    if len(text) > REASON_MAX:
        raise DomainError(
            f"Keep the reason to {REASON_MAX} characters (it has {len(text)}).", field="reason"
        )
    return text


def check_credit_amount(
    amount: Money,
    *,
    invoice_amount: Money,
    credited: Money,
    number: str,
    format_money: Callable[[Money], str] = str,
) -> None:
    """A credit note is more than zero, and the credit notes against one invoice never add up to
    more than the invoice."""
    if amount.minor <= 0:
        raise DomainError("A credit note must be more than zero.", field="amount")
    check_chargeable(amount, "A credit note", field="amount")
    room = invoice_amount - credited
    if amount > room:
        total = format_money(invoice_amount)
        if credited.is_zero:
            raise DomainError(
                f"A credit note cannot be more than invoice {number} ({total}).", field="amount"
            )
        left = room if room.minor > 0 else Money.zero(room.currency)
        raise DomainError(
            f"Invoice {number} ({total}) already has {format_money(credited)} credited: at "
            f"most {format_money(left)} more can be credited.",
            field="amount",
        )


def check_debit_note(amount: Money, due: date, today: date) -> None:
    """A debit note is more than zero and falls due today or later."""
    if amount.minor <= 0:
        raise DomainError("A debit note must be more than zero.", field="amount")
    check_chargeable(amount, "A debit note", field="amount")
    if due < today:
        raise DomainError("The due date cannot be in the past.", field="due_date")


def credit_note_status(
    *,
    amount: Money,
    applied: Money,
    applied_to: Sequence[tuple[str, Money]] = (),
    format_money: Callable[[Money], str] = str,
) -> InvoiceStatus:
    """A credit note's Status: green (it is in the partner's favour), never outstanding, and
    what it paid (`applied_to`: document number and amount, in the order applied).

    "Credit available: €50.00" (nothing applied yet), "Applied €30.00 to CM-2026-000017 ·
    available: €20.00", "Applied in full to CM-2026-000017" (one document) or "Applied in full to
    CM-2026-000017 (€30.00), VT-2026-000018 (€20.00)".
    """
    zero = Money.zero(amount.currency)
    available = amount - applied
    if len(applied_to) == 1:
        to = f" to {applied_to[0][0]}"
    elif applied_to:
        to = " to " + ", ".join(f"{number} ({format_money(m)})" for number, m in applied_to)
    else:
        to = ""
    if available.minor <= 0:
        text = f"Applied in full{to}"
    elif applied.is_zero:
        text = f"Credit available: {format_money(available)}"
    elif to:
        text = f"Applied {format_money(applied)}{to} · available: {format_money(available)}"
    else:
        text = f"Applied: {format_money(applied)} · available: {format_money(available)}"
    note = "" if available.minor <= 0 else "Used to pay your open or next invoices"
    return InvoiceStatus(text, StatusColour.GREEN, zero, note)
