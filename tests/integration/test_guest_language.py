"""The guest's language end to end on a real database: messages from the template in the
guest's language (saved text, else the catalog's translation, else English), the choice made on
the portal saved and audited, the checkout opened in it, and the guest's PDFs printed in it."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from pypdf import PdfReader
from sqlmodel import select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.invoicing import GuestInvoice
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import Guest
from concierge_app.db.sandbox import SandboxCheckoutSession
from concierge_app.domain import i18n
from concierge_app.domain.errors import DomainError
from concierge_app.domain.strategies import PaymentStrategy as S
from concierge_app.domain.templates import TemplateError
from concierge_app.services.guest.document_list import booking_documents
from concierge_app.services.guest.guest_invoices import guest_invoice_pdf
from concierge_app.services.guest.language import set_guest_language
from concierge_app.services.payments.guest_checkout import begin_checkout
from concierge_app.services.shared import messages

from ..factories import ACTOR, add_service, make_world, send_draft


def _sent_message(db):
    with db.read() as s:
        return s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "invoice_sent")
        ).one()


def _spanish_world(db, language="es"):
    w = make_world(db)
    set_guest_language(db=db, booking_id=w.booking_id, language=language)
    add_service(w, S.PLATFORM_COLLECTS_FULL, "1250.50")
    return w


def test_a_spanish_guest_gets_invoice_sent_in_spanish(db):
    w = _spanish_world(db)
    send_draft(w)
    msg = _sent_message(db)
    subject = i18n.translated("es", messages.DEFAULT_TEMPLATES["invoice_sent"].subject)
    assert subject is not None and msg.subject.startswith(subject.split("{{")[0].strip())
    assert "1.250,50\xa0€" in msg.body  # money in the guest's locale
    assert "Dear" not in msg.body and "Total due" not in msg.body


def test_a_saved_text_per_language_wins_and_other_languages_keep_theirs(db):
    messages.update_template(
        db=db,
        key="invoice_sent",
        language="es",
        subject="Factura propia {{ invoice_number }}",
        body="Hola {{ guest_name }}: {{ invoice_total }}",
        actor=ACTOR,
    )
    spanish = _spanish_world(db)
    send_draft(spanish)
    assert _sent_message(db).subject.startswith("Factura propia CI-")
    views = {v.key: v for v in messages.list_templates(db=db, language="es")}
    assert views["invoice_sent"].source == messages.SAVED
    assert views["payment_received"].source == messages.BUILT_IN
    english = {v.key: v for v in messages.list_templates(db=db)}
    assert not english["invoice_sent"].customised  # the English text is untouched


def test_a_language_without_its_own_text_falls_back_to_english_and_says_so(
    db, tmp_path, monkeypatch
):
    """A catalog without the template's text (here: an Italian catalog that lacks it)."""
    folder = tmp_path / "it" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(i18n.LOCALE_DIR / "it" / "LC_MESSAGES" / "portal.po", folder / "portal.po")
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n"Language: it\\n"\n', "utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        views = {v.key: v for v in messages.list_templates(db=db, language="it")}
        assert views["invoice_sent"].source == messages.ENGLISH
        assert views["invoice_sent"].subject == messages.DEFAULT_TEMPLATES["invoice_sent"].subject
        w = _spanish_world(db, language="it")
        send_draft(w)
        assert _sent_message(db).subject.startswith("Your invoice CI-")
    finally:
        i18n.translations.cache_clear()


def test_staff_only_templates_have_english_only(db):
    with pytest.raises(TemplateError):
        messages.update_template(
            db=db,
            key="staff_invitation",
            language="es",
            subject="x {{ platform_name }}",
            body="y",
            actor=ACTOR,
        )
    with pytest.raises(TemplateError):
        messages.update_template(
            db=db, key="invoice_sent", language="xx", subject="s", body="b", actor=ACTOR
        )


def test_the_portal_choice_is_saved_audited_and_kept_within_the_language(db):
    w = make_world(db)
    assert set_guest_language(db=db, booking_id=w.booking_id, language="ja") == "ja_JP"
    assert set_guest_language(db=db, booking_id=w.booking_id, language="ja") == "ja_JP"
    with db.read() as s:
        assert s.get(Guest, w.guest_id).locale == "ja_JP"
        events = s.exec(
            select(AuditEvent).where(AuditEvent.action == "guest.language_changed")
        ).all()
    assert len(events) == 1  # choosing the same language again changes nothing
    for hostile in ("", "EN", "es_ES", "x" * 5000, "日本語", "es\x00"):
        with pytest.raises(DomainError):
            set_guest_language(db=db, booking_id=w.booking_id, language=hostile)
    with db.read() as s:
        assert s.get(Guest, w.guest_id).locale == "ja_JP"


def test_the_checkout_opens_in_the_guests_language(db):
    """The sandbox keeps the locale the checkout was asked in, as Stripe Checkout does."""
    w = _spanish_world(db, language="ja")
    invoice = send_draft(w)
    begin_checkout(db=db, booking_id=w.booking_id, invoice_ids=[invoice])
    with db.read() as s:
        session = s.exec(select(SandboxCheckoutSession)).one()
    assert session.locale == "ja"
    (line,) = json.loads(session.lines_json)
    assert line["name"].startswith(
        i18n.gettext("ja", "Invoice {number} · {booking}", number="", booking="")[:2]
    )


def test_the_invoice_pdf_is_printed_in_the_guests_language(db):
    w = _spanish_world(db, language="de")
    send_draft(w)
    with db.read() as s:
        number = s.exec(select(GuestInvoice.number)).one()
    _name, pdf = guest_invoice_pdf(db=db, booking_id=w.booking_id, number=number)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert number in text
    assert "1.250,50" in text  # German amounts
    assert i18n.gettext("de", "Invoice number") in text
    assert "Invoice number" not in text and "Bill to" not in text


def test_the_documents_list_names_each_document_in_the_readers_language(db):
    w = _spanish_world(db)
    send_draft(w)
    (row,) = booking_documents(db=db, booking_id=w.booking_id)
    assert row.kind == "invoice" and row.title() == f"Invoice {row.number}"
    assert row.title("es_ES") == i18n.gettext("es", "Invoice {number}", number=row.number)
    assert row.title("es_ES") != row.title()
    assert row.amount == w.money("1250.50")


def test_the_preview_writes_the_bookings_dates_in_the_chosen_language(db):
    w = make_world(db)
    template = messages.DEFAULT_TEMPLATES["invoice_sent"]
    _subject, body = messages.preview_template(
        db=db,
        key="invoice_sent",
        subject=template.subject,
        body=template.body,
        booking_id=w.booking_id,
        language="de",
    )
    assert "01.07.2026" in body  # the factories' check-in, as German writes it
