"""Feature matrix: what the model sees of a batch of paragraphs.

Four families, all computed batch-wise:

* ``artifact`` — counts of each named rule in :mod:`mtdetect.rules`;
* ``language`` — how predictable the words are: mean word frequency, the
  number of lower-case words English does not know, rare words, and how many word pairs a
  clean English corpus has seen (hashed look-up tables shipped in the model);
* ``word_class`` — hashed n-grams of the word-class text
  (:mod:`mtdetect.wordclass`): function words, word shapes and punctuation with
  its spacing, so word order is visible without topic words;
* ``word`` — hashed n-grams of the words themselves (lexical forms, numbers
  left out): the word choices machine translation makes (in the shipped model
  ``especially``, ``although``, ``largest`` lean to machine output, ``though``,
  ``biggest``, ``got`` to human writing). Both sides of a training pair share
  their topic words, so what the weights keep is the choice, not the subject.

Every feature is computed on typography-normalised text
(:func:`mtdetect.typography.normalize_typography`): curly and straight quotes
give the same features.

The registry :data:`DENSE_FEATURES` names every dense feature; the model card,
the explanations and the docs use these names.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from . import hashing
from .language import EVIDENCE, SAMPLE_CHARS, decide, sample_evidence, token_evidence
from .rules import RULES, RuleScan, scan_rules
from .tokens import SpanIndex, code_points, span_keys, token_spans
from .typography import fold_marks
from .wordclass import PARAGRAPH_SEPARATOR, TOKEN, WORD, token_class, token_word

if TYPE_CHECKING:  # scipy.sparse is imported only when a sparse matrix is asked for
    import scipy.sparse as sp

LEXICAL_HASH_BITS = 22
"""Size of the hashed space for word and word-pair look-ups (2**22 buckets)."""
WORD_CLASS_HASH_BITS = 20
"""Size of the hashed space for word-class n-grams (2**20 weights)."""
WORD_CLASS_NGRAMS = (1, 3)
"""Lengths of word-class n-grams."""
WORD_HASH_BITS = 20
"""Size of the hashed space for word n-grams (2**20 weights)."""
WORD_NGRAMS = (1, 2)
"""Lengths of word n-grams."""
FEATURE_VERSION = 5
"""Version of the tokenisation and hashing: bumped whenever either changes, so a
model trained on other features is refused (it is part of the model card's layout).
Version 2: punctuation never glued to a word, BLAKE2b string hashes mixed in numpy,
words looked up without a possessive 's, and only lower-case words counted as unknown.
Version 3: the numbers of numbered list items become bullets (:func:`mark_list_numbers`).
Version 4: hashed word n-grams (:data:`HASHED_FAMILIES` ``word``).
Version 5: the reference model of English (word, pair and triple counts) and its features."""
RARE_ZIPF = 3.0
"""A known word with a Zipf frequency below this (fewer than 1 per million words) is rare."""
COMMON_ZIPF = 4.0
"""A word with a Zipf frequency of at least this (10 per million words or more) is common."""
TRIGRAM_HASH_BITS = 23
"""Size of the hashed space of the reference model's word triples (2**23 buckets)."""
BACKOFF = float(np.log(0.4))
"""Log of the factor a word's probability takes for each shorter context it falls back to (stupid backoff)."""
UNKNOWN_ZIPF = 1.0
"""The Zipf frequency a word English does not know is given in the reference model."""


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
    FeatureSpec("unknown_words", "language", "log(1 + number of lower-case words that are not English words: untranslated or misspelt)", +1),
    FeatureSpec("rare_word_rate", "language", "share of words that are English but rare", -1),
    FeatureSpec("mean_pair_log_count", "language", "mean log count of adjacent word pairs in clean English text", +1),
    FeatureSpec("unseen_pair_rate", "language", "share of adjacent word pairs never seen in clean English text", -1),
    FeatureSpec("surprise", "language", "mean of how much less likely each word is after the two before it than "
                "alone, in the reference model of English (SLOR below zero): broken word choice and order", +1),
    FeatureSpec("predictability", "language", "mean of how much more likely each word is after the two before it "
                "than alone (SLOR above zero): fluent, formulaic wording", 0),
    FeatureSpec("unseen_trigram_rate", "language", "share of word triples never seen in the reference model of "
                "English, where their first two words were seen together", 0),
    FeatureSpec("unseen_common_pair_rate", "language", "share of adjacent pairs of common words (Zipf 4 or more) "
                "never seen together in the reference model of English: words in an order English does not use", +1),
    FeatureSpec("rare_unattested_rate", "language", "share of words that are uncommon (Zipf under 4) and seen with "
                "neither neighbour in the reference model of English: a thesaurus pick out of context", +1),
)

REFERENCE_FEATURES = ("surprise", "predictability", "unseen_trigram_rate", "unseen_common_pair_rate",
                      "rare_unattested_rate")
"""The :data:`LANGUAGE_FEATURES` the reference model of English gives: the repost detector's
evidence (the classifier of machine translation leaves them out)."""

DENSE_FEATURES: tuple[FeatureSpec, ...] = (
    tuple(
        FeatureSpec(f"artifact:{name}", "artifact", det.description, +1)
        for name, det in RULES.items()
    )
    + LANGUAGE_FEATURES
)
"""Every dense feature, in the column order of :func:`dense_features`."""

HASHED_FAMILIES = {
    "word_class": "word-class n-grams: function words, word shapes and punctuation spacing",
    "word": "word n-grams: the words themselves, lower-cased (numbers left out)",
}


def dense_feature_names() -> list[str]:
    """Names of the dense columns, in order.

    >>> dense_feature_names()[-1]
    'language:rare_unattested_rate'
    """
    return [
        spec.name if spec.family == "artifact" else f"language:{spec.name}"
        for spec in DENSE_FEATURES
    ]


_WORD_CLASS_SALT = 0x5D588B656C078965
"""Starts the hash of every word-class n-gram."""
_WORD_SALT = 0x2545F4914F6CDD1D
"""Starts the hash of a word in the lexical tables."""
_PAIR_SALT = 0x9E3779B97F4A7C15
"""Starts the hash of a word pair in the lexical tables (a pair is never hashed like a word)."""
_TRIGRAM_SALT = 0xDAA66D2C7DDF743F
"""Starts the hash of a word triple in the reference model's table."""
_WORD_NGRAM_SALT = 0x3C6EF372FE94F82B
"""Starts the hash of every word n-gram (a family of its own: never a word-class n-gram's column)."""


class _BucketTable:
    """Values over the whole hashed space (NaN: empty bucket): a look-up is one array read.

    >>> table = _BucketTable(np.array([3]), np.array([2.5]), bits=3)
    >>> table.lookup(np.array([3, 4]))
    (array([ True, False]), array([2.5, 0. ], dtype=float32))
    """

    def __init__(self, index: np.ndarray, values: np.ndarray, bits: int = LEXICAL_HASH_BITS,
                 dtype: type = np.float32) -> None:
        self.values = np.full(1 << bits, np.nan, dtype=dtype)
        self.values[np.asarray(index, dtype=np.int64)] = np.asarray(values, dtype=dtype)

    def lookup(self, buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether each bucket is in the table, and its value (0 where it is not), as float32."""
        values = self.values[buckets].astype(np.float32, copy=False)
        found = ~np.isnan(values)
        return found, np.where(found, values, np.float32(0))


@dataclass(frozen=True)
class LexicalTables:
    """Hashed look-up tables of word frequencies and word-pair counts.

    ``word_index``/``word_zipf``: hashed bucket and Zipf frequency of English
    words; ``pair_index``/``pair_log_count``: bucket and log(1 + count) of word
    pairs seen in clean English text. Buckets come from :func:`word_buckets`
    and :func:`pair_buckets`; words and pairs are looked up in their own
    table (and hashed with their own salt), so a pair never hits a word's
    bucket. Indexes are unique within each table.
    """

    word_index: np.ndarray
    word_zipf: np.ndarray
    pair_index: np.ndarray
    pair_log_count: np.ndarray
    count_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Buckets of the words of the reference model of English (its own table: counts, not Zipf)."""
    count_log_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    """log(1 + count) of each word in the reference model's text."""
    trigram_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Buckets (:func:`trigram_buckets`) of word triples seen in the reference model's text."""
    trigram_log_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    """log(1 + count) of each triple (a table without any: the reference model falls back on pairs and words)."""

    @cached_property
    def _words(self) -> _BucketTable:
        return _BucketTable(self.word_index, self.word_zipf)

    @cached_property
    def _pairs(self) -> _BucketTable:
        return _BucketTable(self.pair_index, self.pair_log_count)

    @cached_property
    def _counts(self) -> _BucketTable:
        return _BucketTable(self.count_index, self.count_log_count, dtype=np.float16)

    @cached_property
    def _trigrams(self) -> _BucketTable:
        return _BucketTable(self.trigram_index, self.trigram_log_count, TRIGRAM_HASH_BITS, dtype=np.float16)

    def count_values(self, buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether each word bucket was seen in the reference text, and its log(1 + count)."""
        return self._counts.lookup(buckets)

    def trigram_values(self, buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether each triple bucket was seen in the reference text, and its log(1 + count)."""
        return self._trigrams.lookup(buckets)

    def is_known_word(self, buckets: np.ndarray) -> np.ndarray:
        """Whether each word bucket holds an English word."""
        return self._words.lookup(np.asarray(buckets, dtype=np.int64))[0]

    def word_values(self, buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether each word bucket is known, and its Zipf frequency (0 where unknown)."""
        return self._words.lookup(buckets)

    def pair_values(self, buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether each pair bucket was seen, and its log(1 + count) (0 where unseen)."""
        return self._pairs.lookup(buckets)


# -- hashing ------------------------------------------------------------------------------


def word_buckets(word_hashes: np.ndarray) -> np.ndarray:
    """Lexical buckets of words, from the :func:`~mtdetect.hashing.string_hash` of each (lower-cased) word."""
    return hashing.buckets(hashing.start(word_hashes, _WORD_SALT), LEXICAL_HASH_BITS)


def pair_buckets(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Lexical buckets of word pairs, from the string hashes of their first and second words."""
    return hashing.buckets(hashing.extend(hashing.start(first, _PAIR_SALT), second), LEXICAL_HASH_BITS)


def trigram_buckets(first: np.ndarray, second: np.ndarray, third: np.ndarray) -> np.ndarray:
    """Reference-model buckets of word triples, from the string hashes of their three words."""
    prefix = hashing.extend(hashing.extend(hashing.start(first, _TRIGRAM_SALT), second), third)
    return hashing.buckets(prefix, TRIGRAM_HASH_BITS)


def lexical_word_buckets(words: Sequence[str]) -> np.ndarray:
    """The table bucket of each word (as :func:`lexical_words` gives them).

    >>> lexical_word_buckets(["economy", "the"]).tolist()
    [1181761, 1434180]
    """
    return word_buckets(hashing.string_hashes(words))


def lexical_pair_buckets(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """The table bucket of each word pair (as :func:`word_pairs` gives them).

    >>> lexical_pair_buckets([("the", "economy")]).tolist()
    [2635065]
    """
    first = hashing.string_hashes(a for a, _ in pairs)
    second = hashing.string_hashes(b for _, b in pairs)
    return pair_buckets(first, second)


@dataclass(frozen=True)
class GramOccurrences:
    """Every n-gram of one family over a sequence, one entry per occurrence.

    Every n-gram of the shortest length comes first, then of the next, each in
    text order: for one paragraph, the order of :func:`word_class_ngrams` (or
    :func:`word_ngrams`).
    ``keys``, ``starts`` and ``lengths`` are kept only when asked for (explanations).
    """

    rows: np.ndarray  # int64: the paragraph of each n-gram
    columns: np.ndarray  # int64: its hashed column
    keys: np.ndarray | None = None  # uint64: its full hash (the column is its low bits)
    starts: np.ndarray | None = None  # int64: the position of its first token in the sequence
    lengths: np.ndarray | None = None  # int64: its number of tokens


def gram_occurrences(
    class_hashes: np.ndarray,
    rows: np.ndarray,
    detail: bool = False,
    *,
    salt: int = _WORD_CLASS_SALT,
    ngrams: tuple[int, int] = WORD_CLASS_NGRAMS,
    bits: int = WORD_CLASS_HASH_BITS,
) -> GramOccurrences:
    """The n-grams of a sequence of string hashes: by default the word-class n-grams of a token sequence.

    ``class_hashes`` holds the string hash of each token's class (or, for
    :func:`word_gram_occurrences`, of each word), ``rows`` its paragraph
    (non-decreasing); n-grams never cross paragraphs. The hash of ``t1 t2 t3``
    is ``extend(extend(start(h1, salt), h2), h3)`` (see :mod:`mtdetect.hashing`).
    """
    low, high = ngrams
    length = len(class_hashes)
    prefix = hashing.start(class_hashes, salt)
    out_rows, out_columns, out_keys, out_starts, out_lengths = [], [], [], [], []
    for n in range(1, high + 1):
        if n > 1:
            prefix = hashing.extend(prefix[:-1], class_hashes[n - 1 :])
        if n >= low:
            starts = rows[: max(length - n + 1, 0)]
            same = starts == rows[n - 1 :]
            out_rows.append(starts[same])
            out_columns.append(hashing.buckets(prefix[same], bits))
            if detail:
                at = np.flatnonzero(same)
                out_keys.append(prefix[same])
                out_starts.append(at)
                out_lengths.append(np.full(len(at), n, dtype=np.int64))
    grams = GramOccurrences(np.concatenate(out_rows).astype(np.int64), np.concatenate(out_columns))
    if not detail:
        return grams
    return GramOccurrences(
        grams.rows, grams.columns, np.concatenate(out_keys), np.concatenate(out_starts).astype(np.int64),
        np.concatenate(out_lengths),
    )


def word_gram_occurrences(word_hashes: np.ndarray, rows: np.ndarray, detail: bool = False) -> GramOccurrences:
    """The word n-grams of the lexical words of a batch.

    ``word_hashes`` holds the string hash of each word's :func:`lexical_form`
    (numbers and punctuation left out: ``rose 8% in`` gives the bigram
    ``rose in``), ``rows`` its paragraph. For one paragraph, the columns come
    in the order of :func:`word_ngrams`.
    """
    return gram_occurrences(word_hashes, rows, detail, salt=_WORD_NGRAM_SALT, ngrams=WORD_NGRAMS, bits=WORD_HASH_BITS)


def word_columns(words: Sequence[str]) -> np.ndarray:
    """The hashed column of each n-gram of :func:`word_ngrams` of lexical words (same order).

    >>> len(word_columns(["sales", "rose", "sharply"]))
    5
    """
    hashes = np.fromiter((hashing.string_hash(w, memo=False) for w in words), dtype=np.uint64, count=len(words))
    return word_gram_occurrences(hashes, np.zeros(len(hashes), dtype=np.int64)).columns


def word_class_columns(tokens: Sequence[str]) -> np.ndarray:
    """The hashed column of each n-gram of :func:`word_class_ngrams` (same order).

    >>> len(word_class_columns(["the", "x", ". "]))
    6
    """
    hashes = hashing.string_hashes(tokens)
    return gram_occurrences(hashes, np.zeros(len(hashes), dtype=np.int64)).columns


# -- words and n-grams as strings (tables, tests) --------------------------------------


def lexical_form(word: str) -> str:
    """The form a word is looked up by: lower-cased, a possessive ``'s`` taken off.

    >>> [lexical_form(w) for w in ["Putin's", "Sales", "it's", "'s"]]
    ['putin', 'sales', 'it', "'s"]
    """
    lower = word.lower()
    return lower[:-2] if lower.endswith("'s") and len(lower) > 2 else lower


def checks_as_english(word: str) -> bool:
    """Whether a word's absence from the English word list counts as evidence.

    Only lower-case words of letters (and apostrophes) count: capitalised words
    are mostly names, and words with digits or underscores are codes and paths.

    >>> [checks_as_english(w) for w in ["sindaco", "Hawai'i", "max_retries", "mp3", "don't"]]
    [True, False, False, False, True]
    """
    return word[:1].islower() and word.replace("'", "").isalpha()


def lexical_words(text: str) -> list[str]:
    """Lexical forms of the words of a normalised paragraph (numbers left out).

    >>> lexical_words("Sales rose 8% in 2022, Putin's aides said")
    ['sales', 'rose', 'in', 'putin', 'aides', 'said']
    """
    return [lexical_form(w) for w in WORD.findall(text) if not _is_number(w)]


def _is_number(word: str) -> bool:
    return word.lstrip("'")[:1].isdigit()


def word_pairs(words: list[str]) -> list[tuple[str, str]]:
    """Adjacent word pairs.

    >>> word_pairs(["sales", "rose", "sharply"])
    [('sales', 'rose'), ('rose', 'sharply')]
    """
    return list(zip(words, words[1:]))


def _ngram_names(tokens: list[str], ngrams: tuple[int, int]) -> list[str]:
    low, high = ngrams
    grams = list(tokens) if low <= 1 else []
    for n in range(max(low, 2), high + 1):
        grams.extend("\x01".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def word_class_ngrams(tokens: list[str]) -> list[str]:
    """Word-class n-grams as readable names (tokens joined by ``\\x01``), in column order.

    >>> word_class_ngrams(["the", "x", ". "])
    ['the', 'x', '. ', 'the\\x01x', 'x\\x01. ', 'the\\x01x\\x01. ']
    """
    return _ngram_names(tokens, WORD_CLASS_NGRAMS)


def word_ngrams(words: list[str]) -> list[str]:
    """Word n-grams of lexical words as readable names (joined by ``\\x01``), in column order.

    >>> word_ngrams(["sales", "rose"])
    ['sales', 'rose', 'sales\\x01rose']
    """
    return _ngram_names(words, WORD_NGRAMS)


# -- the batch ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HashedGrams:
    """The hashed n-grams of one family over a batch as flat arrays, one entry per occurrence."""

    rows: np.ndarray  # int64: the paragraph of each n-gram
    columns: np.ndarray  # int64: its hashed column
    scale: np.ndarray  # float32, one per paragraph: 1 / sqrt(token count)
    bits: int = WORD_CLASS_HASH_BITS  # the hashed space has 2**bits columns

    def matrix(self) -> sp.csr_matrix:
        """The (n, 2**bits) float32 matrix: n-gram counts, rows scaled."""
        import scipy.sparse as sp

        shape = (len(self.scale), 1 << self.bits)
        ones = np.ones(len(self.columns), dtype=np.float32)
        counts = sp.csr_matrix((ones, (self.rows, self.columns)), shape=shape, dtype=np.float32)
        counts.sum_duplicates()
        counts.data *= np.repeat(self.scale, np.diff(counts.indptr))
        return counts

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """``matrix() @ weights`` in float64 without building the matrix (equal up to rounding).

        Each row sums its n-grams in text order, so a row's value does not
        depend on the other rows of the batch.
        """
        gathered = np.asarray(weights)[self.columns].astype(np.float64)
        summed = np.bincount(self.rows, weights=gathered, minlength=len(self.scale))
        return summed * self.scale.astype(np.float64)


def _dot(matrix: sp.csr_matrix, weights: np.ndarray) -> np.ndarray:
    return np.asarray(matrix @ np.asarray(weights, dtype=np.float64), dtype=np.float64).ravel()


class FeatureBatch:
    """Features of a batch: dense columns (raw, unscaled) and two hashed n-gram families.

    ``dense`` is (n, len(DENSE_FEATURES)) float32; ``word_class`` is a
    (n, 2**WORD_CLASS_HASH_BITS) and ``words`` a (n, 2**WORD_HASH_BITS) float32
    CSR matrix of n-gram counts, each row scaled by 1/sqrt(its token count). A
    batch from :func:`compute_features` keeps the n-grams as
    :class:`HashedGrams` and builds a matrix only when it is asked for; scoring
    reads the arrays (:meth:`word_class_dot`, :meth:`words_dot`). Asked for,
    it also keeps what explanations read (:class:`BatchDetail`).
    """

    def __init__(
        self,
        dense: np.ndarray,
        word_class: sp.csr_matrix | None = None,
        words: sp.csr_matrix | None = None,
        *,
        grams: HashedGrams | None = None,
        word_grams: HashedGrams | None = None,
        detail: BatchDetail | None = None,
        not_english: np.ndarray | None = None,
    ) -> None:
        if (word_class is None and grams is None) or (words is None and word_grams is None):
            raise ValueError("a FeatureBatch needs word_class or grams, and words or word_grams")
        self.dense = dense
        self.grams = grams
        self.word_grams = word_grams
        self.detail = detail
        self.not_english = not_english
        """Whether each row is confidently not English (:mod:`mtdetect.language`); None: not checked."""
        self._word_class = word_class
        self._words = words

    @property
    def word_class(self) -> sp.csr_matrix:
        """The word-class matrix (built from :attr:`grams` on first use)."""
        if self._word_class is None:
            assert self.grams is not None
            self._word_class = self.grams.matrix()
        return self._word_class

    @property
    def words(self) -> sp.csr_matrix:
        """The word n-gram matrix (built from :attr:`word_grams` on first use)."""
        if self._words is None:
            assert self.word_grams is not None
            self._words = self.word_grams.matrix()
        return self._words

    def word_class_dot(self, weights: np.ndarray) -> np.ndarray:
        """``word_class @ weights`` per row, in float64."""
        return self.grams.dot(weights) if self.grams is not None else _dot(self.word_class, weights)

    def words_dot(self, weights: np.ndarray) -> np.ndarray:
        """``words @ weights`` per row, in float64."""
        return self.word_grams.dot(weights) if self.word_grams is not None else _dot(self.words, weights)


LIST_MARK = "•"
"""What the number of a numbered list item becomes in the normalised text: a
bullet, so ``2. flour`` on a line of its own is not read as a number, a full
stop inside a clause and a lower-case word once the line breaks are gone."""

_LIST_NUMBER = re.compile(
    r"""
    ^ [ \t]*            # at the start of a line (or of the paragraph), after any indent
    \(? \d{1,3} [.)]    # a list number: "1.", "12)", "(3)"
    (?= [ \t] )         # then a space: "3.5 million" and "1.2.3" are not list numbers
    """,
    re.MULTILINE | re.VERBOSE,
)


def mark_list_numbers(paragraph: str) -> str:
    """``paragraph`` with the number of each numbered list item replaced by :data:`LIST_MARK`.

    >>> mark_list_numbers("Shopping list:\\n1. eggs\\n 2) flour\\nIt cost 3. 5 too")
    'Shopping list:\\n• eggs\\n• flour\\nIt cost 3. 5 too'
    """
    if "\n" not in paragraph and not paragraph[:1].isdigit() and paragraph[:1] not in " \t(":
        return paragraph  # the common case, without a regex pass: no line starts with a number
    return _LIST_NUMBER.sub(LIST_MARK, paragraph)


def normalize_paragraph(paragraph: str) -> str:
    """The one-line, typography-normalised form every feature is computed on.

    Equal to ``" ".join(normalize_typography(mark_list_numbers(paragraph)).split())``.

    >>> normalize_paragraph("“Yes,”\\n he said…")
    '"Yes," he said.'
    >>> normalize_paragraph("Buy:\\n1. eggs\\n2. flour")
    'Buy: • eggs • flour'
    """
    return normalize_paragraphs([paragraph])


def normalize_paragraphs(paragraphs: Sequence[str]) -> str:
    """The normalised paragraphs of a batch, joined by :data:`~mtdetect.wordclass.PARAGRAPH_SEPARATOR`.

    Equal to ``"\\n".join(normalize_paragraph(p) for p in paragraphs)``, with
    one pass of the typography folds over the whole batch: white space is
    collapsed paragraph by paragraph first (the folds map white space to
    spaces only, so the order does not matter), and no fold matches across
    the separator.

    >>> normalize_paragraphs(["“Yes,”\\n he said…", "a  --  b"])
    '"Yes," he said.\\na - b'
    """
    return fold_marks(PARAGRAPH_SEPARATOR.join([p if _in_normal_form(p) else " ".join(mark_list_numbers(p).split())
                                                for p in paragraphs]))


def _in_normal_form(paragraph: str) -> bool:
    """Whether ``" ".join(mark_list_numbers(paragraph).split())`` is ``paragraph`` itself, told
    without splitting it: its only white space is single spaces inside it (every other white
    space character is unprintable) and it does not start as a list item can.

    >>> [_in_normal_form(p) for p in ["A fine day.", "A  day.", "A day. ", "1. eggs", "A\u00a0day", ""]]
    [True, False, False, False, False, False]
    """
    first = paragraph[:1]
    return (paragraph.isprintable() and "  " not in paragraph and paragraph[-1:] != " "
            and first not in " \t(" and not first.isdigit())


# -- tokens of a batch ---------------------------------------------------------------------------

_PUNCTUATION, _LEXICAL_WORD, _NUMBER, _SEPARATOR = 0, 1, 2, 3
"""Kinds of token: punctuation, a word the lexical tables see, a number, the paragraph separator."""


class _Vocabulary(dict):
    """Every distinct token seen -> its row in arrays of what the features need of it.

    The arrays hold each token's kind, the string hash of its word class, the
    string hash of its :func:`lexical_form` and whether its absence from the
    word list counts (:func:`checks_as_english`), for lexical words;
    :attr:`texts` holds the tokens themselves. A stream's tokens repeat, so
    each is classified and hashed once; the vocabulary starts afresh between
    batches when it outgrows :attr:`limit` (new arrays, so a batch that read
    the old ones keeps them). Each thread has its own (:func:`_vocabulary`).
    """

    limit = 500_000

    def __init__(self) -> None:
        super().__init__()
        self._allocate(4096)
        self.spans = SpanIndex()

    def _allocate(self, size: int) -> None:
        self.kind = np.zeros(size, dtype=np.int8)
        self.class_hash = np.zeros(size, dtype=np.uint64)
        self.word_hash = np.zeros(size, dtype=np.uint64)
        self.checked = np.zeros(size, dtype=bool)
        self.language = np.zeros((size, len(EVIDENCE)), dtype=np.int32)
        self.stem_hash = np.zeros(size, dtype=np.uint64)
        self.texts: list[str] = []

    def _columns(self) -> tuple[np.ndarray, ...]:
        return (self.kind, self.class_hash, self.word_hash, self.checked, self.language, self.stem_hash)

    def _grow(self) -> None:
        old, texts = self._columns(), self.texts
        self._allocate(2 * len(self.kind))
        for new, values in zip(self._columns(), old):
            new[: len(values)] = values
        self.texts = texts

    def __missing__(self, token: str) -> int:
        row = len(self)
        if row == len(self.kind):
            self._grow()
        if token == PARAGRAPH_SEPARATOR:
            self.kind[row] = _SEPARATOR
        else:
            word = token_word(token)
            if word is None:
                self.kind[row] = _PUNCTUATION
            elif _is_number(word):
                self.kind[row] = _NUMBER
            else:
                self.kind[row] = _LEXICAL_WORD
                self.word_hash[row] = hashing.string_hash(lexical_form(word), memo=False)
                stem = word.split("'", 1)[0]  # a word up to its first apostrophe (_repeats)
                self.stem_hash[row] = self.word_hash[row] if stem == word else hashing.string_hash(lexical_form(stem))
                self.checked[row] = checks_as_english(word)
            if word is not None:  # letters are word characters: punctuation says nothing of the language
                self.language[row] = token_evidence(word)
            self.class_hash[row] = hashing.string_hash(token_class(token))
        self.texts.append(token)
        self[token] = row
        return row

    def rows(self, tokens: list[str]) -> np.ndarray:
        """The vocabulary row of each token (new tokens are added)."""
        self._start_afresh_when_full()
        return np.fromiter(map(self.__getitem__, tokens), dtype=np.int64, count=len(tokens))

    def text_rows(self, text: str) -> np.ndarray:
        """The vocabulary row of each token of normalised ``text``, in order (new tokens are added).

        Tokens are found as spans with arrays (:func:`~mtdetect.tokens.token_spans`) and looked
        up by a key of their code points, so no string is made for a token seen before; text
        the arrays do not cover is tokenised by :data:`~mtdetect.wordclass.TOKEN`, with the same
        tokens."""
        self._start_afresh_when_full()
        codes = code_points(text)
        spans = token_spans(text, codes)
        if spans is None:
            return self.rows(TOKEN.findall(text))
        starts, ends = spans
        keys = span_keys(codes, starts, ends)
        found = self.spans.find(keys)
        added: dict[int, int] = {}  # tokens new to the index in this text (one may recur)
        for i in np.flatnonzero(found < 0).tolist():
            key = int(keys[i])
            row = added.get(key)
            if row is None:
                if self.spans.full:  # the index is only a cache of the vocabulary: start it afresh
                    self.spans = SpanIndex()
                row = added[key] = self[text[starts[i] : ends[i]]]
                self.spans.add(key, row)
            found[i] = row
        return found

    def _start_afresh_when_full(self) -> None:
        if len(self) > self.limit:
            self.clear()
            self._allocate(4096)
            self.spans = SpanIndex()


_THREAD = threading.local()


def _vocabulary() -> _Vocabulary:
    """This thread's vocabulary: threads scoring at once never share one."""
    vocabulary = getattr(_THREAD, "vocabulary", None)
    if vocabulary is None:
        vocabulary = _THREAD.vocabulary = _Vocabulary()
    return vocabulary


def _batch_tokens(vocabulary: _Vocabulary, joined: str) -> tuple[np.ndarray, np.ndarray]:
    """Vocabulary rows of the tokens of a batch, and each token's paragraph.

    ``joined`` is :func:`normalize_paragraphs` of the batch (paragraphs
    joined by :data:`~mtdetect.wordclass.PARAGRAPH_SEPARATOR`, which
    normalised text never holds), tokenised with one regex pass.
    """
    tokens = vocabulary.text_rows(joined)
    separator = tokens == vocabulary[PARAGRAPH_SEPARATOR]
    rows = np.cumsum(separator)
    keep = ~separator
    return tokens[keep], rows[keep]


def lexical_word_hashes(paragraphs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The string hash of each lexical word of a batch of paragraphs, and its paragraph,
    as :func:`compute_features` sees them (what the reference model's counts are made of).

    >>> hashes, rows = lexical_word_hashes(["Sales rose 8%.", "Yes"])
    >>> rows.tolist()
    [0, 0, 1]
    """
    vocabulary = _vocabulary()
    tokens, rows = _batch_tokens(vocabulary, normalize_paragraphs(paragraphs) if paragraphs else "")
    lexical = vocabulary.kind[tokens] == _LEXICAL_WORD
    return vocabulary.word_hash[tokens[lexical]], rows[lexical]


def _language_features(
    word_hashes: np.ndarray, checked: np.ndarray, rows: np.ndarray, n: int, tables: LexicalTables
) -> tuple[np.ndarray, np.ndarray]:
    """The :data:`LANGUAGE_FEATURES` columns from the hashes, checks and paragraphs of the lexical
    words, and for each word whether it counts as unknown (not English)."""
    buckets = word_buckets(word_hashes)
    known, zipf = tables.word_values(buckets)
    unknown = checked & ~known
    same = rows[:-1] == rows[1:]
    # every adjacent pair of the batch, those across paragraphs never seen (the reference model reads all)
    adjacent_seen, adjacent_count = tables.pair_values(pair_buckets(word_hashes[:-1], word_hashes[1:]))
    adjacent_seen &= same
    seen, log_count = adjacent_seen[same], adjacent_count[same]
    pair_rows = rows[:-1][same]

    def per_row(at: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(at, weights=weights, minlength=n).astype(np.float64)

    n_words, n_pairs = per_row(rows), per_row(pair_rows)
    safe_words, safe_pairs = np.maximum(n_words, 1), np.maximum(n_pairs, 1)
    columns = np.column_stack(
        [
            per_row(rows, zipf) / safe_words,
            np.log1p(per_row(rows, unknown)),  # an event per word: not diluted by length
            per_row(rows, known & (zipf < RARE_ZIPF)) / safe_words,
            per_row(pair_rows, log_count) / safe_pairs,
            np.where(n_pairs > 0, 1 - per_row(pair_rows, seen) / safe_pairs, 0),
            *_reference_columns(word_hashes, rows, buckets, np.where(known, zipf, UNKNOWN_ZIPF), checked,
                                adjacent_seen, adjacent_count, n, tables),
        ]
    ).astype(np.float32)
    return columns, unknown


def _reference_columns(
    word_hashes: np.ndarray, rows: np.ndarray, buckets: np.ndarray, zipf: np.ndarray, checked: np.ndarray,
    pair_seen: np.ndarray, pair_count: np.ndarray, n: int, tables: LexicalTables,
) -> list[np.ndarray]:
    """The reference model's columns of :data:`LANGUAGE_FEATURES` (``surprise`` to ``rare_unattested_rate``).

    Each word after the first of a paragraph gets a log-probability given the
    two words before it, with stupid backoff (Brants et al. 2007): the triple's
    count over its first pair's, else :data:`BACKOFF` plus the pair's count
    over its first word's, else twice :data:`BACKOFF` plus the word's own
    probability (from its Zipf frequency). Its SLOR is that minus the word's own
    log-probability: below zero where the context makes the word less likely
    than it is anywhere (broken English), above zero where it makes it more
    likely (fluent, formulaic English). Every step is an array operation.

    Only lower-case words are judged (``checked``: :func:`checks_as_english`):
    a name or a code is new to any reference text, and says nothing about the
    wording around it, so a paragraph's topic (its names) does not move these
    features; names still stand as context for the words after them.

    ``buckets`` are the words' table buckets; ``pair_seen`` and ``pair_count``
    say for every adjacent pair of the batch (pair ``j`` is words ``j`` and
    ``j + 1``) whether it was seen (never across paragraphs) and its log count.
    """
    length = len(word_hashes)
    word_seen, word_count = tables.count_values(buckets)
    alone = (zipf.astype(np.float64) - 9.0) * np.log(10.0)  # log P(word): Zipf is log10 per billion words
    # pair j is (word j, word j + 1); triple j is (word j, j + 1, j + 2)
    pair_same = rows[:-1] == rows[1:]
    if length > 2:
        triple_same = pair_same[:-1] & pair_same[1:]
        triple_seen, triple_count = tables.trigram_values(
            trigram_buckets(word_hashes[:-2], word_hashes[1:-1], word_hashes[2:]))
        triple_seen &= triple_same & pair_seen[:-1]
    else:
        triple_same = triple_seen = np.zeros(0, dtype=bool)
        triple_count = np.zeros(0, dtype=np.float32)
    # log P(word i | context) for every word i >= 1 of a paragraph (position i - 1 in these arrays)
    bigram = pair_seen & word_seen[:-1]
    logp = np.where(bigram, BACKOFF + pair_count - word_count[:-1], 2 * BACKOFF + alone[1:])
    if length > 2:
        tri_logp = triple_count.astype(np.float64) - pair_count[:-1]
        logp[1:] = np.where(triple_seen, tri_logp, logp[1:])
    scored = pair_same & checked[1:]
    slor = (logp - alone[1:])[scored]
    at = rows[1:][scored]

    def per_row(where: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(where, weights=weights, minlength=n).astype(np.float64)

    n_scored = np.maximum(per_row(at), 1)
    # unseen triples among those whose first pair was seen
    attested = triple_same & pair_seen[:-1] & checked[2:] if length > 2 else triple_same
    triple_rows = rows[2:][attested] if length > 2 else rows[:0]
    n_attested = per_row(triple_rows)
    unseen_triples = per_row(triple_rows, ~triple_seen[attested]) / np.maximum(n_attested, 1)
    # pairs of common words never seen together
    common = (zipf[:-1] >= COMMON_ZIPF) & (zipf[1:] >= COMMON_ZIPF) & pair_same & checked[:-1] & checked[1:]
    common_rows = rows[:-1][common]
    unseen_common = per_row(common_rows, ~pair_seen[common]) / np.maximum(per_row(common_rows), 1)
    # uncommon words seen with neither neighbour
    left = np.zeros(length, dtype=bool)
    right = np.zeros(length, dtype=bool)
    left[1:] = pair_seen
    right[:-1] = pair_seen
    has_neighbour = np.zeros(length, dtype=bool)
    has_neighbour[1:] |= pair_same
    has_neighbour[:-1] |= pair_same
    unattested = (zipf < COMMON_ZIPF) & has_neighbour & ~left & ~right & checked
    rare_unattested = per_row(rows, unattested) / np.maximum(per_row(rows, checked), 1)
    return [
        per_row(at, np.maximum(-slor, 0)) / n_scored,
        per_row(at, np.maximum(slor, 0)) / n_scored,
        unseen_triples,
        unseen_common,
        rare_unattested,
    ]


@dataclass(frozen=True)
class BatchDetail:
    """What explanations read of a batch, beside its features: the rules' findings, the
    unknown words and the word-class and word n-grams of each row, as the features counted them."""

    rules: RuleScan
    tokens: np.ndarray  # int64: the vocabulary row of each token of the batch
    rows: np.ndarray  # int64: the paragraph of each token
    texts: list[str]  # the vocabulary's tokens, by vocabulary row
    unknown: np.ndarray  # int64: positions (among the tokens) of the words counted as unknown
    grams: GramOccurrences  # word-class n-grams, with keys, starts and lengths
    lexical: np.ndarray  # int64: positions (among the tokens) of the lexical words, in order
    word_grams: GramOccurrences  # word n-grams (starts among the lexical words), with keys, starts and lengths

    def unknown_words(self, row: int) -> set[str]:
        """The words of row ``row`` that the ``unknown_words`` feature counted."""
        at = self.unknown[self.rows[self.unknown] == row]
        return {token_word(self.texts[i]) or "" for i in self.tokens[at].tolist()}

    def gram_name(self, occurrence: int) -> str:
        """An n-gram as its word classes joined by ``\\x01`` (as :func:`word_class_ngrams` names it)."""
        assert self.grams.starts is not None and self.grams.lengths is not None
        start = int(self.grams.starts[occurrence])
        tokens = self.tokens[start : start + int(self.grams.lengths[occurrence])].tolist()
        return "\x01".join(token_class(self.texts[i]) for i in tokens)

    def word_gram_name(self, occurrence: int) -> str:
        """A word n-gram as its lexical forms joined by ``\\x01`` (as :func:`word_ngrams` names it)."""
        assert self.word_grams.starts is not None and self.word_grams.lengths is not None
        start = int(self.word_grams.starts[occurrence])
        positions = self.lexical[start : start + int(self.word_grams.lengths[occurrence])]
        return "\x01".join(lexical_form(token_word(self.texts[i]) or "") for i in self.tokens[positions].tolist())


def compute_features(paragraphs: Sequence[str], tables: LexicalTables, *, detail: bool = False) -> FeatureBatch:
    """Compute every feature of a batch of paragraphs in one pass.

    Row ``i`` depends on ``paragraphs[i]`` only: a paragraph has the same
    features alone and in any batch. With ``detail``, the batch keeps what
    explanations read (:class:`BatchDetail`).
    """
    n = len(paragraphs)
    vocabulary = _vocabulary()
    tokens, rows = _batch_tokens(vocabulary, normalize_paragraphs(paragraphs) if n else "")
    lexical = vocabulary.kind[tokens] == _LEXICAL_WORD
    scan = scan_rules(paragraphs, _repeats(vocabulary, tokens, lexical, rows, n))
    artifact = np.log1p(scan.counts())
    words = tokens[lexical]
    word_rows = rows[lexical]
    language, unknown = _language_features(vocabulary.word_hash[words], vocabulary.checked[words], word_rows, n, tables)
    grams = gram_occurrences(vocabulary.class_hash[tokens], rows, detail=detail)
    word_grams = word_gram_occurrences(vocabulary.word_hash[words], word_rows, detail=detail)
    scale = (1.0 / np.sqrt(np.maximum(np.bincount(rows, minlength=n), 1))).astype(np.float32)
    dense = np.hstack([artifact, language]).astype(np.float32)
    foreign = not_english_rows(paragraphs, vocabulary.language[tokens], rows)
    kept = None
    if detail:
        positions = np.flatnonzero(lexical)
        kept = BatchDetail(scan, tokens, rows, vocabulary.texts, positions[unknown], grams, positions, word_grams)
    return FeatureBatch(
        dense,
        grams=HashedGrams(grams.rows, grams.columns, scale, WORD_CLASS_HASH_BITS),
        word_grams=HashedGrams(word_grams.rows, word_grams.columns, scale, WORD_HASH_BITS),
        detail=kept,
        not_english=foreign,
    )


def _repeats(vocabulary: _Vocabulary, tokens: np.ndarray, lexical: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """For each paragraph, whether a word of it (or its part before an apostrophe) repeats the
    word before it, or the one before ``the`` (lower-cased, possessives off): the paragraphs
    the rule part :data:`~mtdetect.rules.REPEATED_WORD` can fire in, as its matches are such
    tokens (``lexical``: which tokens are lexical words). (A repeat followed by a mark the
    typography folds into an apostrophe, ``the the`x``, is one word in the tokens: its part
    before the apostrophe counts.)"""
    hashes = np.where(lexical, vocabulary.word_hash[tokens], np.uint64(0))  # 0: not a word
    stems = np.where(lexical, vocabulary.stem_hash[tokens], np.uint64(0))
    repeats = np.zeros(n, dtype=bool)
    if len(tokens) > 1:
        twice = lexical[1:] & lexical[:-1] & (stems[1:] == hashes[:-1]) & (rows[1:] == rows[:-1])
        repeats[rows[1:][twice]] = True
    if len(tokens) > 2:
        across = (lexical[2:] & lexical[:-2] & (stems[2:] == hashes[:-2]) & (hashes[1:-1] == _THE_HASH)
                  & (rows[2:] == rows[:-2]))
        repeats[rows[2:][across]] = True
    return repeats


_THE_HASH = np.uint64(hashing.string_hash("the", memo=False))
"""The string hash of ``the`` as the vocabulary keeps lexical words (:func:`lexical_form`)."""


def not_english_rows(paragraphs: Sequence[str], evidence: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Whether each paragraph of a batch is confidently not English (:mod:`mtdetect.language`),
    from the language evidence of its tokens (``evidence``: one row per token, ``rows``: its
    paragraph): the check costs the batch no second tokenisation. A paragraph longer than the
    check's sample is checked on its sample alone.
    """
    n = len(paragraphs)
    counts = np.bincount(rows, minlength=n)
    summed = np.zeros((n, len(EVIDENCE)), dtype=np.int64)
    if len(rows):  # rows never decrease: each paragraph's tokens are one run, summed exactly in integers
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        present = counts > 0
        summed[present] = np.add.reduceat(evidence, starts[present], axis=0)
    for i in np.flatnonzero(np.fromiter(map(len, paragraphs), dtype=np.int64, count=n) > SAMPLE_CHARS).tolist():
        summed[i] = sample_evidence(paragraphs[i])
    return decide(summed)
