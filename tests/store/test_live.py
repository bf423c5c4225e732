"""Live accuracy and input drift (PSI), against figures computed by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from store.journal import Journal
from store.live import duration_bucket, input_profile, live_for, live_report, psi

TRAINING = {"mood_before": {"stressed": 0.5, "tired": 0.5}, "duration_minutes": {"10-14": 1.0}}
OUTCOMES = [("stressed", 12, "calm", 3), ("tired", 12, "energized", 1), ("tired", 40, "calm", 1)]
CLASSES = ["calm", "relaxed", "focused", "energized"]


def by_mood(mood: str, minutes: int) -> str:
    """A stand-in model: stressed people end calm, tired ones energized."""
    return {"stressed": "calm", "tired": "energized"}[mood]


def test_accuracy_overall_and_per_true_class() -> None:
    report = live_report(OUTCOMES, by_mood, CLASSES, TRAINING, "2025-01-01T00:00:00+00:00")
    assert report["sessions"] == 5
    assert report["accuracy"] == pytest.approx(4 / 5)
    assert report["per_class"]["calm"] == {"sessions": 4, "accuracy": pytest.approx(3 / 4)}
    assert report["per_class"]["energized"] == {"sessions": 1, "accuracy": 1.0}
    assert report["per_class"]["relaxed"] == {"sessions": 0, "accuracy": None}


def test_psi_of_moods_and_duration_buckets_by_hand() -> None:
    report = live_report(OUTCOMES, by_mood, CLASSES, TRAINING, "2025-01-01T00:00:00+00:00")
    moods = (0.6 - 0.5) * math.log(0.6 / 0.5) + (0.4 - 0.5) * math.log(0.4 / 0.5)
    durations = (0.8 - 1.0) * math.log(0.8 / 1.0) + (0.2 - 1e-4) * math.log(0.2 / 1e-4)
    assert report["psi"]["mood_before"] == pytest.approx(moods)  # 0.0405
    assert report["psi"]["duration_minutes"] == pytest.approx(durations)  # 1.564


def test_identical_distributions_have_no_drift() -> None:
    assert psi({"a": 0.25, "b": 0.75}, {"a": 0.25, "b": 0.75}) == 0.0


def test_no_sessions_means_no_figures() -> None:
    report = live_report([], by_mood, CLASSES, TRAINING, "2025-01-01T00:00:00+00:00")
    assert (report["sessions"], report["accuracy"], report["psi"]) == (0, None, None)


def test_buckets_and_profile() -> None:
    assert [duration_bucket(m) for m in (5, 10, 14, 15, 34, 35, 44, 45, 60)] == [
        "5-9", "10-14", "10-14", "15-19", "30-34", "35-44", "35-44", "45+", "45+"]
    assert input_profile([("tired", 12, 3), ("neutral", 20, 1)]) == {
        "mood_before": {"tired": 0.75, "neutral": 0.25},
        "duration_minutes": {"10-14": 0.75, "20-24": 0.25}}


def test_live_figures_from_the_store_count_only_api_sessions_since_training(
        journal: Journal) -> None:
    def row(mood: str, minutes: int, after: str) -> dict:
        return {"date": dt.date(2025, 1, 1), "duration_minutes": minutes, "mood_before": mood,
                "mood_after": after}
    journal.record([row("stressed", 12, "relaxed")] * 4)  # before the model was trained
    trained = dt.datetime.now(dt.timezone.utc).isoformat()
    journal.record([row(mood, minutes, after) for mood, minutes, after, count in OUTCOMES
                    for _ in range(count)])
    manifest = {"created_at": trained, "classes": CLASSES, "data": {"profile": TRAINING}}
    report = live_for(journal, manifest, by_mood)
    assert report["sessions"] == 5 and report["accuracy"] == pytest.approx(0.8)
    assert report["since"] == trained
    assert report["psi"]["mood_before"] == pytest.approx(0.040546, abs=1e-6)
