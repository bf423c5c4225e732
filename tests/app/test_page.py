"""The page as the server renders it, before any script runs (the browser tests drive the rest)."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

from app import create_app

HTML = {"Accept": "text/html"}


def page_text(client: FlaskClient) -> str:
    """The page's HTML with runs of whitespace folded, as a reader would see the words."""
    response = client.get("/", headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_page_states_the_trained_range_from_the_served_model(client: FlaskClient) -> None:
    html = page_text(client)
    assert "Best between 10 and 35, the lengths the model learned from." in html
    assert 'data-trained-low="10" data-trained-high="35"' in html
    assert 'min="5" max="60"' in html


def test_the_page_loads_nothing_from_elsewhere(client: FlaskClient) -> None:
    html = page_text(client)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert '<link rel="icon" href="/static/favicon.svg"' in html
    assert client.get("/static/favicon.svg").status_code == 200


def test_without_a_model_the_page_states_only_the_contract(tmp_path: Path,
                                                           dataset_path: Path) -> None:
    app = create_app({"model_dir": str(tmp_path), "data_path": str(dataset_path)})
    html = page_text(app.test_client())
    assert "From 5 to 60." in html and "data-trained-low" not in html
