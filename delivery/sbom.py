"""CycloneDX SBOM of an image's Python environment, listed by the image's own interpreter."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import docker
import docker.errors

from delivery.errors import DeliveryError

# Prints name==version of every distribution in the image's environment, as a requirements file.
LIST_PACKAGES = """import importlib.metadata as m
names = {(d.metadata["Name"], d.version) for d in m.distributions()}
print("\\n".join(f"{n}=={v}" for n, v in sorted(names, key=lambda p: p[0].lower())))"""


def packages(client: docker.DockerClient, image: str) -> str:
    """Return the image's Python packages as requirements lines (no network, read-only)."""
    try:
        output = client.containers.run(image, ["-c", LIST_PACKAGES], entrypoint="python",
                                       network_mode="none", read_only=True, remove=True)
    except docker.errors.ImageNotFound as exc:
        raise DeliveryError(f"no image {image}: build it first with `focus-delivery image "
                            "build`") from exc
    except docker.errors.DockerException as exc:
        raise DeliveryError(f"could not list the Python packages of {image}: {exc}") from exc
    return output.decode("utf-8")


def write(requirements: str, out: Path) -> None:
    """Write the CycloneDX JSON SBOM of pinned requirements to `out` with cyclonedx-py."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as listing:
        listing.write(requirements)
        listing.flush()
        done = subprocess.run([sys.executable, "-m", "cyclonedx_py", "requirements",
                               listing.name, "--of", "JSON", "-o", str(out)],
                              capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise DeliveryError(f"cyclonedx-py could not write {out}", done.stderr.strip())
