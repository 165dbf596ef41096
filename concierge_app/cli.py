"""Command line: `python -m concierge_app.cli migrate | seed-demo | month-end | direct-debit |
reconcile | send-reminders | deliver-outbox | export-journal | verify-audit | import-bookings FILE |
create-admin | api-key create|list|revoke | check [--deploy]`."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

from concierge_app.adapters.notify.smtp import SmtpMailer
from concierge_app.adapters.payments.gateway import GatewayError
from concierge_app.db.engine import Database
from concierge_app.demo.seed import DEMO_STAFF, has_data, load_demo
from concierge_app.domain.booking_csv import BookingFileRefused, decode_bookings_file
from concierge_app.domain.errors import DomainError
from concierge_app.domain.formatting import format_money
from concierge_app.domain.journal_csv import decimal_text
from concierge_app.domain.partner_billing import Period
from concierge_app.services.access import staff_users, two_factor
from concierge_app.services.books.journal import export_journal
from concierge_app.services.guest.booking_import import import_bookings
from concierge_app.services.guest.reminders import send_guest_reminders
from concierge_app.services.integrations import api_keys
from concierge_app.services.outbox.delivery import deliver_due_messages
from concierge_app.services.partner.billing.month_end import run_month_end
from concierge_app.services.partner.reminders import send_partner_reminders
from concierge_app.services.payments.direct_debit import collect_direct_debits
from concierge_app.services.reconciliation.runs import run_reconciliation
from concierge_app.services.shared.audit import verify_chain
from concierge_app.services.shared.common import today
from concierge_app.services.shared.deploy_checks import Problem, Severity, deploy_problems
from concierge_app.settings import REPO_ROOT, Settings, get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()


def _db(url: str | None) -> Database:
    return Database(url or get_settings().database_url)


def _progress() -> Progress:
    """A progress bar for a long job: what it does, a bar, done of total, time taken."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def run_migrations(url: str) -> None:
    """alembic upgrade head on the given database."""
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "alembic"))
    config.attributes["url"] = url
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


@app.command()
def migrate(url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)")) -> None:
    """Bring the database schema up to date."""
    target = url or get_settings().database_url
    run_migrations(target)
    console.print(f"[green]Schema up to date[/green] ({_safe(target)})")


@app.command("seed-demo")
def seed_demo(url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)")) -> None:
    """Load the demo ledger into an empty database (does nothing once it has bookings,
    partners or staff; refused in production)."""
    if get_settings().app_env == "production":
        console.print("[red]Refused[/red]: demo data never goes into a production database.")
        raise typer.Exit(1)
    db = _db(url)
    if has_data(db):
        console.print(
            "Demo data: the database already has bookings, partners or staff, nothing loaded."
        )
        return
    with console.status("Loading demo data…"):
        ids = load_demo(db)
    console.print(
        f"[green]Demo data loaded[/green]: bookings {', '.join(ids)}; "
        f"staff login {DEMO_STAFF[0]} / {DEMO_STAFF[1]}"
    )


@app.command("deliver-outbox")
def deliver_outbox(
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Send the queued messages that are due over SMTP (SMTP_HOST must be set)."""
    mailer = SmtpMailer.from_settings(get_settings())
    if mailer is None:
        console.print("SMTP_HOST is not set: messages stay in the outbox.")
        return
    report = deliver_due_messages(db=_db(url), mailer=mailer)
    console.print(f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}.")


@app.command("send-reminders")
def send_reminders(
    day: str = typer.Option(
        None, "--date", help="The day to send for, YYYY-MM-DD (default: today)"
    ),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Queue the guest payment reminders (GUEST_REMINDER_DAYS) and the partner notices
    (PARTNER_REMINDER_DAYS) due in the outbox. Idempotent: a rerun, or the in-app job at the
    same time, never sends one twice."""
    try:
        on = date.fromisoformat(day) if day else today()
    except ValueError as bad:
        console.print(f"[red]{bad}[/red]")
        raise typer.Exit(2) from None
    db = _db(url)
    with _progress() as bar:
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


@app.command("month-end")
def month_end(
    period: str = typer.Option(
        None, help="The month to invoice, YYYY-MM (default: the month before the run date)"
    ),
    run_date: str = typer.Option(None, help="The invoice date, YYYY-MM-DD (default: today, UTC)"),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Issue the monthly commission invoices (idempotent: a rerun adds nothing; resumes)."""
    try:
        day = date.fromisoformat(run_date) if run_date else datetime.now(UTC).date()
        month = Period.parse(period) if period else Period.of(day).previous()
    except (ValueError, DomainError) as bad:
        console.print(f"[red]{getattr(bad, 'message', bad)}[/red]")
        raise typer.Exit(2) from None
    with _progress() as bar:
        invoicing = f"Invoicing {month.label}"
        task = bar.add_task(invoicing, total=None)

        def show(done: int, total: int) -> None:
            if total:  # (0, 0): the statements are being written
                bar.update(task, completed=done, total=total, description=invoicing)
            else:
                bar.update(task, description=f"Writing the {month.label} statements")

        summary = run_month_end(
            db=_db(url), period=month, run_date=day, actor="cli:month-end", progress=show
        )
    table = Table(title=f"Month-end run {summary.period} (invoice date {summary.run_date})")
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("partners", f"{summary.partners:,}")
    table.add_row("invoices issued now", f"{summary.invoices_created:,}")
    table.add_row("statement lines now", f"{summary.lines_created:,}")
    table.add_row("invoices in this run", f"{summary.invoices_total:,}")
    console.print(table)
    if summary.already_done:
        console.print("This period was already invoiced: nothing added.")
    elif summary.resumed:
        console.print("Resumed an interrupted run: partners already invoiced were skipped.")


@app.command("export-journal")
def export_journal_command(
    period: str = typer.Option(..., help="The month to export, YYYY-MM"),
    out: str = typer.Option(..., help="The folder to write the CSV files into"),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Write the month's double-entry journal: one CSV per currency (debit and credit columns),
    plus Xero and QuickBooks import files. Nothing is written if it does not balance."""
    try:
        if not period.isascii():  # \d would also take other scripts' digits
            raise DomainError("Give the period as YYYY-MM, e.g. 2026-11.", field="period")
        month = Period.parse(period)
    except DomainError as bad:
        console.print(f"[red]{bad.message}[/red]")
        raise typer.Exit(1) from None
    try:
        with _progress() as bar:
            task = bar.add_task(f"Journal {month.label}", total=None)

            def show(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description="Writing files")

            journal, files = export_journal(
                db=_db(url),
                period=month,
                out_dir=Path(out),
                chart=get_settings().chart_of_accounts,
                actor="cli:export-journal",
                progress=show,
            )
    except DomainError as bad:
        console.print(f"[red]{bad.message}[/red]")
        raise typer.Exit(1) from None
    table = Table(title=f"Journal {month} ({len(journal.entries):,} entries)")
    for column in ("Currency", "Entries", "Debit", "Credit"):
        table.add_column(column, justify="left" if column == "Currency" else "right")
    for t in journal.totals:
        table.add_row(
            t.currency,
            f"{t.entries:,}",
            decimal_text(t.debit_minor, t.currency),
            decimal_text(t.credit_minor, t.currency),
        )
    console.print(table)
    if not journal.entries:
        console.print(f"No money moved in {month.label}: no files written.")
    for path in files:
        console.print(f"  {path}")


@app.command("direct-debit")
def direct_debit(
    day: str = typer.Option(
        None, "--date", help="The collection date, YYYY-MM-DD (default: today, UTC)"
    ),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Collect open commission documents of partners with a direct debit mandate (idempotent:
    nothing already requested is requested again)."""
    try:
        on = date.fromisoformat(day) if day else today()
    except ValueError as bad:
        console.print(f"[red]{bad}[/red]")
        raise typer.Exit(2) from None
    with _progress() as bar:
        task = bar.add_task("Collecting direct debits", total=None)

        def show(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = collect_direct_debits(
            db=_db(url), today=on, actor="cli:direct-debit", progress=show
        )
    table = Table(title=f"Direct debits requested on {on.isoformat()}")
    for column in ("Partner", "Documents", "Amount", "Outcome"):
        table.add_column(column, justify="right" if column == "Amount" else "left")
    for r in summary.requested:
        outcome = f"[red]refused: {r.refused}[/red]" if r.refused else "sent to the bank"
        table.add_row(r.partner_code, ", ".join(r.documents), format_money(r.amount), outcome)
    for s in summary.skipped:
        table.add_row(s.partner_code, s.number, format_money(s.outstanding), f"skipped: {s.reason}")
    console.print(table)
    console.print(f"Partners with a mandate: {summary.partners}. {summary.text}")
    if summary.resent:
        console.print(f"Sent {summary.resent} request(s) an earlier run had recorded but not sent.")


@app.command("import-bookings")
def import_bookings_command(
    file: str = typer.Argument(..., help="The bookings CSV file (UTF-8, header row)"),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Create or update bookings from a CSV file; one bad row refuses the whole file (exit 1)."""
    try:
        data = Path(file).read_bytes()
    except OSError as bad:
        console.print(f"[red]Cannot read {file}: {bad.strerror or bad}[/red]")
        raise typer.Exit(1) from None
    try:
        text = decode_bookings_file(data)
        with _progress() as bar:
            task = bar.add_task("Importing bookings", total=None)

            def show(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = import_bookings(
                db=_db(url),
                csv_text=text,
                actor=f"cli:{getpass.getuser()}",
                today=today(),
                progress=show,
            )
    except BookingFileRefused as refused:
        console.print(f"[red]{refused.summary}[/red]")
        for problem in refused.problems:
            console.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except DomainError as refused:
        console.print(f"[red]{refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"[green]{result.summary}[/green]")


@app.command("reconcile")
def reconcile(
    period: str = typer.Option(..., help="The month to reconcile, YYYY-MM"),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Compare the provider's payments, refunds, payouts and fees of a month with the ledger;
    print the differences. Exit 1 when there is drift, 0 when none, 2 when it could not run."""
    try:
        month = Period.parse(period)
    except DomainError as bad:
        console.print(f"[red]{bad.message}[/red]")
        raise typer.Exit(2) from None
    try:
        with _progress() as bar:
            task = bar.add_task("Reading the provider's records", total=None)

            def show(read: int) -> None:
                bar.update(task, completed=read)

            run = run_reconciliation(
                db=_db(url), period=month, actor="cli:reconcile", today=today(), progress=show
            )
    except (DomainError, GatewayError) as failed:
        console.print(f"[red]Reconciliation failed: {getattr(failed, 'message', failed)}[/red]")
        raise typer.Exit(2) from None
    counts = Table(
        title=f"Reconciliation {run.period} (up to {run.ends_on.isoformat()}) with {run.provider}"
    )
    for column in ("Kind", "Outcome", "Items"):
        counts.add_column(column, justify="right" if column == "Items" else "left")
    for c in run.counts:
        counts.add_row(c.kind, f"[red]{c.outcome}[/red]" if c.drift else c.outcome, str(c.count))
    console.print(counts if run.counts else "Nothing at the provider or in the ledger.")
    if not run.drift_count:
        console.print("No drift: the provider and the ledger agree.")
        return
    noun = "difference" if run.drift_count == 1 else "differences"
    drift = Table(title=f"{run.drift_count} {noun}: nothing was changed")
    for column in ("Kind", "Reference", "Outcome", "Provider", "Ledger", "Note"):
        drift.add_column(column, overflow="fold")
    for d in run.differences:
        drift.add_row(d.kind, d.reference, d.outcome, d.provider, d.ledger, d.note)
    console.print(drift)
    raise typer.Exit(1)


@app.command("verify-audit")
def verify_audit(
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Recompute the audit trail's hash chain."""
    report = verify_chain(db=_db(url))
    if report.ok:
        console.print(f"[green]Audit chain intact[/green]: {report.events_checked} events.")
    else:
        console.print(
            f"[red]Audit chain broken[/red] at event {report.first_bad_sequence}: {report.problem}"
        )
        raise typer.Exit(1)


@app.command("reset-two-factor")
def reset_two_factor(
    email: str = typer.Argument(..., help="The staff member's sign-in email"),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Remove a staff member's authenticator (lost phone): the next sign-in sets up a new one."""
    try:
        removed = two_factor.reset(db=_db(url), email=email, actor=f"cli:{getpass.getuser()}")
    except DomainError as refused:
        console.print(f"[red]{refused.message}[/red]")
        raise typer.Exit(1) from None
    if removed:
        console.print(f"Two-factor sign-in reset for {email}: the next sign-in sets up a new one.")
    else:
        console.print(f"{email} had no two-factor sign-in: nothing to reset.")


@app.command("create-admin")
def create_admin(
    email: str = typer.Option(..., help="The admin's sign-in email"),
    name: str = typer.Option(..., help="The admin's name"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (one line)"
    ),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Create an admin with every role (the very first one, on an empty database); an email
    that already has an account is refused. The password is asked for (twice), never an
    argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat the password: ") != password:
            console.print("[red]The two passwords are not the same.[/red]")
            raise typer.Exit(1)
    try:
        staff_users.create_admin(
            db=_db(url),
            email=email,
            name=name,
            password=password,
            actor=f"cli:{getpass.getuser()}",
        )
    except DomainError as refused:
        console.print(f"[red]{refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Admin {email.strip().lower()} created, with every role: sign in at /login.")


api_key_app = typer.Typer(
    no_args_is_help=True, help="API keys of integrations (a PMS, a channel manager)."
)
app.add_typer(api_key_app, name="api-key")


def _refused(refused: DomainError) -> typer.Exit:
    console.print(f"[red]{refused.message}[/red]")
    return typer.Exit(1)


@api_key_app.command("create")
def api_key_create(
    name: str = typer.Option(..., "--name", help="The integration, e.g. Guesty"),
    scope: list[str] = typer.Option(  # noqa: B008
        ..., "--scope", help="bookings:read or bookings:write (repeat for both)"
    ),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Make a key; its secret is printed once, here, and never again."""
    try:
        made = api_keys.create_key(
            db=_db(url), name=name, scopes=scope, actor=f"cli:{getpass.getuser()}"
        )
    except DomainError as refused:
        raise _refused(refused) from None
    console.print(f"API key {made.key.id} for {made.key.name} ({' '.join(made.key.scopes)}).")
    console.print("The secret, shown once — store it in the integration now:")
    console.print(made.secret, markup=False, highlight=False, soft_wrap=True)


@api_key_app.command("list")
def api_key_list(
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Every key: prefix, scopes, created, last used, status."""
    keys = api_keys.list_keys(db=_db(url))
    if not keys:
        console.print("No API keys yet: make one with `api-key create`.")
        return
    table = Table()
    for column in ("ID", "Name", "Key", "Scopes", "Created", "Last used", "Status"):
        table.add_column(column, overflow="fold")
    for k in keys:
        table.add_row(
            str(k.id),
            k.name,
            f"{k.prefix}…",
            " ".join(k.scopes),
            f"{k.created_at:%Y-%m-%d %H:%M} UTC by {k.created_by}",
            f"{k.last_used_at:%Y-%m-%d %H:%M} UTC" if k.last_used_at else "never",
            "active" if k.active else f"revoked {k.revoked_at:%Y-%m-%d %H:%M} UTC",
        )
    console.print(table)


@api_key_app.command("revoke")
def api_key_revoke(
    key_id: int = typer.Argument(..., help="The key's ID (see `api-key list`)"),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Revoke a key for good: requests with it are refused (403) from now on."""
    try:
        key = api_keys.revoke_key(db=_db(url), key_id=key_id, actor=f"cli:{getpass.getuser()}")
    except DomainError as refused:
        raise _refused(refused) from None
    console.print(f"API key {key.id} ({key.prefix}…, {key.name}) is revoked.")


@app.command("check")
def check(
    deploy: bool = typer.Option(
        False, "--deploy", help="List every problem for running in production (exit 1 if any)"
    ),
    url: str = typer.Option(None, help="Database URL (default: DATABASE_URL)"),
) -> None:
    """Check the settings and the database; with --deploy, as for production."""
    refused: list[Problem] = []
    settings: Settings | None
    try:
        settings = Settings()
    except ValidationError as bad:
        refused = [
            Problem(Severity.ERROR, "settings", str(e["msg"]).removeprefix("Value error, "))
            for e in bad.errors()
        ]
        try:  # the rest of the settings, checked as in production below
            settings = Settings(app_env="development")
        except ValidationError:
            settings = None
    if settings is None or not deploy:
        problems = refused
    else:
        found = deploy_problems(
            settings.model_copy(update={"app_env": "production"}),
            Database(url or settings.database_url),
        )
        said = {p.setting for p in found}
        problems = [p for p in refused if "SECRET_KEY" not in p.message or "SECRET_KEY" not in said]
        problems += found
    for problem in problems:
        colour = "red" if problem.severity is Severity.ERROR else "yellow"
        console.print(
            f"[{colour}]{problem.severity.value.upper()}[/{colour}] "
            f"{problem.setting}: {problem.message}"
        )
    if problems:
        console.print(f"{len(problems)} problem(s).")
        raise typer.Exit(1)
    console.print("[green]No problems found[/green]" + (" for production." if deploy else "."))


def _safe(url: str) -> str:
    if url.startswith("sqlite"):
        return str(Path(url.split("///", 1)[-1]))
    return url.split("@")[-1]


def main() -> None:
    app()


if __name__ == "__main__":
    main()
