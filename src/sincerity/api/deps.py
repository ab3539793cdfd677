"""Dependencies with short names: RegistryDep, CurrentActor, and one per role."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from sincerity.api.errors import RateLimitedError
from sincerity.api.settings import Settings
from sincerity.core.errors import PermissionDeniedError
from sincerity.services import Registry
from sincerity.services.keys import Actor, authenticate

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer sk_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False)


class RateLimiter:
    """A token bucket per API key: `per_minute` sustained, `burst` at once. In-process."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise RateLimitedError(max(1, int((1.0 - tokens) / self.rate) + 1))
            self._buckets[key] = (tokens - 1.0, now)


def limit_by_client(request: Request, scope: str) -> None:
    """Rate-limit a request that needs no key (verifying a proof, a lab run) by client address."""
    client = request.client.host if request.client else "unknown"
    request.app.state.rate_limiter.take(f"{scope}:{client}")


def get_registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


RegistryDep = Annotated[Registry, Depends(get_registry)]
MAX_INT_ID = 2_147_483_647  # ids are 32-bit integers on every backend
IntId = Annotated[int, Path(ge=1, le=MAX_INT_ID)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def current_actor(
    request: Request,
    registry: RegistryDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Actor:
    key = bearer.credentials if bearer is not None else header_key
    with registry.engine.connect() as conn:
        actor = authenticate(conn, key)
    request.app.state.rate_limiter.take(actor.key_id)
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def role(kind: str, label: str) -> Callable[[Actor], Actor]:
    def require(actor: CurrentActor) -> Actor:
        if actor.kind != kind:
            raise PermissionDeniedError(f"this endpoint is for {label}")
        return actor

    return require


OperatorActor = Annotated[Actor, Depends(role("operator", "the operator"))]
SourceActor = Annotated[Actor, Depends(role("source", "sources"))]
SubjectActor = Annotated[Actor, Depends(role("subject", "subjects"))]
RelyingPartyActor = Annotated[Actor, Depends(role("relying_party", "relying parties"))]
