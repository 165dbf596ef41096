"""Staff accounts: `create-admin` (the first admin of a new platform) and `reset-two-factor`
(a staff member lost their authenticator)."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from concierge_app.cli.database import DatabaseUrl, open_database
from concierge_app.cli.terminal import console, person, refused
from concierge_app.domain.errors import DomainError
from concierge_app.services.access import staff_users, two_factor


def reset_two_factor(
    email: Annotated[str, typer.Argument(help="The staff member's sign-in email")],
    url: DatabaseUrl = None,
) -> None:
    """Remove a staff member's authenticator (lost phone): the next sign-in sets up a new one."""
    try:
        removed = two_factor.reset(db=open_database(url), email=email, actor=person())
    except DomainError as bad:
        raise refused(bad.message) from None
    if removed:
        console.print(f"Two-factor sign-in reset for {email}: the next sign-in sets up a new one.")
    else:
        console.print(f"{email} had no two-factor sign-in: nothing to reset.")


def create_admin(
    email: Annotated[str, typer.Option(help="The admin's sign-in email")],
    name: Annotated[str, typer.Option(help="The admin's name")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input (one line)"),
    ] = False,
    url: DatabaseUrl = None,
) -> None:
    """Create an admin with every role (the very first one, on an empty database); an email
    that already has an account is refused. The password is asked for (twice), never an
    argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat the password: ") != password:
            raise refused("The two passwords are not the same.")
    try:
        staff_users.create_admin(
            db=open_database(url),
            email=email,
            name=name,
            password=password,
            actor=person(),
        )
    except DomainError as bad:
        raise refused(bad.message) from None
    console.print(f"Admin {email.strip().lower()} created, with every role: sign in at /login.")
