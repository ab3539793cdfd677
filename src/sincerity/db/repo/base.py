"""What every repository module shares."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

CHUNK = 500  # ids per IN (...) query: well under every backend's parameter limit


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    """`items` in slices of at most `size`, for IN (...) queries."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
