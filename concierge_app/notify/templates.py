"""Lifecycle templates: defaults, allowed placeholders, sandboxed Jinja2 rendering."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from ..domain.errors import DomainError


class TemplateError(DomainError):
    """A template that cannot be saved or rendered, with the reason."""


@dataclass(frozen=True, slots=True)
class TemplateDefault:
    key: str
    name: str
    subject: str
    body: str
    placeholders: tuple[str, ...]


_BOOKING_PLACEHOLDERS = (
    "platform_name",
    "guest_name",
    "booking_reference",
    "property_name",
    "check_in",
    "check_out",
    "portal_url",
)

DEFAULT_TEMPLATES: dict[str, TemplateDefault] = {
    t.key: t
    for t in (
        TemplateDefault(
            key="invoice_sent",
            name="Invoice Sent",
            subject="Your invoice {{ invoice_number }} for {{ booking_reference }}",
            body=(
                "Dear {{ guest_name }},\n\n"
                "Your concierge invoice {{ invoice_number }} for your stay at {{ property_name }} "
                "({{ check_in }} – {{ check_out }}) is ready.\n\n"
                "{% for line in lines %}  • {{ line.description }}: {{ line.amount }}\n{% endfor %}"
                "\nTotal due: {{ invoice_total }}\n\n"
                "You can review and pay it in your Payments card:\n{{ portal_url }}\n\n"
                "Warm regards,\n{{ platform_name }}"
            ),
            placeholders=(*_BOOKING_PLACEHOLDERS, "invoice_number", "invoice_total", "lines"),
        ),
        TemplateDefault(
            key="payment_received",
            name="Payment Received",
            subject="Payment received for {{ booking_reference }} — thank you",
            body=(
                "Dear {{ guest_name }},\n\n"
                "We have received your payment of {{ amount_paid }} for invoice(s) "
                "{{ invoice_numbers }}.\n\n"
                "Your Payments card shows the invoice(s) as Paid:\n{{ portal_url }}\n\n"
                "Thank you,\n{{ platform_name }}"
            ),
            placeholders=(*_BOOKING_PLACEHOLDERS, "amount_paid", "invoice_numbers"),
        ),
        TemplateDefault(
            key="bank_details_changed",
            name="Bank Details Changed",
            subject="Your bank details at {{ platform_name }} were changed",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "The bank account for property ID {{ partner_code }} was changed on "
                "{{ changed_at }} by {{ changed_by }}.\n"
                "New account: {{ account_holder }}, {{ iban_masked }}.\n\n"
                "If you did not make this change, tell us at once through the Extranet inbox "
                "(topic Invoices and commission, subtopic Other).\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "changed_at",
                "changed_by",
                "account_holder",
                "iban_masked",
            ),
        ),
        TemplateDefault(
            key="partner_invoice_issued",
            name="Partner Invoice Issued",
            subject="{{ platform_name }} commission invoice {{ invoice_number }} — {{ period }}",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "Your commission invoice {{ invoice_number }} for the reservations that departed "
                "in {{ period }} is attached (property ID {{ partner_code }}).\n\n"
                "Commission: {{ invoice_total }}\n"
                "{% if nothing_to_pay %}Deducted from your payout — nothing to pay.\n"
                "{% else %}Amount to pay: {{ amount_payable }}, due by {{ due_date }}.\n"
                "{{ payment_instructions }}\n{% endif %}"
                "\nYou can also find it, with its reservation statement, under Finance → "
                "Invoices:\n{{ finance_url }}\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "invoice_number",
                "period",
                "invoice_total",
                "amount_payable",
                "nothing_to_pay",
                "due_date",
                "payment_instructions",
                "finance_url",
            ),
        ),
        TemplateDefault(
            key="partner_note_issued",
            name="Partner Note Issued",
            subject=(
                "{{ platform_name }} {{ title|lower }} {{ note_number }} — "
                "invoice {{ related_number }}"
            ),
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "We issued {{ title|lower }} {{ note_number }} (property ID {{ partner_code }}) "
                "{% if credit %}deducting {{ amount }} from"
                "{% else %}adding {{ amount }} to{% endif %} "
                "invoice {{ related_number }} for {{ period }}. The invoice stays valid.\n"
                "Reason: {{ reason }}\n\n"
                "{% if credit %}A credit note is not paid out to your bank account: "
                "it is used to pay your open or next invoices, oldest due first.\n{{ applied }}\n"
                "{% else %}{{ payment_instructions }}\n{% endif %}"
                "\nThe note is attached. You can also find it under Finance → Invoices:\n"
                "{{ finance_url }}"
                "\n\nKind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "title",
                "note_number",
                "related_number",
                "period",
                "amount",
                "credit",
                "reason",
                "applied",
                "payment_instructions",
                "finance_url",
            ),
        ),
        TemplateDefault(
            key="partner_inbox_reply",
            name="Partner Inbox Reply",
            subject="Re: {{ subject }} — {{ platform_name }} Finance",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                '{{ staff_name }} replied to your message "{{ subject }}" '
                "({{ topic }} → {{ subtopic }}, property ID {{ partner_code }}):\n\n"
                "{{ reply }}\n\n"
                "Read and answer it in your Extranet inbox:\n{{ inbox_url }}\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "subject",
                "topic",
                "subtopic",
                "staff_name",
                "reply",
                "inbox_url",
            ),
        ),
        TemplateDefault(  # a group's payment (multiple property plan): partner_* is the group
            key="payment_allocation",
            name="Payment Allocation",
            subject="{{ platform_name }}: your payment of {{ amount_paid }} — how it was applied",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "We received your payment for group {{ partner_code }}:\n"
                "Amount: {{ amount_paid }}\nMethod: {{ payment_method }}\n"
                "Date: {{ payment_date }}\n\n"
                "It was applied to your properties' invoices, oldest due first:\n"
                "{{ allocation_lines }}\n\n"
                "Credit left: {{ credit_left }}\n\n"
                "Every property's invoices are under Finance → All properties:\n{{ group_url }}\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "amount_paid",
                "payment_method",
                "payment_date",
                "allocation_lines",
                "credit_left",
                "group_url",
            ),
        ),
        TemplateDefault(
            key="direct_debit_failed",
            name="Direct Debit Failed",
            subject="{{ platform_name }}: your direct debit of {{ amount_payable }} failed",
            body=(
                "Dear {{ partner_name }} finance team,\n\n"
                "The direct debit of {{ amount_payable }} we requested from your bank on "
                "{{ requested_on }} (mandate {{ mandate_reference }}, property ID "
                "{{ partner_code }}) failed.\n"
                "Your bank's reason: {{ failure_reason }}\n\n"
                "These invoices are unpaid again and appear red under Finance → Invoices:\n"
                "{% for line in lines %}  • {{ line.description }}: {{ line.amount }}\n"
                "{% endfor %}\n"
                "What to do:\n"
                "1. Contact your bank to see why the payment failed.\n"
                "2. Pay {{ amount_payable }} as soon as possible:\n"
                "{{ payment_instructions }}\n\n"
                "Your invoices:\n{{ finance_url }}\n\n"
                "Kind regards,\n{{ platform_name }} Finance"
            ),
            placeholders=(
                "platform_name",
                "partner_name",
                "partner_code",
                "amount_payable",
                "requested_on",
                "mandate_reference",
                "failure_reason",
                "invoice_numbers",
                "lines",
                "payment_instructions",
                "finance_url",
            ),
        ),
    )
}

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def _template_default(key: str) -> TemplateDefault:
    try:
        return DEFAULT_TEMPLATES[key]
    except KeyError:
        raise TemplateError(f"There is no lifecycle template called '{key}'.") from None


def validate_template(key: str, subject: str, body: str) -> None:
    """Refuse syntax errors and placeholders that the template's messages do not provide."""
    allowed = set(_template_default(key).placeholders)
    if not subject.strip():
        raise TemplateError("The subject cannot be empty.", field="subject")
    if not body.strip():
        raise TemplateError("The body cannot be empty.", field="body")
    for field, source in (("subject", subject), ("body", body)):
        try:
            parsed = _ENV.parse(source)
        except TemplateSyntaxError as exc:
            raise TemplateError(
                f"The {field} has a template error on line {exc.lineno}: {exc.message}",
                field=field,
            ) from None
        unknown = sorted(meta.find_undeclared_variables(parsed) - allowed)
        if unknown:
            names = ", ".join("{{ " + u + " }}" for u in unknown)
            raise TemplateError(
                f"Unknown placeholder {names} in the {field}. Available: "
                + ", ".join(sorted(allowed))
                + ".",
                field=field,
            )


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    return _ENV.from_string(source)


def render(subject: str, body: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """Render subject and body in the sandbox; a missing value or unsafe access is refused."""
    try:
        return (
            _compiled(subject).render(context).strip(),
            _compiled(body).render(context),
        )
    except (UndefinedError, SecurityError, TemplateSyntaxError) as exc:
        raise TemplateError(f"The template could not be rendered: {exc}") from None
