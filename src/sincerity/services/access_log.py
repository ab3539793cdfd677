"""The access log: every read of a subject's data by anyone but the subject, as a transparency
log (RFC 9162 style) that proves it only ever grew.

Each entry is a leaf of a Merkle tree. A leaf commits to who read whose data, when, under which
consent, and to a salted digest of the free text (what was read, for what purpose); erasure drops
the text and its salt, and the leaf still verifies. The registry signs tree heads (checkpoints);
anyone who kept an earlier checkpoint can check that today's log extends it (a consistency proof),
and a subject can prove any entry about them is in the tree (an inclusion proof). Someone who
controls the database can still append entries, but cannot edit, reorder or drop one without
breaking every checkpoint taken after it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from sincerity.core import merkle
from sincerity.core.errors import InvalidInputError, NotFoundError
from sincerity.db import repo
from sincerity.services.registry import Registry

ERASED = "(erased)"


def detail_digest(salt: str, what: str, purpose: str) -> str:
    """The salted digest of an entry's free text: commits to it without revealing it."""
    detail = json.dumps([what, purpose], separators=(",", ":"))
    return hashlib.sha256(f"{salt}:{detail}".encode()).hexdigest()


def leaf_bytes(entry: dict[str, Any]) -> bytes:
    """An entry's leaf data: the canonical JSON of what the log proves about it."""
    at: datetime = entry["at"]
    content = {
        "seq": entry["seq"],
        "subject_id": entry["subject_id"],
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_kind": entry["actor_kind"],
        "actor_id": entry["actor_id"],
        "consent_id": entry.get("consent_id"),
        "detail_digest": entry["detail_digest"],
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def pending_entry(
    subject_id: str,
    actor_kind: str,
    actor_id: str,
    what: str,
    purpose: str,
    now: datetime,
    consent_id: int | None = None,
) -> dict[str, Any]:
    """A log entry as it waits for the sequencer: the text, its salt and salted digest."""
    salt = secrets.token_hex(16)
    what, purpose = what[:200], purpose[:200]
    return {
        "subject_id": subject_id,
        "at": now,
        "actor_kind": actor_kind,
        "actor_id": actor_id,
        "what": what,
        "purpose": purpose,
        "consent_id": consent_id,
        "detail_salt": salt,
        "detail_digest": detail_digest(salt, what, purpose),
    }


def append(
    conn: Connection,
    subject_id: str,
    actor_kind: str,
    actor_id: str,
    what: str,
    purpose: str,
    now: datetime,
    consent_id: int | None = None,
) -> None:
    """Log a read (inside the caller's transaction, so it commits or fails with the read). The
    entry waits in the pending table; `sequence_pending` gives it its place in the tree. Appends
    therefore never wait on one another for the head of the log."""
    repo.insert_pending_entry(
        conn, pending_entry(subject_id, actor_kind, actor_id, what, purpose, now, consent_id)
    )


SEQUENCE_BATCH = 5_000


def sequence_pending(conn: Connection, limit: int = SEQUENCE_BATCH) -> int:
    """Give up to `limit` pending entries, oldest first, the next sequence numbers and their
    leaf hashes (the head's row lock, held for this one batch, keeps numbers contiguous).
    Returns how many."""
    head = repo.lock_log_head(conn)
    pending = repo.pending_entries(conn, limit)
    entries = []
    for seq, row in enumerate(pending, head + 1):
        entry = {k: v for k, v in row.items() if k != "id"}
        entry["seq"] = seq
        entry["leaf_hash"] = merkle.leaf_hash(leaf_bytes(entry)).hex()
        entries.append(entry)
    repo.sequence_entries(conn, entries, [row["id"] for row in pending])
    return len(entries)


def sequence_pending_in(registry: Registry, limit: int = SEQUENCE_BATCH) -> int:
    """One batch of the sequencer, in its own transaction."""
    return registry.run_in_transaction(lambda conn: sequence_pending(conn, limit))


def sequence_log(registry: Registry) -> int:
    """Sequence every pending entry (the sequencer job, and the first step of every read of the
    tree or of a subject's entries). Returns how many it sequenced."""
    with registry.engine.connect() as conn:
        if not repo.has_pending_entries(conn):
            return 0
    done = 0
    while True:
        batch = sequence_pending_in(registry)
        done += batch
        if batch < SEQUENCE_BATCH:
            return done


def entries_for(
    conn: Connection, subject_id: str, limit: int = 200, after: int = 0
) -> list[dict[str, Any]]:
    """A subject's entries, oldest first: those in the tree, then any still waiting for the
    sequencer (seq None) when the page has room."""
    entries = repo.log_entries_of(conn, subject_id, limit, after)
    if len(entries) < limit:
        entries += repo.pending_entries_of(conn, subject_id, limit - len(entries))
    return entries


def redact_subject(conn: Connection, subject_id: str) -> int:
    """Drop the free text of every entry about the subject (erasure); the leaves still verify
    because they commit to the text's salted digest, not to the text."""
    return repo.redact_log_text(conn, subject_id, ERASED)


@dataclass(frozen=True)
class Verification:
    """The outcome of recomputing the log: its size and root, or the first entry that is wrong."""

    ok: bool
    entries: int
    root_hash: str = ""
    problem: str | None = None
    first_bad_seq: int | None = None


def leaves(conn: Connection) -> tuple[list[bytes], Verification]:
    """Every leaf hash, recomputed from the entries' content, and whether the stored log agrees
    with itself (contiguous sequence, stored leaf hashes, text matching its digest)."""
    hashes: list[bytes] = []
    for expected, row in enumerate(repo.all_log_entries(conn), 1):
        if row["seq"] != expected:
            return hashes, Verification(
                False, len(hashes), "", f"entry {expected} is missing or out of order", expected
            )
        leaf = merkle.leaf_hash(leaf_bytes(row))
        salt = row["detail_salt"]
        text_ok = (
            salt is None or detail_digest(salt, row["what"], row["purpose"]) == row["detail_digest"]
        )
        if leaf.hex() != row["leaf_hash"] or not text_ok:
            return hashes, Verification(
                False, len(hashes), "", f"entry {row['seq']} was edited", row["seq"]
            )
        hashes.append(leaf)
    head = repo.log_head_seq(conn)
    if head is not None and head != len(hashes):
        return hashes, Verification(
            False,
            len(hashes),
            "",
            f"the log ends at entry {len(hashes)} but the head says {head}: "
            "entries were deleted from the end",
            len(hashes) + 1,
        )
    return hashes, Verification(True, len(hashes), merkle.root(hashes).hex())


def verify(conn: Connection) -> Verification:
    """Recompute every leaf and the tree head; report the first entry that is inconsistent.
    On its own this catches careless edits; against a checkpoint (`verify_extends`) it catches
    anyone who rewrote the log and recomputed its hashes."""
    return leaves(conn)[1]


def verify_extends(conn: Connection, size: int, root_hash: str) -> Verification:
    """Whether today's log is an append-only extension of the tree (`size`, `root_hash`) from
    an earlier checkpoint, checked with an RFC 9162 consistency proof."""
    hashes, state = leaves(conn)
    if not state.ok:
        return state
    if size > len(hashes):
        return Verification(
            False,
            len(hashes),
            state.root_hash,
            f"the checkpoint covers {size} entries but the log now has {len(hashes)}: "
            "entries were deleted from the end",
            len(hashes) + 1,
        )
    if size == 0:
        return state
    proof = merkle.consistency_proof(size, hashes)
    if not merkle.verify_consistency(
        size, len(hashes), bytes.fromhex(root_hash), bytes.fromhex(state.root_hash), proof
    ):
        return Verification(
            False,
            len(hashes),
            state.root_hash,
            f"the first {size} entries are not the ones the checkpoint signed: "
            "the log was rewritten",
        )
    return state


@dataclass(frozen=True)
class ConsistencyProof:
    """That the tree of `old_size` entries is a prefix of today's (RFC 9162 2.1.4)."""

    old_size: int
    tree_size: int
    root_hash: str
    proof: list[str]


@dataclass(frozen=True)
class InclusionProof:
    """That entry `seq` (leaf `leaf_index`) is in today's tree (RFC 9162 2.1.3)."""

    seq: int
    leaf_index: int
    leaf_hash: str
    tree_size: int
    root_hash: str
    audit_path: list[str]


def consistency(conn: Connection, old_size: int) -> ConsistencyProof:
    """A consistency proof from the tree of `old_size` entries to today's tree."""
    hashes, _ = leaves(conn)
    if not 1 <= old_size <= len(hashes):
        raise NotFoundError(f"the log has {len(hashes)} entries; no tree of {old_size} to prove")
    return ConsistencyProof(
        old_size,
        len(hashes),
        merkle.root(hashes).hex(),
        [p.hex() for p in merkle.consistency_proof(old_size, hashes)],
    )


def inclusion(conn: Connection, seq: int, subject_id: str | None = None) -> InclusionProof:
    """An inclusion proof for entry `seq` in today's tree (only the subject's own entries when
    `subject_id` is given)."""
    hashes, _ = leaves(conn)
    return _inclusion(conn, hashes, seq, subject_id)


def checked_inclusion(conn: Connection, seq: int, subject_id: str | None = None) -> InclusionProof:
    """`inclusion`, refused when the log does not agree with itself (its head would not be
    signed): one read of the log serves the proof and the check."""
    hashes, state = leaves(conn)
    if not state.ok:
        raise InvalidInputError(f"the access log is inconsistent: {state.problem}")
    return _inclusion(conn, hashes, seq, subject_id)


def _inclusion(
    conn: Connection, hashes: list[bytes], seq: int, subject_id: str | None
) -> InclusionProof:
    row = repo.log_entry_owner(conn, seq)
    if row is None or (subject_id is not None and row[0] != subject_id):
        raise NotFoundError(f"no access log entry {seq} about you")
    return InclusionProof(
        seq,
        seq - 1,
        row[1],
        len(hashes),
        merkle.root(hashes).hex(),
        [p.hex() for p in merkle.inclusion_proof(seq - 1, hashes)],
    )


def check_inclusion(proof: InclusionProof | Mapping[str, Any]) -> bool:
    """Whether an inclusion proof holds (as `inclusion` returns it, or its JSON)."""
    data = asdict(proof) if isinstance(proof, InclusionProof) else proof
    try:
        path: Sequence[bytes] = [bytes.fromhex(p) for p in data["audit_path"]]
        return merkle.verify_inclusion(
            int(data["leaf_index"]),
            int(data["tree_size"]),
            bytes.fromhex(data["leaf_hash"]),
            path,
            bytes.fromhex(data["root_hash"]),
        )
    except (KeyError, TypeError, ValueError):
        return False


# The registry-level reads the shells use (they never hold a connection themselves).


def verify_registry(registry: Registry) -> Verification:
    """`verify` over the registry's whole log."""
    sequence_log(registry)
    with registry.engine.connect() as conn:
        return verify(conn)


def consistency_proof(registry: Registry, old_size: int) -> ConsistencyProof:
    """`consistency` over the registry's log."""
    sequence_log(registry)
    with registry.engine.connect() as conn:
        return consistency(conn, old_size)
