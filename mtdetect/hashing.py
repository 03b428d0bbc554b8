"""Stable hashing of strings and of sequences of strings into feature buckets.

Every hashed feature (word-class n-grams, word and word-pair look-ups) goes
through this module, at scoring and at training time alike, so a model and
its tables always agree on the buckets.

* A string is hashed once with BLAKE2b (64-bit digest of its UTF-8 bytes):
  the same value in every process and on every machine (Python's built-in
  ``hash()`` is randomised per process and must never be used here).
* Sequences are hashed in numpy on uint64 arrays with the SplitMix64
  finaliser :func:`mix` (xor-shift, multiply, xor-shift, multiply,
  xor-shift; arithmetic modulo 2**64). A family of features starts a hash
  with its own salt, ``mix(h ^ salt)``, and each further element is folded in
  with ``mix(prefix + h)``, so order matters and families do not share hashes.
* A bucket is the low ``bits`` bits of the mixed value.

>>> string_hash("economy") == string_hash("economy") != string_hash("Economy")
True
>>> string_hash("")
13020603013274838756
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable

import numpy as np

_MIX_SHIFT_1, _MIX_SHIFT_2, _MIX_SHIFT_3 = np.uint64(30), np.uint64(27), np.uint64(31)
_MIX_MULTIPLY_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_MULTIPLY_2 = np.uint64(0x94D049BB133111EB)

CACHE_SIZE = 200_000
"""Strings whose hash is remembered (the vocabulary of word classes repeats); least recently used go first."""


def string_hash(text: str, memo: bool = True) -> int:
    """The stable 64-bit hash of a string (BLAKE2b of its UTF-8 bytes).

    Memoised (thread-safe) unless ``memo`` is false (for strings the caller keeps itself).
    Lone surrogates are hashed as their surrogate-escaped bytes, so any ``str`` works.

    >>> string_hash("the") == string_hash("the", memo=False) < 2**64
    True
    """
    return _memo_hash(text) if memo else _hash(text)


def _hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


_memo_hash = functools.lru_cache(maxsize=CACHE_SIZE)(_hash)


def string_hashes(texts: Iterable[str]) -> np.ndarray:
    """:func:`string_hash` of each string, as a uint64 array.

    >>> string_hashes(["a", "b"]).dtype
    dtype('uint64')
    """
    return np.fromiter(map(string_hash, texts), dtype=np.uint64)


def mix(values: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser of each uint64 value: every input bit moves every output bit.

    >>> int(mix(np.array([1], dtype=np.uint64))[0])
    6238072747940578789
    """
    x = np.asarray(values, dtype=np.uint64)
    x = (x ^ (x >> _MIX_SHIFT_1)) * _MIX_MULTIPLY_1
    x = (x ^ (x >> _MIX_SHIFT_2)) * _MIX_MULTIPLY_2
    return x ^ (x >> _MIX_SHIFT_3)


def start(hashes: np.ndarray, salt: int) -> np.ndarray:
    """The hash of one-element sequences of a family: ``mix(h ^ salt)``."""
    return mix(np.asarray(hashes, dtype=np.uint64) ^ np.uint64(salt))


def extend(prefix: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """The hash of a sequence one element longer: ``mix(prefix + h)`` (modulo 2**64)."""
    return mix(np.asarray(prefix, dtype=np.uint64) + np.asarray(hashes, dtype=np.uint64))


def buckets(values: np.ndarray, bits: int) -> np.ndarray:
    """The low ``bits`` bits of each mixed hash, as int64 bucket numbers.

    >>> buckets(np.array([0xFFFF], dtype=np.uint64), 4).tolist()
    [15]
    """
    return (np.asarray(values, dtype=np.uint64) & np.uint64((1 << bits) - 1)).astype(np.int64)
