"""`focus-delivery report` and `focus-delivery notify`: the build summary, on disk and by mail."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from delivery import mail
from delivery.errors import DeliveryError
from delivery.params import option_group
from delivery.report import BuildContext, Sources, Summary, collect, render_html, render_text
from delivery.report import title

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
                 default=Path("model/artifacts/model.json"), help="Model manifest JSON."),
    click.option("--image-record", type=click.Path(path_type=Path), show_default=True,
                 default=Path("reports/image.json"),
                 help="Image record written by `image build` and `image push`."),
)


def _summary(result: str, job: str, number: str, branch: str, commit: str, build_url: str,
             junit: Path, coverage: Path, model: Path, image_record: Path) -> Summary:
    """Collect the summary from the options of `report` and `notify`."""
    context = BuildContext(job=job, number=number, branch=branch, commit=commit,
                           url=build_url, result=result.upper())
    return collect(context, Sources(junit=junit, coverage=coverage, model=model,
                                    image=image_record))


@click.command(short_help="Write the build summary as text and HTML.")
@summary_options
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports"), show_default=True,
              help="Where summary.txt and summary.html are written.")
def report(out_dir: Path, **inputs: Any) -> None:
    """Write the build summary as text and HTML (summary.txt, summary.html) and print the text.

    Jenkins's emailext can use reports/summary.html as its body.
    """
    summary = _summary(**inputs)
    text = render_text(summary)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.txt").write_text(text, "utf-8")
    (out_dir / "summary.html").write_text(render_html(summary), "utf-8")
    click.echo(text, nl=False)


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
@click.option("--smtp-user", envvar="SMTP_USER", show_envvar=True,
              help="SMTP login user (no login when unset).")
@click.option("--smtp-password", envvar="SMTP_PASSWORD", show_envvar=True,
              help="SMTP login password (never printed).")
def notify(recipients: tuple[str, ...], sender: str, smtp_host: str, smtp_port: int,
           smtp_starttls: bool, smtp_user: str | None, smtp_password: str | None,
           **inputs: Any) -> None:
    """E-mail the build summary as a multipart text+HTML message over SMTP."""
    addresses = [a for entry in recipients for a in _ADDRESS_SPLIT.split(entry) if a]
    if not addresses:
        raise DeliveryError("no recipients: pass --to ADDRESS or set ADMIN_EMAIL")
    summary = _summary(**inputs)
    message = mail.build_message(sender, addresses, title(summary), render_text(summary),
                                 render_html(summary))
    settings = mail.SmtpSettings(host=smtp_host, port=smtp_port, starttls=smtp_starttls,
                                 user=smtp_user, password=smtp_password)
    mail.send(settings, message)
    click.echo(f"sent \"{title(summary)}\" to {', '.join(addresses)} via {smtp_host}:{smtp_port}")
