"""The rating graph's canonical edge order from one int64 key is exactly lexsort's."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sincerity.core.reputation import canonical_order

edges = st.integers(0, 60).flatmap(
    lambda n: st.tuples(
        st.integers(1, 9),  # nodes
        st.lists(st.integers(0, 8), min_size=n, max_size=n),
        st.lists(st.integers(0, 8), min_size=n, max_size=n),
        st.lists(st.integers(18_000, 18_040), min_size=n, max_size=n),
        st.lists(st.sampled_from([-10.0, -3.0, 0.0, 4.0, 10.0]), min_size=n, max_size=n),
        st.booleans(),  # fractional days: the lexsort path
    )
)


@settings(max_examples=300, deadline=None)
@given(edges)
def test_the_one_key_order_is_lexsorts_order(case: tuple) -> None:  # type: ignore[type-arg]
    size, raters, targets, days, ratings, fractional = case
    r = np.array(raters, dtype=np.int64) % size
    t = np.array(targets, dtype=np.int64) % size
    d = np.array(days, dtype=np.float64) + (0.5 * (np.arange(len(days)) % 2) if fractional else 0)
    s = np.sign(np.array(ratings, dtype=np.float64))
    expected = np.lexsort((s, d, t, r))
    assert np.array_equal(canonical_order(r, t, d, s, size), expected)


def test_a_key_too_wide_for_int64_falls_back_to_lexsort() -> None:
    r = np.array([3, 1, 3, 0], dtype=np.int64)
    t = np.array([0, 2, 0, 1], dtype=np.int64)
    d = np.array([5e6, 0.0, 1.0, 2.0])  # five million days apart: too wide for a 3e9 node key
    s = np.array([1.0, -1.0, 1.0, 0.0])
    expected = np.lexsort((s, d, t, r))
    assert np.array_equal(canonical_order(r, t, d, s, 3_000_000_000), expected)
