"""The database a command works on (`--url`, else DATABASE_URL), its schema (`migrate`), the
demo data (`seed-demo`) and the audit trail's hash chain (`verify-audit`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config

from concierge_app.cli.terminal import console
from concierge_app.db.engine import Database
from concierge_app.demo.seed import DEMO_STAFF, has_data, load_demo
from concierge_app.services.shared.audit import verify_chain
from concierge_app.settings import REPO_ROOT, get_settings

# Every command's `--url`.
DatabaseUrl = Annotated[
    str | None, typer.Option("--url", help="Database URL (default: DATABASE_URL)")
]


def database_url(url: str | None) -> str:
    return url or get_settings().database_url


def open_database(url: str | None) -> Database:
    return Database(database_url(url))


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the given database (the repository's alembic/ scripts)."""
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "alembic"))
    config.attributes["url"] = url
    config.attributes["configure_logging"] = False
    return config


def run_migrations(url: str, revision: str = "head") -> None:
    """alembic upgrade (to head unless told) on the given database."""
    command.upgrade(alembic_config(url), revision)


def shown_url(url: str) -> str:
    """The database's address without its credentials: a SQLite file's path, or host/name."""
    if url.startswith("sqlite"):
        return str(Path(url.split("///", 1)[-1]))
    return url.split("@")[-1]


def migrate(url: DatabaseUrl = None) -> None:
    """Bring the database schema up to date."""
    target = database_url(url)
    run_migrations(target)
    console.print(f"[green]Schema up to date[/green] ({shown_url(target)})")


def seed_demo(url: DatabaseUrl = None) -> None:
    """Load the demo ledger into an empty database (does nothing once it has bookings,
    partners or staff; refused in production)."""
    if get_settings().app_env == "production":
        console.print("[red]Refused[/red]: demo data never goes into a production database.")
        raise typer.Exit(1)
    db = open_database(url)
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


def verify_audit(url: DatabaseUrl = None) -> None:
    """Recompute the audit trail's hash chain."""
    report = verify_chain(db=open_database(url))
    if report.ok:
        console.print(f"[green]Audit chain intact[/green]: {report.events_checked} events.")
    else:
        console.print(
            f"[red]Audit chain broken[/red] at event {report.first_bad_sequence}: {report.problem}"
        )
        raise typer.Exit(1)
