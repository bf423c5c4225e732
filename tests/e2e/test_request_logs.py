"""Request logs under real Gunicorn: every line is JSON, and no secret reaches any line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import serving

SECRET = "s3cr3t-Zq8XvT"


def test_log_lines_are_json_with_request_fields_and_hold_no_secret(
        trained_dir: Path, dataset_path: Path) -> None:
    secret_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {SECRET}",
                      "X-API-Key": SECRET, "Cookie": f"session={SECRET}"}
    with serving(trained_dir, dataset_path, workers=2, env={"LOG_FORMAT": "json"}) as server:
        http = server.http
        echoed = http.call("POST", "/predict", json.dumps(
            {"duration_minutes": 20, "mood_before": "stressed", "note": SECRET}).encode(),
            {**secret_headers, "X-Request-ID": "trace-42"})[1]
        http.call("POST", f"/predict?token={SECRET}", json.dumps(
            {"duration_minutes": 20, "mood_before": "tired"}).encode(), secret_headers)
        http.call("POST", "/predict", f'{{"broken": "{SECRET}'.encode(), secret_headers)
        http.call("GET", f"/{SECRET}?api_key={SECRET}", None, secret_headers)
        generated = http.call("GET", "/health", None, {"X-Request-ID": f"bad id {SECRET}"})[1]
    output = server.output()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert SECRET not in output
    requests = [line for line in lines if line["logger"] == "focus_agent.requests"]
    assert {(line["method"], line["route"], line["status"]) for line in requests} >= {
        ("POST", "/predict", 400), ("POST", "/predict", 200), ("GET", "unmatched", 404),
        ("GET", "/health", 200)}
    for line in requests:
        assert set(line) == {"time", "level", "logger", "message", "request_id", "method",
                             "route", "status", "duration_ms", "model_version"}
        assert line["model_version"]
    assert echoed["X-Request-ID"] == "trace-42"
    assert any(line["request_id"] == "trace-42" for line in requests)
    assert len(generated["X-Request-ID"]) == 32
    assert any(line["request_id"] == generated["X-Request-ID"] for line in requests)
