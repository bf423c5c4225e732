"""Hostile request edges: non-ASCII numbers, foreign charsets, huge error lists, OPTIONS."""

from __future__ import annotations

import orjson
import pytest
from flask.testing import FlaskClient

from tests.app.test_errors import assert_error

SESSION = {"duration_minutes": 20, "mood_before": "tired"}


@pytest.mark.parametrize("digits", ["%C2%B2", "%D9%A3", "%EF%BC%93", "%E0%A5%A8", "3%0A",
                                    "+3", "%203", "1_0", "9" * 19, "9" * 5000])
@pytest.mark.parametrize("name", ["limit", "offset"])
def test_query_numbers_are_ascii_digits_only(client: FlaskClient, name: str,
                                             digits: str) -> None:
    body = assert_error(client.get(f"/sessions?{name}={digits}"), 400, "invalid query")
    assert body["details"][0]["field"] == name and "ASCII digits" in body["details"][0]["problem"]
    assert len(body["details"][0]["problem"]) < 200


def test_ascii_query_numbers_still_work(client: FlaskClient) -> None:
    response = client.get("/sessions?limit=3&offset=0010")
    assert response.status_code == 200 and len(response.get_json()) == 3


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "ISO-8859-1", "x" * 500])
def test_a_charset_other_than_utf8_is_415(client: FlaskClient, charset: str) -> None:
    response = client.post("/predict", data=orjson.dumps(SESSION),
                           headers={"Content-Type": f"application/json; charset={charset}"})
    body = assert_error(response, 415, "UTF-8")
    assert len(body["error"]) < 200


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8"])
def test_utf8_charset_is_accepted(client: FlaskClient, charset: str) -> None:
    response = client.post("/predict", data=orjson.dumps(SESSION),
                           headers={"Content-Type": f"application/json; charset={charset}"})
    assert response.status_code == 200


def test_error_details_are_capped_and_counted(client: FlaskClient) -> None:
    body = {f"unknown_{number}": 0 for number in range(50_000)}
    response = client.post("/predict", json=body)
    answer = assert_error(response, 400, "50002 problems")
    assert len(answer["details"]) == 21
    assert answer["details"][-1] == {"field": "body", "problem": "and 49982 more problems"}
    assert len(response.data) < 4000


def test_a_batch_of_bad_instances_is_capped(client: FlaskClient) -> None:
    instances = [{"duration_minutes": "x", "mood_before": "nope"}] * 1000
    answer = assert_error(client.post("/predict", json={"instances": instances}), 400,
                          "2000 problems")
    assert answer["details"][-1]["problem"] == "and 1980 more problems"


def test_echoed_values_are_clipped(client: FlaskClient) -> None:
    huge = "s" * 100_000
    response = client.post("/predict", json={"duration_minutes": 20, "mood_before": huge,
                                             "k" * 100_000: 1})
    answer = assert_error(response, 400)
    assert len(response.data) < 2000 and "(100002 characters)" in answer["details"][0]["problem"]


@pytest.mark.parametrize("path, allowed", [
    ("/predict", "OPTIONS, POST"), ("/health", "GET, HEAD, OPTIONS"),
    ("/", "GET, HEAD, OPTIONS")])
def test_options_is_204_with_allow_and_no_body(client: FlaskClient, path: str,
                                               allowed: str) -> None:
    response = client.options(path)
    assert response.status_code == 204 and response.headers["Allow"] == allowed
    assert response.data == b"" and "Content-Type" not in response.headers


def test_options_on_an_unknown_url_is_404_json(client: FlaskClient) -> None:
    assert_error(client.options("/nowhere"), 404)
