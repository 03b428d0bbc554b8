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
from .errors import InputError, MissingDependency
from .records import DOCUMENTS_PER_BATCH, NO_TEXT_FIELD, TEXT_NOT_STRING, json_kind

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
    """Records that are not garbled (document score under ``threshold``, or no score: no text,
    no English paragraph, or no string ``text_field``), each annotated under ``score_field``.

    Records are scored ``batch_size`` at a time (all their paragraphs in one
    model call) and yielded lazily, in order, as shallow copies. With
    ``mode="annotate"`` every record is yielded. A record without a string
    ``text_field`` (missing, None, a number) is no reason to stop a stream:
    it comes back in either mode with no score and the reason under
    ``error``, as ``mtdetect filter`` reports such a line and goes on::

        {"score": None, "paragraphs": [], "warnings": [], "error": "field 'text' is JSON null, not a string"}

    Only an item that is no mapping at all raises
    :class:`~mtdetect.errors.InputError`, before anything is read after it.
    """
    if mode not in ("annotate", "drop"):
        raise ValueError(f"mode must be 'annotate' or 'drop', not {mode!r}")
    limit = detector.threshold if threshold is None else threshold
    batch: list[tuple[Mapping[str, Any], str | None]] = []  # each record, and why it has no text to score

    def flush() -> Iterator[dict[str, Any]]:
        texts = [record[text_field] for record, problem in batch if problem is None]
        results = iter(detector.score_documents(texts, threshold=limit))
        for record, problem in batch:
            copy = dict(record)
            if problem is not None:
                annotation: dict[str, Any] = {"score": None, "paragraphs": [], "warnings": [], "error": problem}
            else:
                result = next(results)
                if mode == "drop" and result.garbled:
                    continue
                annotation = filter_annotation(result)
            if score_field is not None:
                copy[score_field] = annotation
            yield copy

    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise InputError(f"record {index}: a {type(record).__name__}, not a mapping")
        batch.append((record, text_problem(record, text_field)))
        if len(batch) >= batch_size:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def text_problem(record: Mapping[str, Any], text_field: str) -> str | None:
    """Why ``record`` has no text to score, in the words ``mtdetect filter`` uses, or None.

    >>> text_problem({"text": None}, "text"), text_problem({}, "body"), text_problem({"text": "Hi"}, "text")
    ("field 'text' is JSON null, not a string", "no field 'body'", None)
    >>> text_problem({"text": b"Hi"}, "text")
    "field 'text' is a bytes, not a string"
    """
    value = record.get(text_field, _MISSING)
    if value is _MISSING:
        return NO_TEXT_FIELD.format(field=text_field)
    if isinstance(value, str):
        return None
    json_types = (type(None), bool, int, float, list, dict)
    kind = json_kind(value) if isinstance(value, json_types) else f"a {type(value).__name__}"
    return TEXT_NOT_STRING.format(field=text_field, kind=kind)


def score_series(detector: Detector, texts: pandas.Series, paragraphs: bool = False) -> pandas.Series:
    """Document scores of a pandas Series of texts, same index; NaN for a missing text and for a
    document without a score (no text, or no English paragraph: :mod:`mtdetect.results`).

    Without pandas installed it raises :class:`~mtdetect.errors.MissingDependency`, naming the
    extra that brings it (``pip install 'mtdetect[pandas]'``).

    With ``paragraphs=True`` each value is the full annotation dict instead
    (``{"score": ..., "paragraphs": [[start, end, score], ...], "warnings": [...]}``), or None.
    """
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependency.of("pandas", "score_series") from None

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
