"""`focus-delivery jenkins ...`: sync the job, run a build, show status and metrics."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import click

from delivery import history, jobs, metrics, runs
from delivery.builds import Build
from delivery.jenkins_client import JenkinsClient, branch_job
from delivery.params import option_group, parse_key_values
from delivery.tables import duration, table

DEFAULT_JOB = "focus-meditation-agent"


# Add the connection options every `jenkins` subcommand shares.
jenkins_options = option_group(
    click.option("--url", envvar="JENKINS_URL", show_envvar=True,
                 help="Jenkins base URL."),
    click.option("--user", envvar="JENKINS_USER", show_envvar=True,
                 help="Jenkins user name."),
    click.option("--token", envvar="JENKINS_TOKEN", show_envvar=True,
                 help="Jenkins API token of that user (never printed)."),
    click.option("--job", envvar="JENKINS_JOB", show_envvar=True, default=DEFAULT_JOB,
                 show_default=True, help="Name of the multibranch pipeline job."),
)


@click.group()
def jenkins() -> None:
    """Manage and follow the Jenkins pipeline job (python-jenkins)."""


@jenkins.command(short_help="Create or update the job from its template.")
@jenkins_options
@click.option("--github-repo", envvar="GITHUB_REPOSITORY", show_envvar=True, required=True,
              help="GitHub repository OWNER/NAME the job builds.")
@click.option("--credentials-id", envvar="JENKINS_GITHUB_CREDENTIALS", show_envvar=True,
              default="github-creds", show_default=True,
              help="Id of the Jenkins credentials used to scan GitHub.")
@click.option("--jenkinsfile", default="Jenkinsfile", show_default=True,
              help="Path of the Jenkinsfile in the repository.")
@click.option("--dry-run", is_flag=True,
              help="Print the XML and its diff against the server's config; change nothing.")
def sync(url: str, user: str, token: str, job: str, github_repo: str, credentials_id: str,
         jenkinsfile: str, dry_run: bool) -> None:
    """Create or update the pipeline job from delivery/templates/job-config.xml (idempotent).

    The job is a multibranch pipeline over the GitHub repository: branches master, test and
    dev and pull requests (PR-*), each built from the Jenkinsfile.
    """
    spec = jobs.JobSpec(name=job, github_repo=github_repo, credentials_id=credentials_id,
                        jenkinsfile=jenkinsfile)
    wanted = jobs.render(spec)
    client = JenkinsClient(url, user, token)
    current = client.job_config(job)
    if dry_run:
        click.echo(wanted, nl=False)
        click.echo(_dry_run_verdict(job, current, wanted))
        return
    if current is None:
        client.create_job(job, wanted)
        click.echo(f"created job {job}")
    elif jobs.same_config(current, wanted):
        click.echo(f"job {job} is up to date")
    else:
        client.update_job(job, wanted)
        click.echo(f"updated job {job}")


def _dry_run_verdict(job: str, current: str | None, wanted: str) -> str:
    """Say what sync would do, with the diff when it would update."""
    if current is None:
        return f"# dry run: job {job} does not exist yet; sync would create it"
    if jobs.same_config(current, wanted):
        return f"# dry run: job {job} is up to date; sync would change nothing"
    return (f"# dry run: sync would update job {job}:\n"
            + jobs.diff(current, wanted, f"{job}/config.xml").rstrip("\n"))


@jenkins.command(short_help="Trigger a build and follow it to its result.")
@jenkins_options
@click.option("--branch", default="master", show_default=True,
              help="Branch (or PR-N) job of the multibranch pipeline to build.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Build parameter; repeat for more.")
@click.option("--wait", is_flag=True, help="Wait for the result; exit 0 only on SUCCESS.")
@click.option("--follow", is_flag=True, help="Stream the console as it grows (implies --wait).")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--timeout", default=3600.0, show_default=True,
              help="Seconds to wait at most for the queue and for the build.")
@click.option("--tail", default=30, show_default=True,
              help="Lines of the console to show when a build fails (without --follow).")
@click.pass_context
def build(ctx: click.Context, url: str, user: str, token: str, job: str, branch: str,
          params: tuple[str, ...], wait: bool, follow: bool, poll: float, timeout: float,
          tail: int) -> None:
    """Trigger a build, wait for it to leave the queue, optionally follow it to its result.

    The last line is the result and the build's URL; the exit code is 0 only on SUCCESS.
    """
    client = JenkinsClient(url, user, token)
    name = branch_job(job, branch)
    waiting = runs.Waiting(poll_s=poll, timeout_s=timeout)
    item = client.trigger(name, parse_key_values(params, "--param"))
    click.echo(f"queued {name} (queue item {item})")
    executable = runs.started_build(client, item, waiting)
    number = int(executable["number"])
    click.echo(f"started {name} #{number} {executable.get('url', '')}".rstrip())
    if not (wait or follow):
        return
    if follow:
        _follow(client, name, number, waiting)
    info = runs.finished_build(client, name, number, waiting)
    result = info["result"]
    if result != "SUCCESS" and not follow:
        click.echo(runs.log_tail(client.console_text(name, number), tail))
    click.echo(f"{result} {name} #{number} {info.get('url', '')}".rstrip())
    if result != "SUCCESS":
        ctx.exit(1)


def _follow(client: JenkinsClient, name: str, number: int, waiting: runs.Waiting) -> None:
    """Echo the console as it grows, ending it with a newline if it lacks one."""
    last = ["\n"]

    def write(text: str) -> None:
        click.echo(text, nl=False)
        last[0] = text[-1]

    runs.follow_console(client, name, number, write, waiting)
    if last[0] != "\n":
        click.echo()


@jenkins.command(short_help="Table of the recent builds of all branches.")
@jenkins_options
@click.option("--last", default=10, show_default=True, help="How many builds to show.")
def status(url: str, user: str, token: str, job: str, last: int) -> None:
    """Show the most recent builds over all branches: result, duration, cause, image tag."""
    client = JenkinsClient(url, user, token)
    builds = history.recent_builds(client, job, last)
    if not builds:
        click.echo(f"job {job} has no builds yet")
        return
    click.echo(table(["BUILD", "RESULT", "DURATION", "STARTED (UTC)", "CAUSE", "IMAGE"],
                     [_status_row(job, b) for b in builds]))


def _status_row(job: str, build: Build) -> list[str]:
    """Return one row of the status table."""
    branch = build.job[len(job) + 1:] if build.job.startswith(job + "/") else build.job
    return [
        f"{branch} #{build.number}",
        build.result or "RUNNING",
        "-" if build.building else duration(build.duration_s),
        f"{build.started:%Y-%m-%d %H:%M}",
        build.cause or "-",
        build.image.rpartition(":")[2] if build.image else "-",
    ]


@jenkins.command("metrics", short_help="Success rate, deployments, lead time, MTTR.")
@jenkins_options
@click.option("--days", default=30, show_default=True, type=click.IntRange(min=1),
              help="Window of history, in days before now.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def metrics_command(url: str, user: str, token: str, job: str, days: int,
                    as_json: bool) -> None:
    """Compute success rate, deployment frequency, lead time and time to recovery."""
    client = JenkinsClient(url, user, token)
    now = datetime.now(timezone.utc)
    found = history.builds_since(client, job, now - timedelta(days=days))
    result = metrics.compute(found, days, now)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(metrics.render(result))
