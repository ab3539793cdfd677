"""Server-rendered pages for subjects, verifiers and the operator (Jinja2 + htmx, no CDN)."""

from __future__ import annotations

import logging
from html import escape
from importlib import resources

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from sincerity.api import Settings, create_app, get_settings
from sincerity.api.errors import (
    API_PATHS,
    http_error,
    json_error,
    json_validation_error,
    status_of,
    unexpected_error,
)
from sincerity.api.logs import current_request_id
from sincerity.core.errors import InvalidInputError, SincerityError
from sincerity.services import Registry
from sincerity.web import (
    lab_pages,
    operator_pages,
    party_pages,
    passkey_pages,
    share_pages,
    subject_pages,
    verify_pages,
)
from sincerity.web.i18n import N_, gettext, translate
from sincerity.web.lab_jobs import LabJobs
from sincerity.web.pages import (
    SignInRequiredError,
    render,
    router,
    set_language,
    speak_visitors_language,
    templates,
)

log = logging.getLogger("sincerity.web")

ERROR_HEADINGS = {
    401: N_("Please sign in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    422: N_("Please check the form"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}
ROUTING_ERRORS = {
    404: N_("There is no page at this address. It may have moved, or the link is mistyped."),
    405: N_("This address does not take that kind of request."),
}


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
    # Each page's handler runs in the visitor's language, for words made in Python too.
    in_language = [Depends(speak_visitors_language)]
    for pages in (
        router,
        subject_pages.router,
        verify_pages.router,
        operator_pages.router,
        share_pages.router,
        lab_pages.router,
        passkey_pages.router,
        party_pages.router,
    ):
        app.include_router(pages, dependencies=in_language)

    @app.exception_handler(SignInRequiredError)
    async def _sign_in(_: Request, __: SignInRequiredError) -> Response:
        return RedirectResponse("/signin", status_code=303)

    def web_error(request: Request, exc: Exception, status: int) -> HTMLResponse:
        set_language(request)
        heading = gettext(ERROR_HEADINGS.get(status, ERROR_HEADINGS[500]))
        if isinstance(exc, StarletteHTTPException):
            message = gettext(ROUTING_ERRORS.get(status, ERROR_HEADINGS[500]))
        else:
            message = translate(str(exc).splitlines()[0]) if str(exc) else heading
        if status >= 500:  # not the visitor's doing: keep the traceback for the operator
            log.error("page error on %s", request.url.path, exc_info=exc)
            message = gettext("Something went wrong on our side; the operator's logs have it.")
        if request.headers.get("HX-Request"):
            # An error goes to the page's message area, not into the part the form would replace;
            # sent as 200 so the browser does not log a failed request for a message we expected.
            return HTMLResponse(
                f'<p class="error" role="alert">{escape(message)}</p>',
                headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
            )
        return render(
            request,
            "error.html",
            status=status,
            headers={"X-Request-ID": rid} if (rid := current_request_id()) else None,
            heading=heading,
            message=message,
            session=None,
            request_id=rid,
        )

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

    @app.exception_handler(StarletteHTTPException)
    async def _routing(request: Request, exc: StarletteHTTPException) -> Response:
        wants_page = "text/html" in request.headers.get("accept", "")
        if request.url.path.startswith(API_PATHS) or not wants_page:
            return http_error(exc)
        return web_error(request, exc, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith(API_PATHS):
            return json_validation_error(exc)
        fields = ", ".join(str(e.get("loc", ("",))[-1]) for e in exc.errors())
        return web_error(request, InvalidInputError(f"Please check: {fields}"), 422)
