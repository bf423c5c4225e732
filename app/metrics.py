"""Prometheus metrics at GET /metrics, summed across Gunicorn workers.

Under Gunicorn, PROMETHEUS_MULTIPROC_DIR is set (gunicorn.conf.py) before prometheus_client is
first imported, so every worker writes its counters and histograms to its own files there and
a scrape answered by any worker adds them all up. Without it (tests, `flask run`) the
metrics live in the process. What the served model is, and the journal's live accuracy, are
read when scraped, so they follow a model swap with no bookkeeping.
"""

from __future__ import annotations

import logging
import os
from typing import Callable, Iterator, Mapping

from flask import Blueprint, Flask, Response, current_app
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge,
                               Histogram, generate_latest)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from app.logs import Answered, request_middleware
from app.state import agent_state

log = logging.getLogger(__name__)
EXTENSION = "focus_agent_metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                   5.0, 10.0)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
LiveAccuracy = Callable[[], "float | None"]

metrics_blueprint = Blueprint("metrics", __name__)


def multiprocess_dir() -> str | None:
    """The shared metrics directory when running under Gunicorn, else None."""
    return os.environ.get(MULTIPROC_ENV) or None


class ServedModelCollector:
    """Scrape-time gauges: whether a model serves, its version and test accuracy, live accuracy."""

    def __init__(self, app: Flask) -> None:
        """Read the given app's state at each scrape."""
        self.app = app
        self.live_accuracy: LiveAccuracy | None = None

    def collect(self) -> Iterator[Metric]:
        """The gauges, computed now."""
        with self.app.app_context():
            model = agent_state().model
        yield GaugeMetricFamily("focus_model_loaded", "1 while a model is serving, else 0.",
                                value=1 if model else 0)
        info = GaugeMetricFamily("focus_model_info", "The served model (value 1), by version.",
                                 labels=["version"])
        accuracy = GaugeMetricFamily("focus_model_test_accuracy",
                                     "Accuracy of the served model on its held-out test split.",
                                     labels=["version"])
        if model is not None:
            info.add_metric([model.version], 1)
            accuracy.add_metric([model.version], model.loaded.manifest["metrics"]["accuracy"])
        yield info
        yield accuracy
        live = self._live_accuracy()
        if live is not None:
            yield GaugeMetricFamily("focus_live_accuracy",
                                    "Accuracy of served predictions against the moods people "
                                    "later reported (the sessions journal).", value=live)

    def _live_accuracy(self) -> float | None:
        """The registered live-accuracy source's value; None when absent or failing."""
        if self.live_accuracy is None:
            return None
        try:
            return self.live_accuracy()
        except Exception:  # a broken source must not break the scrape
            log.exception("live accuracy source failed; focus_live_accuracy left out")
            return None


class Metrics:
    """The application's metrics and where they are kept."""

    def __init__(self, app: Flask) -> None:
        """Create the metrics in a registry of the app's own."""
        self.registry = CollectorRegistry()
        self.served = ServedModelCollector(app)
        self.registry.register(self.served)
        self.requests = Counter("focus_http_requests", "HTTP requests answered, by route "
                                "template, method and status.", ["route", "method", "status"],
                                registry=self.registry)
        self.latency = Histogram("focus_http_request_duration_seconds", "Time from the request "
                                 "reaching the app to its answer, by route template and method.",
                                 ["route", "method"], buckets=LATENCY_BUCKETS,
                                 registry=self.registry)
        self.predictions = Counter("focus_predictions", "Predictions served, by predicted mood.",
                                   ["mood"], registry=self.registry)
        self.batch_size = Histogram("focus_predict_batch_size", "Instances per batch /predict "
                                    "request.", buckets=BATCH_BUCKETS, registry=self.registry)
        self.workers = Gauge("focus_workers", "Gunicorn workers alive (each counts itself).",
                             multiprocess_mode="livesum", registry=self.registry)
        self._children: dict[tuple, tuple] = {}
        self._moods: dict[str, Counter] = {}

    def observe_request(self, answered: Answered) -> None:
        """Count one answered request by route template, method and status, and its latency."""
        method = answered.method if answered.method in METHODS else "OTHER"
        key = (answered.route, method, answered.status)
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(answered.route, method, str(answered.status)),
                        self.latency.labels(answered.route, method))
            self._children[key] = children
        children[0].inc()
        children[1].observe(answered.seconds)

    def observe_predictions(self, counts: Mapping[str, int], batch_size: int | None) -> None:
        """Count predictions by predicted mood, and a batch's size."""
        for mood, count in counts.items():
            child = self._moods.get(mood)
            if child is None:
                child = self._moods[mood] = self.predictions.labels(mood)
            child.inc(count)
        if batch_size is not None:
            self.batch_size.observe(batch_size)

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format, summed over workers when under Gunicorn."""
        if not multiprocess_dir():
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        registry.register(self.served)
        return generate_latest(registry)


def metrics_of(app: object) -> Metrics | None:
    """The metrics of an app built by create_app (None when off, or for any other app)."""
    extensions = getattr(app, "extensions", None)
    return extensions.get(EXTENSION) if isinstance(extensions, dict) else None


@metrics_blueprint.get("/metrics")
def metrics_endpoint() -> Response:
    """The metrics, for Prometheus to scrape."""
    return Response(current_app.extensions[EXTENSION].exposition(),
                    content_type=CONTENT_TYPE_LATEST)


def install_metrics(app: Flask) -> Metrics:
    """Measure every request and serve GET /metrics."""
    metrics = app.extensions[EXTENSION] = Metrics(app)
    request_middleware(app).observers.append(metrics.observe_request)
    app.register_blueprint(metrics_blueprint)
    return metrics


def observe_predictions(app: object, counts: Mapping[str, int],
                        batch_size: int | None = None) -> None:
    """Count predictions by predicted mood (and a batch's size); nothing when metrics are off."""
    metrics = metrics_of(app)
    if metrics is not None:
        metrics.observe_predictions(counts, batch_size)


def export_live_accuracy(app: Flask, source: LiveAccuracy) -> None:
    """Export `source()` as focus_live_accuracy at each scrape (None leaves it out).

    The sessions journal calls this once at start-up with a function that computes the live
    accuracy from the database, which every worker shares.
    """
    metrics = metrics_of(app)
    if metrics is not None:
        metrics.served.live_accuracy = source


def worker_started(app: object) -> None:
    """A Gunicorn worker is up: count it in focus_workers (post_worker_init)."""
    metrics = metrics_of(app)
    if metrics is not None:
        metrics.workers.set(1)


def worker_gone(pid: int) -> None:
    """A Gunicorn worker exited, however it died: drop its live gauges (child_exit)."""
    if multiprocess_dir():
        mark_process_dead(pid)
