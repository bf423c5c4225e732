"""The data contract: load a sessions CSV and refuse it, row by row, when it breaks a rule."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from model.errors import DataValidationError
from model.schema import DURATION_MAX, DURATION_MIN, MOODS_AFTER, MOODS_BEFORE, SESSION_COLUMNS
from store.journal import Journal

MAX_LISTED_PROBLEMS = 20
ALLOWED_VALUES = {"mood_before": MOODS_BEFORE, "mood_after": MOODS_AFTER}
INTEGER_PATTERN = r"^[+-]?\d+$"
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_raw(path: Path) -> pd.DataFrame:
    """Read every cell as text, so the contract sees exactly what the file holds."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=False)
    except FileNotFoundError:
        raise DataValidationError(str(path), ["file not found"], 1) from None
    except IsADirectoryError:
        raise DataValidationError(str(path), ["is a directory, not a CSV file"], 1) from None
    except OSError as exc:
        raise DataValidationError(str(path), [f"cannot be read: {exc.strerror or exc}"],
                                  1) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataValidationError(str(path), [f"not a readable CSV file: {exc}"], 1) from None


def _problems_for_column(raw: pd.DataFrame, column: str) -> pd.Series:
    """For each row, what is wrong with this column's cell ('' when nothing is)."""
    cells = raw[column].str.strip()
    problem = pd.Series("", index=raw.index)
    if column == "duration_minutes":
        is_int = cells.str.match(INTEGER_PATTERN)
        minutes = pd.to_numeric(cells.where(is_int), errors="coerce")
        out_of_range = is_int & ((minutes < DURATION_MIN) | (minutes > DURATION_MAX))
        problem[~is_int] = "duration_minutes " + cells.map(repr) + " is not a whole number"
        problem[out_of_range] = (
            "duration_minutes " + cells + f" is outside {DURATION_MIN}-{DURATION_MAX}")
    elif column == "date":
        well_formed = cells.str.match(ISO_DATE_PATTERN)
        parsed = pd.to_datetime(cells.where(well_formed), format="%Y-%m-%d", errors="coerce")
        problem[parsed.isna()] = (
            "date " + cells.map(repr) + " is not an ISO date (YYYY-MM-DD)")
    else:
        allowed = ALLOWED_VALUES[column]
        problem[~cells.isin(allowed)] = (
            f"{column} " + cells.map(repr) + f" is not one of {', '.join(allowed)}")
    problem[cells == ""] = f"{column} is empty"
    return problem


def validate(raw: pd.DataFrame, source: str, columns: tuple[str, ...]) -> None:
    """Raise DataValidationError naming the rows (file line numbers) that break the contract."""
    missing = [column for column in columns if column not in raw.columns]
    if missing:
        raise DataValidationError(
            source, [f"missing required column(s): {', '.join(missing)}"
                     f" (required: {', '.join(columns)})"], 1)
    problems: list[str] = []
    total = 0
    per_column = pd.DataFrame({column: _problems_for_column(raw, column) for column in columns})
    bad_rows = per_column.ne("").any(axis=1)
    for index, row in per_column[bad_rows].iterrows():
        for message in row[row.ne("")]:
            total += 1
            if len(problems) < MAX_LISTED_PROBLEMS:
                problems.append(f"line {index + 2}: {message}")
    if raw.empty:
        raise DataValidationError(source, ["no data rows"], 1)
    if total:
        raise DataValidationError(source, problems, total)


def load_sessions(path: Path | str, columns: tuple[str, ...] = SESSION_COLUMNS) -> pd.DataFrame:
    """Load and validate a sessions CSV; return the required columns with proper types."""
    path = Path(path)
    return _contract_frame(_read_raw(path), str(path), columns)


def _contract_frame(raw: pd.DataFrame, source: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Text cells validated by the contract, then the columns stripped and typed."""
    validate(raw, source, columns)
    frame = raw[list(columns)].apply(lambda column: column.str.strip())
    frame["duration_minutes"] = frame["duration_minutes"].astype("int64")
    return frame


@dataclass(frozen=True)
class TrainingData:
    """Validated sessions and where they came from (the manifest's `data` record)."""

    sessions: pd.DataFrame
    source: str  # "csv" or "db"
    location: str  # the file, or the database URL without its password
    sha256: str  # of the file, or of the rows used (see rows_sha256)


def rows_sha256(rows: Iterable[Sequence[object]]) -> str:
    """sha256 of rows written as the contract's CSV (header, then one line per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SESSION_COLUMNS)
    writer.writerows(rows)
    return hashlib.sha256(buffer.getvalue().encode("utf-8")).hexdigest()


def sessions_from_rows(rows: Sequence[Sequence[object]], source: str) -> pd.DataFrame:
    """Rows of (date, duration, mood before, mood after) through the same contract as a CSV."""
    raw = pd.DataFrame([[str(value) for value in row] for row in rows],
                       columns=list(SESSION_COLUMNS), dtype=str)
    return _contract_frame(raw, source, SESSION_COLUMNS)


def load_store_sessions(database_url: str) -> TrainingData:
    """Every session in the journal, validated by the data contract, with their checksum."""
    journal = Journal(database_url)
    try:
        journal.check()
        rows = journal.contract_rows()
    finally:
        journal.dispose()
    return TrainingData(sessions_from_rows(rows, journal.url), "db", journal.url,
                        rows_sha256(rows))
