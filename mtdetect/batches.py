"""Records and pandas batches for Python pipelines, scored a batch of paragraphs per call.

:func:`filter_records` (behind :meth:`mtdetect.Detector.filter`) and
:func:`score_series` (behind :meth:`mtdetect.Detector.score_series`) both
score through the one loop (:mod:`mtdetect.scoring`) and annotate as ``mtdetect
filter`` does (:func:`mtdetect.annotation.filter_annotation`). Nothing here
imports the Detector: it is handed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .annotation import DEFAULT_SCORE_FIELD, filter_annotation
from .errors import InputError, MissingDependency
from .records import NO_TEXT_FIELD, TEXT_NOT_STRING, json_kind
from .scoring import scored

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
    batch_size: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Records that are not garbled (document score under ``threshold``, or no score: no text,
    no English paragraph, or no string ``text_field``), each annotated under ``score_field``.

    Records are scored a batch of at most ``batch_size`` paragraphs per model
    call (default :data:`~mtdetect.records.PARAGRAPHS_PER_BATCH`;
    :mod:`mtdetect.scoring`) and yielded lazily, in order, as shallow copies.
    With ``mode="annotate"`` every record is yielded. A record without a string
    ``text_field`` (missing, None, a number) is no reason to stop a stream:
    it comes back in either mode with no score and the reason under
    ``error``, as ``mtdetect filter`` reports such a line and goes on::

        {"score": None, "paragraphs": [], "warnings": [], "error": "field 'text' is JSON null, not a string"}

    Only an item that is no mapping at all raises
    :class:`~mtdetect.errors.InputError`, after the records before it and
    before anything is read after it.
    """
    if mode not in ("annotate", "drop"):
        raise ValueError(f"mode must be 'annotate' or 'drop', not {mode!r}")
    limit = detector.threshold if threshold is None else threshold
    checked = _checked(records, text_field)
    for (record, problem), result in scored(detector, checked, lambda pair: pair[0][text_field] if pair[1] is None else None,
                                            threshold=limit, max_paragraphs=batch_size):
        if result is None:
            annotation: dict[str, Any] = {"score": None, "paragraphs": [], "warnings": [], "error": problem}
        elif mode == "drop" and result.garbled:
            continue
        else:
            annotation = filter_annotation(result)
        copy = dict(record)
        if score_field is not None:
            copy[score_field] = annotation
        yield copy


def _checked(records: Iterable[Mapping[str, Any]], text_field: str) -> Iterator[tuple[Mapping[str, Any], str | None]]:
    """Each record with why it has no text to score (:func:`text_problem`), or None; an item
    that is no mapping raises :class:`~mtdetect.errors.InputError`."""
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise InputError(f"record {index}: a {type(record).__name__}, not a mapping")
        yield record, text_problem(record, text_field)


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

    results = [result for _, result in scored(detector, texts.tolist(), lambda v: v if isinstance(v, str) else None)]
    if paragraphs:
        annotations = [None if result is None else filter_annotation(result) for result in results]
        return pd.Series(annotations, index=texts.index, name=texts.name, dtype=object)
    scores = [np.nan if result is None or result.score is None else result.score for result in results]
    return pd.Series(scores, index=texts.index, name=texts.name, dtype="float64")
