"""The month-end run's second step in SQL: from the statements of a chunk of partners, their
commission invoices and VAT/GST documents (numbered from the run's reserved numbers, by place
in partner and currency order), payouts and "Partner Invoice Issued" messages (rendered when
sent), each an INSERT .. SELECT that skips what is already there, so a rerun adds only what is
missing."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import aliased

from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerInvoice, PartnerStatement, Payout
from concierge_app.db.sql.month_end.statements import as_text, half_up
from concierge_app.db.types import table_of
from concierge_app.domain.partner_billing import PartnerInvoiceKind, PartnerInvoiceState
from concierge_app.domain.statuses import OutboxStatus

INVOICE_MESSAGE = "partner_invoice_issued"

_P, _INV, _STMT = table_of(Partner), table_of(PartnerInvoice), table_of(PartnerStatement)
_PAYOUT, _OUTBOX = table_of(Payout), table_of(OutboxMessage)

IN_CHUNK = and_(
    _STMT.c.run_id == bindparam("run_id"),
    _STMT.c.partner_id.between(bindparam("lo"), bindparam("hi")),
)
_NOT_INVOICED = ~exists().where(_INV.c.statement_id == _STMT.c.id)


def _formatted(dialect: str, year: int, n: Any, prefix: str = "CM") -> Any:
    """CM-YYYY-NNNNNN (or VT-…) in SQL."""
    if dialect == "postgresql":
        digits = case((n < 1_000_000, func.lpad(as_text(n), 6, "0")), else_=as_text(n))
        return literal(f"{prefix}-{year}-", String) + digits
    return func.printf(f"{prefix}-{year}-%06d", n)


# the columns every issued document fills, in the order of the insert's select
_DOCUMENT_COLUMNS = (
    "number",
    "partner_id",
    "run_id",
    "kind",
    "period",
    "currency",
    "invoice_date",
    "due_date",
    "amount_minor",
    "deducted_minor",
    "state",
)


@cache
def issue_invoices(dialect: str, year: int) -> Any:
    """The chunk's invoices, one per statement not invoiced yet, numbered :base + its place in
    the chunk (in partner and currency order)."""
    place = func.row_number().over(order_by=(_STMT.c.partner_id, _STMT.c.currency))
    numbered = select(_STMT, place.label("place")).where(IN_CHUNK).subquery("numbered")
    return insert(_INV).from_select(
        [*_DOCUMENT_COLUMNS, "statement_id", "created_at"],
        select(
            _formatted(dialect, year, bindparam("base", type_=Integer) + numbered.c.place),
            numbered.c.partner_id,
            numbered.c.run_id,
            literal(PartnerInvoiceKind.COMMISSION.value, String),
            bindparam("period", type_=String),
            numbered.c.currency,
            bindparam("invoice_date", type_=Date),
            bindparam("due_date", type_=Date),
            numbered.c.amount_minor,
            numbered.c.deducted_minor,
            literal(PartnerInvoiceState.ISSUED.value, String),
            numbered.c.id,
            bindparam("now", type_=_INV.c.created_at.type),
        ).where(~exists().where(_INV.c.statement_id == numbered.c.id)),
    )


# a statement whose VAT comes to at least one minor unit (no VAT document for 0.00)
TAXED = and_(_STMT.c.tax_rate_bps > 0, half_up(_STMT.c.amount_minor, _STMT.c.tax_rate_bps) > 0)
_VAT = aliased(_INV, name="vat")
_VAT_OF = and_(_VAT.c.related_invoice_id == _INV.c.id, _VAT.c.kind == PartnerInvoiceKind.VAT.value)


@cache
def issue_vat_documents(dialect: str, year: int) -> Any:
    """The chunk's VAT/GST documents, one per taxed statement's commission invoice, numbered
    :vat_base + its place among the chunk's taxed statements (partner and currency order). The
    tax is half up on the commission; on what was deducted from the payout, likewise."""
    place = func.row_number().over(order_by=(_STMT.c.partner_id, _STMT.c.currency))
    numbered = (
        select(
            _INV.c.id.label("invoice_id"),
            _INV.c.partner_id,
            _INV.c.currency,
            _STMT.c.amount_minor,
            _STMT.c.deducted_minor,
            _STMT.c.tax_rate_bps,
            place.label("place"),
        )
        .select_from(_STMT.join(_INV, _INV.c.statement_id == _STMT.c.id))
        .where(IN_CHUNK, TAXED)
        .subquery("taxed")
    )
    return insert(_INV).from_select(
        [*_DOCUMENT_COLUMNS, "related_invoice_id", "tax_rate_bps", "created_at"],
        select(
            _formatted(
                dialect, year, bindparam("vat_base", type_=Integer) + numbered.c.place, "VT"
            ),
            numbered.c.partner_id,
            bindparam("run_id", type_=Integer),
            literal(PartnerInvoiceKind.VAT.value, String),
            bindparam("period", type_=String),
            numbered.c.currency,
            bindparam("invoice_date", type_=Date),
            bindparam("due_date", type_=Date),
            half_up(numbered.c.amount_minor, numbered.c.tax_rate_bps),
            half_up(numbered.c.deducted_minor, numbered.c.tax_rate_bps),
            literal(PartnerInvoiceState.ISSUED.value, String),
            numbered.c.invoice_id,
            numbered.c.tax_rate_bps,
            bindparam("now", type_=_INV.c.created_at.type),
        ).where(
            ~exists().where(
                _INV.c.related_invoice_id == numbered.c.invoice_id,
                _INV.c.kind == PartnerInvoiceKind.VAT.value,
            )
        ),
    )


_PAID_OUT = exists().where(
    _PAYOUT.c.partner_id == _STMT.c.partner_id,
    _PAYOUT.c.period == bindparam("period"),
    _PAYOUT.c.currency == _STMT.c.currency,
)
PAY_OUT = insert(_PAYOUT).from_select(
    [
        "partner_id",
        "invoice_id",
        "period",
        "currency",
        "gross_minor",
        "commission_minor",
        "vat_minor",
        "net_minor",
        "created_at",
    ],
    select(
        _STMT.c.partner_id,
        _INV.c.id,
        bindparam("period", type_=String),
        _STMT.c.currency,
        _STMT.c.gross_minor,
        _STMT.c.deducted_minor,
        func.coalesce(_VAT.c.deducted_minor, 0),
        _STMT.c.gross_minor - _STMT.c.deducted_minor - func.coalesce(_VAT.c.deducted_minor, 0),
        bindparam("now", type_=_PAYOUT.c.created_at.type),
    )
    .select_from(_STMT.join(_INV, _INV.c.statement_id == _STMT.c.id).outerjoin(_VAT, _VAT_OF))
    .where(IN_CHUNK, _STMT.c.gross_minor > 0, ~_PAID_OUT),
)


def _queue_messages(vat: bool) -> Any:
    """Queue the "Partner Invoice Issued" email of each document the chunk issued: the
    commission invoices, or (`vat`) their VAT/GST documents."""
    key = literal(f"{INVOICE_MESSAGE}:", String) + as_text(_INV.c.id)
    issued = _STMT.join(_INV, _INV.c.statement_id == _STMT.c.id)
    if vat:
        comm = aliased(_INV, name="comm")
        issued = _STMT.join(comm, comm.c.statement_id == _STMT.c.id).join(
            _INV,
            and_(
                _INV.c.related_invoice_id == comm.c.id,
                _INV.c.kind == PartnerInvoiceKind.VAT.value,
            ),
        )
    return insert(_OUTBOX).from_select(
        [
            "dedupe_key",
            "template_key",
            "recipient",
            "subject",
            "body",
            "partner_id",
            "attachment",
            "render_from",
            "status",
            "attempts",
            "created_at",
        ],
        select(
            key,
            literal(INVOICE_MESSAGE, String),
            _P.c.finance_email,
            literal("", String),
            literal("", String),
            _P.c.id,
            literal("partner_invoice_pdf:", String) + as_text(_INV.c.id),
            literal("partner_invoice:", String) + as_text(_INV.c.id),
            literal(OutboxStatus.QUEUED.value, String),
            literal(0, Integer),
            bindparam("now", type_=_OUTBOX.c.created_at.type),
        )
        .select_from(issued.join(_P, _P.c.id == _INV.c.partner_id))
        .where(IN_CHUNK, ~exists().where(_OUTBOX.c.dedupe_key == key)),
    )


QUEUE_MESSAGES, QUEUE_VAT_MESSAGES = _queue_messages(False), _queue_messages(True)
# What the chunk still has to invoice: statements, lines, partners.
TO_INVOICE = select(
    func.count(),
    func.coalesce(func.sum(_STMT.c.line_count), 0),
    func.count(_STMT.c.partner_id.distinct()),
).where(IN_CHUNK, _NOT_INVOICED)
# Per partner of the run: its statements, and how many are invoiced.
PARTNER_STATEMENTS = (
    select(
        _STMT.c.partner_id,
        func.count(),
        func.count(_INV.c.id),
        func.count(case((TAXED, 1))),
    )
    .select_from(_STMT.outerjoin(_INV, _INV.c.statement_id == _STMT.c.id))
    .where(_STMT.c.run_id == bindparam("run_id"))
    .group_by(_STMT.c.partner_id)
    .order_by(_STMT.c.partner_id)
)
