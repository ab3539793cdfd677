"""What the registry refuses to score, by design (README, "What it refuses"; docs/records.md).

The registry does not merely ignore these inputs: a record, a policy or a feature table that
carries one is rejected, naming the field and the reason. The lab may simulate such behaviour on
synthetic agents only; it never reaches real-person data through this package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class RefusedCategory(StrEnum):
    """Why a field is refused."""

    SPEECH = "speech"
    ASSOCIATION = "association"
    LOCATION = "location"
    PURCHASES = "purchases"
    PROTECTED = "protected attribute"


_EXPLANATION: dict[RefusedCategory, str] = {
    RefusedCategory.SPEECH: "the registry never scores speech, opinions, posts or complaints",
    RefusedCategory.ASSOCIATION: (
        "the registry never scores someone for who they know (no guilt by association)"
    ),
    RefusedCategory.LOCATION: "the registry never tracks location or travel",
    RefusedCategory.PURCHASES: "the registry never judges lifestyle or what someone buys",
    RefusedCategory.PROTECTED: (
        "protected attributes are never inputs to a score; they may be supplied only to a "
        "fairness audit"
    ),
}

# What a loan buys is a purchase judgement ("someone who plays video games ... is considered an
# idle person"); a lender whose law permits scoring it says so (`sincerity fit --allow-purpose`).
PURCHASE_PURPOSE_NAMES = frozenset({"purpose", "loan_purpose", "credit_purpose", "purpose_of_loan"})

# Normalised names (lower case, letters and digits only) that are refused wherever they appear.
_REFUSED_NAMES: dict[RefusedCategory, frozenset[str]] = {
    RefusedCategory.SPEECH: frozenset(
        {
            "speech",
            "post",
            "posts",
            "comment",
            "comments",
            "complaint",
            "complaints",
            "opinion",
            "opinions",
            "message",
            "messages",
            "tweet",
            "tweets",
            "review_text",
            "criticism",
            "political",
            "politics",
            "sentiment",
        }
    ),
    RefusedCategory.ASSOCIATION: frozenset(
        {
            "friend",
            "friends",
            "contact",
            "contacts",
            "connection",
            "connections",
            "follower",
            "followers",
            "following",
            "associate",
            "associates",
            "association",
            "associations",
            "social_graph",
            "network",
            "relatives",
            "family",
        }
    ),
    RefusedCategory.LOCATION: frozenset(
        {
            "location",
            "locations",
            "gps",
            "latitude",
            "longitude",
            "lat",
            "lon",
            "lng",
            "geo",
            "geolocation",
            "travel",
            "travels",
            "trip",
            "trips",
            "itinerary",
            "ip_address",
            "home_address",
            "whereabouts",
            "checkin",
            "checkins",
        }
    ),
    RefusedCategory.PURCHASES: frozenset(
        {
            "purchase",
            "purchases",
            "basket",
            "shopping",
            "items_bought",
            "merchant",
            "merchant_category",
            "product",
            "products",
            "lifestyle",
            "spending",
            "spending_category",
            "brand",
            "brands",
            *PURCHASE_PURPOSE_NAMES,
        }
    ),
    RefusedCategory.PROTECTED: frozenset(
        {
            "race",
            "ethnicity",
            "ethnic_origin",
            "colour",
            "color",
            "skin_colour",
            "religion",
            "faith",
            "national_origin",
            "nationality",
            "citizenship",
            "sex",
            "gender",
            "marital_status",
            "married",
            "age",
            "age_in_years",
            "date_of_birth",
            "birth_date",
            "birthdate",
            "dob",
            "year_of_birth",
            "disability",
            "disabled",
            "public_assistance",
            "welfare",
            "benefits_received",
            "pregnancy",
            "sexual_orientation",
            "foreign_worker",
            "personal_status_and_sex",
        }
    ),
}

_NAME_TO_CATEGORY: dict[str, RefusedCategory] = {
    name: category for category, names in _REFUSED_NAMES.items() for name in names
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A field the registry will not take, and why."""

    field: str
    category: RefusedCategory

    @property
    def reason(self) -> str:
        """A sentence a person can read."""
        return f"field {self.field!r} is refused ({self.category}): {_EXPLANATION[self.category]}"


def normalise_name(name: str) -> str:
    """Lower-case a name and join its words with underscores: Date-Of-Birth -> date_of_birth."""
    return _NON_WORD.sub("_", name.strip().lower()).strip("_")


def is_purchase_purpose(name: str) -> bool:
    """Whether a column names what a loan buys (refused unless a lender explicitly allows it)."""
    return normalise_name(name) in PURCHASE_PURPOSE_NAMES


@lru_cache(maxsize=4096)
def refused_category(name: str) -> RefusedCategory | None:
    """The category a field name falls under, or None when the registry may take it.

    A name is refused when it, or any run of its underscore-separated words, is a refused name:
    'applicant_gender' and 'gps_latitude' are caught, 'payment_status' is not.
    """
    normalised = normalise_name(name)
    if normalised in _NAME_TO_CATEGORY:
        return _NAME_TO_CATEGORY[normalised]
    words = normalised.split("_")
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            candidate = "_".join(words[start : start + size])
            if candidate in _NAME_TO_CATEGORY:
                return _NAME_TO_CATEGORY[candidate]
    return None


def refusals(names: Iterable[object]) -> list[Refusal]:
    """Every refused name among `names` (field names; non-strings are ignored), in order."""
    found: list[Refusal] = []
    for name in names:
        if isinstance(name, str):
            category = refused_category(name)
            if category is not None:
                found.append(Refusal(name, category))
    return found
