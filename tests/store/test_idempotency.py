"""Idempotency keys in the store, on SQLite and PostgreSQL: claim, replay, refuse, take over."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from store.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from store.journal import Journal
from store.tables import idempotency_keys

ROW = {"date": dt.date(2025, 1, 1), "duration_minutes": 20, "mood_before": "tired",
       "mood_after": "energized"}


def answer(records: list) -> tuple[int, str, str]:
    """The answer a request would replay."""
    return 201, f'{{"id": {records[0]["id"]}}}', f"/sessions/{records[0]['id']}"


def test_claim_then_replay_then_refuse_another_body(journal: Journal) -> None:
    assert journal.claim("client", "k", "body-1") is None
    with pytest.raises(IdempotencyKeyInUse):
        journal.claim("client", "k", "body-1")
    [record] = journal.record([ROW], "client", "k", answer)
    assert journal.claim("client", "k", "body-1") == answer([record])
    with pytest.raises(IdempotencyKeyReused):
        journal.claim("client", "k", "body-2")
    assert journal.claim("other-client", "k", "body-2") is None


def test_a_claim_whose_request_died_is_taken_over_after_a_while(journal: Journal) -> None:
    assert journal.claim("client", "k", "body") is None
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    with journal.engine.begin() as connection:
        connection.execute(update(idempotency_keys).values(created_at=long_ago))
    assert journal.claim("client", "k", "body") is None  # taken over
    with pytest.raises(IdempotencyKeyInUse):
        journal.claim("client", "k", "body")


def test_a_released_key_can_be_claimed_again_and_finished_keys_are_pruned(
        journal: Journal) -> None:
    assert journal.claim("client", "k", "body") is None
    journal.release("client", "k")
    assert journal.claim("client", "k", "body") is None
    journal.record([ROW], "client", "k", answer)
    assert journal.prune_keys(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)) == 1
    assert journal.claim("client", "k", "another body") is None
