"""The UCI Statlog German Credit data, bundled (see datasets/data/README.md), with the corrected
coding of personal status and sex.

The file ships the widely copied documented coding of `personal_status_and_sex`, which is wrong:
Grömping (2019) showed, from the original source of the data, that the codes mean A91 male
divorced/separated, A92 female non-single *or* male single, A93 male married/widowed, A94 female
single. `german_credit()` applies that correction. Sex cannot be told for A92, so `sex` says so
instead of guessing: an audit "by sex" on this data compares male applicants with the 92 single
women, and 310 applicants stay unidentified.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

CITATION = (
    "Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine Learning Repository. "
    "https://doi.org/10.24432/C5NC77 (CC BY 4.0)"
)
CORRECTION_CITATION = (
    "Grömping, U. (2019). South German Credit Data: Correcting a Widely Used Data Set. "
    "Reports in Mathematics, Physics and Chemistry 4/2019, Beuth University of Applied "
    "Sciences Berlin."
)
TARGET = "creditability"
EVENT = "bad"
PROTECTED = ("personal_status_and_sex", "sex", "age_in_years", "foreign_worker")
NOT_IDENTIFIABLE = "not identifiable"

# The shipped (documented, wrong) label -> (original code, corrected label, sex).
CORRECTED_CODING: dict[str, tuple[str, str, str]] = {
    "male : divorced/separated": ("A91", "male : divorced/separated", "male"),
    "female : divorced/separated/married": (
        "A92",
        "female : non-single, or male : single",
        NOT_IDENTIFIABLE,
    ),
    "male : single": ("A93", "male : married/widowed", "male"),
    "male : married/widowed": ("A94", "female : single", "female"),
}

# Categorical attributes with a documented order (the data set's own code book), worst to best
# standing as a lender reads them. Categories outside a ranking ("unknown/ no savings account",
# "no checking account") are binned apart, as missing values are. `credit_history` and the rest
# have no such order (the "critical account" paradox is well known), so they stay unconstrained.
ORDINAL_RANKINGS: dict[str, list[str]] = {
    "status_of_existing_checking_account": [
        "... < 0 DM",
        "0 <= ... < 200 DM",
        "... >= 200 DM / salary assignments for at least 1 year",
    ],
    "savings_account_and_bonds": [
        "... < 100 DM",
        "100 <= ... < 500 DM",
        "500 <= ... < 1000 DM",
        "... >= 1000 DM",
    ],
    "present_employment_since": [
        "unemployed",
        "... < 1 year",
        "1 <= ... < 4 years",
        "4 <= ... < 7 years",
        "... >= 7 years",
    ],
}


def german_credit() -> Any:
    """The 1,000 applicants as a pandas DataFrame, with `personal_status_and_sex` in Grömping's
    corrected coding and a `sex` column for audits (male, female, or not identifiable)."""
    import pandas as pd

    with resources.as_file(resources.files(__package__) / "data" / "german_credit.csv") as path:
        frame = pd.read_csv(path)
    shipped = frame["personal_status_and_sex"]
    unknown = sorted(set(shipped) - set(CORRECTED_CODING))
    if unknown:
        raise ValueError(f"unexpected personal_status_and_sex labels: {unknown}")
    frame["personal_status_and_sex"] = shipped.map(lambda v: CORRECTED_CODING[v][1])
    frame["sex"] = shipped.map(lambda v: CORRECTED_CODING[v][2])
    return frame
