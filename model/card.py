"""Human-readable views of a manifest: the MODEL_CARD.md and the terminal summary table."""

from __future__ import annotations

from typing import Any


def _metrics_rows(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline metrics as (name, value) pairs."""
    metrics = manifest["metrics"]
    cv = metrics["cv"]
    return [
        ("test accuracy", f"{metrics['accuracy']:.4f}"),
        ("macro-F1", f"{metrics['macro_f1']:.4f}"),
        ("log-loss", f"{metrics['log_loss']:.4f}"),
        (f"majority baseline ({metrics['baseline_class']})", f"{metrics['baseline_accuracy']:.4f}"),
        (f"CV accuracy ({cv['folds']}-fold, C={cv['best_c']:g})",
         f"{cv['mean']:.4f} ± {cv['std']:.4f}"),
    ]


def _per_class_rows(manifest: dict[str, Any]) -> list[list[str]]:
    """Precision, recall, F1 and support per class."""
    return [[label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}",
             str(m["support"])] for label, m in manifest["metrics"]["per_class"].items()]


def _confusion_rows(manifest: dict[str, Any]) -> list[list[str]]:
    """Confusion-matrix rows: the true class, then counts per predicted class."""
    confusion = manifest["metrics"]["confusion_matrix"]
    return [[label, *map(str, row)] for label, row in zip(confusion["labels"],
                                                          confusion["matrix"])]


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    line = "  ".join("{:<%d}" % width for width in widths)
    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line.format(*header), rule] + [line.format(*row) for row in rows])


def render_card(manifest: dict[str, Any]) -> str:
    """The model card: intended use, data, metrics, confusion matrix and limits."""
    data, features = manifest["data"], manifest["features"]
    low, high = features["duration_minutes"]["trained_range"]
    labels = manifest["metrics"]["confusion_matrix"]["labels"]
    return "\n\n".join([
        f"# Model card — Focus Meditation Agent {manifest['version']}",
        "## Intended use\nSuggests the mood a person is likely to report after a meditation"
        " session, from its length and their mood before. For self-guidance and for choosing"
        " a session length; not a medical or psychological assessment.",
        f"## Data\n`{data['path']}` — {data['rows']} sessions, sha256 `{data['sha256']}`."
        f" Synthetic (see `data/README.md`). Trained durations: {low}–{high} minutes; moods"
        f" before: {', '.join(features['mood_before']['allowed'])}.",
        "## Model\n`OneHotEncoder`(mood_before) + `StandardScaler`(duration_minutes) →"
        f" `LogisticRegression`(C={manifest['parameters']['C']:g}), scikit-learn"
        f" {manifest['libraries']['scikit-learn']}. Created {manifest['created_at']}"
        f" from commit {manifest.get('git_commit') or 'unknown'}.",
        "## Metrics (held-out 20% test split)\n"
        + _markdown_table(["metric", "value"], [list(row) for row in _metrics_rows(manifest)]),
        "### Per class\n" + _markdown_table(["class", "precision", "recall", "F1", "support"],
                                            _per_class_rows(manifest)),
        "### Confusion matrix (rows: true, columns: predicted)\n"
        + _markdown_table(["true \\ predicted", *labels], _confusion_rows(manifest)),
        "## Limits\n- Trained on synthetic self-reports with about 20% deliberate noise:"
        " roughly one answer in four is expected to be wrong.\n"
        f"- Durations outside {low}–{high} minutes are extrapolated (the API warns).\n"
        "- Two inputs only: sleep, time of day, experience and technique are not seen.\n",
    ])


def render_summary(manifest: dict[str, Any]) -> str:
    """The training summary printed to the terminal."""
    return "\n\n".join([
        _text_table(["metric", "value"], [list(row) for row in _metrics_rows(manifest)]),
        _text_table(["class", "precision", "recall", "F1", "support"],
                    _per_class_rows(manifest)),
        _text_table(["true \\ predicted", *manifest["metrics"]["confusion_matrix"]["labels"]],
                    _confusion_rows(manifest)),
    ])
