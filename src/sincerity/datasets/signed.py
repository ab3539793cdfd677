"""Signed rating networks in SNAP's format: SOURCE,TARGET,RATING,TIME, one rating per line."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from sincerity.core.errors import InvalidInputError, Problem

CITATION = (
    "S. Kumar, F. Spezzano, V.S. Subrahmanian, C. Faloutsos. Edge Weight Prediction in Weighted "
    "Signed Networks. IEEE ICDM 2016, pp. 221-230. Data: https://snap.stanford.edu/data/"
    "soc-sign-bitcoin-otc.html"
)


@dataclass(frozen=True)
class SignedNetwork:
    """Ratings as parallel arrays, in file order; node ids are the file's own labels."""

    sources: np.ndarray
    targets: np.ndarray
    ratings: np.ndarray
    times: np.ndarray
    name: str

    def __len__(self) -> int:
        return len(self.ratings)


def read_signed_network(path: Path | str, name: str | None = None) -> SignedNetwork:
    """Read a SNAP signed network file; an optional header line is skipped.

    Every bad line is reported with its number; nothing is returned unless all lines are good.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidInputError(f"{path}: no such file")
    sources: list[str] = []
    targets: list[str] = []
    ratings: list[float] = []
    times: list[float] = []
    problems: list[Problem] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 4:
                problems.append(Problem("expected SOURCE,TARGET,RATING,TIME", str(path), number))
                continue
            try:
                rating, moment = float(row[2]), float(row[3])
            except ValueError:
                if number == 1:
                    continue  # a header line
                problems.append(Problem("RATING and TIME must be numbers", str(path), number))
                continue
            if not -10 <= rating <= 10:
                problems.append(Problem(f"rating {rating:g} is outside -10..10", str(path), number))
                continue
            if row[0].strip() == row[1].strip():
                continue  # a self-rating carries no information about anyone's conduct
            sources.append(row[0].strip())
            targets.append(row[1].strip())
            ratings.append(rating)
            times.append(moment)
    if problems:
        raise InvalidInputError(f"{path}: {len(problems)} bad lines", problems)
    if not ratings:
        raise InvalidInputError(f"{path}: no ratings found")
    return SignedNetwork(
        np.array(sources, dtype=object),
        np.array(targets, dtype=object),
        np.array(ratings, dtype=np.float64),
        np.array(times, dtype=np.float64),
        name or path.name,
    )


def bitcoin_otc() -> SignedNetwork:
    """The bundled SNAP Bitcoin OTC network (35,592 ratings). Cite: see `CITATION`."""
    with resources.as_file(resources.files(__package__) / "data" / "bitcoin_otc.csv") as path:
        return read_signed_network(path, "Bitcoin OTC (SNAP)")
