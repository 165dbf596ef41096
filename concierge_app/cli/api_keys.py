"""`api-key create | list | revoke`: the API keys of integrations (a PMS, a channel manager)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from concierge_app.cli.database import DatabaseUrl, open_database
from concierge_app.cli.terminal import console, person, refused
from concierge_app.domain.errors import DomainError
from concierge_app.services.integrations import api_keys


def create(
    name: Annotated[str, typer.Option("--name", help="The integration, e.g. Guesty")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", help="bookings:read or bookings:write (repeat for both)"),
    ],
    url: DatabaseUrl = None,
) -> None:
    """Make a key; its secret is printed once, here, and never again."""
    try:
        made = api_keys.create_key(db=open_database(url), name=name, scopes=scope, actor=person())
    except DomainError as bad:
        raise refused(bad.message) from None
    console.print(f"API key {made.key.id} for {made.key.name} ({' '.join(made.key.scopes)}).")
    console.print("The secret, shown once — store it in the integration now:")
    console.print(made.secret, markup=False, highlight=False, soft_wrap=True)


def list_keys(url: DatabaseUrl = None) -> None:
    """Every key: prefix, scopes, created, last used, status."""
    keys = api_keys.list_keys(db=open_database(url))
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


def revoke(
    key_id: Annotated[int, typer.Argument(help="The key's ID (see `api-key list`)")],
    url: DatabaseUrl = None,
) -> None:
    """Revoke a key for good: requests with it are refused (403) from now on."""
    try:
        key = api_keys.revoke_key(db=open_database(url), key_id=key_id, actor=person())
    except DomainError as bad:
        raise refused(bad.message) from None
    console.print(f"API key {key.id} ({key.prefix}…, {key.name}) is revoked.")
