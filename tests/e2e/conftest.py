"""Fixtures that start real servers as separate processes and stop them afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ROOT
from tests.pgcluster import free_port


@dataclass
class Http:
    """A tiny HTTP client for one base URL (stdlib only, like a script would be)."""

    base: str

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self.base.rsplit(":", 1)[1])

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        """Send a request; return status, headers and the decoded JSON body."""
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())

    def post_json(self, path: str, payload: Any) -> tuple[int, dict[str, str], Any]:
        """POST a JSON payload."""
        return self.call("POST", path, json.dumps(payload).encode(),
                         {"Content-Type": "application/json"})


def metric_samples(http: Http) -> dict[tuple[str, tuple], float]:
    """Every sample of one /metrics scrape, keyed by (name, sorted labels)."""
    with urllib.request.urlopen(http.base + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


STARTUP_SECONDS = 240  # serve migrates and seeds the journal first; a loaded CI machine is slow


@dataclass
class Server:
    """A `focus-agent serve` process we started, a client for it, and the file it prints to."""

    process: subprocess.Popen
    http: Http
    log: Path

    def output(self) -> str:
        """Everything the server printed so far (still readable once it stopped)."""
        return self.log.read_text(errors="replace")


def start_serve(model_dir: Path, data_path: Path, workers: int = 2,
                env: dict[str, str] | None = None) -> Server:
    """Run `focus-agent serve` on a free port as a user would (journal and log beside
    model_dir)."""
    port = free_port()
    beside = Path(model_dir).parent
    env = {**os.environ, "MODEL_DIR": str(model_dir), "DATA_PATH": str(data_path),
           "DATABASE_URL": f"sqlite:///{beside / f'journal-{port}.db'}", **(env or {})}
    # A file, not a pipe: a busy server writes a log line per request, and a full pipe that
    # nobody reads would block it.
    log = beside / f"serve-{port}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    return Server(process, Http(f"http://127.0.0.1:{port}"), log)


def wait_until_answering(server: Server, path: str = "/health",
                         seconds: float = STARTUP_SECONDS) -> None:
    """Poll `path` until it answers 200; fail with the server's output if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited with {server.process.returncode}:\n"
                                 f"{server.output()[-3000:]}")
        try:
            if server.http.call("GET", path)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{path} did not answer 200 within {seconds} s:\n"
                         f"{server.output()[-3000:]}")


@contextmanager
def serving(model_dir: Path, data_path: Path, workers: int = 2,
            env: dict[str, str] | None = None, ready: str = "/health") -> Iterator[Server]:
    """A server started by start_serve, answering 200 on `ready`; stopped on leaving (by its
    PID, SIGINT: at once)."""
    server = start_serve(model_dir, data_path, workers, env)
    try:
        wait_until_answering(server, ready)
        yield server
    finally:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGINT)
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


@pytest.fixture(scope="module")
def gunicorn(trained_dir: Path, dataset_path: Path) -> Iterator[Http]:
    """The real Gunicorn, 2 workers, serving the trained model over HTTP."""
    with serving(trained_dir, dataset_path) as server:
        yield server.http
