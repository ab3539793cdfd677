"""Run every benchmark in bench/ with its default sizes."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = (
    "bench_scoring.py",
    "bench_ingest.py",
    "bench_rating_ingest.py",
    "bench_cli.py",
    "bench_trust.py",
    "bench_api_load.py",
    "bench_attest.py",
    "bench_web.py",
    "bench_lab.py",
    "bench_rescore.py",
    "bench_access_log.py",
)

for script in SCRIPTS:
    print(f"\n##### {script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script)], check=True, cwd=HERE)
