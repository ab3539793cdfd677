"""The verifier's page: check a presentation someone hands you."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse

from sincerity.api.deps import RegistryDep, limit_by_client
from sincerity.services.attest import verify_online
from sincerity.services.registry import Registry
from sincerity.web.pages import (
    OptionalSession,
    render,
    verify_result_context,
)

router = APIRouter(include_in_schema=False)


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
