"""Properties of the scorer that must hold for every ledger (hypothesis)."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sincerity.core.records import AnyRecord
from sincerity.core.scoring import Score, score
from sincerity.policies import shipped_policy
from tests.conftest import AS_OF, make

POLICY = shipped_policy()
SEVEN_YEARS = int(7 * 365.25)
PROPS = settings(max_examples=150, deadline=None)

kinds = st.sampled_from(["payment", "contract", "rating", "judgment", "verification"])
statuses = {
    "payment": st.sampled_from(["on_time", "on_time", "on_time", "late", "missed", "defaulted"]),
    "contract": st.sampled_from(["fulfilled", "fulfilled", "breached", "signed"]),
    "judgment": st.sampled_from(["unpaid", "satisfied"]),
}


@st.composite
def records(draw: st.DrawFn, n: int | str, max_age: int = 12 * 365) -> AnyRecord:
    kind = draw(kinds)
    day = AS_OF - timedelta(days=draw(st.integers(0, max_age)))
    fields: dict[str, object] = {}
    if kind in statuses:
        fields["status"] = draw(statuses[kind])
    if fields.get("status") == "late":
        fields["days_late"] = draw(st.integers(1, 200))
    if kind == "rating":
        fields["rating"] = draw(st.integers(-10, 10))
        fields["rater"] = draw(st.sampled_from(["r1", "r2", "r3"]))
    if kind == "verification":
        fields["what"] = draw(st.sampled_from(["identity", "licence"]))
    return make(kind, day, n, **fields)


@st.composite
def ledgers(draw: st.DrawFn, min_size: int = 0, max_size: int = 40) -> list[AnyRecord]:
    size = draw(st.integers(min_size, max_size))
    return [draw(records(i)) for i in range(size)]


def anchored(ledger: list[AnyRecord]) -> list[AnyRecord]:
    """A ledger that is surely scored and whose history span no 6.5-year-old record changes."""
    anchors = [
        make("payment", AS_OF - timedelta(days=SEVEN_YEARS - 30 - i), f"anchor-{i}")
        for i in range(3)
    ]
    return anchors + ledger


def value(result: Score) -> float:
    assert result.value is not None, result.reasons
    return result.value


@PROPS
@given(ledgers())
def test_scores_stay_in_range_and_thin_files_get_no_number(ledger: list[AnyRecord]) -> None:
    result = score(ledger, POLICY, AS_OF)
    if result.status == "thin_file":
        assert result.value is None and result.tier is None
    else:
        assert POLICY.range.min <= value(result) <= POLICY.range.max
        assert result.records_used >= POLICY.thin_file.min_records
    assert len(result.reasons) <= 4


@PROPS
@given(ledgers(max_size=2))
def test_fewer_records_than_the_minimum_never_get_a_number(ledger: list[AnyRecord]) -> None:
    assert score(ledger, POLICY, AS_OF).value is None


@PROPS
@given(ledgers(), st.randoms(use_true_random=False))
def test_record_order_does_not_matter_to_the_last_bit(
    ledger: list[AnyRecord], rng: random.Random
) -> None:
    shuffled = list(ledger)
    rng.shuffle(shuffled)
    assert score(shuffled, POLICY, AS_OF).to_dict() == score(ledger, POLICY, AS_OF).to_dict()


@PROPS
@given(ledgers(), st.integers(0, SEVEN_YEARS), st.sampled_from(["payment", "contract"]))
def test_keeping_ones_word_never_lowers_the_score(
    ledger: list[AnyRecord], age: int, kind: str
) -> None:
    ledger = anchored(ledger)
    good = make(
        kind,
        AS_OF - timedelta(days=age),
        "new",
        status="on_time" if kind == "payment" else "fulfilled",
    )
    assert value(score([*ledger, good], POLICY, AS_OF)) >= value(score(ledger, POLICY, AS_OF))


@PROPS
@given(
    ledgers(),
    st.integers(0, SEVEN_YEARS),
    st.sampled_from(
        [
            ("payment", "missed"),
            ("payment", "defaulted"),
            ("contract", "breached"),
            ("judgment", "unpaid"),
        ]
    ),
)
def test_breaking_ones_word_never_raises_the_score(
    ledger: list[AnyRecord], age: int, kind_status: tuple[str, str]
) -> None:
    ledger = anchored(ledger)
    kind, status = kind_status
    bad = make(kind, AS_OF - timedelta(days=age), "new", status=status)
    assert value(score([*ledger, bad], POLICY, AS_OF)) <= value(score(ledger, POLICY, AS_OF))


@PROPS
@given(
    ledgers(),
    st.integers(0, 6 * 365),
    st.integers(0, 6 * 365),
    st.sampled_from(
        [
            ("payment", "on_time"),
            ("payment", "missed"),
            ("contract", "fulfilled"),
            ("contract", "breached"),
            ("judgment", "unpaid"),
            ("rating", None),
        ]
    ),
)
def test_an_older_record_weighs_no_more_than_the_same_record_newer(
    ledger: list[AnyRecord], age_a: int, age_b: int, kind_status: tuple[str, str | None]
) -> None:
    ledger = anchored(ledger)
    newer_age, older_age = sorted((age_a, age_b))
    kind, status = kind_status
    fields = {} if status is None else {"status": status}
    base = value(score(ledger, POLICY, AS_OF))
    newer = value(
        score(
            [*ledger, make(kind, AS_OF - timedelta(days=newer_age), "x", **fields)], POLICY, AS_OF
        )
    )
    older = value(
        score(
            [*ledger, make(kind, AS_OF - timedelta(days=older_age), "x", **fields)], POLICY, AS_OF
        )
    )
    assert abs(older - base) <= abs(newer - base) + 1e-9


@PROPS
@given(ledgers(min_size=3), records("extra", max_age=0))
def test_obsolete_and_disputed_records_have_no_effect(
    ledger: list[AnyRecord], extra: AnyRecord
) -> None:
    reference = score(ledger, POLICY, AS_OF)
    years = POLICY.obsolete_after_days(extra.kind)
    obsolete = extra.model_copy(
        update={
            "occurred_on": AS_OF - timedelta(days=int(years) + 1),
            "reported_on": AS_OF - timedelta(days=int(years) + 1),
        }
    )
    with_obsolete = score([*ledger, obsolete], POLICY, AS_OF)
    with_disputed = score([*ledger, extra], POLICY, AS_OF, disputed={extra.id})
    for result in (with_obsolete, with_disputed):
        assert result.value == reference.value
        assert result.factors == reference.factors
        assert result.reasons == reference.reasons


@PROPS
@given(ledgers())
def test_a_next_tier_always_comes_with_something_to_do(ledger: list[AnyRecord]) -> None:
    result = score(anchored(ledger), POLICY, AS_OF)
    payments = next(f for f in result.factors if f.name == "payment_history")
    if result.next_tier is not None and payments.points < payments.max_points - 0.5:
        assert result.steps, (result.value, result.next_tier, result.factors)
