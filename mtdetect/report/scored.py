"""Documents with their annotations: read from ``mtdetect filter`` output, or scored on the way.

A record that carries an annotation under the score field (what ``mtdetect
filter`` adds) is taken as it is: nothing is rescored. Any other document
(plain text, or a record without the field, or every record with
``rescore=True``) is scored in batches and annotated by the same code as the
filter, so a report over raw input equals one over the filter's output.

The annotation (see the README and :mod:`mtdetect.filtering`)::

    {"score": 0.0312, "paragraphs": [[0, 412, 0.0312], ...], "warnings": [[414, 980, "not_english"]]}

and in TSV the columns ``FIELD``, ``FIELD_paragraphs`` and ``FIELD_warnings``
(the last two JSON).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..filtering import annotation_of, document_warnings
from ..inputs import Document

if TYPE_CHECKING:
    from ..detector import Detector

__all__ = ["Annotation", "ScoredDocument", "annotation_from", "parse_annotation", "scored_documents"]

DOCUMENTS_PER_BATCH = 256
CHARACTERS_PER_BATCH = 1 << 22
"""A scoring batch closes at this many documents or characters, so memory stays bounded."""

NOT_AN_ANNOTATION = (
    "{where}: field {field!r} is not an mtdetect annotation ({reason}); "
    "pass --rescore to score the text again, or --score-field to name the annotation's field"
)


@dataclass(frozen=True, slots=True)
class Annotation:
    """A document's score, its paragraphs' ``(start, end, score)`` and warnings ``(start, end, name)``.

    ``paragraphs`` is None when the annotation was written without them
    (``mtdetect filter --no-paragraphs``).
    """

    score: float
    paragraphs: tuple[tuple[int, int, float], ...] | None
    warnings: tuple[tuple[int, int, str], ...]

    def warnings_of(self, start: int, end: int) -> list[str]:
        """The warning names of the paragraph at ``start:end``."""
        return [name for s, e, name in self.warnings if s == start and e == end]


@dataclass(frozen=True, slots=True)
class ScoredDocument:
    """A document, where it came from, and its annotation."""

    source: str
    line: int | None
    text: str
    record: dict[str, Any] | None
    annotation: Annotation
    scored_here: bool = False  # False: the annotation was read from the input

    @property
    def where(self) -> str:
        return self.source if self.line is None else f"{self.source}:{self.line}"


def parse_annotation(value: Any, text_length: int) -> Annotation:
    """Check and convert an annotation dict; a ValueError says what is wrong.

    >>> parse_annotation({"score": 0.5, "paragraphs": [[0, 4, 0.5]], "warnings": []}, 4)
    Annotation(score=0.5, paragraphs=((0, 4, 0.5),), warnings=())
    >>> parse_annotation({"score": 2}, 4)
    Traceback (most recent call last):
    ValueError: score 2 is not a number in [0, 1]
    """
    if not isinstance(value, dict):
        raise ValueError(f"a {type(value).__name__}, not an object")
    if "score" not in value:
        raise ValueError("no score")
    score = _probability(value["score"], "score")
    paragraphs = None
    if value.get("paragraphs") is not None:
        paragraphs = tuple(
            (*_span(item, text_length, "paragraph"), _probability(item[2], "paragraph score"))
            for item in _list(value["paragraphs"], "paragraphs")
        )
    warnings = tuple(
        (*_span(item, text_length, "warning"), _name(item[2]))
        for item in _list(value.get("warnings") or [], "warnings")
    )
    return Annotation(score, paragraphs, warnings)


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{what} is not a list")
    return value


def _span(item: Any, text_length: int, what: str) -> tuple[int, int]:
    if not (isinstance(item, list) and len(item) == 3):
        raise ValueError(f"a {what} is not [start, end, value]")
    start, end = item[0], item[1]
    if not (_is_int(start) and _is_int(end) and 0 <= start <= end <= text_length):
        raise ValueError(f"{what} span {start}..{end} is not within the text (length {text_length})")
    return start, end


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _probability(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0 or math.isnan(value):
        raise ValueError(f"{what} {value!r} is not a number in [0, 1]")
    return float(value)


def _name(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"warning name {value!r} is not a string")
    return value


def annotation_from(record: dict[str, Any] | None, field: str) -> Any | None:
    """The raw annotation a record carries under ``field`` (JSONL), or built from the TSV columns; else None.

    >>> annotation_from({"text": "x", "m": "0.5", "m_paragraphs": "[[0,1,0.5]]", "m_warnings": "[]"}, "m")
    {'score': 0.5, 'paragraphs': [[0, 1, 0.5]], 'warnings': []}
    """
    if record is None or field not in record:
        return None
    value = record[field]
    if not isinstance(value, str):
        return value
    # A TSV row from `mtdetect filter`: the score, then the paragraphs and warnings as JSON.
    annotation: dict[str, Any] = {"score": _tsv_number(value)}
    for key in ("paragraphs", "warnings"):
        cell = record.get(f"{field}_{key}")
        if cell is not None:
            try:
                annotation[key] = json.loads(cell)
            except json.JSONDecodeError:
                annotation[key] = cell  # reported as "not a list"
    return annotation


def _tsv_number(cell: str) -> float | str:
    try:
        return float(cell)
    except ValueError:
        return cell


def scored_documents(
    documents: Iterable[Document],
    detector: Detector,
    score_field: str,
    rescore: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Iterator[ScoredDocument]:
    """Each document with its annotation, in input order.

    Annotations found under ``score_field`` are read (and checked against the
    text); other documents are scored in batches of :data:`DOCUMENTS_PER_BATCH`
    documents or :data:`CHARACTERS_PER_BATCH` characters.
    """
    pending: list[tuple[Document, Annotation | None]] = []
    to_score = 0
    chars = 0

    def flush() -> Iterator[ScoredDocument]:
        texts = [doc.text for doc, annotation in pending if annotation is None]
        results = detector.score_documents(texts)
        fresh = iter(
            parse_annotation(annotation_of(result, warnings=warned), len(text))
            for text, result, warned in zip(texts, results, document_warnings(texts, results), strict=True)
        )
        for doc, annotation in pending:
            if annotation is None:
                yield ScoredDocument(doc.source, doc.line, doc.text, doc.record, next(fresh), scored_here=True)
            else:
                yield ScoredDocument(doc.source, doc.line, doc.text, doc.record, annotation)
        if progress is not None:
            progress(len(pending))

    for doc in documents:
        found = None if rescore else annotation_from(doc.record, score_field)
        annotation = None
        if found is not None:
            try:
                annotation = parse_annotation(found, len(doc.text))
            except ValueError as exc:
                where = doc.source if doc.line is None else f"{doc.source}: line {doc.line}"
                raise InputError(NOT_AN_ANNOTATION.format(where=where, field=score_field, reason=exc)) from None
        else:
            to_score += 1
            chars += len(doc.text)
        pending.append((doc, annotation))
        if to_score >= DOCUMENTS_PER_BATCH or chars >= CHARACTERS_PER_BATCH or len(pending) >= 4 * DOCUMENTS_PER_BATCH:
            yield from flush()
            pending, to_score, chars = [], 0, 0
    if pending:
        yield from flush()
