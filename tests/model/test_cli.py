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


def test_train_exits_1_when_a_class_recall_is_below_the_floor(artifacts: Path,
                                                              dataset_path: Path) -> None:
    before = (artifacts / "model.json").read_bytes()
    result = runner.invoke(cli, ["train", "--data", str(dataset_path), "--artifacts",
                                 str(artifacts), "--min-class-recall", "0.9"])
    assert result.exit_code == 1
    assert "class recall: relaxed recall" in result.output and "below 0.9000" in result.output
    assert "class recall: calm" not in result.output
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


def _one_line_error(result: object) -> str:
    """The CLI's error: exit 1 and exactly one line on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_a_model_folder_that_is_a_file_is_one_line(tmp_path: Path, dataset_path: Path) -> None:
    a_file = tmp_path / "artifacts"
    a_file.write_text("")
    for command in (["predict", str(write_input(tmp_path))], ["verify"], ["rollback"],
                    ["train", "--data", str(dataset_path)]):
        line = _one_line_error(runner.invoke(cli, command, env={"MODEL_DIR": str(a_file)}))
        assert "is not a directory" in line


def test_a_data_path_that_is_a_folder_is_one_line(tmp_path: Path) -> None:
    for command in (["validate-data", str(tmp_path)],
                    ["train", "--data", str(tmp_path), "--artifacts", str(tmp_path / "out")]):
        assert "is a directory" in _one_line_error(runner.invoke(cli, command))


def test_a_broken_manifest_is_one_line(artifacts: Path, tmp_path: Path) -> None:
    (artifacts / "model.json").write_text("[1, 2]")
    for command in (["verify"], ["predict", str(write_input(tmp_path))]):
        line = _one_line_error(runner.invoke(cli, [*command, "--artifacts", str(artifacts)]))
        assert "a JSON object is expected, not list" in line


def test_verify_names_the_served_version(artifacts: Path) -> None:
    version = json.loads((artifacts / "model.json").read_text())["version"]
    result = runner.invoke(cli, ["verify", "--artifacts", str(artifacts)])
    assert result.exit_code == 0 and f"model {version}" in result.output


def test_signing_key_writes_a_private_key_only_its_owner_reads(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["signing-key", "--private", str(tmp_path / "key.pem"),
                                 "--public", str(tmp_path / "key.pub")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "key.pub").read_text().strip() == result.output.strip()
    again = runner.invoke(cli, ["signing-key", "--private", str(tmp_path / "key.pem")])
    assert again.exit_code == 1 and "cannot create" in again.output


def test_signing_key_keeps_no_private_key_when_the_public_one_cannot_be_written(
        tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = runner.invoke(cli, ["signing-key", "--private", str(tmp_path / "key.pem"),
                                 "--public", str(tmp_path / "a-file" / "key.pub")])
    line = _one_line_error(result)
    assert f"cannot write {tmp_path / 'a-file' / 'key.pub'}" in line
    assert "no key was kept" in line
    assert not (tmp_path / "key.pem").exists()


def test_signed_training_then_required_verification(tmp_path: Path, dataset_path: Path) -> None:
    runner.invoke(cli, ["signing-key", "--private", str(tmp_path / "key.pem"),
                        "--public", str(tmp_path / "key.pub")])
    trained = runner.invoke(cli, ["train", "--data", str(dataset_path), "--artifacts",
                                  str(tmp_path / "m")],
                            env={"MODEL_SIGNING_KEY_FILE": str(tmp_path / "key.pem")})
    assert trained.exit_code == 0, trained.output
    server = {"MODEL_VERIFY_KEY_FILE": str(tmp_path / "key.pub"), "MODEL_SIGNING_KEY": None,
              "MODEL_SIGNING_KEY_FILE": None, "REQUIRE_SIGNED_MODEL": None}
    assert runner.invoke(cli, ["verify", "--artifacts", str(tmp_path / "m")],
                         env=server).exit_code == 0
    (tmp_path / "m" / "current" / "model.sig").unlink()
    line = _one_line_error(runner.invoke(cli, ["verify", "--artifacts", str(tmp_path / "m")],
                                         env=server))
    assert "not signed and REQUIRE_SIGNED_MODEL is on" in line


def test_publish_command_serves_the_downloaded_model(artifacts: Path, trained_dir: Path,
                                                     dataset_path: Path, tmp_path: Path) -> None:
    download = tmp_path / "download"
    runner.invoke(cli, ["train", "--data", str(dataset_path), "--artifacts", str(download),
                        "--seed", "7"])
    version = json.loads((download / "model.json").read_text())["version"]
    result = runner.invoke(cli, ["publish", str(download), "--artifacts", str(artifacts)])
    assert result.exit_code == 0 and f"published model {version}" in result.output
    assert json.loads((artifacts / "model.json").read_text())["version"] == version


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
