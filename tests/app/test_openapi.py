"""The OpenAPI document: valid 3.1, and it lists every route the app serves."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate


def test_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_route_is_documented_with_its_methods(app: Flask, client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)  # Flask's <int:id> is {id}
        served.setdefault(path, set()).update(m.lower() for m in rule.methods
                                              - {"HEAD", "OPTIONS"})
    assert {path: set(methods) for path, methods in paths.items()} == served


def test_request_schemas_are_the_validating_ones(client: FlaskClient) -> None:
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    minutes = schemas["PredictRequest"]["properties"]["duration_minutes"]
    assert (minutes["type"], minutes["minimum"], minutes["maximum"]) == ("integer", 5, 60)
    assert schemas["PredictRequest"]["additionalProperties"] is False
    assert set(schemas["PredictRequest"]["properties"]["mood_before"]["enum"]) == {
        "stressed", "neutral", "anxious", "tired"}


def _refs(node: object) -> list[str]:
    """Every $ref in a JSON document."""
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_every_reference_resolves_and_bodies_are_described(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    components = document["components"]["schemas"]
    for ref in _refs(document):
        assert ref.removeprefix("#/components/schemas/") in components, ref
    predict = document["paths"]["/predict"]["post"]["requestBody"]
    options = predict["content"]["application/json"]["schema"]["oneOf"]
    assert [option["$ref"].rsplit("/", 1)[1] for option in options] == [
        "PredictRequest", "BatchPredictRequest"]


def test_the_schema_says_fractions_are_refused(client: FlaskClient) -> None:
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    minutes = schemas["PredictRequest"]["properties"]["duration_minutes"]
    assert "51.0" in minutes["description"] and "refused" in minutes["description"]
    assert minutes["x-integer-literal-only"] is True
    response = client.post("/predict", json={"duration_minutes": 51.0, "mood_before": "tired"})
    assert response.status_code == 400


def test_session_query_bounds_are_documented(client: FlaskClient) -> None:
    parameters = client.get("/openapi.json").get_json()["paths"]["/sessions"]["get"]["parameters"]
    offset = next(parameter for parameter in parameters if parameter["name"] == "offset")
    assert offset["schema"]["maximum"] == 10 ** 18 - 1
    assert client.get(f"/sessions?offset={10 ** 18 - 1}").status_code == 200
    assert client.get(f"/sessions?offset={10 ** 18}").status_code == 400
