"""Failures of Jenkins calls: one clear line, a non-zero exit, no traceback; --verbose details.

No Jenkins server can be installed here, so these tests run python-jenkins against the local
stand-in of Jenkins's REST API (jenkins_standin.py), or against a port nothing listens on.
"""
from __future__ import annotations

import socket

import pytest
import requests

from delivery.cli import cli
from delivery.errors import DeliveryError
from delivery.jenkins_client import JenkinsClient, safe_url

JOB = "focus-meditation-agent"
TOKEN = "alice-api-token-123"
COMMANDS = [
    ["jenkins", "status"],
    ["jenkins", "metrics"],
    ["jenkins", "build", "--poll", "0.01"],
    ["jenkins", "sync", "--github-repo", "acme/focus-agent"],
]


@pytest.fixture
def listening_socket():
    """A port on 127.0.0.1 that accepts connections but never answers; return the port."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        yield server.getsockname()[1]


@pytest.fixture
def project(jenkins_state, jenkins_env):
    """A multibranch project with a master branch job."""
    return jenkins_state.add_project(JOB, branches=("master",))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[1])
def test_unreachable_jenkins_is_one_line_and_exit_1(runner, free_port, monkeypatch, command):
    monkeypatch.setenv("JENKINS_URL", f"http://127.0.0.1:{free_port}/")
    result = runner.invoke(cli, command)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: cannot reach Jenkins at http://127.0.0.1:{free_port}/")


def test_unreachable_jenkins_says_what_to_check(runner, free_port, monkeypatch):
    monkeypatch.setenv("JENKINS_URL", f"http://127.0.0.1:{free_port}/")
    result = runner.invoke(cli, ["jenkins", "status"])
    assert result.stderr.rstrip().endswith("is it running, and is JENKINS_URL right?")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[1])
def test_a_wrong_token_is_a_401_line(runner, project, monkeypatch, command):
    monkeypatch.setenv("JENKINS_TOKEN", "wrong-token")
    result = runner.invoke(cli, command)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Jenkins at ")
    assert result.stderr.endswith("rejected the credentials of user 'alice' (HTTP 401): "
                                  "check JENKINS_USER and JENKINS_TOKEN\n")


def test_a_user_without_permission_is_a_403_line(runner, project, monkeypatch):
    monkeypatch.setenv("JENKINS_USER", "reader")
    monkeypatch.setenv("JENKINS_TOKEN", "reader-token-456")
    result = runner.invoke(cli, ["jenkins", "build"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: user 'reader' may not start a build on Jenkins at ")
    assert "(HTTP 403)" in result.stderr


def test_a_read_only_user_may_still_read_status(runner, project, monkeypatch):
    monkeypatch.setenv("JENKINS_USER", "reader")
    monkeypatch.setenv("JENKINS_TOKEN", "reader-token-456")
    result = runner.invoke(cli, ["jenkins", "status"])
    assert result.exit_code == 0


@pytest.mark.parametrize("command", COMMANDS[:3], ids=lambda c: c[1])
def test_an_unknown_job_is_one_line(runner, project, command):
    result = runner.invoke(cli, command + ["--job", "no-such-job"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: job 'no-such-job")
    assert "does not exist on Jenkins at " in result.stderr


def test_an_unknown_branch_is_an_unknown_job(runner, project):
    result = runner.invoke(cli, ["jenkins", "build", "--branch", "feature/x"])
    assert result.stderr.startswith(f"error: job '{JOB}/feature%2Fx' does not exist")


def test_errors_carry_no_traceback(runner, project, monkeypatch):
    monkeypatch.setenv("JENKINS_TOKEN", "wrong-token")
    result = runner.invoke(cli, ["jenkins", "status"])
    assert "Traceback" not in result.output


def test_verbose_shows_the_details(runner, project, monkeypatch):
    monkeypatch.setenv("JENKINS_TOKEN", "wrong-token")
    result = runner.invoke(cli, ["--verbose", "jenkins", "status"])
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "Invalid password/token for user: alice" in result.stderr


def test_the_token_is_never_printed(runner, project, monkeypatch):
    monkeypatch.setenv("JENKINS_TOKEN", "s3cret-wrong-token")
    result = runner.invoke(cli, ["--verbose", "jenkins", "build", "--wait"])
    assert "s3cret-wrong-token" not in result.output


def test_the_token_is_not_shown_in_help(runner, monkeypatch):
    monkeypatch.setenv("JENKINS_TOKEN", TOKEN)
    result = runner.invoke(cli, ["jenkins", "build", "--help"])
    assert TOKEN not in result.output


def test_credentials_in_the_url_are_not_printed(runner, free_port, monkeypatch):
    monkeypatch.setenv("JENKINS_URL", f"http://alice:{TOKEN}@127.0.0.1:{free_port}/")
    result = runner.invoke(cli, ["jenkins", "status"])
    assert TOKEN not in result.output
    assert f"http://127.0.0.1:{free_port}/" in result.stderr


def test_a_server_error_is_one_line(runner, project, jenkins_state):
    jenkins_state.broken_paths.add(f"/job/{JOB}/job/master/build")
    result = runner.invoke(cli, ["jenkins", "build"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Jenkins at ")
    assert result.stderr.endswith("failed with HTTP 500 while trying to start a build: "
                                  "see the Jenkins system log\n")


def test_a_jenkins_that_never_answers_times_out(listening_socket):
    client = JenkinsClient(f"http://127.0.0.1:{listening_socket}/", "alice", TOKEN, timeout=0.3)
    with pytest.raises(DeliveryError, match="did not answer in time while trying to look up"):
        client.require_job(JOB)


def test_other_request_failures_are_one_line(jenkins_env):
    client = JenkinsClient(jenkins_env, "alice", TOKEN)
    with pytest.raises(DeliveryError, match="failed to read build #1"):
        with client.errors("read build #1", JOB):
            raise requests.exceptions.TooManyRedirects("Exceeded 30 redirects.")


def test_safe_url_keeps_path_and_drops_credentials():
    assert safe_url("https://u:p@ci.example:8443/jenkins/") == "https://ci.example:8443/jenkins/"


@pytest.mark.parametrize("url", ["not-a-url", "jenkins.example.com:8080", "ftp://ci.test/"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[1])
def test_a_jenkins_url_that_is_not_a_url_is_one_line(runner, monkeypatch, command, url):
    monkeypatch.setenv("JENKINS_URL", url)
    result = runner.invoke(cli, command)
    assert result.exit_code == 1
    assert result.stderr == (f"error: the Jenkins URL {url!r} is not an http(s) URL: pass --url "
                             "or set JENKINS_URL to one such as https://jenkins.example.com/\n")


def test_a_malformed_jenkins_url_with_credentials_is_not_echoed(runner, monkeypatch):
    monkeypatch.setenv("JENKINS_URL", "alice:s3cret@jenkins")
    result = runner.invoke(cli, ["jenkins", "status"])
    assert result.exit_code == 1
    assert "s3cret" not in result.output
