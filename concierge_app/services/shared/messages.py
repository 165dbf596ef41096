"""Lifecycle templates (edit, preview) and queueing rendered messages in the outbox."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from sqlalchemy import String, bindparam, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session
from sqlmodel import select as orm_select

from concierge_app import routes
from concierge_app.db.bookings import Booking
from concierge_app.db.engine import Database
from concierge_app.db.messaging import LifecycleTemplate, OutboxMessage
from concierge_app.db.parties import Guest, Partner
from concierge_app.db.types import utcnow
from concierge_app.domain.formatting import format_day
from concierge_app.domain.i18n import (
    LANGUAGE_LOCALES,
    LANGUAGES,
    SOURCE_LANGUAGE,
    language_of,
    translated,
)
from concierge_app.domain.templates import (
    DEFAULT_TEMPLATES,
    TRANSLATED_TEMPLATES,
    RenderedMessage,
    TemplateError,
    render,
    render_message,
    validate_template,
)
from concierge_app.services.shared.addresses import public_url
from concierge_app.services.shared.audit import record_event
from concierge_app.services.shared.common import insert_ignore, load
from concierge_app.services.shared.permissions import Permission, require_in
from concierge_app.settings import get_settings

_TEMPLATES = LifecycleTemplate.__table__  # type: ignore[attr-defined]
_TEMPLATE = select(_TEMPLATES.c.name, _TEMPLATES.c.subject, _TEMPLATES.c.body).where(
    _TEMPLATES.c.key == bindparam("key"), _TEMPLATES.c.language == bindparam("language")
)
_B, _G, _P = (Booking.__table__, Guest.__table__, Partner.__table__)  # type: ignore[attr-defined]
_RECIPIENT = (
    select(_G.c.name, _G.c.email, _G.c.locale, _P.c.name.label("place"))
    .select_from(_B.join(_G, _G.c.id == _B.c.guest_id).join(_P, _P.c.id == _B.c.property_id))
    .where(_B.c.id == bindparam("booking_id"))
)
# What `booking_recipient` reads, for a hot path that reads it with the booking (one statement
# less): these columns, labelled `recipient__…`, over `recipient_joins(booking_table)`.
RECIPIENT_COLUMNS = (
    _G.c.name.label("recipient__name"),
    _G.c.email.label("recipient__email"),
    _G.c.locale.label("recipient__locale"),
    _P.c.name.label("recipient__place"),
)


def recipient_joins(joined: Any) -> Any:
    """`joined` (a FROM that holds the booking table) outer-joined to the booking's guest and
    property, for RECIPIENT_COLUMNS."""
    return joined.outerjoin(_G, _G.c.id == _B.c.guest_id).outerjoin(_P, _P.c.id == _B.c.property_id)


# Where a template's text in a language comes from (the Templates page says which).
SAVED = "saved"  # staff saved it for this language
BUILT_IN = "built-in"  # the built-in text (English), or the catalog's translation of it
ENGLISH = "english"  # no text of its own in this language: the English one is sent


@dataclass(frozen=True, slots=True)
class TemplateView:
    key: str
    name: str
    subject: str
    body: str
    placeholders: tuple[str, ...]
    customised: bool
    language: str = SOURCE_LANGUAGE
    source: str = BUILT_IN


def template_language(key: str, locale: str | None) -> str:
    """The language a message of template `key` is written in for `locale`: the recipient's
    for the templates guests and partners read, English for the others."""
    return language_of(locale) if key in TRANSLATED_TEMPLATES else SOURCE_LANGUAGE


def built_in_text(key: str, language: str) -> tuple[str, str]:
    """The built-in subject and body of `key` in `language`: the catalog's translation when it
    has both, else English."""
    default = DEFAULT_TEMPLATES[key]
    subject, body = translated(language, default.subject), translated(language, default.body)
    if subject is not None and body is not None:
        return subject, body
    return default.subject, default.body


# The saved rows of one template in every language, as one value a hot path adds to the read it
# does anyway (SQLite's JSON functions): the template as it is in the writer's transaction, with
# no look-up of its own and nothing cached (a save applies to the next message in every worker).
SavedTemplates = Mapping[str, tuple[str, str, str]]  # language -> (name, subject, body)


class _rows_json(FunctionElement[Any]):
    """JSON text of an array with one array per row of its arguments ('[]' for no row)."""

    type = String()
    name = "rows_json"
    inherit_cache = True


@compiles(_rows_json, "postgresql")
def _rows_json_postgresql(element: _rows_json, compiler: Any, **kw: Any) -> str:
    args = compiler.process(element.clauses, **kw)
    return f"COALESCE(CAST(json_agg(json_build_array({args})) AS TEXT), '[]')"


@compiles(_rows_json)
def _rows_json_sqlite(element: _rows_json, compiler: Any, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


def saved_templates_column(key: str) -> Any:
    """A scalar column: the saved rows of template `key` ([[language, name, subject, body],
    …] as JSON text); `saved_templates` reads it back."""
    t = _TEMPLATES.c
    rows = _rows_json(t.language, t.name, t.subject, t.body)
    return select(rows).where(t.key == key).scalar_subquery()


def saved_templates(value: str | None) -> SavedTemplates | None:
    """The value of `saved_templates_column` as language -> (name, subject, body)."""
    if value is None:
        return None
    return {row[0]: (row[1], row[2], row[3]) for row in json.loads(value)}


def _template(
    session: Session,
    key: str,
    language: str = SOURCE_LANGUAGE,
    saved: SavedTemplates | None = None,
) -> TemplateView:
    default = DEFAULT_TEMPLATES[key]
    if saved is None:
        row: Any = (
            session.connection().execute(_TEMPLATE, {"key": key, "language": language}).first()
        )
    else:
        found = saved.get(language)
        row = None
        if found is not None:
            row = SimpleNamespace(name=found[0], subject=found[1], body=found[2])
    if row is not None:
        return TemplateView(
            key, row.name, row.subject, row.body, default.placeholders, True, language, SAVED
        )
    if language != SOURCE_LANGUAGE:
        subject, body = translated(language, default.subject), translated(language, default.body)
        if subject is not None and body is not None:
            return TemplateView(
                key, default.name, subject, body, default.placeholders, False, language, BUILT_IN
            )
        english = _template(session, key, saved=saved)
        return replace(english, language=language, source=ENGLISH)
    return TemplateView(
        key, default.name, default.subject, default.body, default.placeholders, False
    )


def list_templates(*, db: Database, language: str = SOURCE_LANGUAGE) -> list[TemplateView]:
    """Every template's text in `language` (English for the templates only staff read)."""
    with db.read() as session:
        return [
            _template(session, key, template_language(key, language)) for key in DEFAULT_TEMPLATES
        ]


def check_template(key: str, subject: str, body: str) -> None:
    """Refuse a template that cannot be saved: its syntax, placeholders and sizes
    (validate_template), then a render with sample values of every placeholder within the
    limits every stored template renders with (TemplateError naming the field)."""
    validate_template(key, subject, body)
    render(subject, body, sample_context(key))


def update_template(
    *,
    db: Database,
    key: str,
    subject: str,
    body: str,
    actor: str,
    language: str = SOURCE_LANGUAGE,
) -> TemplateView:
    """Save a template's text in `language` after checking that it renders within the limits;
    audited. A template that fails is refused with the reason and nothing is written."""
    require_in(db, actor, Permission.TEMPLATES)
    if language not in LANGUAGES or (
        language != SOURCE_LANGUAGE and key not in TRANSLATED_TEMPLATES
    ):
        raise TemplateError(f"This template is not written in '{language[:10]}'.")
    check_template(key, subject, body)
    with db.transaction() as session:
        row = session.exec(
            orm_select(LifecycleTemplate).where(
                LifecycleTemplate.key == key, LifecycleTemplate.language == language
            )
        ).first()
        if row is None:
            row = LifecycleTemplate(
                key=key,
                language=language,
                name=DEFAULT_TEMPLATES[key].name,
                subject=subject,
                body=body,
            )
        row.subject, row.body, row.updated_by, row.updated_at = subject, body, actor, utcnow()
        session.add(row)
        record_event(
            session,
            actor=actor,
            action="template.updated",
            subject=f"template:{key}",
            data={"language": language, "subject": subject, "body": body},
        )
        session.flush()
        return _template(session, key, language)


@dataclass(frozen=True, slots=True)
class Recipient:
    """The guest a booking message goes to, and the words that describe the booking."""

    email: str
    locale: str
    context: dict[str, Any]
    # the saved rows of the template asked for with `booking_recipient(template=…)`
    saved: SavedTemplates | None = None


_RECIPIENT_WITH: dict[str, Any] = {}


def _recipient_with(key: str) -> Any:
    """_RECIPIENT with the saved rows of template `key` (built once per key)."""
    if key not in _RECIPIENT_WITH:
        _RECIPIENT_WITH[key] = _RECIPIENT.add_columns(
            saved_templates_column(key).label("saved_templates")
        )
    return _RECIPIENT_WITH[key]


def booking_recipient(
    session: Session,
    booking: Booking | SimpleNamespace,
    *,
    portal_url: str | None = None,
    read: Mapping[str, Any] | None = None,
    template: str | None = None,
) -> Recipient:
    """The guest's address and locale, and the placeholders every booking message can use.

    `portal_url` is the guest's link (with its token) for messages that are sent; previews
    show the portal's address without a token. `read`: the RECIPIENT_COLUMNS' values, read
    with the booking in the caller's transaction (else they are read here). `template`: a
    template key whose saved rows are read with the guest (`Recipient.saved`) when the guest
    is read here.
    """
    settings = get_settings()
    guest: Any
    saved = None
    if read is not None and read.get("recipient__email") is not None:
        guest = SimpleNamespace(**{k.removeprefix("recipient__"): v for k, v in read.items()})
    elif template is not None:
        statement = _recipient_with(template)
        guest = session.connection().execute(statement, {"booking_id": booking.id}).one()
        saved = saved_templates(guest.saved_templates)
    else:
        guest = session.connection().execute(_RECIPIENT, {"booking_id": booking.id}).one()
    return Recipient(
        saved=saved,
        email=guest.email,
        locale=guest.locale,
        context={
            "platform_name": settings.platform_name,
            "guest_name": guest.name,
            "booking_reference": booking.reference,
            "property_name": guest.place,
            "check_in": format_day(booking.check_in, guest.locale),
            "check_out": format_day(booking.check_out, guest.locale),
            "portal_url": portal_url or public_url(routes.portal(booking.reference)),
        },
    )


def preview_template(
    *,
    db: Database,
    key: str,
    subject: str,
    body: str,
    booking_id: int,
    language: str | None = None,
) -> tuple[str, str]:
    """Render an unsaved template on a real booking, with sample invoice values, within the
    limits a saved template renders with: one that breaks them raises TemplateError saying
    which and why (the Templates page shows it instead of a preview). With `language`, the
    booking's dates are written as that language writes them."""
    validate_template(key, subject, body)
    with db.read() as session:
        booking = load(session, Booking, booking_id, "Booking")
        context = booking_recipient(session, booking).context | _sample_values(
            key, booking.currency
        )
    if language in LANGUAGE_LOCALES:
        locale = LANGUAGE_LOCALES[language]
        context |= {
            "check_in": format_day(booking.check_in, locale),
            "check_out": format_day(booking.check_out, locale),
        }
    return render(subject, body, context)


def sample_context(key: str, currency: str = "EUR") -> dict[str, Any]:
    """Sample values of every placeholder of template `key` (what a save is checked with)."""
    settings = get_settings()
    booking = {
        "platform_name": settings.platform_name,
        "guest_name": "Sample Guest",
        "booking_reference": "BK-000000",
        "property_name": "Sample Villa",
        "check_in": "July 1, 2026",
        "check_out": "July 8, 2026",
        "portal_url": public_url(routes.portal("BK-000000")),
    }
    placeholders = DEFAULT_TEMPLATES[key].placeholders
    return {k: v for k, v in booking.items() if k in placeholders} | _sample_values(key, currency)


def _sample_values(key: str, currency: str) -> dict[str, Any]:
    sample = {
        "invoice_number": "CI-0000-00000",
        "invoice_total": f"0 {currency}",
        "lines": [{"description": "Sample service", "amount": f"0 {currency}"}],
        "amount_paid": f"0 {currency}",
        "invoice_numbers": "CI-0000-00000",
        "credit_note_number": "GCN-000000",
        "amount_refunded": f"0 {currency}",
        "partner_name": "Sample Villa",
        "partner_code": "PRP-0000",
        "period": "October 2026",
        "document_name": "commission invoice",
        "document_about": "for the reservations that departed in October 2026",
        "amount_label": "Commission",
        "amount_payable": f"0 {currency}",
        "nothing_to_pay": False,
        "amount_due": f"0 {currency}",
        "notice_title": "Overdue notice",
        "notice": "Overdue (due by December 15, 2026). Not paid by its due date: this may lead "
        "to your account's suspension.",
        "due_date": "December 15, 2026",
        "payment_instructions": "Bank transfer to IBAN … quoting PRP-0000 CM-0000-000000.",
        "finance_url": "https://…/partner/invoices",
        "changed_at": "November 21, 2026 09:00",
        "changed_by": "finance@sample-villa.example",
        "account_holder": "Sample Villa S.L.",
        "iban_masked": "ES91 •••• •••• •••• •••• 1332",
        "subject": "Question about my October invoice",
        "topic": "Invoices and commission",
        "subtopic": "Other",
        "staff_name": "Clara Concierge",
        "reply": "Thank you for your message. …",
        "inbox_url": "https://…/partner/inbox",
        "payment_method": "Bank transfer",
        "payment_date": "December 4, 2026",
        "allocation_lines": "  • Sample Villa (PRP-0000), CM-0000-000000: "
        f"0 {currency} applied, 0 {currency} still due",
        "credit_left": f"0 {currency}",
        "group_url": "https://…/partner/group",
        "requested_on": "December 10, 2026",
        "mandate_reference": "MNDT-PRP-0000",
        "failure_reason": "The customer's account has insufficient funds to cover this payment.",
        "title": "Credit note",
        "note_number": "CN-0000-000000",
        "related_number": "CM-0000-000000",
        "amount": f"0 {currency}",
        "credit": True,
        "reason": "A stay was cancelled after the invoice was issued.",
        "applied": "Applied to: CM-0000-000000.",
        "headline": "a refund was made at the payment provider",
        "refund_id": "re_0000",
        "what_happened": "was made at the payment provider and recorded against:",
        "check": "Check which services it was for.",
        "booking_url": "https://…/bookings/BK-000000",
        "provider": "stripe",
        "drift_count": 1,
        "reconciliation_url": "https://…/finance",
        "recipient_name": "Ana García",
        "invited_by": "Clara Concierge",
        "roles": "concierge",
        "account_email": "ana@sample-villa.example",
        "link_url": "https://…/account?t=…",
        "expires_at": "December 13, 2026 09:00 UTC",
    }
    return {k: v for k, v in sample.items() if k in DEFAULT_TEMPLATES[key].placeholders}


def queue_message(
    session: Session,
    *,
    dedupe_key: str,
    template_key: str,
    recipient: str,
    context: Mapping[str, Any],
    booking_id: int | None = None,
    partner_id: int | None = None,
    attachment: str | None = None,
    language: str | None = None,
    rendered: RenderedMessage | None = None,
    saved: SavedTemplates | None = None,
) -> bool:
    """Render a lifecycle template into the outbox (inside the caller's transaction), in
    the recipient's `language` (a locale such as 'es_ES'; English when None).

    A saved template that fails or breaks a limit does not stop the caller (Send Invoice, a
    payment, a partner message): the built-in text is used, the message says why
    (template_problem, shown on the Outbox) and the audit trail records it.
    Idempotent: a message with the same dedupe key is queued once. True when queued now.
    `rendered`: the message rendered already (`render_with_fallback` with the same key, context
    and language), for a caller that renders before it takes a lock the insert needs.
    `saved`: the template's saved rows, read by the caller (`saved_templates_column`).
    """
    if rendered is None:
        rendered = render_with_fallback(
            session, template_key, context, language=language, saved=saved
        )
    # Written only when set: the migration tests drive the services on databases before 0013.
    flagged = {"template_problem": rendered.problem} if rendered.problem else {}
    queued = insert_ignore(
        session,
        OutboxMessage,
        flagged
        | {
            "dedupe_key": dedupe_key,
            "template_key": template_key,
            "recipient": recipient,
            "subject": rendered.subject[:300],
            "body": rendered.body,
            "booking_id": booking_id,
            "partner_id": partner_id,
            "attachment": attachment,
            "status": "queued",
            "attempts": 0,
            "created_at": utcnow(),
        },
    )
    if queued and rendered.problem:
        record_template_problem(
            session,
            template_key=template_key,
            message=dedupe_key,
            problem=rendered.problem,
            booking_id=booking_id,
        )
    return queued


# Per batch (one delivery claim, one Outbox listing): template key -> why its saved text failed.
# A template that failed once is not tried again for the batch's other messages, so a template
# that runs up to its limits costs its time once per batch, not once per message.
Failed = dict[str, str]


def render_with_fallback(
    session: Session,
    template_key: str,
    context: Mapping[str, Any],
    failed: Failed | None = None,
    language: str | None = None,
    saved: SavedTemplates | None = None,
) -> RenderedMessage:
    """The message from the saved template in the recipient's `language` (a locale; English
    when None), or from the built-in text when it cannot be used. `saved`: the template's
    saved rows when the caller read them (`saved_templates_column`), else they are read here."""
    lang = template_language(template_key, language)
    built_in = built_in_text(template_key, lang)
    template = _template(session, template_key, lang, saved)
    failed_key = f"{template_key}:{lang}"
    if failed is not None and failed_key in failed:
        text = render_message(template_key, "", "", context, customised=False, built_in=built_in)
        return RenderedMessage(text.subject, text.body, failed[failed_key])
    rendered = render_message(
        template_key,
        template.subject,
        template.body,
        context,
        customised=template.customised,
        built_in=built_in,
    )
    if failed is not None and rendered.problem:
        failed[failed_key] = rendered.problem
    return rendered


def record_template_problem(
    session: Session, *, template_key: str, message: str, problem: str, booking_id: int | None
) -> None:
    """On the audit trail: a message was written with the built-in text, and why."""
    record_event(
        session,
        actor="system:templates",
        action="template.fallback",
        subject=f"template:{template_key}",
        booking_id=booking_id,
        data={"message": message, "problem": problem, "used": "built-in text"},
    )
