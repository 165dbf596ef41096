"""`import-bookings`: create or update bookings from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from concierge_app.cli.database import DatabaseUrl, open_database
from concierge_app.cli.terminal import console, person, progress_bar, refused
from concierge_app.domain.booking_csv import BookingFileRefused, decode_bookings_file
from concierge_app.domain.errors import DomainError
from concierge_app.services.guest.booking_import import import_bookings
from concierge_app.services.shared.common import today


def import_bookings_command(
    file: Annotated[str, typer.Argument(help="The bookings CSV file (UTF-8, header row)")],
    url: DatabaseUrl = None,
) -> None:
    """Create or update bookings from a CSV file; one bad row refuses the whole file (exit 1)."""
    try:
        data = Path(file).read_bytes()
    except OSError as bad:
        raise refused(f"Cannot read {file}: {bad.strerror or bad}") from None
    try:
        text = decode_bookings_file(data)
        with progress_bar("Importing bookings") as show:
            result = import_bookings(
                db=open_database(url),
                csv_text=text,
                actor=person(),
                today=today(),
                progress=show,
            )
    except BookingFileRefused as bad_file:
        console.print(f"[red]{bad_file.summary}[/red]")
        for problem in bad_file.problems:
            console.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except DomainError as bad:
        raise refused(bad.message) from None
    console.print(f"[green]{result.summary}[/green]")
