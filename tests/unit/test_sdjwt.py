"""The SD-JWT layer: RFC 9901 and Token Status List vectors, every subset of disclosures, and a
clear refusal for every way a presentation can be wrong."""

from __future__ import annotations

import itertools
import json
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sincerity.credentials import StatusList, issue, present, verify
from sincerity.credentials.encoding import b64url, b64url_decode
from sincerity.credentials.keys import new_key, public_jwk
from sincerity.credentials.sdjwt import disclosure_digest, read_disclosure, split

NOW = 1_800_000_000
ISSUER_KEY = new_key("issuer-1")
HOLDER_KEY = new_key()
CLAIMS = {
    "subject": "alice",
    "tier": "very_good",
    "score_at_least_700": True,
    "badge_on_time_12": True,
    "identity_verified": True,
}


def credential(exp: int = NOW + 3600, claims: dict | None = None) -> str:
    visible = {
        "iss": "https://registry.test",
        "iat": NOW - 10,
        "exp": exp,
        "status": {"status_list": {"idx": 5, "uri": "https://registry.test/v1/status-lists/1"}},
    }
    sd_jwt, _ = issue(visible, claims or CLAIMS, ISSUER_KEY, "issuer-1", public_jwk(HOLDER_KEY))
    return sd_jwt


KEYS = {"issuer-1": ISSUER_KEY}


def presentation(disclose=("tier",), aud="acme", nonce="n-1", at=NOW, sd_jwt=None) -> str:
    return present(sd_jwt or credential(), disclose, HOLDER_KEY, aud, nonce, at)


def test_rfc_9901_disclosure_and_digest_vectors() -> None:
    disclosure = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
    assert read_disclosure(disclosure) == ("_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius")
    assert disclosure_digest(disclosure) == "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
    assert read_disclosure("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0") == (
        "lklxF5jMYlGTPUovMNIvCA",
        None,
        "FR",
    )


def test_token_status_list_vector() -> None:
    status = StatusList.empty(16)
    for index, bit in enumerate([1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]):
        status.set(index, bit)
    assert status.encode() == {"bits": 1, "lst": "eNrbuRgAAhcBXQ"}
    assert StatusList.decode({"bits": 1, "lst": "eNrbuRgAAhcBXQ"}).data == status.data


def test_every_subset_of_disclosures_round_trips() -> None:
    sd_jwt = credential()
    names = list(CLAIMS)
    for size in range(len(names) + 1):
        for chosen in itertools.combinations(names, size):
            result = verify(presentation(chosen, sd_jwt=sd_jwt), KEYS, NOW, "acme", "n-1")
            assert result.valid, (chosen, result.reason)
            disclosed = {k: v for k, v in result.claims.items() if k in CLAIMS}
            assert disclosed == {name: CLAIMS[name] for name in chosen}


def test_undisclosed_claims_cannot_be_recovered() -> None:
    proof = presentation(("tier",))
    issuer_jwt, disclosures, _ = split(proof)
    payload = json.loads(b64url_decode(issuer_jwt.split(".")[1]))
    visible = json.dumps(payload) + "".join(b64url_decode(d).decode() for d in disclosures)
    for hidden in ("score_at_least_700", "badge_on_time_12", "identity_verified", "alice"):
        assert hidden not in visible
    assert len(payload["_sd"]) == len(CLAIMS)  # only salted digests of the others


def tamper_payload(proof: str) -> str:
    issuer_jwt, rest = proof.split("~", 1)
    header, payload, signature = issuer_jwt.split(".")
    data = json.loads(b64url_decode(payload))
    data["exp"] += 10**6
    return ".".join([header, b64url(json.dumps(data).encode()), signature]) + "~" + rest


def tamper_disclosure(proof: str) -> str:
    issuer_jwt, disclosures, kb = split(proof)
    salt, name, _ = read_disclosure(disclosures[0])
    forged = b64url(json.dumps([salt, name, "excellent"]).encode())
    return issuer_jwt + "~" + forged + "~" + kb


@pytest.mark.parametrize(
    ("make", "kwargs", "reason"),
    [
        (lambda: tamper_payload(presentation()), {}, "signature does not verify"),
        (lambda: tamper_disclosure(presentation()), {}, "disclosure was altered"),
        (
            lambda: presentation(),
            {"keys": {"issuer-1": new_key("issuer-1")}},
            "signature does not verify",
        ),
        (lambda: presentation(sd_jwt=credential(exp=NOW - 3600)), {}, "expired"),
        (lambda: presentation(), {"is_revoked": lambda ref: True}, "revoked"),
        (lambda: presentation(aud="someone-else"), {}, "replay to another verifier"),
        (lambda: presentation(nonce="old-nonce"), {}, "nonce does not match"),
        (lambda: presentation(at=NOW - 3600), {}, "stale"),
        (lambda: presentation(), {"keys": {"other-kid": ISSUER_KEY}}, "unknown key id"),
        (lambda: credential(), {}, "no key-binding JWT"),
        (lambda: presentation() + "x", {}, "not signed by the holder"),
        (lambda: "not a token at all", {}, "malformed presentation"),
    ],
    ids=[
        "tampered payload",
        "tampered disclosure",
        "wrong key",
        "expired",
        "revoked",
        "another audience",
        "stale nonce",
        "stale presentation",
        "unknown kid",
        "unbound",
        "tampered key binding",
        "malformed",
    ],
)
def test_each_kind_of_bad_presentation_is_refused_with_its_reason(make, kwargs, reason) -> None:
    keys = kwargs.pop("keys", KEYS)
    result = verify(make(), keys, NOW, "acme", "n-1", **kwargs)
    assert not result.valid
    assert reason in result.reason


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(st.text(alphabet="ABCDEFabcdef0123456789-_.~", max_size=80), max_size=6).map(
            "~".join
        ),
        st.binary(max_size=200).map(lambda b: b64url(b) + "." + b64url(b) + "." + b64url(b) + "~~"),
    )
)
def test_garbage_is_refused_never_raised(garbage: str) -> None:
    result = verify(garbage, KEYS, NOW, "acme", "n-1")
    assert not result.valid and result.reason


def test_a_verification_link_is_accepted_like_the_bare_presentation() -> None:
    proof = presentation(("tier",))
    for pasted in (
        f"https://registry.example/verify#{proof}",
        f"  http://127.0.0.1:8000/verify#{quote(proof, safe='')}\n",
    ):
        result = verify(pasted, KEYS, NOW, "acme", "n-1")
        assert result.valid, result.reason


def test_a_presentation_without_audience_and_nonce_is_not_bound() -> None:
    result = verify(presentation(("tier",)), KEYS, NOW)
    assert not result.valid and result.reason.startswith("not bound to you")
    assert result.claims.get("tier")  # what it says is shown, marked as not made for you
