"""Train the paragraph classifier and write the model (weights as data + card).

The recipe, top to bottom:

1. **rows** (:mod:`training.sources`): real machine translation beside the
   human text of the same content (the ``train`` splits of ``mt/``), human
   text of every register (web text, WMT24, GUM, State of the Union), the seed
   article and its garbled repost, MQM machine translations and the garbler's
   synthetic damage (Apertium round trips only with ``--roundtrip``); a
   user's own pairs (``--data PAIRS``) are added to them, or trained on alone
   (``--only``, split 70/15/15 by document rank: :func:`training.dataset.ranked_splits`).
2. **split** (:mod:`training.dataset`): by document into train / calibration /
   test (real-MT documents into train / calibration only: their ``dev`` split
   is the test).
3. **tables** (:mod:`training.tables`): word frequencies and word-pair counts,
   the pair counts out of fold for training rows.
4. **fit**: a logistic regression on the dense features (standardised), the
   hashed word-class n-grams and the hashed word n-grams. Classes weigh the
   same; within a class each source weighs by the square root of its size
   (the garbler's rows half that), and on the human side the human text of the
   real-MT sources (the same content as their machine output) weighs 85% of
   the class, so the model learns translation, not register
   (:func:`training.estimators.real_mt_weights`).
   Every step is an estimator of :mod:`training.estimators`, which evaluation
   refits the same way.
5. **calibrate**: Platt scaling on the calibration split.
6. **threshold**: the lowest score that keeps held-out human paragraphs of
   original English (of 25 words or more) at or under 1% flagged overall and at
   or under 2% in every genre (news, each kind of web text, transcripts,
   speeches...). Held out means the calibration split, scored by the model,
   and every training paragraph, scored by a refit on the other folds
   (cross-fitting): a genre then counts hundreds of paragraphs, so its 2% is
   a measured rate, not the second-highest of fifty. The human side of a
   user's pairs without a genre counts as the genre ``your pairs``; with fewer
   than :data:`MIN_THRESHOLD_ROWS` such paragraphs in all, the threshold is
   :data:`FALLBACK_RULE`.
7. **documents**: a document's log-odds from its paragraphs' calibrated
   log-odds (length-weighted mean, scaled by the square root of its length)
   with a calibration fitted on the calibration split's documents.
8. **write**: ``models/default.npz`` and ``models/default.card.json`` (for a
   user's pairs ``models/NAME.*``, never the shipped model), with data
   hashes, sizes and held-out metrics.

Run as ``python -m training.train`` (``make train``). Deterministic: the same
data gives the same weights file, byte for byte (the card also records the
training time).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score

import mtdetect
from mtdetect.features import DENSE_FEATURES, REFERENCE_FEATURES, FeatureBatch, compute_features, dense_feature_names
from mtdetect.model import Model, combine, save_model
from mtdetect.results import DOCUMENT_UNIT_CHARS, combined_score

from . import sources
from .dataset import PAIR_FOLDS, Row, fold_of, rows_from_pairs, with_ranked_splits
from .pairs import JSONL_SUFFIXES
from .estimators import (
    DEFAULT_WEIGHTING,
    GARBLE_WEIGHT,
    HUMAN_CORE_SHARE,
    WEIGHTINGS,
    DocumentCalibration,
    GenreThreshold,
    PlattCalibration,
    REPOST_FAMILIES,
    RepostDetector,
    SignBoundedLogistic,
    Standardizer,
    WordTables,
    sample_weights,
)
from .tables import NgramCounts, ngram_counts, word_frequency_table

MAX_FALSE_POSITIVE_RATE = 0.01
"""The default threshold keeps this share of held-out human paragraphs (or fewer) above it."""
MAX_GENRE_FALSE_POSITIVE_RATE = 0.02
"""... and this share (or fewer) in every single genre ..."""
MIN_GENRE_ROWS = 50
"""... that has at least this many held-out paragraphs (fewer cannot show a 2% rate:
they count in the overall rule only)."""
THRESHOLD_JOBS = 2
"""Processes that refit the folds of the threshold's cross-fitting at once."""
THRESHOLD_MIN_WORDS = 25
"""The threshold rule counts human paragraphs of at least this many words, as the acceptance
figures do (a longer paragraph has more room for a slip: the rule is about those)."""
MIN_THRESHOLD_ROWS = 100
"""The threshold rule needs at least this many held-out human paragraphs (1% of them is one paragraph) ..."""
FALLBACK_THRESHOLD = 0.5
FALLBACK_RULE = "0.5, the calibrated probability at which a paragraph is as likely garbled as not"
"""... and with fewer, the threshold is this one."""
MIN_USER_DOCUMENTS = 20
"""Documents a user's pairs need when trained on alone: whole documents go to train (70%), calibration
(15%) and test (15%), so 20 give the calibration split 3 (:func:`training.dataset.ranked_splits`)."""
C = 1.0
"""Inverse regularisation strength of the classifier (research on the train split: 0.3 and 3 did no better)."""
DEFAULT_OUT = Path("models/default")


def log(message: str) -> None:
    print(f"[train] {message}", file=sys.stderr, flush=True)


@dataclass
class Matrices:
    """Features of a set of rows, ready for the classifier."""

    dense: np.ndarray
    word_class: sp.csr_matrix
    words: sp.csr_matrix
    labels: np.ndarray
    families: list[str]

    def batch(self) -> FeatureBatch:
        return FeatureBatch(self.dense, self.word_class, self.words)


def featurize(rows: Sequence[Row], tables) -> Matrices:
    batch = compute_features([r.text for r in rows], tables)
    labels = np.array([r.label for r in rows], dtype=np.int8)
    return Matrices(batch.dense, batch.word_class, batch.words, labels, [row_family(r) for r in rows])


def featurize_out_of_fold(rows: Sequence[Row], words, fold_counts: list[NgramCounts]) -> Matrices:
    """Training rows, each fold's rows with n-gram counts from the reference text and the other folds only
    (``fold_counts[-1]`` is the reference text's, counted for every fold)."""
    parts: list[Matrices] = []
    order: list[int] = []
    total = NgramCounts.total(fold_counts)
    for k in range(PAIR_FOLDS):
        index = [i for i, r in enumerate(rows) if fold_of(r.group) == k]
        if not index:
            continue
        tables = WordTables(words).fit(total - fold_counts[k]).tables_
        parts.append(featurize([rows[i] for i in index], tables))
        order.extend(index)
        log(f"features: fold {k + 1}/{PAIR_FOLDS} ({len(index)} rows)")
    inverse = np.argsort(order)
    families = [f for p in parts for f in p.families]
    return Matrices(
        np.vstack([p.dense for p in parts])[inverse],
        sp.vstack([p.word_class for p in parts]).tocsr()[inverse],
        sp.vstack([p.words for p in parts]).tocsr()[inverse],
        np.concatenate([p.labels for p in parts])[inverse],
        [families[i] for i in inverse],
    )


def classifier_columns(n_columns: int) -> np.ndarray:
    """The design columns the classifier fits: all but the reference model's features (the repost
    detector's evidence), so the classifier stays a detector of machine translation."""
    keep = np.ones(n_columns, dtype=bool)
    for name in REFERENCE_FEATURES:
        keep[dense_feature_names().index(f"language:{name}")] = False
    return keep


def fit_classifier(train: Matrices, standardizer: Standardizer, c: float = C,
                   weighting: str = DEFAULT_WEIGHTING) -> SignBoundedLogistic:
    """Sign-bounded logistic regression with the recipe's sample weights, on every row but the
    reposts (the repost detector's: :func:`fit_repost_detector`) and every column but the reference
    model's features (:func:`classifier_columns`)."""
    started = time.time()
    rows = np.flatnonzero(~np.isin(np.asarray(train.families), REPOST_FAMILIES))
    families = [train.families[i] for i in rows]
    design = standardizer.design(train.dense[rows], train.word_class[rows], train.words[rows])
    classifier = SignBoundedLogistic(C=c, directions=[spec.direction for spec in DENSE_FEATURES],
                                     keep=classifier_columns(design.shape[1])).fit(
        design, train.labels[rows], sample_weights(train.labels[rows], families, weighting),
    )
    log(f"fit: C={c}, {len(rows)} rows in {time.time() - started:.0f} s")
    return classifier


def fit_repost_detector(train: Matrices, standardizer: Standardizer) -> RepostDetector:
    """The repost detector on the training rows' standardised dense features."""
    return RepostDetector().fit(standardizer.transform(train.dense), train.labels, train.families)


def genre_rates(scores: np.ndarray, genres: Sequence[str], threshold: float) -> dict[str, dict]:
    """Share of paragraphs at or above ``threshold`` per genre (and ``all``)."""
    genres = np.asarray(genres)
    out = {"all": {"rows": len(scores), "flagged": round(float((scores >= threshold).mean()), 4) if len(scores) else None}}
    for g in sorted(set(genres.tolist())):
        part = scores[genres == g]
        out[g] = {"rows": len(part), "flagged": round(float((part >= threshold).mean()), 4)}
    return out


@dataclass(frozen=True)
class HeldOutHuman:
    """Decision values of human paragraphs of original English that a fit did not see, with their
    genres, documents and lengths (characters), and whether the paragraph rule counts each
    (:func:`counts_for_threshold`)."""

    decisions: np.ndarray
    genres: list[str]
    groups: list[str]
    lengths: np.ndarray
    counted: np.ndarray


def cross_fitted_human(rows: Sequence[Row], fit_and_decide: Callable[[np.ndarray, np.ndarray], np.ndarray],
                       jobs: int = THRESHOLD_JOBS) -> HeldOutHuman:
    """Out-of-fold decision values of the training rows' human paragraphs of original English
    that the threshold rule counts (:func:`counts_for_threshold`).

    ``fit_and_decide(train_index, held_index)`` fits on the rows of
    ``train_index`` and returns the decision values of the rows of
    ``held_index``; each fold of documents (:func:`training.dataset.fold_of`)
    is held out once; ``jobs`` folds are fitted at a time (each fit is
    deterministic, so the result does not depend on ``jobs``).
    """
    from joblib import Parallel, delayed

    human = np.array([is_original_human(r) for r in rows], dtype=bool)
    folds = np.array([fold_of(r.group) for r in rows])
    held = [np.flatnonzero((folds == k) & human) for k in range(PAIR_FOLDS)]
    tasks = [(np.flatnonzero(folds != k), held[k]) for k in range(PAIR_FOLDS) if len(held[k])]
    decisions: np.ndarray | None = None
    log(f"threshold: refitting on {len(tasks)} folds ({jobs} processes) to score {int(human.sum())} "
        "training paragraphs of human original English out of fold")
    results = Parallel(n_jobs=jobs)(delayed(fit_and_decide)(train, index) for train, index in tasks)
    for (_, index), values in zip(tasks, results):
        if decisions is None:  # one value per row, or one per detector
            decisions = np.full((len(rows), *np.shape(values)[1:]), np.nan)
        decisions[index] = values
    if decisions is None:
        decisions = np.full(len(rows), np.nan)
    kept = [r for r, h in zip(rows, human) if h]
    return HeldOutHuman(decisions[human], [r.genre for r in kept], [r.group for r in kept],
                        np.array([len(r.text) for r in kept], dtype=np.float64),
                        np.array([counts_for_threshold(r) for r in kept], dtype=bool))


def counts_for_threshold(row: Row) -> bool:
    """Whether the threshold rule counts a human row: a paragraph of :data:`THRESHOLD_MIN_WORDS` words or more."""
    return len(row.text.split()) >= THRESHOLD_MIN_WORDS


def is_original_human(row: Row) -> bool:
    """A human paragraph of original English with a genre (what the threshold rule is about)."""
    return row.label == 0 and bool(row.genre) and row.genre != sources.TRANSLATION


SYNTHETIC_FAMILIES = ("garble", "typography", "roundtrip+garble")
"""Row families made by our own damage (or typography) tools: not documents anyone wrote, spun or
translated (spun and round-tripped reposts are what content farms post, so they count)."""


def document_groups(rows: Sequence[Row]) -> list[np.ndarray]:
    """Rows grouped into documents: one article (group) as one source made it (label, kind).

    Rows of :data:`SYNTHETIC_FAMILIES` are left out: a document of nothing but
    garbler output would teach the document calibration a damage rate no
    real document has.

    >>> [len(g) for g in document_groups([Row("a", 0, "s", "original", "d1"), Row("b", 1, "s", "spin:x", "d1"),
    ...                                    Row("c", 0, "s", "original", "d1"), Row("d", 1, "s", "garble:x", "d1")])]
    [2, 1]
    """
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if row_family(row) not in SYNTHETIC_FAMILIES:
            groups[(row.group, row.label, row.kind if row.label else row_family(row))].append(i)
    return [np.array(index) for _, index in sorted(groups.items())]


def metrics(rows: Sequence[Row], scores: np.ndarray, threshold: float) -> dict:
    """ROC-AUC per kind of garbled row (against all clean rows), rates at the threshold."""
    labels = np.array([r.label for r in rows])
    clean = labels == 0
    out: dict = {
        "rows": len(rows),
        "clean_rows": int(clean.sum()),
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4) if 0 < clean.sum() < len(rows) else None,
        "false_positive_rate": round(float((scores[clean] >= threshold).mean()), 4) if clean.any() else None,
        "true_positive_rate": round(float((scores[~clean] >= threshold).mean()), 4) if (~clean).any() else None,
        "by_kind": {},
    }
    kinds = sorted({_kind_family(r.kind) for r in rows if r.label == 1})
    for kind in kinds:
        mask = np.array([r.label == 1 and _kind_family(r.kind) == kind for r in rows])
        both = mask | clean
        if clean.any() and mask.any():
            out["by_kind"][kind] = {
                "rows": int(mask.sum()),
                "roc_auc": round(float(roc_auc_score(labels[both], scores[both])), 4),
                "true_positive_rate": round(float((scores[mask] >= threshold).mean()), 4),
            }
    return out


def _kind_family(kind: str) -> str:
    return kind.split("+")[0] if kind.startswith("garble:") else kind


def row_family(row: Row) -> str:
    """How a row was made, for sample weighting: its source for real MT and human
    text (``htvsmt``, ``ewt``...), else how the pair was made (``garble``, ``roundtrip``...).

    >>> row_family(Row("x", 1, "gum", "roundtrip:spa+garble", "g")), row_family(Row("x", 0, "mqm", "original", "g"))
    ('roundtrip+garble', 'mqm')
    """
    if row.kind == "original" or row.kind.startswith(("human:", "mt:", "mt-roundtrip:")):
        return row.source
    family = row.kind.split(":")[0]
    return family + "+garble" if row.kind.endswith("+garble") else family


@dataclass
class Fitted:
    """A fitted model and what training measured on its held-out rows."""

    model: Model
    splits: dict[str, list[Row]]
    calibration_scores: np.ndarray
    threshold_rates: dict[str, dict]
    document_rates: dict[str, dict]
    threshold_rule: str


class TooFewDocuments(ValueError):
    """The rows cannot be split into train and calibration sets; says how many documents each got."""


def check_splits(splits: dict[str, list[Row]]) -> None:
    """Raise :class:`TooFewDocuments` unless the train and calibration splits both hold
    rows of both labels."""
    if all(len({r.label for r in splits[name]}) == 2 for name in ("train", "calibration")):
        return
    documents = ", ".join(f"{name} {len({r.group for r in part})}" for name, part in splits.items())
    raise TooFewDocuments(
        f"too few documents to split into train and calibration sets (documents: {documents}); "
        f"give pairs of at least {MIN_USER_DOCUMENTS} documents"
    )


def fit_model(records: list[dict], *, c: float = C, reference: Sequence[str] = ()) -> Fitted:
    """Fit the classifier, its calibration, thresholds and document calibration on the records.

    ``reference`` is plain human English no record comes from: its n-gram counts join those of
    the training split's human rows in the reference model of English."""
    rows = list(rows_from_pairs(records))
    splits = {name: [r for r in rows if r.split == name] for name in ("train", "calibration", "test")}
    for name, part in splits.items():
        log(f"rows: {name} {len(part)} ({sum(r.label for r in part)} garbled)")
    check_splits(splits)

    words = word_frequency_table()
    fold_counts = reference_counts(splits["train"], reference)
    full_tables = WordTables(words).fit(NgramCounts.total(fold_counts)).tables_
    log(f"tables: {len(full_tables.word_index)} words, {len(full_tables.pair_index)} word pairs, "
        f"{len(full_tables.trigram_index)} word triples")

    train_m = featurize_out_of_fold(splits["train"], words, fold_counts)
    calib_m = featurize(splits["calibration"], full_tables)
    standardizer = Standardizer().fit(train_m.dense)

    classifier = fit_classifier(train_m, standardizer, c)
    coef = classifier.coef_
    n_dense, n_class = train_m.dense.shape[1], train_m.word_class.shape[1]
    model = Model(
        dense_mean=standardizer.mean_.astype(np.float32),
        dense_scale=standardizer.scale_.astype(np.float32),
        dense_coef=coef[:n_dense].astype(np.float32),
        word_class_coef=coef[n_dense : n_dense + n_class].astype(np.float32),
        word_ngram_coef=coef[n_dense + n_class :].astype(np.float32),
        intercept=classifier.intercept_,
        calibration=(1.0, 0.0),
        tables=full_tables,
        threshold=0.5,
    )
    with_reposts = all(np.isin(REPOST_FAMILIES, [row_family(r) for r in part]).any()
                       for part in (splits["train"], splits["calibration"]))
    design = standardizer.design(train_m.dense, train_m.word_class, train_m.words)
    standard = standardizer.transform(train_m.dense)

    def fit_and_decide(train_index: np.ndarray, held_index: np.ndarray) -> np.ndarray:
        part = Matrices(train_m.dense[train_index], train_m.word_class[train_index], train_m.words[train_index],
                        train_m.labels[train_index], [train_m.families[i] for i in train_index])
        machine = fit_classifier(part, standardizer, c).decision_function(design[held_index])
        if not with_reposts:
            return machine
        return np.column_stack([machine, fit_repost_detector(part, standardizer).decision_function(standard[held_index])])

    held_out = cross_fitted_human(splits["train"], fit_and_decide)
    calibration_rows = splits["calibration"]
    if with_reposts:
        repost = fit_repost_detector(train_m, standardizer)
        decisions = np.column_stack([model.decision(calib_m.batch()),
                                     repost.decision_function(standardizer.transform(calib_m.dense))])
        calibrated, repost_calibration = calibrate_both(decisions, calibration_rows, held_out)
        model.repost_coef = repost.coef_
        model.repost_calibration = repost_calibration
    else:
        log("no spun or round-tripped reposts in both splits: the model has no repost detector")
        calibrated = calibrate(model.decision(calib_m.batch()), calibration_rows, held_out)
    model.calibration = calibrated.calibration
    model.threshold = calibrated.threshold
    model.document_calibration = calibrated.document_calibration
    log(f"calibration: a={model.calibration[0]:.3f} b={model.calibration[1]:.3f}; reposts "
        f"a={model.repost_calibration[0]:.3f} b={model.repost_calibration[1]:.3f}; threshold {model.threshold:.4f}; "
        f"documents {', '.join(f'{v:.3f}' for v in model.document_calibration)}")
    return Fitted(model, splits, calibrated.scores, calibrated.threshold_rates, calibrated.document_rates,
                  calibrated.threshold_rule)


def reference_counts(train_rows: Sequence[Row], reference: Sequence[str]) -> list[NgramCounts]:
    """N-gram counts of the training split's human rows, one per fold, then those of the reference text
    (whose paragraphs that are also rows are left out: every row's own text is counted in its fold only)."""
    clean_train = [r for r in train_rows if r.label == 0]
    row_texts = {r.text for r in train_rows}
    extra = [text for text in reference if text not in row_texts]
    log(f"reference model of English: {sum(len(t.split()) for t in extra):,} words of reference text and "
        f"{sum(len(r.text.split()) for r in clean_train):,} of human training rows")
    folds = [ngram_counts(r.text for r in clean_train if fold_of(r.group) == k) for k in range(PAIR_FOLDS)]
    return folds + [ngram_counts(extra)]


@dataclass(frozen=True)
class Calibrated:
    """Platt scaling, default threshold and document calibration of a decision function,
    fitted on the calibration rows, and the calibrated probability of each of those rows."""

    calibration: tuple[float, float]
    threshold: float
    document_calibration: tuple[float, float, float]
    scores: np.ndarray
    threshold_rates: dict[str, dict]
    """Rows and share flagged at the threshold of the held-out human paragraphs the rule counts, per genre."""
    document_rates: dict[str, dict]
    """Documents and share flagged at the threshold of the held-out human documents, per genre."""
    threshold_rule: str = ""
    """The rule the threshold was set by, in words."""


def calibrate(decisions: np.ndarray, rows: Sequence[Row], held_out: HeldOutHuman | None = None) -> Calibrated:
    """Calibrate a decision function from its values on the calibration rows: Platt scaling,
    the threshold rule over the human paragraphs of original English (the calibration
    split's and the cross-fitted ``held_out`` ones) by genre, and the document
    calibration over the calibration documents."""
    labels = np.array([r.label for r in rows])
    platt = PlattCalibration().fit(decisions, labels)
    held = None if held_out is None else replace(held_out, decisions=platt.a_ * held_out.decisions + platt.b_)
    return operating_point((platt.a_, platt.b_), platt.a_ * decisions + platt.b_, rows, held)


def calibrate_both(decisions: np.ndarray, rows: Sequence[Row], held_out: HeldOutHuman
                   ) -> tuple[Calibrated, tuple[float, float]]:
    """Calibrate the classifier (column 0 of ``decisions``) on the calibration rows that are not
    reposts and the repost detector (column 1) on the reposts and the human rows, combine their
    log-odds (:func:`mtdetect.model.combine`), and set the thresholds on the combination. Returns
    the operating point (with the classifier's calibration) and the repost detector's calibration."""
    labels = np.array([r.label for r in rows])
    families = np.array([row_family(r) for r in rows])
    reposts = np.isin(families, REPOST_FAMILIES)
    machine = PlattCalibration().fit(decisions[~reposts, 0], labels[~reposts])
    spun = (labels == 0) | reposts
    reposted = PlattCalibration().fit(decisions[spun, 1], labels[spun])
    machine_log_odds = machine.a_ * decisions[:, 0] + machine.b_
    shift = repost_shift(machine_log_odds, reposted.a_ * decisions[:, 1] + reposted.b_, rows)
    repost_calibration = (reposted.a_, reposted.b_ - shift)

    def log_odds(values: np.ndarray) -> np.ndarray:
        return combine(machine.a_ * values[:, 0] + machine.b_,
                       repost_calibration[0] * values[:, 1] + repost_calibration[1])

    held = replace(held_out, decisions=log_odds(held_out.decisions))
    point = operating_point((machine.a_, machine.b_), log_odds(decisions), rows, held)
    return point, repost_calibration


REPOST_SHIFTS = tuple(np.arange(0.0, 8.01, 0.25))
"""How far the repost detector's log-odds may be moved down before they are combined."""
MAX_REAL_MT_LOSS = 0.005
"""The ROC-AUC on the calibration split's real machine translation the repost detector may cost."""


def repost_shift(machine: np.ndarray, reposted: np.ndarray, rows: Sequence[Row]) -> float:
    """The smallest shift down of the repost detector's log-odds that keeps the combined score's
    ROC-AUC on the calibration split's real machine translation (against the human text of the same
    content) within :data:`MAX_REAL_MT_LOSS` of the classifier's alone: the two kinds of evidence are
    combined, and neither is traded for the other. Human text the repost detector finds broken is
    also in the real-MT sets' human side, so the shift is what keeps fluent MT ranked as before."""
    real = np.array([r.source in sources.REAL_MT_FILES and row_family(r) not in REPOST_FAMILIES for r in rows])
    labels = np.array([r.label for r in rows])[real]
    if len(set(labels.tolist())) < 2:
        return 0.0
    alone = roc_auc_score(labels, machine[real])
    for shift in REPOST_SHIFTS:
        combined = roc_auc_score(labels, combine(machine[real], reposted[real] - shift))
        if combined >= alone - MAX_REAL_MT_LOSS:
            log(f"reposts: the repost detector's log-odds moved down by {shift:.2f}: real-MT ROC-AUC on the "
                f"calibration split {combined:.3f} combined, {alone:.3f} for the classifier alone")
            return float(shift)
    return float(REPOST_SHIFTS[-1])


def operating_point(calibration: tuple[float, float], log_odds: np.ndarray, rows: Sequence[Row],
                    held_out: HeldOutHuman | None = None) -> Calibrated:
    """The threshold rule over the human paragraphs of original English (the calibration split's
    and the cross-fitted ``held_out`` ones, whose ``decisions`` are calibrated log-odds here) by
    genre, and the document rule over the calibration documents, from calibrated log-odds."""
    labels = np.array([r.label for r in rows])
    scores = 1.0 / (1.0 + np.exp(-log_odds))
    human = np.array([is_original_human(r) and counts_for_threshold(r) for r in rows], dtype=bool)
    human_scores = scores[human]
    genres = [r.genre for r, h in zip(rows, human) if h]
    if held_out is not None:
        human_scores = np.r_[human_scores, 1.0 / (1.0 + np.exp(-held_out.decisions[held_out.counted]))]
        genres += [g for g, counted in zip(held_out.genres, held_out.counted) if counted]
    threshold, rule = threshold_by_rule(human_scores, genres)
    lengths = np.array([len(r.text) for r in rows], dtype=np.float64)
    documents = held_out_human_documents(log_odds, rows, held_out)
    shifted, document_rates = document_rule(log_odds, lengths, labels, document_groups(rows), documents, threshold)
    return Calibrated(calibration, threshold, shifted, scores, genre_rates(human_scores, genres, threshold),
                      document_rates, rule)


THRESHOLD_RULE = (
    f"at most {MAX_FALSE_POSITIVE_RATE:.0%} of held-out human paragraphs of original English "
    f"({THRESHOLD_MIN_WORDS} words or more) flagged, "
    f"and at most {MAX_GENRE_FALSE_POSITIVE_RATE:.0%} in every genre of at least {MIN_GENRE_ROWS} paragraphs "
    f"(held out: the calibration split, and the training split scored by refits on the other "
    f"{PAIR_FOLDS - 1} of {PAIR_FOLDS} folds)"
)


def threshold_by_rule(human_scores: np.ndarray, genres: Sequence[str]) -> tuple[float, str]:
    """The default threshold from held-out human scores and the rule that set it, in words:
    :data:`THRESHOLD_RULE` with :data:`MIN_THRESHOLD_ROWS` scores or more, else :data:`FALLBACK_RULE`.

    >>> threshold_by_rule(np.zeros(10), ["news"] * 10)[0]
    0.5
    """
    if len(human_scores) < MIN_THRESHOLD_ROWS:
        log(f"threshold: {len(human_scores)} held-out human paragraphs of {THRESHOLD_MIN_WORDS} words or more, "
            f"the rule needs {MIN_THRESHOLD_ROWS}; falling back to {FALLBACK_RULE}")
        return FALLBACK_THRESHOLD, f"fallback: {FALLBACK_RULE} ({len(human_scores)} held-out human paragraphs " \
                                   f"of {THRESHOLD_MIN_WORDS} words or more, fewer than the {MIN_THRESHOLD_ROWS} " \
                                   f"the rule needs: {THRESHOLD_RULE})"
    fitted = GenreThreshold(MAX_FALSE_POSITIVE_RATE, MAX_GENRE_FALSE_POSITIVE_RATE, MIN_GENRE_ROWS).fit(
        human_scores, genres
    )
    return fitted.threshold_, THRESHOLD_RULE


def _share(value: float | None) -> str:
    """A share as a percentage, or ``none`` when there was nothing to count.

    >>> _share(0.0125), _share(None)
    ('1.2%', 'none')
    """
    return "none" if value is None else f"{value:.1%}"


@dataclass(frozen=True)
class HumanDocuments:
    """Held-out human documents of original English: each one's paragraphs' calibrated log-odds and
    lengths, and its genre."""

    log_odds: list[np.ndarray]
    lengths: list[np.ndarray]
    genres: list[str]


def held_out_human_documents(log_odds: np.ndarray, rows: Sequence[Row], held_out: HeldOutHuman | None) -> HumanDocuments:
    """The calibration split's human documents of original English and, cross-fitted, the training
    split's (``held_out.decisions``: their calibrated log-odds)."""
    groups: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for value, row in zip(log_odds, rows):
        if is_original_human(row):
            groups["calibration\x1f" + row.group].append((float(value), float(len(row.text)), row.genre))
    if held_out is not None:
        for value, group, length, genre in zip(held_out.decisions, held_out.groups, held_out.lengths, held_out.genres):
            groups["train\x1f" + group].append((float(value), float(length), genre))
    out = HumanDocuments([], [], [])
    for key in sorted(groups):
        parts = groups[key]
        out.log_odds.append(np.array([p[0] for p in parts]))
        out.lengths.append(np.array([p[1] for p in parts]))
        out.genres.append(Counter(p[2] for p in parts).most_common(1)[0][0])
    return out


def document_operating_point(calibration: tuple[float, float, float], documents: HumanDocuments,
                             threshold: float) -> tuple[tuple[float, float, float], dict[str, dict]]:
    """The document calibration shifted so that a document is garbled at the paragraph threshold
    exactly when at most 1% of held-out human documents (2% in every genre of 50 or more) are.

    Documents and paragraphs then share one threshold and one scale: a score at or above it is
    garbled, whether it is a paragraph's or a document's. Returns the shifted calibration and the
    held-out documents flagged per genre under it.
    """
    scores = np.array([combined_score(lo, ln, calibration) for lo, ln in zip(documents.log_odds, documents.lengths)])
    rule = GenreThreshold(MAX_FALSE_POSITIVE_RATE, MAX_GENRE_FALSE_POSITIVE_RATE, MIN_GENRE_ROWS)
    document_threshold = float(np.clip(rule.fit(scores, documents.genres).threshold_, 1e-12, 1 - 1e-12))
    a, b, c = calibration
    shift = _logit(threshold) - _logit(document_threshold)
    shifted = (a, b, c + shift)
    moved = np.array([combined_score(lo, ln, shifted) for lo, ln in zip(documents.log_odds, documents.lengths)])
    log(f"documents: {len(moved)} held-out human documents; their threshold {document_threshold:.4f} "
        f"moved onto the paragraph threshold {threshold:.4f}")
    return shifted, genre_rates(moved, documents.genres, threshold)


CENTRE_QUANTILES = (0.5, 0.75, 0.9, 0.95, 0.98)
"""Where a document's evidence may be centred: these quantiles of held-out human paragraphs' log-odds."""


def document_rule(log_odds: np.ndarray, lengths: np.ndarray, labels: np.ndarray, groups: Sequence[np.ndarray],
                  human: HumanDocuments, threshold: float) -> tuple[tuple[float, float, float], dict[str, dict]]:
    """The document calibration, centred where it catches the most garbled calibration documents at the
    document operating point (:func:`document_operating_point`), and the held-out human documents'
    flagged rates under it."""
    garbled = [g for g in groups if labels[g][0] == 1]
    if not human.log_odds or not garbled or len(garbled) == len(groups):
        log("documents: too few held-out documents of either kind to fit a document rule; the document "
            "calibration stays (1, 0, 0): sigmoid(L * s)")
        return (1.0, 0.0, 0.0), {}
    paragraphs = np.concatenate(human.log_odds)
    best: tuple[float, float, tuple, dict] | None = None
    for q in CENTRE_QUANTILES:
        centre = float(np.quantile(paragraphs, q))
        fitted = DocumentCalibration(centre).fit(log_odds, lengths, labels, groups).calibration_
        shifted, rates = document_operating_point(fitted, human, threshold)
        caught = float(np.mean([combined_score(log_odds[g], lengths[g], shifted) >= threshold for g in garbled]))
        log(f"documents: centred at the {q:.0%} quantile of human paragraphs' log-odds ({centre:+.2f}): "
            f"{caught:.1%} of {len(garbled)} garbled calibration documents caught")
        if best is None or caught > best[0]:
            best = (caught, centre, shifted, rates)
    assert best is not None
    return best[2], best[3]


def _logit(p: float) -> float:
    return float(np.log(p) - np.log1p(-p))


def train(records: list[dict], out: Path, data_description: dict, reference: Sequence[str] = ()) -> Model:
    started = time.time()
    fitted = fit_model(records, reference=reference)
    model, splits = fitted.model, fitted.splits
    calibration_rows = splits["calibration"]
    human = [i for i, r in enumerate(calibration_rows) if is_original_human(r)]
    genre_fpr = genre_rates(fitted.calibration_scores[human], [calibration_rows[i].genre for i in human], model.threshold)
    translations = np.array([r.genre == sources.TRANSLATION for r in calibration_rows])
    calibration_metrics = metrics(calibration_rows, fitted.calibration_scores, model.threshold)
    calibration_metrics["human_translations_flagged"] = (
        round(float((fitted.calibration_scores[translations] >= model.threshold).mean()), 4) if translations.any() else None
    )

    detector = mtdetect.Detector(model)
    test_scores = detector.score_paragraphs([r.text for r in splits["test"]])
    test_metrics = metrics(splits["test"], test_scores, model.threshold)
    log(f"test: ROC-AUC {test_metrics['roc_auc']}, FPR {test_metrics['false_positive_rate']}, TPR {test_metrics['true_positive_rate']}")
    log(f"held-out human paragraphs (>= {THRESHOLD_MIN_WORDS} words) flagged by genre: "
        + ", ".join(f"{g} {_share(v['flagged'])} of {v['rows']}" for g, v in fitted.threshold_rates.items()))
    log("calibration split, human paragraphs flagged by genre: "
        + ", ".join(f"{g} {_share(v['flagged'])}" for g, v in genre_fpr.items()))

    model.card = {
        "name": out.name,
        "description": "mtdetect paragraph classifier: P(machine-translated or spun)",
        "mtdetect_version": mtdetect.__version__,
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scikit-learn": __import__("sklearn").__version__,
        },
        "classifier": {
            "type": "logistic regression (L-BFGS-B, sign-bounded dense weights) + Platt calibration",
            "sample_weighting": DEFAULT_WEIGHTING,
            "sample_weighting_description": WEIGHTINGS[DEFAULT_WEIGHTING],
            "human_core_share": HUMAN_CORE_SHARE,
            "garble_weight": GARBLE_WEIGHT,
            "C": C,
            "calibration": list(model.calibration),
        },
        "threshold_rule": fitted.threshold_rule,
        "threshold_held_out_flagged": fitted.threshold_rates,
        "document_score": {
            "rule": "sigmoid(a * L * s + b * s + c): L the length-weighted mean of the paragraphs' calibrated log-odds, "
                    f"s = sqrt(max(characters, {DOCUMENT_UNIT_CHARS}) / {DOCUMENT_UNIT_CHARS}); (a, b) fitted on "
                    "calibration-split documents (real MT, spun and round-tripped reposts and human text; not the "
                    "garbler's), c then moved so that the paragraph threshold is the document threshold: at most "
                    f"{MAX_FALSE_POSITIVE_RATE:.0%} of held-out human documents of original English flagged, and at most "
                    f"{MAX_GENRE_FALSE_POSITIVE_RATE:.0%} in every genre of at least {MIN_GENRE_ROWS} documents (the "
                    "calibration split's, and the training split's cross-fitted); a document of one paragraph "
                    "scores as its paragraph",
            "calibration": list(model.document_calibration),
            "held_out_flagged": fitted.document_rates,
        },
        "training_data": data_description,
        "rows": {name: {"total": len(part), "garbled": sum(r.label for r in part)} for name, part in splits.items()},
        "metrics": {
            "calibration_split": {**calibration_metrics, "human_flagged_by_genre": genre_fpr},
            "test_split": test_metrics,
        },
        "top_dense_weights": sorted(
            ({"feature": n, "weight": round(float(w), 4)} for n, w in zip(dense_feature_names(), model.dense_coef)),
            key=lambda d: -abs(d["weight"]),
        ),
        "repost_detector": None if model.repost_coef is None else {
            "type": "logistic regression on the standardised dense features, spun and round-tripped reposts "
                    "against every human row (classes balanced, families by the square root of their size), "
                    "Platt-calibrated on the calibration split; its log-odds and the classifier's combine as "
                    "log(exp(m) + exp(r))",
            "calibration": list(model.repost_calibration),
            "weights": sorted(
                ({"feature": n, "weight": round(float(w), 4)}
                 for n, w in zip(dense_feature_names(), model.repost_coef[:-1])),
                key=lambda d: -abs(d["weight"]),
            ),
        },
        "licenses": {
            "word frequencies": "wordfreq (Robyn Speer), data CC BY-SA 4.0",
            "clean corpora": "GUM (CC BY 2.5/4.0, Zeldes 2017; Wikinews), US State of the Union addresses (public domain)",
            "human web text": "Universal Dependencies English EWT (CC BY-SA 4.0, Silveira et al. 2014)",
            "real machine translation": "HT-vs-MT windows (MIT; van der Werff et al. 2022) of WMT test sets (research use); "
                                        "FLORES-101/200 (CC BY-SA 4.0) with M2M-100 and NLLB outputs (research use)",
            "WMT24 English originals": "WMT24 test sources (research use)",
            "MQM zh-en TED translations": "google/wmt-mqm-human-evaluation, Apache-2.0",
            "reference text": "MASC 500K (linguistic education, research and development, including commercial; "
                              "via nltk_data), film reviews (CC BY 4.0, Pang & Lee 2004), US inaugural addresses "
                              "(public domain): n-gram counts only",
            "thesaurus": "WordNet 3.0 (Princeton WordNet licence), used by the training spinner only",
            "round trips": "Apertium (GPL) translations made in training; only counts and weights are shipped",
        },
    }
    model.card["training_seconds"] = round(time.time() - started)
    weights, card = save_model(model, out)
    log(f"wrote {weights} and {card} in {time.time() - started:.0f} s")
    return model


def user_model_stem(pairs: Path) -> Path:
    """Where a model trained on the pairs at ``pairs`` goes by default: ``models/NAME``
    after the file or folder, never the shipped ``models/default``.

    >>> user_model_stem(Path("data/my-pairs.jsonl.gz")), user_model_stem(Path("default/"))
    (PosixPath('models/my-pairs'), PosixPath('models/default-pairs'))
    """
    name = pairs.name
    for suffix in JSONL_SUFFIXES:
        name = name.removesuffix(suffix)
    if name == DEFAULT_OUT.name:
        name += "-pairs"
    return DEFAULT_OUT.parent / name


def collect_records(args: argparse.Namespace, data: Path) -> tuple[list[dict], dict]:
    """The training records the arguments ask for: the default recipe on a data folder, a
    user's pairs added to the recipe on ``--base`` (when it is there), or the pairs alone."""
    without = [name for name in args.without.split(",") if name]
    if sources.is_data_root(data):
        return sources.collect(data, Path(args.cache), seed=args.seed, roundtrip_pairs=args.roundtrip,
                               without=without)
    base = Path(args.base)
    if not args.only and sources.is_data_root(base):
        log(f"adding your pairs to the default recipe on {base} (--only trains on them alone)")
        return sources.collect_with_user_pairs(base, data, Path(args.cache), seed=args.seed,
                                               roundtrip_pairs=args.roundtrip, without=without)
    if not args.only:
        log(f"warning: no default recipe data at {base} (BASE=): training on your pairs alone")
    records, description = sources.collect_user_pairs(data, seed=args.seed)
    documents = description["user_pair_counts"]["documents"]
    if documents < MIN_USER_DOCUMENTS:
        raise TooFewDocuments(
            f"{data}: pairs of {documents} document(s); training on pairs alone needs at least "
            f"{MIN_USER_DOCUMENTS} (each document goes whole to train, calibration or test; a pair without "
            "a doc field counts as a document of its own): add pairs, or add them to the default recipe"
        )
    log(f"warning: training on your pairs alone: {len(list(rows_from_pairs(records)))} rows; the model learns "
        "nothing else (the shipped model learnt from about 60,000)")
    return with_ranked_splits(records), description


def reference_text(args: argparse.Namespace, data: Path) -> list[str]:
    """The reference corpora's text for the reference model of English: from the data folder the
    recipe reads (``--data``, or ``--base`` under a user's pairs), none when it is not there."""
    root = data if sources.is_data_root(data) else Path(args.base)
    return sources.reference_texts(root) if sources.is_data_root(root) else []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(sources.DEFAULT_DATA_DIR),
                        help="the shared data folder (mt/, clean/, seeds/) or a user's pairs (JSONL file or folder)")
    parser.add_argument("--base", default=str(sources.DEFAULT_DATA_DIR),
                        help="the shared data folder whose default recipe a user's pairs are added to "
                             "(default: %(default)s; without it, or with --only, the pairs are trained on alone)")
    parser.add_argument("--only", action="store_true", help="train on the user's pairs alone")
    parser.add_argument("--cache", default="build/pairs", help="where generated pairs are cached")
    parser.add_argument("--out", default=None,
                        help=f"model path stem (writes STEM.npz, STEM.card.json; default: {DEFAULT_OUT} for "
                             "the default recipe, models/NAME for pairs in NAME.jsonl or NAME/)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--roundtrip", action="store_true",
                        help="add Apertium round trips of the clean corpora (Debian packages; about 25 minutes uncached)")
    parser.add_argument("--without", default="", metavar="SOURCES",
                        help=f"comma-separated training sources to leave out ({', '.join(sources.SOURCES)})")
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not data.exists():
        print(f"train: error: {data}: no such file or folder (set DATA=path to the shared data or to your pairs)", file=sys.stderr)
        return 2
    recipe = sources.is_data_root(data)
    out = Path(args.out) if args.out else DEFAULT_OUT if recipe else user_model_stem(data)
    if not recipe and out.resolve() == DEFAULT_OUT.resolve():
        print(f"train: error: {DEFAULT_OUT} is the shipped model, written by the default recipe only; "
              "name yours with OUT=models/NAME (--out)", file=sys.stderr)
        return 2
    try:
        records, description = collect_records(args, data)
        train(records, out, description, reference_text(args, data))
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"train: error: {exc}", file=sys.stderr)
        return 2
    if not recipe:
        log(f"score with it: mtdetect score --model {out} FILE")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
