"""Pipeline metrics and the status table, on the fixed history of build_history.py.

The expected values are worked out by hand in build_history.py's docstring. The CLI tests run
python-jenkins against the local stand-in of Jenkins's REST API (jenkins_standin.py), because
no Jenkins server can be installed on this machine.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.delivery import build_history
from tests.delivery.jenkins_standin import Run
from delivery import metrics
from delivery.builds import Build, cause_of, commits_of, digest_of, from_ms, image_of
from delivery.cli import cli

NOW_MS = 1_750_000_000_000
JOB = build_history.JOB


@pytest.fixture
def month() -> metrics.PipelineMetrics:
    """Metrics of the fixed history over 30 days."""
    return metrics.compute(build_history.as_builds(NOW_MS), 30, from_ms(NOW_MS))


@pytest.fixture
def week() -> metrics.PipelineMetrics:
    """Metrics of the fixed history over 7 days."""
    return metrics.compute(build_history.as_builds(NOW_MS), 7, from_ms(NOW_MS))


def test_success_rate_counts_success_unstable_and_failure_only(month):
    assert (month.succeeded, month.builds, month.success_rate) == (6, 11, 6 / 11)


def test_deployments_are_successful_master_builds_that_pushed_an_image(month):
    """PR-9 pushed an image too (PRs into master do), but a release is a build of master."""
    assert month.deployments == 3
    assert month.to_dict()["deployments_per_week"] == 0.7


def test_lead_time_counts_each_commit_at_its_first_deployment(month):
    assert month.lead_time == metrics.Spread(6, 44700, 62000)


def test_time_to_recovery_runs_from_the_first_failure_to_the_next_success(month):
    assert month.time_to_recovery == metrics.Spread(2, 89700, 89700)


def test_jobs_whose_last_build_failed_are_failing_now(month):
    assert month.failing == (f"{JOB}/PR-7", f"{JOB}/dev")


def test_a_shorter_window_leaves_older_builds_out(week):
    assert (week.succeeded, week.builds, week.deployments) == (4, 8, 2)


def test_a_shorter_window_carries_commits_only_from_its_own_builds(week):
    assert week.lead_time == metrics.Spread(4, 42900, 46800)


def test_a_shorter_window_measures_recovery_from_its_first_failure(week):
    assert week.time_to_recovery == metrics.Spread(2, 43050, 43050)


def test_no_builds_means_no_rates():
    empty = metrics.compute({}, 30, from_ms(NOW_MS))
    assert (empty.success_rate, empty.lead_time, empty.deployments) == (
        None, metrics.Spread(0, None, None), 0)


def test_window_starts_days_before_now(month):
    assert month.since == from_ms(NOW_MS) - timedelta(days=30)


def test_image_is_read_from_the_build_description():
    assert image_of("image=acme/focus:42 digest=sha256:ab") == "acme/focus:42"


def test_image_is_read_from_the_jenkinsfile_description():
    assert image_of("image focus-meditation-agent:42 | accuracy 0.71") == (
        "focus-meditation-agent:42")


def test_the_digest_of_a_pushed_image_is_read_from_the_description():
    assert digest_of("image acme/focus:42 | digest sha256:0fa3 | accuracy 0.71") == "sha256:0fa3"


def test_a_successful_build_without_a_digest_is_no_deployment():
    build = Build("job/dev", 3, "SUCCESS", from_ms(NOW_MS), 60.0, image="acme/focus:3")
    assert not build.deployed


def test_a_pushed_pull_request_build_is_no_deployment():
    build = Build("job/PR-9", 1, "SUCCESS", from_ms(NOW_MS), 60.0, digest="sha256:b9")
    assert not build.deployed


def test_a_pushed_master_build_is_a_deployment():
    build = Build("job/master", 1, "SUCCESS", from_ms(NOW_MS), 60.0, digest="sha256:a1")
    assert build.deployed


def test_a_description_without_image_means_no_image():
    assert image_of("tests failed") is None


def test_cause_is_the_first_short_description():
    info = {"actions": [{}, {"causes": [{"shortDescription": "Started by user alice"}]}]}
    assert cause_of(info) == "Started by user alice"


def test_freestyle_change_set_commits_are_read_too():
    info = {"changeSet": {"items": [{"id": "abc", "timestamp": NOW_MS}]}}
    assert [c.commit_id for c in commits_of(info)] == ["abc"]


def test_a_build_finishes_at_start_plus_duration():
    build = Build("job/master", 1, "SUCCESS", from_ms(NOW_MS), 90.0)
    assert build.finished == from_ms(NOW_MS + 90_000)


def test_metrics_json_over_the_stand_in(runner, history):
    result = runner.invoke(cli, ["jenkins", "metrics", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("builds", "succeeded", "success_rate", "deployments")} == {
        "builds": 11, "succeeded": 6, "success_rate": 6 / 11, "deployments": 3}
    assert data["lead_time_seconds"] == {"count": 6, "median": 44700, "mean": 62000}
    assert data["time_to_recovery_seconds"] == {"count": 2, "median": 89700, "mean": 89700}


def test_metrics_days_option_narrows_the_window(runner, history):
    result = runner.invoke(cli, ["jenkins", "metrics", "--json", "--days", "7"])
    data = json.loads(result.stdout)
    assert (data["builds"], data["deployments"], data["lead_time_seconds"]["median"]) == (
        8, 2, 42900)


def test_metrics_table_for_people(runner, history):
    result = runner.invoke(cli, ["jenkins", "metrics"])
    rows = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    assert "54.5%" in rows["build success rate"]
    assert "0.70/week" in rows["deployment frequency"]
    assert "12h 25m" in rows["lead time (median)"]
    assert "1d 0h 55m" in rows["time to recovery (median)"]
    assert "PR-7, dev" in rows["failing now"]


def test_metrics_refuses_a_window_of_zero_days(runner, history):
    result = runner.invoke(cli, ["jenkins", "metrics", "--days", "0"])
    assert result.exit_code == 2


def test_status_lists_the_newest_builds_over_all_branches(runner, history):
    result = runner.invoke(cli, ["jenkins", "status", "--last", "3"])
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["BUILD", "RESULT", "DURATION", "STARTED", "(UTC)", "CAUSE",
                                "IMAGE"]
    assert [line.split("  ")[0] for line in lines[2:]] == ["dev #5", "dev #4", "master #6"]


def test_status_shows_a_running_build_as_running(runner, history):
    result = runner.invoke(cli, ["jenkins", "status", "--last", "1"])
    assert result.stdout.splitlines()[2].split()[:4] == ["dev", "#5", "RUNNING", "-"]


def test_status_shows_result_duration_cause_and_image_tag(runner, history):
    result = runner.invoke(cli, ["jenkins", "status", "--last", "3"])
    master = result.stdout.splitlines()[4]
    assert master.split()[2:5] == ["SUCCESS", "10m", "00s"]
    assert master.endswith("Push event to branch master  6")


def test_status_of_a_job_without_builds(runner, jenkins_state, jenkins_env):
    jenkins_state.add_project(JOB, branches=("master",))
    result = runner.invoke(cli, ["jenkins", "status"])
    assert result.stdout == f"job {JOB} has no builds yet\n"


def test_metrics_reads_all_builds_beyond_the_newest_hundred(runner, jenkins_state, jenkins_env):
    project = jenkins_state.add_project(JOB, branches=("master",))
    for number in range(1, 121):
        project.branches["master"].runs[number] = Run(number, "SUCCESS", NOW_MS, 1000)
    result = runner.invoke(cli, ["jenkins", "metrics", "--json", "--days", "36500"])
    assert json.loads(result.stdout)["builds"] == 120
