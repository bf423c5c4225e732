"""/metrics under real Gunicorn: N known requests, spread over two workers, counted exactly.

The metrics directory is given explicitly and holds counts from an earlier run beforehand: the
server must empty it at start, or the figures would be off by that much.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.conftest import metric_samples, serving

STALE = 1000  # what the earlier run left behind


def _leave_stale_counts(directory: Path) -> None:
    """Write counter files as an earlier server's worker would have (another process)."""
    script = ("from prometheus_client import Counter\n"
              "Counter('focus_http_requests', 'x', ['route', 'method', 'status'])"
              f".labels('/predict', 'POST', '200').inc({STALE})\n")
    subprocess.run([sys.executable, "-c", script], check=True,
                   env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)})


@pytest.fixture(scope="module")
def server(trained_dir: Path, dataset_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """A 2-worker server whose metrics directory first holds an earlier run's counts."""
    directory = tmp_path_factory.mktemp("metrics")
    _leave_stale_counts(directory)
    assert any(directory.iterdir())
    try:
        with serving(trained_dir, dataset_path, workers=2,
                     env={"PROMETHEUS_MULTIPROC_DIR": str(directory)}) as server:
            yield server.http, directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_metrics_equal_known_requests_summed_across_workers(server) -> None:
    http, directory = server
    moods, statuses = Counter(), Counter()
    # urllib sends each request on its own connection, so both workers get some.
    for number in range(60):
        status, _, body = http.post_json("/predict", {
            "duration_minutes": 10 + number % 26,
            "mood_before": ("stressed", "neutral", "anxious", "tired")[number % 4]})
        statuses[("/predict", "POST", str(status))] += 1
        moods[body["mood_after"]] += 1
    for number in range(20):
        status, _, body = http.post_json("/predict", {"instances": [
            {"duration_minutes": 20 + i, "mood_before": "tired"} for i in range(5)]})
        statuses[("/predict", "POST", str(status))] += 1
        moods.update(prediction["mood_after"] for prediction in body["predictions"])
    for number in range(15):
        status, _, _ = http.post_json("/predict", {"duration_minutes": 99})
        statuses[("/predict", "POST", str(status))] += 1
    for number in range(10):
        status, _, _ = http.call("GET", f"/no/such/{number}")
        statuses[("unmatched", "GET", str(status))] += 1
    assert statuses == {("/predict", "POST", "200"): 80, ("/predict", "POST", "400"): 15,
                        ("unmatched", "GET", "404"): 10}

    samples = metric_samples(http)
    served = {tuple(value for _, value in labels): count for (name, labels), count
              in samples.items() if name == "focus_http_requests_total"
              and dict(labels)["route"] in ("/predict", "unmatched")}
    assert served == {(method, route, status): count
                      for (route, method, status), count in statuses.items()}
    assert {dict(labels)["mood"]: count for (name, labels), count in samples.items()
            if name == "focus_predictions_total"} == moods
    assert samples[("focus_predict_batch_size_count", ())] == 20
    assert samples[("focus_predict_batch_size_sum", ())] == 100
    latency = ("focus_http_request_duration_seconds_count",
               (("method", "POST"), ("route", "/predict")))
    assert samples[latency] == 95
    assert samples[("focus_workers", ())] == 2
    assert samples[("focus_model_loaded", ())] == 1
    pids = {path.stem.rsplit("_", 1)[1] for path in directory.glob("counter_*.db")}
    assert len(pids) >= 2, "the requests did not reach both workers"


def test_metrics_output_passes_promtool(server) -> None:
    http, _ = server
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: `make system-deps` installs Debian's prometheus"
    with urllib.request.urlopen(http.base + "/metrics", timeout=10) as response:
        text = response.read()
    checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True)
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
