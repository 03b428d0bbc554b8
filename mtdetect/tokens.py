"""The tokens of normalised text found with array operations: the same tokens as the regex, faster.

The features tokenise a batch's normalised text (one line per paragraph,
single spaces, typography folded) with :data:`~mtdetect.wordclass.TOKEN`.
``TOKEN.findall`` costs a regex step and a new string per token; on a batch
whose vocabulary is already known, :func:`token_spans` finds the same tokens
as (start, end) offsets with numpy, one pass of array operations over the
code points, and :class:`SpanIndex` turns each span into a vocabulary row by a
hash of its code points, so no string is made for a token seen before.

How TOKEN splits normalised text, and how the arrays follow it:

- a **word** is a run of word characters (``\\w``: ``str.isalnum`` or ``_``),
  apostrophes between two of them included (``don't``, ``rock'n'roll``);
- a **clitic** is an apostrophe that does not follow a word character, then
  ``s``, ``re``, ``ve``, ``ll``, ``d``, ``m`` or ``t`` (any case) ending a run
  of word characters (``Putin 's``, ``they 're``); another such apostrophe is
  punctuation and the run after it a word (``'twas``);
- **punctuation** is any other character but a space, one token each, with
  the space after it if there is one;
- a word or clitic takes the space before it, unless punctuation took it;
- ``\\n`` (between the paragraphs of a batch) is a token of its own.

Text outside these cases (white space other than single spaces and ``\\n``;
an apostrophe right after a clitic, as in ``'s'd``) makes :func:`token_spans`
return None, and the caller uses the regex: the tokens are TOKEN's either way
(``tests/test_tokens.py`` checks them against the regex).
"""

from __future__ import annotations

import re

import numpy as np

from . import hashing

__all__ = ["SpanIndex", "code_points", "span_keys", "token_spans"]

_CLITIC = re.compile(r"'(?i:s|re|ve|ll|d|m|t)")
"""TOKEN's clitic branch without its leading space and final boundary (checked on runs that end there)."""
_UNSEEN, _WORD, _SPACE, _NEWLINE, _OTHER, _OTHER_SPACE = 0, 1, 2, 3, 4, 5
"""Classes of a code point (:class:`_Classes`): not classified yet, a word character, a space, a
newline, anything else, and white space normalised text never holds (:func:`token_spans` refuses it)."""
_APOSTROPHE_CODE = 39


class _Classes:
    """The class of every code point seen so far (0 for those not yet seen): computed once per
    code point with the same string methods the regex engine uses, then read as an array."""

    def __init__(self) -> None:
        self.table = np.zeros(0x110000, dtype=np.uint8)
        self._fill(np.arange(128, dtype=np.uint32))

    def _fill(self, codes: np.ndarray) -> None:
        for code in codes.tolist():
            char = chr(code)
            if char.isalnum() or char == "_":
                self.table[code] = _WORD
            elif char == " ":
                self.table[code] = _SPACE
            elif char == "\n":
                self.table[code] = _NEWLINE
            else:
                self.table[code] = _OTHER_SPACE if char.isspace() else _OTHER

    def of(self, codes: np.ndarray) -> np.ndarray:
        classes = self.table[codes]
        unseen = classes == _UNSEEN
        if unseen.any():
            self._fill(np.unique(codes[unseen]))
            classes = self.table[codes]
        return classes


_CLASSES = _Classes()


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as a uint32 array (lone surrogates as themselves)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def token_spans(text: str, codes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """The (start, end) offsets of ``TOKEN.findall(text)``'s tokens, in order, as int64 arrays;
    None for text this does not cover (see the module docstring: the caller uses the regex).

    >>> text = "They do n't know, Putin 's\\nYes"
    >>> starts, ends = token_spans(text)
    >>> [text[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
    ['They', ' do', " n't", ' know', ', ', 'Putin', " 's", '\\n', 'Yes']
    """
    codes = code_points(text) if codes is None else codes
    n = len(codes)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    classes = _CLASSES.of(codes)
    if (classes == _OTHER_SPACE).any() or "  " in text:  # white space normalised text never holds
        return None
    word = classes == _WORD
    before = np.zeros(n, dtype=bool)  # a word character just before
    before[1:] = word[:-1]
    after = np.zeros(n, dtype=bool)  # a word character just after
    after[:-1] = word[1:]
    apostrophe = codes == _APOSTROPHE_CODE
    inner = apostrophe & before & after
    clitic = _clitics(text, word, apostrophe & ~before & after)
    if clitic is None:
        return None
    joined = word | inner  # word characters and the apostrophes inside words
    joined_before = np.zeros(n, dtype=bool)
    joined_before[1:] = joined[:-1]
    joined_after = np.zeros(n, dtype=bool)
    joined_after[:-1] = joined[1:]
    word_starts = joined & ~joined_before
    word_starts[clitic + 1] = False  # a clitic's letters start at its apostrophe
    word_starts[clitic] = True
    punctuation = (classes == _OTHER) & ~inner
    punctuation[clitic] = False
    newline = classes == _NEWLINE
    starts = np.flatnonzero(word_starts | punctuation | newline)
    ends = starts + 1
    is_word = word_starts[starts]
    word_ends = np.flatnonzero(joined & ~joined_after) + 1
    ends[is_word] = word_ends
    space = classes == _SPACE
    trailing = np.zeros(len(starts), dtype=bool)
    inside = starts + 1 < n
    trailing[inside] = space[starts[inside] + 1]
    trailing &= punctuation[starts]  # punctuation takes the space after it
    leading = np.zeros(len(starts), dtype=bool)
    leading[starts > 0] = space[starts[starts > 0] - 1]
    leading[1:] &= ~trailing[:-1]  # punctuation took the space before this token
    leading &= ~newline[starts]  # a newline never takes a space
    return starts - leading, ends + trailing


def _clitics(text: str, word: np.ndarray, candidates: np.ndarray) -> np.ndarray | None:
    """Positions of the apostrophes that start a clitic token, among ``candidates`` (apostrophes
    after no word character, before one); None when an apostrophe follows a clitic's letters
    (``'s'd``: the regex reads it as another clitic, which this does not follow)."""
    positions = np.flatnonzero(candidates)
    if len(positions) == 0:
        return positions
    run_ends = np.flatnonzero(word & ~np.append(word[1:], False)) + 1  # end of each run of word characters
    ends = run_ends[np.searchsorted(run_ends, positions + 1, "right")]
    kept = []
    for start, end in zip(positions.tolist(), ends.tolist()):
        if _CLITIC.fullmatch(text, start, end):
            if text.startswith("'", end) and end + 1 < len(text) and word[end + 1]:
                return None  # "'s'd": the regex reads a second clitic, which these arrays do not follow
            kept.append(start)
    return np.array(kept, dtype=np.int64)


_SPAN_SALT = 0x6A09E667F3BCC908
"""Starts the hash of a token's code points (a family of its own)."""
_BASE = np.uint64(0x9E3779B97F4A7C15 | 1)
"""The odd multiplier of the code-point hash (invertible modulo 2**64)."""
_INVERSE = np.uint64(pow(int(_BASE), -1, 1 << 64))


class _Powers:
    """``_BASE ** k`` and ``_INVERSE ** k`` for k up to the longest stretch hashed so far."""

    def __init__(self) -> None:
        self.up = np.ones(1, dtype=np.uint64)
        self.down = np.ones(1, dtype=np.uint64)

    def upto(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.up) <= n:
            size = n + 1 + _KEY_STRETCH  # grown rarely, and never far past what is asked
            self.up, self.down = _power_table(_BASE, size), _power_table(_INVERSE, size)
        return self.up, self.down


def _power_table(base: np.uint64, size: int) -> np.ndarray:
    """``base ** k`` modulo 2**64 for k in range(size)."""
    table = np.full(size, base, dtype=np.uint64)
    table[0] = 1
    return np.cumprod(table, dtype=np.uint64)


_POWERS = _Powers()
_KEY_STRETCH = 1 << 14
"""Tokens are hashed a stretch of about this many code points at a time: the prefix sums and the
power tables stay small however long the text."""


def span_keys(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit key of each span of the code points ``codes`` (equal spans, equal keys; different
    ones differ but with odds of about 2**-64): a polynomial hash from prefix sums, mixed with
    its length. ``starts`` must not decrease (tokens in text order)."""
    polynomial = np.empty(len(starts), dtype=np.uint64)
    first = 0
    while first < len(starts):
        base = int(starts[first])
        last = max(int(np.searchsorted(starts, base + _KEY_STRETCH, "left")), first + 1)
        top = int(ends[first:last].max())
        up, down = _POWERS.upto(top - base)
        prefix = np.zeros(top - base + 1, dtype=np.uint64)
        prefix[1:] = codes[base:top]
        with np.errstate(over="ignore"):
            prefix[1:] *= up[: top - base]
            np.cumsum(prefix, out=prefix)
            local_starts, local_ends = starts[first:last] - base, ends[first:last] - base
            polynomial[first:last] = (prefix[local_ends] - prefix[local_starts]) * down[local_starts]
        first = last
    return hashing.extend(hashing.start(polynomial, _SPAN_SALT), (ends - starts).astype(np.uint64))


class SpanIndex:
    """Span keys (:func:`span_keys`) -> vocabulary rows, as an open-addressing table in arrays: a
    batch's tokens find their rows with a few array operations; new ones are added one by one.
    The table doubles when three quarters full, so its memory follows the vocabulary's size."""

    FIRST_BITS = 12
    """A new table has 2**12 slots."""
    MOST_BITS = 20
    """It grows to 2**20 slots at most: twice the most keys a vocabulary holds before it starts afresh."""

    def __init__(self) -> None:
        self._allocate(self.FIRST_BITS)

    def _allocate(self, bits: int) -> None:
        self.bits = bits
        self.keys = np.zeros(1 << bits, dtype=np.uint64)
        self.rows = np.full(1 << bits, -1, dtype=np.int32)
        self.size = 0

    @property
    def full(self) -> bool:
        """Whether the table holds three quarters of its largest size (the caller starts a new one)."""
        return self.size >= 3 << (self.MOST_BITS - 2)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The row of each key, -1 where it is not in the table."""
        mask = (1 << self.bits) - 1
        slots = (keys & np.uint64(mask)).astype(np.int64)  # the keys are mixed hashes: their low bits are uniform
        found = np.full(len(keys), -1, dtype=np.int64)
        pending = np.arange(len(keys))
        while len(pending):
            at = slots[pending]
            rows = self.rows[at]
            hit = (rows >= 0) & (self.keys[at] == keys[pending])
            found[pending[hit]] = rows[hit]
            pending = pending[(rows >= 0) & ~hit]  # an occupied slot of another key: probe the next
            slots[pending] = (slots[pending] + 1) & mask
        return found

    def add(self, key: int, row: int) -> None:
        """Put ``key`` -> ``row`` in the table (the key is not in it yet)."""
        if self.size + 1 > 3 << (self.bits - 2) and self.bits < self.MOST_BITS:
            occupied = self.rows >= 0
            keys, rows = self.keys[occupied].tolist(), self.rows[occupied].tolist()
            self._allocate(self.bits + 1)
            for old_key, old_row in zip(keys, rows):
                self._put(old_key, old_row)
        self._put(key, row)

    def _put(self, key: int, row: int) -> None:
        mask = (1 << self.bits) - 1
        slot = key & mask
        while self.rows[slot] >= 0:
            slot = (slot + 1) & mask
        self.keys[slot] = key
        self.rows[slot] = row
        self.size += 1
