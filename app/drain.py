"""Graceful stop: on SIGTERM report not-ready and keep answering for a drain period, then stop.

The flag lives in one byte of anonymous shared memory created before Gunicorn forks (the app
is preloaded), so the master sets it and every worker, including one respawned later, sees it.
While it is set /health answers 503 and every answer closes its connection, so clients and
load balancers move away before the workers stop accepting.
"""

from __future__ import annotations

import logging
import mmap
import signal
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)
EXTENSION = "focus_agent_drain"
DRAINING = "draining: the server is shutting down"


class DrainFlag:
    """Whether the server is draining, shared by the Gunicorn master and its workers."""

    def __init__(self) -> None:
        """One byte of memory that forked children share with the parent."""
        self._memory = mmap.mmap(-1, 1)

    def begin(self) -> None:
        """Start draining (irreversible: the server is stopping)."""
        self._memory[0] = 1

    @property
    def active(self) -> bool:
        """True once draining has begun."""
        return self._memory[0] == 1


def install_drain(app: Flask) -> DrainFlag:
    """Give the app a drain flag (/health reports it)."""
    flag = app.extensions[EXTENSION] = DrainFlag()
    return flag


def drain_flag(app: Any) -> DrainFlag | None:
    """The drain flag of a WSGI app built by create_app (None for any other app)."""
    extensions = getattr(app, "extensions", None)
    return extensions.get(EXTENSION) if isinstance(extensions, dict) else None


def drain_on_sigterm(arbiter: Any, flag: DrainFlag, seconds: float) -> None:
    """Make a Gunicorn master drain for `seconds` on SIGTERM before its graceful stop.

    Gunicorn's master queues signals and calls `handle_<name>` from its main loop; SIGTERM
    normally stops at once. Here the first SIGTERM sets the flag and arms SIGALRM; the alarm
    then makes the master stop as SIGTERM always did (stop accepting, let workers finish).
    """
    def handle_term() -> None:
        if flag.active:
            log.info("already draining; the server stops when the drain period ends")
            return
        flag.begin()
        log.info("SIGTERM: draining for %s s (health answers 503, connections close)", seconds)
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))

    def handle_alrm() -> None:
        log.info("drain period over: stop accepting, finish accepted requests")
        raise StopIteration

    signal.signal(signal.SIGALRM, arbiter.signal)
    arbiter.handle_term = handle_term
    arbiter.handle_alrm = handle_alrm
