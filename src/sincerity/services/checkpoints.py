"""Checkpoints: signed tree heads of the access log, and checking the log against one.

A checkpoint is a compact JWS (typ `checkpoint+jwt`) over the log's size and Merkle root, signed
with the registry's attestation key (sealed at rest, so a copy of the database cannot forge one).
A verifier keeps checkpoints; later, `verify_log` proves the log extends each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sincerity.core.errors import InvalidInputError
from sincerity.credentials import keys as jwk_keys
from sincerity.credentials.sdjwt import ALGORITHM, sign_jwt, verify_jwt
from sincerity.services import access_log
from sincerity.services.attest import all_public_keys, current_signing_key
from sincerity.services.registry import Registry

CHECKPOINT_TYPE = "checkpoint+jwt"


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head, and what it says."""

    token: str
    tree_size: int
    root_hash: str
    issued_at: int
    kid: str


def sign_checkpoint(registry: Registry, issuer: str) -> Checkpoint:
    """Sign today's tree head of the access log."""
    access_log.sequence_log(registry)
    with registry.engine.connect() as conn:
        state = access_log.verify(conn)
    if not state.ok:  # never sign a log that does not agree with itself
        raise InvalidInputError(f"the access log is inconsistent: {state.problem}")
    return _sign_head(registry, issuer, state.entries, state.root_hash)


def signed_inclusion(
    registry: Registry, seq: int, subject_id: str, issuer: str
) -> tuple[access_log.InclusionProof, Checkpoint]:
    """An inclusion proof of one of the subject's entries and a checkpoint of the very tree it
    was computed on (one read of the log: the two cannot describe different trees)."""
    access_log.sequence_log(registry)
    with registry.engine.connect() as conn:
        proof = access_log.checked_inclusion(conn, seq, subject_id)
    return proof, _sign_head(registry, issuer, proof.tree_size, proof.root_hash)


def _sign_head(registry: Registry, issuer: str, size: int, root_hash: str) -> Checkpoint:
    kid, key = current_signing_key(registry)
    now = int(registry.now().timestamp())
    payload = {"iss": issuer, "tree_size": size, "root_hash": root_hash, "iat": now}
    token = sign_jwt({"alg": ALGORITHM, "typ": CHECKPOINT_TYPE, "kid": kid}, payload, key)
    return Checkpoint(token, size, root_hash, now, kid)


def read_checkpoint(token: str, jwks: dict[str, Any]) -> Checkpoint:
    """A checkpoint whose signature verifies against `jwks`; InvalidInputError otherwise."""
    keys = jwk_keys.keys_by_kid(jwks)
    try:
        payload = verify_jwt(token, keys, CHECKPOINT_TYPE)
    except ValueError as exc:
        raise InvalidInputError(f"the checkpoint is not valid: {exc}") from None
    size, root = payload.get("tree_size"), payload.get("root_hash")
    if not isinstance(size, int) or size < 0 or not isinstance(root, str) or len(root) != 64:
        raise InvalidInputError("the checkpoint has no valid tree_size and root_hash")
    kid = token.split(".")[0]
    return Checkpoint(token.strip(), size, root, int(payload.get("iat", 0)), kid)


def verify_log(
    registry: Registry, token: str, jwks: dict[str, Any] | None = None
) -> access_log.Verification:
    """Whether today's log is an append-only extension of the checkpoint `token`, whose
    signature is checked against `jwks` (the keys the verifier kept) or every key the
    registry has signed with."""
    checkpoint = read_checkpoint(token, jwks if jwks is not None else all_public_keys(registry))
    access_log.sequence_log(registry)
    with registry.engine.connect() as conn:
        return access_log.verify_extends(conn, checkpoint.tree_size, checkpoint.root_hash)
