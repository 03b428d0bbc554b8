"""What scoring returns: one result type that every output reads, with every decision made here.

A :class:`DocumentScore` carries all that a caller or an output format needs:
the document's score and verdict, and for each paragraph (:class:`ParagraphScore`)
its character offsets, probability, calibrated log-odds, verdict, warnings and,
when asked for, its explanation. Outputs (:mod:`mtdetect.annotation`) format
these results and decide nothing:

- a verdict is :func:`is_garbled`: a score at or above the threshold. Documents
  and paragraphs share one threshold (training puts the document score on the
  paragraph scale), and context counts: in a garbled document, a paragraph
  whose own evidence points the same way (calibrated log-odds of
  :data:`CONTEXT_LOG_ODDS` or more: more likely garbled than not) is garbled
  too, *in context* (:attr:`ParagraphScore.in_context`);
- warnings (``not_english``, :mod:`mtdetect.language`) come with each
  paragraph. A paragraph with a warning keeps its score, but it is not judged
  (its verdict is never garbled) and does not count in its document's score:
  the model knows English only;
- the document score is :func:`document_score`, from its judged paragraphs'
  log-odds: evidence adds up, so ten mildly suspect paragraphs weigh more
  than one. A document with none (no text, or no English paragraph) has no
  score (``None``; null in JSON, NaN in pandas) and is not garbled.

>>> doc = document_result([paragraph_result("Fine.", 0, 0.1, -2.2, 0.5, ())], 0.5, (1.0, 0.0, 0.0))
>>> round(doc.score, 3), doc.garbled, doc.paragraphs[0].garbled
(0.1, False, False)
>>> french = document_result([paragraph_result("Bonjour.", 0, 0.99, 4.6, 0.5, ("not_english",))], 0.5, (1.0, 0.0, 0.0))
>>> french.score, french.garbled, french.paragraphs[0].garbled
(None, False, False)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .language import NOT_ENGLISH, NOT_ENGLISH_MESSAGE
from .rules import Finding
from .segment import Segment


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
    ``in_context`` marks a paragraph garbled by its document's evidence: its
    own score is under the threshold, but its document is garbled and its own
    log-odds point the same way.
    """

    start: int
    end: int
    score: float
    log_odds: float | None = None
    garbled: bool = False
    warnings: tuple[str, ...] = ()
    explanation: Explanation | None = None
    in_context: bool = False


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


DOCUMENT_UNIT_CHARS = 500
"""A document's evidence grows with the square root of its length in units of this many characters
(about one paragraph of news)."""


def document_evidence(log_odds: np.ndarray, lengths: np.ndarray) -> tuple[float, float]:
    """``(L * s, s)``: a document's evidence from its paragraphs' calibrated log-odds.

    ``L`` is the length-weighted mean log-odds and ``s`` the square root of the
    document's length in units of :data:`DOCUMENT_UNIT_CHARS` (one unit at
    least: a short document is not pulled towards its prior): ten mildly
    suspect paragraphs weigh more than one. (0, 0) for a document with no text.

    >>> document_evidence(np.array([2.0, -1.0]), np.array([500.0, 1500.0]))
    (-0.5, 2.0)
    >>> document_evidence(np.array([-3.0]), np.array([4.0]))
    (-3.0, 1.0)
    """
    return _evidence(float(np.dot(log_odds, lengths)), float(lengths.sum()))


def _evidence(weighted: float, total: float) -> tuple[float, float]:
    """:func:`document_evidence` from the length-weighted sum of the log-odds and the total length."""
    if total <= 0:
        return 0.0, 0.0
    scale = math.sqrt(max(total, DOCUMENT_UNIT_CHARS) / DOCUMENT_UNIT_CHARS)
    return weighted / total * scale, scale


def logistic(log_odds: np.ndarray | float) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-x))``, quiet where ``exp(-x)`` leaves the float range.

    Overwhelming evidence (a long document, a very negative ``x``) makes
    ``exp(-x)`` infinite and the result its limit, 0, exactly as IEEE arithmetic
    gives it; only numpy's warning about it is silenced. Every other value is
    the plain formula's, bit for bit.

    >>> logistic(np.array([-1000.0, 0.0, 1000.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(log_odds, dtype=float)))


_EXP_OVERFLOW = 709.0
"""Past this, ``exp`` is near or beyond the float range and the logistic rounds to 0."""


def _calibrated(evidence: float, scale: float, calibration: tuple[float, float, float]) -> float:
    """``sigmoid(a * evidence + b * scale + c)`` with a model's document calibration ``(a, b, c)``,
    rounded to 12 places: :func:`logistic`'s arithmetic on one float, without its array set-up
    (it runs once per document).

    >>> _calibrated(-800.0, 0.0, (1.0, 0.0, 0.0)), _calibrated(2.0, 0.0, (1.0, 0.0, 0.0))
    (0.0, 0.880797077978)
    """
    a, b, c = calibration
    x = a * evidence + b * scale + c
    if -x > _EXP_OVERFLOW:  # exp(-x) is 8e307 or more: the logistic rounds to 0 at 12 places
        return 0.0
    return round(float(1.0 / (1.0 + np.exp(-x))), 12)


def combined_score(log_odds: np.ndarray, lengths: np.ndarray, calibration: tuple[float, float, float]) -> float | None:
    """P(garbled) of a document from its paragraphs' log-odds and lengths: ``sigmoid(a * L * s + b * s + c)``
    with ``(L * s, s)`` from :func:`document_evidence` and ``(a, b, c)`` a model's document
    calibration; None for a document with no text.

    >>> combined_score(np.array([2.0]), np.array([500.0]), (1.0, 0.0, 0.0))
    0.880797077978
    >>> combined_score(np.array([2.0] * 4), np.array([500.0] * 4), (1.0, 0.0, 0.0))  # more evidence
    0.982013790038
    """
    if float(lengths.sum()) <= 0:
        return None
    if len(log_odds) == 1:  # a document of one paragraph scores as its paragraph
        return _calibrated(float(log_odds[0]), 0.0, (1.0, 0.0, 0.0))
    return _calibrated(*document_evidence(log_odds, lengths), calibration)


def document_score(paragraphs: Sequence[ParagraphScore], calibration: tuple[float, float, float]) -> float | None:
    """The document's score from its judged paragraphs' log-odds (see :func:`combined_score`);
    None without any. A paragraph without a word has no log-odds and no evidence either way: a
    document of nothing else scores 0, as such a paragraph does. A document of one paragraph
    with evidence scores as that paragraph (the logistic of its log-odds), so the two always get
    the same verdict.

    This runs once per document, so it keeps to plain floats where it can (a
    document of one paragraph needs no numpy at all) while doing the very
    arithmetic :func:`combined_score` does: the same scores, bit for bit.

    >>> plain = (1.0, 0.0, 0.0)
    >>> document_score([ParagraphScore(0, 500, 0.88, 2.0)], (2.0, 1.0, 1.0))
    0.880797077978
    >>> document_score([ParagraphScore(0, 500, 0.88, 2.0), ParagraphScore(502, 1002, 0.99, 4.6, warnings=("not_english",))], plain)
    0.880797077978
    >>> document_score([ParagraphScore(0, 500, 0.88, 2.0), ParagraphScore(502, 1002, 0.88, 2.0)], plain)
    0.944192780793
    >>> document_score([], plain) is None, document_score([ParagraphScore(0, 3, 0.0, None)], plain)
    (True, 0.0)
    """
    judged_paragraphs = [p for p in paragraphs if judged(p)]
    if not judged_paragraphs:
        return None
    counted = [p for p in judged_paragraphs if p.log_odds is not None]
    return _score_of([p.log_odds for p in counted], [p.end - p.start for p in counted], calibration)  # type: ignore[misc]


def _score_of(log_odds: list[float], lengths: list[int], calibration: tuple[float, float, float]) -> float:
    """:func:`document_score` of a document with judged paragraphs, from the log-odds and lengths
    of those with evidence (none: 0, no evidence either way)."""
    total = float(sum(lengths))  # whole numbers of characters: exact, in any order
    if total <= 0:  # no evidence either way
        return 0.0
    if len(log_odds) == 1:
        return _calibrated(log_odds[0], 0.0, (1.0, 0.0, 0.0))
    return _calibrated(*_evidence(_weighted_sum(log_odds, lengths), total), calibration)


def _weighted_sum(log_odds: list[float], lengths: list[int]) -> float:
    """``log_odds · lengths`` rounded as :func:`numpy.dot` rounds it (:func:`document_evidence` uses
    it); a single product is rounded once either way, so it needs no arrays.

    >>> _weighted_sum([0.1], [3]) == float(np.dot(np.array([0.1]), np.array([3.0])))
    True
    """
    if len(log_odds) == 1:
        return log_odds[0] * lengths[0]
    return float(np.dot(np.array(log_odds, dtype=np.float64), np.array(lengths, dtype=np.float64)))


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

    A warning comes first among the flags, over the whole paragraph; a paragraph that is not
    English shows the warning alone, without the flags of rules and word lists made for English
    (every word of a French paragraph is an ``unknown_word``).
    """
    garbled = is_garbled(score, threshold, warnings)
    explanation = None
    if flags is not None:
        if NOT_ENGLISH in warnings:
            flags = [Finding(NOT_ENGLISH, 0, len(text), text, NOT_ENGLISH_MESSAGE)]
        explanation = Explanation(score, garbled, list(flags), list(contributions))
    return ParagraphScore(start, start + len(text), score, log_odds, garbled, tuple(warnings), explanation)


CONTEXT_LOG_ODDS = 0.0
"""In a garbled document, a paragraph with calibrated log-odds of at least this (more likely garbled
than not) is garbled in context."""


def in_context(paragraph: ParagraphScore) -> ParagraphScore:
    """A paragraph of a garbled document, garbled in context when its own evidence points that way.

    >>> in_context(ParagraphScore(0, 9, 0.7, 0.85)).in_context, in_context(ParagraphScore(0, 9, 0.3, -0.85)).garbled
    (True, False)
    >>> in_context(ParagraphScore(0, 9, 0.7, 0.85, warnings=("not_english",))).garbled
    False
    """
    if paragraph.garbled or not judged(paragraph) or paragraph.log_odds is None:
        return paragraph
    if paragraph.log_odds < CONTEXT_LOG_ODDS:
        return paragraph
    explanation = paragraph.explanation
    if explanation is not None:
        explanation = replace(explanation, garbled=True)
    return replace(paragraph, garbled=True, in_context=True, explanation=explanation)


def document_result(
    paragraphs: list[ParagraphScore], threshold: float, calibration: tuple[float, float, float]
) -> DocumentScore:
    """A document's result from its paragraphs' results and the model's document calibration;
    in a garbled document, paragraphs whose evidence points the same way are garbled in context.

    >>> suspect = [paragraph_result("x" * 500, 0, 0.73, 1.0, 0.9, ()), paragraph_result("y" * 500, 502, 0.5, 0.0, 0.9, ())]
    >>> doc = document_result(suspect, 0.9, (1.0, 0.0, 1.5))
    >>> round(doc.score, 3), doc.garbled, [(p.garbled, p.in_context) for p in doc.paragraphs]
    (0.901, True, [(True, True), (True, True)])
    """
    score = document_score(paragraphs, calibration)
    garbled = is_garbled(score, threshold)
    if garbled:
        paragraphs = [in_context(p) for p in paragraphs]
    return DocumentScore(score, paragraphs, garbled)


_WARNED = (NOT_ENGLISH,)


def batch_results(
    documents: Sequence[Sequence[Segment]],
    scores: np.ndarray,
    log_odds: np.ndarray,
    not_english: np.ndarray,
    threshold: float,
    calibration: tuple[float, float, float],
    explanations: tuple[list[list[Finding]], list[list[Contribution]]] | None = None,
) -> list[DocumentScore]:
    """The results of a scored batch of documents, from its paragraphs' columns.

    ``documents`` holds each document's paragraphs; the columns (scores, log-odds with NaN for a
    paragraph without a word, whether each is not English) and, when given, the flags and
    contributions of each paragraph follow them in order. Paragraph verdicts are
    :func:`is_garbled`'s, taken for the whole batch at once; each document is
    :func:`document_result` of its paragraphs.

    >>> docs = [[Segment(0, 5, "Fine."), Segment(7, 15, "Bonjour.")]]
    >>> [doc] = batch_results(docs, np.array([0.9, 0.99]), np.array([2.2, 4.6]), np.array([False, True]), 0.5, (1.0, 0.0, 0.0))
    >>> doc.score, [(p.garbled, p.warnings) for p in doc.paragraphs]
    (0.90024951088, [(True, ()), (False, ('not_english',))])
    """
    score_list = scores.tolist()
    odds = [None if math.isnan(x) else x for x in log_odds.tolist()]  # NaN: no word, no evidence
    foreign = not_english.tolist()
    results: list[DocumentScore] = []
    if explanations is not None:
        flags, contributions = explanations
        i = 0
        for document in documents:
            paragraphs = [paragraph_result(segment.text, segment.start, score_list[j], odds[j], threshold,
                                           _WARNED if foreign[j] else (), flags[j], contributions[j])
                          for j, segment in enumerate(document, i)]
            results.append(document_result(paragraphs, threshold, calibration))
            i += len(document)
        return results
    # the same rules as paragraph_result and document_result, read from the columns
    garbled = ((scores >= threshold) & ~not_english).tolist()  # is_garbled, for every paragraph at once
    leaning = ((log_odds >= CONTEXT_LOG_ODDS) & ~not_english).tolist()  # garbled in context if its document is
    i = 0
    for document in documents:
        k = i + len(document)
        counted = [j for j in range(i, k) if not foreign[j] and odds[j] is not None]
        score = None if all(foreign[i:k]) else _score_of(
            [odds[j] for j in counted], [document[j - i].end - document[j - i].start for j in counted], calibration)  # type: ignore[misc]
        document_garbled = is_garbled(score, threshold)
        results.append(DocumentScore(score, [
            ParagraphScore(segment.start, segment.end, score_list[j], odds[j], garbled[j] or (document_garbled and leaning[j]),
                           _WARNED if foreign[j] else (), None, document_garbled and leaning[j] and not garbled[j])
            for j, segment in enumerate(document, i)
        ], document_garbled))
        i = k
    return results
