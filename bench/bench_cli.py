"""How long the CLI takes to start: `sincerity --help`, `sincerity --version` and a subcommand's
help, against a bare interpreter (`python -c pass`) measured in the same run.

Target: `sincerity --help` under 0.3 s. Each figure is the median of `--repeats` fresh processes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import report

SCRIPT = str(Path(sys.executable).parent / "sincerity")


def median_seconds(command: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    cases = [
        ("python -c pass (baseline)", [sys.executable, "-c", "pass"]),
        ("sincerity --help", [SCRIPT, "--help"]),
        ("sincerity --version", [SCRIPT, "--version"]),
        ("sincerity policy --help", [SCRIPT, "policy", "--help"]),
        ("sincerity score --help", [SCRIPT, "score", "--help"]),
    ]
    measured = [(name, median_seconds(command, args.repeats)) for name, command in cases]
    base = measured[0][1]
    report(
        "cli_startup",
        [{"command": n, "seconds": s, "vs_bare_python": s / base} for n, s in measured],
    )
    print("Target: sincerity --help under 0.3 s.")


if __name__ == "__main__":
    main()
