"""Fixtures that start real servers as separate processes and stop them afterwards."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import ROOT


LOGS: dict[int, Path] = {}  # server PID -> the file its output goes to


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Http:
    """A tiny HTTP client for one base URL (stdlib only, like a script would be)."""

    base: str

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


def wait_until_healthy(http: Http, process: subprocess.Popen, seconds: float = 120) -> None:
    """Poll /health until it answers 200; fail with the server's output if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n"
                                 f"{server_output(process)}")
        try:
            if http.call("GET", "/health")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"server did not become healthy within {seconds} s:\n"
                         f"{server_output(process)[-3000:]}")


def start_serve(model_dir: Path, data_path: Path, workers: int = 2,
                env: dict[str, str] | None = None) -> tuple[subprocess.Popen, Http]:
    """Run `focus-agent serve` on a free port as a user would (journal beside model_dir)."""
    port = free_port()
    env = {**os.environ, "MODEL_DIR": str(model_dir), "DATA_PATH": str(data_path),
           "DATABASE_URL": f"sqlite:///{Path(model_dir).parent / f'journal-{port}.db'}",
           **(env or {})}
    # A file, not a pipe: a busy server writes a log line per request, and a full pipe that
    # nobody reads would block it.
    log = tempfile.NamedTemporaryFile(prefix="focus-serve-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    LOGS[process.pid] = Path(log.name)
    return process, Http(f"http://127.0.0.1:{port}")


def server_output(process: subprocess.Popen) -> str:
    """Everything a server started by start_serve printed so far."""
    return LOGS[process.pid].read_text(errors="replace")


def stop(process: subprocess.Popen) -> str:
    """Stop a server we started (by its PID, SIGINT: at once) and return what it printed."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = server_output(process)
    LOGS.pop(process.pid).unlink()
    return output


@pytest.fixture(scope="module")
def gunicorn(trained_dir: Path, dataset_path: Path) -> Iterator[Http]:
    """The real Gunicorn, 2 workers, serving the trained model over HTTP."""
    process, http = start_serve(trained_dir, dataset_path)
    try:
        wait_until_healthy(http, process, 240)  # serve migrates and seeds the journal first
        yield http
    finally:
        stop(process)
