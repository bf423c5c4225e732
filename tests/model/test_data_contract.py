"""The data contract: every rule refuses bad rows, names the line, and lets good data through."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.data import MAX_LISTED_PROBLEMS, load_sessions
from model.errors import DataValidationError
from model.schema import MOODS_AFTER, MOODS_BEFORE

HEADER = "date,duration_minutes,mood_before,mood_after\n"
GOOD_ROW = "2024-01-02,20,stressed,calm\n"


def write(tmp_path: Path, text: str) -> Path:
    """Write a CSV file into the test's folder."""
    path = tmp_path / "sessions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    """The problems the contract reports for a file."""
    with pytest.raises(DataValidationError) as caught:
        load_sessions(path)
    return caught.value.problems


def test_bundled_dataset_is_valid(dataset_path: Path) -> None:
    sessions = load_sessions(dataset_path)
    assert len(sessions) >= 1500
    assert sessions["duration_minutes"].between(10, 35).all()
    assert set(sessions["mood_before"]) == set(MOODS_BEFORE)
    assert set(sessions["mood_after"]) == set(MOODS_AFTER)


def test_good_file_loads_with_integer_durations(tmp_path: Path) -> None:
    text = HEADER + GOOD_ROW + " 2024-01-03, 35 ,tired,energized\n"
    sessions = load_sessions(write(tmp_path, text))
    assert sessions["duration_minutes"].tolist() == [20, 35]
    assert str(sessions["duration_minutes"].dtype) == "int64"
    assert sessions["mood_before"].tolist() == ["stressed", "tired"]


@pytest.mark.parametrize("row, expected", [
    ("2024-01-02,12.5,stressed,calm", "duration_minutes '12.5' is not a whole number"),
    ("2024-01-02,abc,stressed,calm", "duration_minutes 'abc' is not a whole number"),
    ("2024-01-02,4,stressed,calm", "duration_minutes 4 is outside 5-60"),
    ("2024-01-02,61,stressed,calm", "duration_minutes 61 is outside 5-60"),
    ("2024-01-02,20,happy,calm", "mood_before 'happy' is not one of"),
    ("2024-01-02,20,Stressed,calm", "mood_before 'Stressed' is not one of"),
    ("2024-01-02,20,stressed,sleepy", "mood_after 'sleepy' is not one of"),
    ("2024-02-30,20,stressed,calm", "date '2024-02-30' is not an ISO date"),
    ("02/01/2024,20,stressed,calm", "date '02/01/2024' is not an ISO date"),
    (",20,stressed,calm", "date is empty"),
    ("2024-01-02,,stressed,calm", "duration_minutes is empty"),
    ("2024-01-02,20,,calm", "mood_before is empty"),
    ("2024-01-02,20,stressed,", "mood_after is empty"),
])
def test_each_rule_names_the_line_and_the_problem(tmp_path: Path, row: str,
                                                  expected: str) -> None:
    problems = problems_of(write(tmp_path, HEADER + GOOD_ROW + row + "\n"))
    assert len(problems) == 1
    assert problems[0].startswith("line 3: ")
    assert expected in problems[0]


def test_missing_column_is_named(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "date,duration_minutes,mood_before\n2024-01-02,20,x\n"))
    assert "missing required column(s): mood_after" in problems[0]


def test_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "2024-01-02,99,stressed,calm\n")
    with pytest.raises(DataValidationError, match=str(path)):
        load_sessions(path)


def test_only_the_first_problems_are_listed_with_a_total(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "2024-01-02,99,stressed,calm\n" * 25)
    with pytest.raises(DataValidationError) as caught:
        load_sessions(path)
    assert len(caught.value.problems) == MAX_LISTED_PROBLEMS
    assert caught.value.total == 25
    assert "and 5 more" in str(caught.value)


@pytest.mark.parametrize("text, expected", [
    ("", "not a readable CSV"),
    (HEADER, "no data rows"),
])
def test_empty_files_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in problems_of(write(tmp_path, text))[0]


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "absent.csv") == ["file not found"]
