"""attest, present, verify: proofs of trust a subject shares and a counterparty checks offline."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sincerity.cli.common import DEFAULT_DB, DbOption, err, open_registry, out, user_errors
from sincerity.credentials import present as make_presentation
from sincerity.credentials import verify as verify_presentation
from sincerity.credentials.keys import import_jwk, keys_by_kid
from sincerity.credentials.sdjwt import Verified
from sincerity.credentials.status_list import lookup_in, read_status_list_token

DEFAULT_ISSUER = "http://localhost:8000"


def _read_text(value: str) -> str:
    """A value given inline, or @FILE, or a path to a file."""
    explicit = value.startswith("@")
    path = Path(value[1:] if explicit else value)
    try:
        if explicit or ("~" not in value and path.is_file()):
            return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot read {path}: {exc}")
        raise typer.Exit(2) from None
    return value.strip()


def attest(
    subject: Annotated[str, typer.Argument(help="The subject who asks for the attestation.")],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the credential and holder key.")
    ] = Path("."),
    days: Annotated[int, typer.Option(min=1, max=365, help="Validity in days.")] = 30,
    issuer: Annotated[
        str, typer.Option(help="The registry's public URL (the issuer).")
    ] = DEFAULT_ISSUER,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Issue an attestation for a subject: writes SUBJECT.sd-jwt and SUBJECT.holder.jwk."""
    from sincerity.services.attest import issue_attestation

    registry = open_registry(db)
    with user_errors():
        issued = issue_attestation(registry, subject, issuer, None, days)
    out_dir.mkdir(parents=True, exist_ok=True)
    credential = out_dir / f"{subject}.sd-jwt"
    holder = out_dir / f"{subject}.holder.jwk"
    credential.write_text(issued.sd_jwt + "\n", encoding="utf-8")
    holder.write_text(json.dumps(issued.holder_private_jwk, indent=2) + "\n", encoding="utf-8")
    holder.chmod(0o600)
    out.print(
        f"Attestation {issued.id} until {issued.expires_at:%Y-%m-%d}: "
        + ", ".join(sorted(issued.claims))
    )
    out.print(f"  credential: {credential}\n  holder key (keep secret): {holder}")


def present(
    credential: Annotated[str, typer.Argument(help="The SD-JWT (inline, @FILE or a path).")],
    key: Annotated[Path, typer.Option(help="The holder's private key (JWK file).")],
    disclose: Annotated[str, typer.Option(help="Claims to disclose, comma-separated.")],
    audience: Annotated[str, typer.Option("--aud", help="Who the proof is for.")],
    nonce: Annotated[str, typer.Option(help="The verifier's challenge.")],
    issuer: Annotated[
        str, typer.Option(help="Base URL for the verification link.")
    ] = DEFAULT_ISSUER,
    qr: Annotated[bool, typer.Option(help="Print a QR code of the verification link.")] = False,
    qr_svg: Annotated[Path | None, typer.Option(help="Write the QR code as an SVG file.")] = None,
) -> None:
    """Make a presentation that discloses only the chosen claims, bound to one verifier."""
    try:
        holder = import_jwk(json.loads(key.read_text(encoding="utf-8")))
        presentation = make_presentation(
            _read_text(credential),
            [c.strip() for c in disclose.split(",") if c.strip()],
            holder,
            audience,
            nonce,
            int(time.time()),
        )
    except (OSError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from None
    out.print(presentation, soft_wrap=True)
    link = f"{issuer.rstrip('/')}/verify#{presentation}"
    err.print(f"Verification link: {link}")
    if qr or qr_svg:
        import qrcode
        import qrcode.image.svg

        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L)
        code.add_data(link)
        code.make(fit=True)
        if qr:
            code.print_ascii(out=None, invert=True)
        if qr_svg:
            code.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(str(qr_svg))
            err.print(f"QR code written to {qr_svg}")


def show_verified(result: Verified) -> None:
    """Print what a presentation proves, or why it fails."""
    if not result.valid:
        err.print(f"[bold red]not valid:[/] {result.reason}", soft_wrap=True)
        raise typer.Exit(1)
    table = Table(title="Proven by the registry's signature", show_header=False)
    for name, value in sorted(result.claims.items()):
        if name in ("status", "vct", "iat", "exp"):
            continue
        table.add_row(name, json.dumps(value) if not isinstance(value, str) else value)
    out.print(table)
    out.print(
        f"Issuer {result.issuer} (key {result.kid}); valid until "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(result.expires_at or 0))}; "
        f"presented to {result.audience}; revocation "
        + (
            "checked"
            if result.status_checked
            else f"[yellow]not checked[/] ({result.status_note or 'no status list given'})"
        )
    )


def verify(
    presentation: Annotated[
        str, typer.Argument(help="The presentation (inline, @FILE or a path).")
    ],
    jwks: Annotated[
        Path | None,
        typer.Option(help="The issuer's JWKS file (offline); else the registry at --db."),
    ] = None,
    audience: Annotated[str | None, typer.Option("--aud", help="Require this audience.")] = None,
    nonce: Annotated[str | None, typer.Option(help="Require this nonce.")] = None,
    status_list: Annotated[
        Path | None, typer.Option(help="A status list token file, to check revocation offline.")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Verify a presentation offline against published keys, and print what it proves."""
    text = _read_text(presentation)
    if jwks is None:
        from sincerity.services.attest import verify_online

        registry = open_registry(db)
        with user_errors():
            show_verified(verify_online(registry, text, audience, nonce))
        return
    try:
        keys = keys_by_kid(json.loads(jwks.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        err.print(f"[bold red]error:[/] cannot read the JWKS {jwks}: {exc}")
        raise typer.Exit(2) from None
    lookup, note, now = None, "no status list given", int(time.time())
    if status_list is not None:
        try:
            token = read_status_list_token(status_list.read_text(encoding="utf-8").strip(), keys)
        except (OSError, ValueError) as exc:
            err.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(2) from None
        stale = token.stale_reason(now)
        if stale is None:
            lookup = lookup_in(token.status, token.subject)
            note = f"the status list given ({token.subject}) is not the one this proof names"
        else:
            note = stale + "; fetch a fresh one"
    result = verify_presentation(text, keys, now, audience, nonce, is_revoked=lookup)
    show_verified(replace(result, status_note=None if result.status_checked else note))
