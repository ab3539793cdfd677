"""The web pages: server-rendered with Jinja2, htmx for in-place updates, over the services.

Sign-in turns an API key into a session cookie (HttpOnly, SameSite=Strict); every form that
changes something carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import asdict
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Depends, Form, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sincerity.api.deps import (
    IntId,
    RegistryDep,
    SettingsDep,
    authenticate_request,
    limit_by_client,
)
from sincerity.api.settings import Settings
from sincerity.charts import bar_chart, gauge, line_chart
from sincerity.core.errors import AuthenticationError, PermissionDeniedError, SincerityError
from sincerity.core.factors import max_points
from sincerity.core.policy import FACTOR_NAMES
from sincerity.credentials.sdjwt import Verified
from sincerity.services import open_dispute, subject_view
from sincerity.services.attest import share_proof, verify_online
from sincerity.services.attest_status import attestable_claims
from sincerity.services.checks import revoke_consent
from sincerity.services.disputes import disputes_for_subject, review_queue, uphold_dispute
from sincerity.services.operator import list_parties, stats
from sincerity.services.registry import Registry
from sincerity.services.scores import current_score
from sincerity.services.subject_file import export_file
from sincerity.services.web_sessions import Session, session_for, sign_in, sign_out

COOKIE = "sincerity_session"
RECORDS_SHOWN = 50


def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(resources.files("sincerity.web") / "templates"))


router = APIRouter(include_in_schema=False)


def optional_session(
    registry: RegistryDep, sincerity_session: Annotated[str | None, Cookie()] = None
) -> Session | None:
    try:
        return session_for(registry, sincerity_session)
    except AuthenticationError:
        return None


OptionalSession = Annotated[Session | None, Depends(optional_session)]


class SignInRequiredError(Exception):
    """Raised by a page that needs a signed-in person of a given role."""


def need(session: Session | None, kind: str) -> Session:
    if session is None:
        raise SignInRequiredError
    if session.actor.kind != kind:
        raise PermissionDeniedError(f"this page is for the {kind.replace('_', ' ')}")
    return session


def check_csrf(session: Session, form_token: str | None, header_token: str | None) -> None:
    if (form_token or header_token) != session.csrf:
        raise PermissionDeniedError("the form expired or came from another site: reload the page")


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, name, context, status_code=status
    )
    return page


@router.get("/", response_class=HTMLResponse)
def about(request: Request, registry: RegistryDep, session: OptionalSession) -> HTMLResponse:
    policy = registry.policy
    caps = max_points(policy)
    factors = [{"label": getattr(policy.factors, n).label, "max": caps[n]} for n in FACTOR_NAMES]
    return render(request, "index.html", session=session, policy=policy, factors=factors)


SIGNIN_COOKIE = "sincerity_signin"

# Where each role lands after signing in, and what it can do there (the demo's tour says so too).
LANDING_PAGES: dict[str, tuple[str, str]] = {
    "subject": (
        "/me",
        "your score and why, every record (dispute one), consents (revoke), the access log, "
        "share a proof or answer a relying party's request, download or erase your file",
    ),
    "operator": (
        "/operator",
        "registry health, the dispute queue (uphold a dispute), parties, the score "
        "distribution and the policy in force",
    ),
    "relying_party": (
        "/verify",
        "ask a subject for a proof (a link and QR code) and see the verified answer; "
        "verify a proof someone hands you",
    ),
    "source": (
        "/verify",
        "verify proofs; records are submitted and disputes answered through the API "
        "(POST /v1/records, GET /v1/source/disputes) or `sincerity ingest`",
    ),
}


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, session: OptionalSession) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    page = render(request, "signin.html", session=session, signin_token=token)
    page.set_cookie(SIGNIN_COOKIE, token, httponly=True, samesite="strict", max_age=3600)
    return page


def same_origin(request: Request, settings: Settings) -> bool:
    """Whether a form post came from this site: its Origin header, when the browser sent one,
    names this server or its public URL."""
    origin = request.headers.get("origin")
    if origin is None:
        return False
    own = {f"{request.url.scheme}://{request.url.netloc}", settings.public_url.rstrip("/")}
    return origin.rstrip("/") in own


def secure_cookies(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or settings.public_url.startswith("https://")


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    api_key: Annotated[str, Form(max_length=200)],
    signin_token: Annotated[str | None, Form(max_length=100)] = None,
    sincerity_signin: Annotated[str | None, Cookie()] = None,
) -> Response:
    # Login CSRF: another site must not sign a visitor in as someone else. A same-origin
    # Origin header, or the token this site put in both the form and a cookie, proves the post
    # came from our own sign-in page.
    token_ok = bool(signin_token) and hmac.compare_digest(
        signin_token or "", sincerity_signin or ""
    )
    if not (same_origin(request, settings) or token_ok):
        raise PermissionDeniedError("the sign-in form came from another site: reload the page")
    limit_by_client(request, "signin")
    try:
        authenticate_request(request, registry, api_key.strip())
        token, session = sign_in(registry, api_key)
    except AuthenticationError:
        return render(
            request,
            "signin.html",
            status=401,
            session=None,
            signin_token=sincerity_signin,
            error="That key is not valid, or it was revoked.",
        )
    target = LANDING_PAGES[session.actor.kind][0]
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=12 * 3600,
        secure=secure_cookies(request, settings),
    )
    response.delete_cookie(SIGNIN_COOKIE)
    return response


@router.post("/signout", response_model=None)
def signout(
    registry: RegistryDep,
    session: OptionalSession,
    csrf: Annotated[str | None, Form()] = None,
    sincerity_session: Annotated[str | None, Cookie()] = None,
) -> Response:
    if session is not None:
        check_csrf(session, csrf, None)
        sign_out(registry, sincerity_session)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# The subject's file ---------------------------------------------------------------------------


def describe(record: dict[str, Any]) -> str:
    body = record["record"]
    if record["kind"] == "payment":
        text = body["status"].replace("_", " ")
        return f"{text} ({body['days_late']} days)" if body.get("days_late") else text
    if record["kind"] == "rating":
        return f"rating {body['rating']:+d} from {body['rater']}"
    if record["kind"] == "verification":
        return f"{body['what']} verified"
    return str(body.get("status", "")).replace("_", " ")


def file_context(registry: Registry, subject_id: str) -> dict[str, Any]:
    score = current_score(registry, subject_id)
    policy = registry.policy
    rows = subject_view.record_rows(registry, subject_id)  # newest first
    history = subject_view.score_history(registry, subject_id)
    disputes = {d.record_id: d for d in disputes_for_subject(registry, subject_id)}
    replaced = {row["supersedes"] for row in rows if row.get("supersedes")}
    records = []
    for row in rows[:RECORDS_SHOWN]:
        item = {
            "id": row["id"],
            "source": row["source_id"],
            "kind": row["kind"],
            "occurred_on": row["occurred_on"],
            "record": json.loads(row["body"]),
        }
        records.append(
            {
                **item,
                "what": describe(item),
                "dispute": disputes.get(row["id"]),
                "superseded": row["id"] in replaced,
            }
        )
    points = [(str(h.as_of), float(h.value)) for h in history if h.value is not None]
    label = score.get("tier_label") or "not enough history"
    return {
        "score": score,
        "gauge": gauge(score.get("value"), policy.range.min, policy.range.max, label),
        "history_chart": line_chart(
            points[-60:], policy.range.min, policy.range.max, "Score over time"
        ),
        "records": records,
        "total_records": len(rows),
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


def qr_svg(link: str) -> str:
    import qrcode
    import qrcode.image.svg

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=2)
    code.add_data(link)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return str(image.to_string(encoding="unicode"))


@router.get("/me/export", response_model=None)
def export(registry: RegistryDep, session: OptionalSession) -> Response:
    session = need(session, "subject")
    return JSONResponse(
        export_file(registry, session.actor.id),
        headers={"Content-Disposition": f'attachment; filename="{session.actor.id}.json"'},
    )


# Verifiers ------------------------------------------------------------------------------------


def verify_result_context(result: Verified) -> dict[str, Any]:
    hidden = {"iss", "iat", "exp", "status", "vct", "jti"}
    shown = sorted(
        (k, json.dumps(v) if not isinstance(v, str) else v)
        for k, v in result.claims.items()
        if k not in hidden
    )
    expires = (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(result.expires_at))
        if result.expires_at
        else "—"
    )
    return {"result": result, "shown_claims": shown, "expires": expires}


def verify_context(
    registry: Registry, presentation: str, audience: str, nonce: str
) -> dict[str, Any]:
    result = verify_online(registry, presentation, audience.strip() or None, nonce.strip() or None)
    return verify_result_context(result)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request, session: OptionalSession) -> HTMLResponse:
    return render(request, "verify.html", session=session)


@router.post("/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    presentation: Annotated[str, Form(max_length=64_000)],
    audience: Annotated[str, Form(max_length=500)] = "",
    nonce: Annotated[str, Form(max_length=500)] = "",
    hx_request: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    limit_by_client(request, "verify")
    context = verify_context(registry, presentation, audience, nonce)
    if hx_request:
        return render(request, "_verify_result.html", **context)
    return render(
        request,
        "verify.html",
        session=session,
        presentation=presentation,
        audience=audience,
        nonce=nonce,
        **context,
    )


# The operator ---------------------------------------------------------------------------------


def queue_context(registry: Registry, operator_id: str) -> list[dict[str, Any]]:
    now = registry.now()
    return [
        {**asdict(d), "age_days": (now - d.opened_at).days}
        for d in review_queue(registry, operator_id)
    ]


@router.get("/operator", response_class=HTMLResponse)
def operator(request: Request, registry: RegistryDep, session: OptionalSession) -> HTMLResponse:
    session = need(session, "operator")
    policy = registry.policy
    figures = stats(registry)
    caps = max_points(policy)
    factors = []
    for name in FACTOR_NAMES:
        factor = getattr(policy.factors, name)
        half_life = getattr(factor, "half_life_days", None)
        factors.append(
            {
                "label": factor.label,
                "max": caps[name],
                "half_life": "—" if half_life is None else f"{half_life:g} days",
            }
        )
    bars = [(t.label, figures["tiers"].get(t.name, 0)) for t in policy.tiers]
    bars.append(("Not enough history", figures["thin_files"]))
    queue = queue_context(registry, session.actor.id)
    return render(
        request,
        "operator.html",
        session=session,
        stats=figures,
        policy=policy,
        factors=factors,
        parties=list_parties(registry),
        queue=queue,
        distribution_chart=bar_chart(bars, "Subjects by tier"),
    )


@router.post("/operator/disputes/{dispute_id}/uphold", response_class=HTMLResponse)
def uphold(
    request: Request,
    dispute_id: IntId,
    registry: RegistryDep,
    session: OptionalSession,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    session = need(session, "operator")
    check_csrf(session, None, x_csrf_token)
    uphold_dispute(registry, dispute_id, session.actor.id)
    return render(
        request,
        "_dispute_queue.html",
        session=session,
        queue=queue_context(registry, session.actor.id),
        queue_message=f"Dispute {dispute_id} upheld: the record is suppressed for good.",
    )
