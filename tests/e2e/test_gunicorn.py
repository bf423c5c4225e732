"""End to end: `focus-agent serve` starts real Gunicorn, and clients talk HTTP to it."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Http, serving


def test_health_over_http(gunicorn: Http) -> None:
    status, _, body = gunicorn.call("GET", "/health")
    assert status == 200 and body["status"] == "healthy"


def test_the_documented_curl_prediction(gunicorn: Http) -> None:
    status, headers, body = gunicorn.post_json("/predict", {"duration_minutes": 20,
                                                            "mood_before": "stressed"})
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert body["mood_after"] == "calm" and len(body["probabilities"]) == 4


def test_batch_over_http(gunicorn: Http) -> None:
    instances = [{"duration_minutes": 10 + i % 26, "mood_before": "neutral"} for i in range(1000)]
    status, _, body = gunicorn.post_json("/predict", {"instances": instances})
    assert status == 200 and len(body["predictions"]) == 1000


def test_errors_are_json_over_http(gunicorn: Http) -> None:
    assert gunicorn.call("GET", "/missing")[2]["code"] == "NOT_FOUND"
    status, _, body = gunicorn.call("POST", "/predict", b"x" * (1024 * 1024 + 10),
                                    {"Content-Type": "application/json"})
    assert status == 413 and body["code"] == "PAYLOAD_TOO_LARGE"


def test_original_endpoints_over_http(gunicorn: Http) -> None:
    assert gunicorn.call("GET", "/")[2]["msg"] == "Focus Meditation Agent"
    status, headers, rows = gunicorn.call("GET", "/sessions?limit=3")
    assert status == 200 and len(rows) == 3 and headers["X-Total-Count"] == "2000"
    assert gunicorn.call("GET", "/stats")[2]["total_sessions"] == 2000


def test_serve_trains_a_model_first_when_there_is_none(tmp_path: Path,
                                                       dataset_path: Path) -> None:
    with serving(tmp_path / "fresh", dataset_path, workers=1) as server:
        assert (tmp_path / "fresh" / "model.json").exists()
    output = server.output()
    assert "training one first" in output and "[6/6]" in output
