"""Training rows from pairs and labelled paragraphs: labels, groups and the document-level split.

Both sides of every pair become rows (original = 0, garbled = 1), so topic
words appear on both sides and cancel out. Real machine translation comes as
labelled windows (``text``, ``label``) whose human and machine versions share
their document, so the same holds there. Rows are grouped by source
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
OWN_TEST_SPLIT = ("htvsmt", "flores")
"""Sources whose data comes with a held-out ``dev`` split of its own (never read by
training): their documents go to train or calibration only, none to test."""
PAIR_FOLDS = 5
"""Folds for out-of-fold word-pair counts on training rows."""


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled paragraph."""

    text: str
    label: int  # 1 garbled, 0 clean
    source: str  # corpus: gum, sotu, seed, user file...
    kind: str  # how it was made: original, roundtrip:spa, garble:..., typography, seed, mt:deepl-2021...
    group: str  # the document it comes from (split and folds are by group)
    genre: str = ""  # register of a human paragraph (news, web:reviews...): the threshold holds per genre
    assigned_split: str = ""  # the split, when set for its document in advance (:func:`with_ranked_splits`)

    @property
    def split(self) -> Split:
        return self.assigned_split or split_of(self.group)  # type: ignore[return-value]


def _unit_hash(key: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(group: str) -> Split:
    """The split a document belongs to, stable across runs and machines.

    >>> split_of("gum:GUM_news_iodine") in ("train", "calibration", "test")
    True
    >>> any(split_of(f"htvsmt:doc{i}") == "test" for i in range(100))
    False
    """
    u = _unit_hash(group, salt="split")
    if u < SPLIT_FRACTIONS["train"]:
        return "train"
    if u < SPLIT_FRACTIONS["train"] + SPLIT_FRACTIONS["calibration"]:
        return "calibration"
    return "train" if group.split(":", 1)[0] in OWN_TEST_SPLIT else "test"


ASSIGNED_SPLIT = "assigned_split"
"""Record field holding a split set in advance (:func:`with_ranked_splits`)."""


def ranked_splits(groups: Iterable[str]) -> dict[str, Split]:
    """The split of each of a few documents: in the order of the stable hash :func:`split_of`
    uses, the first 70% go to train, the next 15% to calibration and the rest to test, so
    every split gets its share (the hash's own cut points can leave a split of 20 documents empty).

    >>> from collections import Counter
    >>> sorted(Counter(ranked_splits(f"d{i}" for i in range(20)).values()).items())
    [('calibration', 3), ('test', 3), ('train', 14)]
    """
    ordered = sorted(set(groups), key=lambda group: _unit_hash(group, salt="split"))
    train_end = round(len(ordered) * SPLIT_FRACTIONS["train"])
    calibration_end = round(len(ordered) * (SPLIT_FRACTIONS["train"] + SPLIT_FRACTIONS["calibration"]))
    return {
        group: "train" if i < train_end else "calibration" if i < calibration_end else "test"
        for i, group in enumerate(ordered)
    }


def with_ranked_splits(records: list[dict]) -> list[dict]:
    """The records with their documents' :func:`ranked_splits` (for a user's pairs trained on alone)."""
    splits = ranked_splits(pair_group(r) for r in records)
    return [{**r, ASSIGNED_SPLIT: splits[pair_group(r)]} for r in records]


def fold_of(group: str) -> int:
    """The out-of-fold pair-count fold of a training document (0..PAIR_FOLDS-1)."""
    return int(_unit_hash(group, salt="fold") * PAIR_FOLDS)


def pair_group(pair: dict) -> str:
    """The document a pair belongs to: ``source:doc`` (or its own id)."""
    doc = pair.get("group") or pair.get("doc") or pair.get("id") or pair.get("original", pair.get("text", ""))[:80]
    return f"{pair.get('source', 'pairs')}:{doc}"


CLEAN_KINDS = ("typography", "republished")
"""Pair kinds whose BOTH sides are clean text (variants that must not be flagged)."""


def rows_from_pairs(records: Iterable[dict]) -> Iterator[Row]:
    """Both sides of each pair, and each labelled paragraph, as rows.

    A record is a pair (``original``, ``garbled``) or one labelled paragraph
    (``text``, ``label`` 0 or 1). Duplicates (same text, label, group) are dropped.

    >>> [(r.label, r.kind, r.genre) for r in rows_from_pairs([
    ...     {"original": "A b.", "garbled": "A, b.", "kind": "garble:x", "source": "s", "doc": "d"},
    ...     {"text": "A b.", "label": 0, "kind": "human", "source": "s", "doc": "d", "genre": "news"}])]
    [(0, 'original', ''), (1, 'garble:x', '')]
    """
    seen: set[tuple[str, int, str]] = set()
    for record in records:
        group = pair_group(record)
        kind = record.get("kind", "pair")
        source = record.get("source", "pairs")
        genre = record.get("genre", "")
        assigned = record.get(ASSIGNED_SPLIT, "")
        if "text" in record:
            sides = [(record["text"], int(record["label"]), kind)]
        else:
            garbled_label = 0 if kind in CLEAN_KINDS else 1
            sides = [(record["original"], 0, "original"), (record["garbled"], garbled_label, kind)]
        for text, label, row_kind in sides:
            key = (text, label, group)
            if text.strip() and key not in seen:
                seen.add(key)
                yield Row(text, label, source, row_kind, group, genre if label == 0 else "", assigned)
