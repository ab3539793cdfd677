"""create_app(settings): the FastAPI application. Nothing is built at import time."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sincerity.api.deps import RateLimiter, RegistryDep
from sincerity.api.errors import error_response, install_error_handlers
from sincerity.api.models import Health
from sincerity.api.routers import attestations, checks, keys, operator, sources, subjects
from sincerity.api.settings import Settings, get_settings
from sincerity.services import Registry

DESCRIPTION = """An explainable, contestable trust registry.

Every request carries an API key (`Authorization: Bearer sk_...`). Sources submit records about
subjects who consented; subjects read their file, score and access log, dispute records and
grant or revoke consents; relying parties check a subject's tier for a purpose the subject
allowed; the operator registers parties and reviews disputes. Errors have one shape:
`{"error": {"code", "message", "problems"}}`.
"""


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, before reading them into memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await error_response(
                413, "too_large", f"request bodies are capped at {self.limit} bytes"
            )(scope, receive, send)
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


class _BodyTooLargeError(Exception):
    pass


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
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    install_error_handlers(app)

    @app.get("/v1/health", response_model=Health, tags=["meta"])
    def health(registry: RegistryDep) -> dict[str, Any]:
        """Liveness, and the policy in force."""
        return {"status": "ok", "policy_version": registry.policy.version}

    mount_docs(app)
    for router in (
        operator.router,
        keys.router,
        sources.router,
        subjects.router,
        checks.router,
        attestations.router,
    ):
        app.include_router(router)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app
