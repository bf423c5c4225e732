"""Model selection: cross-validate a small declared space on the training part, then choose
the simplest candidate within one standard error of the best (docs/model.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from model.train import DEFAULT_SEED, FEATURE_SETS, Split, build_pipeline

CV_FOLDS = 5
C_GRID: tuple[float, ...] = (0.01, 0.1, 1.0, 10.0)
CLASS_WEIGHTS: tuple[str | None, ...] = (None, "balanced")
METRICS: tuple[str, ...] = ("log_loss", "accuracy", "macro_f1")
CRITERION = (f"mean log-loss over {CV_FOLDS} stratified folds of the training part"
             " (lower is better)")
RULE = ("one standard error: the simplest candidate whose mean CV log-loss is at most the best"
        " mean plus the best candidate's standard error (fold std / sqrt(folds)); simpler means"
        " additive before interaction, then unweighted before balanced, then smaller C")


@dataclass(frozen=True)
class Candidate:
    """One point of the search space: feature set, regularisation C and class weights."""

    features: str
    c: float
    class_weight: str | None = None

    @property
    def name(self) -> str:
        """A short human name, e.g. 'interaction, C=0.1, unweighted'."""
        return f"{self.features}, C={self.c:g}, {self.class_weight or 'unweighted'}"

    @property
    def complexity(self) -> tuple[int, int, float]:
        """Sort key: smaller is simpler (fewer slopes, no reweighting, more regularisation)."""
        return FEATURE_SETS.index(self.features), int(self.class_weight is not None), self.c

    def pipeline(self, seed: int = DEFAULT_SEED) -> Pipeline:
        """The unfitted pipeline this candidate stands for."""
        return build_pipeline(self.c, seed, self.features, self.class_weight)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        return {"features": self.features, "C": self.c, "class_weight": self.class_weight}


SPACE: tuple[Candidate, ...] = tuple(sorted(
    (Candidate(features, c, weight) for features in FEATURE_SETS for weight in CLASS_WEIGHTS
     for c in C_GRID), key=lambda candidate: candidate.complexity))


@dataclass(frozen=True)
class CandidateScores:
    """A candidate's score on every CV fold, for each metric."""

    candidate: Candidate
    folds: dict[str, tuple[float, ...]]

    def mean(self, metric: str = "log_loss") -> float:
        """Mean over the folds."""
        return float(np.mean(self.folds[metric]))

    def std(self, metric: str = "log_loss") -> float:
        """Sample standard deviation over the folds."""
        return float(np.std(self.folds[metric], ddof=1))

    def standard_error(self, metric: str = "log_loss") -> float:
        """Standard error of the mean: std / sqrt(folds)."""
        return self.std(metric) / float(np.sqrt(len(self.folds[metric])))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready parameters and scores (mean, std, standard error, every fold)."""
        return {**self.candidate.as_dict(), "name": self.candidate.name,
                **{metric: {"mean": self.mean(metric), "std": self.std(metric),
                            "se": self.standard_error(metric),
                            "folds": list(self.folds[metric])} for metric in METRICS}}


def fold_scores(estimator: Pipeline, x: Any, y: Any) -> dict[str, float]:
    """Log-loss, accuracy and macro-F1 of one fitted fold, from one predict_proba call."""
    probabilities = estimator.predict_proba(x)
    classes = estimator.classes_
    predicted = classes[probabilities.argmax(axis=1)]
    return {"log_loss": float(log_loss(y, probabilities, labels=classes)),
            "accuracy": float(accuracy_score(y, predicted)),
            "macro_f1": float(f1_score(y, predicted, average="macro", zero_division=0))}


def cross_validate_space(data: Split, seed: int = DEFAULT_SEED,
                         space: Sequence[Candidate] = SPACE,
                         folds: int = CV_FOLDS) -> list[CandidateScores]:
    """Score every candidate on the same stratified folds of the training part.

    The fits are tiny (eight columns), so BLAS threads only add start-up and contention: one
    thread each halves the CPU time of the search.
    """
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = []
    for candidate in space:
        with threadpool_limits(limits=1):
            result = cross_validate(candidate.pipeline(seed), data.x_train, data.y_train,
                                    cv=splitter, scoring=fold_scores)
        scores.append(CandidateScores(candidate, {
            metric: tuple(float(value) for value in result[f"test_{metric}"])
            for metric in METRICS}))
    return scores


@dataclass(frozen=True)
class Selection:
    """Every candidate's CV scores, the best by mean log-loss and the one chosen."""

    scores: tuple[CandidateScores, ...]
    best: int
    chosen: int
    threshold: float

    @property
    def chosen_scores(self) -> CandidateScores:
        """The chosen candidate's scores."""
        return self.scores[self.chosen]

    @property
    def simpler_best(self) -> CandidateScores | None:
        """The lowest-log-loss candidate simpler than the chosen one, if there is one."""
        chosen = self.chosen_scores.candidate.complexity
        simpler = [s for s in self.scores if s.candidate.complexity < chosen]
        return min(simpler, key=lambda s: s.mean()) if simpler else None

    def as_dict(self) -> dict[str, Any]:
        """The manifest's `selection` section."""
        best, chosen, simpler = self.scores[self.best], self.chosen_scores, self.simpler_best
        return {
            "criterion": CRITERION, "rule": RULE, "folds": len(best.folds["log_loss"]),
            "space": {"features": list(FEATURE_SETS), "C": list(C_GRID),
                      "class_weight": list(CLASS_WEIGHTS)},
            "candidates": [scores.as_dict() for scores in self.scores],
            "best_by_mean": best.candidate.name, "threshold": self.threshold,
            "chosen": chosen.candidate.name, "chosen_index": self.chosen,
            "simpler_best": simpler.candidate.name if simpler else None,
            "simpler_margin_in_se": self.simpler_margin_in_se,
        }

    @property
    def simpler_margin_in_se(self) -> float | None:
        """How many of the best's standard errors the best simpler candidate is behind."""
        simpler, best = self.simpler_best, self.scores[self.best]
        if simpler is None or best.standard_error() == 0:
            return None
        return (simpler.mean() - best.mean()) / best.standard_error()


def one_standard_error_choice(scores: Sequence[CandidateScores]) -> Selection:
    """Choose the simplest candidate whose mean log-loss is within one SE of the best."""
    best = min(range(len(scores)), key=lambda index: scores[index].mean())
    threshold = scores[best].mean() + scores[best].standard_error()
    eligible = [index for index, s in enumerate(scores) if s.mean() <= threshold]
    chosen = min(eligible, key=lambda index: scores[index].candidate.complexity)
    return Selection(tuple(scores), best, chosen, threshold)
