"""The partner inbox in the browser: Villa Azul writes to the finance team (topic "Invoices and
commission", subtopic "Other" by default, about one of its invoices); the staff inbox, already
open, shows the thread unread without a reload; staff open it and reply; Villa Azul's open page
shows the reply live; the reply email is in the staff Outbox. A message without a subject is
refused with nothing written, and another partner cannot open the thread.

Uses the demo data: Villa Azul's invoice of the older month (issued at seed time), its finance
contact, and Casa Palma's login. Writes only partner_thread, partner_thread_message, the outbox
and the audit trail (no other e2e test reads those for Villa Azul's inbox).
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from concierge_app.demo.partner_seed import DEMO_PARTNER_LOGINS
from concierge_app.settings import get_settings
from tests.e2e.conftest import sign_in
from tests.e2e.test_partner_finance import (
    CASA_PALMA,
    VILLA_AZUL,
    PageFactory,
    new_page,  # noqa: F401  (fixture)
    partner_sign_in,
    query,
    shot,
)

if TYPE_CHECKING:
    from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.e2e


def thread_rows(app_server: AppServer, subject: str) -> list[tuple[object, ...]]:
    return query(
        app_server,
        "SELECT t.id, t.topic, t.subtopic, i.number, t.unread_by_staff, t.unread_by_partner "
        "FROM partner_thread t LEFT JOIN partner_invoice i ON i.id = t.invoice_id "
        "WHERE t.subject = ?",
        subject,
    )


def thread_count(app_server: AppServer) -> int:
    [(n,)] = query(app_server, "SELECT COUNT(*) FROM partner_thread")
    return int(str(n))


def test_a_partner_writes_staff_reply_and_the_partner_is_told(
    app_server: AppServer,
    new_page: PageFactory,  # noqa: F811
    screenshot_dir: Path,
) -> None:
    base = app_server.base_url
    subject = f"Which payment methods can we use? ({secrets.token_hex(3)})"
    question = "Hello,\nwe would like to pay our commission online. Is that possible?"
    answer = "Yes: online payment is available in Spain. We will switch you over this week."
    [(invoice_number,)] = query(
        app_server,
        "SELECT i.number FROM partner_invoice i JOIN partner p ON p.id = i.partner_id "
        "WHERE p.code = ? ORDER BY i.id LIMIT 1",
        VILLA_AZUL,
    )
    [(finance_email,)] = query(
        app_server, "SELECT finance_email FROM partner WHERE code = ?", VILLA_AZUL
    )

    # Staff have the inbox open before the partner writes.
    staff = new_page()
    sign_in(staff, base)
    staff.goto(f"{base}/inbox")
    expect(staff.get_by_role("heading", name="Partner inbox")).to_be_visible(timeout=30_000)
    expect(staff.get_by_text("Choose a thread on the left")).to_be_visible()
    shot(staff, screenshot_dir / "inbox-staff-before.png")

    partner = new_page()
    partner_sign_in(partner, base, DEMO_PARTNER_LOGINS[VILLA_AZUL])
    partner.get_by_role("link", name="Inbox", exact=True).click()
    partner.wait_for_url(re.compile(rf"{re.escape(base)}/partner/inbox/?$"))
    expect(partner.get_by_role("heading", name="Your messages")).to_be_visible(timeout=30_000)
    shot(partner, screenshot_dir / "inbox-partner-empty.png")

    # New message: the topic is fixed, the subtopic "Other" unless chosen.
    partner.get_by_role("button", name="New message").click()
    expect(partner.locator("#inbox-topic")).to_have_text("Invoices and commission")
    expect(partner.locator("#inbox-subtopic")).to_have_text("Other")
    expect(partner.locator("#inbox-invoice")).to_have_text("No invoice")
    invoice_label = re.compile(rf"^{re.escape(str(invoice_number))} · Commission invoice · ")
    partner.locator("#inbox-invoice").click()
    partner.get_by_role("option", name=invoice_label).click()
    expect(partner.locator("#inbox-invoice")).to_contain_text(str(invoice_number))

    # Without a subject: refused at the field, nothing written.
    threads_before = thread_count(app_server)
    partner.locator("#inbox-body").fill(question)
    partner.get_by_role("button", name="Send message").click()
    expect(partner.locator("#inbox-subject-error")).to_have_text("Enter a subject.")
    assert thread_count(app_server) == threads_before
    shot(partner, screenshot_dir / "inbox-partner-new-refused.png")

    partner.locator("#inbox-subject").fill(subject)
    partner.get_by_role("button", name="Send message").click()
    expect(partner.locator("#inbox-notice")).to_contain_text("Message sent.")
    view = partner.locator("#inbox-thread-view")
    expect(view.locator("#thread-subject")).to_have_text(subject)
    expect(view.locator("#thread-topic")).to_contain_text("Invoices and commission → Other")
    expect(view.locator("#thread-invoice")).to_contain_text(str(invoice_number))
    expect(view.locator(".inbox-message")).to_have_count(1)
    expect(view.locator(".inbox-message").first).to_contain_text("we would like to pay")
    [(thread_id, topic, subtopic, number, unread_staff, _)] = thread_rows(app_server, subject)
    assert (topic, subtopic, number, unread_staff) == (
        "Invoices and commission",
        "Other",
        invoice_number,
        1,
    )
    shot(partner, screenshot_dir / "inbox-partner-sent.png")

    # The staff inbox shows it without a reload: unread, with the partner's name and code.
    item = staff.locator(f'.inbox-thread[data-thread="{thread_id}"]')
    expect(item).to_be_visible(timeout=30_000)
    expect(item).to_have_attribute("data-unread", "true")
    expect(item).to_contain_text("Villa Azul · PRP-1001")
    expect(item).to_contain_text("Other")
    expect(item).to_contain_text(str(invoice_number))
    expect(staff.locator("#inbox-unread")).to_be_visible()
    shot(staff, screenshot_dir / "inbox-staff-unread.png")

    item.click()
    staff_view = staff.locator("#inbox-thread-view")
    expect(staff_view.locator("#thread-subject")).to_have_text(subject)
    expect(staff_view.locator("#thread-partner")).to_contain_text("Villa Azul")
    expect(staff_view.locator(".inbox-message").first).to_contain_text("we would like to pay")
    expect(item).to_have_attribute("data-unread", "false")  # opened: read
    expect(staff_view).to_contain_text(f"Your reply is emailed to {finance_email}.")

    staff.locator("#reply-body").fill(answer)
    staff.get_by_role("button", name="Send reply").click()
    expect(staff_view.locator(".inbox-message")).to_have_count(2)
    expect(staff_view.locator(".inbox-message").last).to_contain_text(answer)
    expect(staff.locator("#reply-body")).to_have_value("")
    expect(staff.locator("#inbox-notice")).to_contain_text("Reply sent.")
    shot(staff, screenshot_dir / "inbox-staff-replied.png")

    # Villa Azul's open page shows the reply live, from the platform's finance team.
    reply = view.locator(".inbox-message").last
    expect(view.locator(".inbox-message")).to_have_count(2, timeout=30_000)
    expect(reply).to_contain_text(answer)
    expect(reply).to_contain_text(f"{get_settings().platform_name} Finance")
    expect(reply).to_have_attribute("data-mine", "false")
    shot(partner, screenshot_dir / "inbox-partner-reply.png")

    # The partner answers in the thread; the reply box empties.
    partner.locator("#reply-body").fill("Thank you!")
    partner.get_by_role("button", name="Send reply").click()
    expect(view.locator(".inbox-message")).to_have_count(3)
    expect(partner.locator("#reply-body")).to_have_value("")
    expect(staff_view.locator(".inbox-message")).to_have_count(3, timeout=30_000)

    # One email, to Villa Azul's finance contact, with the reply and the inbox link.
    emails = query(
        app_server,
        "SELECT recipient, subject, body FROM outbox_message "
        "WHERE template_key = 'partner_inbox_reply' AND body LIKE ?",
        f"%{answer}%",
    )
    assert len(emails) == 1, emails
    [(recipient, email_subject, body)] = emails
    assert recipient == finance_email
    assert email_subject == f"Re: {subject} — {get_settings().platform_name} Finance"
    assert f"{base}/partner/inbox?thread={thread_id}" in str(body)

    staff.goto(f"{base}/outbox")
    message = staff.locator("tr.outbox-row").filter(has_text=f"Re: {subject}")
    expect(message).to_have_count(1, timeout=30_000)
    expect(message).to_contain_text("Partner Inbox Reply")
    expect(message).to_contain_text(str(finance_email))
    message.get_by_role("button", name=re.compile(r"^Show message")).click()
    popover = staff.get_by_role("dialog")
    expect(popover).to_contain_text(answer)
    expect(popover).to_contain_text(f"/partner/inbox?thread={thread_id}")
    shot(staff, screenshot_dir / "inbox-reply-outbox.png")

    # Every step is on the audit trail.
    actions = [
        str(action)
        for action, data in query(
            app_server,
            "SELECT action, data FROM audit_event WHERE action LIKE 'partner_inbox.%' ORDER BY id",
        )
        if json.loads(str(data))["thread_id"] == thread_id
    ]
    assert actions[0] == "partner_inbox.thread_opened", actions
    for wanted in (
        "partner_inbox.read_by_staff",
        "partner_inbox.staff_replied",
        "partner_inbox.partner_replied",
    ):
        assert wanted in actions, actions

    # The email's link opens the thread for Villa Azul; Casa Palma finds nothing there.
    partner.goto(f"{base}/partner/inbox?thread={thread_id}")
    expect(partner.locator("#thread-subject")).to_have_text(subject, timeout=30_000)
    casa = new_page()
    partner_sign_in(casa, base, DEMO_PARTNER_LOGINS[CASA_PALMA])
    casa.goto(f"{base}/partner/inbox?thread={thread_id}")
    expect(casa.locator("#thread-not-found")).to_be_visible(timeout=30_000)
    text = casa.locator("body").inner_text()
    assert subject not in text and answer not in text and "Villa Azul" not in text
    shot(casa, screenshot_dir / "inbox-other-partner-not-found.png")
