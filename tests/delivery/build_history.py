"""A fixed build history of the pipeline job, with the metrics worked out by hand below.

Times are offsets from NOW (minutes), so the same history can be loaded relative to a fixed
instant (pure tests) or to the real clock (CLI tests against the Jenkins stand-in).

master  #1 -10d      10m SUCCESS image 1   commits c1 (-10d -2h)
        #2 -8d       20m FAILURE           commits c2 (-8d -1h)
        #3 -7d +2h   15m FAILURE           commits c3 (-7d +1h30m)
        #4 -6d       10m SUCCESS image 4   commits c4 (-6d -1h)
        #5 -2d       12m ABORTED           commits c5 (-2d -3h)
        #6 -1d       10m SUCCESS image 6   commits c6 (-1d -50m), c4 again
dev     #1 -9d        5m SUCCESS           commits d1
        #2 -3d        5m FAILURE
        #3 -3d +2h    5m SUCCESS image 3 built, not pushed (no digest: no deployment)
        #4 -1h        5m FAILURE
        #5 -10m          still running
PR-7    #1 -40d       8m SUCCESS (outside a 30-day window)
        #2 -5d        8m UNSTABLE
PR-9    #1 -6d -40m   8m SUCCESS image pr-9-1 pushed (a PR into master: digest recorded, but a
                         release candidate, not a deployment)   commits c4 (-6d -1h)

Over 30 days: 11 counted builds (ABORTED and running ones are not), 6 SUCCESS -> 6/11;
3 deployments (master 1, 4, 6; PR-9's pushed image is none) -> 0.1 a day, 0.7 a week.
Lead times (deployment end - commit time), c4 counted once at its first deployment:
  c1 10m+2h = 7800 s; c2 (-6d+10m)-(-8d-1h) = 177000; c3 (-6d+10m)-(-7d+1h30m) = 81600;
  c4 1h10m = 4200 (at master #4, not at PR-9 #1's image 32m after it);
  c5 (-1d+10m)-(-2d-3h) = 97800; c6 1h = 3600
  median (7800+81600)/2 = 44700; mean 372000/6 = 62000.
Recoveries: master #2 end (-8d+20m) -> #4 end (-6d+10m) = 172200 s; dev #2 end -> #3 end
  = 7200 s; median = mean = 89700. Failing now: dev (#4) and PR-7 (#2).

Over 7 days: master 3, 4, 6, dev 2, 3, 4, PR-7 2, PR-9 1 -> 8 counted, 4 SUCCESS; 2 deployments;
lead times c3 81600, c4 4200, c5 97800, c6 3600 -> median 42900, mean 46800;
recoveries master #3 end (-7d+2h15m) -> #4 end = 78900, dev 7200 -> median 43050.
"""
from __future__ import annotations

from tests.delivery.jenkins_standin import Commit, JenkinsState, Run

JOB = "focus-meditation-agent"
M = 60_000
H = 60 * M
D = 24 * H

# (branch, number, start offset, duration, result, description, cause, commits)
HISTORY = [
    ("master", 1, -10 * D, 10 * M, "SUCCESS", "image=acme/focus:1 digest=sha256:a1",
     "Branch indexing", [("c1", -10 * D - 2 * H)]),
    ("master", 2, -8 * D, 20 * M, "FAILURE", None, "Branch indexing", [("c2", -8 * D - H)]),
    ("master", 3, -7 * D + 2 * H, 15 * M, "FAILURE", None, "Push event to branch master",
     [("c3", -7 * D + 90 * M)]),
    ("master", 4, -6 * D, 10 * M, "SUCCESS", "image=acme/focus:4 digest=sha256:a4",
     "Push event to branch master", [("c4", -6 * D - H)]),
    ("master", 5, -2 * D, 12 * M, "ABORTED", None, "Started by user alice",
     [("c5", -2 * D - 3 * H)]),
    ("master", 6, -1 * D, 10 * M, "SUCCESS", "image=acme/focus:6 digest=sha256:a6",
     "Push event to branch master", [("c6", -1 * D - 50 * M), ("c4", -6 * D - H)]),
    ("dev", 1, -9 * D, 5 * M, "SUCCESS", None, "Push event to branch dev", [("d1", -9 * D)]),
    ("dev", 2, -3 * D, 5 * M, "FAILURE", None, "Push event to branch dev", []),
    ("dev", 3, -3 * D + 2 * H, 5 * M, "SUCCESS", "image focus-meditation-agent:3 | accuracy 0.71",
     "Push event to branch dev", []),
    ("dev", 4, -1 * H, 5 * M, "FAILURE", None, "Push event to branch dev", []),
    ("dev", 5, -10 * M, 0, None, None, "Push event to branch dev", []),
    ("PR-7", 1, -40 * D, 8 * M, "SUCCESS", None, "Pull request #7 opened", []),
    ("PR-7", 2, -5 * D, 8 * M, "UNSTABLE", None, "Pull request #7 updated", []),
    ("PR-9", 1, -6 * D - 40 * M, 8 * M, "SUCCESS",
     "image acme/focus:pr-9-1 | digest sha256:b9 | accuracy 0.71", "Pull request #9 opened",
     [("c4", -6 * D - H)]),
]


def load(state: JenkinsState, now_ms: int) -> None:
    """Put the history into the stand-in as project JOB, relative to `now_ms`."""
    project = state.add_project(JOB, branches=("master", "dev", "PR-7", "PR-9"))
    for branch, number, start, duration, result, description, cause, commits in HISTORY:
        run = Run(number, result or "SUCCESS", now_ms + start, duration, description, cause,
                  [Commit(cid, now_ms + when) for cid, when in commits])
        if result is None:
            run.chunks = ["Started\n"] + ["still running\n"] * 1000
            run.revealed = 1
        project.branches[branch].runs[number] = run


def as_builds(now_ms: int) -> dict[str, list]:
    """Return the history as delivery Build records per branch job, relative to `now_ms`."""
    from delivery.builds import Build, Commit as BuildCommit, digest_of, from_ms, image_of

    history: dict[str, list[Build]] = {}
    for branch, number, start, duration, result, description, cause, commits in HISTORY:
        build = Build(
            job=f"{JOB}/{branch}", number=number, result=result, started=from_ms(now_ms + start),
            duration_s=duration / 1000, cause=cause,
            image=image_of(description), digest=digest_of(description),
            commits=tuple(BuildCommit(cid, from_ms(now_ms + when)) for cid, when in commits))
        history.setdefault(build.job, []).append(build)
    return history
