"""`focus-agent db upgrade|seed` and `focus-agent monitor`: the journal from the command line.

Seeding goes through the data contract (model/data.py) here, in the command layer, so that
store/ stays free of model/: the store receives rows that are already validated.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Callable

import click

from app.serving import ServingModel
from app.store_state import predicted_mood
from model.artifact import load_artifact
from model.cli import ARTIFACTS_OPTION, cli
from model.data import file_sha256, load_sessions
from model.errors import ModelError
from store.engine import DEFAULT_URL
from store.errors import StoreUnavailable
from store.journal import Journal
from store.live import live_for

DATABASE_OPTION = click.option(
    "--database-url", default=lambda: os.environ.get("DATABASE_URL") or DEFAULT_URL,
    show_default=f"$DATABASE_URL or {DEFAULT_URL}", help="The journal's database.")


def seed_file(store: Journal, path: Path) -> int:
    """Validate a sessions CSV against the data contract and store it once; rows added."""
    frame = load_sessions(path)
    rows = [{"date": dt.date.fromisoformat(date), "duration_minutes": int(minutes),
             "mood_before": before, "mood_after": after}
            for date, minutes, before, after in frame.itertuples(index=False)]
    return store.seed(rows, file_sha256(path), path.name)


def prepare_store(database_url: str, data_path: Path, progress: Callable[[str], None]) -> bool:
    """Upgrade the store and seed it from data_path when it is empty; False if unavailable.

    A store that cannot be prepared does not stop the server: /predict still works, and
    /health and the store's endpoints say what is wrong.
    """
    store = Journal(database_url)
    try:
        store.upgrade()
        if store.is_empty():
            added = seed_file(store, data_path)
            progress(f"store {store.url} was empty: seeded {added} sessions from {data_path}")
        return True
    except StoreUnavailable as error:
        progress(f"warning: store {store.url} unavailable, serving without it: {error}")
    except ModelError as error:
        progress(f"warning: store {store.url} not seeded: {error}")
    finally:
        store.dispose()
    return False


@cli.group("db")
def db() -> None:
    """The sessions journal's database (DATABASE_URL): migrations and seeding."""


@db.command("upgrade")
@DATABASE_OPTION
def upgrade_command(database_url: str) -> None:
    """Create or migrate the journal's tables to the newest revision."""
    store = Journal(database_url)
    store.upgrade()
    store.check()
    click.echo(f"store {store.url} is at the newest revision")


@db.command("seed")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@DATABASE_OPTION
def seed_command(path: Path, database_url: str) -> None:
    """Validate FILE.csv against the data contract and store it (a second time adds nothing)."""
    store = Journal(database_url)
    store.check()
    added = seed_file(store, path)
    if added:
        click.echo(f"seeded {added} sessions from {path} into {store.url}")
    else:
        click.echo(f"{path} was already seeded into {store.url}: nothing added")


def monitor_failures(live: dict[str, Any], min_accuracy: float, min_sessions: int,
                     max_psi: float) -> list[str]:
    """Every threshold the served model misses on real outcomes (judged from min_sessions)."""
    if live["sessions"] < min_sessions:
        return []
    failures = []
    if live["accuracy"] < min_accuracy:
        failures.append(f"live accuracy {live['accuracy']:.4f} on {live['sessions']} sessions"
                        f" is below {min_accuracy:.4f}")
    for name, value in (live["psi"] or {}).items():
        if value > max_psi:
            failures.append(f"input drift: PSI of {name} is {value:.4f}, over {max_psi:.4f}")
    return failures


@cli.command("monitor")
@click.option("--min-accuracy", type=click.FloatRange(0, 1), default=0.6, show_default=True,
              help="Lowest accuracy on the sessions recorded since training.")
@click.option("--min-sessions", type=click.IntRange(1), default=30, show_default=True,
              help="Judge only with at least this many sessions since training.")
@click.option("--max-psi", type=click.FloatRange(0), default=0.25, show_default=True,
              help="Highest population stability index of an input.")
@click.option("--json", "as_json", is_flag=True, help="Print the live figures as JSON.")
@ARTIFACTS_OPTION
@DATABASE_OPTION
def monitor_command(min_accuracy: float, min_sessions: int, max_psi: float, as_json: bool,
                    artifacts: Path, database_url: str) -> None:
    """Check the served model on real outcomes; exit 1 with the reason below a threshold."""
    model = ServingModel(load_artifact(artifacts))
    live = live_for(Journal(database_url), model.loaded.manifest,
                    lambda mood, minutes: predicted_mood(model, mood, minutes))
    failures = monitor_failures(live, min_accuracy, min_sessions, max_psi)
    verdict = ("fail" if failures else "ok" if live["sessions"] >= min_sessions
               else "not enough sessions")
    if as_json:
        click.echo(json.dumps({"model_version": model.version, "verdict": verdict,
                               "failures": failures, "live": live}, indent=2))
    else:
        accuracy = "n/a" if live["accuracy"] is None else f"{live['accuracy']:.4f}"
        click.echo(f"model {model.version}: {live['sessions']} sessions since {live['since']},"
                   f" accuracy {accuracy}, PSI {json.dumps(live['psi'])}: {verdict}")
    for failure in failures:
        click.echo(f"error: {failure}", err=True)
    if failures:
        raise SystemExit(1)
