"""The homes of the parties that are not subjects: a source (upload a batch, browse its records,
answer disputes) and a relying party (check a subject, ask for a proof, its history)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from sincerity.api.deps import IntId, RegistryDep, SettingsDep
from sincerity.core.disputes import DisputeState
from sincerity.core.errors import InvalidInputError, PermissionDeniedError, RecordError
from sincerity.services.checks import check, checks_made
from sincerity.services.disputes import answer_dispute, disputes_for_source, evidence_for_source
from sincerity.services.files import FORMATS
from sincerity.services.ingest import ingest_file
from sincerity.services.keys import Actor
from sincerity.services.registry import Registry
from sincerity.services.subject_file import log_source_reads, record_page
from sincerity.services.web_sessions import Session
from sincerity.web.i18n import gettext, translate
from sincerity.web.pages import OptionalSession, check_csrf, need, render

router = APIRouter(include_in_schema=False)

CsrfHeader = Annotated[str | None, Header()]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def source_context(
    registry: Registry, session: Session, cursor: str | None = None, **extra: Any
) -> dict[str, Any]:
    source_id = session.actor.id
    records, next_cursor = record_page(registry, source_id=source_id, cursor=cursor, limit=50)
    if records:
        log_source_reads(
            registry, source_id, {r.subject for r in records}, "status of reported records"
        )
    disputes = disputes_for_source(registry, source_id, DisputeState.OPEN)
    if disputes:
        log_source_reads(
            registry, source_id, {d.subject_id for d in disputes}, "disputes against its records"
        )
    bodies = {r.id: r.record for r in records}
    return {
        "session": session,
        "records": records,
        "next_cursor": next_cursor,
        "disputes": [
            {
                **asdict(d),
                "correction": json.dumps(
                    {
                        k: v
                        for k, v in bodies.get(d.record_id, {}).items()
                        if k not in ("source", "subject", "supersedes")
                    }
                    | {"id": f"{d.record_id}-corrected"},
                    indent=1,
                    default=str,
                ),
            }
            for d in disputes
        ],
        "formats": ", ".join(sorted(FORMATS)),
        **extra,
    }


@router.get("/source", response_class=HTMLResponse)
def source_home(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> HTMLResponse:
    session = need(session, "source")
    return render(request, "source.html", **source_context(registry, session, cursor))


@router.post("/source/upload", response_class=HTMLResponse)
async def upload(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    batch: Annotated[UploadFile, File()],
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    """A batch file from the source: all of it is stored, or none, with every problem listed."""
    session = need(session, "source")
    check_csrf(session, None, x_csrf_token)
    name = Path(batch.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInputError(f"{name}: use a .csv, .jsonl or .parquet file")
    content = await batch.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInputError(f"{name}: a batch file holds at most 50 MiB")
    with tempfile.TemporaryDirectory(prefix="sincerity-upload-") as folder:
        path = Path(folder) / f"batch{suffix}"
        path.write_bytes(content)
        try:
            result = ingest_file(registry, path, source_id=session.actor.id, where=name)
        except RecordError as exc:
            return render(
                request,
                "_upload_result.html",
                file=name,
                problems=exc.problems,
                summary=exc.summary,
            )
    return render(request, "_upload_result.html", file=name, result=result)


@router.post("/source/disputes/{dispute_id}/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    dispute_id: IntId,
    registry: RegistryDep,
    session: OptionalSession,
    action: Annotated[str, Form(max_length=20)],
    evidence: Annotated[str, Form(max_length=2000)] = "",
    corrected: Annotated[str, Form(max_length=20_000)] = "",
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    session = need(session, "source")
    check_csrf(session, None, x_csrf_token)
    replacement = None
    if action == "correct":
        try:
            replacement = json.loads(corrected)
        except ValueError as exc:
            raise InvalidInputError(f"the corrected record is not JSON: {exc}") from None
        if not isinstance(replacement, dict):
            raise InvalidInputError("the corrected record must be one JSON object")
    done = answer_dispute(registry, session.actor.id, dispute_id, action, evidence, replacement)
    return render(
        request,
        "_source_disputes.html",
        **source_context(
            registry,
            session,
            answered=gettext("Dispute %(id)s answered: %(resolution)s")
            % {"id": done.id, "resolution": translate(done.resolution)},
        ),
    )


@router.get("/source/disputes/{dispute_id}/evidence", response_model=None)
def evidence(dispute_id: IntId, registry: RegistryDep, session: OptionalSession) -> Response:
    session = need(session, "source")
    found = evidence_for_source(registry, session.actor.id, dispute_id)
    return Response(
        found.content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="dispute-{dispute_id}-evidence"'},
    )


def rp_context(registry: Registry, session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "session": session,
        "history": checks_made(registry, session.actor.id),
        "thresholds": registry.policy.thresholds,
        **extra,
    }


@router.get("/rp", response_class=HTMLResponse)
def rp_home(request: Request, registry: RegistryDep, session: OptionalSession) -> HTMLResponse:
    session = need(session, "relying_party")
    return render(request, "rp.html", **rp_context(registry, session))


@router.post("/rp/checks", response_class=HTMLResponse)
def rp_check(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    session: OptionalSession,
    subject_id: Annotated[str, Form(max_length=128)],
    purpose: Annotated[str, Form(max_length=200)],
    threshold: Annotated[str, Form(max_length=6)] = "",
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    session = need(session, "relying_party")
    check_csrf(session, None, x_csrf_token)
    level = None
    if threshold.strip():
        if not threshold.strip().isdigit():
            raise InvalidInputError(f"the threshold {threshold!r} is not a whole number")
        level = int(threshold)
    caller = Actor("relying_party", session.actor.id, session.actor.key_id)
    try:
        result = check(registry, caller, subject_id.strip(), purpose.strip(), level)
    except PermissionDeniedError as exc:
        return render(
            request,
            "_rp_check.html",
            refused=str(exc),
            subject_id=subject_id,
            purpose=purpose,
            public_url=settings.public_url,
            **rp_context(registry, session),
        )
    return render(request, "_rp_check.html", result=result, **rp_context(registry, session))
