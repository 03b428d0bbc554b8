"""Explanations read from the batch the score was computed on, so they cannot disagree with it.

For each explained row of a scored batch (:class:`mtdetect.features.BatchDetail`):

- **artifact flags**: the rules' findings the artifact counts were made of;
- **unknown-word flags**: the words the ``unknown_words`` feature counted,
  found again in the paragraph as written (typography folding keeps offsets);
- **contributions**: how far each dense feature and each word-class n-gram
  moved the decision value, with the model's own standardisation and the
  row scaling the score used. Artifact counts are measured against no
  damage, language measures against the training average.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .features import DENSE_FEATURES, FeatureBatch, compute_features, dense_feature_names
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


def unknown_words(paragraph: str, model: Model) -> list[Finding]:
    """Lower-case words the model's English word list does not know (untranslated?), as flags."""
    if not WORD.search(fold_characters(paragraph)):
        return []
    batch = compute_features([paragraph], model.tables, detail=True)
    assert batch.detail is not None
    return unknown_word_flags(paragraph, batch.detail.unknown_words(0))


def contributions(model: Model, batch: FeatureBatch, rows: Sequence[int], top: int) -> dict[int, list[Contribution]]:
    """The ``top`` strongest contributions to each of ``rows`` of a batch computed with ``detail``."""
    detail = batch.detail
    assert detail is not None, "contributions need a batch computed with detail=True"
    rows = list(rows)
    baseline = np.where([s.family == "artifact" for s in DENSE_FEATURES], 0.0, model.dense_mean)
    moved = (batch.dense[rows] - baseline) / model.dense_scale * model.dense_coef
    names = dense_feature_names()
    grams = detail.grams
    order = np.argsort(grams.rows, kind="stable")  # each row's n-grams, in their own order
    bounds = np.searchsorted(grams.rows[order], [rows, np.add(rows, 1)])
    scale = batch.grams.scale.astype(np.float64) if batch.grams is not None else np.ones(len(batch.dense))
    coef = model.word_class_coef
    out = {}
    for k, row in enumerate(rows):
        dense = [(names[j], DENSE_FEATURES[j].description, float(v)) for j, v in enumerate(moved[k]) if abs(v) > 1e-6]
        mine = order[bounds[0][k] : bounds[1][k]]
        keys, first, inverse = np.unique(grams.keys[mine], return_index=True, return_inverse=True)  # type: ignore[index]
        totals = np.bincount(inverse, weights=coef[grams.columns[mine]].astype(np.float64), minlength=len(keys))
        totals *= scale[row]
        in_order = np.argsort(first, kind="stable")  # each n-gram where it first occurs
        values = np.concatenate([[v for _, _, v in dense], totals[in_order]])
        chosen = np.argsort(-np.abs(values), kind="stable")[:top].tolist()
        out[row] = [
            Contribution(*dense[i]) if i < len(dense)
            else _gram_contribution(detail.gram_name(int(mine[first[in_order[i - len(dense)]]])), values[i])
            for i in chosen
        ]
    return out


def _gram_contribution(name: str, value: float) -> Contribution:
    shown = " ".join(part.strip() or part for part in name.split("\x01"))
    return Contribution(f"word_class:{shown}", WORD_CLASS_DESCRIPTION, float(value))
