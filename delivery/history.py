"""Build history of the pipeline job: every branch job's builds, as Build records."""
from __future__ import annotations

from datetime import datetime

from delivery.builds import Build, from_json
from delivery.jenkins_client import JenkinsClient


def branch_jobs(client: JenkinsClient, job: str) -> list[str]:
    """Return the full names of a multibranch job's branch jobs (or the job itself)."""
    client.require_job(job)
    info = client.job_info(job)
    if "jobs" in info:
        return [f"{job}/{child['name']}" for child in info["jobs"]]
    return [job]


def recent_builds(client: JenkinsClient, job: str, last: int) -> list[Build]:
    """Return the `last` most recent builds over all branches, newest first."""
    builds: list[Build] = []
    for name in branch_jobs(client, job):
        for entry in client.job_info(name).get("builds", [])[:last]:
            builds.append(from_json(name, client.build_info(name, entry["number"])))
    builds.sort(key=lambda build: build.started, reverse=True)
    return builds[:last]


def builds_since(client: JenkinsClient, job: str, since: datetime) -> dict[str, list[Build]]:
    """Return each branch job's builds started at or after `since`, oldest first."""
    history: dict[str, list[Build]] = {}
    for name in branch_jobs(client, job):
        builds = []
        for entry in client.job_info(name, all_builds=True).get("builds", []):
            build = from_json(name, client.build_info(name, entry["number"]))
            if build.started < since:
                break
            builds.append(build)
        history[name] = sorted(builds, key=lambda build: build.started)
    return history
