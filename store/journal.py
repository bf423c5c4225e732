"""The journal's queries: record, read, page, summarise, export, seed; every fault named."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

from sqlalchemy import and_, case, delete, exists, func, insert, select
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from store import idempotency, migrate
from store.engine import DEFAULT_BUSY_TIMEOUT, WRITE_OPTION, display_url, make_engine
from store.errors import StoreUnavailable
from store.live import DURATION_BUCKETS, bucket_label
from store.tables import SOURCE_API, SOURCE_DATASET, seeds, sessions

log = logging.getLogger(__name__)
CONTRACT_COLUMNS = ("date", "duration_minutes", "mood_before", "mood_after")
RECORD_COLUMNS = ("id", *CONTRACT_COLUMNS, "recorded_at", "source", "predicted_mood",
                  "model_version")
EXPORT_CHUNK = 1000
# Answer = what the idempotency key replays: (status, JSON body, Location) for the stored rows.
Answer = Callable[[list[dict[str, Any]]], tuple[int, str, str]]


def utc_now() -> dt.datetime:
    """The current time in UTC, to the microsecond."""
    return dt.datetime.now(dt.timezone.utc)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A timestamp read back from the database, in UTC (SQLite returns it naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.timezone.utc)


def _short(error: BaseException) -> str:
    """The first line of a driver error, without SQLAlchemy's statement dump."""
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:200]


def record_of(row: RowMapping) -> dict[str, Any]:
    """A stored session as the API shows it."""
    return {"id": row["id"], "date": row["date"].isoformat(),
            "duration_minutes": row["duration_minutes"], "mood_before": row["mood_before"],
            "mood_after": row["mood_after"],
            "recorded_at": _aware(row["recorded_at"]).isoformat(timespec="seconds"),
            "source": row["source"], "predicted_mood": row["predicted_mood"],
            "model_version": row["model_version"]}


@dataclass(frozen=True)
class SessionFilter:
    """Which sessions a page, an export or a count covers (None: no condition)."""

    mood_before: str | None = None
    mood_after: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def clauses(self) -> list[Any]:
        """The WHERE conditions."""
        column = sessions.c
        conditions = [column.mood_before == self.mood_before if self.mood_before else None,
                      column.mood_after == self.mood_after if self.mood_after else None,
                      column.date >= self.since if self.since else None,
                      column.date <= self.until if self.until else None]
        return [condition for condition in conditions if condition is not None]


class Journal:
    """The sessions store behind one database URL (SQLite file or PostgreSQL)."""

    def __init__(self, url: str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        """Create the engine; nothing connects until the first query."""
        self.url = display_url(url)
        self.engine: Engine = make_engine(url, busy_timeout)
        self._writer = self.engine.execution_options(**{WRITE_OPTION: True})

    @contextlib.contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn a database fault into StoreUnavailable naming the store and the cause."""
        try:
            yield
        except IntegrityError:
            raise
        except (DBAPIError, SQLAlchemyError) as error:
            log.error("store %s: %s failed: %s", self.url, action, _short(error))
            raise StoreUnavailable(f"{action} failed: {_short(error)}") from None

    def upgrade(self) -> None:
        """Migrate the schema to the newest revision."""
        with self._guard("migration"):
            migrate.upgrade(self.engine)

    def check(self) -> None:
        """Raise StoreUnavailable unless the database answers and its schema is current."""
        with self._guard("connection"), self.engine.connect() as connection:
            revision = migrate.current_revision(connection)
        if revision != migrate.head_revision():
            raise StoreUnavailable(
                f"schema at revision {revision or 'none'}, this code needs"
                f" {migrate.head_revision()}: run `focus-agent db upgrade`")

    def is_empty(self) -> bool:
        """True when no session is stored."""
        with self._guard("count"), self.engine.connect() as connection:
            return not connection.scalar(select(exists().where(sessions.c.id.is_not(None))))

    def record(self, rows: Sequence[Mapping[str, Any]], client: str | None = None,
               key: str | None = None, answer: Answer | None = None) -> list[dict[str, Any]]:
        """Store sessions from the API in one transaction: all of them or none.

        With an idempotency key (client, key), answer(records) gives the response to replay,
        stored in the same transaction as the rows.
        """
        recorded_at = utc_now()
        values = [{**{name: row[name] for name in CONTRACT_COLUMNS}, "recorded_at": recorded_at,
                   "source": SOURCE_API, "predicted_mood": row.get("predicted_mood"),
                   "model_version": row.get("model_version")} for row in rows]
        with self._guard("write"), self._writer.begin() as connection:
            result = connection.execute(
                insert(sessions).returning(*[sessions.c[name] for name in RECORD_COLUMNS],
                                           sort_by_parameter_order=True), values)
            records = [record_of(row) for row in result.mappings()]
            if key is not None and answer is not None:
                idempotency.complete(connection, client or "", key, *answer(records))
        return records

    def get(self, session_id: int) -> dict[str, Any] | None:
        """One stored session, or None."""
        query = select(*[sessions.c[name] for name in RECORD_COLUMNS]).where(
            sessions.c.id == session_id)
        with self._guard("read"), self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return record_of(row) if row else None

    def delete(self, session_id: int) -> bool:
        """Delete one session; False when there was none with that id."""
        with self._guard("delete"), self._writer.begin() as connection:
            return connection.execute(delete(sessions).where(
                sessions.c.id == session_id)).rowcount == 1

    def page(self, where: SessionFilter, offset: int,
             limit: int) -> tuple[int, list[dict[str, Any]]]:
        """How many sessions match, and one page of them in recording order."""
        conditions = where.clauses()
        columns = [sessions.c[name] for name in RECORD_COLUMNS]
        with self._guard("read"), self.engine.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(sessions)
                                      .where(*conditions))
            rows = connection.execute(select(*columns).where(*conditions)
                                      .order_by(sessions.c.id).offset(offset).limit(limit))
            return int(total or 0), [record_of(row) for row in rows.mappings()]

    def summary(self) -> dict[str, Any]:
        """Count, mean, longest and shortest duration, counts per (before, after) and per
        duration bucket (store.live's, in order, empty ones as 0): all counted in SQL."""
        column = sessions.c
        totals = select(func.count(), func.avg(column.duration_minutes),
                        func.max(column.duration_minutes), func.min(column.duration_minutes))
        pairs = (select(column.mood_before, column.mood_after, func.count())
                 .group_by(column.mood_before, column.mood_after))
        bucket = case(*[(column.duration_minutes.between(low, high), bucket_label(low, high))
                        for low, high in DURATION_BUCKETS], else_=None).label("bucket")
        bucketed = select(bucket).subquery()  # grouped by name: PostgreSQL would see two CASEs
        buckets = select(bucketed.c.bucket, func.count()).group_by(bucketed.c.bucket)
        with self._guard("read"), self.engine.connect() as connection:
            count, mean, longest, shortest = connection.execute(totals).one()
            transitions = {(before, after): int(n)
                           for before, after, n in connection.execute(pairs)}
            per_bucket = {label: int(n) for label, n in connection.execute(buckets)}
        by_duration = {bucket_label(low, high): per_bucket.get(bucket_label(low, high), 0)
                       for low, high in DURATION_BUCKETS}
        return {"count": int(count), "mean": float(mean) if mean is not None else None,
                "longest": longest, "shortest": shortest, "transitions": transitions,
                "by_duration": by_duration}

    def export(self, where: SessionFilter = SessionFilter()) -> Iterator[dict[str, Any]]:
        """Matching sessions in recording order, streamed in chunks from one snapshot."""
        columns = [sessions.c[name] for name in RECORD_COLUMNS]
        query = select(*columns).where(*where.clauses()).order_by(sessions.c.id)
        with self._guard("export"), self.engine.connect() as connection:
            result = connection.execution_options(yield_per=EXPORT_CHUNK).execute(query)
            for row in result.mappings():
                yield record_of(row)

    def contract_rows(self) -> list[tuple[str, int, str, str]]:
        """Every session's date, duration and moods, in recording order (training data)."""
        return [tuple(record[name] for name in CONTRACT_COLUMNS)  # type: ignore[misc]
                for record in self.export()]

    def outcomes_since(self, since: dt.datetime) -> list[tuple[str, int, str, int]]:
        """(mood_before, minutes, mood_after, count) of the API sessions recorded since."""
        column = sessions.c
        query = (select(column.mood_before, column.duration_minutes, column.mood_after,
                        func.count())
                 .where(and_(column.source == SOURCE_API, column.recorded_at >= since))
                 .group_by(column.mood_before, column.duration_minutes, column.mood_after))
        with self._guard("read"), self.engine.connect() as connection:
            return [(before, int(minutes), after, int(n))
                    for before, minutes, after, n in connection.execute(query)]

    def seed(self, rows: Sequence[Mapping[str, Any]], sha256: str, name: str) -> int:
        """Store a validated dataset once (keyed by its checksum); returns the rows added."""
        now = utc_now()
        values = [{**{column: row[column] for column in CONTRACT_COLUMNS},
                   "recorded_at": now, "source": SOURCE_DATASET, "seed_sha256": sha256}
                  for row in rows]
        try:
            with self._guard("seed"), self._writer.begin() as connection:
                connection.execute(insert(seeds).values(sha256=sha256, name=name[:255],
                                                        rows=len(values), seeded_at=now))
                if values:
                    connection.execute(insert(sessions), values)
        except IntegrityError:
            return 0
        return len(values)

    def seeded(self, sha256: str) -> bool:
        """Whether the dataset with this checksum was seeded."""
        with self._guard("read"), self.engine.connect() as connection:
            return connection.scalar(select(exists().where(seeds.c.sha256 == sha256)))

    def claim(self, client: str, key: str, request_sha256: str) -> tuple[int, str, str] | None:
        """Claim an idempotency key: None when this request owns it, else the answer to replay.

        Raises IdempotencyKeyInUse while the first request runs, IdempotencyKeyReused when the
        key came with another body.
        """
        with self._guard("idempotency check"):
            return idempotency.claim(self._writer, client, key, request_sha256)

    def release(self, client: str, key: str) -> None:
        """Give up a claimed key after a failure, so that a retry can run (best effort)."""
        try:
            with self._writer.begin() as connection:
                idempotency.release(connection, client, key)
        except SQLAlchemyError as error:
            log.warning("could not release idempotency key %r: %s", key, _short(error))

    def prune_keys(self, older_than: dt.datetime) -> int:
        """Forget completed idempotency keys created before older_than."""
        with self._guard("prune"), self._writer.begin() as connection:
            return idempotency.prune(connection, older_than)

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()
