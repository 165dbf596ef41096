"""Messages queued to be rendered when they are sent (OutboxMessage.render_from): rendered with
the template as it is then, from what they are about (today: an issued partner invoice)."""

from __future__ import annotations

from sqlmodel import Session

from concierge_app.domain.errors import DomainError
from concierge_app.domain.templates import RenderedMessage
from concierge_app.services.partner.billing.issued_message import invoice_issued_context
from concierge_app.services.shared.messages import Failed, render_with_fallback


class RenderError(DomainError):
    """A message queued to be rendered when sent cannot be rendered (what it is about is gone,
    or its template no longer renders): that message fails, the others go."""


def render_pending(session: Session, template_key: str, render_from: str) -> tuple[str, str]:
    """Subject and body of a message queued to be rendered when sent (see
    OutboxMessage.render_from), with the template as it is now."""
    rendered = render_pending_message(session, template_key, render_from)
    return rendered.subject, rendered.body


def render_pending_message(
    session: Session, template_key: str, render_from: str, failed: Failed | None = None
) -> RenderedMessage:
    """A message queued to be rendered when sent, with the template as it is now: from the
    built-in text, with the reason in `problem`, when the saved template cannot be used
    (`failed`: the batch's templates known to fail, see Failed)."""
    kind, _, key = render_from.partition(":")
    if not (kind == "partner_invoice" and key.isdigit()):
        raise RenderError(f"Nothing renders a message from {render_from!r}.")
    try:
        context = invoice_issued_context(session, int(key))
        rendered = render_with_fallback(session, template_key, context, failed)
    except Exception as exc:  # one message's problem, reported on that message
        raise RenderError(f"Could not render {render_from}: {exc}") from exc
    return RenderedMessage(rendered.subject[:300], rendered.body, rendered.problem)
