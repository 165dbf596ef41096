"""What an action on a service will do, in words, said before the click.

Derived from the same read model and rules the services apply, so the confirmation dialogs
never promise something the ledger will not do.
"""

from __future__ import annotations

from concierge_app.domain.formatting import format_money
from concierge_app.domain.lifecycle import ServiceLifecycle
from concierge_app.domain.payment_status import ServicePaymentStatus
from concierge_app.domain.strategies import PaymentStrategy
from concierge_app.services.guest.queries import ServiceView


def confirm_consequence(view: ServiceView) -> str:
    """What confirming the service does to the guest's invoices."""
    strategy = view.strategy
    if strategy.generates_invoice:
        deposit = strategy is PaymentStrategy.PLATFORM_COLLECTS_DEPOSIT
        billed = strategy.billable_amount(view.gross, view.deposit)
        assert billed is not None
        what = "Its deposit" if deposit else "Its full price"
        consequence = (
            f"{what}, {format_money(billed)}, becomes a line on the draft invoice (a new draft "
            "when none is open). The guest sees nothing until you click Send Invoice."
        )
    else:
        tag = (
            ServicePaymentStatus.PAY_PROVIDER
            if strategy is PaymentStrategy.OPERATOR_COLLECTS_FULL
            else ServicePaymentStatus.INCLUDED_IN_STAY
        )
        consequence = f'Nothing is invoiced to the guest: the service shows "{tag.value}".'
    return f"{consequence} Its payment strategy, {strategy.label}, is locked from then on."


def cancel_consequence(view: ServiceView) -> str:
    """What cancelling the service does (see portfolio.cancel_service)."""
    title = f"'{view.title}'"
    if view.lifecycle is ServiceLifecycle.DRAFT:
        return f"{title} is not confirmed yet: it is simply cancelled, nothing was billed."
    if view.billed is None:
        return (
            f"{title} is not billed by the platform ({view.strategy.label}): it is cancelled "
            "and leaves the guest's services. Tell the provider."
        )
    status, number = view.payment_status, view.invoice_number or ""
    if status is ServicePaymentStatus.PENDING_INVOICE:
        return (
            f"Its {format_money(view.billed)} line is removed from the draft invoice: the guest "
            "is never billed for it."
        )
    if status is ServicePaymentStatus.PAYMENT_PENDING:
        return (
            f"Invoice {number} was sent and is unpaid, and a sent invoice can't be edited: it "
            "will be voided, and its other lines move to a new draft for you to send again."
        )
    if view.refundable.is_zero:
        return f"Invoice {number} was paid and this service is already refunded in full."
    return (
        f"Invoice {number} is already paid. Cancelling does not refund the guest: the service "
        f"is flagged Refund required ({format_money(view.refundable)} can be refunded), and you "
        "issue the refund with Refund."
    )
