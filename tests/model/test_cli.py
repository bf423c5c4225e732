"""The focus-agent command line: exit codes, messages and output files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from model.cli import cli

runner = CliRunner()


def test_validate_data_accepts_the_bundled_dataset(dataset_path: Path) -> None:
    result = runner.invoke(cli, ["validate-data", str(dataset_path)])
    assert result.exit_code == 0
    assert "valid, 2000 sessions" in result.output


def test_validate_data_exits_1_and_lists_rows(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,duration_minutes,mood_before,mood_after\n2024-01-01,7.5,tired,calm\n")
    result = runner.invoke(cli, ["validate-data", str(bad)])
    assert result.exit_code == 1
    assert "line 2: duration_minutes '7.5' is not a whole number" in result.output


def test_train_prints_phases_and_summary_and_writes_files(tmp_path: Path,
                                                          dataset_path: Path) -> None:
    result = runner.invoke(cli, ["train", "--data", str(dataset_path),
                                 "--artifacts", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for phase in ("[1/6]", "[3/6]", "[5/6]", "[6/6]", "test accuracy", "macro-F1"):
        assert phase in result.output
    assert (tmp_path / "model.json").exists()


def test_train_exits_1_when_a_gate_fails(artifacts: Path, dataset_path: Path) -> None:
    before = (artifacts / "model.json").read_bytes()
    result = runner.invoke(cli, ["train", "--data", str(dataset_path), "--artifacts",
                                 str(artifacts), "--min-accuracy", "0.95"])
    assert result.exit_code == 1
    assert "minimum accuracy" in result.output and "Traceback" not in result.output
    assert (artifacts / "model.json").read_bytes() == before


def write_input(tmp_path: Path) -> Path:
    """An input file for offline scoring."""
    path = tmp_path / "in.csv"
    path.write_text("duration_minutes,mood_before\n15,stressed\n20,tired\n")
    return path


def test_predict_prints_csv_with_probabilities(artifacts: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["predict", str(write_input(tmp_path)),
                                 "--artifacts", str(artifacts)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("duration_minutes,mood_before,mood_after,p_")
    assert lines[1].startswith("15,stressed,calm,") and lines[2].startswith("20,tired,energized,")


def test_predict_writes_json(artifacts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = runner.invoke(cli, ["predict", str(write_input(tmp_path)), "-o", str(out),
                                 "--artifacts", str(artifacts)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    assert [row["mood_after"] for row in rows] == ["calm", "energized"]
    assert abs(sum(v for k, v in rows[0].items() if k.startswith("p_")) - 1) < 1e-5


def test_predict_writes_csv_file(artifacts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(cli, ["predict", str(write_input(tmp_path)), "-o", str(out),
                                 "--artifacts", str(artifacts)])
    assert result.exit_code == 0
    assert out.read_text().count("\n") == 3


def test_predict_refuses_an_unknown_output_format(artifacts: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["predict", str(write_input(tmp_path)), "-o",
                                 str(tmp_path / "out.xlsx"), "--artifacts", str(artifacts)])
    assert result.exit_code == 2 and ".csv or .json" in result.output


def test_predict_refuses_invalid_input(artifacts: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("duration_minutes,mood_before\n20,happy\n")
    result = runner.invoke(cli, ["predict", str(bad), "--artifacts", str(artifacts)])
    assert result.exit_code == 1 and "mood_before 'happy'" in result.output


def test_predict_without_a_model_says_so(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["predict", str(write_input(tmp_path)),
                                 "--artifacts", str(tmp_path / "none")])
    assert result.exit_code == 1 and "make train" in result.output


def test_rollback_command(artifacts: Path, dataset_path: Path) -> None:
    old = json.loads((artifacts / "model.json").read_text())["version"]
    runner.invoke(cli, ["train", "--data", str(dataset_path), "--artifacts", str(artifacts)])
    result = runner.invoke(cli, ["rollback", "--artifacts", str(artifacts)])
    assert result.exit_code == 0 and old in result.output


def test_rollback_without_previous_exits_1(artifacts: Path) -> None:
    result = runner.invoke(cli, ["rollback", "--artifacts", str(artifacts)])
    assert result.exit_code == 1 and "nothing to roll back to" in result.output


def test_predict_into_an_unwritable_place_is_one_line(artifacts: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["predict", str(write_input(tmp_path)), "-o", "/proc/x.json",
                                 "--artifacts", str(artifacts)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: cannot write /proc/x.json: ")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_predict_refuses_a_missing_output_folder(artifacts: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "x.json"
    result = runner.invoke(cli, ["predict", str(write_input(tmp_path)), "-o", str(out),
                                 "--artifacts", str(artifacts)])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not out.parent.exists()


def test_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"focus-agent, version {version('focus-meditation-agent')}\n"
