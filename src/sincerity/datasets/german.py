"""The UCI Statlog German Credit data, bundled (see datasets/data/README.md)."""

from __future__ import annotations

from importlib import resources
from typing import Any

CITATION = (
    "Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine Learning Repository. "
    "https://doi.org/10.24432/C5NC77 (CC BY 4.0)"
)
TARGET = "creditability"
EVENT = "bad"
PROTECTED = ("personal_status_and_sex", "sex", "age_in_years", "foreign_worker")


def german_credit() -> Any:
    """The 1,000 applicants as a pandas DataFrame, with a derived `sex` column for audits."""
    import pandas as pd

    with resources.as_file(resources.files(__package__) / "data" / "german_credit.csv") as path:
        frame = pd.read_csv(path)
    frame["sex"] = frame["personal_status_and_sex"].str.split(" : ").str[0].str.strip()
    return frame
