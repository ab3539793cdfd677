"""What every command shares: the --db option, opening the registry, turning errors into exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from sincerity.core.errors import InvalidInputError, SincerityError
from sincerity.services import Registry

DEFAULT_DB = "sqlite:///sincerity.db"

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="SINCERITY_DATABASE_URL",
        help="The registry database: sqlite:///FILE or postgresql://USER@HOST/DB.",
        show_default=True,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Score as of this date (YYYY-MM-DD); default today.", show_default=False
    ),
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def counted(n: int, noun: str) -> str:
    """A count with its noun in the right number: '1 record', '2 records'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@contextmanager
def user_errors() -> Iterator[None]:
    """Show a SincerityError as a clear message and exit 1, instead of a traceback."""
    try:
        yield
    except SincerityError as exc:
        show_error(exc)
        raise typer.Exit(1) from None


def show_error(exc: SincerityError) -> None:
    """Print an error and, for bad input, every problem with its place (the first 50)."""
    if isinstance(exc, InvalidInputError):
        err.print("[bold red]error:[/] ", end="")
        err.print(exc.summary, markup=False)
        for problem in exc.problems[:50]:
            err.print(f"  {problem}", markup=False)
        if len(exc.problems) > 50:
            err.print(f"  ... and {len(exc.problems) - 50} more")
    else:
        err.print("[bold red]error:[/] ", end="")
        err.print(str(exc), markup=False)


def parse_day(text: str | None, option: str = "--as-of") -> date | None:
    """A YYYY-MM-DD option value, or a clear error."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        err.print(f"[bold red]error:[/] {option} must be a date like 2026-11-27, not {text!r}")
        raise typer.Exit(2) from None


def open_registry(db: str) -> Registry:
    """Open the registry at `db`, or exit with a message that says how to create one."""
    with user_errors():
        return Registry.open(db)
