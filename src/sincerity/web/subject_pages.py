"""The subject's own pages: the file, disputes, consents, sharing a proof, the export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from sincerity.api.deps import IntId, RegistryDep, SettingsDep
from sincerity.charts import gauge, line_chart
from sincerity.core.disputes import DISPUTE_CATEGORIES
from sincerity.core.errors import SincerityError
from sincerity.services import open_dispute, subject_view
from sincerity.services.attest import (
    follow_short_link,
    list_attestations,
    revoke_attestation,
    share_proof,
)
from sincerity.services.attest_status import attestable_claims
from sincerity.services.checks import (
    grant_relying_party_consent,
    revoke_consent,
    undo_revocation,
)
from sincerity.services.disputes import (
    MAX_EVIDENCE_BYTES,
    Evidence,
    disputes_for_subject,
    drop_dispute,
)
from sincerity.services.registry import Registry
from sincerity.services.scores import current_score, score_without
from sincerity.services.web_sessions import Session
from sincerity.web import dashboard
from sincerity.web.i18n import gettext, translate
from sincerity.web.pages import (
    OptionalSession,
    check_csrf,
    need,
    qr_svg,
    render,
)

router = APIRouter(include_in_schema=False)

CsrfHeader = Annotated[str | None, Header()]


def file_context(registry: Registry, subject_id: str) -> dict[str, Any]:
    """The score, its history and the records, as the subject's page shows them."""
    score = current_score(registry, subject_id)
    policy = registry.policy
    today = registry.now().date()
    names = subject_view.party_names(registry)
    held = subject_view.records_by_group(
        registry, subject_id, dashboard.RECORDS_PER_GROUP, dashboard.month_ago(today)
    )
    history = subject_view.score_history(registry, subject_id)
    disputes = disputes_for_subject(registry, subject_id)
    label = translate(score.tier_label) if score.tier_label else gettext("Not enough history")
    points = dashboard.monthly_points(history)
    return {
        "score": score,
        "tier_labels": {t.name: t.label for t in policy.tiers},
        "gauge": gauge(
            score.value,
            policy.range.min,
            policy.range.max,
            label,
            gettext("Your score: %(value)s on a scale of %(low)s to %(high)s, %(tier)s")
            % {
                "value": "—" if score.rounded is None else score.rounded,
                "low": policy.range.min,
                "high": policy.range.max,
                "tier": label,
            },
        ),
        "history_chart": line_chart(
            points,
            policy.range.min,
            policy.range.max,
            gettext("Your score over time"),
            size=(360, 200),
            empty=gettext("No history yet: your score is kept each month from now on."),
        ),
        "change": dashboard.change_since_last_month(
            score, history, held.recent_kinds, disputes, today
        ),
        "next_tier": dashboard.next_tier(score, policy),
        "privileges": dashboard.privilege_words(score, policy),
        "groups": dashboard.record_groups(held.newest, held.totals, disputes, names),
        "total_records": sum(held.totals.values()),
        "claims": [
            (claim, dashboard.claim_words(claim, policy))
            for claim in attestable_claims(score, policy, subject_id)
            if claim != "subject"
        ]
        + [("subject", dashboard.claim_words("subject", policy))],
        "categories": [(c, dashboard.CATEGORY_WORDS[c]) for c in DISPUTE_CATEGORIES],
    }


def consents_context(registry: Registry, session: Session, **extra: Any) -> dict[str, Any]:
    subject_id = session.actor.id
    return {
        "session": session,
        "consents": dashboard.consent_rows(
            subject_view.consents(registry, subject_id),
            subject_view.party_names(registry),
            registry.now(),
        ),
        "relying_parties": subject_view.relying_parties(registry),
        "today": registry.now().date(),
        **extra,
    }


def proofs_context(registry: Registry, session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "session": session,
        "proofs": dashboard.active_proofs(
            list_attestations(registry, session.actor.id), registry.policy, registry.now()
        ),
        **extra,
    }


def me_context(registry: Registry, session: Session) -> dict[str, Any]:
    subject_id = session.actor.id
    subject = subject_view.profile(registry, subject_id)
    log = subject_view.access_entries(registry, subject_id, limit=100)
    names = subject_view.party_names(registry)
    return {
        "subject": subject,
        "access_log": [dashboard.access_sentence(e, names, subject_id) for e in reversed(log)],
        **consents_context(registry, session),
        **proofs_context(registry, session),
        **file_context(registry, subject_id),
    }


def file_fragment(
    request: Request, registry: Registry, session: Session, message: str
) -> HTMLResponse:
    """The file part of the page, re-rendered after a change to it, with what happened."""
    return render(
        request,
        "_file.html",
        session=session,
        message=message,
        **file_context(registry, session.actor.id),
    )


@router.get("/me", response_class=HTMLResponse)
def me(request: Request, registry: RegistryDep, session: OptionalSession) -> HTMLResponse:
    return render(request, "me.html", **me_context(registry, need(session, "subject")))


@router.get("/me/records/{record_id}/dispute", response_class=HTMLResponse)
def dispute_form(
    request: Request, record_id: str, registry: RegistryDep, session: OptionalSession
) -> HTMLResponse:
    """The dispute form for one record, with what disputing it would do to the score."""
    session = need(session, "subject")
    now = current_score(registry, session.actor.id)
    without = score_without(registry, session.actor.id, record_id)
    return render(
        request,
        "_dispute_form.html",
        session=session,
        record_id=record_id,
        effect=dashboard.dispute_effect(now, without),
        categories=[(c, dashboard.CATEGORY_WORDS[c]) for c in DISPUTE_CATEGORIES],
        max_mib=MAX_EVIDENCE_BYTES // (1024 * 1024),
    )


@router.post("/me/disputes", response_class=HTMLResponse)
async def dispute(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    record_id: Annotated[str, Form(max_length=128)],
    reason: Annotated[str, Form(max_length=2000)],
    category: Annotated[str | None, Form(max_length=40)] = None,
    evidence: Annotated[UploadFile | None, File()] = None,
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    attached = None
    if evidence is not None and evidence.filename:
        content = await evidence.read(MAX_EVIDENCE_BYTES + 1)
        attached = Evidence(
            evidence.filename, evidence.content_type or "application/octet-stream", content
        )
    open_dispute(registry, session.actor.id, record_id, reason, category or None, attached)
    return file_fragment(
        request,
        registry,
        session,
        gettext("The record is disputed: it no longer counts while the source answers."),
    )


@router.post("/me/disputes/{dispute_id}/drop", response_class=HTMLResponse)
def drop(
    request: Request,
    dispute_id: IntId,
    registry: RegistryDep,
    session: OptionalSession,
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    drop_dispute(registry, session.actor.id, dispute_id)
    return file_fragment(
        request, registry, session, gettext("You took your dispute back: the record counts again.")
    )


@router.post("/me/consents", response_class=HTMLResponse)
def grant(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    relying_party: Annotated[str, Form(max_length=128)],
    purpose: Annotated[str, Form(max_length=200)],
    until: Annotated[str, Form(max_length=10)] = "",
    share_score: Annotated[bool, Form()] = False,
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    end = dashboard.parse_day(until)
    grant_relying_party_consent(
        registry, session.actor.id, relying_party, purpose, end, share_score
    )
    return render(
        request,
        "_consents.html",
        **consents_context(
            registry, session, consent_message=gettext("Consent granted. You can revoke it here.")
        ),
    )


@router.post("/me/consents/{consent_id}/revoke", response_class=HTMLResponse)
def revoke(
    request: Request,
    consent_id: IntId,
    registry: RegistryDep,
    session: OptionalSession,
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    revoke_consent(registry, session.actor.id, consent_id)
    return render(
        request,
        "_consents.html",
        **consents_context(
            registry,
            session,
            consent_message=gettext("Consent revoked."),
            undo_id=consent_id,
        ),
    )


@router.post("/me/consents/{consent_id}/undo", response_class=HTMLResponse)
def undo(
    request: Request,
    consent_id: IntId,
    registry: RegistryDep,
    session: OptionalSession,
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    undo_revocation(registry, session.actor.id, consent_id)
    return render(
        request,
        "_consents.html",
        **consents_context(
            registry, session, consent_message=gettext("Revocation undone: the consent is back.")
        ),
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
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    try:
        shared = share_proof(
            registry, session.actor.id, settings.public_url, disclose or [], audience, nonce
        )
    except SincerityError as exc:
        return render(request, "_share.html", error=translate(str(exc).splitlines()[0]))
    return render(
        request,
        "_share.html",
        shared=shared,
        audience=audience,
        disclosed=[dashboard.claim_words(c, registry.policy) for c in shared.disclosed],
        qr=qr_svg(shared.short_link),
        **proofs_context(registry, session),
    )


@router.post("/me/proofs/{attestation_id}/revoke", response_class=HTMLResponse)
def revoke_proof(
    request: Request,
    attestation_id: str,
    registry: RegistryDep,
    session: OptionalSession,
    x_csrf_token: CsrfHeader = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, None, x_csrf_token)
    revoke_attestation(registry, session.actor.id, attestation_id)
    return render(
        request,
        "_proofs.html",
        **proofs_context(
            registry, session, proofs_message=gettext("Proof revoked: it no longer verifies.")
        ),
    )


@router.get("/p/{attestation_id}", response_model=None)
def short_link(
    request: Request, attestation_id: str, registry: RegistryDep, session: OptionalSession
) -> Response:
    """A shared proof's short link (what its QR code holds): on to the verify page with it."""
    found = follow_short_link(registry, attestation_id)
    if found.presentation is None:
        heading = gettext("This proof no longer works")
        message = (
            gettext("Its holder revoked it.")
            if found.gone_because == "revoked"
            else gettext("It has expired. Ask its holder for a new one.")
        )
        return render(
            request, "error.html", status=410, heading=heading, message=message, session=session
        )
    return RedirectResponse(f"/verify#{found.presentation}", status_code=303)


@router.get("/me/export", response_model=None)
def export(registry: RegistryDep, session: OptionalSession) -> Response:
    from sincerity.services.subject_file import export_file

    session = need(session, "subject")
    return JSONResponse(
        export_file(registry, session.actor.id),
        headers={"Content-Disposition": f'attachment; filename="{session.actor.id}.json"'},
    )
