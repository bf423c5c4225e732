"""Metrics, request ids, request logs and the drain flag, in process (no Gunicorn needed)."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from datetime import datetime, timezone
from io import StringIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.drain import DrainFlag, drain_flag
from app.logs import JsonFormatter, StdoutHandler, TextFormatter, new_request_id
from app.metrics import export_live_accuracy

PREDICT = {"duration_minutes": 20, "mood_before": "stressed"}


def _samples(client: FlaskClient) -> dict[tuple, float]:
    """The scrape, keyed by (name, sorted labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def test_requests_are_counted_by_route_template_not_raw_path(client: FlaskClient) -> None:
    client.get("/no/such/page")
    client.get("/another/unknown")
    client.get("/sessions?limit=2&offset=3")
    samples = _samples(client)
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert samples[("focus_http_requests_total", unmatched)] == 2
    sessions = (("method", "GET"), ("route", "/sessions"), ("status", "200"))
    assert samples[("focus_http_requests_total", sessions)] == 1
    assert not any("no/such" in str(key) for key in samples)


def test_predictions_are_counted_by_predicted_mood_and_batch_size(client: FlaskClient) -> None:
    mood = client.post("/predict", json=PREDICT).get_json()["mood_after"]
    batch = client.post("/predict", json={"instances": [PREDICT] * 3}).get_json()
    assert {item["mood_after"] for item in batch["predictions"]} == {mood}
    samples = _samples(client)
    assert samples[("focus_predictions_total", (("mood", mood),))] == 4
    assert samples[("focus_predict_batch_size_count", ())] == 1
    assert samples[("focus_predict_batch_size_sum", ())] == 3


def test_served_model_is_exported_with_version_and_test_accuracy(
        app: Flask, client: FlaskClient) -> None:
    manifest = client.get("/model").get_json()
    samples = _samples(client)
    version = (("version", manifest["version"]),)
    assert samples[("focus_model_info", version)] == 1
    assert samples[("focus_model_test_accuracy", version)] == manifest["metrics"]["accuracy"]
    assert samples[("focus_model_loaded", ())] == 1
    assert ("focus_live_accuracy", ()) not in samples


def test_no_model_is_exported_as_model_loaded_zero(tmp_path: Path, dataset_path: Path) -> None:
    client = create_app({"model_dir": str(tmp_path), "data_path": str(dataset_path)}).test_client()
    samples = _samples(client)
    assert samples[("focus_model_loaded", ())] == 0
    assert not any(name == "focus_model_info" for name, _ in samples)


def test_live_accuracy_is_exported_from_the_registered_source(
        app: Flask, client: FlaskClient) -> None:
    export_live_accuracy(app, lambda: 0.61)
    assert _samples(client)[("focus_live_accuracy", ())] == 0.61


def test_a_failing_live_accuracy_source_leaves_the_scrape_working(
        app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> float:
        raise RuntimeError("database down")

    export_live_accuracy(app, broken)
    assert ("focus_live_accuracy", ()) not in _samples(client)
    assert "live accuracy source failed" in caplog.text


def test_metrics_can_be_turned_off(trained_dir: Path, dataset_path: Path) -> None:
    client = create_app({"model_dir": str(trained_dir), "data_path": str(dataset_path),
                         "metrics": False}).test_client()
    assert client.get("/metrics").status_code == 404
    assert client.post("/predict", json=PREDICT).status_code == 200


def test_a_well_formed_request_id_is_echoed_on_every_answer(client: FlaskClient) -> None:
    for response in (client.get("/health", headers={"X-Request-ID": "abc-123"}),
                     client.get("/missing", headers={"X-Request-ID": "abc-123"}),
                     client.post("/predict", data="x", headers={"X-Request-ID": "abc-123"})):
        assert response.headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize("given", ["", "has space", "x" * 129, "-leading-dash", "a\u00e9"])
def test_a_missing_or_malformed_request_id_is_replaced(client: FlaskClient, given: str) -> None:
    response = client.get("/health", headers={"X-Request-ID": given} if given else {})
    assert len(response.headers["X-Request-ID"]) == 32 and response.headers["X-Request-ID"] != given


def test_each_request_logs_one_line_with_its_fields(
        client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="focus_agent.requests")
    client.post("/predict?token=hidden", json=PREDICT,
                headers={"X-Request-ID": "r-1", "Authorization": "Bearer k"})
    [record] = [r for r in caplog.records if r.name == "focus_agent.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert {key: line[key] for key in ("request_id", "method", "route", "status")} == {
        "request_id": "r-1", "method": "POST", "route": "/predict", "status": 200}
    assert line["duration_ms"] >= 0 and line["model_version"]
    assert "hidden" not in json.dumps(line) and "Bearer" not in json.dumps(line)
    assert TextFormatter().format(record).endswith("focus_agent.requests: POST /predict 200")


@pytest.mark.parametrize("offset", [0.0, 0.001, 0.0009995, 0.0009996, 0.9994996, 0.9995,
                                    0.9999994, 0.9999995, 0.9999996, 0.5, 0.123456789])
def test_json_log_times_are_written_as_datetime_writes_them(offset: float) -> None:
    formatter = JsonFormatter()
    for second in (1_700_000_000, 1_700_000_001, 1_800_000_123):
        created = second + offset
        assert formatter.timestamp(created) == datetime.fromtimestamp(
            created, timezone.utc).isoformat(timespec="milliseconds")


def test_json_formatter_keeps_exceptions_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",),
                                   exc_info=sys.exc_info())
    text = JsonFormatter().format(record)
    assert "\n" not in text
    assert json.loads(text)["message"] == "failed here"
    assert "ValueError: boom" in json.loads(text)["exception"]


def test_log_format_must_be_json_or_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="LOG_FORMAT must be json or text"):
        create_app()


def test_health_reports_draining_and_keeps_answering(app: Flask, client: FlaskClient) -> None:
    assert client.get("/health").status_code == 200
    drain_flag(app).begin()
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json()["reasons"] == ["draining: the server is shutting down"]
    assert client.post("/predict", json=PREDICT).status_code == 200


def test_the_drain_flag_is_shared_with_forked_children() -> None:
    flag = DrainFlag()
    pid = os.fork()
    if pid == 0:  # the child sets it, as the Gunicorn master would for its workers
        flag.begin()
        os._exit(0)
    os.waitpid(pid, 0)
    assert flag.active


def test_the_stdout_handler_writes_every_line_whole_from_many_threads() -> None:
    stream = StringIO()
    handler = StdoutHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.stdout_handler")
    logger.propagate, logger.handlers = False, [handler]
    logger.setLevel(logging.INFO)

    def log_lines(thread: int) -> None:
        for line in range(500):
            logger.info("%s %s", thread, line)

    threads = [threading.Thread(target=log_lines, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = [json.loads(line)["message"] for line in stream.getvalue().splitlines()]
    assert len(messages) == 8 * 500
    for thread in range(8):  # each thread's lines all there, in the order it logged them
        assert [m for m in messages if m.split()[0] == str(thread)] == \
            [f"{thread} {line}" for line in range(500)]


def test_generated_request_ids_differ_between_forked_workers() -> None:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # a worker forked from the preloaded master draws its own ids
        os.write(write_end, new_request_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read_end, 64).decode()
    os.close(read_end)
    os.close(write_end)
    assert len(child) == 32 and child != new_request_id()
