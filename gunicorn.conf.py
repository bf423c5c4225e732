"""Gunicorn settings for the Focus Meditation Agent, all overridable from the environment."""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
preload_app = True  # the model is loaded once, before forking: workers share its memory
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # "-": stdout; ACCESS_LOG= turns it off
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Runs in a read-only container: the heartbeat file lives in memory, no control socket.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
control_socket_disable = True
from app.gunicorn_errors import post_worker_init  # noqa: E402,F401 (its own refusals as JSON)
