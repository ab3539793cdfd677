"""Every caller's own keys: rotate, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sincerity.api.deps import CurrentActor, RegistryDep
from sincerity.api.errors import ERROR_RESPONSES
from sincerity.api.models import KeyOut
from sincerity.services.keys import revoke_key, rotate_key

router = APIRouter(prefix="/v1/keys", tags=["keys"], responses=ERROR_RESPONSES)


@router.post("/rotate", response_model=KeyOut)
def rotate(registry: RegistryDep, actor: CurrentActor) -> KeyOut:
    """A new key for the caller; the key used for this request stops working."""
    with registry.transaction() as conn:
        return KeyOut(api_key=rotate_key(conn, actor, registry.now()))


@router.delete("/{key_id}", status_code=204, response_class=Response)
def revoke(key_id: str, registry: RegistryDep, actor: CurrentActor) -> Response:
    """Revoke one of the caller's keys (the operator may revoke any key)."""
    with registry.transaction() as conn:
        revoke_key(conn, key_id, actor, registry.now())
    return Response(status_code=204)
