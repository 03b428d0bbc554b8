"""Explanations read from the batch the score was computed on, so they cannot disagree with it.

For each explained row of a scored batch (:class:`mtdetect.features.BatchDetail`):

- **artifact flags**: the rules' findings the artifact counts were made of;
- **unknown-word flags**: the words the ``unknown_words`` feature counted,
  found again in the paragraph as written (typography folding keeps offsets);
- **contributions**: how far each dense feature, each word-class n-gram and
  each word n-gram moved the decision value, with the model's own standardisation and the
  row scaling the score used. Artifact counts are measured against no
  damage, language measures against the training average.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .features import DENSE_FEATURES, FeatureBatch, GramOccurrences, dense_feature_names
from .model import Model
from .results import Contribution
from .rules import Finding
from .typography import fold_characters
from .wordclass import WORD

UNKNOWN_WORD = "unknown_word"
"""The kind of a flag on a word English does not know."""
UNKNOWN_WORD_MESSAGE = "not an English word (left untranslated?): “{text}”"
TOP_CONTRIBUTIONS = 6
"""Contributions an explanation lists, strongest first."""
WORD_CLASS_DESCRIPTION = "word-class n-gram"
WORD_DESCRIPTION = "word n-gram"


def unknown_word_flags(text: str, words: set[str]) -> list[Finding]:
    """Flags on each occurrence in ``text`` of the ``words`` the features counted as unknown.

    >>> [(f.start, f.text) for f in unknown_word_flags("The sindaco’s sindaco said", {"sindaco's", "sindaco"})]
    [(4, 'sindaco’s'), (14, 'sindaco')]
    """
    if not words:
        return []
    # Folding is one character to one, so the spans hold in the paragraph as written.
    return [
        Finding(UNKNOWN_WORD, m.start(), m.end(), original, UNKNOWN_WORD_MESSAGE.format(text=original))
        for m in WORD.finditer(fold_characters(text))
        if m.group() in words
        for original in (text[m.start() : m.end()],)
    ]


def _gram_totals(grams: GramOccurrences, coef: np.ndarray, row: int, scale: float, order: np.ndarray,
                 bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """One row's n-grams of a family: the occurrence that names each distinct n-gram (where it
    first occurs) and its summed contribution, in text order."""
    mine = order[bounds[0] : bounds[1]]
    keys, first, inverse = np.unique(grams.keys[mine], return_index=True, return_inverse=True)  # type: ignore[index]
    totals = np.bincount(inverse, weights=coef[grams.columns[mine]].astype(np.float64), minlength=len(keys)) * scale
    in_order = np.argsort(first, kind="stable")
    return mine[first[in_order]], totals[in_order]


def detector_shares(model: Model, batch: FeatureBatch, rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """How much a unit of each detector's calibrated log-odds moves each row's combined log-odds
    (:func:`mtdetect.model.combine`): the classifier's share and the repost detector's, summing to 1."""
    a, b = model.calibration
    machine = a * model.decision(batch)[rows] + b
    reposted = model.repost_decision(batch)
    if reposted is None:
        return np.ones(len(rows)), np.zeros(len(rows))
    ra, rb = model.repost_calibration
    share = 1.0 / (1.0 + np.exp(np.clip(machine - (ra * reposted[rows] + rb), -700, 700)))
    return 1.0 - share, share


def contributions(model: Model, batch: FeatureBatch, rows: Sequence[int], top: int) -> dict[int, list[Contribution]]:
    """The ``top`` strongest contributions to each of ``rows`` of a batch computed with ``detail``, in
    calibrated log-odds: each feature's weight times its distance from the training mean (a rule's
    count from none), in the classifier and in the repost detector, each by its share of the row's
    combined log-odds (:func:`detector_shares`)."""
    detail = batch.detail
    assert detail is not None, "contributions need a batch computed with detail=True"
    rows = list(rows)
    machine_share, repost_share = detector_shares(model, batch, rows)
    a = model.calibration[0]
    baseline = np.where([s.family == "artifact" for s in DENSE_FEATURES], 0.0, model.dense_mean)
    standard = (batch.dense[rows] - baseline) / model.dense_scale
    moved = standard * model.dense_coef * (a * machine_share)[:, None]
    if model.repost_coef is not None:
        moved = moved + standard * model.repost_coef[:-1] * (model.repost_calibration[0] * repost_share)[:, None]
    names = dense_feature_names()
    scale = batch.grams.scale.astype(np.float64) if batch.grams is not None else np.ones(len(batch.dense))
    scale = scale.copy()
    scale[rows] *= a * machine_share
    families = [
        (detail.grams, model.word_class_coef, detail.gram_name, "word_class", WORD_CLASS_DESCRIPTION),
        (detail.word_grams, model.word_ngram_coef, detail.word_gram_name, "word", WORD_DESCRIPTION),
    ]
    orders = []
    for grams, *_ in families:
        order = np.argsort(grams.rows, kind="stable")  # each row's n-grams, in their own order
        orders.append((order, np.searchsorted(grams.rows[order], [rows, np.add(rows, 1)])))
    out = {}
    for k, row in enumerate(rows):
        candidates = [Contribution(names[j], DENSE_FEATURES[j].description, float(v))
                      for j, v in enumerate(moved[k]) if abs(v) > 1e-6]
        values = [c.value for c in candidates]
        named: list[tuple[Callable[[int], str], int, str, str]] = []
        for (grams, coef, name, family, description), (order, bounds) in zip(families, orders):
            occurrences, totals = _gram_totals(grams, coef, row, scale[row], order, (bounds[0][k], bounds[1][k]))
            named += [(name, int(at), family, description) for at in occurrences]
            values += totals.tolist()
        chosen = np.argsort(-np.abs(np.array(values)), kind="stable")[:top].tolist()
        out[row] = [
            candidates[i] if i < len(candidates)
            else _gram_contribution(*named[i - len(candidates)], values[i])
            for i in chosen
        ]
    return out


def _gram_contribution(name: Callable[[int], str], occurrence: int, family: str, description: str,
                       value: float) -> Contribution:
    shown = " ".join(part.strip() or part for part in name(occurrence).split("\x01"))
    return Contribution(f"{family}:{shown}", description, float(value))
