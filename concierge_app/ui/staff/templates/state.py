"""State of `/templates`: edit a lifecycle template with a live preview on a real booking.

Previews and saves render in a worker thread; the renderer's limits (domain.safe_render), not
the thread, are what bound them: a hostile template shows its limit instead of a preview.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from concierge_app.domain.errors import DomainError
from concierge_app.domain.i18n import LANGUAGES
from concierge_app.domain.templates import SUBJECT_MAX, TEMPLATE_LIMITS, TRANSLATED_TEMPLATES
from concierge_app.services.guest.queries import booking_by_reference, list_bookings
from concierge_app.services.shared import messages
from concierge_app.services.shared.database import get_database
from concierge_app.ui.staff.session import AuthState

_L = TEMPLATE_LIMITS
LIMITS_NOTE = (
    f"Templates run in a sandbox with limits: a subject of {SUBJECT_MAX} and a body of "
    f"{_L.source_chars:,} characters, messages up to {_L.output_chars:,} characters, range() up "
    f"to {_L.range_items:,} items and {_L.loop_iterations:,} loop steps in all, numbers up to "
    f"{_L.number_digits} digits, {_L.seconds:g} s to render. A template that breaks one cannot "
    "be saved; a saved one that breaks one at send time is replaced by the built-in text."
)


def source_note(view: messages.TemplateView) -> str:
    """Where the text in the chosen language comes from, and what a save does."""
    name = LANGUAGES.get(view.language, view.language)
    if view.source == messages.SAVED:
        return f"Your own {name} text: {name} recipients get it."
    if view.source == messages.ENGLISH:
        return (
            f"No {name} text yet: {name} recipients get the English text. "
            f"Save to give them their own."
        )
    if view.language != "en":
        return f"The built-in {name} translation. Save to make it your own."
    return "The built-in text."


class TemplatesState(AuthState):
    names: dict[str, str] = {}  # key -> "Invoice Sent"
    key: str = "invoice_sent"
    language: str = "en"  # the language edited (guest and partner templates have one text each)
    translatable: bool = True  # False for the templates only staff read (English only)
    source: str = ""  # saved / built-in / english
    source_note: str = ""
    subject: str = ""
    body: str = ""
    placeholders: list[str] = []
    bookings: list[str] = []  # references to preview on
    preview_booking: str = ""
    preview_subject: str = ""
    preview_body: str = ""
    error: str = ""
    error_field: str = ""
    preview_ok: bool = True  # False while the text cannot be previewed (the error says why)
    saved_note: str = ""
    saving: bool = False

    @rx.var
    def template_label(self) -> str:
        return self.names.get(self.key, "")

    @rx.var
    def template_labels(self) -> list[str]:
        return list(self.names.values())

    @rx.var
    def language_label(self) -> str:
        return LANGUAGES.get(self.language, self.language)

    @rx.var
    def language_labels(self) -> list[str]:
        return list(LANGUAGES.values())

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():
            yield self._to_sign_in()
            return
        db = get_database()
        views = await asyncio.to_thread(messages.list_templates, db=db)
        self.names = {v.key: v.name for v in views}
        summaries = await asyncio.to_thread(list_bookings, db=db)
        self.bookings = [b.reference for b in summaries]
        self.preview_booking = self.preview_booking or (self.bookings[0] if self.bookings else "")
        await self._show(self.key)

    async def _show(self, key: str) -> None:
        views = await asyncio.to_thread(
            messages.list_templates, db=get_database(), language=self.language
        )
        view = next(v for v in views if v.key == key)
        self.key, self.subject, self.body = view.key, view.subject, view.body
        self.translatable = key in TRANSLATED_TEMPLATES
        self.source, self.source_note = view.source, source_note(view)
        self.placeholders = list(view.placeholders)
        self.saved_note = ""
        await self._preview()

    async def _preview(self) -> None:
        if not self.preview_booking:
            self.preview_subject = self.preview_body = ""
            return
        try:
            booking = await asyncio.to_thread(
                booking_by_reference, db=get_database(), reference=self.preview_booking
            )
            self.preview_subject, self.preview_body = await asyncio.to_thread(
                messages.preview_template,
                db=get_database(),
                key=self.key,
                subject=self.subject,
                body=self.body,
                booking_id=booking.id,
                language=self.language if self.translatable else None,
            )
            self.error = self.error_field = ""
            self.preview_ok = True
        except DomainError as problem:
            self.error, self.error_field = problem.message, problem.field or ""
            self.preview_ok = False

    @rx.event
    async def choose(self, label: str) -> None:
        key = next((k for k, name in self.names.items() if name == label), self.key)
        await self._show(key)

    @rx.event
    async def choose_language(self, label: str) -> None:
        self.language = next((c for c, name in LANGUAGES.items() if name == label), "en")
        await self._show(self.key)

    @rx.event
    async def set_subject(self, value: str) -> None:
        self.subject, self.saved_note = value, ""
        await self._preview()

    @rx.event
    async def set_body(self, value: str) -> None:
        self.body, self.saved_note = value, ""
        await self._preview()

    @rx.event
    async def set_preview_booking(self, reference: str) -> None:
        self.preview_booking = reference
        await self._preview()

    @rx.event
    async def save(self):  # type: ignore[no-untyped-def]
        if not await self._signed_in():  # the session may have expired since the page opened
            yield self._to_sign_in()
            return
        self.saving = True
        yield
        try:
            await asyncio.to_thread(
                messages.update_template,
                db=get_database(),
                key=self.key,
                subject=self.subject,
                body=self.body,
                actor=self.staff_email,
                language=self.language if self.translatable else "en",
            )
            self.error = self.error_field = ""
            self.source = messages.SAVED
            self.saved_note = f"{self.template_label} saved: the next messages use it."
            if self.translatable:
                self.source_note = f"Your own {self.language_label} text: {self.language_label} "
                self.source_note += "recipients get it."
        except DomainError as problem:
            self.error, self.error_field = problem.message, problem.field or ""
        finally:
            self.saving = False
