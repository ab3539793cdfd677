"""Ed25519 signing keys and the JWKS the registry publishes."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from joserfc.jwk import OKPKey


def new_key(kid: str | None = None) -> OKPKey:
    """A fresh Ed25519 key with a key id."""
    kid = kid or secrets.token_hex(8)
    return OKPKey.generate_key("Ed25519", parameters={"kid": kid, "use": "sig", "alg": "Ed25519"})


def public_jwk(key: OKPKey) -> dict[str, Any]:
    """The public half, as a JWK."""
    return dict(key.as_dict(private=False))


def private_jwk(key: OKPKey) -> dict[str, Any]:
    """The whole key, as a JWK (keep it secret)."""
    return dict(key.as_dict(private=True))


def import_jwk(data: Mapping[str, Any]) -> OKPKey:
    """An Ed25519 key from a JWK; ValueError for anything else."""
    if data.get("kty") != "OKP" or data.get("crv") != "Ed25519":
        raise ValueError("only Ed25519 keys (kty OKP, crv Ed25519) are accepted")
    return OKPKey.import_key(dict(data))


def jwks(keys: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A JWK Set of public keys."""
    return {"keys": [dict(k) for k in keys]}


def keys_by_kid(jwks_document: Mapping[str, Any]) -> dict[str, OKPKey]:
    """The usable Ed25519 keys of a JWK Set, by kid."""
    found: dict[str, OKPKey] = {}
    for entry in jwks_document.get("keys", []):
        if isinstance(entry, dict) and isinstance(entry.get("kid"), str):
            try:
                found[entry["kid"]] = import_jwk({k: v for k, v in entry.items() if k != "d"})
            except Exception:  # a key of another kind in the set is not ours to use
                continue
    return found
