"""Smoke test of a built image: run it plain and read-only, wait for healthy, probe, remove it."""
from __future__ import annotations

import errno
import json
import math
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors

from delivery.errors import DeliveryError, traceback_text

PORT = "5000/tcp"
LABEL = "focus-delivery.smoke"
MOODS = {"calm", "relaxed", "focused", "energized"}
SAMPLE = {"duration_minutes": 20, "mood_before": "stressed"}
SESSION = {"duration_minutes": 20, "mood_before": "stressed", "mood_after": "calm"}
SMOKE_KEY = "smoke-test-key"  # the API key the smoke containers accept, for one write
JOURNAL_DIR = "/app/instance"  # where the image keeps its SQLite journal (a volume in prod)
VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {"environment": {"API_KEYS": SMOKE_KEY}},
    "read-only": {"read_only": True, "tmpfs": {"/tmp": ""},
                  "environment": {"API_KEYS": SMOKE_KEY}},
}
# Exits with the errno of a failed write to the user's home (EROFS on a read-only root).
WRITE_PROBE = ("import pathlib\ntry:\n    pathlib.Path.home().joinpath('.write-probe').touch()\n"
               "except OSError as exc:\n    raise SystemExit(exc.errno)\n")


@dataclass(frozen=True)
class SmokeResult:
    """What the smoke test saw: the health answer, the sample's prediction, the server's uid."""

    health: dict[str, Any]
    prediction: dict[str, Any]
    uid: int = -1


def _fetch(url: str, body: dict[str, Any] | None = None, accept: str = "application/json",
           headers: dict[str, str] | None = None) -> tuple[int, str]:
    """Send one request to the container and return (status, body text); 0 when none answers."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json",
                                                              "Accept": accept, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except OSError as exc:
        return 0, str(exc)


def _request(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """Send one JSON request and return (status, decoded body, or its text if not JSON)."""
    status, text = _fetch(url, body)
    try:
        return status, json.loads(text or "null")
    except ValueError:
        return status, text


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


def check_page_and_data(base: str) -> None:
    """Fail unless GET / serves the HTML page and /stats answers from the bundled dataset."""
    status, page = _fetch(base + "/", accept="text/html")
    if status != 200 or "<html" not in page.lower():
        raise DeliveryError(f"GET / with Accept: text/html answered {status}, not a page: "
                            "are the templates in the image?")
    status, _ = _fetch(base + "/stats")
    if status != 200:
        raise DeliveryError(f"GET /stats answered {status}: is the dataset in the image?")


def check_journal(base: str) -> None:
    """Fail unless a session POSTed with the smoke key is stored and read back the same."""
    status, text = _fetch(base + "/sessions", SESSION,
                          headers={"Authorization": f"Bearer {SMOKE_KEY}"})
    if status != 201:
        raise DeliveryError(f"POST /sessions answered {status} {text[:300]}: expected 201 (is"
                            f" {JOURNAL_DIR} writable?)")
    written = json.loads(text)
    status, stored = _request(f"{base}/sessions/{written['id']}")
    if status != 200 or stored != written:
        raise DeliveryError(f"GET /sessions/{written['id']} answered {status} {stored!r}:"
                            f" expected the session just written, {written!r}")


def check_user(user: str) -> None:
    """Fail unless the image's USER is a numeric id other than 0 (runAsNonRoot can verify it)."""
    uid = user.partition(":")[0]
    if not uid.isdigit() or int(uid) == 0:
        raise DeliveryError(f"the image's USER is {user!r}, not a numeric non-root id")


def server_uid(container: Any) -> int:
    """Return the real uid of the container's PID 1; fail when it is root."""
    code, output = container.exec_run(["cat", "/proc/1/status"])
    lines = [line.split() for line in output.decode("utf-8", "replace").splitlines()]
    uids = [int(fields[1]) for fields in lines if fields[:1] == ["Uid:"]]
    if code != 0 or not uids:
        raise DeliveryError(f"cannot read the server's uid: {output.decode(errors='replace')}")
    if uids[0] == 0:
        raise DeliveryError("the server runs as root (uid 0)")
    return uids[0]


def check_read_only(container: Any) -> None:
    """Fail unless the root file system is read-only: a write to the user's home gets EROFS."""
    container.reload()
    if not container.attrs["HostConfig"].get("ReadonlyRootfs"):
        raise DeliveryError("the read-only container has a writable root file system")
    code, output = container.exec_run(["python3", "-c", WRITE_PROBE])
    if code != errno.EROFS:
        raise DeliveryError(f"a write to the home directory ended with {code}, not EROFS "
                            f"({errno.EROFS}): {output.decode(errors='replace').strip()}")


def _logs(container: Any, lines: int = 30) -> str:
    """Return the last lines of the container's log."""
    try:
        return container.logs(tail=lines).decode("utf-8", "replace").rstrip()
    except docker.errors.DockerException:
        return ""


def run(client: docker.DockerClient, image: str, timeout_s: float = 120.0) -> SmokeResult:
    """Run `image` plain and --read-only --tmpfs /tmp (the journal on a volume), probe both,
    write a session to each and read it back; always remove them and the volume.

    The image must be local: a missing one is an error, never a pull from a registry.
    """
    try:
        user = client.images.get(image).attrs["Config"].get("User") or ""
    except docker.errors.ImageNotFound as exc:
        raise DeliveryError(f"no image {image}: build it first with `focus-delivery image "
                            "build`", traceback_text(exc)) from exc
    containers: dict[str, Any] = {}
    volume = client.volumes.create(f"focus-smoke-{uuid.uuid4().hex[:12]}", labels={LABEL: image})
    try:
        for name, options in VARIANTS.items():
            if options.get("read_only"):  # the journal on a volume, the root read-only
                options = {**options, "volumes": {volume.name: {"bind": JOURNAL_DIR,
                                                                "mode": "rw"}}}
            containers[name] = _create(client, image, options)
        return _start_and_probe(containers, user, timeout_s)
    except DeliveryError as exc:
        raise DeliveryError(f"smoke test of {image} failed: {exc.message}", exc.detail,
                            log_tail=exc.log_tail) from exc
    finally:
        for container in containers.values():
            container.remove(force=True)
        volume.remove(force=True)


def _create(client: docker.DockerClient, image: str, options: dict[str, Any]) -> Any:
    """Create a labelled container of `image`, port 5000 published on 127.0.0.1 only."""
    try:
        return client.containers.create(
            image, detach=True, name=f"focus-smoke-{uuid.uuid4().hex[:12]}",
            labels={LABEL: image}, ports={PORT: ("127.0.0.1", None)}, **options)
    except docker.errors.DockerException as exc:
        raise DeliveryError(f"cannot create a container of {image}: {exc}",
                            traceback_text(exc)) from exc


def _start_and_probe(containers: dict[str, Any], user: str, timeout_s: float) -> SmokeResult:
    """Start the containers together, wait until each is ready, probe each, then the extras."""
    bases, results = {}, []
    for name, container in containers.items():
        try:
            container.start()
        except docker.errors.DockerException as exc:
            raise DeliveryError(f"the {name} container did not start: {exc}",
                                traceback_text(exc)) from exc
    for name, container in containers.items():
        try:
            bases[name] = f"http://127.0.0.1:{_host_port(container)}"
            wait_ready(container, bases[name], timeout_s)
            results.append(probe(bases[name]))
            check_journal(bases[name])
        except DeliveryError as exc:
            raise DeliveryError(f"{exc.message} ({name} run)", exc.detail,
                                log_tail=_logs(container)) from exc
    check_page_and_data(bases["plain"])
    check_user(user)
    uid = server_uid(containers["plain"])
    check_read_only(containers["read-only"])
    return SmokeResult(results[0].health, results[0].prediction, uid)
