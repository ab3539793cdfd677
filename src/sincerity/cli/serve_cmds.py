"""serve, keys and audit: the HTTP service and its accountability tools."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sincerity.cli.common import DEFAULT_DB, DbOption, err, open_registry, out, user_errors
from sincerity.services.operator import create_operator_key

if TYPE_CHECKING:
    from rich.progress import TaskID

keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def public_url_for(host: str, port: int) -> str:
    """The URL links, QR codes and the issuer name use: SINCERITY_PUBLIC_URL when set (behind a
    proxy), else the address served — so they work on any port. A loopback address is named
    `localhost`: the same server, and a host name passkeys accept (an IP address is not a
    WebAuthn relying-party id)."""
    import os

    named = "localhost" if host in LOOPBACK else host
    return os.environ.get("SINCERITY_PUBLIC_URL") or f"http://{named}:{port}"


def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    jobs_every: Annotated[
        float, typer.Option(min=10, help="Seconds between runs of the dispute sweep.")
    ] = 3600,
) -> None:
    """Run the registry's HTTP API (OpenAPI docs at /docs) and its jobs on a timer."""
    import os
    import signal
    import subprocess
    import sys

    import uvicorn

    from sincerity.api.logs import configure_logging
    from sincerity.api.settings import Settings
    from sincerity.services.jobs import start_timer
    from sincerity.web import create_site

    registry = open_registry(db)
    if registry.kek is None:
        err.print(
            "[bold red]error:[/] this registry has no key-encryption key, so it cannot sign "
            "proofs or checkpoints: set SINCERITY_KEK_FILE=PATH (make one with "
            "`sincerity keys new-kek PATH`) and start again"
        )
        raise typer.Exit(2)
    err.print(f"Sincerity API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    public = public_url_for(host, port)
    # One worker is the only process answering requests: its rate limits need no shared store.
    settings = Settings(
        database_url=db, public_url=public, rate_limit_store="memory" if workers == 1 else "shared"
    )
    try:
        configure_logging(settings.log_level)
    except ValueError as exc:
        err.print(f"[bold red]error:[/] SINCERITY_LOG_LEVEL: {exc}")
        raise typer.Exit(2) from None
    registry.keep_trust_graph = settings.trust_keep_graph
    schedule = {
        "log": settings.log_sequence_every_seconds,
        "sweep": jobs_every,
        "trust": settings.trust_every_seconds,
    }
    # uvicorn's own loggers go through the same JSON handler (log_config=None keeps ours).
    with user_errors():
        if workers == 1:
            app = create_site(settings, registry)
            job_seconds = app.state.metrics.jobs
            stop_jobs = start_timer(
                registry,
                schedule,
                lambda job, s: job_seconds.labels(job).observe(s),
                settings.trust_staleness_bound_seconds,
            )
            uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
            stop_jobs.set()
        else:
            # Worker processes build the site from SINCERITY_* variables: they get the database
            # URL in their own environment; this process's environment is left as it was.
            registry.close()
            command = [
                sys.executable,
                "-m",
                "sincerity.api.supervisor",
                host,
                str(port),
                str(workers),
                settings.log_level.lower(),
            ]
            env = {**os.environ, "SINCERITY_DATABASE_URL": db, "SINCERITY_PUBLIC_URL": public}
            # The workers time their requests; this process runs the jobs.
            stop_jobs = start_timer(
                registry, schedule, staleness_bound=settings.trust_staleness_bound_seconds
            )
            supervisor = subprocess.Popen(command, env=env)

            def forward(signum: int, _frame: object) -> None:
                supervisor.send_signal(signum)  # it shuts the workers down gracefully

            signal.signal(signal.SIGTERM, forward)
            signal.signal(signal.SIGINT, forward)
            code = supervisor.wait()
            stop_jobs.set()
            raise typer.Exit(code)


@keys_app.command("create")
def keys_create(
    operator: Annotated[
        bool, typer.Option("--operator", help="A key for the registry's operator.")
    ] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Create an operator key (sources, subjects and relying parties get theirs from the API)."""
    if not operator:
        err.print(
            "Only operator keys are made here: pass --operator. Other parties get keys when "
            "the operator registers them (POST /v1/sources, /v1/subjects, /v1/relying-parties)."
        )
        raise typer.Exit(2)
    registry = open_registry(db)
    out.print(create_operator_key(registry))


@keys_app.command("rotate-signing")
def keys_rotate_signing(db: DbOption = DEFAULT_DB) -> None:
    """Retire the attestation signing key and start a new one (the old one keeps verifying
    until the last attestation it signed expires)."""
    from sincerity.services.attest import rotate_signing_key

    registry = open_registry(db)
    out.print(f"New signing key {rotate_signing_key(registry)}")


@keys_app.command("new-kek")
def keys_new_kek(
    path: Annotated[Path, typer.Argument(help="Where to write the key (mode 600; not replaced).")],
) -> None:
    """Make a new key-encryption key file, for SINCERITY_KEK_FILE (keep it off the database
    server's backups)."""
    from sincerity.credentials.envelope import new_kek
    from sincerity.services.kek import write_kek_file

    try:
        write_kek_file(path, new_kek())
    except FileExistsError:
        err.print(f"[bold red]error:[/] {path} exists; it is never replaced")
        raise typer.Exit(2) from None
    out.print(f"Key-encryption key written to {path} (mode 600)")


@keys_app.command("rotate-kek")
def keys_rotate_kek(
    new: Annotated[Path, typer.Argument(help="The new key-encryption key file.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Rewrap every signing key under a new key-encryption key; then point SINCERITY_KEK_FILE
    at the new file (a SQLite registry's default `<db>.kek` is replaced by it)."""
    import shutil

    from sincerity.services.kek import default_kek_path, read_kek_file, rotate_registry_kek

    registry = open_registry(db)
    with user_errors():
        count = rotate_registry_kek(registry, read_kek_file(new))
    beside = default_kek_path(db)
    if beside is not None and beside.exists() and beside.resolve() != new.resolve():
        shutil.copyfile(new, beside)
        beside.chmod(0o600)
        out.print(f"{count} signing keys rewrapped; {beside} now holds the new key")
    else:
        out.print(f"{count} signing keys rewrapped; use {new} as SINCERITY_KEK_FILE from now on")


@keys_app.command("jwks")
def keys_jwks(db: DbOption = DEFAULT_DB) -> None:
    """Print the published signing keys (JWKS) for offline verification."""
    import json

    from sincerity.services.attest import published_jwks

    out.print_json(json.dumps(published_jwks(open_registry(db))))


@keys_app.command("status-list")
def keys_status_list(
    issuer: Annotated[
        str, typer.Option(help="The registry's public URL.")
    ] = "http://localhost:8000",
    list_id: Annotated[
        int,
        typer.Option(
            "--list", min=1, help="Which list (a proof names its own in its status claim)."
        ),
    ] = 1,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Print a signed status list token, for offline revocation checks."""
    from sincerity.services.attest import status_list_token

    registry = open_registry(db)
    with user_errors():
        token = status_list_token(registry, issuer, list_id)
    out.print(token, soft_wrap=True)


jobs_app = typer.Typer(help="Jobs that follow the clock (serve runs them on a timer).")


@jobs_app.command("run")
def jobs_run(
    names: Annotated[list[str] | None, typer.Argument(help="Jobs to run (default: all).")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Run the registry's jobs once: the 30-day dispute sweep, and global trust if ratings
    changed since it was computed (rescoring the subjects it moves)."""
    from sincerity.cli.registry_cmds import progress_bar
    from sincerity.services.jobs import run_jobs

    registry = open_registry(db)
    with user_errors(), progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def advance(job: str, done: int, of: int) -> None:
            if job not in tasks:
                tasks[job] = bar.add_task(f"{job}: rescoring the subjects it moved", total=of)
            bar.update(tasks[job], completed=done, total=of)

        done = run_jobs(registry, names, progress=advance)
    for name, count in done.items():
        out.print(f"{name}: {count}")


def backup(
    target: Annotated[Path, typer.Argument(help="The backup file to write (never replaced).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Back a SQLite registry up while it runs (SQLite's online backup API). Keep its
    key-encryption key (<db>.kek) apart: the backup alone cannot sign."""
    from sincerity.services.backup import backup_registry

    with user_errors():
        pages = backup_registry(db, target)
    out.print(f"Backed up {pages} pages to {target}")


def restore(
    source: Annotated[Path, typer.Argument(help="A backup made by `sincerity backup`.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Replace a SQLite registry with a backup (checked first; stop `serve` before)."""
    from sincerity.services.backup import restore_registry

    with user_errors():
        pages = restore_registry(source, db)
    out.print(f"Restored {pages} pages from {source} into {db}")
