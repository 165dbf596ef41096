"""Messages out of the outbox: `deliver-outbox` (over SMTP) and `send-reminders` (the guest
payment reminders and partner notices due, queued in the outbox)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.progress import TaskID
from rich.table import Table

from concierge_app.adapters.notify.smtp import SmtpMailer
from concierge_app.cli.database import DatabaseUrl, open_database
from concierge_app.cli.dates import day_or_today
from concierge_app.cli.terminal import console, progress
from concierge_app.services.guest.reminders import send_guest_reminders
from concierge_app.services.outbox.delivery import deliver_due_messages
from concierge_app.services.partner.reminders import send_partner_reminders
from concierge_app.settings import get_settings


def deliver_outbox(url: DatabaseUrl = None) -> None:
    """Send the queued messages that are due over SMTP (SMTP_HOST must be set)."""
    mailer = SmtpMailer.from_settings(get_settings())
    if mailer is None:
        console.print("SMTP_HOST is not set: messages stay in the outbox.")
        return
    report = deliver_due_messages(db=open_database(url), mailer=mailer)
    console.print(f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}.")


def send_reminders(
    day: Annotated[
        str | None,
        typer.Option("--date", help="The day to send for, YYYY-MM-DD (default: today)"),
    ] = None,
    url: DatabaseUrl = None,
) -> None:
    """Queue the guest payment reminders (GUEST_REMINDER_DAYS) and the partner notices
    (PARTNER_REMINDER_DAYS) due in the outbox. Idempotent: a rerun, or the in-app job at the
    same time, never sends one twice."""
    on = day_or_today(day)
    db = open_database(url)
    with progress() as bar:
        guests_task = bar.add_task("Guest invoices", total=None)
        partners_task = bar.add_task("Partner documents", total=None)

        def shows(task: TaskID) -> Callable[[int, int], None]:
            def show(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return show

        guests = send_guest_reminders(db=db, today=on, progress=shows(guests_task))
        partners = send_partner_reminders(db=db, today=on, progress=shows(partners_task))
    if guests.sent or partners.sent:
        table = Table(title=f"Reminders sent on {on.isoformat()}")
        table.add_column("To")
        table.add_column("Document")
        table.add_column("Reminder")
        for number, label in guests.sent:
            table.add_row("guest", number, label)
        for number, label in partners.sent:
            table.add_row("partner", number, label)
        console.print(table)
    console.print(guests.text)
    console.print(partners.text)
