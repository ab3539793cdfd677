"""A large synthetic registry for benchmarks, generated with numpy in chunks and written as the
batch engines' Parquet inputs (records/part-*.parquet and empty side tables)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

KINDS = np.array(["payment", "contract", "rating", "judgment", "verification"])
KIND_SHARE = np.array([0.70, 0.15, 0.11, 0.01, 0.03])


def synth_parquet(
    subjects: int,
    records_per_subject: int,
    out: Path,
    as_of: date,
    seed: int = 1,
    chunk_subjects: int = 200_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `subjects` x `records_per_subject` records; returns how many were written."""
    rng = np.random.default_rng(seed)
    target = out / "records"
    target.mkdir(parents=True, exist_ok=True)
    epoch = np.datetime64(as_of.isoformat(), "D")
    written = 0
    for part, start in enumerate(range(0, subjects, chunk_subjects)):
        count = min(chunk_subjects, subjects - start)
        n = count * records_per_subject
        subject_index = np.repeat(np.arange(start, start + count), records_per_subject)
        reliability = rng.beta(6.0, 1.8, count)[subject_index - start]
        kind = KINDS[rng.choice(len(KINDS), n, p=KIND_SHARE)]
        age = rng.integers(0, 9 * 365, n)
        occurred = epoch - age.astype("timedelta64[D]")
        reported = occurred + rng.integers(0, 5, n).astype("timedelta64[D]")
        reported = np.minimum(reported, epoch)
        roll = rng.random(n)
        status = np.full(n, None, dtype=object)
        is_pay = kind == "payment"
        status[is_pay] = np.where(
            roll[is_pay] < 0.55 + 0.45 * reliability[is_pay],
            "on_time",
            np.where(roll[is_pay] < 0.985, "late", "missed"),
        )
        is_con = kind == "contract"
        status[is_con] = np.where(
            roll[is_con] < 0.6 + 0.4 * reliability[is_con],
            "fulfilled",
            np.where(roll[is_con] < 0.97, "breached", "signed"),
        )
        is_jud = kind == "judgment"
        status[is_jud] = np.where(roll[is_jud] < 0.5, "unpaid", "satisfied")
        days_late = np.where(status == "late", rng.integers(1, 120, n), 0)
        is_rat = kind == "rating"
        rating = np.where(roll < 0.3 + 0.7 * reliability, 10, -5)
        rater_index = rng.integers(0, max(1, subjects), n)
        rater_index = np.where(
            rater_index == subject_index, (rater_index + 1) % max(1, subjects), rater_index
        )
        rater = np.char.add("s", rater_index.astype(str))
        is_ver = kind == "verification"
        what = np.where(roll < 0.8, "identity", "licence")
        table = pa.table(
            {
                "id": pa.array(np.char.add("r", np.arange(written, written + n).astype(str))),
                "subject": pa.array(np.char.add("s", subject_index.astype(str))),
                "kind": pa.array(kind),
                "occurred_on": pa.array(occurred, pa.date32()),
                "reported_on": pa.array(reported, pa.date32()),
                "status": pa.array(status, pa.string()),
                "days_late": pa.array(days_late, pa.int32(), mask=~is_pay),
                "rating": pa.array(rating, pa.int32(), mask=~is_rat),
                "rater": pa.array(rater, pa.string(), mask=~is_rat),
                "what": pa.array(what, pa.string(), mask=~is_ver),
                "supersedes": pa.nulls(n, pa.string()),
            }
        )
        pq.write_table(table, target / f"part-{part:05d}.parquet")
        written += n
        if progress is not None:
            progress(count)
    empty = pa.table({"record_id": pa.array([], pa.string())})
    pq.write_table(empty, out / "excluded.parquet")
    pq.write_table(
        pa.table({"node_id": pa.array([], pa.string()), "credibility": pa.array([], pa.float64())}),
        out / "credibility.parquet",
    )
    pq.write_table(
        pa.table({"record_id": pa.array([], pa.string()), "factor": pa.array([], pa.float64())}),
        out / "damping.parquet",
    )
    return written
