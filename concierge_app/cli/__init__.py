"""Command line: `python -m concierge_app.cli migrate | seed-demo | month-end | direct-debit |
reconcile | send-reminders | deliver-outbox | export-journal | verify-audit | import-bookings FILE |
create-admin | api-key create|list|revoke | check [--deploy]`."""

from __future__ import annotations

import typer

from concierge_app.cli import (
    api_keys,
    bookings,
    books,
    database,
    deploy_check,
    messages,
    partner_billing,
    staff,
)
from concierge_app.cli.database import run_migrations

__all__ = ["app", "main", "run_migrations"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
api_key_app = typer.Typer(
    no_args_is_help=True, help="API keys of integrations (a PMS, a channel manager)."
)
for group, name, command in (
    (app, "migrate", database.migrate),
    (app, "seed-demo", database.seed_demo),
    (app, "deliver-outbox", messages.deliver_outbox),
    (app, "send-reminders", messages.send_reminders),
    (app, "month-end", partner_billing.month_end),
    (app, "export-journal", books.export_journal_command),
    (app, "direct-debit", partner_billing.direct_debit),
    (app, "import-bookings", bookings.import_bookings_command),
    (app, "reconcile", books.reconcile),
    (app, "verify-audit", database.verify_audit),
    (app, "reset-two-factor", staff.reset_two_factor),
    (app, "create-admin", staff.create_admin),
    (api_key_app, "create", api_keys.create),
    (api_key_app, "list", api_keys.list_keys),
    (api_key_app, "revoke", api_keys.revoke),
):
    group.command(name)(command)
app.add_typer(api_key_app, name="api-key")
app.command("check")(deploy_check.check)


def main() -> None:
    app()
