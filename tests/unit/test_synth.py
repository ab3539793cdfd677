"""The synthetic population: reproducible, and realistic enough that the default policy ranks
people by their hidden reliability."""

from collections import defaultdict
from datetime import date

from sincerity.core.records import parse_record
from sincerity.core.scoring import score
from sincerity.policies import shipped_policy
from sincerity.synth import demo_population

AS_OF = date(2026, 6, 1)


def auc(positives: list[float], negatives: list[float]) -> float:
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def test_same_seed_same_population() -> None:
    a, b = demo_population(50, AS_OF, seed=3), demo_population(50, AS_OF, seed=3)
    assert a.records == b.records and a.consents == b.consents
    assert demo_population(50, AS_OF, seed=4).records != a.records


def test_every_record_is_valid_and_consented() -> None:
    population = demo_population(120, AS_OF, seed=1)
    consented = set(population.consents)
    for row in population.records:
        record = parse_record(row)
        assert record.reported_on <= AS_OF
        assert (record.subject, record.source) in consented


def test_the_default_policy_ranks_people_by_hidden_reliability() -> None:
    population = demo_population(600, AS_OF, seed=11)
    by_subject = defaultdict(list)
    for row in population.records:
        by_subject[row["subject"]].append(parse_record(row))
    policy = shipped_policy()
    reliable, unreliable = [], []
    for subject, records in by_subject.items():
        result = score(records, policy, AS_OF)
        if result.value is None:
            continue
        hidden = population.reliability[subject]
        (reliable if hidden >= 0.75 else unreliable).append(result.value)
    assert len(reliable) > 100 and len(unreliable) > 30
    assert auc(reliable, unreliable) > 0.75
