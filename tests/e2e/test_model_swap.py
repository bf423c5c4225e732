"""A new model goes live under load without a dropped request, and rolls back the same way.

Real Gunicorn (2 workers) on 127.0.0.1; the load is bounded to 15 s and 40,000 requests.
The measured switch delays are printed (run with -s) and written to reports/model-swap.json;
the test asserts only what does not depend on the machine's speed.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

from model.artifact import publish, rollback
from model.workflow import run_training
from tests.conftest import ROOT
from tests.e2e.conftest import Http, serving

LOAD_SECONDS = 15.0
MAX_REQUESTS = 40_000
CLIENTS = 4
PUBLISH_AT, ROLLBACK_AT = 4.0, 9.5
BODY_JSON = {"duration_minutes": 20, "mood_before": "tired"}
BODY = json.dumps(BODY_JSON).encode()


@dataclass
class Load:
    """Answers seen by the load's clients: (monotonic time, model_version or error)."""

    port: int
    answers: list[tuple[float, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, deadline: float) -> None:
        """Send predictions one after another until the deadline or the request budget."""
        while time.monotonic() < deadline and len(self.answers) < MAX_REQUESTS:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                connection.request("POST", "/predict", BODY,
                                   {"Content-Type": "application/json"})
                response = connection.getresponse()
                payload = response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}: {payload[:200]!r}")
                with self.lock:
                    self.answers.append((time.monotonic(), json.loads(payload)["model_version"]))
            except Exception as error:  # every failure is counted, none is hidden
                with self.lock:
                    self.failures.append(f"{type(error).__name__}: {error}")
            finally:
                connection.close()


def _delays(answers: list[tuple[float, str]], since: float, until: float,
            wanted: str) -> tuple[float | None, float | None]:
    """After a switch at `since`: when `wanted` was first seen, and when nothing else was."""
    window = [(moment, version) for moment, version in answers if since <= moment < until]
    first = next((moment - since for moment, version in window if version == wanted), None)
    last_other = max((moment - since for moment, version in window if version != wanted),
                     default=0.0)
    return first, last_other


@pytest.fixture(scope="module")
def newer(tmp_path_factory: pytest.TempPathFactory, dataset_path: Path) -> Path:
    """A second model (seed 7, so another version) to publish (read-only use)."""
    directory = tmp_path_factory.mktemp("newer")
    run_training(dataset_path, directory, seed=7, progress=lambda line: None)
    return directory


@dataclass
class Served:
    """Gunicorn serving a private model folder, and what it has printed so far."""

    model: Path
    http: Http
    output: Callable[[], str]

    @property
    def log(self) -> list[str]:
        """What the server has printed so far, line by line."""
        return self.output().splitlines()


@pytest.fixture()
def served(artifacts: Path, dataset_path: Path) -> Iterator[Served]:
    """A private copy of the trained model folder, served by Gunicorn with 2 workers."""
    with serving(artifacts, dataset_path, workers=2) as server:
        yield Served(artifacts, server.http, server.output)


def test_publish_and_rollback_under_load_drop_nothing(served: Served, newer: Path) -> None:
    model, http_client = served.model, served.http
    old = http_client.call("GET", "/health")[2]["model_version"]
    load = Load(port=http_client.port)
    start = time.monotonic()
    threads = [threading.Thread(target=load.client, args=(start + LOAD_SECONDS,))
               for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(PUBLISH_AT)
    new = publish(newer, model)["version"]
    published = time.monotonic()
    time.sleep(max(0.0, start + ROLLBACK_AT - time.monotonic()))
    assert rollback(model)["version"] == old
    rolled_back = time.monotonic()
    for thread in threads:
        thread.join(timeout=LOAD_SECONDS + 30)
    end = time.monotonic()

    first_new, last_old = _delays(load.answers, published, rolled_back, new)
    first_old, last_new = _delays(load.answers, rolled_back, end, old)
    figures = {"requests": len(load.answers) + len(load.failures),
               "failed": len(load.failures), "seconds": round(end - start, 1),
               "publish": {"first_new_answer_s": first_new, "last_old_answer_s": last_old},
               "rollback": {"first_old_answer_s": first_old, "last_new_answer_s": last_new}}
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "model-swap.json").write_text(json.dumps(figures, indent=2) + "\n")
    print("\nmodel swap under load:", json.dumps(figures))

    assert load.failures == [], load.failures[:5]
    assert new != old and first_new is not None and first_old is not None
    before_rollback = [version for moment, version in load.answers if moment < rolled_back]
    assert set(before_rollback[-4 * CLIENTS:]) == {new}, "a worker never swapped in the model"
    assert set(version for _, version in load.answers[-4 * CLIENTS:]) == {old}, \
        "a worker never rolled back"


def test_a_refused_publish_keeps_both_workers_serving_and_is_reported(served: Served) -> None:
    """Someone switches `current` to a version folder whose model was tampered with."""
    old = served.http.call("GET", "/health")[2]["model_version"]
    tampered = served.model / "versions" / "tampered"
    shutil.copytree(served.model / "current", tampered)
    with open(tampered / "model.joblib", "ab") as handle:
        handle.write(b"\0")
    os.symlink("versions/tampered", served.model / "current.new")
    os.replace(served.model / "current.new", served.model / "current")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _refusals(served.log) < 2:  # one per worker
        status, _, health = served.http.call("GET", "/health")
        assert status == 200 and health["model_version"] == old
        time.sleep(0.2)
    assert _refusals(served.log) == 2
    for _ in range(4):
        status, _, health = served.http.call("GET", "/health")
        assert status == 200 and "sha256" in health["model_refused"]
        assert served.http.post_json("/predict", BODY_JSON)[2]["model_version"] == old


def _refusals(log: list[str]) -> int:
    """How many log lines say that a published model was refused."""
    return sum("the published model was refused, still serving" in line for line in log)
