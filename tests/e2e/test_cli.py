"""The CLI end to end, on a real SQLite registry in a temporary folder."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sincerity.cli import build_app

runner = CliRunner(env={"COLUMNS": "200"})


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(build_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run("init", "--db", url)[0] == 0
    assert run("source", "add", "utility", "--kinds", "payment", "--db", url)[0] == 0
    assert run("subject", "add", "alice", "--name", "Alice", "--db", url)[0] == 0
    assert run("consent", "grant", "alice", "utility", "--db", url)[0] == 0
    return url


def write_payments(path: Path, n: int, bad_line: int | None = None) -> Path:
    today = date.today()
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source", "subject", "kind", "occurred_on", "reported_on", "status"])
        for i in range(n):
            day = (today - timedelta(days=30 * i)).isoformat()
            status = "sometimes" if bad_line is not None and i + 2 == bad_line else "on_time"
            writer.writerow([f"p{i}", "utility", "alice", "payment", day, day, status])
    return path


def test_ingest_score_and_report(db: str, tmp_path: Path) -> None:
    code, out, _ = run("ingest", str(write_payments(tmp_path / "ok.csv", 24)), "--db", db)
    assert code == 0 and "24 records stored" in out
    code, out, _ = run("score", "alice", "--db", db)
    assert code == 0 and "Payment history" in out and "/ 900" in out
    code, out, _ = run("score", "alice", "--db", db, "--json")
    data = json.loads(out)
    assert data["status"] == "scored" and 300 <= data["value"] <= 900
    code, out, _ = run("report", "alice", "--db", db, "--json")
    assert code == 0 and len(json.loads(out)["records"]) == 24
    code, out, _ = run("report", "alice", "--db", db)
    assert code == 0 and "Records (24)" in out and "Consents" in out
    code, out, _ = run("score", "--db", db)
    assert code == 0 and "Score distribution (1 subject)" in out


def test_a_bad_line_is_named_and_nothing_is_stored(db: str, tmp_path: Path) -> None:
    path = write_payments(tmp_path / "bad.csv", 100, bad_line=57)
    code, _, err = run("ingest", str(path), "--db", db)
    assert code == 1
    assert f"{path}:57: status:" in err
    assert "nothing was stored" in err
    code, out, _ = run("report", "alice", "--db", db, "--json")
    assert json.loads(out)["records"] == []


def test_one_ingest_reports_every_problem_of_a_file(db: str, tmp_path: Path) -> None:
    day = date.today().isoformat()
    path = tmp_path / "many.csv"
    path.write_text(
        "id,source,subject,kind,occurred_on,reported_on,status\n"
        f"a1,utility,alice,payment,{day},{day},on_time\n"
        f"a2,utility,alice,payment,03/05/2026,{day},on_time\n"  # a date in another format
        f"a3,utility,bob,payment,{day},{day},on_time\n"  # nobody called bob is registered
        f"a4,utility,alice,payment,{day},{day},sometimes\n"
    )
    code, _, err = run("ingest", str(path), "--db", db)
    assert code == 1 and "3 problems; nothing was stored" in err
    assert f"{path}:3: occurred_on:" in err and "YYYY-MM-DD" in err
    assert f"{path}:4:" in err and "not registered" in err  # found in the same pass
    assert f"{path}:5: status:" in err


def test_a_semicolon_separated_csv_is_read_and_a_repeated_column_refused(
    db: str, tmp_path: Path
) -> None:
    day = date.today().isoformat()
    semicolons = tmp_path / "excel.csv"
    semicolons.write_text(
        "id;source;subject;kind;occurred_on;reported_on;status\n"
        f"s1;utility;alice;payment;{day};{day};on_time\n"
    )
    code, out, _ = run("ingest", str(semicolons), "--db", db)
    assert code == 0 and "1 record stored" in out and ", 1 subject rescored" in out
    twice = tmp_path / "twice.csv"
    twice.write_text(
        "id,source,subject,kind,status,occurred_on,status\n"
        f"t1,utility,alice,payment,on_time,{day},late\n"
    )
    code, _, err = run("ingest", str(twice), "--db", db)
    assert code == 1 and f"{twice}:1: status: column named more than once" in err


def test_the_report_shows_record_ids_whole_on_a_narrow_terminal(db: str, tmp_path: Path) -> None:
    day = date.today().isoformat()
    long_id = "payment-2026-utility-account-0000123456789-statement-0042"
    path = tmp_path / "long.csv"
    path.write_text(
        "id,source,subject,kind,occurred_on,reported_on,status\n"
        f"{long_id},utility,alice,payment,{day},{day},on_time\n"
    )
    assert run("ingest", str(path), "--db", db)[0] == 0
    narrow = CliRunner(env={"COLUMNS": "70"}).invoke(build_app(), ["report", "alice", "--db", db])
    assert narrow.exit_code == 0
    assert long_id in "".join(narrow.stdout.replace("│", " ").split())


def test_dispute_from_the_cli(db: str, tmp_path: Path) -> None:
    run("ingest", str(write_payments(tmp_path / "ok.csv", 6)), "--db", db)
    code, out, _ = run("dispute", "open", "alice", "p1", "--reason", "never billed", "--db", db)
    assert code == 0 and "no longer counts" in out
    code, _, err = run("dispute", "open", "alice", "nope", "--reason", "x", "--db", db)
    assert code == 1 and "no record 'nope'" in err


def test_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    code, _, err = run("score", "alice", "--db", missing)
    assert code == 1 and "sincerity init" in err and "Traceback" not in err
    code, _, err = run("score", "alice", "--db", missing, "--as-of", "yesterday")
    assert code in (1, 2)


def test_policy_check_and_show(tmp_path: Path) -> None:
    code, out, _ = run("policy", "check", "default")
    assert code == 0 and "default@" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nrange: {min: 300, max: 200}\n")
    code, _, err = run("policy", "check", str(bad))
    assert code == 1 and f"{bad}:2: range" in err
    code, out, _ = run("policy", "show")
    assert code == 0 and "Payment history" in out and "Excellent" in out


def test_demo_builds_a_population_and_tours_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, err = run("demo", "--db", url, "--subjects", "80", "--no-serve")
    assert code == 0, err
    assert "Score distribution (80 subjects)" in out
    assert "What holds the score back" in out or "Not enough history" in out
    flat = " ".join(out.split())
    for page in ("/me", "/operator", "/rp", "/source"):
        assert f"lands on http://localhost:8000{page}:" in flat, page
    assert "ask for a proof" in flat and "dispute one" in flat
    assert "http://localhost:8000/invite/" in flat  # a passkey for the demo subject
    code, out, err = run("demo", "--db", url, "--subjects", "80", "--no-serve")
    assert code == 0 and "already in" in err
    code, out, err = run("jobs", "run", "trust", "--db", url)
    assert code == 0 and out.startswith("trust: "), err


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "sincerity"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    for command in ("init", "ingest", "score", "report", "demo", "policy"):
        assert command in result.stdout


def test_eval_ratings_on_the_bundled_network_and_on_a_file(tmp_path: Path) -> None:
    code, out, _ = run("eval", "ratings")
    assert code == 0 and "Fairness-Goodness" in out and "Bitcoin OTC" in out
    code, out, _ = run("eval", "ratings", "--json")
    data = json.loads(out)
    assert data["results"][0]["auc"] >= 0.72
    path = tmp_path / "tiny.csv"
    lines = ["from,to,rating,time"]
    for i in range(200):
        lines.append(f"{i % 17},{(i * 7) % 23 + 17},{10 if i % 5 else -10},{1000 + i}")
    path.write_text("\n".join(lines) + "\n")
    code, out, err = run("eval", "ratings", "--edges", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["ratings"] == 200
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,99,5\n")
    code, _, err = run("eval", "ratings", "--edges", str(bad))
    assert code == 1 and f"{bad}:1" in err


def test_lab_compare_writes_metrics_and_a_report(tmp_path: Path) -> None:
    out_dir = tmp_path / "lab"
    code, out, err = run(
        "lab",
        "compare",
        "accountable",
        "described",
        "--agents",
        "400",
        "--steps",
        "6",
        "--seeds",
        "2",
        "--set",
        "mutation=0",
        "--out",
        str(out_dir),
    )
    assert code == 0, err
    assert "ties cut to critics" in out
    import pyarrow.parquet as pq

    table = pq.read_table(out_dir / "metrics.parquet")
    assert table.num_rows == 2 * 2 * 6
    assert "<svg" in (out_dir / "report.html").read_text()

    def strict(text: str) -> object:  # NaN, Infinity and -Infinity are not JSON
        return json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))

    summary = strict((out_dir / "summary.json").read_text())
    assert {s["preset"] for s in summary} == {"accountable", "described"}
    manifest = strict((out_dir / "run.json").read_text())
    assert len(manifest["seeds"]) == 2 and manifest["set"] == ["mutation=0"]
    described = manifest["config"]["described"]  # the full configuration each policy ran with
    assert described["agents"] == 400 and described["mutation"] == 0
    assert manifest["sincerity_version"]
    assert [p["name"] for p in manifest["policies"]] == ["accountable", "described"]
    code, out, _ = run("lab", "presets")
    assert code == 0 and "state-owned enterprise" in out
    code, _, err = run(
        "lab", "run", "--preset", str(tmp_path / "missing.yaml"), "--agents", "100", "--steps", "1"
    )
    assert code == 1 and "no such lab policy file" in err


def test_fit_apply_and_audit_from_the_command_line(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    code, out, err = run(
        "fit", "german-credit", "--target", "creditability", "--folds", "3", "--out", str(card)
    )
    assert code == 0, err
    assert "ROC AUC" in out and "Parity with the fitted model" in out and card.exists()
    flat = " ".join(out.split())
    assert "Left out: purpose" in flat and "Unconstrained" in flat and "Monotone" in flat
    scored = tmp_path / "scored.csv"
    code, out, err = run("apply", str(card), "german-credit", "--out", str(scored), "--show", "2")
    assert code == 0, err
    with scored.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1000 and rows[0]["decision"] in ("approve", "decline")
    code, out, err = run(
        "audit",
        "fairness",
        str(card),
        "german-credit",
        "--group",
        "sex",
        "--group",
        "age_in_years",
        "--cut",
        "age_in_years=25",
        "--out",
        str(tmp_path / "audit"),
    )
    assert code == 0, err
    assert "four-fifths" in out and "out-of-fold" in out and "chance it fails" in out
    report = json.loads((tmp_path / "audit" / "fairness.json").read_text())
    assert set(report["audits"]) == {"sex", "age_in_years (cut at 25)"}
    assert report["predictions"].startswith("out-of-fold")
    assert report["proxies"]["age_in_years (cut at 25)"]["auc"] > 0.6
    page = (tmp_path / "audit" / "fairness.html").read_text()
    assert "<svg" in page and "bootstrap 95% interval" in page and "Proxies" in page


def test_fit_with_purpose_reports_the_auc_without_it_and_names_a_wrong_target(
    tmp_path: Path,
) -> None:
    card = tmp_path / "card.yaml"
    code, out, err = run(
        "fit", "german-credit", "--target", "creditability", "--folds", "3", "--allow-purpose",
        "--out", str(card),
    )  # fmt: skip
    assert code == 0, err
    assert "ROC AUC without purpose" in out and "scores what the loan buys" in out
    code, _out, err = run("fit", "german-credit", "--target", "WRONG", "--out", str(card))
    flat = " ".join(err.split())
    assert code == 1 and "no column named 'WRONG'" in flat and "creditability" in flat


def test_fit_from_registry_labels(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    labels = tmp_path / "labels.csv"
    code, _, err = run(
        "demo", "--db", url, "--subjects", "600", "--no-serve", "--labels", str(labels)
    )
    assert code == 0, err
    policy_file = tmp_path / "fitted.yaml"
    code, out, err = run(
        "fit", "--from-registry", str(labels), "--db", url, "--out", str(policy_file)
    )
    assert code == 0, err
    assert "Held-out AUC" in out
    code, out, _ = run("policy", "check", str(policy_file))
    assert code == 0 and "fitted@" in out


def test_ingest_explains_a_deeply_nested_row_and_a_corrupt_parquet_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert run("init", "--db", url)[0] == 0
    nested = tmp_path / "nested.jsonl"
    nested.write_text('{"id": "a", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    code, _out, err = run("ingest", str(nested), "--db", url)
    assert code == 1 and "nested.jsonl:1: JSON nested too deeply" in " ".join(err.split())
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1" + b"\x00" * 40 + b"PAR1")
    code, _out, err = run("ingest", str(corrupt), "--db", url)
    assert code == 1 and "not a readable Parquet file" in err and "Traceback" not in err


def test_backup_and_restore_round_trip_a_demo_registry(tmp_path: Path) -> None:
    import sqlite3

    url = f"sqlite:///{tmp_path / 'live.db'}"
    assert run("demo", "--db", url, "--subjects", "60", "--no-serve")[0] == 0
    copy = tmp_path / "backup.db"
    code, out, err = run("backup", str(copy), "--db", url)
    assert code == 0 and "Backed up" in out, err
    assert run("backup", str(copy), "--db", url)[0] == 1  # never overwrites

    def content(path: Path) -> dict[str, list[tuple[object, ...]]]:
        with sqlite3.connect(path) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {
                t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
            }

    before = content(tmp_path / "live.db")
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    code, out, err = run("restore", str(copy), "--db", target)
    assert code == 0, err
    assert content(tmp_path / "restored.db") == before  # every table, every row
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(copy.read_bytes()[:4096] + b"\0" * 4096)
    code, _out, err = run("restore", str(damaged), "--db", target)
    assert code == 1 and "nothing was restored" in " ".join(err.split())
    code, _out, err = run("backup", str(tmp_path / "pg.db"), "--db", "postgresql://x@127.0.0.1/y")
    assert code == 1 and "pg_dump" in err


def test_links_follow_the_served_port_unless_a_public_url_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sincerity.cli.serve_cmds import public_url_for

    monkeypatch.delenv("SINCERITY_PUBLIC_URL", raising=False)
    assert public_url_for("127.0.0.1", 8044) == "http://localhost:8044"  # passkeys need a name
    assert public_url_for("10.0.0.5", 8044) == "http://10.0.0.5:8044"
    monkeypatch.setenv("SINCERITY_PUBLIC_URL", "https://trust.example.org")
    assert public_url_for("127.0.0.1", 8044) == "https://trust.example.org"


def test_the_console_script_lists_commands_without_importing_them(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from sincerity.cli import lazy\n"
        "result = CliRunner().invoke(lazy.app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = ('sqlalchemy', 'numpy', 'scipy', 'pydantic', 'sincerity.services')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "[]"
    script = Path(sys.executable).parent / "sincerity"
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.strip().startswith("sincerity ")
    url = f"sqlite:///{tmp_path / 'lazy.db'}"
    created = subprocess.run([str(script), "init", "--db", url], capture_output=True, text=True)
    assert created.returncode == 0, created.stderr  # a subcommand loads and runs
    wrong = subprocess.run([str(script), "init", "--bogus"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "No such option" in wrong.stderr


def test_the_console_script_help_matches_each_command() -> None:
    import typer.main

    from sincerity.cli.lazy import COMMANDS

    full = typer.main.get_group(build_app())  # every command module imported
    assert full.list_commands(None) == list(COMMANDS)
    for name in COMMANDS:
        command = full.get_command(None, name)
        assert command.get_short_help_str(limit=500) == COMMANDS[name][2], name


def test_a_subcommands_help_comes_from_the_cache_the_second_time(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from sincerity.cli import main\n"
        "sys.argv = ['sincerity', *sys.argv[1:]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'numpy', 'scipy', 'sincerity.services', 'sincerity.lab')\n"
        "print('IMPORTED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "SINCERITY_CACHE_DIR": str(tmp_path), "COLUMNS": "100"}

    def ask(*words: str) -> tuple[str, str]:
        shown = subprocess.run(
            [sys.executable, "-c", probe, *words], capture_output=True, text=True, env=env
        )
        assert shown.returncode == 0, shown.stderr
        text, imported = shown.stdout.rsplit("IMPORTED", 1)
        return text, imported.strip()

    first, imported = ask("report", "--help")
    assert "sincerity.services" in imported  # built once, from the command's module
    again, imported = ask("report", "--help")
    assert again == first and imported == "[]"
    group, _ = ask("keys", "--help")
    sub, _ = ask("keys", "create", "--help")
    assert ask("keys", "create", "--help") == (sub, "[]") and "create" in group
    assert len(list(tmp_path.glob("cli-help-*.pickle"))) == 1


def test_rescore_parquet_writes_every_subjects_score_as_columns(
    tmp_path: Path, monkeypatch
) -> None:
    folder, out = tmp_path / "synthetic", tmp_path / "scores"
    code, _, _ = run("synth", "--subjects", "300", "--out", str(folder), "--as-of", "2026-06-01")
    assert code == 0
    code, stdout, _ = run(
        "rescore", "--parquet", str(folder), "--out", str(out), "--as-of", "2026-06-01"
    )
    assert code == 0, stdout
    assert "300 subjects scored with duckdb" in stdout
    table = pq.read_table(out / "scores.parquet")
    assert table.num_rows == 300
    rows = table.to_pylist()
    scored = [r for r in rows if r["score"] is not None]
    assert scored and all(r["tier"] is not None for r in scored)
    assert all(r["tier"] is None and r["reason_factors"] == [] for r in rows if r["score"] is None)
    assert all(len(r["reason_factors"]) <= 4 for r in rows)

    monkeypatch.setenv("SINCERITY_DUCKDB_MEMORY", "lots")
    code, _, stderr = run("rescore", "--parquet", str(folder), "--as-of", "2026-06-01")
    assert code == 1
    assert "SINCERITY_DUCKDB_MEMORY='lots' is not a memory size" in stderr
