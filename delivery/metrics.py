"""Pipeline metrics from build history: success rate, deployment frequency, lead time, MTTR.

Definitions (the same in docs/releasing.md):
- only finished builds started inside the window count; SUCCESS, UNSTABLE and FAILURE are
  counted, ABORTED and NOT_BUILT are not (someone stopped them; they say nothing of the code);
- success rate = SUCCESS / counted builds;
- a deployment is a SUCCESS build of the `master` branch job whose description records the
  digest of the image it pushed (`image REPO:TAG | digest sha256:...`); a built but unpushed
  image is no deployment, nor is the image a pull request into master pushes (a candidate);
  deployment frequency = deployments per day and per week over the window;
- lead time of a commit = end of the first deployment that contains it - commit time; commits
  of master builds that did not deploy are carried to master's next deployment;
- time to recovery = end of the first failed build of a failing streak - end of the next
  SUCCESS build of the same branch job; a streak still open is listed under `failing`.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from delivery.builds import COUNTED, FAILED, Build, Commit
from delivery.tables import duration, table


@dataclass(frozen=True)
class Spread:
    """How many values there were and their median and mean (None when there were none)."""

    count: int
    median: float | None
    mean: float | None

    @classmethod
    def of(cls, values: list[float]) -> "Spread":
        """Summarise a list of seconds."""
        if not values:
            return cls(0, None, None)
        return cls(len(values), statistics.median(values), statistics.fmean(values))


@dataclass(frozen=True)
class PipelineMetrics:
    """The pipeline's delivery metrics over a window of days."""

    days: int
    since: datetime
    builds: int
    succeeded: int
    success_rate: float | None
    deployments: int
    lead_time: Spread
    time_to_recovery: Spread
    failing: tuple[str, ...]

    @property
    def deployments_per_day(self) -> float:
        """Return the mean number of deployments per day in the window."""
        return self.deployments / self.days

    def to_dict(self) -> dict[str, Any]:
        """Return the metrics as JSON-ready data (durations in seconds)."""
        return {
            "days": self.days,
            "since": self.since.isoformat(),
            "builds": self.builds,
            "succeeded": self.succeeded,
            "success_rate": self.success_rate,
            "deployments": self.deployments,
            "deployments_per_day": round(self.deployments_per_day, 4),
            "deployments_per_week": round(self.deployments_per_day * 7, 4),
            "lead_time_seconds": vars(self.lead_time),
            "time_to_recovery_seconds": vars(self.time_to_recovery),
            "failing": list(self.failing),
        }


def in_window(history: dict[str, list[Build]], since: datetime) -> dict[str, list[Build]]:
    """Keep the finished builds started at or after `since`, oldest first per job."""
    return {
        job: sorted((b for b in builds if not b.building and b.started >= since),
                    key=lambda b: b.started)
        for job, builds in history.items()
    }


def lead_times(history: dict[str, list[Build]]) -> list[float]:
    """Return each deployed commit's lead time in seconds (first deployment wins)."""
    first: dict[str, tuple[datetime, datetime]] = {}
    for builds in history.values():
        pending: list[Commit] = []
        for build in builds:
            pending.extend(build.commits)
            if not build.deployed:
                continue
            for commit in pending:
                known = first.get(commit.commit_id)
                if known is None or build.finished < known[0]:
                    first[commit.commit_id] = (build.finished, commit.time)
            pending = []
    return [(deployed - made).total_seconds() for deployed, made in first.values()]


def recoveries(builds: list[Build]) -> tuple[list[float], bool]:
    """Return one job's recovery times in seconds and whether it is failing now."""
    times: list[float] = []
    failed_at: datetime | None = None
    for build in builds:
        if build.result in FAILED and failed_at is None:
            failed_at = build.finished
        elif build.result == "SUCCESS" and failed_at is not None:
            times.append((build.finished - failed_at).total_seconds())
            failed_at = None
    return times, failed_at is not None


def compute(history: dict[str, list[Build]], days: int, now: datetime) -> PipelineMetrics:
    """Compute the pipeline metrics over the `days` before `now`."""
    since = now - timedelta(days=days)
    window = in_window(history, since)
    counted = [b for builds in window.values() for b in builds if b.result in COUNTED]
    succeeded = sum(1 for b in counted if b.result == "SUCCESS")
    recovery_times: list[float] = []
    failing = []
    for job, builds in sorted(window.items()):
        times, open_streak = recoveries(builds)
        recovery_times.extend(times)
        if open_streak:
            failing.append(job)
    return PipelineMetrics(
        days=days,
        since=since,
        builds=len(counted),
        succeeded=succeeded,
        success_rate=succeeded / len(counted) if counted else None,
        deployments=sum(1 for b in counted if b.deployed),
        lead_time=Spread.of(lead_times(window)),
        time_to_recovery=Spread.of(recovery_times),
        failing=tuple(failing),
    )


def render(metrics: PipelineMetrics) -> str:
    """Render the metrics as a table for people."""
    rate = "-" if metrics.success_rate is None else f"{metrics.success_rate:.1%}"
    rows = [
        ["build success rate", rate, f"{metrics.succeeded} of {metrics.builds} builds"],
        ["deployment frequency", f"{metrics.deployments_per_day * 7:.2f}/week",
         f"{metrics.deployments} images pushed"],
        ["lead time (median)", duration(metrics.lead_time.median),
         f"mean {duration(metrics.lead_time.mean)} over {metrics.lead_time.count} commits"],
        ["time to recovery (median)", duration(metrics.time_to_recovery.median),
         f"mean {duration(metrics.time_to_recovery.mean)} over "
         f"{metrics.time_to_recovery.count} recoveries"],
        ["failing now", ", ".join(job.rpartition("/")[2] for job in metrics.failing) or "none",
         "branch jobs whose last build failed"],
    ]
    title = f"Pipeline metrics, last {metrics.days} days (since {metrics.since:%Y-%m-%d %H:%M} UTC)"
    return title + "\n" + table(["METRIC", "VALUE", "BASIS"], rows)
