"""The Detector: batched paragraph scores, document scores and explanations.

One model call scores a whole batch; per-paragraph work stays in the feature
code, which is itself batch-wise. A Detector pickles as its model path only and
reloads the model in each worker process, so it can be shipped to joblib,
Spark, Ray or Dask workers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .detectors import Finding, find_artifacts
from .features import (
    DENSE_FEATURES,
    checks_as_english,
    compute_features,
    dense_feature_names,
    lexical_form,
    lexical_word_buckets,
    normalize_paragraph,
    word_class_columns,
    word_class_ngrams,
)
from .language import NOT_ENGLISH, NOT_ENGLISH_MESSAGE, check_language
from .model import Model, shared_model
from .segment import split_paragraphs
from .typography import fold_characters
from .wordclass import WORD, word_class_tokens

BATCH_SIZE = 2048
"""Paragraphs featurised per model call at most (larger batches gain little)."""
BATCH_CHARS = 1 << 18
"""Characters featurised per model call at most: feature memory grows with the text, not the count."""
WINDOW_CHARS = 1 << 16
"""A paragraph longer than this is scored in windows of about this size, cut at white space."""

_HAS_WORD = WORD  # a paragraph without a single word has nothing to judge
UNKNOWN_WORD_MESSAGE = "not an English word (left untranslated?): “{text}”"


@dataclass(frozen=True, slots=True)
class ParagraphScore:
    """A paragraph's place in its document and its score."""

    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class DocumentScore:
    """A document's score (paragraph scores weighted by length) and its paragraphs."""

    score: float
    paragraphs: list[ParagraphScore]


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
        if isinstance(paragraphs, str):
            raise TypeError("score_paragraphs takes a list of paragraphs; use score_document for one text")
        paragraphs = list(paragraphs)
        for i, p in enumerate(paragraphs):
            if not isinstance(p, str):
                raise TypeError(f"paragraph {i} is a {type(p).__name__}, not a str")
        scores = np.zeros(len(paragraphs), dtype=np.float64)  # one piece: its probability, exactly
        weighted = np.zeros(len(paragraphs), dtype=np.float64)  # several windows: length-weighted sum
        lengths = np.zeros(len(paragraphs), dtype=np.float64)
        pieces = np.zeros(len(paragraphs), dtype=np.int64)
        for owners, texts in _batches(_pieces(paragraphs)):
            probability = self.model.probability(compute_features(texts, self.model.tables))
            length = np.array([len(t) for t in texts], dtype=np.float64)
            scores[owners] = probability
            np.add.at(weighted, owners, probability * length)
            np.add.at(lengths, owners, length)
            np.add.at(pieces, owners, 1)
        windowed = pieces > 1
        scores[windowed] = weighted[windowed] / lengths[windowed]
        return scores

    def score_documents(self, texts: Iterable[str]) -> list[DocumentScore]:
        """Score many documents with one model call per batch of paragraphs."""
        texts = list(texts)
        spans = [split_paragraphs(text) for text in texts]
        flat = [seg.text for doc in spans for seg in doc]
        scores = self.score_paragraphs(flat)
        results, i = [], 0
        for doc in spans:
            doc_scores = scores[i : i + len(doc)]
            i += len(doc)
            paragraphs = [ParagraphScore(s.start, s.end, float(x)) for s, x in zip(doc, doc_scores)]
            results.append(DocumentScore(document_score(paragraphs), paragraphs))
        return results

    def score_document(self, text: str) -> DocumentScore:
        """The document score and each paragraph's (start, end, score)."""
        return self.score_documents([text])[0]

    def explain(self, paragraph: str, top: int = 6) -> Explanation:
        """Score one paragraph and say why: flagged spans and strongest features.

        Artifact flags cover the whole paragraph. For a paragraph longer than
        :data:`WINDOW_CHARS`, unknown words and feature contributions come from
        its first window only, so explaining a huge line stays cheap.
        """
        score = float(self.score_paragraphs([paragraph])[0])
        sample = paragraph if len(paragraph) <= WINDOW_CHARS else next(_windows(paragraph))
        flags = sorted(find_artifacts(paragraph) + unknown_words(sample, self.model), key=lambda f: f.start)
        if not check_language(paragraph).english:
            # The score of a non-English paragraph means nothing: say so first.
            flags.insert(0, Finding(NOT_ENGLISH, 0, len(paragraph), paragraph, NOT_ENGLISH_MESSAGE))
        contributions = self._contributions(sample) if _HAS_WORD.search(sample) else []
        contributions.sort(key=lambda c: -abs(c.value))
        return Explanation(score, score >= self.threshold, flags, contributions[:top])

    # -- pipelines ---------------------------------------------------------
    def filter(
        self,
        records: Iterable[dict],
        text_field: str = "text",
        threshold: float | None = None,
        *,
        score_field: str | None = "mtdetect",
        mode: str = "drop",
        batch_size: int = 256,
    ):
        """Yield the records whose document score is under ``threshold`` (default: :attr:`threshold`).

        Each record comes back as a shallow copy with ``{"score": ...,
        "paragraphs": [[start, end, score], ...]}`` under ``score_field``
        (``None``: no annotation); ``mode="annotate"`` yields every record.
        Records are scored ``batch_size`` at a time, lazily. A record without
        a string ``text_field`` raises :class:`~mtdetect.errors.InputError`.
        See :func:`mtdetect.filtering.filter_records`.
        """
        from .filtering import filter_records

        return filter_records(self, records, text_field, threshold, score_field, mode, batch_size)  # type: ignore[arg-type]

    def score_series(self, texts, paragraphs: bool = False):
        """Document scores of a pandas Series of texts (same index; NaN for missing texts).

        For pandas batches: Spark ``mapInPandas``, Ray Data ``map_batches``,
        Dask ``map_partitions``. ``paragraphs=True`` gives each document's
        annotation dict instead. See :func:`mtdetect.filtering.score_series`.
        """
        from .filtering import score_series

        return score_series(self, texts, paragraphs)

    def _contributions(self, paragraph: str) -> list[Contribution]:
        model = self.model
        batch = compute_features([paragraph], model.tables)
        # Against what baseline: no damage at all for artifact counts, the
        # training average for language measures.
        baseline = np.where([s.family == "artifact" for s in DENSE_FEATURES], 0.0, model.dense_mean)
        moved = (batch.dense[0] - baseline) / model.dense_scale * model.dense_coef
        out = [
            Contribution(name, spec.description, float(v))
            for name, spec, v in zip(dense_feature_names(), DENSE_FEATURES, moved)
            if abs(v) > 1e-6
        ]
        tokens = word_class_tokens(normalize_paragraph(paragraph))
        grams = word_class_ngrams(tokens)
        if grams:
            columns = word_class_columns(tokens)
            weight = 1.0 / np.sqrt(max(len(tokens), 1))
            totals: dict[str, float] = {}
            for gram, col in zip(grams, columns):
                totals[gram] = totals.get(gram, 0.0) + float(model.word_class_coef[col]) * weight
            for gram, value in totals.items():
                shown = " ".join(part.strip() or part for part in gram.split("\x01"))
                out.append(Contribution(f"word_class:{shown}", "word-class n-gram", value))
        return out


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


def _pieces(paragraphs: Sequence[str]) -> Iterable[tuple[int, str]]:
    """(paragraph index, text) of everything to featurise: long paragraphs in windows, no wordless text."""
    for i, paragraph in enumerate(paragraphs):
        pieces = _windows(paragraph) if len(paragraph) > WINDOW_CHARS else (paragraph,)
        for piece in pieces:
            if _HAS_WORD.search(piece):
                yield i, piece


def _batches(pieces: Iterable[tuple[int, str]]) -> Iterable[tuple[np.ndarray, list[str]]]:
    """Pieces grouped into model calls of at most BATCH_SIZE pieces and about BATCH_CHARS characters."""
    owners: list[int] = []
    texts: list[str] = []
    chars = 0
    for owner, text in pieces:
        owners.append(owner)
        texts.append(text)
        chars += len(text)
        if len(texts) >= BATCH_SIZE or chars >= BATCH_CHARS:
            yield np.array(owners, dtype=np.int64), texts
            owners, texts, chars = [], [], 0
    if texts:
        yield np.array(owners, dtype=np.int64), texts


def document_score(paragraphs: Sequence[ParagraphScore]) -> float:
    """Length-weighted mean of paragraph scores (0 for a document with no text).

    >>> document_score([ParagraphScore(0, 10, 0.9), ParagraphScore(12, 42, 0.1)])
    0.3
    """
    weights = np.array([p.end - p.start for p in paragraphs], dtype=np.float64)
    if weights.sum() == 0:
        return 0.0
    return round(float(np.average([p.score for p in paragraphs], weights=weights)), 12)


def unknown_words(paragraph: str, model: Model) -> list[Finding]:
    """Lower-case words the model's English word list does not know (untranslated?)."""
    folded = fold_characters(paragraph)
    matches = [m for m in WORD.finditer(folded) if checks_as_english(m.group())]
    if not matches:
        return []
    known = model.tables.is_known_word(lexical_word_buckets([lexical_form(m.group()) for m in matches]))
    # Folding is one character to one, so the spans hold in the paragraph as written.
    return [
        Finding("unknown_word", m.start(), m.end(), original, UNKNOWN_WORD_MESSAGE.format(text=original))
        for m, is_known in zip(matches, known)
        if not is_known
        for original in (paragraph[m.start() : m.end()],)
    ]
