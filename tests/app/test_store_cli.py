"""focus-agent db upgrade|seed, train --source db and monitor, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli
from model.data import rows_sha256
from store.journal import Journal


def run(*argv: str) -> tuple[int, str]:
    """Run focus-agent in-process; exit code and everything it printed."""
    result = CliRunner().invoke(cli, list(argv))
    return result.exit_code, result.output


def test_upgrade_then_seed_twice(database_url: str, dataset_path: Path) -> None:
    code, output = run("db", "seed", str(dataset_path), "--database-url", database_url)
    assert code == 1 and "focus-agent db upgrade" in output
    assert run("db", "upgrade", "--database-url", database_url)[0] == 0
    code, output = run("db", "seed", str(dataset_path), "--database-url", database_url)
    assert code == 0 and "seeded 2000 sessions" in output
    code, output = run("db", "seed", str(dataset_path), "--database-url", database_url)
    assert code == 0 and "already seeded" in output and "nothing added" in output


def test_seed_refuses_a_file_that_breaks_the_contract(journal: Journal, database_url: str,
                                                      tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,duration_minutes,mood_before,mood_after\n2025-01-01,20,sad,calm\n")
    code, output = run("db", "seed", str(bad), "--database-url", database_url)
    assert code == 1 and "mood_before 'sad' is not one of" in output
    assert journal.is_empty()


def test_an_unreachable_store_is_a_one_line_error() -> None:
    code, output = run("db", "upgrade", "--database-url",
                       "postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert code == 1 and output.startswith("error: migration failed") and "Traceback" not in output


def test_train_from_the_journal_records_source_rows_and_checksum(
        journal: Journal, database_url: str, dataset_path: Path, artifacts: Path) -> None:
    run("db", "seed", str(dataset_path), "--database-url", database_url)
    code, output = run("train", "--source", "db", "--database-url", database_url,
                       "--artifacts", str(artifacts))
    assert code == 0, output
    data = json.loads((artifacts / "model.json").read_text())["data"]
    assert (data["source"], data["rows"]) == ("db", 2000)
    assert data["sha256"] == rows_sha256(journal.contract_rows())
    assert data["profile"]["mood_before"]["stressed"] > 0
    previous = json.loads((artifacts / "previous" / "model.json").read_text())
    assert previous["data"]["source"] == "csv"


def test_train_from_an_empty_journal_is_refused(journal: Journal, database_url: str,
                                                artifacts: Path) -> None:
    code, output = run("train", "--source", "db", "--database-url", database_url,
                       "--artifacts", str(artifacts))
    assert code == 1 and "no data rows" in output


def _record(journal: Journal, count: int, after: str) -> None:
    """Sessions of stressed people, 20 minutes (the model says calm), with this outcome."""
    journal.record([{"date": dt.date(2025, 1, 1), "duration_minutes": 20,
                     "mood_before": "stressed", "mood_after": after}] * count)


def test_monitor_passes_fails_and_waits_for_enough_sessions(
        journal: Journal, database_url: str, trained_dir: Path, tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    shutil.copytree(trained_dir, artifacts)
    base = ["monitor", "--artifacts", str(artifacts), "--database-url", database_url,
            "--min-sessions", "10", "--max-psi", "100"]
    _record(journal, 5, "calm")
    code, output = run(*base)
    assert code == 0 and "not enough sessions" in output
    _record(journal, 15, "calm")
    code, output = run(*base, "--json")
    report = json.loads(output)
    assert code == 0 and report["verdict"] == "ok" and report["live"]["accuracy"] == 1.0
    _record(journal, 30, "energized")
    code, output = run(*base, "--min-accuracy", "0.5")
    assert code == 1 and "live accuracy 0.4000 on 50 sessions is below 0.5000" in output


def test_monitor_reports_input_drift(journal: Journal, database_url: str,
                                     trained_dir: Path) -> None:
    _record(journal, 40, "calm")  # only stressed people: far from the training mix
    code, output = run("monitor", "--artifacts", str(trained_dir), "--database-url",
                       database_url, "--min-sessions", "10")
    assert code == 1 and "input drift: PSI of mood_before" in output
