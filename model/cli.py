"""The `focus-agent` command line: validate data, train and gate, score a file, roll back."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from model.artifact import DEFAULT_DIR, load_artifact, publish, rollback
from model.card import render_summary
from model.data import load_sessions, load_store_sessions
from model.errors import ModelError
from model.gate import (DEFAULT_MAX_REGRESSION, DEFAULT_MIN_ACCURACY, DEFAULT_MIN_CLASS_RECALL,
                        DEFAULT_MIN_LIFT, GateRules)
from model.schema import FEATURES
from model.atomic import write_text_atomically
from model.signing import private_key_pem, public_key_text
from model.train import DEFAULT_SEED
from model.workflow import run_training
from store.engine import DEFAULT_URL
from store.errors import StoreError

DEFAULT_DATA = Path("data/group_01/meditation_sessions.csv")
ARTIFACTS_OPTION = click.option(
    "--artifacts", type=click.Path(path_type=Path),
    default=lambda: os.environ.get("MODEL_DIR", str(DEFAULT_DIR)), show_default="$MODEL_DIR or "
    f"{DEFAULT_DIR}", help="Folder of model.joblib, model.json and MODEL_CARD.md.")


class ReportingGroup(click.Group):
    """A group that reports a ModelError or StoreError on one line (or its rows), exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the subcommand; an expected error becomes `error: ...` on stderr."""
        try:
            return super().invoke(ctx)
        except (ModelError, StoreError) as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(1)


@click.group(cls=ReportingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="focus-meditation-agent", prog_name="focus-agent")
def cli() -> None:
    """Focus Meditation Agent: predicts the mood after a meditation session."""


@cli.command("validate-data")
@click.argument("path", type=click.Path(path_type=Path))
def validate_data(path: Path) -> None:
    """Check a sessions CSV against the data contract (exit 0 valid, 1 invalid)."""
    sessions = load_sessions(path)
    click.echo(f"{path}: valid, {len(sessions)} sessions")


@cli.command("train")
@click.option("--data", "data_path", type=click.Path(path_type=Path),
              default=lambda: os.environ.get("DATA_PATH", str(DEFAULT_DATA)),
              show_default=f"$DATA_PATH or {DEFAULT_DATA}", help="Sessions CSV to learn from.")
@click.option("--source", type=click.Choice(["csv", "db"]), default="csv", show_default=True,
              help="Learn from the CSV (--data) or from the journal's stored sessions.")
@click.option("--database-url", default=lambda: os.environ.get("DATABASE_URL") or DEFAULT_URL,
              show_default=f"$DATABASE_URL or {DEFAULT_URL}",
              help="The journal, for --source db.")
@ARTIFACTS_OPTION
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Seed of the split, the CV folds and the classifier.")
@click.option("--min-accuracy", type=click.FloatRange(0, 1), default=DEFAULT_MIN_ACCURACY,
              show_default=True, help="Gate: lowest test accuracy that may ship.")
@click.option("--min-lift", type=click.FloatRange(0, 1), default=DEFAULT_MIN_LIFT,
              show_default=True, help="Gate: required accuracy above the majority baseline.")
@click.option("--max-regression", type=click.FloatRange(0, 1), default=DEFAULT_MAX_REGRESSION,
              show_default=True, help="Gate: largest drop allowed against the deployed model.")
@click.option("--min-class-recall", type=click.FloatRange(0, 1),
              default=DEFAULT_MIN_CLASS_RECALL, show_default=True,
              help="Gate: lowest test recall allowed for every class.")
def train_command(data_path: Path, source: str, database_url: str, artifacts: Path, seed: int,
                  min_accuracy: float, min_lift: float, max_regression: float,
                  min_class_recall: float) -> None:
    """Train, evaluate and gate the model; publish it only when it passes."""
    rules = GateRules(min_accuracy=min_accuracy, min_lift=min_lift,
                      max_regression=max_regression, min_class_recall=min_class_recall)
    data = load_store_sessions(database_url) if source == "db" else data_path
    manifest = run_training(data, artifacts, seed=seed, rules=rules, progress=click.echo)
    click.echo("\n" + render_summary(manifest))
    click.echo(f"\nmodel {manifest['version']} written to {artifacts}")


def _scored_rows(path: Path, artifacts: Path) -> list[dict[str, object]]:
    """Validate an input file and score every row with the fast predictor."""
    sessions = load_sessions(path, columns=FEATURES)
    model = load_artifact(artifacts)
    classes = model.predictor.classes
    probabilities = model.predictor.predict_proba(
        sessions["mood_before"].tolist(), sessions["duration_minutes"].to_numpy())
    labels = np.asarray(classes)[probabilities.argmax(axis=1)]
    return [
        {"duration_minutes": int(minutes), "mood_before": mood, "mood_after": str(label),
         **{f"p_{name}": round(float(p), 6) for name, p in zip(classes, row)}}
        for minutes, mood, label, row in zip(sessions["duration_minutes"],
                                             sessions["mood_before"], labels, probabilities)
    ]


def _render_rows(rows: list[dict[str, object]], as_json: bool) -> str:
    """Rows as a JSON array or as CSV text."""
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(str(row[key]) for key in header) for row in rows]
    return "\n".join(lines) + "\n"


@cli.command("predict")
@click.argument("input_csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this .csv or .json file instead of printing CSV.")
@ARTIFACTS_OPTION
def predict(input_csv: Path, output: Path | None, artifacts: Path) -> None:
    """Score a CSV of duration_minutes,mood_before: mood_after and the four probabilities."""
    if output is not None and output.suffix.lower() not in (".csv", ".json"):
        raise click.BadParameter("must end in .csv or .json", param_hint="--output")
    if output is not None and not output.parent.is_dir():
        raise ModelError(f"cannot write {output}: the folder {output.parent} does not exist "
                         "(create it first)")
    rows = _scored_rows(input_csv, artifacts)
    text = _render_rows(rows, as_json=output is not None and output.suffix.lower() == ".json")
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_text_atomically(output, text)
    except OSError as error:
        raise ModelError(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"scored {len(rows)} sessions into {output}", err=True)


@cli.command("rollback")
@ARTIFACTS_OPTION
def rollback_command(artifacts: Path) -> None:
    """Restore the previous model (and keep the current one as the previous)."""
    manifest = rollback(artifacts)
    click.echo(f"rolled back to model {manifest['version']} in {artifacts}")


@cli.command("publish")
@click.argument("source", type=click.Path(path_type=Path))
@ARTIFACTS_OPTION
def publish_command(source: Path, artifacts: Path) -> None:
    """Verify the model in SOURCE (a CI download) and make it the served one, atomically."""
    manifest = publish(source, artifacts)
    click.echo(f"published model {manifest['version']} in {artifacts}")


@cli.command("verify")
@ARTIFACTS_OPTION
def verify_command(artifacts: Path) -> None:
    """Check the served model exactly as the server does at start-up (signature included)."""
    model = load_artifact(artifacts)
    click.echo(f"model {model.version} in {artifacts}: verified")


@cli.command("signing-key")
@click.option("--private", "private_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the new private key (PEM, mode 600): MODEL_SIGNING_KEY_FILE.")
@click.option("--public", "public_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the public key (one base64 line) here: MODEL_VERIFY_KEY_FILE.")
def signing_key_command(private_path: Path, public_path: Path | None) -> None:
    """Make a new Ed25519 key pair for signing models; prints the public key."""
    key = Ed25519PrivateKey.generate()
    try:
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise ModelError(f"cannot create {private_path}: {exc.strerror}") from None
    public = public_key_text(key.public_key())
    target = private_path
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(private_key_pem(key))
        if public_path is not None:
            target = public_path
            write_text_atomically(public_path, public + "\n")
    except OSError as exc:  # no half-made pair: the private key goes too (it was created here)
        private_path.unlink(missing_ok=True)
        raise ModelError(f"cannot write {target}: {exc.strerror or exc}; no key was kept")
    click.echo(public)


def main() -> None:
    """Console-script entry point."""
    cli()
