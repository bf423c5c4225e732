"""The journal over the API: writes with API keys and idempotency keys, reads, export, stats."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.cli import cli
from store.journal import Journal

KEY = "journal-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
ONE = {"date": "2025-05-01", "duration_minutes": 20, "mood_before": "stressed",
       "mood_after": "calm"}


@pytest.fixture()
def journal_app(trained_dir: Path, database_url: str, journal: Journal) -> Flask:
    """The app on an empty, migrated journal of each backend."""
    return create_app({"model_dir": str(trained_dir), "database_url": database_url,
                       "api_keys": (KEY, "other-key")})


@pytest.fixture()
def api(journal_app: Flask) -> FlaskClient:
    """A client of that app."""
    return journal_app.test_client()


def post(client: FlaskClient, body: dict, headers: dict | None = None) -> Any:
    """POST /sessions with the API key (and any extra headers)."""
    return client.post("/sessions", json=body, headers={**AUTH, **(headers or {})})


def test_one_session_is_recorded_with_the_models_prediction(api: FlaskClient) -> None:
    response = post(api, ONE)
    assert response.status_code == 201
    record = response.get_json()
    assert response.headers["Location"] == f"/sessions/{record['id']}"
    assert {key: record[key] for key in ONE} == ONE
    assert record["source"] == "api" and record["predicted_mood"] == "calm"
    assert record["model_version"] == api.get("/model").get_json()["version"]
    assert api.get(response.headers["Location"]).get_json() == record


def test_the_date_defaults_to_today(api: FlaskClient) -> None:
    import datetime as dt
    body = {key: value for key, value in ONE.items() if key != "date"}
    record = post(api, body).get_json()
    assert record["date"] == dt.datetime.now(dt.timezone.utc).date().isoformat()


def test_a_batch_is_one_transaction(api: FlaskClient) -> None:
    batch = [{**ONE, "duration_minutes": 10 + i % 20} for i in range(1000)]
    response = post(api, {"sessions": batch})
    assert response.status_code == 201 and len(response.get_json()["sessions"]) == 1000
    assert api.get("/sessions?limit=1").headers["X-Total-Count"] == "1000"
    broken = batch[:999] + [{**ONE, "duration_minutes": 61}]
    response = post(api, {"sessions": broken})
    assert response.status_code == 400
    assert response.get_json()["details"][0]["field"] == "sessions.999.duration_minutes"
    assert api.get("/sessions?limit=1").headers["X-Total-Count"] == "1000"


def test_a_batch_over_the_limit_is_413(api: FlaskClient) -> None:
    response = post(api, {"sessions": [ONE] * 1001})
    assert response.status_code == 413 and response.get_json()["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {KEY}"},
                                     {"Authorization": "Bearer"},
                                     {"Authorization": f"Bearer {KEY}x"}])
def test_writes_without_a_valid_key_are_401(api: FlaskClient, headers: dict) -> None:
    for response in (api.post("/sessions", json=ONE, headers=headers),
                     api.delete("/sessions/1", headers=headers)):
        assert response.status_code == 401 and response.get_json()["code"] == "UNAUTHORIZED"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.get("/sessions").headers["X-Total-Count"] == "0"


def test_every_configured_key_works(api: FlaskClient) -> None:
    response = api.post("/sessions", json=ONE, headers={"Authorization": "Bearer other-key"})
    assert response.status_code == 201


def test_writes_are_refused_when_no_key_is_configured(trained_dir: Path, seeded_url: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    client = create_app({"model_dir": str(trained_dir), "database_url": seeded_url,
                         "api_keys": ()}).test_client()
    assert "writes are refused: no API key configured" in caplog.text
    response = client.post("/sessions", json=ONE, headers=AUTH)
    assert response.status_code == 403 and response.get_json()["code"] == "WRITES_DISABLED"
    assert "API_KEYS" in response.get_json()["error"]
    assert client.get("/sessions?limit=1").status_code == 200


def test_an_idempotency_key_replays_the_first_answer(api: FlaskClient) -> None:
    first = post(api, ONE, {"Idempotency-Key": "retry-1"})
    again = post(api, ONE, {"Idempotency-Key": '"retry-1"'})  # sf-string quotes are allowed
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.get("/sessions").headers["X-Total-Count"] == "1"
    batch = post(api, {"sessions": [ONE, ONE]}, {"Idempotency-Key": "retry-2"})
    assert post(api, {"sessions": [ONE, ONE]},
                {"Idempotency-Key": "retry-2"}).get_json() == batch.get_json()
    assert api.get("/sessions").headers["X-Total-Count"] == "3"


def test_an_idempotency_key_with_another_body_is_422(api: FlaskClient) -> None:
    post(api, ONE, {"Idempotency-Key": "k"})
    response = post(api, {**ONE, "duration_minutes": 21}, {"Idempotency-Key": "k"})
    assert response.status_code == 422
    assert response.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_an_idempotency_key_in_progress_is_409(api: FlaskClient, journal: Journal) -> None:
    import hashlib
    import orjson
    client = hashlib.sha256(KEY.encode()).hexdigest()[:32]
    fingerprint = hashlib.sha256(orjson.dumps(ONE, option=orjson.OPT_SORT_KEYS)).hexdigest()
    assert journal.claim(client, "busy", fingerprint) is None  # as if a request were running
    response = post(api, ONE, {"Idempotency-Key": "busy"})
    assert response.status_code == 409 and response.get_json()["code"] == "IDEMPOTENCY_KEY_IN_USE"
    assert response.headers["Retry-After"]
    journal.release(client, "busy")
    assert post(api, ONE, {"Idempotency-Key": "busy"}).status_code == 201


def test_keys_of_different_clients_do_not_collide(api: FlaskClient) -> None:
    post(api, ONE, {"Idempotency-Key": "same"})
    other = api.post("/sessions", json={**ONE, "duration_minutes": 30},
                     headers={"Authorization": "Bearer other-key", "Idempotency-Key": "same"})
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "é"])
def test_a_malformed_idempotency_key_is_400(api: FlaskClient, key: str) -> None:
    response = post(api, ONE, {"Idempotency-Key": key})
    assert response.status_code == 400 and response.get_json()["details"][0]["field"] == \
        "Idempotency-Key"


def test_delete_needs_a_key_and_then_the_session_is_gone(api: FlaskClient) -> None:
    location = post(api, ONE).headers["Location"]
    assert api.delete(location, headers=AUTH).status_code == 204
    assert api.get(location).status_code == 404
    assert api.delete(location, headers=AUTH).get_json()["code"] == "NOT_FOUND"


def test_filters_and_paging(api: FlaskClient) -> None:
    sessions = [{**ONE, "date": f"2025-06-{day:02d}", "mood_before": mood}
                for day in range(1, 31) for mood in ("tired", "neutral")]
    post(api, {"sessions": sessions})
    response = api.get("/sessions?mood_before=tired&since=2025-06-10&until=2025-06-19"
                       "&limit=4&offset=2")
    assert response.headers["X-Total-Count"] == "10"
    assert [row["date"] for row in response.get_json()] == [
        "2025-06-12", "2025-06-13", "2025-06-14", "2025-06-15"]
    assert api.get("/sessions?mood_after=relaxed").headers["X-Total-Count"] == "0"


@pytest.mark.parametrize("query, field", [
    ("mood_after=sleepy", "mood_after"), ("since=2025-13-01", "since"),
    ("until=yesterday", "until"), ("since=2025-06-02&until=2025-06-01", "since")])
def test_bad_filters_are_400(api: FlaskClient, query: str, field: str) -> None:
    for path in ("/sessions", "/sessions.csv"):
        response = api.get(f"{path}?{query}")
        assert response.status_code == 400 and response.get_json()["details"][0]["field"] == field


def test_the_csv_export_passes_validate_data(api: FlaskClient, tmp_path: Path) -> None:
    batch = {"sessions": [{**ONE, "duration_minutes": 10 + i % 26} for i in range(500)]}
    for _ in range(3):  # more rows than one chunk of the stream
        assert post(api, batch).status_code == 201
    response = api.get("/sessions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    exported = tmp_path / "export.csv"
    exported.write_bytes(response.data)
    result = CliRunner().invoke(cli, ["validate-data", str(exported)])
    assert result.exit_code == 0 and "valid, 1500 sessions" in result.output
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert rows[0]["source"] == "api" and rows[0]["predicted_mood"] == "calm"


def test_stats_are_the_databases_aggregates(api: FlaskClient) -> None:
    assert api.get("/stats").get_json()["total_sessions"] == 0
    post(api, {"sessions": [{**ONE, "duration_minutes": 10}, {**ONE, "duration_minutes": 15},
                            {**ONE, "duration_minutes": 16, "mood_before": "tired",
                             "mood_after": "energized"}]})
    stats = api.get("/stats").get_json()
    assert stats["total_sessions"] == 3 and stats["avg_duration"] == pytest.approx(13.67)
    assert (stats["longest_session"], stats["shortest_session"]) == (16, 10)
    assert stats["by_mood_before"] == {"stressed": 2, "neutral": 0, "anxious": 0, "tired": 1}
    assert stats["transitions"]["tired"]["energized"] == 1
    assert list(stats["by_duration"].items()) == [
        ("5-9", 0), ("10-14", 1), ("15-19", 2), ("20-24", 0), ("25-29", 0), ("30-34", 0),
        ("35-44", 0), ("45+", 0)]


def test_model_reports_live_accuracy_since_training(api: FlaskClient) -> None:
    post(api, {"sessions": [ONE, {**ONE, "mood_after": "relaxed"}]})
    live = api.get("/model").get_json()["live"]
    assert live["sessions"] == 2 and live["accuracy"] == 0.5
    assert live["per_class"]["calm"] == {"sessions": 1, "accuracy": 1.0}
    assert set(live["psi"]) == {"mood_before", "duration_minutes"}


def test_metrics_export_the_journals_live_accuracy(api: FlaskClient) -> None:
    assert "focus_live_accuracy " not in api.get("/metrics").get_data(as_text=True)
    post(api, {"sessions": [ONE, {**ONE, "mood_after": "relaxed"}]})
    assert "\nfocus_live_accuracy 0.5\n" in api.get("/metrics").get_data(as_text=True)
