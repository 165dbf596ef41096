"""Partner sign-in, bank details (IBAN checked, audited, partner told), a partner's own documents
only, and the Partner Invoice Issued email delivered with its PDF attached."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.partner_billing import PartnerBankAccount
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.partner_billing import Period
from concierge_app.services.access import partner_sign_in as partner_auth
from concierge_app.services.access.staff_sign_in import SignInRefused
from concierge_app.services.access.tickets import redeem_session
from concierge_app.services.outbox.delivery import deliver_due_messages
from concierge_app.services.partner.billing import month_end
from concierge_app.services.partner.views import finance as partner_finance

from ..factories import ACTOR, make_partner, snapshot
from .test_month_end import stay
from .test_outbox_delivery import smtp  # noqa: F401  (fixture)


def test_a_partner_user_signs_in_and_out(db):
    villa = make_partner(db, kind="property")
    partner_auth.create_partner_user(
        db=db,
        partner_id=villa,
        email="Fin@Villa.example",
        name="Ana",
        password="a-long-secret",
        actor=ACTOR,
    )
    with pytest.raises(SignInRefused):
        partner_auth.partner_sign_in(db=db, email="fin@villa.example", password="wrong-secret")
    signed = partner_auth.partner_sign_in(
        db=db, email="fin@villa.example", password="a-long-secret"
    )
    token = redeem_session(db=db, code=signed.ticket).token  # as /api/auth/session does
    who = partner_auth.current_partner_user(db=db, token=token)
    assert who is not None and who.partner_id == villa
    partner_auth.partner_sign_out(db=db, token=token)
    assert partner_auth.current_partner_user(db=db, token=token) is None


def test_a_valid_iban_is_saved_masked_audited_and_the_partner_is_told(db):
    villa = make_partner(db, kind="property")
    view = partner_finance.update_bank_account(
        db=db,
        partner_id=villa,
        account_holder="  Villa   Azul S.L. ",
        iban="de89 3704 0044 0532 0130 00",
        bic="",
        actor="fin@villa.example",
    )
    assert view.iban_masked == "DE89 •••• •••• •••• •••• 3000"
    assert view.account_holder == "Villa Azul S.L." and view.bic == "COBADEFFXXX"
    with db.read() as s:
        row = s.exec(select(PartnerBankAccount)).one()
        event = s.exec(
            select(AuditEvent).where(AuditEvent.action == "partner.bank_details_changed")
        ).one()
        message = s.exec(
            select(OutboxMessage).where(OutboxMessage.template_key == "bank_details_changed")
        ).one()
    assert row.iban == "DE89370400440532013000"
    assert "0532" not in event.data  # the audit trail keeps it masked
    assert message.partner_id == villa and "3000" in message.body and "0532" not in message.body


@pytest.mark.parametrize(
    ("iban", "bic", "field"),
    [
        ("DE89 3704 0044 0532 0130 01", "", "iban"),  # checksum
        ("XX00 1234", "", "iban"),
        ("DE89 3704 0044 0532 0130 00", "NOTABIC", "bic"),
    ],
)
def test_a_bad_iban_or_bic_is_refused_at_its_field_and_nothing_changes(db, iban, bic, field):
    villa = make_partner(db, kind="property")
    before = snapshot(db)
    with pytest.raises(DomainError) as refused:
        partner_finance.update_bank_account(
            db=db, partner_id=villa, account_holder="Villa", iban=iban, bic=bic, actor=ACTOR
        )
    assert refused.value.field == field
    assert snapshot(db) == before


def test_partner_a_cannot_open_partner_bs_invoice_by_number(db):
    a, b = make_partner(db, kind="property"), make_partner(db, kind="property")
    stay(db, a, date(2026, 11, 1), date(2026, 11, 3))
    stay(db, b, date(2026, 11, 2), date(2026, 11, 4))
    month_end.run_month_end(db=db, period=Period(2026, 11), run_date=date(2026, 12, 2), actor=ACTOR)
    number_b = partner_finance_numbers(db, b)
    assert partner_finance.invoice_id_by_number(db=db, partner_id=b, number=number_b)
    for probe in (number_b, "CM-2026-999999"):
        with pytest.raises(NotFound, match=r"Invoice not found\."):
            partner_finance.invoice_id_by_number(db=db, partner_id=a, number=probe)


def partner_finance_numbers(db, partner_id):
    from concierge_app.db.partner_billing import PartnerInvoice

    with db.read() as s:
        return s.exec(
            select(PartnerInvoice.number).where(PartnerInvoice.partner_id == partner_id)
        ).one()


def test_the_invoice_email_goes_to_the_finance_contact_with_its_pdf(db, smtp):  # noqa: F811
    inbox, mailer = smtp
    villa = make_partner(db, kind="property")
    stay(db, villa, date(2026, 11, 1), date(2026, 11, 3), total="500.00", collected_by="property")
    month_end.run_month_end(db=db, period=Period(2026, 11), run_date=date(2026, 12, 2), actor=ACTOR)
    report = deliver_due_messages(db=db, mailer=mailer)
    assert report.sent == 1
    ((recipients, message),) = inbox.received
    number = partner_finance_numbers(db, villa)
    assert recipients[0].startswith("p") and number in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "Amount to pay: €50.00" in body and "IBAN" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"{number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")


def test_an_invoice_email_is_rendered_when_sent_with_the_template_then(db, smtp):  # noqa: F811
    from concierge_app.services.outbox.listing import list_outbox
    from concierge_app.services.shared.messages import update_template

    inbox, mailer = smtp
    villa = make_partner(db, kind="property")
    stay(db, villa, date(2026, 11, 1), date(2026, 11, 3), total="500.00", collected_by="property")
    month_end.run_month_end(db=db, period=Period(2026, 11), run_date=date(2026, 12, 2), actor=ACTOR)
    number = partner_finance_numbers(db, villa)
    (queued,) = list_outbox(db=db)  # shown as it would go now, before it is sent
    assert number in queued.subject and "Amount to pay: €50.00" in queued.body
    update_template(
        db=db,
        key="partner_invoice_issued",
        subject="Your {{ period }} invoice {{ invoice_number }}",
        body="Hello {{ partner_name }}, {{ amount_payable }} is due by {{ due_date }}.",
        actor=ACTOR,
    )
    assert deliver_due_messages(db=db, mailer=mailer).sent == 1
    ((_, message),) = inbox.received
    assert message["Subject"] == f"Your November 2026 invoice {number}"
    with db.read() as s:
        stored = s.exec(select(OutboxMessage)).one()
    assert stored.subject == message["Subject"]  # what was sent is kept
    assert stored.body.endswith("€50.00 is due by December 16, 2026.")
