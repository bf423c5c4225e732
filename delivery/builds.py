"""Build records read from Jenkins build JSON: result, timing, cause, image, commits."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

IMAGE_RE = re.compile(r"(?:^|[\s|])image[=\s]\s*([^\s|]+)")
DIGEST_RE = re.compile(r"sha256:[0-9a-f]+")
FAILED = ("FAILURE", "UNSTABLE")
RELEASE_BRANCH = "master"
COUNTED = ("SUCCESS",) + FAILED


@dataclass(frozen=True)
class Commit:
    """One commit of a build's change sets: its id and when it was made."""

    commit_id: str
    time: datetime


@dataclass(frozen=True)
class Build:
    """What the delivery tool needs to know about one Jenkins build."""

    job: str
    number: int
    result: str | None
    started: datetime
    duration_s: float
    cause: str = ""
    image: str | None = None
    digest: str | None = None
    url: str = ""
    commits: tuple[Commit, ...] = field(default_factory=tuple)

    @property
    def building(self) -> bool:
        """Tell whether the build is still running (Jenkins has not set a result yet)."""
        return self.result is None

    @property
    def finished(self) -> datetime:
        """Return when the build ended (start plus duration)."""
        return datetime.fromtimestamp(self.started.timestamp() + self.duration_s, timezone.utc)

    @property
    def branch(self) -> str:
        """Return the branch (or PR-N) of the build's branch job: the job name's last part."""
        return self.job.rpartition("/")[2]

    @property
    def deployed(self) -> bool:
        """Tell whether this is a release: a SUCCESS build of master that pushed its image.

        Pull requests into master push their image too, as a candidate to check; counting
        them would count each change twice and end its lead time before the release.
        """
        return (self.result == "SUCCESS" and self.digest is not None
                and self.branch == RELEASE_BRANCH)


def from_ms(ms: int | float) -> datetime:
    """Turn a Jenkins timestamp in milliseconds into an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000.0, timezone.utc)


def image_of(description: str | None) -> str | None:
    """Return the image a build description names as `image REPO:TAG` or `image=REPO:TAG`."""
    match = IMAGE_RE.search(description or "")
    return match.group(1) if match else None


def digest_of(description: str | None) -> str | None:
    """Return the digest (sha256:...) of a pushed image that a build description records."""
    match = DIGEST_RE.search(description or "")
    return match.group(0) if match else None


def cause_of(info: dict[str, Any]) -> str:
    """Return the short description of what started the build."""
    for action in info.get("actions") or []:
        for cause in (action or {}).get("causes") or []:
            if cause.get("shortDescription"):
                return cause["shortDescription"]
    return ""


def commits_of(info: dict[str, Any]) -> tuple[Commit, ...]:
    """Return the commits of the build's change sets (pipeline or freestyle shape)."""
    sets = info.get("changeSets")
    if sets is None:
        sets = [info["changeSet"]] if info.get("changeSet") else []
    commits = []
    for change_set in sets:
        for item in change_set.get("items") or []:
            commit_id = item.get("commitId") or item.get("id") or ""
            if "timestamp" in item:
                commits.append(Commit(commit_id, from_ms(item["timestamp"])))
    return tuple(commits)


def from_json(job: str, info: dict[str, Any]) -> Build:
    """Build a Build record from Jenkins's build JSON."""
    result = None if info.get("building") else info.get("result")
    return Build(
        job=job,
        number=int(info["number"]),
        result=result,
        started=from_ms(info["timestamp"]),
        duration_s=(info.get("duration") or 0) / 1000.0,
        cause=cause_of(info),
        image=image_of(info.get("description")),
        digest=digest_of(info.get("description")),
        url=info.get("url", ""),
        commits=commits_of(info),
    )
