"""The subject's own pages: the file, disputes, consents, sharing a proof, the export."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from sincerity.api.deps import IntId, RegistryDep, SettingsDep
from sincerity.charts import gauge, line_chart
from sincerity.core.errors import SincerityError
from sincerity.services import open_dispute, subject_view
from sincerity.services.attest import share_proof
from sincerity.services.attest_status import attestable_claims
from sincerity.services.checks import revoke_consent
from sincerity.services.disputes import disputes_for_subject
from sincerity.services.registry import Registry
from sincerity.services.scores import current_score
from sincerity.services.subject_file import RecordView, export_file
from sincerity.services.web_sessions import Session
from sincerity.web.pages import (
    OptionalSession,
    check_csrf,
    need,
    qr_svg,
    render,
)

router = APIRouter(include_in_schema=False)

RECORDS_SHOWN = 50


def describe(record: RecordView) -> str:
    """A record in a few words."""
    body = record.record
    if record.kind == "payment":
        text = body["status"].replace("_", " ")
        return f"{text} ({body['days_late']} days)" if body.get("days_late") else text
    if record.kind == "rating":
        return f"rating {body['rating']:+d} from {body['rater']}"
    if record.kind == "verification":
        return f"{body['what']} verified"
    return str(body.get("status", "")).replace("_", " ")


def file_context(registry: Registry, subject_id: str) -> dict[str, Any]:
    score = current_score(registry, subject_id)
    policy = registry.policy
    views = subject_view.records(registry, subject_id)  # newest first
    history = subject_view.score_history(registry, subject_id)
    disputes = {d.record_id: d for d in disputes_for_subject(registry, subject_id)}
    records = [
        {
            **asdict(view),
            "what": describe(view),
            "dispute": disputes.get(view.id),
        }
        for view in views[:RECORDS_SHOWN]
    ]
    points = [(str(h.as_of), float(h.value)) for h in history if h.value is not None]
    label = score.tier_label or "not enough history"
    return {
        "score": score,
        "gauge": gauge(score.value, policy.range.min, policy.range.max, label),
        "history_chart": line_chart(
            points[-60:], policy.range.min, policy.range.max, "Score over time"
        ),
        "records": records,
        "total_records": len(views),
        "claims": [c for c in attestable_claims(score, policy, subject_id) if c != "subject"]
        + ["subject"],
    }


def me_context(registry: Registry, session: Session) -> dict[str, Any]:
    subject_id = session.actor.id
    subject = subject_view.profile(registry, subject_id)
    consents = subject_view.consents(registry, subject_id)
    log = subject_view.access_entries(registry, subject_id, limit=100)
    return {
        "session": session,
        "subject": subject,
        "consents": consents,
        "access_log": list(reversed(log)),
        **file_context(registry, subject_id),
    }


@router.get("/me", response_class=HTMLResponse)
def me(request: Request, registry: RegistryDep, session: OptionalSession) -> HTMLResponse:
    return render(request, "me.html", **me_context(registry, need(session, "subject")))


@router.post("/me/disputes", response_class=HTMLResponse)
def dispute(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    record_id: Annotated[str, Form(max_length=128)],
    reason: Annotated[str, Form(max_length=2000)],
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    open_dispute(registry, session.actor.id, record_id, reason)
    context = file_context(registry, session.actor.id)
    return render(
        request,
        "_file.html",
        session=session,
        message=f"Record {record_id} is disputed: it no longer counts.",
        **context,
    )


@router.post("/me/consents/{consent_id}/revoke", response_class=HTMLResponse)
def revoke(
    request: Request,
    consent_id: IntId,
    registry: RegistryDep,
    session: OptionalSession,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    revoke_consent(registry, session.actor.id, consent_id)
    consents = subject_view.consents(registry, session.actor.id)
    return render(
        request,
        "_consents.html",
        session=session,
        consents=consents,
        consent_message="Consent revoked.",
    )


@router.post("/me/share", response_class=HTMLResponse)
def share(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    session: OptionalSession,
    audience: Annotated[str, Form(max_length=500)],
    nonce: Annotated[str, Form(max_length=500)] = "",
    disclose: Annotated[list[str] | None, Form()] = None,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    try:
        shared = share_proof(
            registry, session.actor.id, settings.public_url, disclose or [], audience, nonce
        )
    except SincerityError as exc:
        return render(request, "_share.html", error=str(exc).splitlines()[0])
    return render(request, "_share.html", shared=shared, audience=audience, qr=qr_svg(shared.link))


@router.get("/me/export", response_model=None)
def export(registry: RegistryDep, session: OptionalSession) -> Response:
    session = need(session, "subject")
    return JSONResponse(
        export_file(registry, session.actor.id),
        headers={"Content-Disposition": f'attachment; filename="{session.actor.id}.json"'},
    )
