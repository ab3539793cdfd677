"""Server-rendered pages for subjects, verifiers and the operator (Jinja2 + htmx, no CDN)."""

from __future__ import annotations

import logging
from html import escape
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from sincerity.api import Settings, create_app, get_settings
from sincerity.api.errors import (
    API_PATHS,
    json_error,
    json_validation_error,
    status_of,
    unexpected_error,
)
from sincerity.api.logs import current_request_id
from sincerity.core.errors import InvalidInputError, SincerityError
from sincerity.services import Registry
from sincerity.web import lab_pages, operator_pages, share_pages, subject_pages, verify_pages
from sincerity.web.lab_jobs import LabJobs
from sincerity.web.pages import SignInRequiredError, router, templates

log = logging.getLogger("sincerity.web")


def create_site(settings: Settings | None = None, registry: Registry | None = None) -> FastAPI:
    """The whole service: the HTTP API and, beside it, the pages."""
    app = create_app(settings, registry)
    mount_web(app)
    return app


def create_site_from_env() -> FastAPI:
    """The site as configured by SINCERITY_* variables (for `uvicorn --factory` and workers)."""
    return create_site(get_settings())


def mount_web(app: FastAPI) -> None:
    """Add the pages, their static assets and HTML error pages to the app."""
    app.state.templates = templates()
    app.state.lab_jobs = LabJobs()
    app.mount(
        "/static/web",
        StaticFiles(directory=str(resources.files("sincerity.web") / "static")),
        name="web",
    )
    app.include_router(router)
    app.include_router(subject_pages.router)
    app.include_router(verify_pages.router)
    app.include_router(operator_pages.router)
    app.include_router(share_pages.router)
    app.include_router(lab_pages.router)

    @app.exception_handler(SignInRequiredError)
    async def _sign_in(_: Request, __: SignInRequiredError) -> Response:
        return RedirectResponse("/signin", status_code=303)

    def web_error(request: Request, exc: Exception, status: int) -> HTMLResponse:
        heading = {
            401: "Please sign in",
            403: "Not allowed",
            404: "Not found",
            422: "Please check the form",
            429: "Too many requests",
        }.get(status, "Something went wrong")
        message = str(exc).splitlines()[0] if str(exc) else heading
        if status >= 500:  # not the visitor's doing: keep the traceback for the operator
            log.error("page error on %s", request.url.path, exc_info=exc)
            message = "Something went wrong on our side; the operator's logs have it."
        if request.headers.get("HX-Request"):
            # An error goes to the page's message area, not into the part the form would replace;
            # sent as 200 so the browser does not log a failed request for a message we expected.
            return HTMLResponse(
                f'<p class="error" role="alert">{escape(message)}</p>',
                headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
            )
        page: HTMLResponse = app.state.templates.TemplateResponse(
            request,
            "error.html",
            {
                "heading": heading,
                "message": message,
                "session": None,
                "request_id": current_request_id(),
            },
            status_code=status,
            headers={"X-Request-ID": rid} if (rid := current_request_id()) else None,
        )
        return page

    @app.exception_handler(SincerityError)
    async def _error(request: Request, exc: SincerityError) -> Response:
        if request.url.path.startswith(API_PATHS):
            return json_error(exc)
        return web_error(request, exc, status_of(exc))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(API_PATHS):
            return unexpected_error(request, exc)
        return web_error(request, exc, 500)  # logged there with its traceback, not shown

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith(API_PATHS):
            return json_validation_error(exc)
        fields = ", ".join(str(e.get("loc", ("",))[-1]) for e in exc.errors())
        return web_error(request, InvalidInputError(f"please check: {fields}"), 422)
