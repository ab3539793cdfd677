"""The command line: thin Typer commands over the services. `main` is the console script.

Importing this package is cheap: the command modules load when a command runs (see `lazy`).
`build_app()` builds the whole Typer app at once, from the same table, for tests and tools.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sincerity.cli.lazy import COMMANDS, HELP, main

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
    for name, (module_name, attribute, _) in COMMANDS.items():
        target = getattr(importlib.import_module(module_name), attribute)
        if isinstance(target, typer.Typer):
            app.add_typer(target, name=name)
        else:
            app.command(name=name)(target)
    return app


__all__ = ["build_app", "main"]
