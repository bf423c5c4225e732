"""The dataset generator: deterministic, and the committed file is exactly its output."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.conftest import ROOT

GENERATOR = ROOT / "data" / "generate_sessions.py"


def generate(out: Path, seed: int = 42) -> bytes:
    """Run the generator as a user would and return the file it wrote."""
    subprocess.run([sys.executable, str(GENERATOR), "--seed", str(seed), "--out", str(out)],
                   check=True, capture_output=True)
    return out.read_bytes()


def test_same_seed_gives_a_byte_identical_file(tmp_path: Path) -> None:
    assert generate(tmp_path / "a.csv") == generate(tmp_path / "b.csv")


def test_committed_dataset_is_the_generator_output(tmp_path: Path, dataset_path: Path) -> None:
    assert generate(tmp_path / "fresh.csv") == dataset_path.read_bytes()


def test_another_seed_gives_another_file(tmp_path: Path) -> None:
    assert generate(tmp_path / "a.csv", seed=1) != generate(tmp_path / "b.csv", seed=2)


def test_rules_of_the_data_card_hold(dataset_path: Path) -> None:
    rows = [line.split(",") for line in dataset_path.read_text().splitlines()[1:]]
    outcomes: dict[str, Counter] = {}
    for _, minutes, before, after in rows:
        group = before + (":long" if before == "neutral" and int(minutes) >= 28 else "")
        outcomes.setdefault(group, Counter())[after] += 1
    assert outcomes["stressed"].most_common(1)[0][0] == "calm"
    assert outcomes["anxious"].most_common(1)[0][0] == "calm"
    assert outcomes["neutral"].most_common(1)[0][0] == "relaxed"
    assert outcomes["neutral:long"].most_common(1)[0][0] == "focused"
    assert outcomes["tired"].most_common(1)[0][0] == "energized"
    dates = [row[0] for row in rows]
    assert dates == sorted(dates)
