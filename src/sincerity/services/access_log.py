"""The access log: every read of a subject's data by anyone but the subject, hash-chained.

Each entry's hash covers its content and the previous entry's hash; a head row holds the last
sequence number and hash and is locked by each appender, so entries form one chain in one order.
`verify` recomputes the chain and names the first entry that was edited, deleted or reordered.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sincerity.db import tables as t

GENESIS = "0" * 64


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's canonical JSON."""
    at: datetime = entry["at"]
    content = {
        "seq": entry["seq"],
        "subject_id": entry["subject_id"],
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_kind": entry["actor_kind"],
        "actor_id": entry["actor_id"],
        "what": entry["what"],
        "purpose": entry["purpose"],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}:{canonical}".encode()).hexdigest()


def append(
    conn: Connection,
    subject_id: str,
    actor_kind: str,
    actor_id: str,
    what: str,
    purpose: str,
    now: datetime,
) -> int:
    """Add an entry at the end of the chain (inside the caller's transaction)."""
    head = conn.execute(select(t.log_head).where(t.log_head.c.id == 1).with_for_update()).first()
    if head is None:  # a database created before the head row existed
        conn.execute(insert(t.log_head).values(id=1, seq=0, hash=GENESIS))
        prev_seq, prev_hash = 0, GENESIS
    else:
        prev_seq, prev_hash = head.seq, head.hash
    entry = {
        "seq": prev_seq + 1,
        "subject_id": subject_id,
        "at": now,
        "actor_kind": actor_kind,
        "actor_id": actor_id,
        "what": what[:200],
        "purpose": purpose[:200],
    }
    digest = entry_hash(prev_hash, entry)
    conn.execute(insert(t.access_log).values(**entry, prev_hash=prev_hash, hash=digest))
    conn.execute(
        update(t.log_head).where(t.log_head.c.id == 1).values(seq=entry["seq"], hash=digest)
    )
    return prev_seq + 1


def entries_for(
    conn: Connection, subject_id: str, limit: int = 200, after: int = 0
) -> list[dict[str, Any]]:
    """A subject's entries, oldest first."""
    log = t.access_log.c
    rows = conn.execute(
        select(log.seq, log.at, log.actor_kind, log.actor_id, log.what, log.purpose)
        .where(log.subject_id == subject_id, log.seq > after)
        .order_by(log.seq)
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class Verification:
    """The outcome of checking the whole chain."""

    ok: bool
    entries: int
    problem: str | None = None
    first_bad_seq: int | None = None


def verify(conn: Connection) -> Verification:
    """Recompute every hash; report the first entry that breaks the chain."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    rows = conn.execute(select(t.access_log).order_by(t.access_log.c.seq)).mappings()
    for row in rows:
        count += 1
        if row["seq"] != expected_seq:
            return Verification(
                False, count, f"entry {expected_seq} is missing or out of order", expected_seq
            )
        if row["prev_hash"] != prev_hash:
            return Verification(
                False, count, f"entry {row['seq']} does not follow the entry before it", row["seq"]
            )
        if entry_hash(prev_hash, dict(row)) != row["hash"]:
            return Verification(False, count, f"entry {row['seq']} was edited", row["seq"])
        prev_hash, expected_seq = row["hash"], expected_seq + 1
    head = conn.execute(select(t.log_head).where(t.log_head.c.id == 1)).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev_hash):
        return Verification(
            False,
            count,
            f"the log ends at entry {expected_seq - 1} but the head says {head.seq}: "
            "entries were deleted from the end",
            expected_seq,
        )
    return Verification(True, count)
