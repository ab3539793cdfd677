"""The `sincerity` console script, started in a fraction of a second.

Building the whole Typer app imports every command module, and with them the services, the lab,
SQLAlchemy, pydantic, numpy and scipy: about two seconds before `--help` could print. Here the
top-level command only knows each subcommand's name, module and one-line help; a subcommand's
module is imported when that subcommand runs. `build_app()` builds the whole app from this same
table; `tests/e2e/test_cli.py` checks each line of help here against the command's own docstring.

A subcommand's own `--help` needs its options, not its imports: the first time it is asked for,
the command is built (its module imported) and kept, without its function, in a cache file
named after the installed code (every module's size and time, and the versions of Python and
Typer), so later asks print at once and any change to the code makes a new one.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import logging
import os
import pickle
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperGroup

from sincerity import __version__

# name: (module, attribute, one-line help). The attribute is a command function or a Typer app.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": (
        "sincerity.cli.registry_cmds",
        "init",
        "Create a registry (or upgrade its schema) and put a policy in force.",
    ),
    "ingest": (
        "sincerity.cli.registry_cmds",
        "ingest",
        "Ingest record files, each all or nothing; errors name the file, line and field.",
    ),
    "score": (
        "sincerity.cli.registry_cmds",
        "score",
        "Show a subject's explained score, or rescore the whole registry and show the "
        "distribution.",
    ),
    "report": (
        "sincerity.cli.registry_cmds",
        "report",
        "The subject's whole file and the explanation of the score, as a person would read it.",
    ),
    "demo": (
        "sincerity.cli.demo_cmd",
        "demo",
        "Create a registry with a synthetic population (nobody real), tour it, and serve it.",
    ),
    "serve": (
        "sincerity.cli.serve_cmds",
        "serve",
        "Run the registry's HTTP API (OpenAPI docs at /docs) and its jobs on a timer.",
    ),
    "backup": (
        "sincerity.cli.serve_cmds",
        "backup",
        "Back a SQLite registry up while it runs (SQLite's online backup API).",
    ),
    "restore": (
        "sincerity.cli.serve_cmds",
        "restore",
        "Replace a SQLite registry with a backup (checked first; stop `serve` before).",
    ),
    "attest": (
        "sincerity.cli.attest_cmds",
        "attest",
        "Issue an attestation for a subject: writes SUBJECT.sd-jwt and SUBJECT.holder.jwk.",
    ),
    "present": (
        "sincerity.cli.attest_cmds",
        "present",
        "Make a presentation that discloses only the chosen claims, bound to one verifier.",
    ),
    "verify": (
        "sincerity.cli.attest_cmds",
        "verify",
        "Verify a presentation offline against published keys, and print what it proves.",
    ),
    "fit": (
        "sincerity.cli.fit_cmds",
        "fit",
        "Fit a scorecard from outcome data (lender's side), or the registry policy's factor "
        "weights from outcome labels (--from-registry).",
    ),
    "apply": (
        "sincerity.cli.fit_cmds",
        "apply",
        "Score each row with a scorecard: points per feature, the score, at most 4 reasons.",
    ),
    "rescore": (
        "sincerity.cli.batch_cmds",
        "rescore",
        "Rescore every subject with one engine; the same policy gives the same scores on each.",
    ),
    "synth": (
        "sincerity.cli.batch_cmds",
        "synth",
        "Write a realistic synthetic registry as Parquet (records/ and side tables), for "
        "benchmarks and `sincerity rescore --parquet`.",
    ),
    "keys": ("sincerity.cli.serve_cmds", "keys_app", "API keys."),
    "audit": (
        "sincerity.cli.audit_cmds",
        "audit_app",
        "Check the registry's accountability records and a scorecard's fairness.",
    ),
    "jobs": (
        "sincerity.cli.serve_cmds",
        "jobs_app",
        "Jobs that follow the clock (serve runs them on a timer).",
    ),
    "source": (
        "sincerity.cli.registry_cmds",
        "source_app",
        "Register the sources that report records.",
    ),
    "subject": (
        "sincerity.cli.registry_cmds",
        "subject_app",
        "Register subjects (people or businesses who opt in).",
    ),
    "consent": (
        "sincerity.cli.registry_cmds",
        "consent_app",
        "Consents a subject gives a source to report.",
    ),
    "dispute": ("sincerity.cli.registry_cmds", "dispute_app", "Contest a record."),
    "policy": ("sincerity.cli.policy_cmds", "policy_app", "Check and read scoring policies."),
    "eval": ("sincerity.cli.eval_cmds", "eval_app", "Evaluate Sincerity's methods on real data."),
    "lab": (
        "sincerity.cli.lab_cmds",
        "lab_app",
        "The policy lab: synthetic societies under scoring policies.",
    ),
}
HELP = "Sincerity: an explainable, contestable trust registry, and its policy lab."


def command_target(name: str) -> Any:
    """What `name` runs: its command function or Typer app, its module imported now."""
    module_name, attribute, _ = COMMANDS[name]
    return getattr(importlib.import_module(module_name), attribute)


def load_command(name: str) -> Any:
    """The command for `name` (a Typer-built click command), its module imported now."""
    target = command_target(name)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    single.command(name=name)(target)
    return typer.main.get_command(single)


log = logging.getLogger("sincerity.cli")
HELP_FLAGS = ("--help", "-h")


def help_cache_path() -> Path:
    """The help cache of the code installed now (a new file whenever the code changes)."""
    package = Path(__file__).resolve().parents[1]
    stamp = hashlib.sha256(f"{sys.version}|{typer.__version__}|{__version__}".encode())
    for folder, _, files in sorted(os.walk(package)):
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                stamp.update(f"{folder}/{name}|{info.st_size}|{info.st_mtime_ns}".encode())
    base = os.environ.get("SINCERITY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sincerity"
    )
    return Path(base) / f"cli-help-{stamp.hexdigest()[:20]}.pickle"


def _without_functions(command: Any) -> Any:
    """A copy of a click command that can show its help but not run (nothing to import)."""
    command = copy.copy(command)
    command.callback = None
    command.params = [copy.copy(p) for p in command.params]
    for param in command.params:
        param.callback = None
    if hasattr(command, "commands"):
        command.commands = {n: _without_functions(c) for n, c in command.commands.items()}
    return command


def _read_help_cache(path: Path) -> dict[str, bytes]:
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        return cached if isinstance(cached, dict) else {}
    except FileNotFoundError:
        return {}
    except Exception:  # a cache from another version, or torn: rebuilt below
        log.debug("help cache %s unreadable; rebuilding it", path, exc_info=True)
        return {}


def help_command(name: str) -> Any:
    """The command for `name` when only its help is wanted: from the cache, or built (and
    cached for next time)."""
    path = help_cache_path()
    cached = _read_help_cache(path)
    if name in cached:
        try:
            return pickle.loads(cached[name])
        except Exception:
            log.debug("help cache entry %s unreadable", name, exc_info=True)
    command = load_command(name)
    try:
        cached[name] = pickle.dumps(_without_functions(command))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(cached))
        partial.replace(path)  # readers never see half a file
    except Exception:  # a read-only home: help still works, only not faster next time
        log.debug("help cache %s not written", path, exc_info=True)
    return command


class LazyGroup(TyperGroup):
    """The top-level group: subcommands are imported only when used, and its own help lists
    them from the table instead of importing them."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if any(flag in sys.argv[1:] for flag in HELP_FLAGS):
            return help_command(cmd_name)
        return load_command(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, _, short) in COMMANDS.items()])


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"sincerity {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="sincerity",
    cls=LazyGroup,
    help=HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # rich help would build every subcommand to list it
    context_settings={"help_option_names": ["--help", "-h"]},
)


@app.callback()
def top(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", is_eager=True, callback=_show_version
        ),
    ] = False,
) -> None:
    """Sincerity: an explainable, contestable trust registry, and its policy lab."""


def main() -> None:
    """Entry point of the `sincerity` console script."""
    app()
