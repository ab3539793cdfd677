"""Presentation requests on the web: a relying party asks, a subject answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Path, Request
from fastapi.responses import HTMLResponse

from sincerity.api.deps import RegistryDep, SettingsDep
from sincerity.core.errors import SincerityError
from sincerity.services.presentation_requests import (
    answer_request,
    create_request,
    get_request,
    request_result,
)
from sincerity.services.registry import Registry
from sincerity.services.web_sessions import Session
from sincerity.web.dashboard import claim_words
from sincerity.web.i18n import translate
from sincerity.web.pages import (
    OptionalSession,
    check_csrf,
    need,
    qr_svg,
    render,
    verify_result_context,
)

router = APIRouter(include_in_schema=False)


# Presentation requests: the verifier asks, the subject answers ------------------------------------

RequestId = Annotated[str, Path(max_length=32)]


@router.post("/verify/requests", response_class=HTMLResponse)
def make_request(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    session: OptionalSession,
    purpose: Annotated[str, Form(max_length=200)],
    claims: Annotated[list[str] | None, Form()] = None,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    session = need(session, "relying_party")
    check_csrf(session, None, x_csrf_token)
    made = create_request(registry, session.actor.id, claims or [], purpose)
    link = f"{settings.public_url.rstrip('/')}/share/{made.id}"
    return render(request, "_request.html", ask=made, link=link, qr=qr_svg(link), minutes=15)


@router.get("/verify/requests/{request_id}", response_class=HTMLResponse)
def poll_request(
    request: Request, request_id: RequestId, registry: RegistryDep, session: OptionalSession
) -> HTMLResponse:
    session = need(session, "relying_party")
    made, result = request_result(registry, session.actor.id, request_id)
    if result is None:  # still waiting: the page keeps asking
        return render(request, "_request_answer.html", ask=made)
    return render(request, "_request_answer.html", ask=made, **verify_result_context(result))


@router.get("/share/{request_id}", response_class=HTMLResponse)
def share_request_page(
    request: Request, request_id: RequestId, registry: RegistryDep, session: OptionalSession
) -> HTMLResponse:
    session = need(session, "subject")
    return share_page(request, registry, session, get_request(registry, request_id))


def share_page(
    request: Request, registry: Registry, session: Session, ask: Any, error: str | None = None
) -> HTMLResponse:
    """The subject's page answering a request: what is asked, in words."""
    return render(
        request,
        "share.html",
        session=session,
        ask=ask,
        asked=[claim_words(c, registry.policy) for c in ask.claims],
        error=error,
    )


@router.post("/share/{request_id}", response_class=HTMLResponse)
def answer_share_request(
    request: Request,
    request_id: RequestId,
    registry: RegistryDep,
    settings: SettingsDep,
    session: OptionalSession,
    csrf: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    session = need(session, "subject")
    check_csrf(session, csrf, None)
    try:
        answered = answer_request(registry, session.actor.id, request_id, settings.public_url)
    except SincerityError as exc:
        return share_page(
            request,
            registry,
            session,
            get_request(registry, request_id),
            translate(str(exc).splitlines()[0]),
        )
    return share_page(request, registry, session, answered)
