"""The terminal a command runs in: who runs it, the console, the progress bar of a long job, a
refusal."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

console = Console()


def progress() -> Progress:
    """A progress bar for a long job: what it does, a bar, done of total, time taken."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """One progress bar for the job; the job calls what this yields with (done, total)."""
    with progress() as bar:
        task = bar.add_task(description, total=None)

        def show(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield show


def person() -> str:
    """The actor the audit trail records for a person at this terminal: `cli:<login name>`."""
    return f"cli:{getpass.getuser()}"


def refused(message: str, code: int = 1) -> typer.Exit:
    """Print the refusal in red; the caller raises the returned exit (`raise refused(…)`)."""
    console.print(f"[red]{message}[/red]")
    return typer.Exit(code)
