"""Headers on every answer: nosniff everywhere, no framing of the page, Vary: Accept on `/`."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize("method, path, headers", [
    ("GET", "/", {}), ("GET", "/", HTML), ("GET", "/health", {}), ("GET", "/nowhere", {}),
    ("POST", "/predict", {}), ("GET", "/predict", {}), ("OPTIONS", "/predict", {}),
    ("GET", "/openapi.json", {}), ("GET", "/sessions?limit=x", {}),
])
def test_nosniff_on_every_answer(client: FlaskClient, method: str, path: str,
                                 headers: dict) -> None:
    response = client.open(path, method=method, headers=headers)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_nosniff_on_static_files(client: FlaskClient) -> None:
    response = client.get("/static/page.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_cannot_be_framed(client: FlaskClient) -> None:
    response = client.get("/", headers=HTML)
    assert response.mimetype == "text/html"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy


@pytest.mark.parametrize("headers", [{}, HTML, {"Accept": "application/json"}])
def test_the_root_varies_by_accept(client: FlaskClient, headers: dict) -> None:
    assert "Accept" in client.get("/", headers=headers).vary


def test_json_answers_do_not_vary_by_accept(client: FlaskClient) -> None:
    assert "Accept" not in client.get("/health").vary
