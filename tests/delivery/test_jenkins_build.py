"""`focus-delivery jenkins build`: trigger, wait for the queue, follow the console, result.

No Jenkins server can be installed here, so these tests run python-jenkins against the local
stand-in of Jenkins's documented REST API in jenkins_standin.py; a stand-in build writes one
console chunk each time it is looked at.
"""
from __future__ import annotations

import pytest
import requests

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


def test_a_job_that_has_not_run_yet_is_started_with_build(runner, project, jenkins_state):
    runner.invoke(cli, BUILD)
    assert ("POST", f"/job/{JOB}/job/master/build") in jenkins_state.writes()


def test_a_parameterized_job_is_started_with_build_with_parameters(runner, project, jenkins_state):
    """After its first run the Jenkinsfile's parameters {} make the branch job parameterized;
    Jenkins then answers POST .../build with 400, so a build without --param must use
    buildWithParameters (the parameters keep their defaults)."""
    runner.invoke(cli, BUILD)
    result = runner.invoke(cli, BUILD)
    assert result.exit_code == 0, result.output
    assert jenkins_state.writes()[-1] == ("POST", f"/job/{JOB}/job/master/buildWithParameters")
    assert project.branches["master"].runs[2].parameters == {"ADMIN_EMAIL": ""}


def test_build_passes_parameters_to_build_with_parameters(runner, project, jenkins_state):
    runner.invoke(cli, BUILD)
    runner.invoke(cli, BUILD + ["--param", "ADMIN_EMAIL=ops@focus.test"])
    assert jenkins_state.writes()[-1] == ("POST", f"/job/{JOB}/job/master/buildWithParameters")
    assert project.branches["master"].runs[2].parameters == {"ADMIN_EMAIL": "ops@focus.test"}


def test_a_parameter_the_job_does_not_define_is_refused(runner, project, jenkins_state):
    """Jenkins silently drops an undefined parameter; the tool says so instead."""
    runner.invoke(cli, BUILD)
    result = runner.invoke(cli, BUILD + ["--param", "PUSH=true"])
    assert result.exit_code == 1
    assert result.stderr == (f"error: job '{JOB}/master' has no parameter PUSH "
                             "(it has ADMIN_EMAIL)\n")
    assert list(project.branches["master"].runs) == [1]


def test_parameters_for_a_job_that_never_ran_are_refused_clearly(runner, project):
    result = runner.invoke(cli, BUILD + ["--param", "ADMIN_EMAIL=ops@focus.test"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: job '{JOB}/master' takes no parameters yet")
    assert project.branches["master"].runs == {}


@pytest.mark.parametrize(("has_run", "endpoint", "answer"), [
    (True, "build", "Nothing is submitted"),
    (False, "buildWithParameters", f"{JOB}/master is not parameterized"),
])
def test_the_stand_in_refuses_the_wrong_endpoint_as_jenkins_does(project, jenkins_env,
                                                                 has_run, endpoint, answer):
    """The stand-in is as strict as core's ParameterizedJobMixIn (400 for the wrong call)."""
    if has_run:
        project.branches["master"].definitions = {"ADMIN_EMAIL": ""}
    session = requests.Session()
    session.auth = ("alice", "alice-api-token-123")
    crumb = session.get(f"{jenkins_env}crumbIssuer/api/json").json()["crumb"]
    answered = session.post(f"{jenkins_env}job/{JOB}/job/master/{endpoint}",
                            headers={"Jenkins-Crumb": crumb})
    assert (answered.status_code, answer in answered.text) == (400, True)


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
