"""Branch indexing of the synced job: which branch jobs exist, and which keep their history.

No Jenkins server can be installed here, so the job config rendered by `jenkins sync` is put
into the stand-in, whose `index` follows github-branch-source's discovery traits, scm-api's
wildcard filter and cloudbees-folder's DefaultOrphanedItemStrategy (jenkins_standin.py).
"""
from __future__ import annotations

import pytest

from delivery import jobs
from tests.delivery import build_history
from tests.delivery.jenkins_standin import PullRequest

JOB = build_history.JOB
LONG_LIVED = ["master", "test", "dev"]
DAY_MS = 86_400_000


@pytest.fixture
def project(jenkins_state, history):
    """The fixed build history under the job config that `jenkins sync` writes."""
    project = jenkins_state.projects[JOB]
    project.config_xml = jobs.render(jobs.JobSpec(name=JOB, github_repo="acme/focus-agent"))
    return project


def test_an_open_pr_dev_to_test_keeps_the_dev_job_and_its_history(jenkins_state, project, history):
    removed = jenkins_state.index(JOB, LONG_LIVED, [PullRequest(12, "dev", "test")], history)
    assert removed == []
    assert sorted(project.branches["dev"].runs) == [1, 2, 3, 4, 5]


def test_an_open_pr_test_to_master_keeps_every_long_lived_branch(jenkins_state, project, history):
    jenkins_state.index(JOB, LONG_LIVED, [PullRequest(13, "test", "master")], history)
    assert {"master", "test", "dev", "PR-13"} <= set(project.branches)


def test_a_closed_pr_keeps_its_job_while_it_built_in_30_days(jenkins_state, project, history):
    """PR-7 last built 5 days ago: its history stays for the metrics after the PR closes."""
    jenkins_state.index(JOB, LONG_LIVED, [], history)
    assert "PR-7" in project.branches


def test_a_closed_pr_that_last_built_over_30_days_ago_is_removed(jenkins_state, project, history):
    del project.branches["PR-7"].runs[2]
    assert jenkins_state.index(JOB, LONG_LIVED, [], history) == ["PR-7"]


def test_feature_branches_get_no_job_but_their_pull_requests_do(jenkins_state, project, history):
    """As docs/delivery.md says: a feature branch is built as its pull request (PR-N)."""
    jenkins_state.index(JOB, LONG_LIVED + ["feature/login"],
                        [PullRequest(14, "feature/login", "dev")], history)
    assert "feature/login" not in project.branches
    assert "PR-14" in project.branches


def test_pull_requests_from_forks_are_not_built(jenkins_state, project, history):
    """As docs/delivery.md says: no fork discovery (a fork's Makefile would run with the
    registry credentials bound)."""
    jenkins_state.index(JOB, LONG_LIVED, [PullRequest(15, "patch-1", "dev", fork=True)],
                        history)
    assert "PR-15" not in project.branches


def test_a_job_with_a_build_in_progress_is_never_removed(jenkins_state, project, history):
    """dev #5 is still running (build_history.py), so dev's job stays even if dev vanishes."""
    project.branches["dev"].runs = {5: project.branches["dev"].runs[5]}
    project.branches["dev"].runs[5].timestamp_ms = history - 90 * DAY_MS
    jenkins_state.index(JOB, ["master", "test"], [], history)
    assert "dev" in project.branches
