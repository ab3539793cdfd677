"""Relying parties: checking a subject's trust for a stated purpose, only with consent.

Without a consent in force the answer is the same refusal whether or not the subject exists, so
a relying party learns nothing about who is in the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sincerity.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from sincerity.core.scoring import rounded
from sincerity.db import repo
from sincerity.services import access_log
from sincerity.services.keys import Actor
from sincerity.services.parties import check_consent_end
from sincerity.services.registry import Registry, ThreadNeeded
from sincerity.services.scores import rescore_subjects, stored_or_fresh


@dataclass(frozen=True)
class CheckResult:
    """What a relying party may learn: the tier, whether a threshold is cleared, and the exact
    score only when the subject allowed it."""

    subject_id: str
    purpose: str
    status: str
    tier: str | None
    tier_label: str | None
    meets_threshold: bool | None
    threshold: int | None
    score: int | None
    policy_version: str
    as_of: date


def grant_relying_party_consent(
    registry: Registry,
    subject_id: str,
    relying_party_id: str,
    purpose: str,
    until: date | None,
    share_score: bool = False,
) -> int:
    """The subject allows a relying party to check them for `purpose`, until a date."""
    purpose = purpose.strip()
    if not purpose:
        raise InvalidInputError("a consent to a relying party needs a purpose")
    now = registry.now()
    check_consent_end(until, now.date())
    with registry.transaction() as conn:
        if not repo.relying_party_exists(conn, relying_party_id):
            raise NotFoundError(f"no relying party {relying_party_id!r}")
        consent_id = repo.insert_consent(
            conn,
            {
                "subject_id": subject_id,
                "grantee_kind": "relying_party",
                "grantee_id": relying_party_id,
                "purpose": purpose,
                "granted_at": now,
                "expires_on": until,
            },
            share_score,
        )
        rescore_subjects(conn, registry.policy, [subject_id], now.date(), now)
    return consent_id


def check(
    registry: Registry,
    caller: Actor,
    subject_id: str,
    purpose: str,
    threshold: int | None = None,
    wait: bool = True,
) -> CheckResult:
    """A relying party's check of a subject, logged in the subject's access log.

    With `wait=False` (a SQLite server's event loop) it raises WriterBusy instead of waiting for
    the writer, or ThreadNeeded instead of scoring the subject afresh, having written nothing:
    the caller tries again or runs it in a worker thread."""
    policy = registry.policy
    if threshold is not None and not policy.range.min <= threshold <= policy.range.max:
        raise InvalidInputError(f"threshold must be within {policy.range.min}..{policy.range.max}")
    now = registry.now()
    refusal = PermissionDeniedError(
        f"no consent in force from subject {subject_id!r} to {caller.id!r} for purpose {purpose!r}"
    )
    what = "trust check: tier" + ("" if threshold is None else f", score >= {threshold}")

    def logged_as(shares_score: bool) -> str:
        return what + (", exact score" if shares_score else "")

    def entry(shares_score: bool, consent_id: int | None) -> dict[str, Any]:
        return access_log.pending_entry(
            subject_id, caller.kind, caller.id, logged_as(shares_score), purpose, now, consent_id
        )

    if wait and registry.engine.dialect.name == "postgresql":
        # The read and, when it finds a stored score, its log entry: one statement, one round
        # trip (the relying parties' hot path on PostgreSQL).
        with registry.single_statement_write() as conn:
            found = repo.consent_score_and_log(
                conn,
                subject_id,
                caller.id,
                purpose,
                now,
                policy.version,
                entry(False, None),
                entry(True, None),
            )
        if found is None:
            raise refusal
    else:
        # The read takes no write lock; the write lock is held only to log it, and the entry is
        # written only if the consent is still in force then, so a check never outlives a
        # revocation or an erasure that committed in between.
        with registry.read() as conn:
            found = repo.consent_and_stored_score(
                conn, subject_id, caller.id, purpose, now, policy.version
            )
        if found is None:  # a consent implies the subject: erasure deletes both
            raise refusal
        if found["status"] is not None:
            logged = entry(found["share_score"], found["consent_id"])
            writing = registry.transaction_without_waiting if not wait else registry.transaction
            with writing() as conn:
                written = repo.insert_pending_entry_if_consented(
                    conn, logged, found["consent_id"], now
                )
            if not written:
                raise refusal  # revoked or erased between the read and the commit
    if found["status"] is not None:
        status, value, tier = found["status"], found["value"], found["tier"]
    elif not wait:
        raise ThreadNeeded()  # scoring afresh is work for a worker thread
    else:  # nothing stored today under this policy: score now, and log, in one transaction
        with registry.transaction() as conn:
            found = repo.consent_and_stored_score(
                conn, subject_id, caller.id, purpose, now, policy.version
            )
            if found is None:
                raise refusal
            fresh = stored_or_fresh(conn, policy, subject_id, now)
            status, value, tier = fresh.status, fresh.value, fresh.tier
            access_log.append(
                conn,
                subject_id,
                caller.kind,
                caller.id,
                logged_as(found["share_score"]),
                purpose,
                now,
                consent_id=found["consent_id"],
            )
    meets = None if threshold is None or value is None else value >= threshold
    labels = {t.name: t.label for t in policy.tiers}
    return CheckResult(
        subject_id=subject_id,
        purpose=purpose,
        status=status,
        tier=tier,
        tier_label=None if tier is None else labels.get(tier),
        meets_threshold=meets,
        threshold=threshold,
        score=rounded(value) if found["share_score"] else None,
        policy_version=policy.version,
        as_of=now.date(),
    )


UNDO_WINDOW = timedelta(minutes=10)


def undo_revocation(registry: Registry, subject_id: str, consent_id: int) -> None:
    """Put back a consent the subject revoked within the last ten minutes (a slip of the
    finger); later, a new consent is the way. Checks refused meanwhile stay refused."""
    now = registry.now()
    with registry.transaction() as conn:
        row = repo.get_consent(conn, consent_id)
        if row is None or row["subject_id"] != subject_id:
            raise NotFoundError(f"subject {subject_id!r} has no consent {consent_id}")
        revoked_at = row["revoked_at"]
        if revoked_at is None:
            raise InvalidInputError(f"consent {consent_id} is in force: nothing to undo")
        if now - revoked_at > UNDO_WINDOW:
            raise InvalidInputError(
                "a revocation can be undone for 10 minutes; grant a new consent instead"
            )
        if row["expires_on"] is not None and row["expires_on"] < now.date():
            raise InvalidInputError(f"consent {consent_id} has expired; grant a new one")
        repo.restore_consent(conn, consent_id)
        rescore_subjects(conn, registry.policy, [subject_id], now.date(), now)


def revoke_consent(registry: Registry, subject_id: str, consent_id: int) -> None:
    """Revoke one of the subject's consents (to a source or a relying party)."""
    now = registry.now()
    with registry.transaction() as conn:
        row = repo.get_consent(conn, consent_id)
        if row is None or row["subject_id"] != subject_id:
            raise NotFoundError(f"subject {subject_id!r} has no consent {consent_id}")
        repo.revoke_consent(conn, consent_id, now)
        rescore_subjects(conn, registry.policy, [subject_id], now.date(), now)


@dataclass(frozen=True)
class CheckMade:
    """One of a relying party's past checks, as its access-log entry records it."""

    at: datetime
    subject_id: str
    what: str
    purpose: str


def checks_made(registry: Registry, relying_party_id: str, limit: int = 50) -> list[CheckMade]:
    """The relying party's latest checks (and proofs received), newest first."""
    access_log.sequence_log(registry)
    with registry.engine.connect() as conn:
        rows = repo.log_entries_by_actor(conn, "relying_party", relying_party_id, limit)
    return [CheckMade(**row) for row in rows]
