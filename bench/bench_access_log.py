"""A relying party's history of checks (its page, `checks_made`) as the access log grows.

Registries with 10k, 100k and 1M sequenced log entries from 1,000 relying parties are built with
the product's schema; for each, the newest 50 entries of a party that checked only at the start
(the worst case: every later entry is someone else's) are read (best of 20) with the
index on (actor_kind, actor_id, seq) and, as the baseline in the same run, with that index
dropped (how it was read before: a scan of everyone's entries). Target: flat in log size.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from common import best_of, report
from sincerity.db import repo, tables
from sincerity.services import Registry

PARTIES = 1_000
CHUNK = 50_000


def build(url: str, entries: int) -> Registry:
    registry = Registry.create(url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with registry.transaction() as conn:
        for first in range(0, entries, CHUNK):
            conn.execute(
                insert(tables.access_log),
                [
                    {
                        "seq": i + 1,
                        "subject_id": f"s{i % 100_000}",
                        "at": start + timedelta(seconds=i),
                        "actor_kind": "relying_party",
                        "actor_id": "rp-early" if i < 50 else f"rp{i % PARTIES}",
                        "what": "trust check: tier",
                        "purpose": "tenancy",
                        "consent_id": None,
                        "detail_salt": "0" * 32,
                        "detail_digest": "0" * 64,
                        "leaf_hash": "0" * 64,
                    }
                    for i in range(first, min(first + CHUNK, entries))
                ],
            )
    return registry


def history_s(registry: Registry) -> float:
    def read() -> None:
        with registry.engine.connect() as conn:
            rows = repo.log_entries_by_actor(conn, "relying_party", "rp-early", 50)
        assert len(rows) == 50

    return best_of(20, read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            registry = build(f"sqlite:///{folder}/log{size}.db", size)
            indexed = history_s(registry)
            with registry.engine.begin() as conn:
                conn.execute(text("DROP INDEX ix_access_log_actor"))
            scanned = history_s(registry)
            registry.close()
            rows.append(
                {
                    "log_entries": size,
                    "scan_ms (baseline)": scanned * 1e3,
                    "indexed_ms": indexed * 1e3,
                    "indexed_vs_scan": indexed / scanned,
                }
            )
    for row in rows:
        row["indexed_vs_smallest"] = row["indexed_ms"] / rows[0]["indexed_ms"]
    report("access_log_by_actor", rows)
    print("Target: a party's history read flat in log size (indexed_vs_smallest near 1).")


if __name__ == "__main__":
    main()
