"""The access log as a transparency log: signed checkpoints, consistency and inclusion proofs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from sincerity.api.deps import IntId, RegistryDep, SettingsDep, SubjectActor, limit_by_client
from sincerity.api.errors import ERROR_RESPONSES
from sincerity.services import access_log
from sincerity.services.attest import all_public_keys
from sincerity.services.checkpoints import sign_checkpoint, signed_inclusion

router = APIRouter(tags=["audit"], responses=ERROR_RESPONSES)


class CheckpointOut(BaseModel):
    checkpoint: str = Field(description="A signed tree head (JWS, typ checkpoint+jwt). Keep it.")
    tree_size: int
    root_hash: str
    jwks: dict[str, Any] = Field(description="The keys that may have signed checkpoints.")


ConsistencyOut = access_log.ConsistencyProof


@dataclass(frozen=True)
class InclusionOut(access_log.InclusionProof):
    """An inclusion proof with a checkpoint of the same tree, signed now."""

    checkpoint: str


@router.get("/v1/audit/checkpoint", response_model=CheckpointOut)
def checkpoint(request: Request, registry: RegistryDep, settings: SettingsDep) -> CheckpointOut:
    """The access log's current signed tree head. No account needed; it holds no one's data."""
    limit_by_client(request, "audit")
    signed = sign_checkpoint(registry, settings.public_url)
    return CheckpointOut(
        checkpoint=signed.token,
        tree_size=signed.tree_size,
        root_hash=signed.root_hash,
        jwks=all_public_keys(registry),
    )


@router.get("/v1/audit/consistency", response_model=ConsistencyOut)
def consistency(
    request: Request,
    registry: RegistryDep,
    old_size: Annotated[int, Query(alias="from", ge=1, le=2_147_483_647)],
) -> ConsistencyOut:
    """Proof that the log of `from` entries (an earlier checkpoint) is a prefix of today's."""
    limit_by_client(request, "audit")
    return access_log.consistency_proof(registry, old_size)


@router.get("/v1/me/access-log/{seq}/proof", response_model=InclusionOut)
def inclusion(
    seq: IntId, registry: RegistryDep, settings: SettingsDep, subject: SubjectActor
) -> InclusionOut:
    """Proof that an entry about you is in the log whose head the registry signs."""
    proof, signed = signed_inclusion(registry, seq, subject.id, settings.public_url)
    return InclusionOut(**asdict(proof), checkpoint=signed.token)
