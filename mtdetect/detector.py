"""The Detector: batched paragraph scores, document results and explanations.

One model call scores a whole batch; per-paragraph work stays in the feature
code, which is itself batch-wise. Explanations are read from the same batch
as the scores (:mod:`mtdetect.explanation`). A Detector pickles as its model
path only and reloads the model in each worker process, so it can be shipped
to joblib, Spark, Ray or Dask workers. It holds no state that scoring
changes, so threads may share one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .annotation import DEFAULT_SCORE_FIELD
from .explanation import TOP_CONTRIBUTIONS, contributions, unknown_word_flags
from .features import FeatureBatch, compute_features
from .language import not_english, warnings_of
from .model import Model, probability, shared_model
from .results import (
    Contribution,
    DocumentScore,
    Explanation,
    ParagraphScore,
    batch_results,
    paragraph_result,
)
from .rules import Finding, find_artifacts
from .segment import Segment, split_paragraphs
from .wordclass import WORD

__all__ = ["Detector", "Evidence"]

BATCH_SIZE = 2048
"""Paragraphs featurised per model call at most (larger batches gain little)."""
BATCH_CHARS = 1 << 17
"""Characters featurised per model call at most: feature memory grows with the text, not the count
(with two hashed n-gram families, 128K characters keep a long paragraph's scoring memory under the
bound the hostile-input tests set)."""
PROGRESS_CHARS = 1 << 20
"""With a ``progress`` callback, documents are scored about this many characters at a time."""
WINDOW_CHARS = 1 << 16
"""A paragraph longer than this is scored in windows of about this size, cut at white space."""

_HAS_WORD = WORD  # a paragraph without a single word has nothing to judge


@dataclass(frozen=True)
class Evidence:
    """What the classifier says of each paragraph of a list.

    ``scores``: P(garbled), 0 for a paragraph without a word; ``log_odds``:
    the calibrated log-odds (NaN without a word); with ``explain``, each
    paragraph's ``flags`` (sorted by start) and strongest ``contributions``.
    """

    scores: np.ndarray
    log_odds: np.ndarray
    flags: list[list[Finding]] | None = None
    contributions: list[list[Contribution]] | None = None
    not_english: np.ndarray | None = None
    """Whether each paragraph is confidently not English, read from the same tokens as the
    features (None: not known, and :func:`mtdetect.language.not_english` decides)."""

    def foreign(self, paragraphs: Sequence[str]) -> np.ndarray:
        """Whether each of ``paragraphs`` (those this is the evidence of) is not English."""
        return self.not_english if self.not_english is not None else not_english(paragraphs)


class Detector:
    """Scores paragraphs with a loaded model; see :func:`mtdetect.load`."""

    def __init__(
        self,
        model: Model | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
        trust: bool = False,
        sha256: str | None = None,
        threshold: float | None = None,
    ) -> None:
        self._model = model
        self._path = None if path is None else Path(path)
        self._trust = trust
        self._sha256 = sha256
        self._threshold = threshold
        self._loaded_here = False

    # -- model handling -------------------------------------------------
    @property
    def model(self) -> Model:
        """The model, loaded on first use (once per process for the same file: :func:`~mtdetect.model.shared_model`)."""
        if self._model is None:
            self._model = shared_model(self._path, trust=self._trust, sha256=self._sha256)
            self._loaded_here = True
        return self._model

    @property
    def threshold(self) -> float:
        """The decision threshold: the model's calibrated default unless overridden."""
        return self.model.threshold if self._threshold is None else self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {value}")
        self._threshold = float(value)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if self._loaded_here:
            # Ship the path, not the arrays: each worker loads its own copy lazily.
            state["_model"] = None
            state["_loaded_here"] = False
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    # -- scoring ----------------------------------------------------------
    def score_paragraphs(self, paragraphs: Sequence[str]) -> np.ndarray:
        """P(garbled) of each paragraph, as a float64 array of the same length.

        Paragraphs without a single word score 0: there is nothing to judge. A
        paragraph longer than :data:`WINDOW_CHARS` scores the length-weighted
        mean of its windows, so memory stays bounded on a single huge line.
        """
        return self.paragraph_evidence(_paragraph_list(paragraphs)).scores

    def paragraph_evidence(
        self, paragraphs: Sequence[str], *, explain: bool = False, top: int = TOP_CONTRIBUTIONS
    ) -> Evidence:
        """Scores and log-odds of each paragraph (and with ``explain``, flags and contributions).

        The one place the model is called: everything else builds on it (a
        stand-in classifier overrides only this). Artifact flags cover the whole paragraph. For a paragraph longer than
        :data:`WINDOW_CHARS`, unknown words and feature contributions come from
        its first window only, so explaining a huge line stays cheap.
        """
        n = len(paragraphs)
        scores = np.zeros(n, dtype=np.float64)  # one piece: its probability, exactly
        log_odds = np.full(n, np.nan, dtype=np.float64)
        weighted = np.zeros(n, dtype=np.float64)  # several windows: length-weighted sums
        weighted_log_odds = np.zeros(n, dtype=np.float64)
        lengths = np.zeros(n, dtype=np.float64)
        pieces = np.zeros(n, dtype=np.int64)
        foreign = np.zeros(n, dtype=bool)  # a wordless paragraph has no letters: English
        flags: list[list[Finding]] = [[] for _ in range(n)]
        strongest: list[list[Contribution]] = [[] for _ in range(n)]
        for owners, firsts, texts, length in _batches(paragraphs):
            batch = compute_features(texts, self.model.tables, detail=explain)
            piece_log_odds = self.model.log_odds(batch)
            probability_ = probability(piece_log_odds)
            scores[owners] = probability_
            log_odds[owners] = piece_log_odds
            np.add.at(weighted, owners, probability_ * length)
            np.add.at(weighted_log_odds, owners, piece_log_odds * length)
            np.add.at(lengths, owners, length)
            np.add.at(pieces, owners, 1)
            if batch.not_english is not None:  # the language check reads a paragraph's first piece
                foreign[owners[firsts]] = batch.not_english[firsts]
            if explain:
                self._explain_batch(batch, owners, firsts, texts, paragraphs, flags, strongest, top)
        windowed = pieces > 1
        scores[windowed] = weighted[windowed] / lengths[windowed]
        log_odds[windowed] = weighted_log_odds[windowed] / lengths[windowed]
        if not explain:
            return Evidence(scores, log_odds, not_english=foreign)
        for i, paragraph in enumerate(paragraphs):
            if pieces[i] == 0 or len(paragraph) > WINDOW_CHARS:  # wordless or windowed: the rules see it whole
                flags[i] = sorted(find_artifacts(paragraph) + flags[i], key=lambda f: f.start)
        return Evidence(scores, log_odds, flags, strongest, foreign)

    def _explain_batch(
        self,
        batch: FeatureBatch,
        owners: np.ndarray,
        firsts: np.ndarray,
        texts: list[str],
        paragraphs: Sequence[str],
        flags: list[list[Finding]],
        strongest: list[list[Contribution]],
        top: int,
    ) -> None:
        """Fill in the flags and contributions of the paragraphs whose first piece is in ``batch``.

        A paragraph in one piece gets the rules' findings from the batch; a
        windowed one gets them later, from the whole paragraph.
        """
        detail = batch.detail
        assert detail is not None
        rows = np.flatnonzero(firsts).tolist()
        found = detail.rules.findings(row for row in rows if len(paragraphs[owners[row]]) <= WINDOW_CHARS)
        moved = contributions(self.model, batch, rows, top) if top > 0 else {}
        for row in rows:
            owner = int(owners[row])
            unknown = unknown_word_flags(texts[row], detail.unknown_words(row))
            flags[owner] = sorted(found.get(row, []) + unknown, key=lambda f: f.start)
            strongest[owner] = moved.get(row, [])

    def score_documents(
        self,
        texts: Iterable[str],
        *,
        threshold: float | None = None,
        explain: bool = False,
        top: int = TOP_CONTRIBUTIONS,
        progress: Callable[[int], None] | None = None,
        paragraphs: Sequence[Sequence[Segment]] | None = None,
    ) -> list[DocumentScore]:
        """Score many documents with one model call per batch of paragraphs.

        Verdicts are at ``threshold`` (default: :attr:`threshold`); every
        paragraph carries its warnings (one language check for all of them)
        and, with ``explain``, its explanation: flags and the ``top`` strongest
        contributions (``top=0``: flags only, which costs far less).
        ``progress``, when given, is called with the characters of paragraphs
        scored as the work goes on (about every :data:`PROGRESS_CHARS`), so a
        single huge document shows its progress too; the scores are the same.
        ``paragraphs``, when given, is :func:`~mtdetect.segment.split_paragraphs` of each text,
        already done by the caller (a batching loop that counts paragraphs).
        """
        texts = list(texts)
        limit = self.threshold if threshold is None else threshold
        segments = [split_paragraphs(text) for text in texts] if paragraphs is None else paragraphs
        flat = [segment.text for doc in segments for segment in doc]
        if progress is None:
            evidence = self.paragraph_evidence(flat, explain=explain, top=top)
        else:
            evidence = self._evidence_in_parts(flat, explain, top, progress)
        explained = evidence.flags is not None and evidence.contributions is not None
        return batch_results(
            segments, evidence.scores, evidence.log_odds, evidence.foreign(flat), limit,
            self.model.document_calibration, (evidence.flags, evidence.contributions) if explained else None,  # type: ignore[arg-type]
        )

    def _evidence_in_parts(
        self, paragraphs: list[str], explain: bool, top: int, progress: Callable[[int], None]
    ) -> Evidence:
        """:meth:`paragraph_evidence` of ``paragraphs``, a part of about :data:`PROGRESS_CHARS`
        characters at a time, calling ``progress`` with the characters of each part."""
        parts: list[Evidence] = []
        start = 0
        while start < len(paragraphs) or not parts:
            end, chars = start, 0
            while end < len(paragraphs) and (end == start or chars < PROGRESS_CHARS):
                chars += len(paragraphs[end])
                end += 1
            parts.append(self.paragraph_evidence(paragraphs[start:end], explain=explain, top=top))
            progress(chars)
            start = end
        if len(parts) == 1:
            return parts[0]
        explained = all(p.flags is not None and p.contributions is not None for p in parts)
        return Evidence(
            np.concatenate([p.scores for p in parts]),
            np.concatenate([p.log_odds for p in parts]),
            [f for p in parts for f in p.flags or []] if explained else None,
            [c for p in parts for c in p.contributions or []] if explained else None,
            np.concatenate([p.not_english for p in parts]) if all(p.not_english is not None for p in parts) else None,
        )

    def score_document(self, text: str, *, threshold: float | None = None, explain: bool = False) -> DocumentScore:
        """The document's result: its score and verdict, and each paragraph's (start, end, score ...)."""
        return self.score_documents([text], threshold=threshold, explain=explain)[0]

    def explain(self, paragraph: str, top: int = TOP_CONTRIBUTIONS) -> Explanation:
        """Score one paragraph and say why: flagged spans and strongest features.

        Artifact flags cover the whole paragraph. For a paragraph longer than
        :data:`WINDOW_CHARS`, unknown words and feature contributions come from
        its first window only, so explaining a huge line stays cheap.
        """
        [paragraph] = _paragraph_list([paragraph])
        evidence = self.paragraph_evidence([paragraph], explain=True, top=top)
        result = _result(paragraph, 0, evidence, 0, warnings_of(evidence.foreign([paragraph]))[0], self.threshold)
        assert result.explanation is not None
        return result.explanation

    # -- pipelines ---------------------------------------------------------
    def filter(
        self,
        records: Iterable[dict],
        text_field: str = "text",
        threshold: float | None = None,
        *,
        score_field: str | None = DEFAULT_SCORE_FIELD,
        mode: str = "drop",
        batch_size: int | None = None,
    ):
        """Yield the records whose document score is under ``threshold`` (default: :attr:`threshold`),
        or that have none (no text, no English paragraph, or no string text).

        Each record comes back as a shallow copy with ``{"score": ...,
        "paragraphs": [[start, end, score], ...], "warnings": [...]}`` under ``score_field``
        (``None``: no annotation); ``mode="annotate"`` yields every record.
        Records are scored at most ``batch_size`` paragraphs at a time (default:
        :data:`~mtdetect.records.PARAGRAPHS_PER_BATCH`), lazily. A record without
        a string ``text_field`` does not stop the stream: it comes back, in either
        mode, with no score and the reason under ``"error"``.
        See :func:`mtdetect.batches.filter_records`.
        """
        from .batches import filter_records

        return filter_records(self, records, text_field, threshold, score_field, mode, batch_size)  # type: ignore[arg-type]

    def score_series(self, texts, paragraphs: bool = False):
        """Document scores of a pandas Series of texts (same index; NaN for a missing text, or a
        document without a score: no text, or no English paragraph).

        For pandas batches: Spark ``mapInPandas``, Ray Data ``map_batches``,
        Dask ``map_partitions``. ``paragraphs=True`` gives each document's
        annotation dict instead. See :func:`mtdetect.batches.score_series`.
        """
        from .batches import score_series

        return score_series(self, texts, paragraphs)


def _windows(text: str, size: int = WINDOW_CHARS) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters, cut after white space where there is any.

    >>> list(_windows("one two three four", size=8))
    ['one two ', 'three ', 'four']
    """
    start = 0
    while len(text) - start > size:
        cut = max(text.rfind(" ", start, start + size), text.rfind("\n", start, start + size)) + 1
        end = cut if cut > start else start + size
        yield text[start:end]
        start = end
    yield text[start:]


def _pieces(paragraphs: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(paragraph index, whether it is the paragraph's first window, text) of everything to
    featurise, as arrays and a list: long paragraphs in windows, no wordless text."""
    if all(len(p) <= WINDOW_CHARS for p in paragraphs):  # the common case: one piece per paragraph
        worded = [match is not None for match in map(_HAS_WORD.search, paragraphs)]
        owners = np.flatnonzero(np.array(worded, dtype=bool))
        texts = list(paragraphs) if len(owners) == len(paragraphs) else [paragraphs[i] for i in owners.tolist()]
        return owners, np.ones(len(owners), dtype=bool), texts
    found: list[tuple[int, bool, str]] = []
    for i, paragraph in enumerate(paragraphs):
        pieces = _windows(paragraph) if len(paragraph) > WINDOW_CHARS else (paragraph,)
        found.extend((i, k == 0, piece) for k, piece in enumerate(pieces) if _HAS_WORD.search(piece))
    return (np.array([i for i, _, _ in found], dtype=np.int64), np.array([f for _, f, _ in found], dtype=bool),
            [t for _, _, t in found])


def _batches(paragraphs: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray, list[str], np.ndarray]]:
    """The pieces of ``paragraphs`` (:func:`_pieces`) grouped into model calls of at most
    :data:`BATCH_SIZE` pieces, each call closed by the piece that brings it to
    :data:`BATCH_CHARS` characters: (owners, firsts, texts, lengths) of each call."""
    owners, firsts, texts = _pieces(paragraphs)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lengths)
    start = 0
    while start < len(texts):
        before = int(ends[start - 1]) if start else 0
        full = int(np.searchsorted(ends, before + BATCH_CHARS, "left")) + 1  # closed by the piece that fills it
        end = min(full, start + BATCH_SIZE, len(texts))
        yield owners[start:end], firsts[start:end], texts[start:end], lengths[start:end].astype(np.float64)
        start = end


def _paragraph_list(paragraphs: Iterable[str]) -> list[str]:
    """``paragraphs`` as a list, each checked to be a str."""
    if isinstance(paragraphs, str):
        raise TypeError("score_paragraphs takes a list of paragraphs; use score_document for one text")
    paragraphs = list(paragraphs)
    for i, p in enumerate(paragraphs):
        if not isinstance(p, str):
            raise TypeError(f"paragraph {i} is a {type(p).__name__}, not a str")
    return paragraphs


def _result(text: str, start: int, evidence: Evidence, i: int, warnings: Sequence[str], threshold: float) -> ParagraphScore:
    """Paragraph ``i`` of ``evidence`` as a result."""
    log_odds = float(evidence.log_odds[i])
    explained = evidence.flags is not None and evidence.contributions is not None
    return paragraph_result(
        text, start, float(evidence.scores[i]), None if np.isnan(log_odds) else log_odds, threshold, warnings,
        evidence.flags[i] if explained else None, evidence.contributions[i] if explained else (),
    )
