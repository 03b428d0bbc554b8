"""Build the lexical look-up tables the language features read.

Word frequencies come from the ``wordfreq`` package (English, Zipf scale);
word-pair counts come from clean English paragraphs of the training split.
Both are hashed with :func:`mtdetect.features.lexical_word_buckets` and
:func:`mtdetect.features.lexical_pair_buckets` (the functions scoring uses), so
the model ships them as two small index/value arrays and needs no word list at
run time.

Pair counts are fitted out of fold for training rows: a paragraph's own pairs
must not make it look predictable to the model that learns from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from mtdetect.features import (
    LexicalTables,
    lexical_pair_buckets,
    lexical_word_buckets,
    lexical_words,
    normalize_paragraph,
    word_pairs,
)

MIN_WORD_ZIPF = 1.0
"""Words rarer than this (about one in a billion) count as unknown."""
MIN_PAIR_COUNT = 1


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


def pair_counts(paragraphs: Iterable[str]) -> Counter[tuple[str, str]]:
    """Counts of adjacent lower-cased word pairs."""
    counts: Counter[tuple[str, str]] = Counter()
    for text in paragraphs:
        counts.update(word_pairs(lexical_words(normalize_paragraph(text))))
    return counts


def pair_table(counts: Counter[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Buckets and log(1 + count) of pairs seen at least ``MIN_PAIR_COUNT`` times."""
    pairs = [p for p, c in counts.items() if c >= MIN_PAIR_COUNT]
    values = np.log1p(np.array([counts[p] for p in pairs], dtype=np.float32))
    buckets = lexical_pair_buckets(pairs)
    unique_buckets, inverse = np.unique(buckets, return_inverse=True)
    summed = np.zeros(len(unique_buckets), dtype=np.float32)
    np.maximum.at(summed, inverse, values)
    return unique_buckets, summed


def build_tables(words: tuple[np.ndarray, np.ndarray], counts: Counter[tuple[str, str]]) -> LexicalTables:
    """Tables from a word-frequency table and pair counts."""
    pair_index, pair_values = pair_table(counts)
    return LexicalTables(words[0], words[1], pair_index, pair_values)
