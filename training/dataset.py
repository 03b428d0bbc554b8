"""Training rows from pairs: labels, groups and the document-level split.

Both sides of every pair become rows (original = 0, garbled = 1), so topic
words appear on both sides and cancel out. Rows are grouped by source
document; whole documents go to one split, so no paragraph of a test document
is ever seen in training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

Split = Literal["train", "calibration", "test"]

SPLIT_FRACTIONS: dict[Split, float] = {"train": 0.70, "calibration": 0.15, "test": 0.15}
"""Share of documents in each split (by a stable hash of the document id)."""
PAIR_FOLDS = 5
"""Folds for out-of-fold word-pair counts on training rows."""


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled paragraph."""

    text: str
    label: int  # 1 garbled, 0 clean
    source: str  # corpus: gum, sotu, seed, user file...
    kind: str  # how it was made: original, roundtrip:spa, garble:..., typography, seed...
    group: str  # the document it comes from (split and folds are by group)

    @property
    def split(self) -> Split:
        return split_of(self.group)


def _unit_hash(key: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(group: str) -> Split:
    """The split a document belongs to, stable across runs and machines.

    >>> split_of("gum:GUM_news_iodine") in ("train", "calibration", "test")
    True
    """
    u = _unit_hash(group, salt="split")
    if u < SPLIT_FRACTIONS["train"]:
        return "train"
    if u < SPLIT_FRACTIONS["train"] + SPLIT_FRACTIONS["calibration"]:
        return "calibration"
    return "test"


def fold_of(group: str) -> int:
    """The out-of-fold pair-count fold of a training document (0..PAIR_FOLDS-1)."""
    return int(_unit_hash(group, salt="fold") * PAIR_FOLDS)


def pair_group(pair: dict) -> str:
    """The document a pair belongs to: ``source:doc`` (or its own id)."""
    doc = pair.get("group") or pair.get("doc") or pair.get("id") or pair["original"][:80]
    return f"{pair.get('source', 'pairs')}:{doc}"


CLEAN_KINDS = ("typography", "republished")
"""Pair kinds whose BOTH sides are clean text (variants that must not be flagged)."""


def rows_from_pairs(pairs: Iterable[dict]) -> Iterator[Row]:
    """Both sides of each pair as rows; duplicates (same text, label, group) dropped."""
    seen: set[tuple[str, int, str]] = set()
    for pair in pairs:
        group = pair_group(pair)
        kind = pair.get("kind", "pair")
        source = pair.get("source", "pairs")
        garbled_label = 0 if kind in CLEAN_KINDS else 1
        for text, label, row_kind in (
            (pair["original"], 0, "original"),
            (pair["garbled"], garbled_label, kind),
        ):
            key = (text, label, group)
            if text.strip() and key not in seen:
                seen.add(key)
                yield Row(text, label, source, row_kind, group)
