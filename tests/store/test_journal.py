"""The journal on SQLite and on PostgreSQL: migrations, seeding, writes, reads, summaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.store_cli import seed_file
from model.data import file_sha256, load_sessions
from store import migrate
from store.errors import StoreUnavailable
from store.journal import Journal, SessionFilter
from store.live import DURATION_BUCKETS, bucket_label, duration_bucket


def session(minutes: int = 20, before: str = "stressed", after: str = "calm",
            day: str = "2025-03-01") -> dict:
    """A valid session to record."""
    return {"date": dt.date.fromisoformat(day), "duration_minutes": minutes,
            "mood_before": before, "mood_after": after}


def test_migrations_build_the_schema_from_an_empty_database(database_url: str) -> None:
    store = Journal(database_url)
    with pytest.raises(StoreUnavailable, match="focus-agent db upgrade"):
        store.check()
    store.upgrade()
    store.check()
    tables = set(inspect(store.engine).get_table_names())
    assert {"sessions", "seeds", "idempotency_keys", "alembic_version"} <= tables
    migrate.downgrade(store.engine, "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    store.upgrade()
    store.upgrade()  # a second upgrade is a no-op
    store.check()
    store.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    store = Journal(f"sqlite:///{tmp_path / 'sub' / 'focus.db'}", busy_timeout=7)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.dispose()


def test_seeding_twice_adds_nothing(journal: Journal, dataset_path: Path) -> None:
    assert journal.is_empty()
    assert seed_file(journal, dataset_path) == 2000
    assert seed_file(journal, dataset_path) == 0
    assert journal.page(SessionFilter(), 0, 1)[0] == 2000
    assert not journal.is_empty() and journal.seeded(file_sha256(dataset_path))


def test_a_batch_is_stored_whole_or_not_at_all(journal: Journal) -> None:
    good = [session(minutes=10 + i % 20) for i in range(499)]
    with pytest.raises(IntegrityError):
        journal.record(good + [session(minutes=0)])  # the database's CHECK refuses row 500
    assert journal.page(SessionFilter(), 0, 10) == (0, [])
    records = journal.record(good)
    assert [record["duration_minutes"] for record in records] == [10 + i % 20
                                                                  for i in range(499)]
    assert len({record["id"] for record in records}) == 499


def test_a_record_keeps_when_and_where_it_came_from(journal: Journal) -> None:
    [record] = journal.record([{**session(), "predicted_mood": "relaxed",
                                "model_version": "v1"}])
    assert record["source"] == "api" and record["predicted_mood"] == "relaxed"
    assert record["model_version"] == "v1" and record["date"] == "2025-03-01"
    recorded = dt.datetime.fromisoformat(record["recorded_at"])
    assert abs(recorded - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)
    assert journal.get(record["id"]) == record


def test_get_and_delete(journal: Journal) -> None:
    [record] = journal.record([session()])
    assert journal.delete(record["id"]) is True
    assert journal.get(record["id"]) is None
    assert journal.delete(record["id"]) is False


def test_pages_filter_and_count(journal: Journal) -> None:
    journal.record([session(before="tired", after="energized", day=f"2025-01-{day:02d}")
                    for day in range(1, 21)] + [session(before="neutral", after="calm")])
    where = SessionFilter(mood_before="tired", since=dt.date(2025, 1, 5),
                          until=dt.date(2025, 1, 14))
    total, rows = journal.page(where, 2, 3)
    assert total == 10
    assert [row["date"] for row in rows] == ["2025-01-07", "2025-01-08", "2025-01-09"]
    assert journal.page(SessionFilter(mood_after="calm"), 0, 10)[0] == 1


def test_summary_is_computed_by_the_database(journal: Journal, dataset_path: Path) -> None:
    seed_file(journal, dataset_path)
    frame = load_sessions(dataset_path)
    summary = journal.summary()
    assert summary["count"] == len(frame)
    assert summary["mean"] == pytest.approx(frame["duration_minutes"].mean())
    assert (summary["longest"], summary["shortest"]) == (35, 10)
    expected = pd.crosstab(frame["mood_before"], frame["mood_after"])
    for (before, after), count in summary["transitions"].items():
        assert expected.at[before, after] == count


def test_an_empty_summary(journal: Journal) -> None:
    assert journal.summary() == {"count": 0, "mean": None, "longest": None, "shortest": None,
                                 "transitions": {}, "by_duration": dict.fromkeys(
                                     [bucket_label(*bucket) for bucket in DURATION_BUCKETS], 0)}


def test_sessions_are_counted_by_duration_bucket_in_order(journal: Journal) -> None:
    """Bucket edges on both sides (9|10, 14|15, 44|45) and the open-ended last bucket."""
    journal.record([session(minutes) for minutes in (5, 9, 10, 14, 15, 20, 20, 34, 44, 45, 60)])
    by_duration = journal.summary()["by_duration"]
    assert list(by_duration.items()) == [("5-9", 2), ("10-14", 2), ("15-19", 1), ("20-24", 2),
                                         ("25-29", 0), ("30-34", 1), ("35-44", 1), ("45+", 2)]


def test_the_duration_buckets_of_the_dataset(journal: Journal, dataset_path: Path) -> None:
    seed_file(journal, dataset_path)
    frame = load_sessions(dataset_path)
    expected = frame["duration_minutes"].map(duration_bucket).value_counts()
    by_duration = journal.summary()["by_duration"]
    assert sum(by_duration.values()) == len(frame)
    assert {label: n for label, n in by_duration.items() if n} == expected.to_dict()


def test_export_streams_every_row_in_order(journal: Journal) -> None:
    journal.record([session(minutes=10 + i % 26) for i in range(2500)])
    rows = list(journal.export())
    assert len(rows) == 2500 and [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert journal.contract_rows()[0] == ("2025-03-01", 10, "stressed", "calm")


def test_a_deleted_seed_takes_its_rows_with_it(journal: Journal, dataset_path: Path) -> None:
    seed_file(journal, dataset_path)
    [record] = journal.record([session()])
    with journal.engine.begin() as connection:  # foreign keys are enforced (ON DELETE CASCADE)
        connection.execute(text("DELETE FROM seeds"))
    assert journal.page(SessionFilter(), 0, 10)[0] == 1 and journal.get(record["id"])


def test_an_unreachable_database_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "missing-dir").write_text("a file where the folder should be")
    store = Journal(f"sqlite:///{tmp_path / 'missing-dir' / 'x' / 'focus.db'}")
    with pytest.raises(StoreUnavailable, match="unable to open database file"):
        store.check()
    store = Journal("postgresql+psycopg://nobody@127.0.0.1:9/none")
    with pytest.raises(StoreUnavailable, match="connection failed"):
        store.page(SessionFilter(), 0, 1)


def test_a_locked_sqlite_store_is_unavailable_after_the_busy_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'focus.db'}"
    holder = Journal(url)
    holder.upgrade()
    waiting = Journal(url, busy_timeout=0.2)
    with holder.engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO seeds VALUES ('x', 'x', 0, '2025-01-01')")
        with pytest.raises(StoreUnavailable, match="database is locked"):
            waiting.record([session()])  # the holder's open write transaction keeps the lock
        connection.rollback()
    assert len(waiting.record([session()])) == 1


def test_the_migrations_build_exactly_the_declared_tables(journal: Journal) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from store.tables import metadata
    with journal.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_the_head_constant_is_the_newest_migration() -> None:
    assert migrate.head_revision() == migrate.scripted_head()
