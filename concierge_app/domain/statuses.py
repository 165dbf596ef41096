"""The statuses and kinds the ledger stores: one closed set of values each (the tables check
them). Here, not in db/, so that the services and the UI can name them without the database."""

from __future__ import annotations

import enum


class SandboxSessionStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    EXPIRED = "expired"


class SandboxDebitStatus(enum.StrEnum):
    PENDING = "pending"  # requested; the bank has not answered yet
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundSource(enum.StrEnum):
    LEDGER = "ledger"  # issued from the Refund dialog (or recorded there)
    PROVIDER = "provider"  # made at the provider (e.g. Stripe's dashboard), read from its events


class CommissionKind(enum.StrEnum):
    EARNED = "earned"  # the platform was paid for a service
    REVERSED = "reversed"  # a refund took (part of) it back


class PartnerPaymentMethod(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"
    ONLINE = "online"
    DIRECT_DEBIT = "direct_debit"


class PartnerPaymentStatus(enum.StrEnum):
    QUEUED = "queued"  # not matched to a partner: waits for staff
    APPLIED = "applied"  # allocated (what is left over is the partner's credit)
    FAILED = "failed"  # a direct debit that bounced: its allocations are reversed


class ThreadAuthor(enum.StrEnum):
    PARTNER = "partner"
    STAFF = "staff"


class PartnerKind(enum.StrEnum):
    PROPERTY = "property"
    OPERATOR = "operator"


class PayoutMethod(enum.StrEnum):
    """How the platform pays the partner what it collected for them."""

    NET_PAYOUT = "net_payout"  # gross − commission; the commission is deducted from the payout
    GROSS_STRIPE = "gross_stripe"  # partner receives gross (e.g. via Stripe) and pays commission


class CommissionPaymentMethod(enum.StrEnum):
    """How the partner settles its monthly commission invoice."""

    PAYOUT_DEDUCTION = "payout_deduction"
    BANK_TRANSFER = "bank_transfer"
    ONLINE = "online"
    DIRECT_DEBIT = "direct_debit"


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class LineKind(enum.StrEnum):
    FULL = "full"  # the gross price (Platform Collects Full)
    DEPOSIT = "deposit"  # the deposit only (Platform Collects Deposit)


class AccommodationCollector(enum.StrEnum):
    PLATFORM = "platform"  # the platform took the guest's payment for the stay
    PROPERTY = "property"  # the guest pays at the property
