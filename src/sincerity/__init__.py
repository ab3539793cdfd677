"""Sincerity: an explainable, contestable trust registry, and a lab for scoring policies.

The public API is the names in `__all__`. They load on first use, so `import sincerity` stays
cheap and importing the pure core never drags in the database layer.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # records and refusals
    "Payment": "sincerity.core.records",
    "Contract": "sincerity.core.records",
    "Rating": "sincerity.core.records",
    "Judgment": "sincerity.core.records",
    "Verification": "sincerity.core.records",
    "parse_record": "sincerity.core.records",
    "refused_category": "sincerity.core.refusals",
    # policy and scoring
    "Policy": "sincerity.core.policy",
    "load_policy": "sincerity.policies",
    "shipped_policy": "sincerity.policies",
    "Score": "sincerity.core.scoring",
    "score": "sincerity.core.scoring",
    # the registry
    "Registry": "sincerity.services",
    "add_source": "sincerity.services",
    "add_subject": "sincerity.services",
    "grant_source_consent": "sincerity.services",
    "revoke_source_consent": "sincerity.services",
    "ingest_file": "sincerity.services",
    "ingest_rows": "sincerity.services",
    "open_dispute": "sincerity.services",
    "subject_report": "sincerity.services",
    "rescore_registry": "sincerity.services",
    # errors
    "SincerityError": "sincerity.core.errors",
    "InvalidInputError": "sincerity.core.errors",
    "RecordError": "sincerity.core.errors",
    "PolicyError": "sincerity.core.errors",
    "ConsentError": "sincerity.core.errors",
    "ConflictError": "sincerity.core.errors",
    "NotFoundError": "sincerity.core.errors",
    "ConfigurationError": "sincerity.core.errors",
    "Problem": "sincerity.core.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sincerity' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from sincerity.core.errors import (
        ConfigurationError,
        ConflictError,
        ConsentError,
        InvalidInputError,
        NotFoundError,
        PolicyError,
        Problem,
        RecordError,
        SincerityError,
    )
    from sincerity.core.policy import Policy
    from sincerity.core.records import (
        Contract,
        Judgment,
        Payment,
        Rating,
        Verification,
        parse_record,
    )
    from sincerity.core.refusals import refused_category
    from sincerity.core.scoring import Score, score
    from sincerity.policies import load_policy, shipped_policy
    from sincerity.services import (
        Registry,
        add_source,
        add_subject,
        grant_source_consent,
        ingest_file,
        ingest_rows,
        open_dispute,
        rescore_registry,
        revoke_source_consent,
        subject_report,
    )
