"""The Docker image, through the docker SDK: tags, build with a live log, push with a digest."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import docker
import docker.errors

from delivery.builds import RELEASE_BRANCH
from delivery.errors import DeliveryError, traceback_text

NAME = "focus-meditation-agent"
_ARG_RE = re.compile(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)

_NOISE = (" ---> ", "Removing intermediate container")
# A remote git can fetch over the network: scheme://host/... or scp-like user@host:path.
_NETWORK_URL = re.compile(r"^(?:(?:https?|ssh|git)://[^/\s]+/\S*|[\w.-]+@[\w.-]+:\S+)$")
_URL_CREDENTIALS = re.compile(r"^([a-z+]+://)[^/@]*@")
# The label the Dockerfile's builder stage carries, with BUILD_ID as its value, so that a build
# can remove the intermediate image it leaves (images.remove_builder).
BUILDER_LABEL = "org.focus-meditation-agent.builder"

Writer = Callable[[str], None]


def connect(timeout: int = 300) -> docker.DockerClient:
    """Return a client of the Docker engine named by DOCKER_HOST (or the default socket)."""
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except docker.errors.DockerException as exc:
        raise DeliveryError(
            "cannot reach the Docker engine: start it (scripts/docker-engine.sh up) "
            "or point DOCKER_HOST at a running one", traceback_text(exc)) from exc
    return client


def repository_name(registry: str | None, namespace: str | None, name: str = NAME) -> str:
    """Return REGISTRY/NAMESPACE/NAME, leaving out the parts that are not set."""
    return "/".join(part.strip("/") for part in (registry, namespace, name) if part)


def number_tag(build_number: str, branch: str | None) -> str:
    """Return the build-number tag; off master it is prefixed with the branch (PR-7 -> pr-7-42).

    Each branch job of a multibranch pipeline counts its own builds, so bare numbers collide.
    """
    if not branch or branch == RELEASE_BRANCH:
        return str(build_number)
    slug = re.sub(r"[^a-z0-9_.-]", "-", branch.lower())[:100]
    return f"{slug}-{build_number}"


def image_tags(build_number: str | None, commit: str | None, branch: str | None) -> list[str]:
    """Return the tags Jenkins gives an image: build number, short commit, latest on master."""
    tags = [number_tag(build_number, branch)] if build_number else []
    if commit:
        tags.append(commit[:7])
    if branch == RELEASE_BRANCH:
        tags.append("latest")
    if not tags:
        raise DeliveryError("no tag for the image: pass --build-number, --commit or "
                            f"--branch {RELEASE_BRANCH}")
    return tags


def source_url(remote: str | None) -> str | None:
    """Return the repository URL for the OCI source label: a network URL without credentials.

    A local path or file:// remote (a clone of a clone) says nothing to whoever pulls the
    image, so it gives None (the label is then left empty).
    """
    remote = (remote or "").strip()
    if not _NETWORK_URL.match(remote):
        return None
    return _URL_CREDENTIALS.sub(r"\1", remote)


def read_ca_certs(directory: Path) -> str:
    """Return the PEM text of the *.crt files in `directory` (sorted), empty when there are none.

    These are the build machine's extra CA certificates (a proxy's, say), which pip in the
    builder stage needs to reach the package index; they are never copied into the runtime.
    """
    try:
        files = sorted(directory.glob("*.crt"))
        return "".join(path.read_text("ascii").rstrip("\n") + "\n" for path in files)
    except (OSError, UnicodeDecodeError) as exc:
        raise DeliveryError(f"cannot read the CA certificates in {directory}: {exc}") from exc


def declared_args(dockerfile: Path) -> set[str]:
    """Return the names of the ARGs a Dockerfile declares."""
    try:
        return set(_ARG_RE.findall(dockerfile.read_text("utf-8")))
    except OSError as exc:
        raise DeliveryError(f"cannot read {dockerfile}: {exc.strerror}") from exc


@dataclass(frozen=True)
class BuildRequest:
    """What to build: context, Dockerfile, repository, tags, build args and labels."""

    context: Path
    dockerfile: str
    repository: str
    tags: list[str]
    build_args: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def _log_tail(lines: list[str], count: int = 20) -> str:
    """Return the last `count` lines of a build log that say something (no builder noise)."""
    text = "".join(lines).splitlines()
    kept = [line for line in text if line.strip() and not line.startswith(_NOISE)]
    return "\n".join(kept[-count:])


def _consume_build(stream: Iterable[dict[str, Any]], write: Writer) -> str:
    """Show the build log as it comes; return the image id or raise with the log's tail."""
    log: list[str] = []
    image_id = ""
    for chunk in stream:
        if "stream" in chunk:
            log.append(chunk["stream"])
            write(chunk["stream"])
        elif "status" in chunk:
            write(f"{chunk['status']}\n")
        if "error" in chunk:
            message = chunk.get("errorDetail", {}).get("message") or chunk["error"]
            raise DeliveryError(f"image build failed: {message.strip().splitlines()[-1]}",
                                _log_tail(log, 200), log_tail=_log_tail(log))
        image_id = (chunk.get("aux") or {}).get("ID", image_id)
    if not image_id:
        raise DeliveryError("image build ended without an image id", _log_tail(log, 200))
    return image_id


def build(client: docker.DockerClient, request: BuildRequest, write: Writer) -> str:
    """Build the image with the docker SDK, tag it with every tag, and return its id."""
    first = f"{request.repository}:{request.tags[0]}"
    try:
        stream = client.api.build(
            path=str(request.context), dockerfile=request.dockerfile, tag=first,
            buildargs=request.build_args, labels=request.labels, rm=True, forcerm=True,
            decode=True)
        image_id = _consume_build(stream, write)
        for tag in request.tags[1:]:
            client.api.tag(image_id, request.repository, tag)
    except docker.errors.DockerException as exc:
        raise DeliveryError(f"image build failed: {exc}", traceback_text(exc)) from exc
    return image_id


def remove_builder(client: docker.DockerClient, build_id: str) -> None:
    """Remove the builder-stage image a build left untagged (labelled with its build id).

    Only this build's, so concurrent builds on a shared engine keep theirs. Its cached layers
    go with it, so the next build installs the requirements again.
    """
    for leftover in client.images.list(filters={"label": f"{BUILDER_LABEL}={build_id}"}):
        try:
            client.images.remove(leftover.id)
        except docker.errors.NotFound:
            pass


def retag(client: docker.DockerClient, source: str, repository: str, tag: str) -> None:
    """Give the local image `source` the name REPOSITORY:TAG (nothing when it has it)."""
    if source == f"{repository}:{tag}":
        return
    try:
        client.api.tag(source, repository, tag)
    except docker.errors.ImageNotFound as exc:
        raise DeliveryError(f"no local image {source}: build it first with "
                            "`focus-delivery image build`", traceback_text(exc)) from exc


def login(client: docker.DockerClient, registry: str | None, username: str,
          password: str) -> dict[str, str]:
    """Log in to the registry and return the auth config for pushes."""
    where = registry or "Docker Hub"
    try:
        client.login(username=username, password=password, registry=registry or None,
                     reauth=True)
    except docker.errors.APIError as exc:
        raise DeliveryError(
            f"registry {where} refused the login of user '{username}': "
            "check DOCKERHUB_USERNAME and DOCKERHUB_TOKEN", traceback_text(exc)) from exc
    return {"username": username, "password": password}


def _progress_line(chunk: dict[str, Any]) -> str | None:
    """Return the line to show for one push progress chunk (None for byte counters)."""
    status = chunk.get("status")
    if not status or status == "Pushing":
        return None
    return f"{chunk['id']}: {status}" if chunk.get("id") else status


def push_tag(client: docker.DockerClient, repository: str, tag: str, auth: dict[str, str],
             write: Writer) -> str:
    """Push one tag, showing progress; return the digest the registry reported."""
    digest = ""
    try:
        stream = client.api.push(repository, tag=tag, stream=True, decode=True,
                                 auth_config=auth)
        for chunk in stream:
            if "error" in chunk:
                raise DeliveryError(f"push of {repository}:{tag} failed: {chunk['error']}",
                                    json.dumps(chunk))
            line = _progress_line(chunk)
            if line:
                write(line + "\n")
            digest = (chunk.get("aux") or {}).get("Digest", digest)
    except docker.errors.DockerException as exc:
        raise DeliveryError(f"push of {repository}:{tag} failed: {exc}",
                            traceback_text(exc)) from exc
    if not digest:
        raise DeliveryError(f"push of {repository}:{tag} reported no digest")
    return digest


def read_record(path: Path) -> dict[str, Any]:
    """Read the image record (repository, tags, image id, digest), empty when missing."""
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as exc:
        raise DeliveryError(f"cannot read the image record {path}: {exc}") from exc


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Write the image record atomically (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(record, indent=2) + "\n", "utf-8")
    partial.replace(path)


def pull_back(client: docker.DockerClient, record: dict[str, Any], auth: dict[str, str],
              write: Writer) -> list[str]:
    """Delete the record's tags locally, pull each back, and check the pushed digest and id.

    Returns one line per tag; the local names are restored from the pulled image.
    """
    target, digest = record.get("pushed_repository"), record.get("digest")
    if not target or not digest:
        raise DeliveryError("the image record names no pushed image: run "
                            "`focus-delivery image push` first")
    local, tags = record.get("local_repository") or target, list(record.get("tags") or [])
    remove_tags(client, {local, target}, tags)
    if _exists(client, record.get("image_id", "")):
        write(f"warning: {record['image_id']} is still held by another tag; the pull only "
              "checks the manifest\n")
    lines = []
    for tag in tags:
        try:
            pulled = client.images.pull(target, tag=tag, auth_config=auth)
        except docker.errors.DockerException as exc:
            raise DeliveryError(f"pull of {target}:{tag} failed: {exc}",
                                traceback_text(exc)) from exc
        if f"{target}@{digest}" not in pulled.attrs.get("RepoDigests", []):
            raise DeliveryError(f"pulled {target}:{tag} does not have the pushed digest {digest}")
        if pulled.id != record.get("image_id"):
            raise DeliveryError(f"pulled {target}:{tag} is {pulled.id}, built was "
                                f"{record.get('image_id')}")
        retag(client, f"{target}:{tag}", local, tag)
        lines.append(f"pulled {target}:{tag}: digest and image id match")
    return lines


def _exists(client: docker.DockerClient, reference: str) -> bool:
    """Tell whether the engine has a local image by that id or name."""
    try:
        return bool(reference) and bool(client.images.get(reference))
    except docker.errors.ImageNotFound:
        return False


def remove_tags(client: docker.DockerClient, repositories: Iterable[str],
                tags: list[str]) -> int:
    """Remove REPOSITORY:TAG for each pair that exists locally; return how many went."""
    removed = 0
    for repository in repositories:
        for tag in tags:
            try:
                client.images.remove(f"{repository}:{tag}")
                removed += 1
            except docker.errors.ImageNotFound:
                pass
    return removed


def remove_containers(client: docker.DockerClient, label: str, values: list[str]) -> int:
    """Remove every container whose `label` has one of `values`; return how many went."""
    removed = 0
    for value in values:
        for container in client.containers.list(all=True, filters={"label": f"{label}={value}"}):
            container.remove(force=True)
            removed += 1
    return removed
