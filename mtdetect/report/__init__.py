"""Reports for choosing a threshold and reviewing flags: ``mtdetect report`` and ``score --format html``.

The flow, one pass over the input in flat memory:

1. :mod:`~mtdetect.report.scored`: each document with its annotation, read
   from ``mtdetect filter`` output (nothing rescored) or scored on the way;
2. :mod:`~mtdetect.report.collect`: counts on 4-decimal score steps
   (:mod:`~mtdetect.report.stats`), per-group figures and reservoir samples
   per score band (:mod:`~mtdetect.report.samples`);
3. output: one self-contained HTML page (:mod:`~mtdetect.report.page`, with
   inline SVG from :mod:`~mtdetect.report.svg` and documents rendered by
   :mod:`~mtdetect.report.document`, every string escaped by
   :mod:`~mtdetect.report.escape`), or text for a terminal
   (:mod:`~mtdetect.report.text`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from ..annotation import DEFAULT_SCORE_FIELD
from ..errors import InputError
from ..explanation import TOP_CONTRIBUTIONS
from ..records import MAX_LINE_BYTES, ByteMeter, Document, EncodingErrors, InputFormat, display_name
from ..results import DocumentScore
from ..wording import counted
from .collect import ReportData, ReportInfo, describe_model
from .document import document_html
from .page import DocumentPage, write_report
from .scored import ReadOptions, documents_of, scored_documents
from .text import write_text_report

if TYPE_CHECKING:
    from ..detector import Detector

__all__ = [
    "DEFAULT_THRESHOLDS",
    "ReportData",
    "ReportInfo",
    "ReportOptions",
    "HtmlWriter",
    "build_report",
    "write",
    "write_report",
    "write_text_report",
]

DEFAULT_THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
"""Candidate thresholds of the table, beside the model's default and a chosen ``--threshold``."""


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What a report covers and how it reads its input (as ``score`` does; standard input is JSONL)."""

    score_field: str = DEFAULT_SCORE_FIELD
    rescore: bool = False  # score every document, even those carrying an annotation
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS
    samples: int = 5  # per band
    group_by: str | None = None
    groups_shown: int = 25
    seed: int = 0
    input_format: InputFormat = "auto"
    text_field: str = "text"
    column: str = "text"
    encoding_errors: EncodingErrors = "strict"
    max_record_bytes: int = MAX_LINE_BYTES  # a longer record is left out unread


def build_report(
    inputs: Sequence[str],
    detector: Detector,
    options: ReportOptions,
    progress: Callable[[int], None] | None = None,
    on_reject: Callable[[str], None] | None = None,
    meter: ByteMeter | None = None,
) -> tuple[ReportData, ReportInfo]:
    """Read every input once and gather the report's figures and samples.

    Lines that are no readable record are counted and passed to ``on_reject``; ``meter`` counts
    the bytes read from the inputs.
    """
    model_threshold = detector.model.threshold
    data = ReportData(
        thresholds=[*options.thresholds, model_threshold],
        threshold=detector.threshold,
        samples=options.samples,
        group_by=options.group_by,
        seed=options.seed,
    )

    def rejected(message: str) -> None:
        data.unreadable += 1
        if on_reject is not None:
            on_reject(message)

    def set_aside() -> None:
        data.set_aside += 1

    reading = ReadOptions(options.input_format, options.text_field, options.column, options.encoding_errors,
                          options.max_record_bytes)
    documents = documents_of(inputs, reading, rejected, options.score_field, set_aside, meter)
    for doc, result, scored_here in scored_documents(documents, detector, options.score_field, options.rescore,
                                                     progress):
        data.add(doc, result, scored_here)
    if not data.document_count:
        raise InputError(nothing_to_report(inputs, data))
    info = ReportInfo(
        inputs=tuple(display_name(name) for name in inputs),
        model=describe_model(detector.model.card),
        model_threshold=model_threshold,
        score_field=options.score_field,
        groups_shown=options.groups_shown,
    )
    return data, info


def nothing_to_report(inputs: Sequence[str], data: ReportData) -> str:
    """Why a report has no document, and what to do.

    >>> data = ReportData([0.5], 0.5)
    >>> data.unreadable = 3
    >>> nothing_to_report(["a.jsonl"], data)
    'no document to report in a.jsonl: 3 lines, none a readable record (named above)'
    """
    names = ", ".join(display_name(name) for name in inputs)
    if data.set_aside and not data.unreadable:
        return (f"no document to report in {names}: {counted(data.set_aside, 'line')} that `mtdetect filter` "
                "could not read and set aside (a --rejects file without dropped records)")
    if data.unreadable or data.set_aside:
        lines = counted(data.unreadable + data.set_aside, "line")
        return f"no document to report in {names}: {lines}, none a readable record (named above)"
    return f"no document to report in {names}: the input is empty"


def write(out: TextIO, data: ReportData, info: ReportInfo, detector: Detector, fmt: str = "html") -> None:
    """Write the report as ``html`` (flags and contributions of the samples from ``detector``) or ``text``."""
    if fmt == "text":
        write_text_report(out, data, info)
    else:
        write_report(out, data, info, detector.explain)


class HtmlWriter:
    """``mtdetect score --format html``: each document as the report renders its samples, on one page.

    It wants results scored with explanations (:attr:`explains`).
    """

    explains = True
    top = TOP_CONTRIBUTIONS

    def __init__(self, out: TextIO, threshold: float, *, title: str, model: dict[str, Any]) -> None:
        self.threshold = threshold
        self.page = DocumentPage(out, title, describe_model(model), threshold)

    def document(self, doc: Document, result: DocumentScore) -> None:
        self.page.add(document_html(doc.where, doc.text, result, self.threshold, heading="h2"))

    def close(self) -> None:
        self.page.close()
        self.page.out.flush()
