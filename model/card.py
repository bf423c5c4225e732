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
        ("Brier score (0 best, 2 worst)", f"{metrics['calibration']['brier']:.4f}"),
    ]


def _limit_rows(manifest: dict[str, Any]) -> list[list[str]]:
    """This model against the Bayes-optimal classifier on the same test split."""
    metrics, limit = manifest["metrics"], manifest["limit"]
    return [[name, f"{metrics[key]:.4f}", f"{limit[key]:.4f}",
             f"{(limit[key] - metrics[key]) * sign:+.4f}"]
            for name, key, sign in (("accuracy", "accuracy", 1), ("macro-F1", "macro_f1", 1),
                                    ("log-loss", "log_loss", -1))]


def _selection_rows(manifest: dict[str, Any]) -> list[list[str]]:
    """Every candidate of the search space with its CV scores and its role."""
    selection = manifest["selection"]
    rows = []
    for index, row in enumerate(selection["candidates"]):
        role = " ".join(word for word, flag in (
            ("chosen", index == selection["chosen_index"]),
            ("best mean", row["name"] == selection["best_by_mean"])) if flag)
        rows.append([row["name"], f"{row['log_loss']['mean']:.4f} ± {row['log_loss']['se']:.4f}",
                     f"{row['accuracy']['mean']:.4f}", f"{row['macro_f1']['mean']:.4f}", role])
    return rows


SELECTION_HEADER = ["candidate", "CV log-loss ± SE", "CV accuracy", "CV macro-F1", ""]


def _per_class_rows(manifest: dict[str, Any]) -> list[list[str]]:
    """Precision, recall, F1 and support per class."""
    return [[label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}",
             str(m["support"])] for label, m in manifest["metrics"]["per_class"].items()]


def _confusion_rows(manifest: dict[str, Any]) -> list[list[str]]:
    """Confusion-matrix rows: the true class, then counts per predicted class."""
    confusion = manifest["metrics"]["confusion_matrix"]
    return [[label, *map(str, row)] for label, row in zip(confusion["labels"],
                                                          confusion["matrix"])]


def _reliability_rows(manifest: dict[str, Any]) -> list[list[str]]:
    """One row per probability bin: forecasts, mean stated probability, observed frequency."""
    return [[f"{row['low']:.1f}–{row['high']:.1f}", str(row["count"]),
             f"{row['mean_probability']:.3f}", f"{row['observed_frequency']:.3f}"]
            for row in manifest["metrics"]["calibration"]["bins"]]


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


def _model_section(manifest: dict[str, Any]) -> str:
    """What was fitted, with which parameters, from which code."""
    params = manifest["parameters"]
    interaction = params.get("features") == "interaction"
    weights = f", class_weight={params['class_weight']}" if params.get("class_weight") else ""
    steps = ("`OneHotEncoder`(mood_before) + `StandardScaler`(duration_minutes) → "
             + ("`MoodDurationInteraction` (each mood its own duration slope) → "
                if interaction else "")
             + f"`LogisticRegression`(C={params['C']:g}{weights})")
    return (f"## Model\n{steps}, scikit-learn {manifest['libraries']['scikit-learn']}."
            f" Created {manifest['created_at']} from commit"
            f" {manifest.get('git_commit') or 'unknown'}.")


def _selection_section(manifest: dict[str, Any]) -> str:
    """The declared space, the criterion, the rule, every candidate's scores and the choice."""
    selection = manifest["selection"]
    space = selection["space"]
    margin = selection.get("simpler_margin_in_se")
    why = (f" The best simpler candidate, {selection['simpler_best']}, is {margin:.1f} standard"
           " errors behind the best mean, so the extra complexity is more than CV noise."
           if margin is not None else "")
    return (
        "## Model selection (cross-validation on the training part only)\n"
        f"Space: features {' / '.join(space['features'])} × C ∈"
        f" {{{', '.join(f'{c:g}' for c in space['C'])}}} × class_weight"
        f" {' / '.join(str(w or 'none') for w in space['class_weight'])}"
        f" ({len(selection['candidates'])} candidates, the same {selection['folds']} folds"
        f" each).\nCriterion: {selection['criterion']}; macro-F1 and accuracy are reported, not"
        f" optimised.\nRule: {selection['rule']}.\n\n"
        f"Best mean: **{selection['best_by_mean']}**; threshold {selection['threshold']:.4f};"
        f" chosen: **{selection['chosen']}**.{why}\n\n"
        + _markdown_table(SELECTION_HEADER, _selection_rows(manifest)))


def _limit_section(manifest: dict[str, Any]) -> str:
    """The Bayes-optimal limit implied by the generator's rules, and this model's distance."""
    limit = manifest["limit"]
    return (
        "## The limit (Bayes-optimal, from the generator's rules)\n"
        "The data card (`data/README.md`) states the rules that generated the data; the best any"
        " model can do is to answer, for each mood and duration, the most probable mood after"
        " under those rules (`model/limit.py`). Expected accuracy of that classifier over the"
        f" generator's moods and durations: **{limit['expected_accuracy']:.4f}**. On this"
        " test split (the distance is the limit minus this model; for log-loss, this model"
        " minus the limit):\n\n"
        + _markdown_table(["metric", "this model", "Bayes-optimal", "distance"],
                          _limit_rows(manifest))
        + "\n\nValid for data drawn by those rules (the bundled dataset); for other data the"
        " limit is unknown.")


def _calibration_section(manifest: dict[str, Any]) -> str:
    """Brier score and the reliability table, since the page shows probabilities to people."""
    calibration = manifest["metrics"]["calibration"]
    return (
        "## Calibration (held-out test split)\n"
        f"Brier score {calibration['brier']:.4f} (multiclass: squared error summed over the four"
        " classes, averaged over sessions; 0 is perfect, 2 the worst). Reliability: each"
        " (session, class) pair is a forecast \"this mood, with probability p\"; per bin of p,"
        " the mean stated probability against how often that mood was the answer (expected"
        f" calibration error {calibration['expected_calibration_error']:.4f}). The rules' own"
        f" probabilities score a Brier of {manifest['limit']['brier']:.4f} on this split.\n\n"
        + _markdown_table(["stated probability", "forecasts", "mean stated",
                           "observed frequency"], _reliability_rows(manifest)))


def render_card(manifest: dict[str, Any]) -> str:
    """The model card: use, data, model, selection, metrics, limit, calibration and limits."""
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
        _model_section(manifest),
        "## Metrics (held-out 20% test split)\n"
        + _markdown_table(["metric", "value"], [list(row) for row in _metrics_rows(manifest)]),
        "### Per class\n" + _markdown_table(["class", "precision", "recall", "F1", "support"],
                                            _per_class_rows(manifest)),
        "### Confusion matrix (rows: true, columns: predicted)\n"
        + _markdown_table(["true \\ predicted", *labels], _confusion_rows(manifest)),
        _selection_section(manifest),
        _limit_section(manifest),
        _calibration_section(manifest),
        "## Limits\n- Trained on synthetic self-reports with 20% deliberate noise: even the"
        " best possible model is wrong about one time in four (see the limit above).\n"
        f"- Durations outside {low}–{high} minutes are extrapolated (the API warns).\n"
        "- Two inputs only: sleep, time of day, experience and technique are not seen.\n",
    ])


def render_summary(manifest: dict[str, Any]) -> str:
    """The training summary printed to the terminal."""
    return "\n\n".join([
        _text_table(["metric", "value"], [list(row) for row in _metrics_rows(manifest)]),
        _text_table(["vs the limit", "this model", "Bayes-optimal", "distance"],
                    _limit_rows(manifest)),
        _text_table(SELECTION_HEADER, _selection_rows(manifest)),
        _text_table(["class", "precision", "recall", "F1", "support"],
                    _per_class_rows(manifest)),
        _text_table(["true \\ predicted", *manifest["metrics"]["confusion_matrix"]["labels"]],
                    _confusion_rows(manifest)),
    ])
