"""The demo's score history: a score at each month end, backfilled by the DuckDB engine from
the records held now, beside today's and never over an entry already there."""

from __future__ import annotations

from datetime import date

from sincerity.services import Registry, subject_view
from sincerity.services.demo import build_demo
from sincerity.services.rescore_batch import backfill_history, month_ends
from sincerity.services.scores import current_score
from tests.conftest import FixedClock


def test_month_ends_are_the_last_days_of_the_months_before_this_one() -> None:
    assert month_ends(date(2026, 3, 15), 3) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
    ]


def test_every_scored_subject_gets_a_line_and_nothing_is_overwritten(
    db_url: str, clock: FixedClock
) -> None:
    registry = Registry.create(db_url, clock=clock)
    try:
        build_demo(registry, 40, seed=5, history_months=3)
        subject = "subj-00002"
        today = current_score(registry, subject)
        history = subject_view.score_history(registry, subject)
        ends = month_ends(clock().date(), 3)
        assert [e.as_of for e in history] == [*ends, clock().date()]
        assert history[-1].value == today.value  # today's entry is the scorer's, untouched
        assert all(e.value is not None for e in history)
        backfill_history(registry, 3)  # a second run finds every entry there: writes none
        assert subject_view.score_history(registry, subject) == history
    finally:
        registry.close()
