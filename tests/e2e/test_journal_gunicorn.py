"""The journal under a real Gunicorn (2 workers) on SQLite and on PostgreSQL: concurrent
writers, concurrent retries with one idempotency key, a worker killed mid-batch, and the
database going away while predictions go on."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import multiprocessing
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, ContextManager, Iterator

import pytest

from store.journal import Journal, SessionFilter
from tests.e2e.conftest import Server, serving
from tests.e2e.load import worker_pids
from tests.pgcluster import Cluster, Databases

pytestmark = pytest.mark.e2e
KEY = "e2e-key"
CLIENTS, POSTS_PER_CLIENT = 4, 250
BATCH_SIZE, BATCHES_PER_CLIENT = 500, 8


def server_on(model_dir: Path, data_path: Path, database_url: str,
              workers: int = 2) -> ContextManager[Server]:
    """`focus-agent serve` with the journal at database_url and one API key."""
    return serving(model_dir, data_path, workers,
                   env={"DATABASE_URL": database_url, "API_KEYS": KEY, "ACCESS_LOG": ""})


def send(base: str, body: dict, key: str | None = None) -> tuple[int, Any]:
    """POST /sessions; (status, decoded body), or (0, reason) when the connection broke."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(base + "/sessions", data=json.dumps(body).encode(),
                                     method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except (OSError, ValueError, http.client.HTTPException) as error:
        return 0, str(error)  # reset, refused, or headers without their body: the worker died


def single_writer(job: tuple[str, int]) -> list[tuple[int, Any]]:
    """One client: POSTS_PER_CLIENT single sessions, one after the other."""
    base, client = job
    return [send(base, {"duration_minutes": 10 + (client * 7 + i) % 26,
                        "mood_before": "neutral", "mood_after": "relaxed"})
            for i in range(POSTS_PER_CLIENT)]


def same_key_writer(job: tuple[str, int]) -> list[tuple[int, Any]]:
    """One client retrying the same keyed request several times."""
    base, _ = job
    return [send(base, {"duration_minutes": 33, "mood_before": "tired",
                        "mood_after": "energized"}, key="one-key") for _ in range(5)]


def batch_date(client: int, batch: int) -> dt.date:
    """The date that marks every session of one batch (so a batch can be counted)."""
    return dt.date(2001, 1, 1) + dt.timedelta(days=client * 100 + batch)


def batch_writer(job: tuple[str, int]) -> list[tuple[str, int]]:
    """One client: BATCHES_PER_CLIENT batches; (date, status) of each."""
    base, client = job
    results = []
    for batch in range(BATCHES_PER_CLIENT):
        day = batch_date(client, batch).isoformat()
        body = {"sessions": [{"date": day, "duration_minutes": 10 + i % 26,
                              "mood_before": "anxious", "mood_after": "calm"}
                             for i in range(BATCH_SIZE)]}
        results.append((day, send(base, body)[0]))
    return results


def run_clients(function: Any, base: str, count: int = CLIENTS) -> list[Any]:
    """Run count client processes at once and collect their results."""
    with multiprocessing.get_context("fork").Pool(count) as pool:
        return pool.map(function, [(base, client) for client in range(count)])


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path: Path, trained_dir: Path,
           dataset_path: Path) -> Iterator[tuple[Server, Journal]]:
    """A real Gunicorn with 2 workers on a fresh journal of each backend, and the journal."""
    url = (f"sqlite:///{tmp_path / 'focus.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_databases").new())
    store = Journal(url)
    try:
        with server_on(trained_dir, dataset_path, url) as server:
            yield server, store
    finally:
        store.dispose()


def count(store: Journal, where: SessionFilter = SessionFilter()) -> int:
    """How many sessions match."""
    return store.page(where, 0, 1)[0]


def test_four_clients_times_250_posts_store_exactly_1000_rows(served: Any) -> None:
    server, store = served
    before = count(store)
    results = [result for client in run_clients(single_writer, server.http.base)
               for result in client]
    assert [status for status, _ in results] == [201] * CLIENTS * POSTS_PER_CLIENT
    ids = {body["id"] for _, body in results}
    assert len(ids) == CLIENTS * POSTS_PER_CLIENT  # none duplicated
    assert count(store) - before == CLIENTS * POSTS_PER_CLIENT  # none lost, none extra
    assert all(store.get(session_id) for session_id in sorted(ids)[::97])


def test_one_idempotency_key_sent_concurrently_stores_one_row(
        served: Any, record_testsuite_property: Any, request: pytest.FixtureRequest) -> None:
    server, store = served
    before = count(store)
    results = [result for client in run_clients(same_key_writer, server.http.base, 8)
               for result in client]
    statuses = {status for status, _ in results}
    answers = [status for status, _ in results]
    record_testsuite_property(request.node.name, {status: answers.count(status)
                                                  for status in statuses})
    assert statuses <= {201, 409} and 201 in statuses
    assert len({body["id"] for status, body in results if status == 201}) == 1
    assert count(store) - before == 1


def test_a_worker_killed_during_batches_leaves_every_batch_whole_or_absent(
        served: Any, record_testsuite_property: Any, request: pytest.FixtureRequest) -> None:
    server, store = served
    process = server.process
    with multiprocessing.get_context("fork").Pool(CLIENTS) as pool:
        pending = pool.map_async(batch_writer, [(server.http.base, c) for c in range(CLIENTS)])
        deadline = time.monotonic() + 60
        while count(store, SessionFilter(mood_before="anxious", until=dt.date(2001, 12, 31))) \
                < BATCH_SIZE and time.monotonic() < deadline:
            time.sleep(0.05)
        victim = worker_pids(process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        results = [result for client in pending.get(timeout=300) for result in client]
    assert not pending.successful() or results
    answered = {day: status for day, status in results}
    outcome = {"whole": 0, "absent": 0, "answered_201": 0, "connection_broken": 0}
    for client in range(CLIENTS):
        for batch in range(BATCHES_PER_CLIENT):
            day = batch_date(client, batch)
            stored = count(store, SessionFilter(since=day, until=day))
            assert stored in (0, BATCH_SIZE), (day, stored)  # whole or absent, never half
            outcome["whole" if stored else "absent"] += 1
            outcome["answered_201"] += answered[day.isoformat()] == 201
            outcome["connection_broken"] += answered[day.isoformat()] == 0
            if answered[day.isoformat()] == 201:
                assert stored == BATCH_SIZE, day
    record_testsuite_property(request.node.name, outcome)
    assert process.poll() is None and victim not in worker_pids(process.pid)


def test_serve_upgrades_and_seeds_an_empty_store_once(tmp_path: Path, trained_dir: Path,
                                                      dataset_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'instance' / 'focus.db'}"
    for attempt in range(2):
        with server_on(trained_dir, dataset_path, url, workers=1) as server:
            assert server.http.call("GET", "/stats")[2]["total_sessions"] == 2000
        output = server.output()
        assert ("seeded 2000 sessions" in output) == (attempt == 0), output


@pytest.fixture()
def own_postgres() -> Iterator[Cluster]:
    """A PostgreSQL server this test may stop and start (so not TEST_DATABASE_URL's)."""
    cluster = Cluster().init().start()
    try:
        yield cluster
    finally:
        cluster.remove()


def test_the_database_going_down_is_503_for_the_store_and_predict_goes_on(
        own_postgres: Cluster, trained_dir: Path, dataset_path: Path) -> None:
    databases = Databases(own_postgres.admin_url)
    with server_on(trained_dir, dataset_path, databases.new()) as server:
        http = server.http
        session = {"duration_minutes": 20, "mood_before": "stressed", "mood_after": "calm"}
        assert send(http.base, session)[0] == 201
        own_postgres.stop("immediate")
        for path in ("/sessions", "/stats", "/sessions/1"):
            status, headers, body = http.call("GET", path)
            assert (status, body["code"]) == (503, "STORE_UNAVAILABLE"), path
        status, body = send(http.base, session)
        assert (status, body["code"]) == (503, "STORE_UNAVAILABLE")
        assert http.post_json("/predict", {"duration_minutes": 20,
                                           "mood_before": "stressed"})[0] == 200
        assert http.post_json("/recommend", {"mood_before": "tired",
                                             "target_mood": "energized"})[0] == 200
        status, _, health = http.call("GET", "/health")
        assert status == 200 and health["status"] == "degraded"
        assert health["parts"]["model"] == "ok" and "store unavailable" in health["parts"]["store"]
        model = http.call("GET", "/model")
        assert model[0] == 200 and model[2]["live"] is None and model[2]["live_error"]
        own_postgres.start()
        assert http.call("GET", "/stats")[2]["total_sessions"] == 2001
        assert http.call("GET", "/health")[2]["status"] == "healthy"
