"""`check [--deploy]`: the settings and the database, as for production with --deploy."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from concierge_app.cli.database import DatabaseUrl
from concierge_app.cli.terminal import console
from concierge_app.db.engine import Database
from concierge_app.services.shared.deploy_checks import Problem, Severity, deploy_problems
from concierge_app.settings import Settings


def check(
    deploy: Annotated[
        bool,
        typer.Option(
            "--deploy", help="List every problem for running in production (exit 1 if any)"
        ),
    ] = False,
    url: DatabaseUrl = None,
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
