"""Scoring in the shell: load a subject's records, call the pure scorer, keep the history."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from sincerity.core.errors import NotFoundError
from sincerity.core.policy import Policy
from sincerity.core.records import RECORD_ADAPTER, AnyRecord, Rating
from sincerity.core.scoring import Score, score
from sincerity.db import repo
from sincerity.services.attest_status import revoke_untrue
from sincerity.services.registry import Registry
from sincerity.services.reputation import refresh_trust

CHUNK = 500


@dataclass
class ScoringContext:
    """What scoring a group of subjects needs, loaded in a few queries."""

    records: dict[str, list[AnyRecord]]
    excluded: dict[str, set[str]]
    credibility: dict[str, float] | None
    damping: dict[str, float]
    trust_snapshot: datetime | None


def load_context(conn: Connection, subject_ids: Sequence[str]) -> ScoringContext:
    """Everything scoring these subjects needs, in a few queries."""
    records: dict[str, list[AnyRecord]] = defaultdict(list)
    raters: set[str] = set()
    for subject_id, body in repo.record_bodies_of(conn, subject_ids):
        record = RECORD_ADAPTER.validate_json(body)
        records[subject_id].append(record)
        if isinstance(record, Rating):
            raters.add(record.rater)
    excluded: dict[str, set[str]] = defaultdict(set)
    for subject_id, record_id in repo.not_counting_records(conn, subject_ids):
        excluded[subject_id].add(record_id)
    snapshot = repo.trust_computed_at(conn)
    # Before global trust is first computed every rater counts fully.
    credibility = repo.credibilities(conn, raters) if raters and snapshot is not None else None
    damping = repo.damping_of(conn, subject_ids) if raters else {}
    return ScoringContext(records, excluded, credibility, damping, snapshot)


def score_in(chunk: ScoringContext, subject_id: str, policy: Policy, as_of: date) -> Score:
    """One subject's score from a loaded context: the one place the shell calls the scorer."""
    result = score(
        chunk.records.get(subject_id, []),
        policy,
        as_of,
        disputed=chunk.excluded.get(subject_id, ()),
        rater_trust=chunk.credibility,
        rating_damping=chunk.damping,
    )
    return replace(result, trust_snapshot=chunk.trust_snapshot)


def score_row(subject_id: str, result: Score, now: datetime) -> dict[str, Any]:
    """A Score as a row of the score history."""
    return {
        "subject_id": subject_id,
        "as_of": result.as_of,
        "policy_version": result.policy_version,
        "status": result.status,
        "value": result.value,
        "tier": result.tier,
        "explanation": json.dumps(result.to_dict(), sort_keys=True),
        "computed_at": now,
    }


def rescore_subjects(
    conn: Connection,
    policy: Policy,
    subject_ids: Sequence[str],
    as_of: date,
    now: datetime,
    progress: Callable[[int], None] | None = None,
    keep: bool = True,
) -> dict[str, Score]:
    """Score each subject from its stored records and save the result in its history; returns
    the scores (none with `keep=False`: a large rescore need not hold them all in memory)."""
    results: dict[str, Score] = {}
    for start in range(0, len(subject_ids), CHUNK):
        chunk = subject_ids[start : start + CHUNK]
        loaded = load_context(conn, chunk)
        rows = []
        scored: dict[str, Score] = {}
        for subject_id in chunk:
            result = score_in(loaded, subject_id, policy, as_of)
            scored[subject_id] = result
            rows.append(score_row(subject_id, result, now))
        repo.save_scores(conn, rows)
        after_scores_changed(conn, policy, scored, now)
        if keep:
            results.update(scored)
        if progress is not None:
            progress(len(chunk))
    return results


def after_scores_changed(
    conn: Connection, policy: Policy, scores: dict[str, Score], now: datetime
) -> None:
    """What must follow a change of score, whatever engine computed it: proofs whose claims
    stopped being true are revoked in the same transaction."""
    revoke_untrue(conn, policy, scores, now)


def after_batch_rescore(
    conn: Connection, policy: Policy, subject_ids: Sequence[str], as_of: date, now: datetime
) -> int:
    """The same step after a batch engine saved scores: the engines keep points and tiers, not
    the badges and claims a proof may carry, so the subjects holding live proofs are scored in
    full here (few, next to the registry) and their proofs checked. Returns how many."""
    holders = repo.live_attestation_holders(conn, subject_ids, now)
    for start in range(0, len(holders), CHUNK):
        chunk = holders[start : start + CHUNK]
        loaded = load_context(conn, chunk)
        after_scores_changed(
            conn, policy, {s: score_in(loaded, s, policy, as_of) for s in chunk}, now
        )
    return len(holders)


def score_subject(conn: Connection, policy: Policy, subject_id: str, as_of: date) -> Score:
    """A subject's score as of a date, computed fresh (nothing is saved)."""
    if repo.get_subject(conn, subject_id) is None:
        raise NotFoundError(f"no subject {subject_id!r} in this registry")
    return score_in(load_context(conn, [subject_id]), subject_id, policy, as_of)


def score_without(registry: Registry, subject_id: str, record_id: str) -> Score:
    """What the subject's score would be today if one of their records stopped counting (as it
    does the moment they dispute it): computed, not stored."""
    with registry.engine.connect() as conn:
        row = repo.get_record_row(conn, record_id)
        if row is None or row["subject_id"] != subject_id:
            raise NotFoundError(f"subject {subject_id!r} has no record {record_id!r}")
        chunk = load_context(conn, [subject_id])
    chunk.excluded[subject_id].add(record_id)
    return score_in(chunk, subject_id, registry.policy, registry.now().date())


def stored_score(conn: Connection, policy: Policy, subject_id: str, today: date) -> Score | None:
    """Today's stored score under `policy`, or None."""
    stored = repo.stored_explanation(conn, subject_id, today, policy.version)
    if stored is None:
        return None
    data = dict(json.loads(stored))
    if data.get("batch"):  # a batch engine stores points, not explanations
        return None
    return Score.from_dict(data)


def current_score(registry: Registry, subject_id: str) -> Score:
    """Today's score as stored when the subject's file last changed (every change rescores at
    once) — a read; computed and stored now only if the day or the policy moved on since."""
    now = registry.now()
    with registry.read() as conn:  # one statement: on PostgreSQL one round trip, no BEGIN
        found = stored_score(conn, registry.policy, subject_id, now.date())
    if found is not None:  # a stored score implies the subject exists: erasure deletes both
        return found
    with registry.transaction() as conn:
        return stored_or_fresh(conn, registry.policy, subject_id, now)


def stored_or_fresh(conn: Connection, policy: Policy, subject_id: str, now: datetime) -> Score:
    """Today's stored score under `policy`, or one computed and stored now (inside the caller's
    write transaction): the one rule of which score a read gets."""
    found = stored_score(conn, policy, subject_id, now.date())
    if found is not None:
        return found
    result = score_subject(conn, policy, subject_id, now.date())
    repo.save_scores(conn, [score_row(subject_id, result, now)])
    return result


def rescore_registry(
    registry: Registry, as_of: date | None = None, progress: Callable[[int], None] | None = None
) -> dict[str, Score]:
    """Refresh rater credibility, then rescore every subject, all in one transaction: an
    interrupted run leaves the old scores (and credibilities) in force."""
    as_of = as_of or registry.today()
    now = registry.now()
    with registry.transaction() as conn:
        refresh_trust(conn, registry.policy, as_of, now)
        subject_ids = repo.list_subject_ids(conn)
        return rescore_subjects(conn, registry.policy, subject_ids, as_of, now, progress)


@dataclass(frozen=True)
class Distribution:
    """The latest stored scores: how many subjects per tier, thin files, and the values."""

    subjects: int
    thin_file: int
    tiers: dict[str, int]
    values: list[float]


def distribution(registry: Registry) -> Distribution:
    """The latest stored scores: how many subjects per tier, thin files, and the values."""
    with registry.engine.connect() as conn:
        latest = repo.latest_scores(conn)
    tiers = {tier.name: 0 for tier in registry.policy.tiers}
    values = []
    thin = 0
    for row in latest:
        if row["status"] == "thin_file" or row["value"] is None:
            thin += 1
        else:
            values.append(float(row["value"]))
            tiers[row["tier"]] = tiers.get(row["tier"], 0) + 1
    return Distribution(len(latest), thin, tiers, values)


@dataclass(frozen=True)
class LatestScore:
    """A subject's most recent stored score."""

    subject_id: str
    status: str
    value: float | None
    tier: str | None
    as_of: date


def latest_scores(registry: Registry) -> list[LatestScore]:
    """Each subject's most recent stored score."""
    with registry.engine.connect() as conn:
        return [LatestScore(**row) for row in repo.latest_scores(conn)]


def subject_count(registry: Registry) -> int:
    """How many subjects the registry holds."""
    with registry.engine.connect() as conn:
        return repo.count_subjects(conn)


@dataclass(frozen=True)
class TrustStatus:
    """When global trust was last computed, and since when ratings have changed without it."""

    computed_at: datetime | None
    stale_since: datetime | None


def trust_status(registry: Registry) -> TrustStatus:
    """When global trust was last computed (None: never) and since when it is stale (None: it
    is not)."""
    with registry.engine.connect() as conn:
        return TrustStatus(*repo.trust_state(conn))


def database_ready(registry: Registry) -> str | None:
    """Why the registry cannot serve requests now (None: it can)."""
    try:
        with registry.engine.connect() as conn:
            repo.count_subjects(conn)
    except Exception as exc:  # any failure to reach the database means not ready
        return f"the database does not answer: {type(exc).__name__}"
    if registry.kek is None:
        return "no key-encryption key: signing is impossible"
    return None
