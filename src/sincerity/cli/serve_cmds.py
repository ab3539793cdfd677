"""serve, keys and audit: the HTTP service and its accountability tools."""

from __future__ import annotations

from typing import Annotated

import typer

from sincerity.cli.common import DEFAULT_DB, DbOption, err, open_registry, out, user_errors
from sincerity.services import access_log
from sincerity.services.operator import create_operator_key

keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the registry's accountability records.", no_args_is_help=True)


def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (rate limits are per process).")
    ] = 1,
) -> None:
    """Run the registry's HTTP API (OpenAPI docs at /docs)."""
    import os

    import uvicorn

    from sincerity.api.settings import Settings
    from sincerity.web import create_site

    registry = open_registry(db)
    err.print(f"Sincerity API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    with user_errors():
        if workers == 1:
            app = create_site(Settings(database_url=db), registry)
            uvicorn.run(app, host=host, port=port, log_level="warning")
        else:
            registry.close()
            os.environ["SINCERITY_DATABASE_URL"] = db
            uvicorn.run(
                "sincerity.web:create_site_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
            )


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
    ] = "http://127.0.0.1:8000",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Print the signed status list token, for offline revocation checks."""
    from sincerity.services.attest import status_list_token

    out.print(status_list_token(open_registry(db), issuer), soft_wrap=True)


@audit_app.command("verify")
def audit_verify(db: DbOption = DEFAULT_DB) -> None:
    """Recompute the access log's hash chain; fail on any edited, deleted or reordered entry."""
    registry = open_registry(db)
    with registry.engine.connect() as conn:
        result = access_log.verify(conn)
    if result.ok:
        out.print(f"[green]ok[/] the access log's {result.entries} entries form an unbroken chain")
        return
    err.print(f"[bold red]tampered:[/] {result.problem}")
    raise typer.Exit(1)
