"""`focus-delivery report` and `focus-delivery notify`: the build summary, on disk and by mail."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from delivery import mail
from delivery.errors import DeliveryError
from delivery.params import option_group
from delivery.report import BuildContext, Sources, Summary, collect, missing_inputs
from delivery.report import render_html, render_text, title, write

_ADDRESS_SPLIT = re.compile(r"[,\s]+")


# Add the options that say which build the summary is about and where its inputs are.
summary_options = option_group(
    click.option("--result", envvar="BUILD_RESULT", show_envvar=True, default="UNKNOWN",
                 show_default=True, help="Build result (SUCCESS, UNSTABLE, FAILURE...)."),
    click.option("--job", envvar="JOB_NAME", show_envvar=True,
                 default="focus-meditation-agent", show_default=True, help="Job name."),
    click.option("--number", envvar="BUILD_NUMBER", show_envvar=True, default="",
                 help="Build number."),
    click.option("--branch", envvar="BRANCH_NAME", show_envvar=True, default="",
                 help="Branch (or PR-N) that was built."),
    click.option("--commit", envvar="GIT_COMMIT", show_envvar=True, default="",
                 help="Commit that was built."),
    click.option("--build-url", envvar="BUILD_URL", show_envvar=True, default="",
                 help="The build's Jenkins URL, for links."),
    click.option("--junit", type=click.Path(path_type=Path), show_default=True,
                 default=Path("reports/junit.xml"), help="JUnit XML of the test run."),
    click.option("--coverage", type=click.Path(path_type=Path), show_default=True,
                 default=Path("reports/coverage.xml"), help="Cobertura coverage XML."),
    click.option("--model", type=click.Path(path_type=Path), show_default=True,
                 envvar="MODEL_MANIFEST", show_envvar=True,
                 default=Path("model/artifacts/model.json"), help="Model manifest JSON."),
    click.option("--image-record", type=click.Path(path_type=Path), show_default=True,
                 envvar="IMAGE_RECORD", show_envvar=True, default=Path("reports/image.json"),
                 help="Image record written by `image build` and `image push`."),
)


# The input files: Sources field -> (click parameter, option).
INPUTS = {"junit": ("junit", "--junit"), "coverage": ("coverage", "--coverage"),
          "model": ("model", "--model"), "image": ("image_record", "--image-record")}


def _summary(result: str, job: str, number: str, branch: str, commit: str, build_url: str,
             junit: Path, coverage: Path, model: Path, image_record: Path) -> Summary:
    """Collect the summary from the options of `report` and `notify`.

    An input left at its default or set by the environment (as `make notify` does) may be
    missing: a failed build did not make them all. One named on the command line must exist,
    so a typo is not reported as "not available".
    """
    context = BuildContext(job=job, number=number, branch=branch, commit=commit,
                           url=build_url, result=result.upper())
    sources = Sources(junit=junit, coverage=coverage, model=model, image=image_record)
    ctx = click.get_current_context()
    named = {field for field, (param, _) in INPUTS.items()
             if ctx.get_parameter_source(param) == ParameterSource.COMMANDLINE}
    missing = missing_inputs(sources, named)
    if missing:
        raise DeliveryError("no such file: " + ", ".join(
            f"{INPUTS[field][1]} {getattr(sources, field)}" for field in missing))
    return collect(context, sources)


@click.command(short_help="Write the build summary as text and HTML.")
@summary_options
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports"), show_default=True,
              help="Where summary.txt and summary.html are written.")
def report(out_dir: Path, **inputs: Any) -> None:
    """Write the build summary as text and HTML (summary.txt, summary.html) and print the text.

    Jenkins's emailext can use reports/summary.html as its body. A SUCCESS without a test run
    is reported as UNTESTED.
    """
    click.echo(write(_summary(**inputs), out_dir), nl=False)


@click.command(short_help="E-mail the build summary (text + HTML).")
@summary_options
@click.option("--to", "recipients", multiple=True, envvar="ADMIN_EMAIL", show_envvar=True,
              help="Recipient; repeat for more (default: ADMIN_EMAIL, comma-separated).")
@click.option("--from", "sender", envvar="SMTP_FROM", show_envvar=True,
              default="focus-delivery@localhost", show_default=True, help="Sender address.")
@click.option("--smtp-host", envvar="SMTP_HOST", show_envvar=True, default="localhost",
              show_default=True, help="SMTP server host.")
@click.option("--smtp-port", envvar="SMTP_PORT", show_envvar=True, default=25, type=int,
              show_default=True, help="SMTP server port.")
@click.option("--smtp-starttls", envvar="SMTP_STARTTLS", show_envvar=True, type=bool,
              default=False, show_default=True, help="Upgrade the connection with STARTTLS.")
@click.option("--smtp-ssl", envvar="SMTP_SSL", show_envvar=True, type=bool, default=None,
              help="SMTPS: TLS from the start (implicit TLS) [default: on for port 465].")
@click.option("--smtp-user", envvar="SMTP_USER", show_envvar=True,
              help="SMTP login user (no login when unset).")
@click.option("--smtp-password", envvar="SMTP_PASSWORD", show_envvar=True,
              help="SMTP login password (never printed).")
def notify(recipients: tuple[str, ...], sender: str, smtp_host: str, smtp_port: int,
           smtp_starttls: bool, smtp_ssl: bool | None, smtp_user: str | None,
           smtp_password: str | None, **inputs: Any) -> None:
    """E-mail the build summary as a multipart text+HTML message over SMTP.

    A login (SMTP_USER) is sent only over TLS: STARTTLS or SMTPS, never in clear.
    """
    addresses = [a for entry in recipients for a in _ADDRESS_SPLIT.split(entry) if a]
    if not addresses:
        raise DeliveryError("no recipients: pass --to ADDRESS or set ADMIN_EMAIL")
    summary = _summary(**inputs)
    message = mail.build_message(sender, addresses, title(summary), render_text(summary),
                                 render_html(summary))
    implicit_tls = smtp_port == mail.SMTPS_PORT if smtp_ssl is None else smtp_ssl
    settings = mail.SmtpSettings(host=smtp_host, port=smtp_port, starttls=smtp_starttls,
                                 implicit_tls=implicit_tls, user=smtp_user,
                                 password=smtp_password)
    mail.send(settings, message)
    click.echo(f"sent \"{title(summary)}\" to {', '.join(addresses)} via {smtp_host}:{smtp_port}")
