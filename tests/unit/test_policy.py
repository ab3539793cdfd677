from pathlib import Path

import pytest
import yaml

from sincerity.core.errors import PolicyError
from sincerity.policies import load_policy, parse_policy_text, shipped_policy

DEFAULT_TEXT = (Path(__file__).parents[2] / "src/sincerity/policies/default.yaml").read_text()


def test_default_policy_has_what_the_product_promises() -> None:
    policy = shipped_policy()
    assert (policy.range.min, policy.range.max) == (300, 900)
    assert policy.obsolete_after_days("payment") == pytest.approx(7 * 365.25)
    assert policy.obsolete_after_days("judgment") == pytest.approx(10 * 365.25)
    assert policy.thin_file.min_records >= 1
    assert {b.rule.type for b in policy.badges} >= {
        "payment_streak",
        "contracts_kept",
        "identity_verified",
    }
    assert set(policy.privileges) <= {t.name for t in policy.tiers}
    assert policy.version.startswith("default@")


def test_version_is_a_content_hash_not_a_formatting_hash() -> None:
    data = yaml.safe_load(DEFAULT_TEXT)
    reformatted = yaml.safe_dump(data, default_flow_style=True, sort_keys=True)
    assert parse_policy_text(reformatted).version == shipped_policy().version
    data["factors"]["payment_history"]["weight"] = 36
    assert parse_policy_text(yaml.safe_dump(data)).version != shipped_policy().version


def _error(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        parse_policy_text(text, "p.yaml")
    return caught.value


def test_a_bad_value_is_reported_with_its_line_and_key_path() -> None:
    text = DEFAULT_TEXT.replace("half_life_days: 730", "half_life_days: -730")
    error = _error(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "half_life_days: -730" in t)
    [problem] = error.problems
    assert problem.line == line
    assert problem.field == "factors.payment_history.half_life_days"
    assert f"p.yaml:{line}: factors.payment_history.half_life_days" in str(error)


def test_an_unknown_key_is_named() -> None:
    text = DEFAULT_TEXT.replace("  min_records: 3", "  min_records: 3\n  min_recrods: 4")
    error = _error(text)
    assert error.problems[0].field == "thin_file.min_recrods"
    assert "unknown key" in error.problems[0].message


def test_inconsistent_tiers_are_refused() -> None:
    text = DEFAULT_TEXT.replace("min_score: 580", "min_score: 700")
    assert "lowest to highest" in str(_error(text))


@pytest.mark.parametrize(
    "rule", ["speech_rules", "association_rules", "purchase_rules", "visibility_rules"]
)
def test_lab_only_rules_are_refused_by_the_registry_loader(rule: str) -> None:
    text = DEFAULT_TEXT + f"\n{rule}:\n  - {{penalty: 50}}\n"
    error = _error(text)
    [problem] = error.problems
    assert problem.field == rule
    assert "lab-only rule" in problem.message
    assert problem.line == len(DEFAULT_TEXT.splitlines()) + 2


def test_a_factor_on_a_refused_input_is_refused() -> None:
    text = DEFAULT_TEXT.replace(
        "factors:\n", "factors:\n  friends_score: {weight: 5, label: x}\n", 1
    )
    error = _error(text)
    assert error.problems[0].field == "factors.friends_score"
    assert "association" in error.problems[0].message


def test_broken_yaml_names_the_line() -> None:
    error = _error("name: x\nrange: {min: 1\n")
    assert error.problems[0].line is not None


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no such policy file"):
        load_policy(tmp_path / "nope.yaml")
