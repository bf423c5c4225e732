"""The served Gunicorn worker: gthread, keeping a busy keep-alive connection on its thread.

Gunicorn's gthread worker hands every kept-alive connection back to its poller after each
answer; the next request then costs a round trip through the main thread (poller wake-up,
thread-pool hand-off, a pipe write back, two epoll changes). A client that sends its next
request at once (a script, a load balancer's pooled connection) pays that on every request.
Here the thread that answered waits a moment (LINGER_SECONDS) for the connection's next
request and serves it itself; a connection that stays quiet goes back to the poller as before,
so idle and slow clients still hold no thread. It lingers only while threads are free, so a
lingering thread never keeps a waiting connection from being served.
"""

from __future__ import annotations

import select
import threading

from gunicorn.workers.gthread import ThreadWorker

LINGER_SECONDS = 0.002  # far longer than a pipelining client's turn-around on loopback or LAN


class LingeringThreadWorker(ThreadWorker):
    """gthread that serves a connection's back-to-back requests on the thread that has it."""

    def init_process(self) -> None:
        """Count the threads busy with a connection (to linger only while one is free)."""
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._threads = self.cfg.threads
        super().init_process()

    def handle(self, conn):  # Gunicorn's signature: TConn in, keep-alive (or defer) out
        """Serve the connection's request, then its next ones while they follow at once (and
        another thread stays free for other connections)."""
        with self._busy_lock:
            self._busy += 1
        try:
            keep = super().handle(conn)
            while (keep is True and self.alive and not conn.is_http2
                   and self._busy < self._threads and _readable(conn)):
                conn.data_ready = True
                keep = super().handle(conn)
            return keep
        finally:
            with self._busy_lock:
                self._busy -= 1


def _readable(conn) -> bool:
    """Whether the connection's next request arrives within LINGER_SECONDS."""
    if conn.parser is not None and conn.parser.unreader.buf.getvalue():
        return True  # already read ahead (a pipelined request)
    poller = select.poll()  # one system call, no descriptor of its own (unlike epoll)
    try:
        poller.register(conn.sock, select.POLLIN)
        return bool(poller.poll(LINGER_SECONDS * 1000))
    except (OSError, ValueError):
        return False
