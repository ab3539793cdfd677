"""How long the CLI takes to start: `sincerity --help`, `sincerity --version` and subcommands'
help, against a bare interpreter (`python -c pass`) measured in the same run.

Target: under 0.3 s. Each figure is the median of `--repeats` fresh processes. A subcommand's
help is measured twice: the first ask (which builds the command and caches it) and later asks
(from the cache), with a fresh cache folder for this run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
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
    os.environ["SINCERITY_CACHE_DIR"] = tempfile.mkdtemp(prefix="sincerity-bench-cli-")
    measured = [
        ("python -c pass (baseline)", median_seconds([sys.executable, "-c", "pass"], args.repeats))
    ]
    measured += [
        ("sincerity --help", median_seconds([SCRIPT, "--help"], args.repeats)),
        ("sincerity --version", median_seconds([SCRIPT, "--version"], args.repeats)),
    ]
    for words in (["score"], ["ingest"], ["lab", "run"], ["keys", "create"]):
        command = [SCRIPT, *words, "--help"]
        measured.append(
            (f"sincerity {' '.join(words)} --help, first ask", median_seconds(command, 1))
        )
        measured.append(
            (f"sincerity {' '.join(words)} --help", median_seconds(command, args.repeats))
        )
    base = measured[0][1]
    report(
        "cli_startup",
        [{"command": n, "seconds": s, "vs_bare_python": s / base} for n, s in measured],
    )
    print("Target: under 0.3 s.")


if __name__ == "__main__":
    main()
