"""Build the lexical look-up tables the language features read.

Word frequencies come from the ``wordfreq`` package (English, Zipf scale);
word, word-pair and word-triple counts (the reference model of English) come
from plain human English: reference corpora no training row comes from, and
the human paragraphs of the training split.
All are hashed with the functions scoring uses, so the model ships them as
index/value arrays and needs no word list at run time.

Counts are fitted out of fold for training rows: a paragraph's own pairs and
triples must not make it look predictable to the model that learns from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from mtdetect.features import (
    LEXICAL_HASH_BITS,
    TRIGRAM_HASH_BITS,
    LexicalTables,
    lexical_word_buckets,
    lexical_word_hashes,
    pair_buckets,
    trigram_buckets,
    word_buckets,
)

MIN_WORD_ZIPF = 1.0
"""Words rarer than this (about one in a billion) count as unknown."""
MIN_PAIR_COUNT = 1
MIN_TRIPLE_COUNT = 2
"""Word triples seen once are left out of the table: they are most of the triples and say little."""


def word_frequency_table() -> tuple[np.ndarray, np.ndarray]:
    """Buckets and Zipf frequencies of English words from ``wordfreq``.

    Where two words share a bucket the commoner one wins.
    """
    import wordfreq

    freqs = wordfreq.get_frequency_dict("en")
    words = [w for w, f in freqs.items() if np.log10(f) + 9 >= MIN_WORD_ZIPF]
    zipf = np.array([np.log10(freqs[w]) + 9 for w in words], dtype=np.float32)
    buckets = lexical_word_buckets(words)
    order = np.argsort(-zipf, kind="stable")
    unique_buckets, first = np.unique(buckets[order], return_index=True)
    return unique_buckets, zipf[order][first]


@dataclass(frozen=True)
class NgramCounts:
    """Counts of words, adjacent word pairs and word triples of some text, by hashed bucket.

    Buckets are those scoring looks up (:func:`mtdetect.features.word_buckets`,
    :func:`~mtdetect.features.pair_buckets`, :func:`~mtdetect.features.trigram_buckets`),
    so counts of several texts add and subtract as arrays: out-of-fold tables
    take one fold's counts away from the total without counting again.
    """

    words: np.ndarray
    pairs: np.ndarray
    triples: np.ndarray

    def __add__(self, other: NgramCounts) -> NgramCounts:
        return NgramCounts(self.words + other.words, self.pairs + other.pairs, self.triples + other.triples)

    def __sub__(self, other: NgramCounts) -> NgramCounts:
        return NgramCounts(self.words - other.words, self.pairs - other.pairs, self.triples - other.triples)

    @staticmethod
    def total(parts: Sequence[NgramCounts]) -> NgramCounts:
        """The sum of several counts."""
        out = parts[0]
        for part in parts[1:]:
            out = out + part
        return out


def ngram_counts(paragraphs: Iterable[str], batch: int = 2048) -> NgramCounts:
    """Word, pair and triple counts of paragraphs (tokenised as scoring tokenises them; n-grams
    never cross paragraphs)."""
    words = np.zeros(1 << LEXICAL_HASH_BITS, dtype=np.int32)
    pairs = np.zeros(1 << LEXICAL_HASH_BITS, dtype=np.int32)
    triples = np.zeros(1 << TRIGRAM_HASH_BITS, dtype=np.int32)
    texts = list(paragraphs)
    for start in range(0, len(texts), batch):
        hashes, rows = lexical_word_hashes(texts[start : start + batch])
        words += np.bincount(word_buckets(hashes), minlength=len(words)).astype(np.int32)
        same = rows[:-1] == rows[1:]
        pairs += np.bincount(pair_buckets(hashes[:-1][same], hashes[1:][same]), minlength=len(pairs)).astype(np.int32)
        both = same[:-1] & same[1:]
        buckets = trigram_buckets(hashes[:-2][both], hashes[1:-1][both], hashes[2:][both])
        triples += np.bincount(buckets, minlength=len(triples)).astype(np.int32)
    return NgramCounts(words, pairs, triples)


def _log_table(counts: np.ndarray, minimum: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The buckets counted at least ``minimum`` times and log(1 + count) of each."""
    index = np.flatnonzero(counts >= minimum)
    return index, np.log1p(counts[index]).astype(np.float32)


def build_tables(words: tuple[np.ndarray, np.ndarray], counts: NgramCounts) -> LexicalTables:
    """Tables from a word-frequency table and n-gram counts (triples seen only once left out)."""
    pair_index, pair_values = _log_table(counts.pairs, MIN_PAIR_COUNT)
    count_index, count_values = _log_table(counts.words)
    triple_index, triple_values = _log_table(counts.triples, MIN_TRIPLE_COUNT)
    return LexicalTables(words[0], words[1], pair_index, pair_values, count_index, count_values,
                         triple_index, triple_values)
