"""Idempotency keys (IETF httpapi Idempotency-Key draft) on a unique constraint, not a lock.

The first request inserts (client, key, body checksum) with no status and commits: that row is
the claim. Its rows and its answer are then stored in one transaction. A retry with the same
body replays the stored answer; another body is refused; a retry while the first request still
runs is told so. A claim whose request died (a killed worker) is taken over after STALE_AFTER.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from store.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from store.tables import idempotency_keys as keys

STALE_AFTER = dt.timedelta(seconds=120)  # longer than any request may run (Gunicorn timeout)
ATTEMPTS = 3


def _now() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def _row(client: str, key: str):  # type: ignore[no-untyped-def]
    """WHERE clause of one key."""
    return (keys.c.client == client) & (keys.c.key == key)


def claim(engine: Engine, client: str, key: str,
          request_sha256: str) -> tuple[int, str, str] | None:
    """None when this request now owns the key, else (status, body, location) to replay."""
    for _ in range(ATTEMPTS):
        try:
            with engine.begin() as connection:
                connection.execute(insert(keys).values(client=client, key=key,
                                                       request_sha256=request_sha256,
                                                       created_at=_now()))
            return None
        except IntegrityError:
            pass
        with engine.begin() as connection:
            existing = connection.execute(
                select(keys.c.request_sha256, keys.c.status, keys.c.response,
                       keys.c.location, keys.c.created_at).where(_row(client, key))).first()
            if existing is None:
                continue  # released meanwhile: try to claim it again
            if existing.request_sha256 != request_sha256:
                raise IdempotencyKeyReused(
                    f"idempotency key {key!r} was already used with a different request body")
            if existing.status is not None:
                return existing.status, existing.response, existing.location
            created = existing.created_at
            if created.tzinfo is None:
                created = created.replace(tzinfo=dt.timezone.utc)
            if _now() - created < STALE_AFTER:
                raise IdempotencyKeyInUse(
                    f"a request with idempotency key {key!r} is still being processed;"
                    " retry later")
            taken = connection.execute(
                update(keys).where(_row(client, key) & keys.c.status.is_(None)
                                   & (keys.c.created_at == existing.created_at))
                .values(created_at=_now()))
            if taken.rowcount == 1:
                return None
    raise IdempotencyKeyInUse(f"idempotency key {key!r} is contended; retry later")


def complete(connection: Connection, client: str, key: str, status: int, body: str,
             location: str) -> None:
    """Store the answer of the request that owns the key (in the request's transaction)."""
    connection.execute(update(keys).where(_row(client, key))
                       .values(status=status, response=body, location=location))


def release(connection: Connection, client: str, key: str) -> None:
    """Drop an unfinished claim so that a retry can run."""
    connection.execute(delete(keys).where(_row(client, key) & keys.c.status.is_(None)))


def prune(connection: Connection, older_than: dt.datetime) -> int:
    """Delete finished keys created before older_than; returns how many."""
    return connection.execute(delete(keys).where(keys.c.status.is_not(None)
                                                 & (keys.c.created_at < older_than))).rowcount
