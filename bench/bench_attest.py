"""Attestation issue and verify rates, against a bare Ed25519 sign and verify of the same bytes.

Baseline (same run): `cryptography`'s Ed25519 sign and verify over the issuer JWT's signing
input. A presentation's verification checks two signatures (issuer and key binding), so 2x the
bare check is its floor; the target is within 5x.
"""

from __future__ import annotations

import argparse
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from common import best_of, report
from sincerity.credentials import issue, present, verify
from sincerity.credentials.keys import new_key, public_jwk

CLAIMS = {
    "subject": "subj-00042",
    "tier": "very_good",
    "score_at_least_600": True,
    "score_at_least_650": True,
    "score_at_least_700": True,
    "badge_on_time_12": True,
    "identity_verified": True,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    n = args.n
    issuer, holder = new_key("k1"), new_key()
    now = int(time.time())
    visible = {
        "iss": "https://registry.example",
        "iat": now,
        "exp": now + 86400,
        "status": {"status_list": {"idx": 7, "uri": "https://registry.example/v1/status-lists/1"}},
    }
    sd_jwt, _ = issue(visible, CLAIMS, issuer, "k1", public_jwk(holder))
    signing_input = sd_jwt.split("~")[0].rsplit(".", 1)[0].encode()
    proof = present(sd_jwt, ["tier", "score_at_least_700"], holder, "acme", "nonce-1", now)
    keys = {"k1": issuer}
    assert verify(proof, keys, now, "acme", "nonce-1").valid

    bare_key = Ed25519PrivateKey.generate()
    bare_public = bare_key.public_key()
    signature = bare_key.sign(signing_input)
    bare_sign = best_of(3, lambda: [bare_key.sign(signing_input) for _ in range(n)]) / n
    bare_verify = (
        best_of(3, lambda: [bare_public.verify(signature, signing_input) for _ in range(n)]) / n
    )
    issue_s = (
        best_of(
            3, lambda: [issue(visible, CLAIMS, issuer, "k1", public_jwk(holder)) for _ in range(n)]
        )
        / n
    )
    present_s = (
        best_of(3, lambda: [present(sd_jwt, ["tier"], holder, "acme", "n", now) for _ in range(n)])
        / n
    )
    verify_s = (
        best_of(3, lambda: [verify(proof, keys, now, "acme", "nonce-1") for _ in range(n)]) / n
    )
    rows = [
        {
            "operation": "bare Ed25519 sign (baseline)",
            "per_s": 1 / bare_sign,
            "us_each": 1e6 * bare_sign,
            "vs_baseline": 1.0,
        },
        {
            "operation": "bare Ed25519 verify (baseline)",
            "per_s": 1 / bare_verify,
            "us_each": 1e6 * bare_verify,
            "vs_baseline": 1.0,
        },
        {
            "operation": "issue SD-JWT (7 claims)",
            "per_s": 1 / issue_s,
            "us_each": 1e6 * issue_s,
            "vs_baseline": issue_s / bare_sign,
        },
        {
            "operation": "present (2 claims + KB-JWT)",
            "per_s": 1 / present_s,
            "us_each": 1e6 * present_s,
            "vs_baseline": present_s / bare_sign,
        },
        {
            "operation": "verify presentation",
            "per_s": 1 / verify_s,
            "us_each": 1e6 * verify_s,
            "vs_baseline": verify_s / bare_verify,
        },
    ]
    report("attest", rows)
    print(
        "vs_baseline: time per operation / the bare signature operation (issue and present vs "
        "sign; verify vs verify). Target: verify within 5x."
    )


if __name__ == "__main__":
    main()
