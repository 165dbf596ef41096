"""What the booking page's confirmed actions ask and do: the confirmation dialog's questions
(title, what the action does, the button) and, for the action staff confirmed, the one service
call and the message shown after it.

The consequences of confirming or cancelling a service come from
`services.guest.consequences`; the texts here describe the other actions as the guide does.
"""

from __future__ import annotations

import dataclasses

from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.services.guest import bookings as booking_service
from concierge_app.services.guest import invoicing, portfolio
from concierge_app.services.guest.links import revoke_guest_links
from concierge_app.services.shared.database import Database


@dataclasses.dataclass(frozen=True)
class Question:
    """The confirmation dialog of one action."""

    title: str
    body: str
    action: str
    reason_label: str = ""  # "" when the dialog asks no reason


def confirm_service_question(title: str, consequence: str) -> Question:
    return Question(f"Confirm '{title}'?", consequence, "Confirm service")


def cancel_service_question(title: str, consequence: str) -> Question:
    return Question(f"Cancel '{title}'?", consequence, "Cancel service", "Reason (optional)")


def void_question(number: str, total: str, *, booking_cancelled: bool) -> Question:
    voided = f"Invoice {number} ({total}) is voided: the guest can no longer pay it."
    if booking_cancelled:
        title, action = f"Void invoice {number}?", "Void invoice"
        then = " The booking is cancelled, so nothing is re-issued."
    else:
        title, action = f"Void invoice {number} and re-issue?", "Void and re-issue"
        then = (
            " Its lines for confirmed services move to the draft invoice, so you can send "
            "them again."
        )
    return Question(
        title, voided + then + " The voided invoice stays in the audit trail.", action, "Reason"
    )


def cancel_booking_question(reference: str, *, active: int, live: int) -> Question:
    """`active` sent, unpaid invoices; `live` services not cancelled yet."""
    kept = (
        f" {active} sent, unpaid invoice{'s' if active != 1 else ''} stay"
        f"{'s' if active == 1 else ''} visible: resolve {'it' if active == 1 else 'them'} "
        "with the guest."
        if active
        else ""
    )
    return Question(
        f"Cancel booking {reference}?",
        (
            f"The whole portfolio ({live} service{'s' if live != 1 else ''}) is cancelled with "
            "it and any draft invoice is voided." + kept + " Paid services are flagged "
            "Refund required; refunds are never automatic."
        ),
        "Cancel booking",
        "Reason",
    )


REVOKE_LINKS_QUESTION = Question(
    "Revoke every guest link of this booking?",
    (
        "Links already sent to the guest (in Invoice Sent and Payment Received messages) "
        "stop working at once. Issue a new link afterwards if the guest still needs one."
    ),
    "Revoke links",
)

CANCEL_OUTCOME_MESSAGES = {
    portfolio.CancelOutcome.NOT_BILLED: "Service cancelled.",
    portfolio.CancelOutcome.REMOVED_FROM_DRAFT: (
        "Service cancelled; its line left the draft invoice."
    ),
    portfolio.CancelOutcome.INVOICE_VOIDED: (
        "Service cancelled; its invoice was voided and the other lines moved to the draft."
    ),
    portfolio.CancelOutcome.REFUND_REQUIRED: (
        "Service cancelled. It was paid: issue the refund with Refund."
    ),
    portfolio.CancelOutcome.ALREADY_REFUNDED: (
        "Service cancelled. It was paid and already refunded in full."
    ),
}


def run_confirmed_action(
    kind: str, target: str, *, db: Database, booking_id: int, actor: str, reason: str
) -> str:
    """Run the action staff confirmed in the dialog (in a worker thread); returns the message
    to show. Raises the service's DomainError when it refuses."""
    if kind == "confirm":
        done = portfolio.confirm_service(db=db, service_id=int(target), actor=actor)
        return (
            f"Confirmed. {format_money(done.billed)} added to the draft invoice."
            if done.billed is not None
            else "Confirmed. Nothing is invoiced for this service."
        )
    if kind == "cancel_service":
        cancelled = portfolio.cancel_service(
            db=db, service_id=int(target), actor=actor, reason=reason
        )
        return CANCEL_OUTCOME_MESSAGES[cancelled.outcome]
    if kind == "void":
        draft = invoicing.void_invoice(db=db, invoice_id=int(target), actor=actor, reason=reason)
        return (
            "Invoice voided; its lines are on the draft, ready to send again."
            if draft is not None
            else "Invoice voided."
        )
    if kind == "cancel_booking":
        result = booking_service.cancel_booking(
            db=db, booking_id=booking_id, actor=actor, reason=reason
        )
        return (
            f"Booking cancelled: {result.services_cancelled} service(s) cancelled, "
            f"{result.drafts_voided} draft(s) voided, {result.active_invoices_kept} "
            "sent invoice(s) kept."
        )
    if kind == "revoke_links":
        revoked = revoke_guest_links(db=db, booking_id=booking_id, actor=actor)
        return f"{revoked} guest link(s) revoked: they open nothing now."
    raise DomainError(f"Unknown action {kind}.")
