"""Every table, imported in one place so SQLModel.metadata is complete."""

from .audit import AuditChainHead, AuditEvent
from .bookings import (
    AccommodationCollector,
    AccommodationPayment,
    Booking,
    GuestLink,
    ServiceItem,
)
from .invoicing import GuestInvoice, InvoiceLine, LineKind, NumberSequence
from .messaging import LifecycleTemplate, OutboxMessage, OutboxStatus
from .parties import (
    CommissionPaymentMethod,
    Guest,
    Partner,
    PartnerGroup,
    PartnerKind,
    PayoutMethod,
    StaffSession,
    StaffUser,
)
from .partner_billing import (
    MonthEndRun,
    PartnerBankAccount,
    PartnerInvoice,
    PartnerSession,
    PartnerStatement,
    PartnerUser,
    Payout,
)
from .partner_inbox import PartnerThread, PartnerThreadMessage, ThreadAuthor
from .partner_payments import (
    PartnerAllocation,
    PartnerCheckout,
    PartnerCheckoutInvoice,
    PartnerCheckoutStatus,
    PartnerPayment,
    PartnerPaymentMethod,
    PartnerPaymentStatus,
)
from .payments import (
    Commission,
    CommissionKind,
    PaymentAttempt,
    PaymentAttemptInvoice,
    ProviderEvent,
    Refund,
    RefundStatus,
)
from .sandbox import SandboxCheckoutSession, SandboxDebit, SandboxDebitStatus, SandboxSessionStatus

__all__ = [
    "AccommodationCollector",
    "AccommodationPayment",
    "AuditChainHead",
    "AuditEvent",
    "Booking",
    "Commission",
    "CommissionKind",
    "CommissionPaymentMethod",
    "Guest",
    "GuestInvoice",
    "GuestLink",
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
    "PartnerCheckoutStatus",
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
    "Refund",
    "RefundStatus",
    "SandboxCheckoutSession",
    "SandboxDebit",
    "SandboxDebitStatus",
    "SandboxSessionStatus",
    "ServiceItem",
    "StaffSession",
    "StaffUser",
    "ThreadAuthor",
]
