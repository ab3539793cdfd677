"""Dependencies with short names: RegistryDep, CurrentActor, and one per role."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from sincerity.api.settings import Settings
from sincerity.core.errors import AuthenticationError, PermissionDeniedError
from sincerity.services import Registry
from sincerity.services.keys import Actor, authenticate_key
from sincerity.services.rate_limits import RateLimits

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer sk_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit_by_client(request: Request, scope: str) -> None:
    """Rate-limit a request that needs no key (verifying a proof, a lab run) by client address."""
    limits: RateLimits = request.app.state.rate_limits
    limits.take(f"{scope}:{client_address(request)}", request.app.state.client_limit)


def authenticate_request(request: Request, registry: Registry, key: str | None) -> Actor:
    """The actor behind `key`; failed attempts are limited per client address, and an address
    that used up its failures is refused even with a valid key until its bucket refills."""
    limits: RateLimits = request.app.state.rate_limits
    failures = f"auth-failure:{client_address(request)}"
    limits.check(failures, request.app.state.failure_limit)
    try:
        return authenticate_key(registry, key)
    except AuthenticationError:
        limits.take(failures, request.app.state.failure_limit)
        raise


# Dependencies that do no I/O are coroutines: FastAPI runs a plain `def` dependency in the
# thread pool, and that hop cost more than the work in every request.


async def get_registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


RegistryDep = Annotated[Registry, Depends(get_registry)]
MAX_INT_ID = 2_147_483_647  # ids are 32-bit integers on every backend
IntId = Annotated[int, Path(ge=1, le=MAX_INT_ID)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def api_key(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> str | None:
    """The key a request carries (Bearer or X-API-Key), unchecked."""
    return bearer.credentials if bearer is not None else header_key


ApiKey = Annotated[str | None, Depends(api_key)]


def actor_for(request: Request, registry: Registry, key: str | None) -> Actor:
    """The authenticated actor behind `key`, counted against its party's rate limit (by party,
    not by key: rotating a key does not refill the bucket). Does I/O: call it in a thread."""
    actor = authenticate_request(request, registry, key)
    limits: RateLimits = request.app.state.rate_limits
    limits.take(f"party:{actor.kind}:{actor.id}", request.app.state.party_limit, lease=True)
    return actor


def require_kind(actor: Actor, kind: str, label: str) -> Actor:
    """`actor`, if it is of `kind`; else PermissionDeniedError naming who the endpoint is for."""
    if actor.kind != kind:
        raise PermissionDeniedError(f"this endpoint is for {label}")
    return actor


def current_actor(request: Request, registry: RegistryDep, key: ApiKey) -> Actor:
    return actor_for(request, registry, key)


CurrentActor = Annotated[Actor, Depends(current_actor)]


def role(kind: str, label: str) -> Callable[[Actor], Coroutine[Any, Any, Actor]]:
    async def require(actor: CurrentActor) -> Actor:
        return require_kind(actor, kind, label)

    return require


OperatorActor = Annotated[Actor, Depends(role("operator", "the operator"))]
SourceActor = Annotated[Actor, Depends(role("source", "sources"))]
SubjectActor = Annotated[Actor, Depends(role("subject", "subjects"))]
RelyingPartyActor = Annotated[Actor, Depends(role("relying_party", "relying parties"))]
