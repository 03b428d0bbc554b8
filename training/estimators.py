"""The fitting steps of the classifier as estimators, shared by training and evaluation.

They follow scikit-learn's conventions: ``__init__`` only stores settings,
``fit`` learns from data and returns the estimator, and what it learned is
kept in attributes ending in ``_``. In the order the recipe fits them:

- :class:`WordTables`: the lexical look-up tables (word frequencies, the reference model's n-gram counts);
- :class:`Standardizer`: the mean and scale of each dense feature;
- :class:`SignBoundedLogistic`: the logistic regression whose dense weights keep their sign,
  fitted with :func:`sample_weights` (how rows are weighted is a named setting,
  recorded in the model card as ``classifier.sample_weighting``);
- :class:`PlattCalibration`: ``p = sigmoid(a * z + b)`` on held-out decision values;
- :class:`FprThreshold`: the default threshold, from held-out clean scores, and
  :class:`GenreThreshold`: the same rule overall and within every genre;
- :class:`DocumentCalibration`: a document's score from its paragraphs' log-odds.

>>> Standardizer().fit(np.array([[1.0, 5.0], [3.0, 5.0]])).transform(np.array([[2.0, 5.0]])).tolist()
[[0.0, 0.0]]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from mtdetect.features import LexicalTables
from mtdetect.results import document_evidence

from .linear import balanced_weights, family_balanced_weights, fit_logistic_on_present_columns
from .tables import NgramCounts, build_tables

WEIGHTINGS = {
    "real-mt": "classes balanced, each row family (real MT source, human corpus, garbler, MQM...) weighted by "
    "the square root of its size, the garbler's rows at half that, and the human side of real MT (the same "
    "content as its machine side) holding 85% of the human class",
    "family": "classes balanced, each row family (round trip, garbler, MQM...) weighted by the square "
    "root of its size",
    "balanced": "classes balanced",
}
"""The ways rows can be weighted, by the name the model card records."""
DEFAULT_WEIGHTING = "real-mt"
HUMAN_CORE_SHARE = 0.85
"""Share of the human class's weight held by the human side of real machine translation (:data:`CORE_FAMILIES`).
Chosen on the calibration split (real-MT ROC-AUC 0.729 at 0.7, 0.735 at 0.85, 0.734 at 0.95)."""
GARBLE_WEIGHT = 0.5
"""Weight of the garbler's rows (family ``garble``) beside what the square-root rule gives them: invented
damage is a help, real machine translation the job (calibration-split real-MT ROC-AUC 0.740 at 0.5 with
a core share of 0.85, 0.735 at 1)."""
GARBLE_FAMILY = "garble"
CORE_FAMILIES = ("htvsmt", "flores", "mqm", "seed")
"""Row families whose human rows are the same content as their machine rows."""


def real_mt_weights(labels: np.ndarray, families: Sequence[str], core_share: float | None = HUMAN_CORE_SHARE,
                    garble_weight: float = GARBLE_WEIGHT) -> np.ndarray:
    """Sample weights: classes equal in total; within a class each family of rows weighs
    by the square root of its size, the garbler's times ``garble_weight``; on the human
    side the :data:`CORE_FAMILIES` together hold ``core_share`` of the class (when both
    parts are there).

    >>> labels, families = np.array([0, 0, 0, 1, 1]), ["htvsmt", "htvsmt", "ewt", "htvsmt", "garble"]
    >>> [round(float(x), 3) for x in real_mt_weights(labels, families, 0.75, 1.0)]
    [0.938, 0.938, 0.625, 1.25, 1.25]
    >>> [round(float(x), 3) for x in real_mt_weights(labels, families, 0.75, 0.5)][3:]
    [1.667, 0.833]
    """
    weights = np.zeros(len(labels), dtype=np.float64)
    counts = Counter(zip(labels.tolist(), families))
    for i, key in enumerate(zip(labels.tolist(), families)):
        weights[i] = 1.0 / np.sqrt(counts[key]) * (garble_weight if key[1] == GARBLE_FAMILY else 1.0)
    core = np.array([f in CORE_FAMILIES for f in families])
    human = labels == 0
    if core_share is not None and (human & core).any() and (human & ~core).any():
        for part, share in ((human & core, core_share), (human & ~core, 1 - core_share)):
            weights[part] *= share / weights[part].sum()
    for label in (0, 1):
        mask = labels == label
        if mask.any():
            weights[mask] *= (len(labels) / 2) / weights[mask].sum()
    return weights


def sample_weights(labels: np.ndarray, families: Sequence[str], weighting: str) -> np.ndarray:
    """Each row's weight under a named :data:`WEIGHTINGS` scheme.

    >>> sample_weights(np.array([0, 1, 1, 1]), ["original"] + ["roundtrip"] * 3, "balanced").tolist()
    [2.0, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666]
    """
    if weighting == "real-mt":
        return real_mt_weights(labels, families)
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
    """Lexical look-up tables from a word-frequency table and n-gram counts of plain English
    (the reference model of English: :class:`training.tables.NgramCounts`).

    ``fit`` takes the counts, so out-of-fold tables are fitted on count differences without
    counting again.
    """

    def __init__(self, words: tuple[np.ndarray, np.ndarray]) -> None:
        self.words = words

    def fit(self, counts: NgramCounts) -> WordTables:
        self.tables_: LexicalTables = build_tables(self.words, counts)
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

    def design(self, dense: np.ndarray, word_class: sp.csr_matrix, words: sp.csr_matrix) -> sp.csr_matrix:
        """The classifier's input: standardised dense columns, then the word-class columns, then the word columns."""
        return sp.hstack([sp.csr_matrix(self.transform(dense)), word_class, words]).tocsr()


class SignBoundedLogistic:
    """Logistic regression whose first ``len(directions)`` weights keep the sign of their direction.

    ``directions`` +1: the weight stays >= 0, -1: <= 0, 0: free (see
    :class:`mtdetect.features.FeatureSpec`); ``C`` as in scikit-learn. Only the
    columns that occur in the data (and are in ``keep``, when given) are fitted:
    any other gets weight 0 either way.
    """

    def __init__(self, C: float = 1.0, directions: Sequence[int] = (), keep: np.ndarray | None = None) -> None:
        self.C = C
        self.directions = directions
        self.keep = keep

    def fit(self, x: sp.csr_matrix, labels: np.ndarray, sample_weight: np.ndarray | None = None) -> SignBoundedLogistic:
        directions = np.asarray(self.directions, dtype=np.float64)
        self.coef_, self.intercept_ = fit_logistic_on_present_columns(
            x, labels, self.C, directions, sample_weight, self.keep
        )
        return self

    def decision_function(self, x: sp.csr_matrix) -> np.ndarray:
        return np.asarray(x @ self.coef_).ravel() + self.intercept_


REPOST_FAMILIES = ("spin", "roundtrip")
"""Row families of spun and round-tripped reposts: what the repost detector learns to catch."""


class RepostDetector:
    """The repost detector: logistic regression on the standardised dense features (the artifact
    rules and the language features, the reference model's among them), reposts (:data:`REPOST_FAMILIES`)
    against every human row, classes weighted equally and each family by the square root of its size.
    Dense features only: it sees broken English, not words or topics.

    ``coef_`` holds the weights, then the intercept (as :attr:`mtdetect.model.Model.repost_coef`).
    """

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, dense: np.ndarray, labels: np.ndarray, families: Sequence[str]) -> RepostDetector:
        from sklearn.linear_model import LogisticRegression

        rows = (labels == 0) | np.isin(np.asarray(families), REPOST_FAMILIES)
        weights = family_balanced_weights(labels[rows], [f for f, r in zip(families, rows) if r])
        lr = LogisticRegression(C=self.C, solver="lbfgs", max_iter=5000)
        lr.fit(dense[rows], labels[rows], sample_weight=weights)
        self.coef_ = np.r_[lr.coef_[0], lr.intercept_].astype(np.float64)
        return self

    def decision_function(self, dense: np.ndarray) -> np.ndarray:
        return dense @ self.coef_[:-1] + self.coef_[-1]


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


class GenreThreshold:
    """The lowest threshold that keeps ``max_fpr`` of held-out clean scores at or above it overall,
    and ``max_genre_fpr`` within every genre of at least ``min_rows`` scores (fewer cannot
    show such a rate: they count in the overall rule only).

    >>> scores = np.r_[np.linspace(0, 0.5, 100), np.linspace(0.5, 0.9, 50)]
    >>> GenreThreshold(0.01, 0.02, 50).fit(scores, ["a"] * 100 + ["b"] * 50).threshold_ > 0.88
    True
    >>> GenreThreshold(0.01, 0.02, 50).fit(scores[:110], ["a"] * 100 + ["b"] * 10).threshold_ < 0.6
    True
    """

    def __init__(self, max_fpr: float = 0.01, max_genre_fpr: float = 0.02, min_rows: int = 50) -> None:
        self.max_fpr = max_fpr
        self.max_genre_fpr = max_genre_fpr
        self.min_rows = min_rows

    def fit(self, clean_scores: np.ndarray, genres: Sequence[str]) -> GenreThreshold:
        genres = np.asarray(genres)
        thresholds = [FprThreshold(self.max_fpr).fit(clean_scores).threshold_]
        for genre in sorted(set(genres.tolist())):
            part = clean_scores[genres == genre]
            if len(part) >= self.min_rows:
                thresholds.append(FprThreshold(self.max_genre_fpr).fit(part).threshold_)
        self.threshold_ = max(thresholds)
        return self


class DocumentCalibration:
    """A document's score from its paragraphs' calibrated log-odds, as a test against human text:
    the evidence is ``(L - centre) * s`` (``L`` the length-weighted mean log-odds, ``s`` the square
    root of the length: :func:`mtdetect.results.document_evidence`), which stays about as spread out
    for human documents of any length while a garbled document's grows with its length; a logistic
    regression of each held-out document's label on it (classes weighted equally) gives the scale.

    ``calibration_`` is ``(a, b, c)`` of ``sigmoid(a * L * s + b * s + c)``, with ``b = -a * centre``.

    >>> log_odds, lengths = np.array([-3.0, -2.0, 1.0, 2.0]), np.full(4, 500.0)
    >>> a, b, c = DocumentCalibration(centre=-1.0).fit(log_odds, lengths, np.array([0, 0, 1, 1]),
    ...                                                [np.array([0]), np.array([1]), np.array([2]), np.array([3])]).calibration_
    >>> a > 0 and abs(b + a * -1.0) < 1e-9
    True
    """

    def __init__(self, centre: float = 0.0) -> None:
        self.centre = centre

    def fit(self, log_odds: np.ndarray, lengths: np.ndarray, labels: np.ndarray,
            documents: Sequence[np.ndarray]) -> DocumentCalibration:
        from sklearn.linear_model import LogisticRegression

        evidence = np.array([document_evidence(log_odds[d], lengths[d]) for d in documents])
        x = (evidence[:, 0] - self.centre * evidence[:, 1])[:, None]
        y = np.array([int(labels[d][0]) for d in documents])
        lr = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000, class_weight="balanced")
        lr.fit(x, y)
        a = float(lr.coef_[0, 0])
        self.calibration_ = (a, -a * self.centre, float(lr.intercept_[0]))
        return self
