"""Repositories: every query the services make, one module per aggregate, as functions over an
open Connection. The caller owns the transaction; nothing here commits.

This package's names are the union of its modules' (`repo.get_subject`, `repo.save_scores`, …).
"""

from __future__ import annotations

from sincerity.db.repo.consents import (
    consented_pairs,
    consents_of,
    insert_consents,
    revoke_consents,
)
from sincerity.db.repo.disputes import (
    dispute_with_source,
    disputes_against_source,
    disputes_of,
    get_dispute,
    insert_dispute,
    open_dispute_on,
    open_since,
    overdue,
    resolve,
)
from sincerity.db.repo.parties import (
    existing_subjects,
    get_subject,
    insert_source,
    insert_subject,
    insert_subjects,
    list_sources,
    list_subject_ids,
    source_kinds,
    was_erased,
)
from sincerity.db.repo.records import (
    count_rows,
    existing_hashes,
    get_record_row,
    insert_batch,
    insert_records,
    record_owners,
    record_rows_of,
    superseded_among,
)
from sincerity.db.repo.scores import (
    activate_policy,
    active_policy_body,
    ensure_policy,
    latest_scores,
    replace_day_scores,
    save_scores,
    score_history,
)
from sincerity.db.repo.trust import (
    credibilities,
    damping_of,
    live_attestation_holders,
    rating_rows,
    replace_trust,
    stored_trust,
    verified_subjects,
)

__all__ = [
    "activate_policy",
    "active_policy_body",
    "consented_pairs",
    "consents_of",
    "count_rows",
    "credibilities",
    "damping_of",
    "dispute_with_source",
    "disputes_against_source",
    "disputes_of",
    "ensure_policy",
    "existing_hashes",
    "existing_subjects",
    "get_dispute",
    "get_record_row",
    "get_subject",
    "insert_batch",
    "insert_consents",
    "insert_dispute",
    "insert_records",
    "insert_source",
    "insert_subject",
    "insert_subjects",
    "latest_scores",
    "list_sources",
    "list_subject_ids",
    "live_attestation_holders",
    "open_dispute_on",
    "open_since",
    "overdue",
    "rating_rows",
    "record_owners",
    "record_rows_of",
    "replace_day_scores",
    "replace_trust",
    "resolve",
    "revoke_consents",
    "save_scores",
    "score_history",
    "source_kinds",
    "stored_trust",
    "superseded_among",
    "verified_subjects",
    "was_erased",
]
