"""The next-rating protocol on the bundled Bitcoin OTC network, and the signed-network reader."""

from pathlib import Path

import pytest

from sincerity.core.errors import InvalidInputError
from sincerity.datasets import bitcoin_otc, read_signed_network
from sincerity.evaluation import evaluate_ratings
from sincerity.policies import shipped_policy


def test_the_default_policy_beats_every_baseline_on_bitcoin_otc() -> None:
    result = evaluate_ratings(bitcoin_otc(), shipped_policy())
    assert result.ratings == 35_592 and result.history == 28_473
    assert result.coverage == pytest.approx(0.618, abs=0.001)
    sincerity = result.results[0]
    assert not sincerity.is_baseline
    assert sincerity.auc >= 0.72
    baselines = [r for r in result.results if r.is_baseline]
    assert len(baselines) == 4
    assert all(sincerity.auc > b.auc + 0.05 for b in baselines)


def test_baselines_reproduce_their_published_range() -> None:
    result = {r.method: r.auc for r in evaluate_ratings(bitcoin_otc(), shipped_policy()).results}
    assert result["Mean rating received"] == pytest.approx(0.59, abs=0.02)
    assert result["Plain Beta (pos+1)/(pos+neg+2)"] == pytest.approx(0.63, abs=0.02)


def test_a_network_without_header_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "net.csv"
    path.write_text("1,2,5,100\n2,3,-3,200.5\n3,3,10,300\n")
    network = read_signed_network(path)
    assert len(network) == 2  # the self-rating is dropped
    assert list(network.ratings) == [5.0, -3.0]


def test_bad_lines_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("from,to,rating,time\n1,2,5,100\n1,2,eleven,100\n1,3,42,7\n4,5\n")
    with pytest.raises(InvalidInputError) as caught:
        read_signed_network(path)
    assert [p.line for p in caught.value.problems] == [3, 4, 5]
