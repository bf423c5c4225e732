"""Gunicorn's gthread worker, changed in one respect: it stops without resetting queued clients.

When a gthread worker is told to stop it closes its listening socket at once; connections the
kernel had already completed but no worker had accepted yet are then reset, although their
clients may have sent a request before the drain ended. This worker first accepts everything
already queued, serves it like any accepted connection, and only then stops.
"""

from __future__ import annotations

import select
from typing import Any

from gunicorn.workers.gthread import ThreadWorker


class DrainingThreadWorker(ThreadWorker):
    """gthread that accepts the connections already queued before it stops accepting."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        """SIGTERM: finish accepting from the backlog on the main loop, then stop."""
        if self.alive:
            self.method_queue.defer(self._accept_queued_then_stop)

    def _accept_queued_then_stop(self) -> None:
        """Accept until no listener has a connection waiting, then begin the usual stop.

        At most a full backlog per listener: clients that keep arriving meanwhile came after
        the drain ended and must not keep the worker from stopping.
        """
        for listener in self.sockets:
            listener.setblocking(False)
            for _ in range(self.cfg.backlog):
                if not select.select([listener], [], [], 0)[0]:
                    break
                self.accept(listener)
        self.alive = False
