"""Graceful stop under load: SIGTERM drains first, and no request sent before the drain ended fails.

The issue's finding: SIGTERM reset every queued connection (16 of 16 under load). Now the
server reports not-ready and keeps answering (closing each connection) for DRAIN_SECONDS, then
accepts what the kernel already queued, finishes it, and exits.
"""

from __future__ import annotations

import signal
import threading
import time
import urllib.error
from pathlib import Path

from tests.e2e.conftest import Http, serving
from tests.e2e.load import Load

DRAIN_SECONDS = 3.0


def _watch_health(http: Http, until: threading.Event, seen: list) -> None:
    """Record /health answers until told to stop (errors once the server has gone)."""
    while not until.is_set():
        try:
            seen.append(http.call("GET", "/health"))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)


def test_sigterm_under_load_drains_and_drops_no_request_sent_before_the_drain_ended(
        trained_dir: Path, dataset_path: Path) -> None:
    with serving(trained_dir, dataset_path, workers=2,
                 env={"DRAIN_SECONDS": str(DRAIN_SECONDS)}) as server:
        process, http = server.process, server.http
        load = Load(http.port, clients=8, seconds=60).start()
        time.sleep(1.5)
        healths: list = []
        done = threading.Event()
        watcher = threading.Thread(target=_watch_health, args=(http, done, healths))
        watcher.start()
        terminated = time.monotonic()
        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(timeout=60)
        time.sleep(0.5)
        outcomes = load.stop()
        done.set()
        watcher.join()
    output = server.output()
    drain_end = terminated + DRAIN_SECONDS  # the server's own drain ends later, never earlier
    before = [o for o in outcomes if o.sent is not None and o.sent < drain_end]
    failed = [o for o in before if o.status != 200]
    during = [o for o in before if o.sent > terminated]
    print(f"\nSIGTERM under load: {len(before)} requests sent before the drain ended, "
          f"{len(during)} of them during the drain, {len(failed)} failed; after it: "
          f"{len(outcomes) - len(before)} attempts (refused or reset, as expected)")
    assert exit_code == 0, output[-3000:]
    assert failed == [], f"{len(failed)} requests sent before the drain ended failed: {failed[:5]}"
    assert during and all(o.status == 200 for o in during), "no answer during the drain"
    assert all(o.closed for o in during if o.sent > terminated + DRAIN_SECONDS / 2), \
        "a connection was kept alive during the drain"
    draining = [body for status, _, body in healths if status == 503]
    assert draining and "draining" in draining[0]["reasons"][0], healths[-3:]
    assert "SIGTERM: draining for 3.0 s" in output
