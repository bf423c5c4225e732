"""Gunicorn settings for the Focus Meditation Agent, all overridable from the environment.

Worker model (docs/operations.md, measured in docs/benchmarks.md): gthread, 16 threads and
keep-alive, because the service is exposed without a buffering proxy: a sync worker is held by
one client that never finishes its request, while gthread waits for a request's first bytes in
its poller. On SIGTERM the server drains first (app/drain.py). Metrics from every worker are
summed through files in PROMETHEUS_MULTIPROC_DIR (app/metrics.py).
"""

import os
import shutil
import tempfile

from gunicorn.glogging import Logger

# prometheus_client chooses its multiprocess mode when first imported, which happens when the
# app is preloaded below: the directory must be known before. An explicit one is used as given
# (the image: a tmpfs); otherwise each server gets a private one, removed when it exits.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="focus-metrics-", dir=shm)
    _PRIVATE_METRICS_DIR = True
else:
    _PRIVATE_METRICS_DIR = False
METRICS_DIR = os.environ["PROMETHEUS_MULTIPROC_DIR"]
os.makedirs(METRICS_DIR, exist_ok=True)  # the preloaded app writes there (a fresh tmpfs: none)

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# WORKER_CLASS=sync is kept for comparison (make bench); gthread is the served model, as
# Gunicorn's gthread worker that keeps serving a busy keep-alive connection (app/worker.py).
WORKER_CLASSES = {"gthread": "app.worker.LingeringThreadWorker", "sync": "sync"}
_chosen = os.environ.get("WORKER_CLASS", "gthread")
if _chosen not in WORKER_CLASSES:
    raise SystemExit(f"WORKER_CLASS must be one of {', '.join(WORKER_CLASSES)}, got {_chosen!r}")
worker_class = WORKER_CLASSES[_chosen]
# (Gunicorn would silently turn sync into gthread with more than one thread.)
threads = int(os.environ.get("GUNICORN_THREADS", "16")) if worker_class != "sync" else 1
keepalive = int(os.environ.get("KEEPALIVE_SECONDS", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
DRAIN_SECONDS = float(os.environ.get("DRAIN_SECONDS", "5"))
preload_app = True  # the model is loaded once, before forking: workers share its memory
accesslog = os.environ.get("ACCESS_LOG") or None  # the app logs each request itself
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


class AppLogger(Logger):
    """Gunicorn's logger, with its access log only when ACCESS_LOG names a destination.

    (Gunicorn turns the access log on whenever logconfig_dict is given, and formats every
    request's fields before the level check: the app's own request log replaces it.)
    """

    @property
    def access_log_enabled(self) -> bool:
        """Whether Gunicorn writes access lines."""
        return bool(self.cfg.accesslog)


logger_class = AppLogger
# Gunicorn's own messages go to stdout in the app's format (LOG_FORMAT=json|text).
logconfig_dict = {
    "root": {"level": loglevel.upper(), "handlers": ["stdout"]},
    "loggers": {"gunicorn.error": {"level": loglevel.upper(), "handlers": [],
                                   "propagate": True},
                "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True}},
    "handlers": {"stdout": {"class": "app.logs.StdoutHandler", "stream": "ext://sys.stdout",
                            "formatter": os.environ.get("LOG_FORMAT", "json").lower()}},
    "formatters": {"json": {"()": "app.logs.JsonFormatter"},
                   "text": {"()": "app.logs.TextFormatter"}},
}
# Runs in a read-only container: the heartbeat file lives in memory, no control socket.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
control_socket_disable = True


def on_starting(server):
    """Empty the metrics directory: counts from an earlier run must not be added to ours."""
    for entry in os.scandir(METRICS_DIR):
        if entry.is_file() and entry.name.endswith(".db"):
            os.unlink(entry.path)


def when_ready(server):
    """Drain on SIGTERM before stopping (the preloaded app holds the flag workers share)."""
    from app.drain import drain_flag, drain_on_sigterm

    flag = drain_flag(server.app.wsgi())
    if flag is not None:
        drain_on_sigterm(server, flag, DRAIN_SECONDS)


_drain = None  # this worker's drain flag, found once in post_worker_init


def pre_request(worker, req):
    """While draining, every answer closes its connection, so clients reconnect elsewhere."""
    if _drain is not None and _drain.active:
        req.force_close()


def post_worker_init(worker):
    """Count the worker in focus_workers; answer Gunicorn's own refusals as JSON; find the
    drain flag pre_request reads (once, not on every request)."""
    from app.drain import drain_flag
    from app.gunicorn_errors import post_worker_init as answer_refusals_as_json
    from app.metrics import worker_started

    global _drain
    answer_refusals_as_json(worker)
    worker_started(worker.wsgi)
    _drain = drain_flag(worker.wsgi)


def child_exit(server, worker):
    """A worker is gone (even by kill -9): drop its live gauges from the metrics."""
    from app.metrics import worker_gone

    worker_gone(worker.pid)


def on_exit(server):
    """Remove the metrics directory this server made for itself."""
    if _PRIVATE_METRICS_DIR:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)
