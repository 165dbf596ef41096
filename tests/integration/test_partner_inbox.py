"""The partner inbox on SQLite and PostgreSQL: a partner writes under "Invoices and commission"
(subtopic "Other" unless chosen), optionally about one of its own invoices; staff see every
thread, unread first, and reply; the partner's finance contact is emailed; every effect is
audited; a partner never reads another partner's thread."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from concierge_app.db.audit import AuditEvent
from concierge_app.db.messaging import OutboxMessage
from concierge_app.db.parties import Partner
from concierge_app.db.partner_billing import PartnerInvoice
from concierge_app.domain.errors import DomainError, NotFound
from concierge_app.domain.statuses import ThreadAuthor
from concierge_app.services.partner import accounts as partners
from concierge_app.services.partner import inbox as inbox
from concierge_app.services.shared.audit import verify_chain
from concierge_app.settings import get_settings

from ..factories import snapshot
from .test_partner_documents import ledger  # noqa: F401  (fixture)

STAFF = "concierge@demo.test"  # no staff user of that email here: the email signs the reply
VILLA_USER = "finance@prp-net01.example"
GROSS_USER = "finance@prp-grs01.example"


def number_of(db, partner_id) -> str:
    with db.read() as s:
        return s.exec(
            select(PartnerInvoice.number).where(PartnerInvoice.partner_id == partner_id)
        ).one()


def events(db, action: str) -> list[AuditEvent]:
    with db.read() as s:
        return list(
            s.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
            )
        )


def replies(db) -> list[OutboxMessage]:
    with db.read() as s:
        return list(
            s.exec(select(OutboxMessage).where(OutboxMessage.template_key == "partner_inbox_reply"))
        )


def write(db, partner_id, author=VILLA_USER, **values) -> int:
    values = {"subject": "Question about my invoice", "body": "Why is it this amount?"} | values
    return inbox.open_thread(db=db, partner_id=partner_id, author=author, **values)


def test_a_partner_opens_a_thread_about_its_invoice_under_other_by_default(ledger):  # noqa: F811
    db, villa = ledger["db"], ledger["villa"]
    number = number_of(db, villa)
    thread_id = write(
        db,
        villa,
        subject="  Commission   for November ",
        body="  Hello,\r\nplease explain the second line.  ",
        invoice_number=number.lower(),
    )

    view = inbox.partner_thread(db=db, partner_id=villa, thread_id=thread_id)
    s = view.summary
    assert (s.topic, s.subtopic) == ("Invoices and commission", "Other")
    assert (s.subject, s.invoice_number, s.created_by) == (
        "Commission for November",
        number,
        VILLA_USER,
    )
    assert (s.partner_code, s.messages, s.last_author_kind, s.unread) == (
        "PRP-NET01",
        1,
        "partner",
        False,
    )
    [message] = view.messages
    assert (message.author_kind, message.author) == (ThreadAuthor.PARTNER, VILLA_USER)
    assert message.body == "Hello,\nplease explain the second line."
    assert [t.id for t in inbox.partner_threads(db=db, partner_id=villa)] == [thread_id]

    # Staff see it unread, with the partner's name and code.
    [staff_view] = inbox.staff_threads(db=db)
    assert (staff_view.id, staff_view.unread) == (thread_id, True)
    assert (staff_view.partner_name, staff_view.partner_code) == ("Partner PRP-NET01", "PRP-NET01")

    [opened] = events(db, "partner_inbox.thread_opened")
    data = json.loads(opened.data)
    assert (opened.actor, opened.subject) == (VILLA_USER, f"partner:{villa}")
    assert data["thread_id"] == thread_id and data["invoice"] == number
    assert (data["topic"], data["subtopic"]) == ("Invoices and commission", "Other")
    assert "second line" not in opened.data  # the text stays in the thread, not the audit log


def test_a_chosen_subtopic_is_kept_and_an_unknown_one_refused(ledger):  # noqa: F811
    db, villa = ledger["db"], ledger["villa"]
    thread_id = write(db, villa, subtopic="Direct debit")
    assert inbox.partner_thread(db=db, partner_id=villa, thread_id=thread_id).summary.subtopic == (
        "Direct debit"
    )
    before = snapshot(db)
    with pytest.raises(DomainError, match="Choose a subtopic from the list") as refused:
        write(db, villa, subtopic="Gossip")
    assert refused.value.field == "subtopic"
    with pytest.raises(DomainError, match="Choose the topic Invoices and commission"):
        write(db, villa, topic="Reservations")
    assert snapshot(db) == before


def test_another_partners_invoice_is_refused_and_nothing_is_written(ledger):  # noqa: F811
    db, villa, gross = ledger["db"], ledger["villa"], ledger["gross"]
    theirs = number_of(db, gross)
    before = snapshot(db)
    with pytest.raises(NotFound) as refused:
        write(db, villa, invoice_number=theirs)
    assert refused.value.message == f"Invoice {theirs} was not found among your documents."
    assert refused.value.field == "invoice"
    with pytest.raises(NotFound):
        write(db, villa, invoice_number="CM-2099-000001")
    assert snapshot(db) == before
    assert inbox.partner_threads(db=db, partner_id=villa) == []


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"subject": "   "}, "subject", "Enter a subject."),
        ({"body": " \n "}, "body", "Write your message."),
        ({"subject": "x" * 201}, "subject", "Keep the subject to 200 characters (it has 201)."),
        ({"body": "y" * 5001}, "body", "Keep the message to 5,000 characters (it has 5,001)."),
    ],
)
def test_an_empty_or_too_long_message_is_refused_and_nothing_is_written(
    ledger,  # noqa: F811
    values,
    field,
    message,
):
    db, villa = ledger["db"], ledger["villa"]
    before = snapshot(db)
    with pytest.raises(DomainError) as refused:
        write(db, villa, **values)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert snapshot(db) == before


def test_a_partner_cannot_read_or_answer_another_partners_thread(ledger):  # noqa: F811
    db, villa, gross = ledger["db"], ledger["villa"], ledger["gross"]
    thread_id = write(db, villa, subject="Private matter", body="Our IBAN is ES91…")
    before = snapshot(db)
    with pytest.raises(NotFound) as refused:
        inbox.partner_thread(db=db, partner_id=gross, thread_id=thread_id)
    assert refused.value.message == "This message was not found in your inbox."
    # A thread that does not exist reads exactly the same.
    with pytest.raises(NotFound) as missing:
        inbox.partner_thread(db=db, partner_id=gross, thread_id=thread_id + 1000)
    assert missing.value.message == refused.value.message
    with pytest.raises(NotFound):
        inbox.partner_reply(
            db=db, partner_id=gross, thread_id=thread_id, author=GROSS_USER, body="Me too"
        )
    with pytest.raises(NotFound):
        inbox.mark_read_by_partner(db=db, partner_id=gross, thread_id=thread_id, actor=GROSS_USER)
    assert inbox.partner_threads(db=db, partner_id=gross) == []
    assert snapshot(db) == before


def test_a_staff_reply_emails_the_partner_once_and_marks_the_thread_unread(ledger):  # noqa: F811
    db, gross = ledger["db"], ledger["gross"]
    number = number_of(db, gross)
    thread_id = write(
        db,
        gross,
        author=GROSS_USER,
        subtopic="Payment methods",
        subject="Can we pay online?",
        body="Which payment methods can we use?",
        invoice_number=number,
    )
    assert inbox.mark_read_by_staff(db=db, thread_id=thread_id, actor=STAFF) is True
    assert inbox.mark_read_by_staff(db=db, thread_id=thread_id, actor=STAFF) is False

    answer = "You can pay by bank transfer, quoting PRP-GRS01 and the invoice number."
    message_id = inbox.staff_reply(db=db, thread_id=thread_id, author=STAFF, body=answer)

    [email] = replies(db)
    with db.read() as s:
        finance_email = s.exec(select(Partner.finance_email).where(Partner.id == gross)).one()
    assert (email.recipient, email.partner_id, email.status) == (finance_email, gross, "queued")
    assert email.dedupe_key == f"partner_inbox_reply:{message_id}"
    platform = get_settings().platform_name
    assert email.subject == f"Re: Can we pay online? — {platform} Finance"
    assert "Dear Partner PRP-GRS01 finance team," in email.body
    assert "(Invoices and commission → Payment methods, property ID PRP-GRS01)" in email.body
    assert f"{STAFF} replied to your message" in email.body
    assert answer in email.body
    base = get_settings().public_base_url.rstrip("/")
    assert f"{base}/partner/inbox?thread={thread_id}" in email.body

    [partner_view] = inbox.partner_threads(db=db, partner_id=gross)
    assert (partner_view.unread, partner_view.messages, partner_view.last_author_kind) == (
        True,
        2,
        "staff",
    )
    [staff_view] = inbox.staff_threads(db=db)
    assert staff_view.unread is False
    conversation = inbox.partner_thread(db=db, partner_id=gross, thread_id=thread_id).messages
    assert [(m.author_kind, m.body) for m in conversation] == [
        (ThreadAuthor.PARTNER, "Which payment methods can we use?"),
        (ThreadAuthor.STAFF, answer),
    ]

    # The partner reads it (once), then answers: staff see it unread again; no email for that.
    assert inbox.mark_read_by_partner(
        db=db, partner_id=gross, thread_id=thread_id, actor=GROSS_USER
    )
    assert not inbox.mark_read_by_partner(
        db=db, partner_id=gross, thread_id=thread_id, actor=GROSS_USER
    )
    inbox.partner_reply(
        db=db, partner_id=gross, thread_id=thread_id, author=GROSS_USER, body="Thanks!"
    )
    assert [t.unread for t in inbox.staff_threads(db=db)] == [True]
    assert [t.unread for t in inbox.partner_threads(db=db, partner_id=gross)] == [False]
    assert len(replies(db)) == 1

    # Every effect is on the audit trail, and the chain still verifies.
    [replied] = events(db, "partner_inbox.staff_replied")
    assert (replied.actor, replied.subject) == (STAFF, f"partner:{gross}")
    assert json.loads(replied.data) == {
        "thread_id": thread_id,
        "message_id": message_id,
        "characters": len(answer),
        "notified": finance_email,
    }
    for action, count in (
        ("partner_inbox.thread_opened", 1),
        ("partner_inbox.read_by_staff", 1),
        ("partner_inbox.read_by_partner", 1),
        ("partner_inbox.partner_replied", 1),
    ):
        found = events(db, action)
        assert len(found) == count, action
        assert all(json.loads(e.data)["thread_id"] == thread_id for e in found)
    assert verify_chain(db=db).ok


def test_a_staff_reply_is_signed_with_the_staff_members_name(ledger):  # noqa: F811
    db, villa = ledger["db"], ledger["villa"]
    partners.create_staff_user(
        db=db, email="ana@staff.example", name="Ana Ruiz", password="a-long-password"
    )
    thread_id = write(db, villa)
    inbox.staff_reply(
        db=db, thread_id=thread_id, author="ana@staff.example", body="Checked: it is right."
    )
    [email] = replies(db)
    assert 'Ana Ruiz replied to your message "Question about my invoice"' in email.body


def test_an_empty_reply_is_refused_and_nothing_is_written(ledger):  # noqa: F811
    db, villa = ledger["db"], ledger["villa"]
    thread_id = write(db, villa)
    before = snapshot(db)
    with pytest.raises(DomainError, match=r"^Write your message\.$"):
        inbox.staff_reply(db=db, thread_id=thread_id, author=STAFF, body="   ")
    with pytest.raises(DomainError, match=r"^Write your message\.$"):
        inbox.partner_reply(
            db=db, partner_id=villa, thread_id=thread_id, author=VILLA_USER, body=""
        )
    with pytest.raises(NotFound):
        inbox.staff_reply(db=db, thread_id=thread_id + 1000, author=STAFF, body="Hello")
    assert snapshot(db) == before


def test_staff_see_unread_threads_first_then_the_newest(ledger):  # noqa: F811
    db, villa, gross, chef = ledger["db"], ledger["villa"], ledger["gross"], ledger["chef"]
    first = write(db, villa, subject="First")
    second = write(db, gross, author=GROSS_USER, subject="Second")
    third = write(db, chef, author="finance@chef.example", subject="Third")
    inbox.mark_read_by_staff(db=db, thread_id=third, actor=STAFF)
    inbox.mark_read_by_staff(db=db, thread_id=first, actor=STAFF)
    # The newest first among the unread (second), then among the read (third, then first).
    assert [t.id for t in inbox.staff_threads(db=db)] == [second, third, first]
    inbox.partner_reply(
        db=db, partner_id=villa, thread_id=first, author=VILLA_USER, body="Any news?"
    )
    assert [(t.id, t.unread) for t in inbox.staff_threads(db=db)] == [
        (first, True),
        (second, True),
        (third, False),
    ]
    assert [t.id for t in inbox.partner_threads(db=db, partner_id=villa)] == [first]


def test_the_invoice_choices_are_the_partners_own_documents(ledger):  # noqa: F811
    db, villa, gross = ledger["db"], ledger["villa"], ledger["gross"]
    [option] = inbox.invoice_options(db=db, partner_id=villa)
    number = number_of(db, villa)
    assert option.number == number
    assert option.label == f"{number} · Commission invoice · November 2026"
    assert number_of(db, gross) not in [
        o.number for o in inbox.invoice_options(db=db, partner_id=villa)
    ]
