"""The served model on real outcomes: accuracy on the sessions people recorded since it was
trained, and the drift of its inputs (population stability index) against the training data.

Plain functions over counts, so the API (`GET /model`), `focus-agent monitor` and a metrics
gauge all compute the same figures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any, Callable, Iterable, Mapping, Sequence

# Duration buckets for the PSI and /stats: five-minute steps from the contract's shortest
# session (5), wider at the top.
DURATION_BUCKETS: tuple[tuple[int, int], ...] = (
    (5, 9), (10, 14), (15, 19), (20, 24), (25, 29), (30, 34), (35, 44), (45, 1440))
PSI_FLOOR = 1e-4  # share given to an empty bin, so that the logarithm stays finite
Outcome = tuple[str, int, str, int]  # mood_before, duration_minutes, mood_after, count
Predict = Callable[[str, int], str]


def bucket_label(low: int, high: int) -> str:
    """A bucket's name, e.g. '10-14', '45+'."""
    return f"{low}+" if high >= 1440 else f"{low}-{high}"


def duration_bucket(minutes: int) -> str:
    """The bucket a duration falls in."""
    for low, high in DURATION_BUCKETS:
        if low <= minutes <= high:
            return bucket_label(low, high)
    raise ValueError(f"duration {minutes} is outside every bucket")


def shares(counts: Mapping[str, int]) -> dict[str, float]:
    """Counts turned into shares of their total (empty when the total is 0)."""
    total = sum(counts.values())
    return {name: count / total for name, count in counts.items()} if total else {}


def psi(expected: Mapping[str, float], actual: Mapping[str, float]) -> float:
    """Population stability index: sum of (actual - expected) * ln(actual / expected).

    Bins missing on either side count as PSI_FLOOR. Under 0.1 is usually read as stable,
    0.1-0.25 as a moderate shift, over 0.25 as a significant one.
    """
    total = 0.0
    for name in sorted(set(expected) | set(actual)):
        e = max(expected.get(name, 0.0), PSI_FLOOR)
        a = max(actual.get(name, 0.0), PSI_FLOOR)
        total += (a - e) * math.log(a / e)
    return total


def input_profile(inputs: Iterable[tuple[str, int, int]]) -> dict[str, dict[str, float]]:
    """Shares of each mood before and of each duration bucket in (mood, minutes, count)."""
    moods: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    for mood, minutes, count in inputs:
        moods[mood] += count
        buckets[duration_bucket(minutes)] += count
    return {"mood_before": shares(moods), "duration_minutes": shares(buckets)}


def live_report(outcomes: Sequence[Outcome], predict: Predict, classes: Sequence[str],
                training_profile: Mapping[str, Mapping[str, float]] | None,
                since: str) -> dict[str, Any]:
    """Sessions since `since`, the model's accuracy on them (overall, per true class), PSI."""
    total = sum(count for *_, count in outcomes)
    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for mood, minutes, actual, count in outcomes:
        seen[actual] += count
        if predict(mood, minutes) == actual:
            right[actual] += count
    per_class = {label: {"sessions": seen[label],
                         "accuracy": right[label] / seen[label] if seen[label] else None}
                 for label in list(classes) + sorted(set(seen) - set(classes))}
    drift = None
    if total and training_profile:
        live = input_profile((mood, minutes, count) for mood, minutes, _, count in outcomes)
        drift = {name: psi(training_profile.get(name, {}), live[name]) for name in live}
    return {"since": since, "sessions": total,
            "accuracy": sum(right.values()) / total if total else None,
            "per_class": per_class, "psi": drift}


def live_for(journal: Any, manifest: Mapping[str, Any], predict: Predict) -> dict[str, Any]:
    """live_report for a model (its manifest) over the journal's sessions since it was trained.

    journal is a store.journal.Journal; raises StoreUnavailable when the store is down.
    """
    since = manifest["created_at"]
    moment = dt.datetime.fromisoformat(since)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return live_report(journal.outcomes_since(moment), predict, manifest.get("classes", []),
                       manifest.get("data", {}).get("profile"), since)
