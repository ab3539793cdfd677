"""What the operator does: register parties (each with an API key), and read registry health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from sincerity.core.errors import InvalidInputError, NotFoundError
from sincerity.db import repo
from sincerity.services import access_log
from sincerity.services.keys import issue_key
from sincerity.services.parties import add_source, add_subject, check_id
from sincerity.services.registry import Registry
from sincerity.services.scores import current_score, distribution


def create_operator_key(registry: Registry, operator_id: str = "operator") -> str:
    """A key for an operator (the first one is made by `sincerity keys create --operator`)."""
    with registry.transaction() as conn:
        return issue_key(conn, "operator", operator_id, registry.now())


def register_source(registry: Registry, source_id: str, name: str, kinds: Sequence[str]) -> str:
    """Register a source and return its first API key."""
    add_source(registry, source_id, name, kinds)
    with registry.transaction() as conn:
        return issue_key(conn, "source", source_id, registry.now())


def register_subject(registry: Registry, subject_id: str, display_name: str | None) -> str:
    """Register a subject who opts in, and return their first API key."""
    add_subject(registry, subject_id, display_name)
    with registry.transaction() as conn:
        return issue_key(conn, "subject", subject_id, registry.now())


def register_relying_party(registry: Registry, party_id: str, name: str) -> str:
    """Register a relying party and return its first API key."""
    check_id(party_id, "relying party")
    try:
        with registry.transaction() as conn:
            repo.insert_relying_party(conn, party_id, name, registry.now())
            return issue_key(conn, "relying_party", party_id, registry.now())
    except IntegrityError:
        raise InvalidInputError(f"relying party {party_id!r} is already registered") from None


def reissue_key(registry: Registry, kind: str, party_id: str) -> str:
    """A new API key for a registered party who lost theirs (or whose only key was revoked).
    Nothing is inherited: the party's other keys stay as they are (revoked ones stay revoked)
    and no web session is carried over."""
    if kind not in repo.PARTY_TABLES:
        raise InvalidInputError(f"kind must be one of {', '.join(repo.PARTY_TABLES)}")
    with registry.transaction() as conn:
        if not repo.party_exists(conn, kind, party_id):
            raise NotFoundError(f"no {kind.replace('_', ' ')} {party_id!r} in this registry")
        return issue_key(conn, kind, party_id, registry.now())


@dataclass(frozen=True)
class SourceView:
    """A registered source and the record kinds it may report."""

    id: str
    name: str
    kinds: list[str]
    created_at: datetime


@dataclass(frozen=True)
class RelyingPartyView:
    """A registered relying party."""

    id: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Parties:
    """Who reports to the registry and who checks it."""

    sources: list[SourceView]
    relying_parties: list[RelyingPartyView]


def list_parties(registry: Registry) -> Parties:
    """Sources and relying parties."""
    with registry.engine.connect() as conn:
        sources = repo.list_sources(conn)
        parties = repo.list_relying_parties(conn)
    return Parties(
        [SourceView(s["id"], s["name"], s["kinds"].split(","), s["created_at"]) for s in sources],
        [RelyingPartyView(p["id"], p["name"], p["created_at"]) for p in parties],
    )


@dataclass(frozen=True)
class RegistryStats:
    """Registry health: counts, disputes by state, subjects by tier, the policy in force."""

    subjects: int
    sources: int
    records: int
    relying_parties: int
    access_log_entries: int
    disputes: dict[str, int]
    tiers: dict[str, int]
    thin_files: int
    policy_version: str


def stats(registry: Registry) -> RegistryStats:
    """Registry health: counts, open disputes, the score distribution, the policy in force."""
    dist = distribution(registry)
    with registry.engine.connect() as conn:
        counts = repo.registry_counts(conn)
        by_state = repo.disputes_by_state(conn)
    return RegistryStats(
        **counts,
        disputes=by_state,
        tiers=dist.tiers,
        thin_files=dist.thin_file,
        policy_version=registry.policy.version,
    )


def party_name(registry: Registry, kind: str, party_id: str) -> str:
    """A party's registered name (a subject's display name; the operator is "the operator")."""
    if kind == "operator":
        return "the registry's operator"
    with registry.engine.connect() as conn:
        if kind == "subject":
            subject = repo.get_subject(conn, party_id)
            return str((subject or {}).get("display_name") or party_id)
        rows = repo.list_sources(conn) if kind == "source" else repo.list_relying_parties(conn)
    return next((str(r["name"]) for r in rows if r["id"] == party_id), party_id)


@dataclass(frozen=True)
class SubjectLookup:
    """What the operator sees of a subject it looked up (the lookup is in their access log)."""

    id: str
    display_name: str | None
    created_at: datetime
    records: int
    open_disputes: int
    tier: str | None
    value: float | None


def look_up_subject(registry: Registry, operator_id: str, subject_id: str) -> SubjectLookup:
    """The operator's lookup of one subject, written to the subject's access log."""
    now = registry.now()
    with registry.engine.connect() as conn:
        subject = repo.get_subject(conn, subject_id)
    if subject is None:
        raise NotFoundError(f"no subject {subject_id!r}")
    score = current_score(registry, subject_id)
    with registry.transaction() as conn:
        records = len(repo.record_rows_of(conn, subject_id))
        disputes = sum(1 for d in repo.disputes_of(conn, subject_id) if d["state"] == "open")
        access_log.append(
            conn, subject_id, "operator", operator_id, "operator lookup", "registry support", now
        )
    return SubjectLookup(
        subject_id,
        subject.get("display_name"),
        subject["created_at"],
        records,
        disputes,
        score.tier_label,
        score.rounded,
    )
