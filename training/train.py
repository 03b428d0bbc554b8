"""Train the paragraph classifier and write the model (weights as data + card).

The recipe, top to bottom:

1. **pairs** (:mod:`training.sources`): the seed article and its garbled repost,
   real machine-translation round trips of the clean corpora (Apertium),
   synthetic damage from the garbler (alone and on top of round trips),
   typography-only variants and a republished copy (both sides clean) — or a
   user's own pairs (``--data PAIRS``).
2. **rows** (:mod:`training.dataset`): both sides of each pair, split by
   document into train / calibration / test.
3. **tables** (:mod:`training.tables`): word frequencies and word-pair counts,
   the pair counts out of fold for training rows.
4. **fit**: a logistic regression on the dense features (standardised) and the
   hashed word-class n-grams, with balanced classes and row families weighted
   by the square root of their size; its strength is chosen on the calibration
   split. Every step is an estimator of :mod:`training.estimators`, which
   evaluation refits the same way.
5. **calibrate**: Platt scaling on the calibration split.
6. **threshold**: the lowest score that keeps the false-positive rate on the
   calibration split's clean paragraphs at or under 1%.
7. **write**: ``models/default.npz`` and ``models/default.card.json``, with data
   hashes, sizes and test-split metrics.

Run as ``python -m training.train`` (``make train``). Deterministic: the same
data gives the same weights file, byte for byte (the card also records the
training time).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score

import mtdetect
from mtdetect.features import DENSE_FEATURES, FeatureBatch, compute_features, dense_feature_names
from mtdetect.model import Model, save_model

from . import sources
from .dataset import PAIR_FOLDS, Row, fold_of, rows_from_pairs
from .estimators import (
    DEFAULT_WEIGHTING,
    WEIGHTINGS,
    FprThreshold,
    PlattCalibration,
    SignBoundedLogistic,
    Standardizer,
    WordTables,
    sample_weights,
)
from .tables import pair_counts, word_frequency_table

MAX_FALSE_POSITIVE_RATE = 0.01
"""The default threshold keeps this share of held-out clean paragraphs (or fewer) above it."""
C_GRID = (1.0, 3.0)
"""Inverse regularisation strengths tried; the best on the calibration split wins."""
DEFAULT_OUT = Path("models/default")


def log(message: str) -> None:
    print(f"[train] {message}", file=sys.stderr, flush=True)


@dataclass
class Matrices:
    """Features of a set of rows, ready for the classifier."""

    dense: np.ndarray
    word_class: sp.csr_matrix
    labels: np.ndarray
    families: list[str]


def featurize(rows: Sequence[Row], tables) -> Matrices:
    batch = compute_features([r.text for r in rows], tables)
    labels = np.array([r.label for r in rows], dtype=np.int8)
    return Matrices(batch.dense, batch.word_class, labels, [row_family(r.kind) for r in rows])


def featurize_out_of_fold(rows: Sequence[Row], words, fold_counts: list[Counter[tuple[str, str]]]) -> Matrices:
    """Training rows, each fold's rows with pair counts from the other folds only."""
    parts: list[Matrices] = []
    order: list[int] = []
    total = sum(fold_counts, Counter())
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
        np.concatenate([p.labels for p in parts])[inverse],
        [families[i] for i in inverse],
    )


def fit_classifier(
    train: Matrices, calib: Matrices, standardizer: Standardizer, weighting: str = DEFAULT_WEIGHTING
) -> tuple[SignBoundedLogistic, dict[str, float]]:
    """Sign-bounded logistic regression; the strength with the best calibration ROC-AUC wins."""
    x_train = standardizer.design(train.dense, train.word_class)
    x_calib = standardizer.design(calib.dense, calib.word_class)
    directions = [spec.direction for spec in DENSE_FEATURES]
    weights = sample_weights(train.labels, train.families, weighting)
    best, aucs = None, {}
    for c in C_GRID:
        fitted = SignBoundedLogistic(C=c, directions=directions).fit(x_train, train.labels, weights)
        auc = roc_auc_score(calib.labels, fitted.decision_function(x_calib))
        aucs[str(c)] = round(float(auc), 4)
        log(f"fit: C={c} calibration ROC-AUC {auc:.4f}")
        if best is None or auc > best[0]:
            best = (auc, fitted)
    assert best is not None
    return best[1], aucs


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


def row_family(kind: str) -> str:
    """How a row was made, for sample weighting: ``roundtrip``, ``garble``, ``mqm``...

    >>> row_family("roundtrip:spa+garble"), row_family("garble:split_date+word_order")
    ('roundtrip+garble', 'garble')
    """
    family = kind.split(":")[0]
    return family + "+garble" if kind.endswith("+garble") else family


def train(pairs: list[dict], out: Path, data_description: dict) -> Model:
    started = time.time()
    data_description = dict(data_description)
    rows = list(rows_from_pairs(pairs))
    splits = {name: [r for r in rows if r.split == name] for name in ("train", "calibration", "test")}
    for name, part in splits.items():
        log(f"rows: {name} {len(part)} ({sum(r.label for r in part)} garbled)")
    if not splits["train"] or not splits["calibration"]:
        raise SystemExit("train: error: too few documents to split into train and calibration sets")

    words = word_frequency_table()
    clean_train = [r for r in splits["train"] if r.label == 0]
    fold_counts = [pair_counts(r.text for r in clean_train if fold_of(r.group) == k) for k in range(PAIR_FOLDS)]
    full_tables = WordTables(words).fit(sum(fold_counts, Counter())).tables_
    log(f"tables: {len(full_tables.word_index)} words, {len(full_tables.pair_index)} word pairs")

    train_m = featurize_out_of_fold(splits["train"], words, fold_counts)
    calib_m = featurize(splits["calibration"], full_tables)
    standardizer = Standardizer().fit(train_m.dense)

    classifier, aucs = fit_classifier(train_m, calib_m, standardizer, DEFAULT_WEIGHTING)
    coef, c = classifier.coef_, classifier.C
    n_dense = train_m.dense.shape[1]
    model = Model(
        dense_mean=standardizer.mean_.astype(np.float32),
        dense_scale=standardizer.scale_.astype(np.float32),
        dense_coef=coef[:n_dense].astype(np.float32),
        word_class_coef=coef[n_dense:].astype(np.float32),
        intercept=classifier.intercept_,
        calibration=(1.0, 0.0),
        tables=full_tables,
        threshold=0.5,
    )
    calib_z = model.decision(FeatureBatch(calib_m.dense, calib_m.word_class))
    calibration = PlattCalibration().fit(calib_z, calib_m.labels)
    model.calibration = (calibration.a_, calibration.b_)
    calib_p = model.probability(FeatureBatch(calib_m.dense, calib_m.word_class))
    model.threshold = FprThreshold(MAX_FALSE_POSITIVE_RATE).fit(calib_p[calib_m.labels == 0]).threshold_
    log(f"calibration: a={model.calibration[0]:.3f} b={model.calibration[1]:.3f}; threshold {model.threshold:.4f}")

    detector = mtdetect.Detector(model)
    test_scores = detector.score_paragraphs([r.text for r in splits["test"]])
    test_metrics = metrics(splits["test"], test_scores, model.threshold)
    log(f"test: ROC-AUC {test_metrics['roc_auc']}, FPR {test_metrics['false_positive_rate']}, TPR {test_metrics['true_positive_rate']}")

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
            "C": c,
            "calibration_roc_auc_by_C": aucs,
            "calibration": list(model.calibration),
        },
        "threshold_rule": f"false-positive rate <= {MAX_FALSE_POSITIVE_RATE:.0%} on calibration-split clean paragraphs",
        "training_data": data_description,
        "rows": {name: {"total": len(part), "garbled": sum(r.label for r in part)} for name, part in splits.items()},
        "metrics": {"test_split": test_metrics},
        "top_dense_weights": sorted(
            ({"feature": n, "weight": round(float(w), 4)} for n, w in zip(dense_feature_names(), model.dense_coef)),
            key=lambda d: -abs(d["weight"]),
        ),
        "licenses": {
            "word frequencies": "wordfreq (Robyn Speer), data CC BY-SA 4.0",
            "clean corpora": "GUM (CC BY 2.5/4.0, Zeldes 2017; Wikinews), US State of the Union addresses (public domain)",
            "MQM zh-en TED translations": "google/wmt-mqm-human-evaluation, Apache-2.0",
        },
    }
    model.card["training_seconds"] = round(time.time() - started)
    weights, card = save_model(model, out)
    log(f"wrote {weights} and {card} in {time.time() - started:.0f} s")
    return model


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(sources.DEFAULT_DATA_DIR),
                        help="the shared data folder (clean/, seeds/) or a user's pairs (JSONL file or folder)")
    parser.add_argument("--cache", default="build/pairs", help="where generated pairs are cached")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="model path stem (writes STEM.npz, STEM.card.json)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--no-roundtrip", action="store_true", help="skip Apertium round trips (no Debian packages)")
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not data.exists():
        print(f"train: error: {data}: no such file or folder (set DATA=path to the shared data or to your pairs)", file=sys.stderr)
        return 2
    try:
        pairs, description = sources.collect(data, Path(args.cache), seed=args.seed, roundtrip_pairs=not args.no_roundtrip)
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"train: error: {exc}", file=sys.stderr)
        return 2
    train(pairs, Path(args.out), description)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
