"""Documents with their results: read from ``mtdetect filter`` output, or scored on the way.

Inputs are read by :func:`mtdetect.records.read_records`. A record that
carries an annotation under the score field (what ``mtdetect filter`` adds)
is taken as it is: nothing is rescored. Any other document (plain text, a
record without the field, or every record with ``rescore=True``) is scored in
batches and written as the filter writes it
(:func:`mtdetect.annotation.filter_annotation`), then read back like the
others, so a report over raw input equals one over the filter's output. Lines
that are no readable record are counted and passed to ``on_reject``.

Either way a document comes as its :class:`~mtdetect.records.Document` and a
:class:`~mtdetect.results.DocumentScore` with verdicts at the report's
threshold (:data:`Reported`). An annotation written without
paragraph scores (``mtdetect filter --no-paragraphs``) gives the paragraphs as
the scorer splits them, each with the score :data:`UNSCORED` (NaN).

The annotation (see the README)::

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

from ..annotation import ANNOTATION_LISTS, filter_annotation
from ..errors import InputError
from ..records import (
    MAX_LINE_BYTES,
    STDIN,
    ByteMeter,
    Document,
    EncodingErrors,
    InputFormat,
    Reject,
    display_name,
    json_kind,
    read_records,
)
from ..results import DocumentScore, ParagraphScore, is_garbled
from ..scoring import scored_batches
from ..segment import split_paragraphs

if TYPE_CHECKING:
    from ..detector import Detector

__all__ = ["UNSCORED", "Reported", "annotation_from", "parse_annotation", "scored_documents", "unscored"]

UNSCORED = math.nan
"""The score of a paragraph whose annotation left the paragraph scores out."""

NOT_AN_ANNOTATION = (
    "{where}: field {field!r} is not an mtdetect annotation ({reason}); "
    "pass --rescore to score the text again, or --score-field to name the annotation's field"
)


def unscored(paragraph: ParagraphScore) -> bool:
    return math.isnan(paragraph.score)


def parse_annotation(value: Any, text: str, threshold: float) -> DocumentScore:
    """A filter annotation, checked against its text, as a result with verdicts at ``threshold``.

    A ValueError says what is wrong.

    >>> parse_annotation({"score": 0.5, "paragraphs": [[0, 4, 0.5]], "warnings": []}, "Text", 0.5).paragraphs
    [ParagraphScore(start=0, end=4, score=0.5, log_odds=None, garbled=True, warnings=(), explanation=None, in_context=False)]
    >>> parse_annotation({"score": 2}, "Text", 0.5)
    Traceback (most recent call last):
    ValueError: score 2 is not a number in [0, 1]
    """
    if not isinstance(value, dict):
        raise ValueError(f"{json_kind(value)}, not a JSON object")
    if "score" not in value:
        raise ValueError("no score")
    score = None if value["score"] is None else _probability(value["score"], "score")  # null: no English text
    warnings: dict[tuple[int, int], list[str]] = {}
    for item in _list(value.get("warnings") or [], "warnings"):
        warnings.setdefault(_span(item, len(text), "warning"), []).append(_name(item[2]))
    if value.get("paragraphs") is not None:
        spans = [
            (*_span(item, len(text), "paragraph"), _probability(item[2], "paragraph score"))
            for item in _list(value["paragraphs"], "paragraphs")
        ]
    else:
        spans = [(p.start, p.end, UNSCORED) for p in split_paragraphs(text)]
    paragraphs = [
        ParagraphScore(start, end, s, garbled=is_garbled(s, threshold, named), warnings=named)
        for start, end, s in spans
        for named in [tuple(warnings.get((start, end), ()))]
    ]
    return DocumentScore(score, paragraphs, is_garbled(score, threshold))


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
    for key in ANNOTATION_LISTS:
        cell = record.get(f"{field}_{key}")
        if cell is not None:
            try:
                annotation[key] = json.loads(cell)
            except json.JSONDecodeError:
                annotation[key] = cell  # reported as "not a list"
    return annotation


def _tsv_number(cell: str) -> float | str | None:
    if not cell:
        return None  # a document without a score
    try:
        return float(cell)
    except ValueError:
        return cell


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How inputs are read: as ``mtdetect score`` reads them, but standard input is JSONL by default."""

    input_format: InputFormat = "auto"
    text_field: str = "text"
    column: str = "text"
    encoding_errors: EncodingErrors = "strict"
    max_record_bytes: int = MAX_LINE_BYTES


def documents_of(
    inputs: Iterable[str],
    options: ReadOptions,
    on_reject: Callable[[str], None],
    score_field: str | None = None,
    on_set_aside: Callable[[], None] | None = None,
    meter: ByteMeter | None = None,
) -> Iterator[Document]:
    """The documents of every input; each line that is no record goes to ``on_reject`` as a message,
    but for a line that ``mtdetect filter --rejects`` wrote for an unreadable line (its reason under
    ``score_field``), which ``on_set_aside`` counts without naming it again."""
    for name in inputs:
        fmt = "jsonl" if name == STDIN and options.input_format == "auto" else options.input_format
        for item in read_records(name, fmt, options.text_field, options.column, options.encoding_errors,
                                 options.max_record_bytes, meter):
            if isinstance(item, Reject):
                if on_set_aside is not None and score_field is not None and set_aside_by_filter(item, score_field):
                    on_set_aside()
                else:
                    on_reject(f"{display_name(name)}: line {item.line}: {item.message}")
            else:
                yield item


def set_aside_by_filter(reject: Reject, score_field: str) -> bool:
    """Whether a line is one that ``mtdetect filter`` could not read and wrote to its rejects.

    >>> note = {"rejected": "error", "reason": "not valid JSON", "source": "in.jsonl", "line": 2}
    >>> set_aside_by_filter(Reject(1, "no field 'text'", record={"mtdetect": note, "raw": "x"}), "mtdetect")
    True
    >>> set_aside_by_filter(Reject(1, "no field 'text'", record={"id": 3}), "mtdetect")
    False
    """
    note = (reject.record or {}).get(score_field)
    return isinstance(note, dict) and note.get("rejected") == "error"


Reported = tuple[Document, DocumentScore, bool]
"""A document, its result with verdicts at the report's threshold, and whether it was scored here
(True) or its annotation read from the input (False)."""


def scored_documents(
    documents: Iterable[Document],
    detector: Detector,
    score_field: str,
    rescore: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Reported]:
    """Each document with its result, in input order; ``progress`` is told the documents of each batch.

    Annotations found under ``score_field`` are read (and checked against the
    text) and pass through; other documents are scored a batch at a time
    (:mod:`mtdetect.scoring`), then read back as the filter writes them.
    """
    threshold = detector.threshold
    read = ((doc, None if rescore else _read_annotation(doc, score_field, threshold)) for doc in documents)
    for batch in scored_batches(detector, read, lambda pair: pair[0].text if pair[1] is None else None):
        for (doc, found), fresh in batch:
            if fresh is not None:
                written = filter_annotation(fresh)  # rounded as the filter writes it
                yield doc, parse_annotation(written, doc.text, threshold), True
            else:
                assert found is not None  # a document is scored here or its annotation is read
                yield doc, found, False
        if progress is not None:
            progress(len(batch))


def _read_annotation(doc: Document, score_field: str, threshold: float) -> DocumentScore | None:
    """The result a document's annotation under ``score_field`` gives, or None without one; an
    annotation that is not one of ``mtdetect filter``'s is an :class:`~mtdetect.errors.InputError`."""
    found = annotation_from(doc.record, score_field)
    if found is None:
        return None
    try:
        return parse_annotation(found, doc.text, threshold)
    except ValueError as exc:
        where = doc.source if doc.line is None else f"{doc.source}: line {doc.line}"
        raise InputError(NOT_AN_ANNOTATION.format(where=where, field=score_field, reason=exc)) from None
