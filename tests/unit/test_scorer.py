from datetime import date, timedelta

import pytest

from sincerity.core.policy import Policy
from sincerity.core.scoring import score
from tests.conftest import AS_OF, make


def monthly(n: int, status: str = "on_time", start: int = 0, **fields: object) -> list:
    return [
        make(
            "payment",
            AS_OF - timedelta(days=30 * (i + start)),
            f"{status}-{i + start}",
            status=status,
            **fields,
        )
        for i in range(n)
    ]


def test_a_thin_file_gets_no_number(policy: Policy) -> None:
    result = score(monthly(2), policy, AS_OF)
    assert result.status == "thin_file"
    assert result.value is None and result.tier is None and result.rounded is None
    assert result.reasons == ("Not enough history yet: 2 of 3 records needed",)


def test_a_short_span_is_thin_too(policy: Policy) -> None:
    records = [make("payment", AS_OF - timedelta(days=i), i) for i in range(10)]
    result = score(records, policy, AS_OF)
    assert result.status == "thin_file"
    assert "days needed" in result.reasons[0]


def test_a_good_history_scores_high_with_badges_and_privileges(policy: Policy) -> None:
    contracts = [make("contract", AS_OF - timedelta(days=100 * i), i) for i in range(10)]
    records = [*monthly(48), make("verification", AS_OF - timedelta(days=1500), "id"), *contracts]
    result = score(records, policy, AS_OF)
    assert result.status == "scored"
    assert result.value is not None and 750 < result.value <= 900
    earned = {b.id for b in result.badges if b.earned}
    assert {"on_time_12", "on_time_36", "contracts_10", "identity"} <= earned
    assert result.privileges
    assert result.policy_version == policy.version
    assert sum(f.max_points for f in result.factors) == pytest.approx(600)


def test_reasons_are_at_most_four_and_worst_first(policy: Policy) -> None:
    records = (
        monthly(24)
        + monthly(3, "missed", start=24)
        + [make("contract", AS_OF - timedelta(days=40), "b", status="breached")]
        + [make("judgment", AS_OF - timedelta(days=400), "j")]
        + [make("rating", AS_OF - timedelta(days=9), "r", rating=-10)]
    )
    result = score(records, policy, AS_OF)
    assert 1 <= len(result.reasons) <= 4
    lost = sorted(result.factors, key=lambda f: -f.points_lost)
    assert result.reasons[0].startswith(("3 late or missed", "1 contract breached", "1 unpaid"))
    assert lost[0].points_lost >= lost[1].points_lost


def test_following_a_suggested_step_reaches_the_next_tier(policy: Policy) -> None:
    records = (
        monthly(20)
        + monthly(2, "missed", start=20)
        + [make("contract", AS_OF - timedelta(days=50), "c")]
    )
    result = score(records, policy, AS_OF)
    assert result.next_tier is not None and result.steps
    for step in (s for s in result.steps if s.reaches_tier):
        extra: list = []
        if "payment" in step.factor:
            count = step.count - (1 if "verified_identity" in step.factor else 0)
            extra += [make("payment", AS_OF, f"new-{i}") for i in range(count)]
        if "verified_identity" in step.factor:
            extra.append(make("verification", AS_OF, "new-id"))
        if step.factor == "contract_fulfilment":
            extra += [make("contract", AS_OF, f"new-{i}") for i in range(step.count)]
        if step.factor == "counterparty_ratings":
            extra += [make("rating", AS_OF, f"new-{i}") for i in range(step.count)]
        after = score(records + extra, policy, AS_OF)
        assert after.value is not None
        assert (
            after.value
            >= policy.tiers[[t.name for t in policy.tiers].index(result.next_tier)].min_score
        )
        fewer = score(records + extra[:-1], policy, AS_OF)
        assert fewer.tier == result.tier or step.factor == "verified_identity+payment_history"


def test_disputed_superseded_and_future_records_do_not_count(policy: Policy) -> None:
    base = monthly(12)
    judgment = make("judgment", AS_OF - timedelta(days=300), "j1")
    satisfied = make(
        "judgment", AS_OF - timedelta(days=300), "j2", status="satisfied", supersedes="judgment-j1"
    )
    future = make("payment", AS_OF + timedelta(days=3), "later", status="missed")
    late_report = make(
        "payment",
        AS_OF - timedelta(days=3),
        "late-report",
        status="missed",
        reported_on=AS_OF + timedelta(days=1),
    )
    clean = score(base, policy, AS_OF)
    assert score([*base, judgment], policy, AS_OF, disputed={"judgment-j1"}).value == clean.value
    assert score([*base, future, late_report], policy, AS_OF).value == clean.value
    both = score([*base, judgment, satisfied], policy, AS_OF)
    only_satisfied = score([*base, satisfied], policy, AS_OF)
    assert both.value == only_satisfied.value
    assert both.records_excluded["superseded"] == 1
    assert both.value is not None and clean.value is not None and both.value < clean.value


def test_a_satisfied_judgment_weighs_less_than_an_unpaid_one(policy: Policy) -> None:
    base = monthly(12)
    unpaid = score([*base, make("judgment", AS_OF - timedelta(days=90), "j")], policy, AS_OF)
    paid = score(
        [*base, make("judgment", AS_OF - timedelta(days=90), "j", status="satisfied")],
        policy,
        AS_OF,
    )
    assert unpaid.value is not None and paid.value is not None
    assert unpaid.value < paid.value


def test_the_same_id_with_different_content_is_refused(policy: Policy) -> None:
    with pytest.raises(ValueError, match="appears twice"):
        score(
            [make("payment", AS_OF, "x"), make("payment", AS_OF, "x", status="missed")],
            policy,
            AS_OF,
        )


def test_rater_trust_scales_ratings(policy: Policy) -> None:
    base = monthly(12)
    ratings = [make("rating", AS_OF - timedelta(days=i), i, rater=f"r{i % 2}") for i in range(10)]
    trusted = score(base + ratings, policy, AS_OF)
    untrusted = score(base + ratings, policy, AS_OF, rater_trust={"r0": 0.0, "r1": 0.0})
    neutral = score(base, policy, AS_OF)
    assert untrusted.value == neutral.value
    assert trusted.value is not None and neutral.value is not None and trusted.value > neutral.value


def test_to_dict_is_plain_data(policy: Policy) -> None:
    data = score(monthly(12), policy, date(2026, 6, 1)).to_dict()
    assert data["as_of"] == "2026-06-01"
    assert isinstance(data["factors"][0]["points"], float)
    assert data["rounded"] == round(data["value"])


def test_every_reason_a_subject_can_act_on_has_a_step(policy: Policy) -> None:
    identity_only = [make("verification", AS_OF - timedelta(days=400), "id")]
    records = monthly(30) + identity_only
    result = score(records, policy, AS_OF)
    assert "Licence not verified" in result.reasons
    licence = [s for s in result.steps if s.factor == "verified_identity"]
    assert licence and licence[0].action.startswith("Verify your licence")
    after = score([*records, make("verification", AS_OF, "lic", what="licence")], policy, AS_OF)
    assert after.value is not None and result.value is not None
    assert after.value - result.value == pytest.approx(licence[0].gain, abs=1e-6)
    actionable = {"payment_history", "contract_fulfilment", "counterparty_ratings"}
    for name in result.reason_factors:
        if name in actionable | {"verified_identity"}:
            assert any(name in s.factor.split("+") for s in result.steps), name


def test_three_years_on_time_takes_three_years(policy: Policy) -> None:
    def badge(records: list) -> tuple[bool, float]:
        found = next(b for b in score(records, policy, AS_OF).badges if b.id == "on_time_36")
        return found.earned, found.progress

    two_bills_a_month = [
        make("payment", AS_OF - timedelta(days=15 * i), f"bill-{i}") for i in range(36)
    ]
    earned, progress = badge(two_bills_a_month)  # 36 on time, but over 18 months
    assert not earned and progress == pytest.approx(18, abs=1)
    assert badge(monthly(36)) == (True, 36.0)  # one bill a month for three years
    assert not badge(monthly(35))[0]
