"""Attestations a subject shares: SD-JWT with Ed25519, key binding and a token status list."""

from sincerity.credentials.sdjwt import Verified, issue, present, verify
from sincerity.credentials.status_list import StatusList

__all__ = ["StatusList", "Verified", "issue", "present", "verify"]
