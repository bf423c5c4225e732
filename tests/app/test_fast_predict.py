"""POST /predict's fast path answers exactly as Flask does, and leaves Flask everything else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.fast_predict import MAX_FAST_BYTES, PredictFastPath
from app.logs import ROUTE_ENVIRON
from model.schema import MOODS_BEFORE

JSON = "application/json"
PLAIN = [(JSON, json.dumps({"duration_minutes": minutes, "mood_before": mood}).encode())
         for mood in MOODS_BEFORE for minutes in (5, 9, 10, 20, 35, 36, 60)]
SPELLINGS = [(JSON, b'{"mood_before":"tired","duration_minutes":33}'),
             (JSON, b' \n{ "duration_minutes" : 12 , "mood_before" : "anxious" }\n'),
             (JSON, b'{"duration_minutes": 7, "duration_minutes": 50, "mood_before": "neutral"}')]
FLASKS_TO_ANSWER = [
    (JSON + "; charset=utf-8", PLAIN[0][1]), ("Application/JSON", PLAIN[0][1]),
    ("application/merge-patch+json", PLAIN[0][1]), ("text/plain", PLAIN[0][1]), (None, b""),
    (JSON, b'{"duration_minutes": 20, "mood_before": "stressed", "note": "x"}'),
    (JSON, b'{"duration_minutes": 20}'),
    (JSON, b'{"duration_minutes": 20.0, "mood_before": "tired"}'),
    (JSON, b'{"duration_minutes": "20", "mood_before": "tired"}'),
    (JSON, b'{"duration_minutes": true, "mood_before": "tired"}'),
    (JSON, b'{"duration_minutes": 4, "mood_before": "tired"}'),
    (JSON, b'{"duration_minutes": 61, "mood_before": "tired"}'),
    (JSON, b'{"duration_minutes": 100000000000000000000000, "mood_before": "tired"}'),
    (JSON, b'{"duration_minutes": 20, "mood_before": "Tired"}'),
    (JSON, b'{"duration_minutes": 20, "mood_before": null}'),
    (JSON, b'[{"duration_minutes": 20, "mood_before": "tired"}]'), (JSON, b'"tired"'),
    (JSON, b"null"), (JSON, b""), (JSON, b"   "), (JSON, b"{"), (JSON, b'{"mood_before": "\xff"}'),
    (JSON, b'{"instances": [{"duration_minutes": 20, "mood_before": "tired"}]}'),
    (JSON, b'{"instances": []}'),
    (JSON, b'{"duration_minutes": 20, "mood_before": "tired"}' + b" " * MAX_FAST_BYTES),
]


def _answer(client: FlaskClient, content_type: str | None, body: bytes) -> tuple[Any, ...]:
    """Status, headers (but the request id) and body of one POST /predict."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/predict", data=body, headers=headers)
    kept = [(name, value) for name, value in response.headers if name != "X-Request-ID"]
    return response.status, kept, response.get_data()


def _flask_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the fast path answers nothing, so Flask answers every request."""
    monkeypatch.setattr(PredictFastPath, "answer", lambda self, data: None)


@pytest.fixture()
def fast_answers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the fast path answered, request by request."""
    answered: list[bool] = []
    call = PredictFastPath.__call__

    def recording(self: PredictFastPath, environ: dict, start_response: Any) -> Any:
        answer = call(self, environ, start_response)
        answered.append(ROUTE_ENVIRON in environ)  # set only by an answer of its own
        return answer
    monkeypatch.setattr(PredictFastPath, "__call__", recording)
    return answered


@pytest.mark.parametrize("cases, fast", [(PLAIN + SPELLINGS, True), (FLASKS_TO_ANSWER, False)])
def test_every_answer_is_what_flask_alone_answers(
        client: FlaskClient, fast_answers: list[bool], monkeypatch: pytest.MonkeyPatch,
        cases: list[tuple[str | None, bytes]], fast: bool) -> None:
    answers = [_answer(client, content_type, body) for content_type, body in cases]
    assert fast_answers == [fast] * len(cases)
    _flask_alone(monkeypatch)
    assert [_answer(client, content_type, body) for content_type, body in cases] == answers
    if fast:
        assert {status for status, _, _ in answers} == {"200 OK"}


def test_flask_answers_when_there_is_no_model(tmp_path: Path, dataset_path: Path,
                                              fast_answers: list[bool]) -> None:
    app = create_app({"model_dir": str(tmp_path / "none"), "data_path": str(dataset_path)})
    response = app.test_client().post("/predict", json={"duration_minutes": 20,
                                                        "mood_before": "tired"})
    assert response.status_code == 503 and response.get_json()["code"] == "MODEL_UNAVAILABLE"
    assert fast_answers == [False]


def test_fast_answers_are_counted_and_logged_under_the_route_template(
        app: Flask, client: FlaskClient, fast_answers: list[bool],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="focus_agent.requests")
    for _ in range(3):
        client.post("/predict", data=PLAIN[0][1], headers={"Content-Type": JSON})
    assert fast_answers == [True] * 3
    assert [record.route for record in caplog.records
            if record.name == "focus_agent.requests"] == ["/predict"] * 3
    scrape = client.get("/metrics").get_data(as_text=True)
    assert 'focus_http_requests_total{method="POST",route="/predict",status="200"} 3.0' in scrape
    assert "focus_predictions_total{" in scrape
