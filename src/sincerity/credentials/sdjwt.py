"""SD-JWT (RFC 9901) with Ed25519 (RFC 9864 "Ed25519" JWS algorithm) and key binding.

Issuance: an issuer-signed JWT whose selectively disclosable claims appear only as digests in
`_sd`; each claim travels in a Disclosure `base64url([salt, name, value])`. Presentation: the
holder keeps the Disclosures it chooses and appends a key-binding JWT (KB-JWT) signed with the
key in `cnf`, naming the verifier (`aud`), a `nonce` and `sd_hash` over what it presents. A claim
whose Disclosure is left out cannot be recovered: its digest is salted with 128 random bits.

Everything here is pure but for the salts: the time is passed in, keys are passed in.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from sincerity.credentials.encoding import b64url, b64url_decode, json_bytes

ALGORITHM = "Ed25519"
ACCEPTED_ALGORITHMS = ("Ed25519", "EdDSA")  # EdDSA: the older name of the same signature
SD_JWT_TYPE = "dc+sd-jwt"
KB_JWT_TYPE = "kb+jwt"
MAX_PRESENTATION_CHARS = 64_000
RESERVED = frozenset({"_sd", "_sd_alg", "...", "iss", "iat", "exp", "nbf", "cnf", "status", "vct"})


def disclosure_digest(disclosure: str) -> str:
    """base64url(SHA-256(ASCII(disclosure))), over the encoded form (RFC 9901 section 4.2.3)."""
    return b64url(hashlib.sha256(disclosure.encode("ascii")).digest())


def make_disclosure(name: str, value: Any, salt: str | None = None) -> str:
    """A Disclosure for an object property."""
    salt = salt if salt is not None else b64url(secrets.token_bytes(16))
    return b64url(json_bytes([salt, name, value]))


def read_disclosure(disclosure: str) -> tuple[str, str | None, Any]:
    """(salt, name, value) of an object-property Disclosure, (salt, None, value) of an array
    element's; ValueError for anything else."""
    decoded = json.loads(b64url_decode(disclosure))
    if (
        not isinstance(decoded, list)
        or len(decoded) not in (2, 3)
        or not isinstance(decoded[0], str)
    ):
        raise ValueError("a Disclosure is a JSON array [salt, name, value] or [salt, value]")
    if len(decoded) == 2:
        return decoded[0], None, decoded[1]
    if not isinstance(decoded[1], str):
        raise ValueError("a Disclosure's claim name must be a string")
    return decoded[0], decoded[1], decoded[2]


def sign_jwt(header: dict[str, Any], payload: dict[str, Any], key: OKPKey) -> str:
    """A compact JWS of `payload` (JSON) under `header`, signed with an Ed25519 key."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jws.serialize_compact(header, json_bytes(payload), key, algorithms=[ALGORITHM])


def issue(
    claims: Mapping[str, Any],
    disclosable: Mapping[str, Any],
    issuer_key: OKPKey,
    kid: str,
    holder_jwk: Mapping[str, Any],
) -> tuple[str, list[str]]:
    """An SD-JWT (`<jwt>~<d1>~...~`) and its Disclosures. `claims` are always visible (iss, iat,
    exp, status ...); each of `disclosable` can be disclosed or withheld by the holder."""
    clash = sorted(set(disclosable) & (RESERVED | set(claims)))
    if clash:
        raise ValueError(f"claims cannot be both visible and disclosable: {', '.join(clash)}")
    disclosures = [make_disclosure(name, value) for name, value in disclosable.items()]
    digests = sorted(disclosure_digest(d) for d in disclosures)  # sorted: order reveals nothing
    payload = {**claims, "_sd": digests, "_sd_alg": "sha-256", "cnf": {"jwk": dict(holder_jwk)}}
    token = sign_jwt({"alg": ALGORITHM, "typ": SD_JWT_TYPE, "kid": kid}, payload, issuer_key)
    return token + "~" + "".join(d + "~" for d in disclosures), disclosures


def split(sd_jwt: str) -> tuple[str, list[str], str]:
    """(issuer JWT, Disclosures, KB-JWT or "") of an SD-JWT or a presentation."""
    parts = sd_jwt.split("~")
    if len(parts) < 2:
        raise ValueError("an SD-JWT has the form <jwt>~<disclosure>~...~[<kb-jwt>]")
    return parts[0], [p for p in parts[1:-1]], parts[-1]


def present(
    sd_jwt: str,
    disclose: Iterable[str],
    holder_key: OKPKey,
    audience: str,
    nonce: str,
    now: int,
) -> str:
    """A presentation disclosing only the claims named in `disclose`, bound to `audience`."""
    wanted = set(disclose)
    issuer_jwt, disclosures, _ = split(sd_jwt)
    kept = []
    for disclosure in disclosures:
        _, name, _ = read_disclosure(disclosure)
        if name in wanted:
            kept.append(disclosure)
            wanted.discard(name)
    if wanted:
        raise ValueError(f"the credential has no claim named {', '.join(sorted(wanted))}")
    unbound = issuer_jwt + "~" + "".join(d + "~" for d in kept)
    kb_payload = {
        "iat": now,
        "aud": audience,
        "nonce": nonce,
        "sd_hash": b64url(hashlib.sha256(unbound.encode("ascii")).digest()),
    }
    return unbound + sign_jwt({"alg": ALGORITHM, "typ": KB_JWT_TYPE}, kb_payload, holder_key)


@dataclass(frozen=True)
class Verified:
    """The outcome of verifying a presentation. `reason` says exactly why it failed."""

    valid: bool
    reason: str
    claims: dict[str, Any] = field(default_factory=dict)
    issuer: str | None = None
    kid: str | None = None
    issued_at: int | None = None
    expires_at: int | None = None
    audience: str | None = None
    status_checked: bool = False
    bound: bool = False
    status_note: str | None = None


def unwrap_link(text: str) -> str:
    """The presentation itself, whether given bare or as a verification link
    (`https://registry/verify#<presentation>`): a presentation never contains '#'."""
    text = text.strip()
    if "#" in text:
        from urllib.parse import unquote

        text = unquote(text.rsplit("#", 1)[1]).strip()
    return text


NOT_BOUND = (
    "not bound to you: checked without your audience and nonce, so anyone who saw this "
    "presentation could show it to you; send the subject a presentation request and check the "
    "answer"
)


def _fail(reason: str, **known: Any) -> Verified:
    return Verified(False, reason, **known)


def verify_jwt(token: str, keys: Mapping[str, OKPKey], typ: str) -> dict[str, Any]:
    """The payload of a compact JWS of type `typ` signed by one of `keys` (by kid); ValueError
    naming what is wrong otherwise."""
    try:
        header = _header(token.strip())
        key = keys[header["kid"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not signed by a known key of the registry ({exc})") from None
    if header.get("typ") != typ:
        raise ValueError(f"not a {typ} token (typ {header.get('typ')!r})")
    try:
        return _verify_jws(token.strip(), key)[1]
    except JoseError:
        raise ValueError("the signature does not verify") from None


def _verify_jws(token: str, key: OKPKey) -> tuple[dict[str, Any], dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = jws.deserialize_compact(token, key, algorithms=list(ACCEPTED_ALGORITHMS))
    payload = json.loads(obj.payload)
    if not isinstance(payload, dict):
        raise ValueError("the JWT payload is not a JSON object")
    return obj.headers(), payload


def _header(token: str) -> dict[str, Any]:
    pieces = token.split(".")
    if len(pieces) != 3:
        raise ValueError("not a compact JWS (three dot-separated parts)")
    header = json.loads(b64url_decode(pieces[0]))
    if not isinstance(header, dict):
        raise ValueError("the JWS header is not a JSON object")
    return header


StatusLookup = Callable[[Mapping[str, Any]], bool | None]


def verify(
    presentation: str,
    keys: Mapping[str, OKPKey],
    now: int,
    audience: str | None = None,
    nonce: str | None = None,
    max_kb_age: int = 300,
    leeway: int = 60,
    is_revoked: StatusLookup | None = None,
) -> Verified:
    """Verify a presentation against the issuer's public keys by kid. Never raises."""
    try:
        return _verify(presentation, keys, now, audience, nonce, max_kb_age, leeway, is_revoked)
    except Exception as exc:  # any malformed input is a clear refusal, never a crash
        return _fail(f"malformed presentation: {type(exc).__name__}: {str(exc)[:200]}")


def _verify(
    presentation: str,
    keys: Mapping[str, OKPKey],
    now: int,
    audience: str | None,
    nonce: str | None,
    max_kb_age: int,
    leeway: int,
    is_revoked: StatusLookup | None,
) -> Verified:
    if not isinstance(presentation, str) or not presentation.strip():
        return _fail("malformed presentation: empty")
    presentation = unwrap_link(presentation)
    if len(presentation) > MAX_PRESENTATION_CHARS:
        return _fail("malformed presentation: too long")
    issuer_jwt, disclosures, kb_jwt = split(presentation)
    header = _header(issuer_jwt)
    if header.get("alg") not in ACCEPTED_ALGORITHMS:
        return _fail(f"unsupported signature algorithm {header.get('alg')!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in keys:
        return _fail(f"unknown key id {kid!r}: not among the issuer's published keys")
    try:
        _, payload = _verify_jws(issuer_jwt, keys[kid])
    except JoseError:
        return _fail(
            "the issuer's signature does not verify: "
            "the credential was altered or signed by another key",
            kid=kid,
        )
    known: dict[str, Any] = {
        "kid": kid,
        "issuer": payload.get("iss"),
        "issued_at": payload.get("iat"),
        "expires_at": payload.get("exp"),
    }
    if header.get("typ") != SD_JWT_TYPE:
        return _fail(f"not an SD-JWT credential (typ {header.get('typ')!r})", **known)
    exp, iat = payload.get("exp"), payload.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int):
        return _fail("the credential has no valid iat/exp", **known)
    if now > exp + leeway:
        return _fail(f"expired {now - exp} seconds ago", **known)
    if iat > now + leeway:
        return _fail("issued in the future", **known)
    if payload.get("_sd_alg", "sha-256") != "sha-256":
        return _fail(f"unsupported digest algorithm {payload.get('_sd_alg')!r}", **known)
    digests = payload.get("_sd", [])
    if not isinstance(digests, list):
        return _fail("malformed credential: _sd is not a list", **known)
    claims = {k: v for k, v in payload.items() if k not in ("_sd", "_sd_alg", "cnf")}
    seen: set[str] = set()
    for disclosure in disclosures:
        digest = disclosure_digest(disclosure)
        if digest not in digests:
            return _fail("a disclosure was altered or does not belong to this credential", **known)
        if digest in seen:
            return _fail("a disclosure is presented twice", **known)
        seen.add(digest)
        _, name, value = read_disclosure(disclosure)
        if name is None or name in RESERVED or name in claims:
            return _fail(f"disclosure for a reserved or duplicate claim {name!r}", **known)
        claims[name] = value
    if not kb_jwt:
        return _fail("no key-binding JWT: a presentation must be bound to its verifier", **known)
    holder = payload.get("cnf", {}).get("jwk") if isinstance(payload.get("cnf"), dict) else None
    if not isinstance(holder, dict):
        return _fail("the credential names no holder key (cnf)", **known)
    holder_key = OKPKey.import_key(holder)
    try:
        kb_header, kb = _verify_jws(kb_jwt, holder_key)
    except JoseError:
        return _fail("the key-binding JWT is not signed by the holder's key", **known)
    if kb_header.get("typ") != KB_JWT_TYPE:
        return _fail("the key-binding JWT has the wrong type", **known)
    unbound = presentation[: len(presentation) - len(kb_jwt)]
    if kb.get("sd_hash") != b64url(hashlib.sha256(unbound.encode("ascii")).digest()):
        return _fail(
            "the key-binding JWT does not cover these disclosures (sd_hash mismatch)", **known
        )
    known["audience"] = kb.get("aud")
    if audience is not None and kb.get("aud") != audience:
        return _fail(
            f"presented to {kb.get('aud')!r}, not to {audience!r}: a replay to another verifier",
            **known,
        )
    if nonce is not None and kb.get("nonce") != nonce:
        return _fail(
            "the nonce does not match this verifier's challenge (stale or replayed)", **known
        )
    kb_iat = kb.get("iat")
    if not isinstance(kb_iat, int) or kb_iat > now + leeway or now - kb_iat > max_kb_age:
        return _fail(
            f"the presentation is stale (made more than {max_kb_age} seconds ago)", **known
        )
    checked = False
    if is_revoked is not None and isinstance(payload.get("status"), dict):
        revoked = is_revoked(payload["status"])
        if revoked:
            return _fail("revoked by the issuer", **known)
        checked = revoked is not None
    if audience is None or nonce is None:
        # Signed and intact, but nothing ties it to this verifier: whoever saw it may replay it.
        return Verified(False, NOT_BOUND, claims=claims, status_checked=checked, **known)
    return Verified(True, "valid", claims=claims, status_checked=checked, bound=True, **known)
