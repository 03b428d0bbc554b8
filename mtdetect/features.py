"""Feature matrix: what the model sees of a batch of paragraphs.

Three families, all computed batch-wise:

* ``artifact`` — counts of each named detector in :mod:`mtdetect.detectors`;
* ``language`` — how predictable the words are: mean word frequency, the
  share of words unknown to English, rare words, and how many word pairs a
  clean English corpus has seen (hashed look-up tables shipped in the model);
* ``word_class`` — hashed n-grams of the word-class text
  (:mod:`mtdetect.wordclass`): function words, word shapes and punctuation with
  its spacing, so word order is visible without topic words.

Every feature is computed on typography-normalised text
(:func:`mtdetect.typography.normalize_typography`): curly and straight quotes
give the same features.

The registry :data:`DENSE_FEATURES` names every dense feature; the model card,
the explanations and the docs use these names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher

from .detectors import DETECTORS, count_artifacts
from .typography import normalize_typography
from .wordclass import WORD, word_class_tokens

LEXICAL_HASH_BITS = 22
"""Size of the hashed space for word and word-pair look-ups (2**22 buckets)."""
WORD_CLASS_HASH_BITS = 20
"""Size of the hashed space for word-class n-grams (2**20 weights)."""
WORD_CLASS_NGRAMS = (1, 3)
"""Lengths of word-class n-grams."""
RARE_ZIPF = 3.0
"""A known word with a Zipf frequency below this (fewer than 1 per million words) is rare."""


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """One named dense feature and the sign its weight is allowed to take.

    ``direction`` +1: more of it can only raise the score (damage, commoner
    words); -1: can only lower it; 0: either. Training keeps each weight on
    its side, so a synthetic source cannot teach a sign real machine
    translation contradicts (machine output is simpler and more predictable
    than human text, never less).
    """

    name: str
    family: str
    description: str
    direction: int = 0


LANGUAGE_FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("mean_word_zipf", "language", "mean Zipf frequency of the words (higher: commoner words)", +1),
    FeatureSpec("unknown_word_rate", "language", "share of words that are not English words (untranslated or misspelt)", +1),
    FeatureSpec("rare_word_rate", "language", "share of words that are English but rare", -1),
    FeatureSpec("mean_pair_log_count", "language", "mean log count of adjacent word pairs in clean English text", +1),
    FeatureSpec("unseen_pair_rate", "language", "share of adjacent word pairs never seen in clean English text", -1),
)

DENSE_FEATURES: tuple[FeatureSpec, ...] = (
    tuple(
        FeatureSpec(f"artifact:{name}", "artifact", det.description, +1)
        for name, det in DETECTORS.items()
    )
    + LANGUAGE_FEATURES
)
"""Every dense feature, in the column order of :func:`dense_features`."""

HASHED_FAMILIES = {
    "word_class": "word-class n-grams: function words, word shapes and punctuation spacing",
}


def dense_feature_names() -> list[str]:
    """Names of the dense columns, in order.

    >>> dense_feature_names()[-1]
    'language:unseen_pair_rate'
    """
    return [
        spec.name if spec.family == "artifact" else f"language:{spec.name}"
        for spec in DENSE_FEATURES
    ]


@dataclass(frozen=True)
class LexicalTables:
    """Hashed look-up tables of word frequencies and word-pair counts.

    ``word_index``/``word_zipf``: hashed bucket and Zipf frequency of English
    words; ``pair_index``/``pair_log_count``: bucket and log(1 + count) of word
    pairs seen in clean English text. Buckets come from :func:`lexical_hasher`;
    words and pairs are looked up separately, so a pair never hits a word's
    bucket. Indexes are unique within each table.
    """

    word_index: np.ndarray
    word_zipf: np.ndarray
    pair_index: np.ndarray
    pair_log_count: np.ndarray

    @cached_property
    def _sorted_word_index(self) -> np.ndarray:
        return np.sort(self.word_index)

    def is_known_word(self, buckets: np.ndarray) -> np.ndarray:
        """Whether each word bucket holds an English word."""
        index = self._sorted_word_index
        position = np.searchsorted(index, buckets).clip(max=max(len(index) - 1, 0))
        return index[position] == buckets if len(index) else np.zeros(len(buckets), dtype=bool)

    @cached_property
    def word_lookup(self) -> sp.csc_matrix:
        """A (buckets, 3) matrix over word buckets: Zipf frequency, known, rare."""
        zipf = self.word_zipf.astype(np.float32)
        values = np.stack([zipf, np.ones_like(zipf), (zipf < RARE_ZIPF).astype(np.float32)], axis=1)
        return _bucket_matrix(self.word_index, values)

    @cached_property
    def pair_lookup(self) -> sp.csc_matrix:
        """A (buckets, 2) matrix over word-pair buckets: log(1 + count), seen."""
        counts = self.pair_log_count.astype(np.float32)
        return _bucket_matrix(self.pair_index, np.stack([counts, np.ones_like(counts)], axis=1))


def _bucket_matrix(index: np.ndarray, values: np.ndarray) -> sp.csc_matrix:
    """A sparse (2**LEXICAL_HASH_BITS, k) matrix with ``values`` on rows ``index`` (unique)."""
    n_rows, n_cols = values.shape
    rows = np.repeat(np.asarray(index, dtype=np.int64), n_cols)
    cols = np.tile(np.arange(n_cols), n_rows)
    shape = (1 << LEXICAL_HASH_BITS, n_cols)
    return sp.csc_matrix((values.ravel(), (rows, cols)), shape=shape, dtype=np.float32)


def lexical_hasher() -> FeatureHasher:
    """The hasher that maps words and word pairs to table buckets."""
    return FeatureHasher(
        n_features=1 << LEXICAL_HASH_BITS, input_type="string", alternate_sign=False, dtype=np.float32
    )


def word_class_hasher() -> FeatureHasher:
    """The hasher that maps word-class n-grams to weight columns."""
    return FeatureHasher(
        n_features=1 << WORD_CLASS_HASH_BITS, input_type="string", alternate_sign=False, dtype=np.float32
    )


def lexical_words(text: str) -> list[str]:
    """Lower-cased alphabetic words of a normalised paragraph (numbers left out).

    >>> lexical_words("Sales rose 8% in 2022, Putin's aides said")
    ['sales', 'rose', 'in', "putin's", 'aides', 'said']
    """
    return [w for w in WORD.findall(text.lower()) if not w.lstrip("'")[:1].isdigit()]


def word_pairs(words: list[str]) -> list[str]:
    """Adjacent word pairs as hashed: ``"a b"``.

    >>> word_pairs(["sales", "rose", "sharply"])
    ['sales rose', 'rose sharply']
    """
    return [f"{a} {b}" for a, b in zip(words, words[1:])]


def word_class_ngrams(tokens: list[str]) -> list[str]:
    """Word-class n-grams as hashed strings (tokens joined by ``\\x01``).

    >>> word_class_ngrams(["the", "x", ". "])
    ['the', 'x', '. ', 'the\\x01x', 'x\\x01. ', 'the\\x01x\\x01. ']
    """
    grams = list(tokens)
    low, high = WORD_CLASS_NGRAMS
    for n in range(max(low, 2), high + 1):
        grams.extend("\x01".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


@dataclass
class FeatureBatch:
    """Features of a batch: dense columns (raw, unscaled) and hashed word-class counts."""

    dense: np.ndarray  # (n, len(DENSE_FEATURES)) float32
    word_class: sp.csr_matrix  # (n, 2**WORD_CLASS_HASH_BITS) float32, rows scaled by 1/sqrt(tokens)


def normalize_paragraph(paragraph: str) -> str:
    """The one-line, typography-normalised form every feature is computed on.

    >>> normalize_paragraph("“Yes,”\\n he said…")
    '"Yes," he said.'
    """
    return " ".join(normalize_typography(paragraph).split())


def compute_features(paragraphs: Sequence[str], tables: LexicalTables) -> FeatureBatch:
    """Compute every feature of a batch of paragraphs in one pass."""
    if not paragraphs:
        return FeatureBatch(
            np.zeros((0, len(DENSE_FEATURES)), dtype=np.float32),
            sp.csr_matrix((0, 1 << WORD_CLASS_HASH_BITS), dtype=np.float32),
        )
    normalized = [normalize_paragraph(p) for p in paragraphs]
    artifact = np.log1p(count_artifacts(paragraphs))

    words = [lexical_words(text) for text in normalized]
    hasher = lexical_hasher()
    word_sums = (hasher.transform(words) @ tables.word_lookup).toarray()
    pair_sums = (hasher.transform(word_pairs(w) for w in words) @ tables.pair_lookup).toarray()
    sums = np.hstack([word_sums, pair_sums]).astype(np.float32)
    n_words = np.array([len(w) for w in words], dtype=np.float32)
    n_pairs = np.maximum(n_words - 1, 0)
    safe_words = np.maximum(n_words, 1)
    safe_pairs = np.maximum(n_pairs, 1)
    language = np.column_stack(
        [
            sums[:, 0] / safe_words,
            np.where(n_words > 0, 1 - sums[:, 1] / safe_words, 0),
            sums[:, 2] / safe_words,
            sums[:, 3] / safe_pairs,
            np.where(n_pairs > 0, 1 - sums[:, 4] / safe_pairs, 0),
        ]
    ).astype(np.float32)

    tokens = [word_class_tokens(text) for text in normalized]
    counts = word_class_hasher().transform(word_class_ngrams(t) for t in tokens).tocsr()
    scale = 1.0 / np.sqrt(np.maximum([len(t) for t in tokens], 1)).astype(np.float32)
    word_class = sp.diags(scale) @ counts
    return FeatureBatch(np.hstack([artifact, language]).astype(np.float32), word_class.tocsr())
