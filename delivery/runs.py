"""Running a build: queue it, wait for it to start, follow its console, wait for its result."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from delivery.errors import DeliveryError
from delivery.jenkins_client import JenkinsClient


@dataclass(frozen=True)
class Waiting:
    """How often to poll Jenkins and for how long at most."""

    poll_s: float = 2.0
    timeout_s: float = 3600.0


def _deadline_check(deadline: float, what: str) -> None:
    """Fail once the deadline has passed."""
    if time.monotonic() > deadline:
        raise DeliveryError(f"gave up waiting for {what}: raise --timeout or check Jenkins")


def started_build(client: JenkinsClient, item: int, waiting: Waiting) -> dict[str, Any]:
    """Wait until queue item `item` has become a build; return its `executable` part."""
    deadline = time.monotonic() + waiting.timeout_s
    while True:
        info = client.queue_item(item)
        if info.get("cancelled"):
            raise DeliveryError(f"queue item {item} was cancelled before it started")
        if info.get("executable"):
            return info["executable"]
        _deadline_check(deadline, f"queue item {item} to start ({info.get('why') or 'queued'})")
        time.sleep(waiting.poll_s)


def follow_console(client: JenkinsClient, job: str, number: int,
                   write: Callable[[str], None], waiting: Waiting) -> None:
    """Stream the build's console to `write` as it grows, until Jenkins says it is complete."""
    deadline = time.monotonic() + waiting.timeout_s
    start = 0
    while True:
        piece = client.console_from(job, number, start)
        if piece.text:
            write(piece.text)
        start = piece.next_start
        if not piece.more:
            return
        _deadline_check(deadline, f"build #{number} to finish")
        time.sleep(waiting.poll_s)


def finished_build(client: JenkinsClient, job: str, number: int,
                   waiting: Waiting) -> dict[str, Any]:
    """Wait until the build has a result; return its JSON description."""
    deadline = time.monotonic() + waiting.timeout_s
    while True:
        info = client.build_info(job, number)
        if not info.get("building") and info.get("result"):
            return info
        _deadline_check(deadline, f"build #{number} to finish")
        time.sleep(waiting.poll_s)


def log_tail(text: str, lines: int) -> str:
    """Return the last `lines` lines of a log."""
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])
