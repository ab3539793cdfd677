"""The web pages: server-rendered with Jinja2, htmx for in-place updates, over the services.

Sign-in turns an API key into a session cookie (HttpOnly, SameSite=Strict); every form that
changes something carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from importlib import resources
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Cookie, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sincerity.api.deps import (
    RegistryDep,
    SettingsDep,
    authenticate_request,
    limit_by_client,
)
from sincerity.api.settings import Settings
from sincerity.core.errors import AuthenticationError, PermissionDeniedError
from sincerity.core.factors import max_points
from sincerity.core.policy import FACTOR_NAMES
from sincerity.credentials.sdjwt import Verified
from sincerity.services.web_sessions import Session, session_for, sign_in, sign_out
from sincerity.web import i18n

COOKIE = "sincerity_session"


def templates() -> Jinja2Templates:
    """The page templates, with `_()` and `translate` speaking the visitor's language."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("sincerity.web") / "templates")),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters["translate"] = i18n.translate
    env.filters["number"] = lambda n: f"{n:,}" if isinstance(n, int | float) else n
    env.globals["languages"] = i18n.LANGUAGES
    env.globals["current_language"] = i18n.current_language
    env.globals["html_lang"] = lambda: i18n.HTML_LANG[i18n.current_language()]
    return Jinja2Templates(env=env)


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


def need_signed_in(session: Session | None) -> Session:
    if session is None:
        raise SignInRequiredError
    return session


def check_csrf(session: Session, form_token: str | None, header_token: str | None) -> None:
    if (form_token or header_token) != session.csrf:
        raise PermissionDeniedError("the form expired or came from another site: reload the page")


LANGUAGE_COOKIE = "sincerity_lang"


def set_language(request: Request) -> str | None:
    """Render this request in the visitor's language; returns a language to remember when the
    address asked for one."""
    asked = request.query_params.get("lang")
    i18n.use_language(
        i18n.choose_language(
            asked,
            request.cookies.get(LANGUAGE_COOKIE),
            request.headers.get("accept-language"),
        )
    )
    return asked if asked in i18n.LANGUAGES else None


async def speak_visitors_language(request: Request) -> None:
    """A dependency of every page: its handler (run after, in a copy of this context) makes
    its words in the visitor's language. Async, so it sets the language in the request's own
    context rather than in a worker thread's."""
    set_language(request)


def render(
    request: Request,
    name: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page or fragment in the visitor's language."""
    remember = set_language(request)
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, name, context, status_code=status, headers=headers
    )
    if remember:
        page.set_cookie(LANGUAGE_COOKIE, remember, max_age=365 * 86400, samesite="lax")
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
        "/rp",
        "check a subject who consented (tier, threshold), ask for a proof (a link and QR code) "
        "and see the verified answer, the history of your checks",
    ),
    "source": (
        "/source",
        "upload a batch file (every problem listed, nothing stored until it is clean), browse "
        "your records, answer disputes (confirm with evidence, correct, withdraw)",
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
    keep_session(response, token, request, settings)
    response.delete_cookie(SIGNIN_COOKIE)
    return response


def keep_session(response: Response, token: str, request: Request, settings: Settings) -> None:
    """Give the browser its session cookie (HttpOnly, SameSite=Strict, Secure over https)."""
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=12 * 3600,
        secure=secure_cookies(request, settings),
    )


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


def qr_svg(link: str) -> str:
    import qrcode
    import qrcode.image.svg

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=2)
    code.add_data(link)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return str(image.to_string(encoding="unicode"))


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
