"""Passkeys on the web: invitation links, the registration and sign-in ceremonies (JSON for
static/passkeys.js), and each person's account page (passkeys, sign out everywhere, invite a
colleague)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Cookie, Form, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from sincerity.api.deps import RegistryDep, SettingsDep
from sincerity.api.settings import Settings
from sincerity.core.errors import PermissionDeniedError, SincerityError
from sincerity.services import passkeys
from sincerity.services.operator import party_name
from sincerity.services.web_sessions import Session
from sincerity.web.i18n import translate
from sincerity.web.pages import (
    LANDING_PAGES,
    OptionalSession,
    check_csrf,
    keep_session,
    need_signed_in,
    render,
    same_origin,
    secure_cookies,
)

router = APIRouter(include_in_schema=False)

CEREMONY = "sincerity_ceremony"
Credential = Annotated[dict[str, Any], Body(embed=True)]


def site_of(settings: Settings) -> passkeys.Site:
    return passkeys.Site.of(settings.public_url)


def answer(ok: bool, **data: Any) -> JSONResponse:
    """The ceremonies answer 200 either way (the page shows the message): a failed request
    would otherwise be logged by the browser as an error for a message we expected."""
    return JSONResponse({"ok": ok, **data})


def from_this_site(request: Request, settings: Settings) -> None:
    if not same_origin(request, settings):
        raise PermissionDeniedError("this request came from another site: reload the page")


def with_ceremony(request: Request, settings: Settings, ceremony: str, options: Any) -> Response:
    response = answer(True, options=options)
    response.set_cookie(
        CEREMONY,
        ceremony,
        httponly=True,
        samesite="strict",
        max_age=passkeys.CHALLENGE_MINUTES * 60,
        secure=secure_cookies(request, settings),
    )
    return response


def signed_in(request: Request, settings: Settings, token: str, session: Session) -> Response:
    response = answer(True, redirect=LANDING_PAGES[session.actor.kind][0])
    keep_session(response, token, request, settings)
    response.delete_cookie(CEREMONY)
    return response


def failed(exc: SincerityError) -> Response:
    return answer(False, message=translate(str(exc).splitlines()[0]))


@router.get("/invite/{token}", response_class=HTMLResponse)
def invitation_page(
    request: Request,
    token: Annotated[str, Path(max_length=100)],
    registry: RegistryDep,
    session: OptionalSession,
) -> HTMLResponse:
    invitation = passkeys.open_invitation(registry, token)
    return render(
        request,
        "invite.html",
        session=session,
        invitation=invitation,
        party=party_name(registry, invitation.actor_kind, invitation.actor_id),
        token=token,
    )


@router.post("/webauthn/register/options", response_model=None)
def register_options(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    session: OptionalSession,
    invitation: Annotated[str | None, Body(embed=True, max_length=100)] = None,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Response:
    try:
        from_this_site(request, settings)
        if invitation is None and session is not None:
            check_csrf(session, None, x_csrf_token)
        ceremony, options = passkeys.registration_options(
            registry,
            site_of(settings),
            invitation_token=invitation,
            session=None if invitation else session,
        )
    except SincerityError as exc:
        return failed(exc)
    return with_ceremony(request, settings, ceremony, options)


@router.post("/webauthn/register/verify", response_model=None)
def register_verify(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    session: OptionalSession,
    credential: Credential,
    label: Annotated[str, Body(embed=True, max_length=100)] = "passkey",
    sincerity_ceremony: Annotated[str | None, Cookie()] = None,
) -> Response:
    try:
        from_this_site(request, settings)
        token, opened = passkeys.finish_registration(
            registry, site_of(settings), sincerity_ceremony, credential, label, session
        )
    except SincerityError as exc:
        return failed(exc)
    return signed_in(request, settings, token, opened)


@router.post("/webauthn/signin/options", response_model=None)
def signin_options(request: Request, registry: RegistryDep, settings: SettingsDep) -> Response:
    try:
        from_this_site(request, settings)  # login CSRF: only our own sign-in page starts one
        ceremony, options = passkeys.signin_options(registry, site_of(settings))
    except SincerityError as exc:
        return failed(exc)
    return with_ceremony(request, settings, ceremony, options)


@router.post("/webauthn/signin/verify", response_model=None)
def signin_verify(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    credential: Credential,
    sincerity_ceremony: Annotated[str | None, Cookie()] = None,
) -> Response:
    try:
        from_this_site(request, settings)
        token, opened = passkeys.finish_signin(
            registry, site_of(settings), sincerity_ceremony, credential
        )
    except SincerityError as exc:
        return failed(exc)
    return signed_in(request, settings, token, opened)


def account_context(registry: Any, session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "session": session,
        "passkeys": passkeys.passkeys_of(registry, session.person_id) if session.person_id else [],
        "can_invite": session.actor.kind in ("source", "relying_party", "operator"),
        **extra,
    }


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, registry: RegistryDep, session: OptionalSession) -> HTMLResponse:
    return render(request, "account.html", **account_context(registry, need_signed_in(session)))


@router.post("/account/passkeys/remove", response_class=HTMLResponse)
def remove(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    credential_id: Annotated[str, Form(max_length=400)],
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    session = need_signed_in(session)
    check_csrf(session, None, x_csrf_token)
    if session.person_id is None:
        raise PermissionDeniedError("sign in with a passkey to manage passkeys")
    passkeys.remove_passkey(registry, session.person_id, credential_id)
    return render(request, "_passkeys.html", **account_context(registry, session))


@router.post("/account/signout-everywhere", response_model=None)
def signout_everywhere(
    registry: RegistryDep,
    session: OptionalSession,
    csrf: Annotated[str | None, Form()] = None,
) -> Response:
    from fastapi.responses import RedirectResponse

    from sincerity.web.pages import COOKIE

    session = need_signed_in(session)
    check_csrf(session, csrf, None)
    if session.person_id is None:
        raise PermissionDeniedError("sign in with a passkey to sign out everywhere")
    passkeys.sign_out_everywhere(registry, session.person_id)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.post("/invitations", response_class=HTMLResponse)
def make_invitation(
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    session: OptionalSession,
    name: Annotated[str, Form(max_length=200)] = "",
    actor_kind: Annotated[str | None, Form(max_length=20)] = None,
    actor_id: Annotated[str | None, Form(max_length=128)] = None,
    person_id: Annotated[str | None, Form(max_length=32)] = None,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """An invitation link: the operator's for anyone (a new person, or a new passkey for one
    who lost theirs), staff's for a colleague."""
    session = need_signed_in(session)
    check_csrf(session, None, x_csrf_token)
    kind = actor_kind or session.actor.kind
    party = actor_id or session.actor.id
    if person_id:
        if session.actor.kind != "operator":
            raise PermissionDeniedError("only the operator issues recovery invitations")
        known = {p.id: p.name for p in passkeys.people_of(registry, kind, party)}
        name = known.get(person_id, name)
    _, token = passkeys.invite(registry, session.actor, kind, party, name, person_id or None)
    link = f"{settings.public_url.rstrip('/')}/invite/{token}"
    return render(
        request, "_invitation.html", link=link, invitee=name, days=passkeys.INVITATION_DAYS
    )


@router.get("/invitations/people", response_class=HTMLResponse)
def people(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    actor_kind: Annotated[str, Query(max_length=20)],
    actor_id: Annotated[str, Query(max_length=128)] = "",
    person_id: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    """For the operator's invitation form: who already signs in for the party (recovery).

    The list is refreshed as the operator types; the person already chosen stays chosen when
    they are still in it, so a refresh arriving late never turns a recovery into a new person."""
    session = need_signed_in(session)
    if session.actor.kind != "operator":
        raise PermissionDeniedError("only the operator issues recovery invitations")
    party = "operator" if actor_kind == "operator" else actor_id.strip()
    found = passkeys.people_of(registry, actor_kind, party) if party else []
    return render(request, "_invite_people.html", people=found, chosen=person_id)
