"""The `focus-delivery` command: Jenkins, the Docker image, build reports and e-mail."""
from __future__ import annotations

from typing import Any

import click

from delivery.cli_image import image
from delivery.cli_jenkins import jenkins
from delivery.cli_report import notify, report
from delivery.errors import DeliveryError


class DeliveryGroup(click.Group):
    """A click group that prints a DeliveryError as one line (details with --verbose)."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; turn a DeliveryError into `error: ...` and its exit code."""
        try:
            return super().invoke(ctx)
        except DeliveryError as exc:
            if exc.log_tail:
                click.echo(exc.log_tail, err=True)
            click.echo(f"error: {exc.message}", err=True)
            if ctx.params.get("verbose") and exc.detail:
                click.echo(exc.detail, err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=DeliveryGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True,
              help="On an error, also print the details behind the one-line message.")
def cli(verbose: bool) -> None:
    """Set up and follow the Jenkins pipeline, build and ship the image, report by e-mail.

    Every option that names an environment variable can be given either way; secrets
    (JENKINS_TOKEN, DOCKERHUB_TOKEN, SMTP_PASSWORD) are never printed.
    """


cli.add_command(jenkins)
cli.add_command(image)
cli.add_command(report)
cli.add_command(notify)


def main() -> None:
    """Entry point of the `focus-delivery` console script."""
    cli(prog_name="focus-delivery")
