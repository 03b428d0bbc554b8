"""Document alignment: an original text and its garbled repost, cut into aligned pairs.

A garbled repost keeps the paragraphs of its source in order, but the two pages
rarely line up one to one: the original carries page chrome (menus, captions,
newsletter blurbs), the repost drops a paragraph here, glues two together there,
or adds a reader comment at the end. This module finds the matching paragraphs
(and, inside a matched pair, the matching sentences) the way sentence aligners
such as Gale-Church or Bleualign do, by dynamic programming over a monotone path:

- every paragraph becomes a set of *content keys*: lower-cased content words cut
  to a short prefix (so ``testing``/``test`` and ``limits``/``limitless`` meet),
  plus numbers, which survive translation untouched;
- two blocks are as similar as their keys, weighted by rarity (idf) and compared
  with the Dice coefficient;
- the path may pair 1-1, 1-2 and 2-1 blocks (up to 1-3 and 3-1 for sentences,
  which garbling splits at stray full stops) and may leave a block on either
  side unpaired (for free between paragraphs, at a small cost between sentences);
- it maximises the sum of ``score - min_score`` over the pairs it takes, so it
  only takes pairs that score at least ``min_score``.

The whole similarity table is computed with sparse matrix products and the
path row by row with numpy, so documents of a few hundred paragraphs align in
milliseconds.

>>> original = "Menu\\n\\nThe minister visited Paris on May 5.\\n\\nSales rose 8 percent in 2023."
>>> garbled = "The minister visit Paris in 5 May.\\n\\nSales waxed by 8% in 2023."
>>> for pair in align_paragraphs(original, garbled):
...     print(pair.original, "|", pair.garbled)
The minister visited Paris on May 5. | The minister visit Paris in 5 May.
Sales rose 8 percent in 2023. | Sales waxed by 8% in 2023.
"""

from __future__ import annotations

import difflib
import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mtdetect.segment import Segment, split_paragraphs, split_sentences
from mtdetect.typography import normalize_typography

__all__ = [
    "AlignedPair",
    "align_paragraphs",
    "align_segments",
    "align_sentences",
    "content_keys",
    "coverage",
    "format_side_by_side",
    "mark_differences",
]

PARAGRAPH_MIN_SCORE = 0.3
"""Default threshold for paragraph pairs (weighted Dice of their content keys)."""

SENTENCE_MIN_SCORE = 0.2
"""Default threshold for sentence pairs: short sentences share fewer keys."""

MERGE_PENALTY = 0.02
"""Taken off the score of a merged (1-2, 2-1, ...) pair, per extra block, inside the
path search only: a merge must beat the 1-1 pair plus a skip, not just tie with it."""

PARAGRAPH_SKIP_COST = 0.0
"""What leaving a paragraph unpaired costs: nothing, pages are full of chrome."""

SENTENCE_SKIP_COST = 0.05
"""What leaving a sentence of a paired paragraph unpaired costs. More than a merge, so
a stray fragment that shares no words (``in May.`` cut off by a stray full stop)
joins its neighbour's pair; less than the drop in score that merging a sentence
with words of its own brings, so a sentence that was really added stays out."""

PREFIX_LENGTH = 5
"""Content words are cut to this many letters after a light suffix strip."""

MIN_WORD_LENGTH = 3
"""Shorter words (after lower-casing) carry no content: "of", "US", "Mr"."""

STOPWORDS: frozenset[str] = frozenset(
    """
    the and for that this these those with from into onto upon about above below
    over under after before during since until while than then when where which
    who whom whose what why how all any both each either neither few more most
    much many other another some such only own same not nor but yet also very
    too can could will would shall should might must has have had having
    was were are been being does did doing done its their theirs them they
    his her hers him she our ours ourselves you your yours itself himself
    herself themselves there here just even still already again further once
    because although though whereas whether per via out off down toward towards
    among between within without across along around behind beyond near despite
    said says say told tell one two three new
    """.split()
)
"""Function words (and a few reporting words every news paragraph has) left out of the keys.
"may" is missing on purpose: as a month it anchors dates."""

_KEY_TOKEN = re.compile(
    r"""
      (?P<number> \d+ (?: [.,]\d+ )* )   # 2022, 1,000, 3.5: numbers survive translation
    | (?P<word> [^\W\d_]+ )              # a run of letters: Putin, sanctions, über
    """,
    re.VERBOSE,
)

_SUFFIX = re.compile(
    r"""
    (?: ing      # testing -> test
      | ed       # visited -> visit
      | s        # limits -> limit (countries -> countrie, cut to count like country)
    ) $
    """,
    re.VERBOSE,
)

# Bead shapes (original blocks, garbled blocks) a pair may take.
PARAGRAPH_BEADS: tuple[tuple[int, int], ...] = ((1, 1), (2, 1), (1, 2))
SENTENCE_BEADS: tuple[tuple[int, int], ...] = ((1, 1), (2, 1), (1, 2), (3, 1), (1, 3), (2, 2))

_SKIP_ORIGINAL = -1
_SKIP_GARBLED = -2


@dataclass(frozen=True)
class AlignedPair:
    """One aligned pair: a block of the original and the block of the garbled text it became.

    Spans are character offsets into the documents given to the aligner, so
    ``original_text[slice(*pair.original_span)] == pair.original``. ``score`` is the
    weighted Dice similarity of the two blocks' content keys (0..1).
    """

    original: str
    garbled: str
    original_span: tuple[int, int]
    garbled_span: tuple[int, int]
    score: float


def content_keys(text: str) -> list[str]:
    """The keys a block is compared on: numbers, and prefixes of lower-cased content words.

    >>> content_keys("Testing a 'No Limits' partnership of 26% in 2023")
    ['test', 'limit', 'partn', '26', '2023']
    """
    keys: list[str] = []
    for match in _KEY_TOKEN.finditer(text):
        number = match.group("number")
        if number is not None:
            keys.append(re.sub(r"\D", "", number))
            continue
        word = match.group("word").lower()
        if len(word) < MIN_WORD_LENGTH or word in STOPWORDS:
            continue
        stem = _SUFFIX.sub("", word) if len(word) > MIN_WORD_LENGTH + 1 else word
        keys.append(stem[:PREFIX_LENGTH])
    return keys


def _key_matrix(texts: Sequence[str], vocabulary: dict[str, int]) -> sp.csr_matrix:
    """A binary (texts x vocabulary) matrix: which keys each text holds (vocabulary grows)."""
    rows: list[int] = []
    cols: list[int] = []
    for row, text in enumerate(texts):
        for key in set(content_keys(text)):
            rows.append(row)
            cols.append(vocabulary.setdefault(key, len(vocabulary)))
    data = np.ones(len(rows), dtype=np.float64)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(texts), max(len(vocabulary), 1)))


def _merged_rows(matrix: sp.csr_matrix, size: int) -> sp.csr_matrix:
    """Row k holds the union of rows k .. k+size-1 (the keys of ``size`` consecutive blocks)."""
    count = matrix.shape[0] - size + 1
    if count <= 0:
        return sp.csr_matrix((0, matrix.shape[1]))
    merged = matrix[:count].copy()
    for shift in range(1, size):
        merged = merged + matrix[shift : shift + count]
    merged = merged.tocsr()
    merged.data[:] = 1.0
    return merged


def _similarity_tables(
    original: Sequence[str], garbled: Sequence[str], beads: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], np.ndarray]:
    """Weighted Dice similarity of every candidate pair, one table per bead shape.

    ``tables[(a, b)][i, j]`` compares original blocks ``i .. i+a-1`` with garbled
    blocks ``j .. j+b-1``. Keys are weighted by idf over the blocks of both sides.
    """
    vocabulary: dict[str, int] = {}
    left = _key_matrix(original, vocabulary)
    right = _key_matrix(garbled, vocabulary)
    width = max(len(vocabulary), 1)
    left.resize((left.shape[0], width))
    right.resize((right.shape[0], width))
    blocks = len(original) + len(garbled)
    document_frequency = np.asarray(left.sum(axis=0) + right.sum(axis=0)).ravel()
    idf = np.log((blocks + 1.0) / (document_frequency + 1.0)) + 1.0
    weights = sp.diags(idf)
    tables: dict[tuple[int, int], np.ndarray] = {}
    for a, b in beads:
        lhs = _merged_rows(left, a)
        rhs = _merged_rows(right, b)
        if lhs.shape[0] == 0 or rhs.shape[0] == 0:
            tables[(a, b)] = np.zeros((max(lhs.shape[0], 0), max(rhs.shape[0], 0)))
            continue
        overlap = (lhs @ weights @ rhs.T).toarray()
        left_mass = np.asarray(lhs @ idf).ravel()
        right_mass = np.asarray(rhs @ idf).ravel()
        total = left_mass[:, None] + right_mass[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            tables[(a, b)] = np.where(total > 0, 2.0 * overlap / total, 0.0)
    return tables


def _best_path(
    tables: dict[tuple[int, int], np.ndarray],
    n: int,
    m: int,
    min_score: float,
    skip_cost: float = 0.0,
) -> list[tuple[int, int, int, int, float]]:
    """The monotone path of pairs with the largest total ``score - min_score``.

    Returns ``(i0, i1, j0, j1, score)`` for each pair taken, in document order:
    original blocks ``i0:i1`` matched with garbled blocks ``j0:j1``. Each block
    left unpaired costs ``skip_cost`` and each extra block of a merged pair
    ``MERGE_PENALTY``. Rows are filled with numpy: skips along a row make
    ``best[i, j] = max_k(candidate[k] - skip_cost * (j - k))``, a running maximum.

    >>> tables = {(1, 1): np.array([[0.9, 0.1], [0.1, 0.1]])}
    >>> _best_path(tables, 2, 2, 0.3)
    [(0, 1, 0, 1, 0.9)]
    """
    best = np.zeros((n + 1, m + 1))
    move = np.full((n + 1, m + 1), _SKIP_GARBLED, dtype=np.int8)
    bead_list = list(tables)
    ramp = skip_cost * np.arange(m + 1)
    best[0] = -ramp
    for i in range(1, n + 1):
        candidate = best[i - 1] - skip_cost  # leave original block i-1 unpaired
        chosen = np.full(m + 1, _SKIP_ORIGINAL, dtype=np.int8)
        for index, (a, b) in enumerate(bead_list):
            if i < a or m < b:
                continue
            gain = tables[(a, b)][i - a] - min_score - MERGE_PENALTY * (a + b - 2)
            value = np.full(m + 1, -np.inf)
            value[b:] = best[i - a, : m + 1 - b] + gain[: m + 1 - b]
            better = value > candidate
            candidate[better] = value[better]
            chosen[better] = index
        shifted = candidate + ramp
        running = np.maximum.accumulate(shifted)
        best[i] = running - ramp
        move[i] = np.where(shifted >= running, chosen, _SKIP_GARBLED)
        move[i, 0] = _SKIP_ORIGINAL
    path: list[tuple[int, int, int, int, float]] = []
    i, j = n, m
    while i > 0 or j > 0:
        step = int(move[i, j]) if i > 0 else _SKIP_GARBLED
        if step == _SKIP_GARBLED:
            j -= 1
        elif step == _SKIP_ORIGINAL:
            i -= 1
        else:
            a, b = bead_list[step]
            path.append((i - a, i, j - b, j, float(tables[(a, b)][i - a, j - b])))
            i, j = i - a, j - b
    path.reverse()
    return path


def align_segments(
    original: Sequence[Segment],
    garbled: Sequence[Segment],
    original_text: str,
    garbled_text: str,
    *,
    min_score: float = PARAGRAPH_MIN_SCORE,
    beads: Sequence[tuple[int, int]] = PARAGRAPH_BEADS,
    skip_cost: float = PARAGRAPH_SKIP_COST,
    offsets: tuple[int, int] = (0, 0),
) -> list[AlignedPair]:
    """Align two lists of segments (paragraphs or sentences) of two texts.

    Segment offsets minus ``offsets`` index into ``original_text`` and
    ``garbled_text``; a merged pair covers its segments and what lies between
    them. Spans in the result keep the segments' own offsets.

    >>> from mtdetect.segment import Segment
    >>> left = [Segment(0, 9, "Red fox."), Segment(10, 20, "Blue bird.")]
    >>> right = [Segment(0, 20, "Red foxes, blue birds.")]
    >>> [p.original for p in align_segments(left, right, "Red fox. Blue bird.", right[0].text)]
    ['Red fox. Blue bird.']
    """
    if not original or not garbled:
        return []
    tables = _similarity_tables([s.text for s in original], [s.text for s in garbled], beads)
    pairs: list[AlignedPair] = []
    left_offset, right_offset = offsets
    path = _best_path(tables, len(original), len(garbled), min_score, skip_cost)
    for i0, i1, j0, j1, score in path:
        left_span = (original[i0].start, original[i1 - 1].end)
        right_span = (garbled[j0].start, garbled[j1 - 1].end)
        pairs.append(
            AlignedPair(
                original=original_text[left_span[0] - left_offset : left_span[1] - left_offset],
                garbled=garbled_text[right_span[0] - right_offset : right_span[1] - right_offset],
                original_span=left_span,
                garbled_span=right_span,
                score=round(score, 4),
            )
        )
    return pairs


def align_paragraphs(
    original_text: str, garbled_text: str, min_score: float = PARAGRAPH_MIN_SCORE
) -> list[AlignedPair]:
    """Pair the paragraphs of an original document with those of its garbled repost.

    Monotone: pairs keep document order on both sides. 1-1, 2-1 and 1-2 pairs are
    allowed; paragraphs without a counterpart scoring at least ``min_score`` are
    skipped (page chrome, dropped paragraphs, added comments).

    >>> original = "Home | News\\n\\nThe first part.\\n\\nThe second part.\\n\\nThe last words."
    >>> garbled = "The first part. The second part.\\n\\nThe last words.\\n\\nNice post!"
    >>> [(p.original, p.garbled) for p in align_paragraphs(original, garbled)]
    [('The first part.\\n\\nThe second part.', 'The first part. The second part.'), \
('The last words.', 'The last words.')]
    """
    return align_segments(
        split_paragraphs(original_text),
        split_paragraphs(garbled_text),
        original_text,
        garbled_text,
        min_score=min_score,
        beads=PARAGRAPH_BEADS,
    )


def align_sentences(
    pair: AlignedPair, min_score: float = SENTENCE_MIN_SCORE
) -> list[AlignedPair]:
    """Pair the sentences inside an aligned paragraph pair (spans stay document offsets).

    Sentence pairs may be 1-1 up to 1-3 and 3-1, since garbling breaks sentences
    at stray full stops (``the war continues. Ukraine enters its third war. year.``).

    >>> pair = AlignedPair("Sales rose in May. Prices fell.", "Sales waxed. in May. Prices fell.",
    ...                    (100, 131), (50, 83), 0.8)
    >>> [(s.original, s.garbled, s.garbled_span) for s in align_sentences(pair)]
    [('Sales rose in May.', 'Sales waxed. in May.', (50, 70)), \
('Prices fell.', 'Prices fell.', (71, 83))]
    """
    left_offset = pair.original_span[0]
    right_offset = pair.garbled_span[0]
    return align_segments(
        split_sentences(pair.original, left_offset),
        split_sentences(pair.garbled, right_offset),
        pair.original,
        pair.garbled,
        min_score=min_score,
        beads=SENTENCE_BEADS,
        skip_cost=SENTENCE_SKIP_COST,
        offsets=(left_offset, right_offset),
    )


def mark_differences(original: str, garbled: str) -> tuple[str, str]:
    """Mark the words that differ, like wdiff: ``[-only in original-]``, ``{+only in garbled+}``.

    Words are compared after typography folding (curly and straight quotes are alike).

    >>> mark_differences("a close ally said", "a near familiar said")
    ('a [-close ally-] said', 'a {+near familiar+} said')
    """
    left = original.split()
    right = garbled.split()
    matcher = difflib.SequenceMatcher(
        a=[normalize_typography(w) for w in left],
        b=[normalize_typography(w) for w in right],
        autojunk=False,
    )
    left_out: list[str] = []
    right_out: list[str] = []
    for tag, i0, i1, j0, j1 in matcher.get_opcodes():
        if tag == "equal":
            left_out.extend(left[i0:i1])
            right_out.extend(right[j0:j1])
            continue
        if i1 > i0:
            left_out.append("[-" + " ".join(left[i0:i1]) + "-]")
        if j1 > j0:
            right_out.append("{+" + " ".join(right[j0:j1]) + "+}")
    return " ".join(left_out), " ".join(right_out)


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def format_side_by_side(pairs: Iterable[AlignedPair], width: int = 100) -> str:
    """Show pairs in two columns, original left and garbled right, differing words marked.

    Each pair gets a header with its number, score and character spans.

    >>> pair = AlignedPair("Sales rose 8 percent.", "Sales waxed 8 %.", (0, 21), (0, 16), 0.5)
    >>> print(format_side_by_side([pair], width=70))
    #1  score 0.50  original 0-21  garbled 0-16 --------------------------
    Sales [-rose-] 8 [-percent.-]     | Sales {+waxed+} 8 {+%.+}
    """
    column = max((width - 3) // 2, 10)
    blocks: list[str] = []
    for number, pair in enumerate(pairs, start=1):
        header = (
            f"#{number}  score {pair.score:.2f}  "
            f"original {pair.original_span[0]}-{pair.original_span[1]}  "
            f"garbled {pair.garbled_span[0]}-{pair.garbled_span[1]} "
        )
        lines = [header + "-" * max(width - len(header), 0)]
        left_text, right_text = mark_differences(pair.original, pair.garbled)
        left, right = _wrap(left_text, column), _wrap(right_text, column)
        for row in range(max(len(left), len(right))):
            left_line = left[row] if row < len(left) else ""
            right_line = right[row] if row < len(right) else ""
            lines.append(f"{left_line:<{column}} | {right_line}".rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def coverage(pairs: Sequence[AlignedPair], segments: Sequence[Segment], side: str) -> float:
    """The share of ``segments`` (of side ``"original"`` or ``"garbled"``) inside some pair.

    >>> from mtdetect.segment import Segment
    >>> pair = AlignedPair("a", "b", (0, 1), (0, 1), 1.0)
    >>> coverage([pair], [Segment(0, 1, "a"), Segment(3, 4, "c")], "original")
    0.5
    """
    if not segments:
        return math.nan
    attribute = "original_span" if side == "original" else "garbled_span"
    spans = np.array([getattr(p, attribute) for p in pairs] or [(0, 0)], dtype=np.int64)
    starts = np.array([s.start for s in segments], dtype=np.int64)
    inside = (starts[:, None] >= spans[None, :, 0]) & (starts[:, None] < spans[None, :, 1])
    return float(inside.any(axis=1).mean())
