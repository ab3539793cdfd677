"""A graph grown by more ratings is exactly the graph built from all of them: the same nodes,
the same edges in the same canonical order, the same retaliation factors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sincerity.core.graph_growth import grow_graph, shrink_graph
from sincerity.core.reputation import TrustParams, rating_graph, retaliation_factors

PARAMS = TrustParams()
AS_OF = 200.0

rating = st.tuples(
    st.integers(0, 14),  # rater
    st.integers(0, 14),  # target
    st.sampled_from([-10, -3, 0, 5, 10]),
    st.integers(100, 199),  # day
).filter(lambda r: r[0] != r[1])


def build(ratings: list[tuple[int, int, int, int]]):  # type: ignore[no-untyped-def]
    return rating_graph(
        [f"n{r:02d}" for r, _, _, _ in ratings],
        [f"n{t:02d}" for _, t, _, _ in ratings],
        [float(v) for _, _, v, _ in ratings],
        [float(d) for _, _, _, d in ratings],
        AS_OF,
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(rating, max_size=40), st.lists(rating, max_size=12))
def test_growing_a_graph_equals_building_it_from_every_rating(
    held: list[tuple[int, int, int, int]], added: list[tuple[int, int, int, int]]
) -> None:
    before = build(held)
    grown = grow_graph(
        before,
        retaliation_factors(before, PARAMS),
        PARAMS,
        [f"n{r:02d}" for r, _, _, _ in added],
        [f"n{t:02d}" for _, t, _, _ in added],
        [float(v) for _, _, v, _ in added],
        [float(d) for _, _, _, d in added],
        len(held),
    )
    assert grown is not None
    full = build(held + added)
    graph = grown.graph
    assert graph.nodes == full.nodes
    for column in ("raters", "targets", "signs", "days"):
        assert np.array_equal(getattr(graph, column), getattr(full, column)), column
    everything = held + added
    for mine, theirs in zip(graph.source_index, full.source_index, strict=True):
        # Equal edges may come in either order; each points at a rating with those values.
        a, b = everything[mine], everything[theirs]
        assert (a[0], a[1], np.sign(a[2]), a[3]) == (b[0], b[1], np.sign(b[2]), b[3])
    assert np.array_equal(grown.retaliation, retaliation_factors(full, PARAMS))
    assert [graph.nodes[i] for i in grown.moved] == list(before.nodes)


def test_a_rating_after_the_graphs_day_cannot_join_it() -> None:
    before = build([(0, 1, 10, 150)])
    with pytest.raises(ValueError, match="after the graph's day"):
        grow_graph(before, np.ones(1), PARAMS, ["n00"], ["n02"], [10.0], [AS_OF + 1], 1)


def test_fractional_days_are_left_to_a_fresh_build() -> None:
    before = build([(0, 1, 10, 150)])
    grown = grow_graph(before, np.ones(1), PARAMS, ["n00"], ["n02"], [10.0], [150.5], 1)
    assert grown is None


@settings(max_examples=300, deadline=None)
@given(st.lists(rating, max_size=40), st.data())
def test_shrinking_a_graph_equals_building_it_without_those_ratings(
    held: list[tuple[int, int, int, int]], data: st.DataObject
) -> None:
    before = build(held)
    removed = sorted(set(data.draw(st.lists(st.integers(0, max(0, len(held) - 1)), max_size=8))))
    removed = [r for r in removed if r < len(held)]
    positions = np.flatnonzero(np.isin(before.source_index, removed))
    shrunk = shrink_graph(before, retaliation_factors(before, PARAMS), PARAMS, positions)
    kept = [r for i, r in enumerate(held) if i not in set(removed)]
    full = build(kept)
    graph = shrunk.graph
    assert graph.nodes == full.nodes
    for column in ("raters", "targets", "signs", "days"):
        assert np.array_equal(getattr(graph, column), getattr(full, column)), column
    assert np.array_equal(shrunk.retaliation, retaliation_factors(full, PARAMS))
    assert set(graph.source_index.tolist()).isdisjoint(removed)
    for old, new in enumerate(shrunk.moved.tolist()):
        assert new == -1 or graph.nodes[new] == before.nodes[old]
