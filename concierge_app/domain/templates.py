"""Lifecycle templates: defaults, allowed placeholders, rendering within limits.

A template saved by staff is rendered in a sandbox with limits (`safe_render`). It is refused at
save when it fails or breaks a limit; when a stored one fails at send time anyway (an old
database, values larger than the sample's), the message is rendered from the built-in text and
says why (`RenderedMessage.problem`): a template never stops the action that sends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import meta

from concierge_app.domain.safe_render import (
    BUILT_IN_LIMITS,
    TEMPLATE_LIMITS,
    Limits,
    TemplateError,
    TemplateLimitError,
    check_source,
    render_bounded,
)
from concierge_app.domain.template_defaults import (
    DEFAULT_TEMPLATES,
    TRANSLATED_TEMPLATES,
    TemplateDefault,
)

__all__ = [
    "BUILT_IN_LIMITS",
    "DEFAULT_TEMPLATES",
    "SUBJECT_MAX",
    "TEMPLATE_LIMITS",
    "TRANSLATED_TEMPLATES",
    "RenderedMessage",
    "TemplateDefault",
    "TemplateError",
    "TemplateLimitError",
    "render",
    "render_message",
    "validate_template",
]

SUBJECT_MAX = 300  # lifecycle_template.subject and outbox_message.subject


def _template_default(key: str) -> TemplateDefault:
    try:
        return DEFAULT_TEMPLATES[key]
    except KeyError:
        raise TemplateError(f"There is no lifecycle template called '{key}'.") from None


def validate_template(key: str, subject: str, body: str) -> None:
    """Refuse empty or over-long text, syntax errors, include/import, numbers over the limit and
    placeholders that the template's messages do not provide. (Whether it renders within the
    limits is checked by rendering it: see services.messages.update_template.)"""
    allowed = set(_template_default(key).placeholders)
    if not subject.strip():
        raise TemplateError("The subject cannot be empty.", field="subject")
    if not body.strip():
        raise TemplateError("The body cannot be empty.", field="body")
    if len(subject) > SUBJECT_MAX:
        raise TemplateLimitError(
            f"The subject is {len(subject):,} characters long; it is limited to {SUBJECT_MAX}.",
            field="subject",
        )
    for field, source in (("subject", subject), ("body", body)):
        parsed = check_source(source, field=field, max_chars=TEMPLATE_LIMITS.source_chars)
        unknown = sorted(meta.find_undeclared_variables(parsed) - allowed)
        if unknown:
            names = ", ".join("{{ " + u + " }}" for u in unknown)
            raise TemplateError(
                f"Unknown placeholder {names} in the {field}. Available: "
                + ", ".join(sorted(allowed))
                + ".",
                field=field,
            )


def render(
    subject: str, body: str, context: Mapping[str, Any], *, limits: Limits = TEMPLATE_LIMITS
) -> tuple[str, str]:
    """Render subject and body in the sandbox within `limits`; a missing value, an unsafe access
    or a broken limit is refused (TemplateError naming the field)."""
    rendered_subject, rendered_body = render_bounded(subject, body, context, limits=limits)
    return rendered_subject.strip(), rendered_body


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    body: str
    # Set when the saved template failed or broke a limit and the built-in text was used: why.
    problem: str | None = None


def render_message(
    key: str,
    subject: str,
    body: str,
    context: Mapping[str, Any],
    *,
    customised: bool,
    built_in: tuple[str, str] | None = None,
) -> RenderedMessage:
    """A message from the template saved for `key`; when that fails or breaks a limit, from the
    built-in text (`built_in`: its translation; English by default) instead, with the reason.
    Only a failure of the built-in text raises."""
    default = _template_default(key)
    problem = None
    if customised:
        try:
            return RenderedMessage(*render(subject, body, context))
        except TemplateError as exc:
            problem = exc.message
    built_subject, built_body = built_in or (default.subject, default.body)
    return RenderedMessage(
        *render(built_subject, built_body, context, limits=BUILT_IN_LIMITS), problem=problem
    )
