"""Deterministic generator of the synthetic meditation-sessions dataset (see data/README.md).

The same seed and row count always produce a byte-identical CSV: only `random.Random.random()`
is used, whose stream Python keeps stable across versions, and no clock is read.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

from model.atomic import write_text_atomically
from model.synthetic import (DURATION_RANGE, MOOD_BEFORE_WEIGHTS, NOISE_RATE, OUTCOMES,
                             typical_distribution)

DEFAULT_SEED = 42
DEFAULT_ROWS = 2000
DEFAULT_OUT = Path(__file__).parent / "group_01" / "meditation_sessions.csv"
FIRST_DAY = date(2024, 1, 1)


def _pick_weighted(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    """Pick a value with the given weights from one uniform draw."""
    draw = rng.random() * sum(weight for _, weight in weighted)
    for value, weight in weighted:
        draw -= weight
        if draw < 0:
            return value
    return weighted[-1][0]


def _duration(rng: random.Random) -> int:
    """A whole number of minutes, uniform over the dataset's range."""
    low, high = DURATION_RANGE
    return low + int(rng.random() * (high - low + 1))


def typical_outcome(rng: random.Random, mood_before: str, minutes: int) -> str:
    """Draw the outcome the rules of the data card give, before self-report noise."""
    typical = typical_distribution(mood_before, minutes)
    if len(typical) == 1:
        return next(iter(typical))
    return "relaxed" if rng.random() < typical["relaxed"] else "calm"


def _reported_outcome(rng: random.Random, mood_before: str, minutes: int) -> str:
    """The typical outcome, replaced by another mood for about NOISE_RATE of sessions."""
    outcome = typical_outcome(rng, mood_before, minutes)
    if rng.random() < NOISE_RATE:
        others = [mood for mood in OUTCOMES if mood != outcome]
        outcome = others[int(rng.random() * len(others))]
    return outcome


def generate_rows(seed: int = DEFAULT_SEED, rows: int = DEFAULT_ROWS) -> list[dict[str, object]]:
    """Generate `rows` sessions in date order, a few per day, from `seed`."""
    rng = random.Random(seed)
    day = FIRST_DAY
    sessions: list[dict[str, object]] = []
    for _ in range(rows):
        if rng.random() < 0.45:
            day += timedelta(days=1)
        mood_before = _pick_weighted(rng, MOOD_BEFORE_WEIGHTS)
        minutes = _duration(rng)
        sessions.append({
            "date": day.isoformat(),
            "duration_minutes": minutes,
            "mood_before": mood_before,
            "mood_after": _reported_outcome(rng, mood_before, minutes),
        })
    return sessions


def render_csv(sessions: list[dict[str, object]]) -> str:
    """Render sessions as CSV text with a header and Unix line endings."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=["date", "duration_minutes", "mood_before", "mood_after"],
        lineterminator="\n",
    )
    writer.writeheader()
    writer.writerows(sessions)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Command line: write the dataset for a seed and a row count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    write_text_atomically(args.out, render_csv(generate_rows(args.seed, args.rows)))
    print(f"wrote {args.rows} sessions (seed {args.seed}) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
