"""What scoring returns: one result type that every output reads, with every decision made here.

A :class:`DocumentScore` carries all that a caller or an output format needs:
the document's score and verdict, and for each paragraph (:class:`ParagraphScore`)
its character offsets, probability, calibrated log-odds, verdict, warnings and,
when asked for, its explanation. Outputs (:mod:`mtdetect.annotation`) format
these results and decide nothing:

- a verdict is :func:`is_garbled`: a score at or above the threshold used;
- warnings (``not_english``, :mod:`mtdetect.language`) come with each
  paragraph. A paragraph with a warning keeps its score, but it is not judged
  (its verdict is never garbled) and does not count in its document's score:
  the model knows English only;
- the document score is :func:`document_score`, from its judged paragraphs'
  scores. A document with none (no text, or no English paragraph) has no
  score (``None``; null in JSON, NaN in pandas) and is not garbled.

>>> doc = document_result([paragraph_result("Fine.", 0, 0.1, -2.2, 0.5, ())], 0.5)
>>> doc.score, doc.garbled, doc.paragraphs[0].garbled
(0.1, False, False)
>>> french = document_result([paragraph_result("Bonjour.", 0, 0.99, 4.6, 0.5, ("not_english",))], 0.5)
>>> french.score, french.garbled, french.paragraphs[0].garbled
(None, False, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .language import NOT_ENGLISH, NOT_ENGLISH_MESSAGE
from .rules import Finding


@dataclass(frozen=True, slots=True)
class Contribution:
    """How much one feature moved a paragraph's decision value (log-odds)."""

    feature: str
    description: str
    value: float


@dataclass(frozen=True, slots=True)
class Explanation:
    """A paragraph's score, verdict, flagged spans and strongest features."""

    score: float
    garbled: bool
    flags: list[Finding]
    contributions: list[Contribution] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ParagraphScore:
    """A paragraph's place in its document, its score and verdict, and why.

    ``log_odds`` is the calibrated log-odds the score is the logistic of
    (for a paragraph scored in windows, the length-weighted mean of theirs);
    ``None`` for a paragraph without a word, which scores 0 with no evidence
    either way. ``warnings`` name what makes the score unreliable;
    ``explanation`` is there when the scoring call was asked to explain.
    """

    start: int
    end: int
    score: float
    log_odds: float | None = None
    garbled: bool = False
    warnings: tuple[str, ...] = ()
    explanation: Explanation | None = None


@dataclass(frozen=True, slots=True)
class DocumentScore:
    """A document's score and verdict, and its paragraphs' results.

    ``score`` is None for a document without a paragraph to judge (no text,
    or none in English); such a document is never garbled.
    """

    score: float | None
    paragraphs: list[ParagraphScore]
    garbled: bool = False


def is_garbled(score: float | None, threshold: float, warnings: Sequence[str] = ()) -> bool:
    """The verdict: garbled when the score is at or above the threshold; never without a score
    or with a warning (a score that means nothing judges nothing).

    >>> is_garbled(0.5, 0.5), is_garbled(0.49, 0.5), is_garbled(None, 0.5), is_garbled(0.9, 0.5, ("not_english",))
    (True, False, False, False)
    """
    return score is not None and not warnings and bool(score >= threshold)


def judged(paragraph: ParagraphScore) -> bool:
    """Whether a paragraph's score counts: it carries no warning.

    >>> judged(ParagraphScore(0, 4, 0.9)), judged(ParagraphScore(0, 4, 0.9, warnings=("not_english",)))
    (True, False)
    """
    return not paragraph.warnings


def document_score(paragraphs: Sequence[ParagraphScore]) -> float | None:
    """The document's score: its judged paragraphs' scores weighted by length; None without any.

    >>> document_score([ParagraphScore(0, 10, 0.9), ParagraphScore(12, 42, 0.1)])
    0.3
    >>> document_score([ParagraphScore(0, 10, 0.9), ParagraphScore(12, 42, 0.99, warnings=("not_english",))])
    0.9
    >>> document_score([]) is None
    True
    """
    counted = [p for p in paragraphs if judged(p)]
    weights = np.array([p.end - p.start for p in counted], dtype=np.float64)
    if weights.sum() == 0:
        return None
    return round(float(np.average([p.score for p in counted], weights=weights)), 12)


def paragraph_result(
    text: str,
    start: int,
    score: float,
    log_odds: float | None,
    threshold: float,
    warnings: Sequence[str],
    flags: Sequence[Finding] | None = None,
    contributions: Sequence[Contribution] = (),
) -> ParagraphScore:
    """One paragraph's result; ``flags`` (offsets into ``text``) given, it carries an explanation.

    A warning comes first among the flags, over the whole paragraph.
    """
    garbled = is_garbled(score, threshold, warnings)
    explanation = None
    if flags is not None:
        warned = [Finding(NOT_ENGLISH, 0, len(text), text, NOT_ENGLISH_MESSAGE)] if NOT_ENGLISH in warnings else []
        explanation = Explanation(score, garbled, warned + list(flags), list(contributions))
    return ParagraphScore(start, start + len(text), score, log_odds, garbled, tuple(warnings), explanation)


def document_result(paragraphs: list[ParagraphScore], threshold: float) -> DocumentScore:
    """A document's result from its paragraphs' results."""
    score = document_score(paragraphs)
    return DocumentScore(score, paragraphs, is_garbled(score, threshold))
