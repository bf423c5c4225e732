"""Helpers for the operations proofs: bounded load from client threads, slow clients, /proc."""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PREDICT_BODY = json.dumps({"duration_minutes": 20, "mood_before": "stressed"}).encode()
HEADERS = {"Content-Type": "application/json"}


@dataclass
class Outcome:
    """One request of the load: when it was fully sent (None: never), and how it ended."""

    sent: float | None
    status: int | None
    error: str | None
    closed: bool = False  # the answer said "Connection: close"


@dataclass
class Load:
    """Client threads that POST /predict in a loop until stopped or out of time."""

    port: int
    clients: int = 8
    seconds: float = 30.0
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> "Load":
        """Start the clients: even ones keep their connection alive, odd ones reconnect."""
        for number in range(self.clients):
            thread = threading.Thread(target=self._client, args=(number % 2 == 0,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> list[Outcome]:
        """Stop the clients and return every outcome."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        return list(self.outcomes)

    def _client(self, keep_alive: bool) -> None:
        """Send requests one after the other; record each outcome."""
        deadline = time.monotonic() + self.seconds
        connection = None
        while not self._stop.is_set() and time.monotonic() < deadline:
            if connection is None or not keep_alive:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            sent = None
            try:
                connection.request("POST", "/predict", PREDICT_BODY, HEADERS)
                sent = time.monotonic()
                response = connection.getresponse()
                response.read()
                closed = response.getheader("Connection") == "close"
                self.outcomes.append(Outcome(sent, response.status, None, closed))
                if not keep_alive or closed:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                self.outcomes.append(Outcome(sent, None, type(error).__name__))
                connection.close()
                connection = None
                if sent is None:
                    time.sleep(0.05)  # refused: the server is gone, do not spin


class SlowClients:
    """Connections that send nothing, and connections that send headers one byte a second."""

    HEAD = (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"X-Slow: " + b"a" * 500)

    def __init__(self, port: int, silent: int, trickling: int) -> None:
        """Open the silent connections and start the trickling ones."""
        self._stop = threading.Event()
        self.silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(silent)]
        self.trickled = [0] * trickling
        self._threads = [threading.Thread(target=self._trickle, args=(port, index), daemon=True)
                         for index in range(trickling)]
        for thread in self._threads:
            thread.start()

    def _trickle(self, port: int, index: int) -> None:
        """Send the request head one byte a second, never finishing it."""
        with socket.create_connection(("127.0.0.1", port)) as connection:
            for byte in self.HEAD:
                if self._stop.wait(1.0):
                    return
                connection.send(bytes([byte]))
                self.trickled[index] += 1

    def wait_trickling(self, seconds: float = 30) -> None:
        """Wait until every trickling client has sent 2 bytes (the server is reading them)."""
        deadline = time.monotonic() + seconds
        while min(self.trickled, default=2) < 2:
            assert time.monotonic() < deadline, "the trickling clients could not send"
            time.sleep(0.2)

    def holding(self) -> bool:
        """Whether every trickling client is still sending and every silent one connected."""
        return (all(thread.is_alive() for thread in self._threads)
                and all(connection.fileno() != -1 for connection in self.silent))

    def close(self) -> None:
        """Stop trickling and close every connection."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        for connection in self.silent:
            connection.close()


def worker_pids(master: int) -> list[int]:
    """The PIDs of a Gunicorn master's workers."""
    return [int(pid) for pid in
            Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def established_connections(pid: int, port: int) -> int:
    """TCP connections to `port` that process `pid` holds open (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count
