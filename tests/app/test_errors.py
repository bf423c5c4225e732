"""Every error is JSON with a stable code and the matching status; never HTML, never a trace."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
         413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 500: "INTERNAL_ERROR",
         503: "MODEL_UNAVAILABLE"}


def assert_error(response, status: int, fragment: str = "") -> dict:
    """The response is a JSON error of this status, whose message contains fragment."""
    body = response.get_json()
    assert response.status_code == status, body
    assert response.mimetype == "application/json"
    assert body["code"] == CODES[status]
    assert fragment in body["error"]
    assert isinstance(body["details"], list)
    return body


@pytest.mark.parametrize("payload, field, fragment", [
    ({"mood_before": "stressed"}, "duration_minutes", "is required"),
    ({"duration_minutes": 20}, "mood_before", "is required"),
    ({"duration_minutes": "20", "mood_before": "stressed"}, "duration_minutes", "JSON integer"),
    ({"duration_minutes": True, "mood_before": "stressed"}, "duration_minutes", "JSON integer"),
    ({"duration_minutes": 20.5, "mood_before": "stressed"}, "duration_minutes", "JSON integer"),
    ({"duration_minutes": 20.0, "mood_before": "stressed"}, "duration_minutes", "JSON integer"),
    ({"duration_minutes": None, "mood_before": "stressed"}, "duration_minutes", "JSON integer"),
    ({"duration_minutes": 4, "mood_before": "stressed"}, "duration_minutes", "between 5 and 60"),
    ({"duration_minutes": 61, "mood_before": "stressed"}, "duration_minutes", "between 5 and 60"),
    ({"duration_minutes": -20, "mood_before": "stressed"}, "duration_minutes", "between 5 and 60"),
    ({"duration_minutes": 20, "mood_before": "happy"}, "mood_before", "'tired'"),
    ({"duration_minutes": 20, "mood_before": "Stressed"}, "mood_before", "'stressed'"),
    ({"duration_minutes": 20, "mood_before": 3}, "mood_before", "must be one of"),
    ({"duration_minutes": 20, "mood_before": "tired", "mood": "x"}, "mood", "not a known field"),
    ({"instances": "all"}, "instances", "list"),
    ({"instances": []}, "instances", "at least 1"),
    ({"instances": [{"duration_minutes": 20, "mood_before": "tired"}, {"duration_minutes": 9.5,
                                                                       "mood_before": "tired"}]},
     "instances.1.duration_minutes", "JSON integer"),
])
def test_invalid_prediction_fields_are_named(client: FlaskClient, payload: dict, field: str,
                                             fragment: str) -> None:
    body = assert_error(client.post("/predict", json=payload), 400, "invalid request")
    problems = {detail["field"]: detail["problem"] for detail in body["details"]}
    assert field in problems and fragment in problems[field]


@pytest.mark.parametrize("payload, field", [
    ({"mood_before": "tired"}, "target_mood"),
    ({"mood_before": "tired", "target_mood": "sleepy"}, "target_mood"),
    ({"mood_before": "tired", "target_mood": "calm", "min_minutes": 2}, "min_minutes"),
    ({"mood_before": "tired", "target_mood": "calm", "max_minutes": 20.5}, "max_minutes"),
    ({"mood_before": "tired", "target_mood": "calm", "min_minutes": 30, "max_minutes": 20},
     "body"),
])
def test_invalid_recommendations_are_named(client: FlaskClient, payload: dict,
                                           field: str) -> None:
    body = assert_error(client.post("/recommend", json=payload), 400)
    assert field in {detail["field"] for detail in body["details"]}


@pytest.mark.parametrize("data, content_type, status, fragment", [
    ('{"duration_minutes": 20, "mood_before": "tired"}', "text/plain", 415, "application/json"),
    ("duration_minutes=20", "application/x-www-form-urlencoded", 415, "application/json"),
    ('{"duration_minutes": 20, "mood_before": "tired"}', None, 415, "got none"),
    ('{"duration_minutes": 20,', "application/json", 400, "malformed JSON"),
    ("", "application/json", 400, "empty"),
    ("   \n", "application/json", 400, "empty"),
    ("[1, 2]", "application/json", 400, "got an array"),
    ('"text"', "application/json", 400, "got a string"),
    ("null", "application/json", 400, "got null"),
    ("42", "application/json", 400, "got a number"),
])
def test_bad_bodies(client: FlaskClient, data: str, content_type: str | None, status: int,
                    fragment: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert_error(client.post("/predict", data=data, headers=headers), status, fragment)


def test_body_over_one_mebibyte_is_refused(client: FlaskClient) -> None:
    huge = '{"pad": "' + "x" * (1024 * 1024) + '"}'
    assert_error(client.post("/predict", data=huge, content_type="application/json"), 413,
                 "bytes allowed")


def test_batch_over_the_limit_is_refused(client: FlaskClient) -> None:
    instances = [{"duration_minutes": 20, "mood_before": "tired"}] * 1001
    body = assert_error(client.post("/predict", json={"instances": instances}), 413,
                        "over the limit of 1000")
    assert body["details"][0]["field"] == "instances"


def test_unknown_url(client: FlaskClient) -> None:
    assert_error(client.get("/nowhere"), 404, "GET /nowhere")


def test_wrong_method_lists_the_allowed_ones(client: FlaskClient) -> None:
    response = client.get("/predict")
    assert_error(response, 405, "allowed: POST")
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=10001", "limit"), ("limit=abc", "limit"),
    ("limit=-1", "limit"), ("offset=-1", "offset"), ("offset=1.5", "offset"),
    ("mood_before=happy", "mood_before"),
])
def test_bad_session_queries(client: FlaskClient, query: str, field: str) -> None:
    body = assert_error(client.get(f"/sessions?{query}"), 400, "invalid query")
    assert body["details"][0]["field"] == field


def test_unexpected_errors_are_500_json_with_a_request_id(
        app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["focus_agent"].model, "single_body", explode)
    with caplog.at_level(logging.ERROR):
        response = client.post("/predict", json={"duration_minutes": 20, "mood_before": "tired"},
                               headers={"X-Request-ID": "req-42"})
    body = assert_error(response, 500, "req-42")
    assert "secret" not in body["error"] and "Traceback" not in response.get_data(as_text=True)
    assert "req-42" in caplog.text and "secret internals" in caplog.text


def test_request_id_is_generated_when_absent(app: Flask, client: FlaskClient,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.extensions["focus_agent"].model, "single_body",
                        lambda *args: 1 / 0)
    response = client.post("/predict", json={"duration_minutes": 20, "mood_before": "tired"})
    assert len(response.headers["X-Request-ID"]) == 32
    assert response.headers["X-Request-ID"] in response.get_json()["error"]
