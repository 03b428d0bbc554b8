"""Records and pandas batches for Python pipelines, scored a batch per call.

:func:`filter_records` (behind :meth:`mtdetect.Detector.filter`) and
:func:`score_series` (behind :meth:`mtdetect.Detector.score_series`) both
score a batch of documents in one call and annotate them as ``mtdetect
filter`` does (:func:`mtdetect.annotation.filter_annotation`). Nothing here
imports the Detector: it is handed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .annotation import DEFAULT_SCORE_FIELD, filter_annotation
from .errors import InputError
from .records import DOCUMENTS_PER_BATCH

if TYPE_CHECKING:
    import pandas

    from .detector import Detector
    from .filtering import Mode

_MISSING = object()


def filter_records(
    detector: Detector,
    records: Iterable[Mapping[str, Any]],
    text_field: str = "text",
    threshold: float | None = None,
    score_field: str | None = DEFAULT_SCORE_FIELD,
    mode: Mode = "drop",
    batch_size: int = DOCUMENTS_PER_BATCH,
) -> Iterator[dict[str, Any]]:
    """Records that are not garbled (document score under ``threshold``, or no score: no text or
    no English paragraph), each annotated under ``score_field``.

    Records are scored ``batch_size`` at a time (all their paragraphs in one
    model call) and yielded lazily, in order, as shallow copies. With
    ``mode="annotate"`` every record is yielded. A record without a string
    ``text_field`` raises :class:`~mtdetect.errors.InputError` naming it:
    nothing is left out silently.
    """
    if mode not in ("annotate", "drop"):
        raise ValueError(f"mode must be 'annotate' or 'drop', not {mode!r}")
    limit = detector.threshold if threshold is None else threshold
    batch: list[Mapping[str, Any]] = []
    index = 0

    def flush() -> Iterator[dict[str, Any]]:
        results = detector.score_documents([r[text_field] for r in batch], threshold=limit)
        for record, result in zip(batch, results):
            if mode == "drop" and result.garbled:
                continue
            copy = dict(record)
            if score_field is not None:
                copy[score_field] = filter_annotation(result)
            yield copy

    for record in records:
        if not isinstance(record, Mapping):
            raise InputError(f"record {index}: a {type(record).__name__}, not a mapping")
        value = record.get(text_field, _MISSING)
        if value is _MISSING:
            raise InputError(f"record {index}: no field {text_field!r}")
        if not isinstance(value, str):
            raise InputError(f"record {index}: field {text_field!r} is {type(value).__name__}, not a string")
        batch.append(record)
        index += 1
        if len(batch) >= batch_size:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def score_series(detector: Detector, texts: pandas.Series, paragraphs: bool = False) -> pandas.Series:
    """Document scores of a pandas Series of texts, same index; NaN for a missing text and for a
    document without a score (no text, or no English paragraph: :mod:`mtdetect.results`).

    With ``paragraphs=True`` each value is the full annotation dict instead
    (``{"score": ..., "paragraphs": [[start, end, score], ...], "warnings": [...]}``), or None.
    """
    import pandas as pd

    values = texts.tolist()
    present = [i for i, v in enumerate(values) if isinstance(v, str)]
    results = detector.score_documents([values[i] for i in present])
    if paragraphs:
        out: list[Any] = [None] * len(values)
        for i, result in zip(present, results):
            out[i] = filter_annotation(result)
        return pd.Series(out, index=texts.index, name=texts.name, dtype=object)
    scores = np.full(len(values), np.nan)  # no text, or no score (no English paragraph): NaN
    for i, result in zip(present, results):
        if result.score is not None:
            scores[i] = result.score
    return pd.Series(scores, index=texts.index, name=texts.name, dtype="float64")
