"""`focus-delivery jenkins build`: trigger, wait for the queue, follow the console, result.

No Jenkins server can be installed here, so these tests run python-jenkins against the local
stand-in of Jenkins's documented REST API in jenkins_standin.py; a stand-in build writes one
console chunk each time it is looked at.
"""
from __future__ import annotations

import pytest

from delivery import runs
from delivery.cli import cli
from delivery.errors import DeliveryError
from delivery.jenkins_client import JenkinsClient

JOB = "focus-meditation-agent"
BUILD = ["jenkins", "build", "--poll", "0.01"]


@pytest.fixture
def project(jenkins_state, jenkins_env):
    """A multibranch project with master and dev branch jobs."""
    return jenkins_state.add_project(JOB, branches=("master", "dev"))


@pytest.fixture
def client(jenkins_env):
    """A JenkinsClient logged in to the stand-in as alice."""
    return JenkinsClient(jenkins_env, "alice", "alice-api-token-123")


def test_build_queues_the_branch_job_and_reports_the_build(runner, project, jenkins_env):
    result = runner.invoke(cli, BUILD + ["--branch", "dev"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"queued {JOB}/dev (queue item 101)",
        f"started {JOB}/dev #1 {jenkins_env}job/{JOB}/job/dev/1/",
    ]


def test_build_defaults_to_the_master_branch(runner, project):
    runner.invoke(cli, BUILD)
    assert list(project.branches["master"].runs) == [1]


def test_build_posts_to_build_without_parameters(runner, project, jenkins_state):
    runner.invoke(cli, BUILD)
    assert ("POST", f"/job/{JOB}/job/master/build") in jenkins_state.writes()


def test_build_passes_parameters_to_build_with_parameters(runner, project, jenkins_state):
    runner.invoke(cli, BUILD + ["--param", "PUSH=true", "--param", "NOTE=a=b"])
    assert ("POST", f"/job/{JOB}/job/master/buildWithParameters") in jenkins_state.writes()
    assert project.branches["master"].runs[1].parameters == {"PUSH": "true", "NOTE": "a=b"}


def test_build_refuses_a_parameter_without_equals(runner, project):
    result = runner.invoke(cli, BUILD + ["--param", "PUSH"])
    assert result.exit_code == 2
    assert "'PUSH' is not KEY=VALUE" in result.stderr


def test_wait_ends_with_the_result_and_url_and_exit_zero(runner, project, jenkins_env):
    result = runner.invoke(cli, BUILD + ["--wait"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        f"SUCCESS {JOB}/master #1 {jenkins_env}job/{JOB}/job/master/1/")


def test_wait_on_a_failed_build_exits_non_zero(runner, project):
    project.branches["master"].next_result = "FAILURE"
    result = runner.invoke(cli, BUILD + ["--wait"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1].startswith(f"FAILURE {JOB}/master #1 ")


def test_wait_on_a_failed_build_shows_the_last_lines_of_its_log(runner, project):
    master = project.branches["master"]
    master.next_result = "FAILURE"
    master.next_chunks = [f"step {i}\n" for i in range(50)] + ["make: *** [test] Error 1\n"]
    result = runner.invoke(cli, BUILD + ["--wait", "--tail", "3"])
    assert result.stdout.splitlines()[-4:-1] == ["step 48", "step 49",
                                                 "make: *** [test] Error 1"]


def test_wait_on_an_unstable_build_exits_non_zero(runner, project):
    project.branches["master"].next_result = "UNSTABLE"
    result = runner.invoke(cli, BUILD + ["--wait"])
    assert result.exit_code == 1


def test_follow_streams_the_whole_console_in_order(runner, project):
    chunks = ["[Pipeline] stage\n", "Lint\n", "Test: 120 passed\n", "Image pushed", "\n"]
    project.branches["master"].next_chunks = chunks
    result = runner.invoke(cli, BUILD + ["--follow"])
    lines = result.stdout.splitlines()
    assert lines[2:-1] == ["[Pipeline] stage", "Lint", "Test: 120 passed", "Image pushed"]


def test_follow_reads_the_console_progressively(runner, project, jenkins_state):
    project.branches["master"].next_chunks = ["a\n", "b\n", "c\n"]
    runner.invoke(cli, BUILD + ["--follow"])
    reads = [r for r in jenkins_state.requests if r[1].endswith("/logText/progressiveText")]
    assert len(reads) == 3


def test_follow_does_not_repeat_the_failed_log(runner, project):
    project.branches["master"].next_result = "FAILURE"
    project.branches["master"].next_chunks = ["boom\n"]
    result = runner.invoke(cli, BUILD + ["--follow"])
    assert result.stdout.count("boom") == 1
    assert result.exit_code == 1


def test_follow_ends_an_unterminated_console_with_a_newline(runner, project):
    project.branches["master"].next_chunks = ["no newline at the end"]
    result = runner.invoke(cli, BUILD + ["--follow"])
    assert result.stdout.splitlines()[-2] == "no newline at the end"


def test_a_cancelled_queue_item_is_an_error(runner, project, jenkins_state, monkeypatch):
    original = runs.started_build

    def cancel_then_wait(client, item, waiting):
        jenkins_state.queue[item].cancel = True
        return original(client, item, waiting)

    monkeypatch.setattr(runs, "started_build", cancel_then_wait)
    result = runner.invoke(cli, BUILD)
    assert result.exit_code == 1
    assert result.stderr == "error: queue item 101 was cancelled before it started\n"


def test_waiting_gives_up_after_the_timeout(runner, project):
    result = runner.invoke(cli, BUILD + ["--timeout", "0"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: gave up waiting for queue item 101 to start "
                                    "(In the quiet period.")


def test_following_gives_up_after_the_timeout(runner, project, client):
    project.branches["master"].next_chunks = ["x\n"] * 10
    runner.invoke(cli, BUILD)
    with pytest.raises(DeliveryError, match="gave up waiting for build #1 to finish"):
        runs.follow_console(client, f"{JOB}/master", 1, lambda text: None,
                            runs.Waiting(poll_s=0, timeout_s=-1))


def test_waiting_for_the_result_gives_up_after_the_timeout(runner, project, client):
    project.branches["master"].next_chunks = ["x\n"] * 10
    runner.invoke(cli, BUILD)
    with pytest.raises(DeliveryError, match="gave up waiting for build #1 to finish"):
        runs.finished_build(client, f"{JOB}/master", 1, runs.Waiting(poll_s=0, timeout_s=-1))
