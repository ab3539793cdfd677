from datetime import date

import pytest
from pydantic import ValidationError

from sincerity.core.records import content_hash, parse_record
from sincerity.core.refusals import RefusedCategory, refused_category

BASE = {
    "id": "r1",
    "source": "city-power",
    "subject": "alice",
    "occurred_on": "2025-01-31",
    "reported_on": "2025-02-02",
}


def test_each_kind_validates() -> None:
    kinds = [
        {"kind": "payment", "status": "late", "days_late": 12, "amount": 40.5},
        {"kind": "contract", "status": "breached", "value": 1200},
        {"kind": "rating", "rater": "bob", "transaction": "t-9", "rating": -4},
        {"kind": "judgment", "status": "unpaid", "amount": 900},
        {"kind": "verification", "what": "identity"},
    ]
    for extra in kinds:
        record = parse_record({**BASE, **extra})
        assert record.kind == extra["kind"]
        assert record.occurred_on == date(2025, 1, 31)


@pytest.mark.parametrize(
    ("field", "category"),
    [
        ("location", RefusedCategory.LOCATION),
        ("gps_latitude", RefusedCategory.LOCATION),
        ("friends", RefusedCategory.ASSOCIATION),
        ("complaint", RefusedCategory.SPEECH),
        ("posts", RefusedCategory.SPEECH),
        ("purchases", RefusedCategory.PURCHASES),
        ("religion", RefusedCategory.PROTECTED),
        ("Date-Of-Birth", RefusedCategory.PROTECTED),
        ("applicant_gender", RefusedCategory.PROTECTED),
    ],
)
def test_refused_fields_are_rejected_naming_the_field(
    field: str, category: RefusedCategory
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_record({**BASE, "kind": "payment", "status": "on_time", field: "x"})
    message = str(caught.value)
    assert repr(field) in message
    assert str(category) in message


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra"):
        parse_record({**BASE, "kind": "payment", "status": "on_time", "favourite_number": 7})


@pytest.mark.parametrize(
    "name", ["payment_status", "days_late", "amount", "occurred_on", "rater", "latency", "stage"]
)
def test_ordinary_names_are_not_refused(name: str) -> None:
    assert refused_category(name) is None


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"kind": "payment", "status": "late"}, "days_late"),
        ({"kind": "payment", "status": "on_time", "days_late": 3}, "days_late"),
        ({"kind": "rating", "rater": "alice", "transaction": "t", "rating": 5}, "rate itself"),
        (
            {"kind": "rating", "rater": "bob", "transaction": "t", "rating": 11},
            "less than or equal",
        ),
        ({"kind": "gossip"}, "gossip"),
        ({"kind": "payment", "status": "on_time", "reported_on": "2025-01-01"}, "earlier"),
    ],
)
def test_invalid_records_say_why(extra: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_record({**BASE, **extra})
    assert fragment in str(caught.value)


def test_content_hash_is_stable_and_content_sensitive() -> None:
    a = parse_record({**BASE, "kind": "payment", "status": "on_time"})
    b = parse_record({**BASE, "kind": "payment", "status": "on_time", "evidence": None})
    c = parse_record({**BASE, "kind": "payment", "status": "missed"})
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(c)
