"""Every table, imported in one place so SQLModel.metadata is complete."""

from concierge_app.db.audit import AuditChainHead, AuditEvent
from concierge_app.db.bookings import AccommodationPayment, Booking, GuestLink, ServiceItem
from concierge_app.db.integrations import ApiIdempotentRequest, ApiKey
from concierge_app.db.invoicing import GuestInvoice, InvoiceLine, NumberSequence
from concierge_app.db.messaging import LifecycleTemplate, OutboxMessage
from concierge_app.db.parties import Guest, Partner, PartnerGroup, StaffSession, StaffUser
from concierge_app.db.partner_billing import (
    MonthEndRun,
    PartnerBankAccount,
    PartnerInvoice,
    PartnerSession,
    PartnerStatement,
    PartnerUser,
    Payout,
)
from concierge_app.db.partner_inbox import PartnerThread, PartnerThreadMessage
from concierge_app.db.partner_payments import (
    PartnerAllocation,
    PartnerCheckout,
    PartnerCheckoutInvoice,
    PartnerPayment,
)
from concierge_app.db.payments import (
    Commission,
    GuestReceipt,
    PaymentAttempt,
    PaymentAttemptInvoice,
    ProviderEvent,
    Refund,
)
from concierge_app.db.reconciliation import ReconciliationDifference, ReconciliationRun
from concierge_app.db.sandbox import SandboxCheckoutSession, SandboxDebit
from concierge_app.db.sandbox_refunds import SandboxRefund
from concierge_app.db.security import (
    AccountLink,
    SignInAccount,
    SignInAddress,
    SignInAttempt,
    SignInTicket,
    StaffTwoFactor,
)
from concierge_app.domain.checkout import CheckoutStatus
from concierge_app.domain.statuses import (
    AccommodationCollector,
    CommissionKind,
    CommissionPaymentMethod,
    LineKind,
    OutboxStatus,
    PartnerKind,
    PartnerPaymentMethod,
    PartnerPaymentStatus,
    PayoutMethod,
    RefundSource,
    RefundStatus,
    SandboxDebitStatus,
    SandboxSessionStatus,
    ThreadAuthor,
)

__all__ = [
    "AccommodationCollector",
    "AccommodationPayment",
    "AccountLink",
    "ApiIdempotentRequest",
    "ApiKey",
    "AuditChainHead",
    "AuditEvent",
    "Booking",
    "CheckoutStatus",
    "Commission",
    "CommissionKind",
    "CommissionPaymentMethod",
    "Guest",
    "GuestInvoice",
    "GuestLink",
    "GuestReceipt",
    "InvoiceLine",
    "LifecycleTemplate",
    "LineKind",
    "MonthEndRun",
    "NumberSequence",
    "OutboxMessage",
    "OutboxStatus",
    "Partner",
    "PartnerAllocation",
    "PartnerBankAccount",
    "PartnerCheckout",
    "PartnerCheckoutInvoice",
    "PartnerGroup",
    "PartnerInvoice",
    "PartnerKind",
    "PartnerPayment",
    "PartnerPaymentMethod",
    "PartnerPaymentStatus",
    "PartnerSession",
    "PartnerStatement",
    "PartnerThread",
    "PartnerThreadMessage",
    "PartnerUser",
    "PaymentAttempt",
    "PaymentAttemptInvoice",
    "Payout",
    "PayoutMethod",
    "ProviderEvent",
    "ReconciliationDifference",
    "ReconciliationRun",
    "Refund",
    "RefundSource",
    "RefundStatus",
    "SandboxCheckoutSession",
    "SandboxDebit",
    "SandboxDebitStatus",
    "SandboxRefund",
    "SandboxSessionStatus",
    "ServiceItem",
    "SignInAccount",
    "SignInAddress",
    "SignInAttempt",
    "SignInTicket",
    "StaffSession",
    "StaffTwoFactor",
    "StaffUser",
    "ThreadAuthor",
]
