"""IETF Token Status List: one bit per credential (1 = revoked), zlib-compressed, base64url.

Bit i of the list is bit (i mod 8) of byte (i div 8), least significant first, as the
specification lays it out.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sincerity.credentials.encoding import b64url, b64url_decode

VALID = 0
REVOKED = 1


@dataclass
class StatusList:
    """A list of one-bit statuses."""

    data: bytearray

    @classmethod
    def empty(cls, size: int) -> StatusList:
        return cls(bytearray((size + 7) // 8))

    @property
    def size(self) -> int:
        return len(self.data) * 8

    def get(self, index: int) -> int:
        if not 0 <= index < self.size:
            raise IndexError(f"status index {index} is outside the list (size {self.size})")
        return (self.data[index // 8] >> (index % 8)) & 1

    def set(self, index: int, value: int) -> None:
        if not 0 <= index < self.size:
            raise IndexError(f"status index {index} is outside the list (size {self.size})")
        if value:
            self.data[index // 8] |= 1 << (index % 8)
        else:
            self.data[index // 8] &= ~(1 << (index % 8)) & 0xFF

    def encode(self) -> dict[str, object]:
        """The `status_list` claim: {"bits": 1, "lst": base64url(zlib(bytes))}."""
        return {"bits": 1, "lst": b64url(zlib.compress(bytes(self.data), 9))}

    @classmethod
    def decode(cls, claim: object) -> StatusList:
        """Read a `status_list` claim; ValueError when it is not one."""
        if (
            not isinstance(claim, dict)
            or claim.get("bits") != 1
            or not isinstance(claim.get("lst"), str)
        ):
            raise ValueError("not a one-bit status list")
        try:
            return cls(bytearray(zlib.decompress(b64url_decode(claim["lst"]))))
        except zlib.error as exc:
            raise ValueError(f"status list does not decompress: {exc}") from None


def lookup_in(status: StatusList, uri: str | None = None) -> Callable[[Any], bool | None]:
    """A revocation check for `verify`: reads a credential's `status` claim against this list
    (None when the claim names no index in it, or, with `uri`, names another list)."""

    def is_revoked(reference: Any) -> bool | None:
        entry = reference.get("status_list") if isinstance(reference, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("idx"), int):
            return None
        if uri is not None and entry.get("uri") != uri:
            return None
        if not 0 <= entry["idx"] < status.size:
            return None
        return status.get(entry["idx"]) == REVOKED

    return is_revoked


@dataclass(frozen=True)
class StatusListToken:
    """A verified status list token: the list, and how long it may be relied on."""

    status: StatusList
    issued_at: int
    ttl: int | None
    expires_at: int | None
    subject: str | None = None  # the list's URI, which credentials name in their status claim

    def stale_reason(self, now: int, leeway: int = 60) -> str | None:
        """Why the list may no longer be relied on at `now`, or None while it is fresh."""
        if self.issued_at > now + leeway:
            return "the status list claims to be issued in the future"
        if self.expires_at is not None and now > self.expires_at + leeway:
            return f"the status list expired {now - self.expires_at} seconds ago"
        if self.ttl is not None and now > self.issued_at + self.ttl + leeway:
            age = now - self.issued_at
            return (
                f"the status list is stale: issued {age} seconds ago, "
                f"to be refetched after {self.ttl}"
            )
        return None


def read_status_list_token(token: str, keys: Mapping[str, Any]) -> StatusListToken:
    """The status list of a `statuslist+jwt` signed by one of `keys` (by kid), with its `iat`,
    `ttl` and `exp`; ValueError if the token is malformed, of another type, or not signed by a
    known key."""
    import json
    import warnings

    from joserfc import jws
    from joserfc.errors import JoseError

    try:
        header = json.loads(b64url_decode(token.split(".")[0]))
        key = keys[header["kid"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            token_obj = jws.deserialize_compact(token.strip(), key, algorithms=["Ed25519", "EdDSA"])
    except (KeyError, TypeError, ValueError, IndexError, JoseError) as exc:
        raise ValueError(f"the status list token does not verify: {exc}") from None
    if token_obj.headers().get("typ") != "statuslist+jwt":
        raise ValueError("not a status list token (typ statuslist+jwt)")
    payload = json.loads(token_obj.payload)
    if not isinstance(payload, dict) or not isinstance(payload.get("iat"), int):
        raise ValueError("the status list token has no issue time (iat)")
    ttl, exp = payload.get("ttl"), payload.get("exp")
    return StatusListToken(
        StatusList.decode(payload.get("status_list")),
        payload["iat"],
        ttl if isinstance(ttl, int) and ttl > 0 else None,
        exp if isinstance(exp, int) else None,
        payload["sub"] if isinstance(payload.get("sub"), str) else None,
    )
