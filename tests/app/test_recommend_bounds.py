"""/recommend's bounds: one bound alone is never an empty range (issue 10, part 4)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.api import search_range


@pytest.mark.parametrize("bounds, searched", [
    ({"max_minutes": 6}, (5, 6)),
    ({"max_minutes": 10}, (10, 10)),
    ({"max_minutes": 20}, (10, 20)),
    ({"min_minutes": 40}, (40, 60)),
    ({"min_minutes": 35}, (35, 35)),
    ({"min_minutes": 12}, (12, 35)),
    ({}, (10, 35)),
    ({"min_minutes": 7, "max_minutes": 50}, (7, 50)),
])
def test_a_missing_bound_defaults_to_a_non_empty_range(client: FlaskClient, bounds: dict,
                                                       searched: tuple[int, int]) -> None:
    response = client.post("/recommend", json={"mood_before": "tired", "target_mood": "calm",
                                               **bounds})
    assert response.status_code == 200, response.get_json()
    curve = response.get_json()["curve"]
    assert (curve[0]["duration_minutes"], curve[-1]["duration_minutes"]) == searched


def test_search_range_keeps_the_trained_range_when_it_can() -> None:
    assert search_range(None, None, (10, 35)) == (10, 35)
    assert search_range(None, 8, (10, 35)) == (5, 8)
    assert search_range(36, None, (10, 35)) == (36, 60)


def test_crossed_bounds_are_still_refused(client: FlaskClient) -> None:
    response = client.post("/recommend", json={"mood_before": "tired", "target_mood": "calm",
                                               "min_minutes": 30, "max_minutes": 20})
    assert response.status_code == 400 and response.get_json()["code"] == "BAD_REQUEST"


def test_the_schema_describes_the_defaults(client: FlaskClient) -> None:
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    bounds = schemas["RecommendRequest"]["properties"]
    assert "or 5 when max_minutes alone is below it" in bounds["min_minutes"]["description"]
    assert "or 60 when min_minutes alone is above it" in bounds["max_minutes"]["description"]
