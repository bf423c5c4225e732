"""The benchmark's ceiling: a bare Flask endpoint that parses the JSON and returns a constant."""

from flask import Flask, request

app = Flask(__name__)


@app.post("/predict")
def predict() -> dict:
    """Parse the body as JSON, ignore it, answer a constant."""
    request.get_json()
    return {"status": "ok"}
