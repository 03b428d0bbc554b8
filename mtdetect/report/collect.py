"""One pass over annotated documents: counts, histograms, groups and samples, in flat memory.

>>> from mtdetect.records import Document
>>> from mtdetect.report.scored import parse_annotation
>>> note = {"score": 0.6, "paragraphs": [[0, 3, 0.1], [5, 8, 0.95]], "warnings": [[5, 8, "not_english"]]}
>>> data = ReportData(thresholds=[0.5, 0.9], threshold=0.9, samples=1, group_by="site")
>>> data.add(Document("in", 1, "Ok.\\n\\nBad", {"site": "a"}), parse_annotation(note, "Ok.\\n\\nBad", 0.9))
>>> data.documents.total(), data.paragraphs.total(), data.not_english_paragraphs, data.groups.names
(1, 1, 1, ['a'])

The figures count what :mod:`mtdetect.results` judges: paragraphs with a
warning are counted apart from the paragraph scores, and documents without a
score (no text, or no English paragraph) apart from the document scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..language import NOT_ENGLISH
from ..records import Document
from ..results import DocumentScore, judged
from .samples import SAMPLE_CHARS, BandSamples
from .scored import unscored
from .stats import Groups, ScoreTally, group_value, score_step

__all__ = ["ReportData", "Sample"]


@dataclass(frozen=True, slots=True)
class Sample:
    """A document kept to be shown: where it is from, its text (cut), full length, result and group."""

    where: str
    text: str
    length: int
    result: DocumentScore
    group: str | None


class ReportData:
    """Everything a report shows, gathered one document at a time.

    ``thresholds`` are the candidate thresholds of the table (the decision
    ``threshold`` among them); ``samples`` documents are kept per band between
    them; ``group_by`` names a record field to break the figures down by.
    """

    def __init__(
        self,
        thresholds: Sequence[float],
        threshold: float,
        samples: int = 0,
        group_by: str | None = None,
        seed: int = 0,
    ) -> None:
        self.threshold = threshold
        self.thresholds = sorted({*thresholds, threshold})
        self.group_by = group_by
        self.documents = ScoreTally(self.thresholds)
        self.paragraphs = ScoreTally(self.thresholds)
        self.samples: BandSamples[Sample] = BandSamples(self.thresholds, samples, seed)
        self.groups = Groups()
        self.not_english_paragraphs = 0
        self.not_english_documents = 0
        self.empty_documents = 0
        self.without_score = 0  # no text, or no English paragraph: no document score
        self.without_paragraph_scores = 0
        self.scored_here = 0
        self.read_annotations = 0
        self.unreadable = 0  # lines that were no readable record
        self.set_aside = 0  # lines of a rejects file that the filter could not read either

    def add(self, doc: Document, result: DocumentScore, scored_here: bool = False) -> None:
        """Count a document with its result (``scored_here``: by the model, not read from an annotation)."""
        if scored_here:
            self.scored_here += 1
        else:
            self.read_annotations += 1
        group_name = group_value(doc.record, self.group_by) if self.group_by else None
        group = self.groups.index(group_name) if group_name is not None else 0
        if result.score is None:
            self.without_score += 1
        else:
            self.documents.add(score_step(result.score), group)
            self.samples.add(result.score, lambda: _sample(doc, result, group_name))
        if not result.paragraphs:
            self.empty_documents += 1
        elif unscored(result.paragraphs[0]):
            self.without_paragraph_scores += 1
        else:
            for paragraph in result.paragraphs:
                if judged(paragraph):
                    self.paragraphs.add(score_step(paragraph.score), group)
        warned = sum(NOT_ENGLISH in p.warnings for p in result.paragraphs)
        if warned:
            self.not_english_paragraphs += warned
            self.not_english_documents += 1
            if group_name is not None:
                self.groups.warnings[group] += warned

    @property
    def document_count(self) -> int:
        """Every document, with a score or without."""
        return self.documents.total() + self.without_score

    @property
    def paragraph_count(self) -> int:
        return self.paragraphs.total()


def _sample(doc: Document, result: DocumentScore, group: str | None) -> Sample:
    return Sample(doc.where, doc.text[:SAMPLE_CHARS], len(doc.text), result, group)


@dataclass(frozen=True, slots=True)
class ReportInfo:
    """What the report says about how it was made."""

    inputs: tuple[str, ...]
    model: str  # name and identity of the model that scored or explains
    model_threshold: float
    score_field: str
    groups_shown: int = 25


def describe_model(card: dict) -> str:
    """A model's name, version and weights hash, from its card.

    >>> describe_model({"name": "default", "mtdetect_version": "0.1.0", "weights_sha256": "35336e7187bc13"})
    'default (mtdetect 0.1.0, weights 35336e7187bc)'
    """
    details = []
    if card.get("mtdetect_version"):
        details.append(f"mtdetect {card['mtdetect_version']}")
    if card.get("weights_sha256"):
        details.append(f"weights {str(card['weights_sha256'])[:12]}")
    name = str(card.get("name") or "model")
    return f"{name} ({', '.join(details)})" if details else name


@dataclass(frozen=True, slots=True)
class ThresholdRow:
    """How much a candidate threshold would flag: documents and paragraphs at or above it."""

    threshold: float
    documents: int
    document_share: float
    paragraphs: int
    paragraph_share: float
    labels: tuple[str, ...]  # "model default", "chosen"


def threshold_rows(data: ReportData, model_threshold: float) -> list[ThresholdRow]:
    """One row per candidate threshold, in increasing order."""
    documents, paragraphs = data.documents.total(), data.paragraph_count  # those with scores
    rows = []
    for t in data.thresholds:
        labels = []
        if t == model_threshold:
            labels.append("model default")
        if t == data.threshold and t != model_threshold:
            labels.append("chosen")
        d, p = data.documents.at_or_above(t), data.paragraphs.at_or_above(t)
        rows.append(ThresholdRow(t, d, _share(d, documents), p, _share(p, paragraphs), tuple(labels)))
    return rows


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group's figures: counts, shares at or above each candidate threshold, and a histogram."""

    name: str
    documents: int
    paragraphs: int
    not_english: int
    document_shares: tuple[float, ...]
    paragraph_shares: tuple[float, ...]
    histogram: tuple[int, ...]


def group_rows(data: ReportData) -> list[GroupRow]:
    """Every group's figures, largest groups (by documents) first, ties by name."""
    names = data.groups.names
    if not names:
        return []
    n = len(names)
    doc_totals, para_totals = data.documents.group_totals(n), data.paragraphs.group_totals(n)
    doc_above, para_above = data.documents.group_at_or_above(n), data.paragraphs.group_at_or_above(n)
    histograms = data.documents.group_histogram(n)
    rows = [
        GroupRow(
            name,
            int(doc_totals[i]),
            int(para_totals[i]),
            data.groups.warnings[i],
            tuple(_share(int(x), int(doc_totals[i])) for x in doc_above[i]),
            tuple(_share(int(x), int(para_totals[i])) for x in para_above[i]),
            tuple(int(x) for x in histograms[i]),
        )
        for i, name in enumerate(names)
    ]
    rows.sort(key=lambda r: (-r.documents, r.name))
    return rows
