"""Smoke test of a built image: run it, wait for healthy, check /health and /predict, remove it."""
from __future__ import annotations

import json
import math
import time
import traceback
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors

from delivery.errors import DeliveryError

PORT = "5000/tcp"
MOODS = {"calm", "relaxed", "focused", "energized"}
SAMPLE = {"duration_minutes": 20, "mood_before": "stressed"}


@dataclass(frozen=True)
class SmokeResult:
    """What the smoke test saw: the health answer and the prediction for the sample."""

    health: dict[str, Any]
    prediction: dict[str, Any]


def _detail(exc: BaseException) -> str:
    """Return the exception chain as text, for --verbose."""
    return "".join(traceback.format_exception(exc)).rstrip()


def _request(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """Send one JSON request to the container and return (status, decoded body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json",
                                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        return 0, str(exc)


def _health_state(container: Any) -> str:
    """Return the container's HEALTHCHECK status ('none' without one), or 'exited'."""
    container.reload()
    state = container.attrs["State"]
    if not state.get("Running"):
        return "exited"
    return (state.get("Health") or {}).get("Status", "none")


def _host_port(container: Any) -> int:
    """Return the 127.0.0.1 port published for the container's port 5000."""
    container.reload()
    bindings = container.attrs["NetworkSettings"]["Ports"].get(PORT) or []
    if not bindings:
        if not container.attrs["State"].get("Running"):
            raise DeliveryError("the container is exited instead of healthy")
        raise DeliveryError("the container publishes no port for 5000/tcp")
    return int(bindings[0]["HostPort"])


def wait_ready(container: Any, base: str, timeout_s: float) -> None:
    """Wait for HEALTHCHECK 'healthy' (or, without one, a 200 from /health)."""
    deadline = time.monotonic() + timeout_s
    while True:
        state = _health_state(container)
        if state == "healthy" or (state == "none" and _request(base + "/health")[0] == 200):
            return
        if state in ("exited", "unhealthy"):
            raise DeliveryError(f"the container is {state} instead of healthy")
        if time.monotonic() > deadline:
            raise DeliveryError(f"the container was not healthy after {timeout_s:.0f} s "
                                f"(health: {state})")
        time.sleep(0.5)


def check_prediction(body: Any) -> None:
    """Fail unless the /predict answer is a mood with probabilities over all moods."""
    if not isinstance(body, dict) or body.get("mood_after") not in MOODS:
        raise DeliveryError(f"/predict answered {body!r}: expected one of {sorted(MOODS)}")
    probabilities = body.get("probabilities") or {}
    if set(probabilities) != MOODS or not math.isclose(sum(probabilities.values()), 1.0,
                                                       abs_tol=1e-6):
        raise DeliveryError(f"/predict probabilities {probabilities!r} are not a distribution "
                            "over the four moods")


def probe(base: str) -> SmokeResult:
    """Check GET /health and POST /predict on a running container."""
    status, health = _request(base + "/health")
    if status != 200 or not isinstance(health, dict) or health.get("status") != "healthy":
        raise DeliveryError(f"/health answered {status} {health!r}: expected 200 healthy")
    status, prediction = _request(base + "/predict", SAMPLE)
    if status != 200:
        raise DeliveryError(f"/predict answered {status} {prediction!r}: expected 200")
    check_prediction(prediction)
    return SmokeResult(health, prediction)


def _logs(container: Any, lines: int = 30) -> str:
    """Return the last lines of the container's log."""
    try:
        return container.logs(tail=lines).decode("utf-8", "replace").rstrip()
    except docker.errors.DockerException:
        return ""


def run(client: docker.DockerClient, image: str, timeout_s: float = 120.0) -> SmokeResult:
    """Run `image`, wait for it to be healthy, probe it; always stop and remove it.

    The image must be local: a missing one is an error, never a pull from a registry.
    """
    try:
        client.images.get(image)
        container = client.containers.create(
            image, detach=True, name=f"focus-smoke-{uuid.uuid4().hex[:12]}",
            ports={PORT: ("127.0.0.1", None)})
    except docker.errors.ImageNotFound as exc:
        raise DeliveryError(f"no image {image}: build it first with `focus-delivery image "
                            "build`", _detail(exc)) from exc
    except docker.errors.DockerException as exc:
        raise DeliveryError(f"cannot create a container of {image}: {exc}",
                            _detail(exc)) from exc
    try:
        return _start_and_probe(container, timeout_s)
    except DeliveryError as exc:
        raise DeliveryError(f"smoke test of {image} failed: {exc.message}", exc.detail,
                            log_tail=_logs(container)) from exc
    finally:
        container.remove(force=True)


def _start_and_probe(container: Any, timeout_s: float) -> SmokeResult:
    """Start the container, wait until it is ready, and probe its API."""
    try:
        container.start()
    except docker.errors.DockerException as exc:
        raise DeliveryError(f"the container did not start: {exc}", _detail(exc)) from exc
    base = f"http://127.0.0.1:{_host_port(container)}"
    wait_ready(container, base, timeout_s)
    return probe(base)
