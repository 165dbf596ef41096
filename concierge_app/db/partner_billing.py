"""Partner finance: partner logins, month-end runs, commission invoices with their reservation
statements (one line per stay or service), and payouts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from concierge_app.db.types import UTCDateTime, currency_check, non_negative, one_of, utcnow
from concierge_app.domain.partner_billing import PartnerInvoiceKind, PartnerInvoiceState


class PartnerUser(SQLModel, table=True):
    """A person who signs in to a partner's finance pages; sees only that partner's data."""

    __tablename__ = "partner_user"

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    # A group login: also sees every property of the group (its total due, one payment for all).
    group_id: int | None = Field(default=None, foreign_key="partner_group.id", index=True)
    email: str = Field(unique=True, max_length=254)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PartnerSession(SQLModel, table=True):
    __tablename__ = "partner_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    partner_user_id: int = Field(foreign_key="partner_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MonthEndRun(SQLModel, table=True):
    """One run per period. First every statement is written (and every invoice number reserved);
    then invoices are issued a chunk of partners per transaction, in parallel on PostgreSQL: a
    crashed run resumes with the statements that have no invoice yet."""

    __tablename__ = "month_end_run"

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(unique=True, max_length=7)  # "2026-11"
    run_date: date  # the invoice date
    started_by: str = Field(max_length=254)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When every partner's statement was written (the run's first step, one transaction).
    collected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The number of the first statement's invoice (in partner and currency order); the others
    # follow without gaps. Reserved once the statements are written.
    first_number: int | None = None
    # Likewise the first VAT/GST document's number (for the statements that carry a tax rate).
    first_vat_number: int | None = None
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    partners_done: int = 0
    invoices_created: int = 0
    lines_created: int = 0


class PartnerInvoice(SQLModel, table=True):
    """A document to a partner: the monthly commission invoice, a VAT/GST document, or a
    credit or debit note. Paid / due / overdue / part-paid are derived, never stored."""

    __tablename__ = "partner_invoice"
    __table_args__ = (
        currency_check(),
        non_negative("amount_minor"),
        non_negative("deducted_minor"),
        CheckConstraint("deducted_minor <= amount_minor", name="deducted_within_amount"),
        CheckConstraint("due_date >= invoice_date", name="due_after_invoice"),
        one_of("kind", PartnerInvoiceKind, "kind"),
        one_of("state", PartnerInvoiceState, "state"),
        # One commission invoice per partner, period and currency: a rerun adds nothing.
        Index(
            "uq_partner_invoice_commission",
            "partner_id",
            "period",
            "currency",
            unique=True,
            sqlite_where=text("kind = 'commission'"),
            postgresql_where=text("kind = 'commission'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=30)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    run_id: int | None = Field(default=None, foreign_key="month_end_run.id", index=True)
    kind: str = Field(max_length=20)
    period: str = Field(max_length=7, index=True)
    currency: str = Field(max_length=3)
    invoice_date: date
    due_date: date
    amount_minor: int  # the commission (or the note's amount)
    # Commission on money the platform collected: taken from the partner's payout.
    deducted_minor: int = 0
    state: str = Field(default=PartnerInvoiceState.ISSUED.value, max_length=20)
    related_invoice_id: int | None = Field(
        default=None, foreign_key="partner_invoice.id", index=True
    )
    # The reservation statement of a commission invoice (none for notes).
    statement_id: int | None = Field(default=None, foreign_key="partner_statement.id", unique=True)
    reason: str | None = Field(default=None, sa_type=Text)
    # A VAT/GST document: the rate applied to its commission invoice (`related_invoice_id`).
    tax_rate_bps: int | None = None
    # The partner said "I've paid" (by bank transfer) on this day.
    paid_notice_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PartnerStatement(SQLModel, table=True):
    """The reservation statement of one partner, period and currency, as the month-end run
    billed it: its totals and its lines (a stay or service each, in the compact form of
    `domain.statement`), written in one set-based statement with the totals they add up to."""

    __tablename__ = "partner_statement"
    __table_args__ = (
        currency_check(),
        non_negative("amount_minor"),
        non_negative("deducted_minor"),
        non_negative("gross_minor"),
        CheckConstraint("line_count > 0", name="has_lines"),
        CheckConstraint("rate_bps BETWEEN 0 AND 10000", name="rate"),
        CheckConstraint("tax_rate_bps BETWEEN 0 AND 10000", name="tax_rate"),
        UniqueConstraint("run_id", "partner_id", "currency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="month_end_run.id")
    partner_id: int = Field(foreign_key="partner.id", index=True)
    currency: str = Field(max_length=3)
    amount_minor: int  # the commission
    deducted_minor: int  # the part taken from the payout
    gross_minor: int  # what the platform collected (refunds taken off): the payout's gross
    line_count: int
    rate_bps: int  # the partner's commission rate at the time of the run
    # VAT/GST on the commission for the partner's country at the time of the run (0: none)
    tax_rate_bps: int = 0
    net_payout: bool  # the partner was paid out net at the time of the run
    lines: str = Field(sa_type=Text)


class Payout(SQLModel, table=True):
    """What the platform pays a partner for a period: collected gross − commission."""

    __tablename__ = "payout"
    __table_args__ = (
        currency_check(),
        non_negative("gross_minor"),
        non_negative("commission_minor"),
        non_negative("vat_minor"),
        CheckConstraint("net_minor = gross_minor - commission_minor - vat_minor", name="net"),
        UniqueConstraint("partner_id", "period", "currency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="partner_invoice.id")
    period: str = Field(max_length=7)
    currency: str = Field(max_length=3)
    gross_minor: int
    commission_minor: int
    vat_minor: int = 0  # VAT/GST on the commission, deducted with it
    net_minor: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PartnerBankAccount(SQLModel, table=True):
    """The account a partner receives payouts into (and pays direct debits from)."""

    __tablename__ = "partner_bank_account"

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", unique=True)
    account_holder: str = Field(max_length=200)
    iban: str = Field(max_length=34)  # electronic format: no spaces, upper case, checksum valid
    bic: str = Field(default="", max_length=11)
    # A direct debit mandate on this account: the monthly job collects open invoices from it
    # once the partner has accepted it (signed on that day; NULL: waiting for the partner).
    mandate_reference: str | None = Field(default=None, max_length=35)
    mandate_signed_on: date | None = None
    # Who accepted the mandate's text, when, and from where (the browser's address).
    mandate_accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    mandate_accepted_by: str | None = Field(default=None, max_length=254)
    mandate_accepted_from: str | None = Field(default=None, max_length=64)
    updated_by: str = Field(max_length=254)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
