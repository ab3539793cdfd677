"""Envelope encryption of private keys at rest (AES-256-GCM).

Each private key is encrypted with its own data key; the data key is wrapped by the registry's
key-encryption key (KEK), which lives outside the database (a file or an environment variable).
A copy of the database alone therefore holds no usable private key, and rotating the KEK only
rewraps the data keys. The key id is bound into both encryptions as associated data, so a
ciphertext moved to another key's row does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
KEK_BYTES = 32


class KeyDecryptionError(ValueError):
    """A sealed key could not be opened: the wrong KEK, or the row was altered."""


def new_kek() -> bytes:
    """A fresh random key-encryption key."""
    return secrets.token_bytes(KEK_BYTES)


def kek_id(kek: bytes) -> str:
    """A short public fingerprint of a KEK, stored with what it wrapped."""
    return hashlib.sha256(b"sincerity-kek:" + kek).hexdigest()[:16]


def encode_kek(kek: bytes) -> str:
    """A KEK as text (for a file or an environment variable)."""
    return base64.urlsafe_b64encode(kek).decode()


def decode_kek(text: str) -> bytes:
    """A KEK from its text form; ValueError with the reason when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError):
        raise ValueError("the key-encryption key is not base64url text") from None
    if len(raw) != KEK_BYTES:
        raise ValueError(f"the key-encryption key must be {KEK_BYTES} bytes (got {len(raw)})")
    return raw


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


def is_sealed(stored: str) -> bool:
    """Whether a stored value is sealed (not a plaintext key)."""
    return stored.startswith(PREFIX)


def seal(plaintext: str, kek: bytes, label: str) -> str:
    """Encrypt `plaintext` under a fresh data key wrapped by `kek`; `label` (the key id) is
    bound as associated data."""
    dek = AESGCM.generate_key(bit_length=256)
    nonce, wrap_nonce = secrets.token_bytes(12), secrets.token_bytes(12)
    aad = label.encode()
    envelope = {
        "kek": kek_id(kek),
        "wrap_nonce": _b64(wrap_nonce),
        "dek": _b64(AESGCM(kek).encrypt(wrap_nonce, dek, aad)),
        "nonce": _b64(nonce),
        "ct": _b64(AESGCM(dek).encrypt(nonce, plaintext.encode(), aad)),
    }
    return PREFIX + json.dumps(envelope, sort_keys=True, separators=(",", ":"))


def _envelope(stored: str) -> dict[str, str]:
    if not is_sealed(stored):
        raise KeyDecryptionError("the stored key is not sealed")
    try:
        data = json.loads(stored[len(PREFIX) :])
    except ValueError:
        raise KeyDecryptionError("the sealed key is malformed") from None
    if not isinstance(data, dict):
        raise KeyDecryptionError("the sealed key is malformed")
    return data


def _unwrap(envelope: dict[str, str], kek: bytes, label: str) -> bytes:
    if envelope.get("kek") != kek_id(kek):
        raise KeyDecryptionError(
            f"this key was sealed with another key-encryption key ({envelope.get('kek')}); "
            f"the one given is {kek_id(kek)}"
        )
    try:
        return AESGCM(kek).decrypt(
            _unb64(envelope["wrap_nonce"]), _unb64(envelope["dek"]), label.encode()
        )
    except (InvalidTag, KeyError, ValueError):
        raise KeyDecryptionError(
            "the sealed key does not open: altered, or moved from another row"
        ) from None


def open_sealed(stored: str, kek: bytes, label: str) -> str:
    """Decrypt a sealed value; KeyDecryptionError when the KEK is wrong or the row altered."""
    envelope = _envelope(stored)
    dek = _unwrap(envelope, kek, label)
    try:
        return (
            AESGCM(dek)
            .decrypt(_unb64(envelope["nonce"]), _unb64(envelope["ct"]), label.encode())
            .decode()
        )
    except (InvalidTag, KeyError, ValueError):
        raise KeyDecryptionError(
            "the sealed key does not open: altered, or moved from another row"
        ) from None


def rewrap(stored: str, old_kek: bytes, new_kek: bytes, label: str) -> str:
    """The same sealed value with its data key wrapped by `new_kek` (KEK rotation)."""
    envelope = _envelope(stored)
    dek = _unwrap(envelope, old_kek, label)
    wrap_nonce = secrets.token_bytes(12)
    envelope.update(
        kek=kek_id(new_kek),
        wrap_nonce=_b64(wrap_nonce),
        dek=_b64(AESGCM(new_kek).encrypt(wrap_nonce, dek, label.encode())),
    )
    return PREFIX + json.dumps(envelope, sort_keys=True, separators=(",", ":"))
