"""create_app(settings): the FastAPI application. Nothing is built at import time."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sincerity.api.deps import RegistryDep
from sincerity.api.errors import ErrorBody, error_response, install_error_handlers
from sincerity.api.logs import RequestIds
from sincerity.api.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from sincerity.api.metrics import Metrics
from sincerity.api.models import Health
from sincerity.api.routers import (
    attestations,
    audit,
    checks,
    keys,
    operator,
    sources,
    subjects,
)
from sincerity.api.settings import Settings, get_settings
from sincerity.core.errors import Problem
from sincerity.services import Registry
from sincerity.services.kek import require as require_kek
from sincerity.services.rate_limits import Limit, RateLimits
from sincerity.services.scores import database_ready

DESCRIPTION = """An explainable, contestable trust registry.

Every request carries an API key (`Authorization: Bearer sk_...`). Sources submit records about
subjects who consented; subjects read their file, score and access log, dispute records and
grant or revoke consents; relying parties check a subject's tier for a purpose the subject
allowed; the operator registers parties and reviews disputes. Errors have one shape:
`{"error": {"code", "message", "problems"}}`.
"""


log = logging.getLogger("sincerity.api")


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, before reading them into memory, and
    NUL characters anywhere in a request's path, query or text body with 422 (PostgreSQL cannot
    store them, and no honest input carries one)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if _has_nul(scope):
            await _nul_response()(scope, receive, send)
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await error_response(
                413, "too_large", f"request bodies are capped at {self.limit} bytes"
            )(scope, receive, send)
            return
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type in TEXT_BODIES:
            # A text body is read whole (it is capped) and checked before the app parses it.
            markers = NUL_MARKERS + ((b"%00",) if content_type == FORM else ())
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.limit:
                    await error_response(
                        413, "too_large", f"request bodies are capped at {self.limit} bytes"
                    )(scope, receive, send)
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            lowered = body.lower()
            if any(marker in lowered for marker in markers):
                await _nul_response()(scope, receive, send)
                return
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLargeError:
            await error_response(
                413, "too_large", f"request bodies are capped at {self.limit} bytes"
            )(scope, receive, send)


TEXT_BODIES = (b"application/json", b"application/x-www-form-urlencoded", b"text/plain", b"")
FORM = b"application/x-www-form-urlencoded"
NUL_MARKERS = (b"\x00", b"\\u0000")


def _has_nul(scope: Scope) -> bool:
    path = scope.get("path", "")
    query = scope.get("query_string", b"")
    return (
        "\x00" in path
        or b"%00" in query
        or b"\x00" in query
        or b"%00" in scope.get("raw_path", b"")
    )


def _nul_response() -> Response:
    return error_response(
        422,
        "invalid_input",
        "the request contains a NUL character, which no field accepts",
        [Problem("NUL character (\\u0000 or %00)", field="request")],
    )


class _BodyTooLargeError(Exception):
    pass


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The Swagger UI page starts itself with an inline script.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    """Headers every response carries: a strict CSP, no framing, no sniffing, no referrer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = (DOCS_CSP if scope.get("path") == "/docs" else CSP).encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", csp),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def mount_docs(app: FastAPI) -> None:
    """The interactive docs page, with Swagger UI served by the app itself (no CDN)."""
    import swagger_ui_bundle

    app.mount(
        "/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger"
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Sincerity API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )


def create_app(settings: Settings | None = None, registry: Registry | None = None) -> FastAPI:
    """The registry's HTTP API over an existing registry (create one with `sincerity init`)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Sincerity", version="1", description=DESCRIPTION, docs_url=None, redoc_url=None
    )
    app.state.settings = settings
    app.state.registry = registry or Registry.open(settings.database_url)
    # Without its key-encryption key the registry could not sign proofs or checkpoints; a
    # PostgreSQL registry has no default one, so it must be given before serving.
    require_kek(app.state.registry.kek)
    app.state.rate_limits = RateLimits(
        app.state.registry, in_memory=settings.rate_limit_store == "memory"
    )
    app.state.party_limit = Limit(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.state.client_limit = Limit(
        settings.client_rate_limit_per_minute, settings.client_rate_limit_burst
    )
    app.state.failure_limit = Limit(settings.auth_failures_per_minute, settings.auth_failure_burst)
    install_error_handlers(app)

    app.state.metrics = Metrics(app.state.registry)

    @app.get("/v1/health", response_model=Health, tags=["meta"])
    def health(registry: RegistryDep) -> dict[str, Any]:
        """Liveness, and the policy in force."""
        return {"status": "ok", "policy_version": registry.policy.version}

    @app.get("/v1/health/live", response_model=Health, tags=["meta"])
    def live(registry: RegistryDep) -> dict[str, Any]:
        """The process answers (for a supervisor's liveness probe); touches nothing else."""
        return {"status": "ok", "policy_version": registry.policy.version}

    @app.get(
        "/v1/health/ready",
        response_model=Health,
        tags=["meta"],
        responses={503: {"model": ErrorBody, "description": "Not ready"}},
    )
    def ready(registry: RegistryDep) -> Any:
        """Ready for traffic: the database answers and the signing keys can be opened."""
        problem = database_ready(registry)
        if problem is not None:
            log.warning("not ready: %s", problem)
            return error_response(503, "unavailable", f"not ready: {problem}")
        return {"status": "ok", "policy_version": registry.policy.version}

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus metrics (no personal data: counts and timings)."""
        return Response(request.app.state.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    mount_docs(app)
    # Routes are matched in order: the relying parties' check, the hottest path, comes first.
    for router in (
        checks.router,
        operator.router,
        keys.router,
        sources.router,
        subjects.router,
        attestations.router,
        audit.router,
    ):
        app.include_router(router)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestIds)  # outermost: every response, even a refused one, has an id
    return app
