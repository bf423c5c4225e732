"""Fixtures of the API tests: an app over the session's trained model, and its client."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app


API_KEY = "test-key-1"


@pytest.fixture()
def app(trained_dir: Path, dataset_path: Path, seeded_url: str) -> Flask:
    """The application, configured like production but on the test model and a seeded store."""
    return create_app({"model_dir": str(trained_dir), "data_path": str(dataset_path),
                       "database_url": seeded_url, "api_keys": (API_KEY, "test-key-2")})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """A test client of the application."""
    return app.test_client()
