"""The fitting steps of the classifier as estimators, shared by training and evaluation.

They follow scikit-learn's conventions: ``__init__`` only stores settings,
``fit`` learns from data and returns the estimator, and what it learned is
kept in attributes ending in ``_``. In the order the recipe fits them:

- :class:`WordTables`: the lexical look-up tables (word frequencies, word-pair counts);
- :class:`Standardizer`: the mean and scale of each dense feature;
- :class:`SignBoundedLogistic`: the logistic regression whose dense weights keep their sign,
  fitted with :func:`sample_weights` (how rows are weighted is a named setting,
  recorded in the model card as ``classifier.sample_weighting``);
- :class:`PlattCalibration`: ``p = sigmoid(a * z + b)`` on held-out decision values;
- :class:`FprThreshold`: the default threshold, from held-out clean scores.

>>> Standardizer().fit(np.array([[1.0, 5.0], [3.0, 5.0]])).transform(np.array([[2.0, 5.0]])).tolist()
[[0.0, 0.0]]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from mtdetect.features import LexicalTables

from .linear import balanced_weights, family_balanced_weights, fit_logistic
from .tables import build_tables

WEIGHTINGS = {
    "family": "classes balanced, each row family (round trip, garbler, MQM...) weighted by the square "
    "root of its size",
    "balanced": "classes balanced",
}
"""The ways rows can be weighted, by the name the model card records."""
DEFAULT_WEIGHTING = "family"


def sample_weights(labels: np.ndarray, families: Sequence[str], weighting: str) -> np.ndarray:
    """Each row's weight under a named :data:`WEIGHTINGS` scheme.

    >>> sample_weights(np.array([0, 1, 1, 1]), ["original"] + ["roundtrip"] * 3, "balanced").tolist()
    [2.0, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666]
    """
    if weighting == "family":
        return family_balanced_weights(labels, families)
    if weighting == "balanced":
        return balanced_weights(labels)
    raise ValueError(f"unknown sample weighting {weighting!r}; known: {', '.join(WEIGHTINGS)}")


def recipe_weighting(card: Mapping) -> str:
    """How a model's training weighted its rows, as its card records it.

    Cards written before the ``sample_weighting`` field existed said it in
    the classifier's description only.

    >>> recipe_weighting({"classifier": {"sample_weighting": "balanced"}})
    'balanced'
    >>> recipe_weighting({"classifier": {"type": "..., sources weighted by the square root of their size"}})
    'family'
    """
    classifier = card.get("classifier", {})
    if "sample_weighting" in classifier:
        return str(classifier["sample_weighting"])
    return "family" if "square root" in str(classifier.get("type", "")) else "balanced"


class WordTables:
    """Lexical look-up tables from a word-frequency table and clean paragraphs' word-pair counts.

    ``fit`` takes the pair counts (:func:`training.tables.pair_counts`), so
    out-of-fold tables are fitted on count differences without counting again.
    """

    def __init__(self, words: tuple[np.ndarray, np.ndarray]) -> None:
        self.words = words

    def fit(self, pair_counts: Counter[tuple[str, str]]) -> WordTables:
        self.tables_: LexicalTables = build_tables(self.words, pair_counts)
        return self


class Standardizer:
    """The mean and scale of each dense column; a constant column keeps scale 1."""

    def __init__(self, min_scale: float = 1e-6) -> None:
        self.min_scale = min_scale

    def fit(self, dense: np.ndarray) -> Standardizer:
        self.mean_ = dense.mean(axis=0)
        scale = dense.std(axis=0)
        scale[scale < self.min_scale] = 1.0
        self.scale_ = scale
        return self

    def transform(self, dense: np.ndarray) -> np.ndarray:
        return (dense - self.mean_) / self.scale_

    def design(self, dense: np.ndarray, word_class: sp.csr_matrix) -> sp.csr_matrix:
        """The classifier's input: standardised dense columns, then the word-class columns."""
        return sp.hstack([sp.csr_matrix(self.transform(dense)), word_class]).tocsr()


class SignBoundedLogistic:
    """Logistic regression whose first ``len(directions)`` weights keep the sign of their direction.

    ``directions`` +1: the weight stays >= 0, -1: <= 0, 0: free (see
    :class:`mtdetect.features.FeatureSpec`); ``C`` as in scikit-learn.
    """

    def __init__(self, C: float = 1.0, directions: Sequence[int] = ()) -> None:
        self.C = C
        self.directions = directions

    def fit(self, x: sp.csr_matrix, labels: np.ndarray, sample_weight: np.ndarray | None = None) -> SignBoundedLogistic:
        directions = np.asarray(self.directions, dtype=np.float64)
        self.coef_, self.intercept_ = fit_logistic(x, labels, self.C, directions, sample_weight)
        return self

    def decision_function(self, x: sp.csr_matrix) -> np.ndarray:
        return np.asarray(x @ self.coef_).ravel() + self.intercept_


class PlattCalibration:
    """``p = sigmoid(a * z + b)`` fitted on held-out decision values, classes weighted equally.

    Equal class weights make the probability mean "garbled rather than clean"
    at even odds, not the share of garbled rows in the training mix.
    """

    def fit(self, decisions: np.ndarray, labels: np.ndarray) -> PlattCalibration:
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000, class_weight="balanced")
        lr.fit(decisions.reshape(-1, 1), labels)
        self.a_, self.b_ = float(lr.coef_[0, 0]), float(lr.intercept_[0])
        return self

    def predict_proba(self, decisions: np.ndarray) -> np.ndarray:
        """P(garbled) of each decision value."""
        return 1.0 / (1.0 + np.exp(-(self.a_ * decisions + self.b_)))


class FprThreshold:
    """The lowest threshold with at most ``max_fpr`` of held-out clean scores at or above it.

    >>> FprThreshold(0.01).fit(np.linspace(0, 0.99, 100)).threshold_ > 0.98
    True
    """

    def __init__(self, max_fpr: float = 0.01) -> None:
        self.max_fpr = max_fpr

    def fit(self, clean_scores: np.ndarray) -> FprThreshold:
        ordered = np.sort(clean_scores)[::-1]
        allowed = int(np.floor(self.max_fpr * len(ordered)))
        self.threshold_ = float(min(1.0, np.nextafter(ordered[allowed], 1.0))) if len(ordered) else 0.5
        return self
