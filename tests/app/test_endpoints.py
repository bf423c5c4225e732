"""Every endpoint's successful answer, in the shape the original API and the issue promise."""

from __future__ import annotations

import math

import pytest
from flask.testing import FlaskClient

from model.schema import MOODS_AFTER, MOODS_BEFORE

ONE = {"duration_minutes": 20, "mood_before": "stressed"}


def test_index_keeps_the_original_greeting(client: FlaskClient) -> None:
    body = client.get("/").get_json()
    assert body["status"] == "ok" and body["msg"] == "Focus Meditation Agent"
    assert "/predict" in body["endpoints"]


def test_health_is_ready(client: FlaskClient) -> None:
    response = client.get("/health")
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "healthy" and body["model_loaded"] and body["data_loaded"]
    assert body["model_version"] and body["version"] and body["timestamp"].endswith("+00:00")


def test_liveness(client: FlaskClient) -> None:
    assert client.get("/livez").get_json() == {"status": "alive"}


def test_sessions_default_page_and_total(client: FlaskClient) -> None:
    response = client.get("/sessions")
    rows = response.get_json()
    assert response.headers["X-Total-Count"] == "2000"
    assert len(rows) == 1000
    assert {"date", "duration_minutes", "mood_before", "mood_after"} <= set(rows[0])
    assert set(rows[0]) - {"date", "duration_minutes", "mood_before", "mood_after"} == {
        "id", "recorded_at", "source", "predicted_mood", "model_version"}
    assert isinstance(rows[0]["duration_minutes"], int) and rows[0]["source"] == "dataset"


def test_sessions_limit_offset_and_filter(client: FlaskClient) -> None:
    everything = client.get("/sessions?mood_before=tired&limit=10000").get_json()
    response = client.get("/sessions?mood_before=tired&limit=5&offset=3")
    assert response.get_json() == everything[3:8]
    assert response.headers["X-Total-Count"] == str(len(everything))
    assert {row["mood_before"] for row in everything} == {"tired"}


def test_sessions_offset_past_the_end_is_empty(client: FlaskClient) -> None:
    response = client.get("/sessions?offset=5000")
    assert response.status_code == 200 and response.get_json() == []


def test_stats_keeps_the_original_keys_and_adds_counts(client: FlaskClient) -> None:
    stats = client.get("/stats").get_json()
    assert stats["total_sessions"] == 2000
    assert stats["shortest_session"] == 10 and stats["longest_session"] == 35
    assert 10 < stats["avg_duration"] < 35
    assert sum(stats["by_mood_before"].values()) == 2000
    assert sum(sum(row.values()) for row in stats["transitions"].values()) == 2000
    assert set(stats["transitions"]["tired"]) == set(MOODS_AFTER)


def test_single_prediction(client: FlaskClient) -> None:
    body = client.post("/predict", json=ONE).get_json()
    assert body["mood_after"] == "calm"
    assert set(body["probabilities"]) == set(MOODS_AFTER)
    assert math.isclose(sum(body["probabilities"].values()), 1.0)
    assert body["mood_after"] == max(body["probabilities"], key=body["probabilities"].get)
    assert body["model_version"] and body["warnings"] == []


@pytest.mark.parametrize("minutes", [5, 9, 36, 60])
def test_outside_the_trained_range_is_answered_with_a_warning(client: FlaskClient,
                                                              minutes: int) -> None:
    response = client.post("/predict", json={"duration_minutes": minutes,
                                             "mood_before": "neutral"})
    assert response.status_code == 200
    assert "outside the trained range 10-35" in response.get_json()["warnings"][0]


def test_batch_equals_single_predictions(client: FlaskClient) -> None:
    instances = [{"duration_minutes": minutes, "mood_before": mood}
                 for mood in MOODS_BEFORE for minutes in range(5, 61)]
    batch = client.post("/predict", json={"instances": instances}).get_json()
    assert len(batch["predictions"]) == len(instances)
    for instance, prediction in zip(instances, batch["predictions"]):
        single = client.post("/predict", json=instance).get_json()
        assert prediction == {"mood_after": single["mood_after"],
                              "probabilities": single["probabilities"]}
    assert batch["warnings"] and batch["model_version"]


def test_batch_of_the_maximum_size(client: FlaskClient) -> None:
    body = client.post("/predict", json={"instances": [ONE] * 1000}).get_json()
    assert len(body["predictions"]) == 1000 and body["warnings"] == []


def test_recommend_argmax_matches_the_curve(client: FlaskClient) -> None:
    body = client.post("/recommend", json={"mood_before": "neutral",
                                           "target_mood": "focused"}).get_json()
    curve = body["curve"]
    assert [point["duration_minutes"] for point in curve] == list(range(10, 36))
    best = max(curve, key=lambda point: point["probability"])
    assert body["recommended_minutes"] == best["duration_minutes"]
    assert body["probability"] == best["probability"]
    assert body["warnings"] == []


def test_recommend_curve_equals_predictions(client: FlaskClient) -> None:
    body = client.post("/recommend", json={"mood_before": "stressed", "target_mood": "calm",
                                           "min_minutes": 12, "max_minutes": 14}).get_json()
    for point in body["curve"]:
        single = client.post("/predict", json={"duration_minutes": point["duration_minutes"],
                                               "mood_before": "stressed"}).get_json()
        assert point["probability"] == single["probabilities"]["calm"]


def test_recommend_outside_the_trained_range_warns(client: FlaskClient) -> None:
    body = client.post("/recommend", json={"mood_before": "tired", "target_mood": "energized",
                                           "min_minutes": 30, "max_minutes": 40}).get_json()
    assert body["curve"][0]["duration_minutes"] == 30 and len(body["curve"]) == 11
    assert "36, 37, 38, 39, 40" in body["warnings"][0]


def test_recommend_a_single_minute(client: FlaskClient) -> None:
    body = client.post("/recommend", json={"mood_before": "tired", "target_mood": "calm",
                                           "min_minutes": 20, "max_minutes": 20}).get_json()
    assert body["recommended_minutes"] == 20 and len(body["curve"]) == 1


def test_model_returns_the_manifest(client: FlaskClient) -> None:
    body = client.get("/model").get_json()
    assert body["trained_at"] == body["created_at"]
    assert {"version", "metrics", "classes", "features"} <= set(body)
    assert body["features"]["mood_before"]["allowed"] == list(MOODS_BEFORE)
