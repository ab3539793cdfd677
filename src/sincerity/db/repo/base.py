"""What every repository module shares."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

CHUNK = 500  # ids per IN (...) query: well under every backend's parameter limit


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size`, for IN (...) queries."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
