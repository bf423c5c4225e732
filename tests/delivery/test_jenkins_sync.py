"""`focus-delivery jenkins sync`: the pipeline job from the template, created or updated.

No Jenkins server can be installed here, so these tests run python-jenkins against the local
stand-in of Jenkins's documented REST API in jenkins_standin.py.
"""
from __future__ import annotations

from xml.etree import ElementTree

import pytest

from delivery import jobs
from delivery.cli import cli
from delivery.errors import DeliveryError
from tests.delivery.jenkins_standin import reserialize

JOB = "focus-meditation-agent"
SYNC = ["jenkins", "sync", "--github-repo", "acme/focus-agent"]
SOURCE = "org.jenkinsci.plugins.github_branch_source.GitHubSCMSource"


def rendered(**overrides) -> str:
    """Render the template for acme/focus-agent."""
    return jobs.render(jobs.JobSpec(name=JOB, github_repo="acme/focus-agent", **overrides))


def test_template_renders_a_multibranch_job_over_the_github_repo():
    root = ElementTree.fromstring(rendered().encode())
    source = root.find(f".//source[@class='{SOURCE}']")
    assert root.tag == "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
    assert (source.findtext("repoOwner"), source.findtext("repository")) == ("acme", "focus-agent")


def test_template_discovers_master_test_dev_and_pull_requests():
    root = ElementTree.fromstring(rendered().encode())
    assert root.findtext(".//includes") == "master test dev PR-*"
    assert root.find(".//org.jenkinsci.plugins.github__branch__source."
                     "OriginPullRequestDiscoveryTrait") is not None


def test_template_builds_every_branch_whether_or_not_a_pr_is_open():
    """Strategy 3 (all branches): strategy 1 would drop dev's job while a PR dev->test is open."""
    root = ElementTree.fromstring(rendered().encode())
    trait = root.find(".//org.jenkinsci.plugins.github__branch__source.BranchDiscoveryTrait")
    assert trait.findtext("strategyId") == "3"


def test_template_keeps_orphaned_branch_jobs_for_30_days():
    strategy = ElementTree.fromstring(rendered().encode()).find("orphanedItemStrategy")
    assert (strategy.findtext("pruneDeadBranches"), strategy.findtext("daysToKeep"),
            strategy.findtext("numToKeep")) == ("true", "30", "-1")


def test_template_builds_from_the_jenkinsfile_path():
    root = ElementTree.fromstring(rendered(jenkinsfile="ci/Jenkinsfile").encode())
    assert root.findtext("factory/scriptPath") == "ci/Jenkinsfile"


def test_the_branch_source_scans_with_the_github_creds_credentials():
    root = ElementTree.fromstring(rendered().encode())
    assert root.findtext(".//credentialsId") == "github-creds"


def test_template_escapes_values():
    root = ElementTree.fromstring(rendered(credentials_id="a<b&c").encode())
    assert root.findtext(".//credentialsId") == "a<b&c"


def test_render_refuses_a_repository_that_is_not_owner_slash_name():
    with pytest.raises(DeliveryError, match="not OWNER/NAME"):
        jobs.render(jobs.JobSpec(name=JOB, github_repo="just-a-name"))


def test_configs_differing_only_in_formatting_are_the_same():
    wanted = rendered()
    reformatted = wanted.replace("\n  ", "\n    ")
    reformatted = reformatted.replace("<?xml version='1.1'", '<?xml version="1.0"')
    assert jobs.same_config(reformatted, wanted)


def test_a_malformed_config_is_refused():
    with pytest.raises(DeliveryError, match="not well-formed"):
        jobs.same_config("<project>", rendered())


def test_the_config_as_jenkins_serves_it_back_is_the_same():
    """Jenkins adds plugin versions and default elements to a posted config; none matters."""
    served = reserialize(rendered())
    assert 'plugin="github-branch-source@' in served and "<apiUri>" in served
    assert jobs.same_config(served, rendered())


def test_a_value_changed_on_the_server_is_not_the_same():
    served = reserialize(rendered()).replace("<strategyId>3</strategyId>",
                                             "<strategyId>1</strategyId>")
    assert not jobs.same_config(served, rendered())


def test_a_trait_left_on_the_server_but_not_in_the_template_is_not_the_same():
    fork = ("<org.jenkinsci.plugins.github__branch__source.ForkPullRequestDiscoveryTrait>"
            "<strategyId>1</strategyId></org.jenkinsci.plugins.github__branch__source."
            "ForkPullRequestDiscoveryTrait>")
    served = reserialize(rendered()).replace("</traits>", fork + "</traits>")
    assert not jobs.same_config(served, rendered())


def test_sync_creates_the_job_when_it_is_missing(runner, jenkins_env, jenkins_state):
    result = runner.invoke(cli, SYNC)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"created job {JOB}\n"
    assert jobs.same_config(jenkins_state.projects[JOB].config_xml, rendered())


def test_sync_sends_the_crumb_with_its_writes(runner, jenkins_env, jenkins_state):
    runner.invoke(cli, SYNC)
    assert ("GET", "/crumbIssuer/api/json") in jenkins_state.requests
    assert jenkins_state.writes() == [("POST", "/createItem")]


def test_sync_twice_changes_nothing_the_second_time(runner, jenkins_env, jenkins_state):
    """The stand-in stores the config re-serialized, as Jenkins does; sync must see through it."""
    runner.invoke(cli, SYNC)
    before = len(jenkins_state.writes())
    result = runner.invoke(cli, SYNC)
    assert result.stdout == f"job {JOB} is up to date\n"
    assert len(jenkins_state.writes()) == before


def test_sync_updates_a_job_whose_config_differs(runner, jenkins_env, jenkins_state):
    jenkins_state.add_project(JOB, config_xml=rendered(jenkinsfile="old/Jenkinsfile"))
    result = runner.invoke(cli, SYNC)
    assert result.stdout == f"updated job {JOB}\n"
    assert jenkins_state.writes() == [("POST", f"/job/{JOB}/config.xml")]
    assert jobs.same_config(jenkins_state.projects[JOB].config_xml, rendered())


def test_dry_run_prints_the_xml_and_the_diff(runner, jenkins_env, jenkins_state):
    jenkins_state.add_project(JOB, config_xml=rendered(jenkinsfile="old/Jenkinsfile"))
    result = runner.invoke(cli, SYNC + ["--dry-run"])
    assert result.exit_code == 0
    assert result.stdout.startswith(rendered())
    assert "-    <scriptPath>old/Jenkinsfile</scriptPath>" in result.stdout
    assert "+    <scriptPath>Jenkinsfile</scriptPath>" in result.stdout


def test_dry_run_changes_nothing_on_the_server(runner, jenkins_env, jenkins_state):
    jenkins_state.add_project(JOB, config_xml=rendered(jenkinsfile="old/Jenkinsfile"))
    runner.invoke(cli, SYNC + ["--dry-run"])
    assert jenkins_state.writes() == []
    assert "old/Jenkinsfile" in jenkins_state.projects[JOB].config_xml


def test_dry_run_says_a_missing_job_would_be_created(runner, jenkins_env, jenkins_state):
    result = runner.invoke(cli, SYNC + ["--dry-run"])
    assert result.stdout.splitlines()[-1] == (
        f"# dry run: job {JOB} does not exist yet; sync would create it")
    assert JOB not in jenkins_state.projects


def test_dry_run_says_an_up_to_date_job_would_not_change(runner, jenkins_env, jenkins_state):
    jenkins_state.add_project(JOB, config_xml=rendered())
    result = runner.invoke(cli, SYNC + ["--dry-run"])
    assert result.stdout.splitlines()[-1] == (
        f"# dry run: job {JOB} is up to date; sync would change nothing")


def test_sync_takes_the_repository_from_github_repository(runner, jenkins_env, jenkins_state,
                                                          monkeypatch):
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/focus-agent")
    result = runner.invoke(cli, ["jenkins", "sync"])
    assert result.exit_code == 0
    assert jobs.same_config(jenkins_state.projects[JOB].config_xml, rendered())


def test_sync_without_a_jenkins_url_says_so(runner):
    result = runner.invoke(cli, SYNC)
    assert result.exit_code == 1
    assert result.stderr == "error: no Jenkins URL: pass --url or set JENKINS_URL\n"
