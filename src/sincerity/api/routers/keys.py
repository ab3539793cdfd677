"""Every caller's own keys: rotate, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sincerity.api.deps import CurrentActor, RegistryDep
from sincerity.api.errors import ERROR_RESPONSES
from sincerity.api.models import KeyOut
from sincerity.services.keys import revoke_a_key, rotate_own_key

router = APIRouter(prefix="/v1/keys", tags=["keys"], responses=ERROR_RESPONSES)


@router.post("/rotate", response_model=KeyOut)
def rotate(registry: RegistryDep, actor: CurrentActor) -> KeyOut:
    """A new key for the caller; the key used for this request stops working."""
    return KeyOut(api_key=rotate_own_key(registry, actor))


@router.delete("/{key_id}", status_code=204, response_class=Response)
def revoke(key_id: str, registry: RegistryDep, actor: CurrentActor) -> Response:
    """Revoke one of the caller's keys (the operator may revoke any key)."""
    revoke_a_key(registry, key_id, actor)
    return Response(status_code=204)
