"""The command line: thin Typer commands over the services. `main` is the console script.

Importing this package is cheap: the command modules load when a command runs (see `lazy`).
`build_app()` builds the whole Typer app at once, from the same table, for tests and tools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sincerity.cli.lazy import COMMANDS, HELP, command_target, main

if TYPE_CHECKING:
    import typer


def build_app() -> typer.Typer:
    """The `sincerity` command with all its subcommands (every command module imported)."""
    import typer

    app = typer.Typer(
        name="sincerity",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    for name in COMMANDS:
        target = command_target(name)
        if isinstance(target, typer.Typer):
            app.add_typer(target, name=name)
        else:
            app.command(name=name)(target)
    return app


__all__ = ["build_app", "main"]
