"""Subjects scored per second by the pure scorer, against a bare loop summing the same points.

Baseline: one Python loop over the same records computing the same decayed evidence sums and
factor points — no selection of active records, no explanations, no badges, no steps. The ratio
shows what the explanation a subject is owed costs on top of the arithmetic.
"""

from __future__ import annotations

import argparse
import math
import random
from datetime import date, timedelta

from common import best_of, report
from sincerity.core.records import AnyRecord, parse_record
from sincerity.core.scoring import score
from sincerity.policies import shipped_policy

AS_OF = date(2026, 6, 1)
POLICY = shipped_policy()


def ledger(n: int, seed: int) -> list[AnyRecord]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        day = AS_OF - timedelta(days=rng.randrange(0, 2500))
        roll = rng.random()
        base = {
            "id": f"r{i}",
            "source": "s",
            "subject": "x",
            "occurred_on": day,
            "reported_on": day,
        }
        if roll < 0.6:
            status = rng.choice(["on_time"] * 9 + ["late", "missed"])
            extra = {"days_late": rng.randrange(1, 100)} if status == "late" else {}
            records.append(parse_record({**base, "kind": "payment", "status": status, **extra}))
        elif roll < 0.8:
            status = rng.choice(["fulfilled"] * 8 + ["breached", "signed"])
            records.append(parse_record({**base, "kind": "contract", "status": status}))
        elif roll < 0.98:
            records.append(
                parse_record(
                    {
                        **base,
                        "kind": "rating",
                        "rater": f"u{rng.randrange(50)}",
                        "transaction": f"t{i}",
                        "rating": rng.choice([10, 8, 5, -5]),
                    }
                )
            )
        else:
            records.append(parse_record({**base, "kind": "judgment", "status": "satisfied"}))
    return records


def bare_points(records: list[AnyRecord]) -> float:
    """The baseline: the same evidence sums and factor points in one plain loop."""
    f = POLICY.factors
    today = AS_OF.toordinal()
    pos = {"p": 0.0, "c": 0.0, "r": 0.0}
    neg = {"p": 0.0, "c": 0.0, "r": 0.0, "j": 0.0}
    for rec in records:
        age = today - rec.occurred_on.toordinal()
        if rec.kind == "payment":
            w = 2 ** (-age / f.payment_history.half_life_days)
            if rec.status == "on_time":
                pos["p"] += w
            else:
                neg["p"] += w * f.payment_history.severity.missed
        elif rec.kind == "contract":
            w = 2 ** (-age / f.contract_fulfilment.half_life_days)
            if rec.status == "fulfilled":
                pos["c"] += w
            elif rec.status == "breached":
                neg["c"] += w * f.contract_fulfilment.breach_severity
        elif rec.kind == "rating":
            w = 2 ** (-age / f.counterparty_ratings.half_life_days) * abs(rec.rating) / 10
            if rec.rating > 0:
                pos["r"] += w
            else:
                neg["r"] += w
        elif rec.kind == "judgment":
            neg["j"] += 2 ** (-age / f.judgments.half_life_days) * f.judgments.satisfied_severity
    total = 0.0
    for key, weight in (("p", 35), ("c", 20), ("r", 15)):
        total += weight * (pos[key] + 1) / (pos[key] + neg[key] + 2)
    return 300 + 6 * (total + 15 * math.exp(-neg["j"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=200)
    args = parser.parse_args()
    rows = []
    for size in (10, 100, 1000):
        ledgers = [ledger(size, seed) for seed in range(max(20, args.subjects * 100 // size))]
        full = best_of(3, lambda ls=ledgers: [score(lg, POLICY, AS_OF) for lg in ls])
        bare = best_of(3, lambda ls=ledgers: [bare_points(lg) for lg in ls])
        n = len(ledgers)
        rows.append(
            {
                "records_per_subject": size,
                "subjects": n,
                "ms_per_subject": 1000 * full / n,
                "subjects_per_s": n / full,
                "baseline_ms": 1000 * bare / n,
                "vs_bare_loop": full / bare,
            }
        )
    report("scoring", rows)
    print("vs_bare_loop = time of the explained score / time of the bare loop (lower is better).")
    print("Target: a subject with 1,000 records scored in under 1 ms.")


if __name__ == "__main__":
    main()
