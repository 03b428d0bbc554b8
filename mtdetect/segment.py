"""Segmentation: text -> paragraphs -> sentences -> tokens, with character offsets.

Every piece is a :class:`Segment` whose ``start``/``end`` are character offsets
into the text given at the top level, so ``original[s.start:s.end] == s.text``
holds at every level (pass a paragraph's ``start`` as ``offset`` when splitting
it further).

- :func:`split_paragraphs` -- blank-line separated blocks; a document with no
  such structure (at most one block) is split on single newlines instead, as
  scraped text and dolma documents are written.
- :func:`split_sentences` -- Punkt (nltk) with parameters trained by
  ``training/punkt.py`` and shipped as ``mtdetect/data/punkt_en.json``; a title
  abbreviation (``Mr.``, ``Dr.``, ``Gen.`` ...) never ends a sentence.
- :func:`split_tokens` -- words (with inner apostrophes and hyphens), numbers,
  letter-dot abbreviations (``U.S.``) and one token per punctuation character.

Every regular expression here runs in linear time (no repetition can match
the same text two ways) and no Python loop walks the input character by
character: a 200 MB line is split with two regex scans and one copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lexicon import TITLE_ABBREVIATIONS

if TYPE_CHECKING:  # nltk (slow to import) is loaded by the first split_sentences call
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

__all__ = [
    "PUNKT_FORMAT",
    "TITLE_ABBREVIATIONS",
    "Segment",
    "punkt_parameters_from_json",
    "split_paragraphs",
    "split_sentences",
    "split_tokens",
]


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of text and its character offsets in the original text.

    >>> Segment(4, 9, "quick")
    Segment(start=4, end=9, text='quick')
    """

    start: int  # character offset into the ORIGINAL text passed at top level
    end: int
    text: str  # == original[start:end]


# ---------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------

_LINE_BREAK_SRC = r"""(?:
    \r\n            # Windows
  | \r(?!\n)        # old Mac; never the first half of a \r\n
  | \n              # Unix
)"""

_LINE_BREAK = re.compile(_LINE_BREAK_SRC, re.VERBOSE)
_NEWLINE = re.compile(r"\n")
"""A line break in text without ``\\r``: the same matches as :data:`_LINE_BREAK` there, found by a
fast search for one character instead of a test of every character."""

_BLANK_LINES = re.compile(
    rf"""
    {_LINE_BREAK_SRC}       # the break that ends a line of text
    (?:
        [^\S\r\n]*          # a line holding only spaces, tabs, no-break spaces ...
        {_LINE_BREAK_SRC}   # ... ended by its own break
    )+                      # one or more such blank lines
    """,
    re.VERBOSE,
)
_BLANK_LINES_LF = re.compile(
    r"""
    \n                  # the break that ends a line of text
    (?: [^\S\r\n]* \n )+ # then one or more blank lines, each ended by its own break
    """,
    re.VERBOSE,
)
""":data:`_BLANK_LINES` for text without ``\\r`` (almost all text): the same matches, found from a
fast search for ``\\n``."""


def _trimmed(text: str, start: int, end: int, offset: int) -> Segment | None:
    """``text[start:end]`` without surrounding whitespace, or None if blank (``str.strip`` and
    the regex ``\\s`` agree on what whitespace is; string methods cost no regex search).

    >>> _trimmed(" a b  ", 0, 6, 10)
    Segment(start=11, end=14, text='a b')
    """
    piece = text[start:end]
    body = piece.lstrip()
    if not body:
        return None
    first = offset + start + len(piece) - len(body)
    body = body.rstrip()
    return Segment(first, first + len(body), body)


def _blocks(separator: re.Pattern[str], text: str) -> list[Segment]:
    """The pieces of ``text`` between matches of ``separator`` that are not blank, trimmed.

    >>> _blocks(_LINE_BREAK, " a \\n\\n b")
    [Segment(start=1, end=2, text='a'), Segment(start=6, end=7, text='b')]
    """
    cuts = [0, *(x for match in separator.finditer(text) for x in match.span()), len(text)]
    return [seg for k in range(0, len(cuts), 2) if (seg := _trimmed(text, cuts[k], cuts[k + 1], 0)) is not None]


def split_paragraphs(text: str) -> list[Segment]:
    """Split a document into paragraphs with offsets into ``text``.

    Paragraphs are blocks separated by blank lines (lines holding only
    whitespace count as blank). A document with fewer than two such blocks is
    split on single newlines instead. ``\\r\\n`` and ``\\r`` line endings work
    like ``\\n``; surrounding whitespace is stripped from each paragraph.

    >>> [p.text for p in split_paragraphs("One.\\nStill one.\\n \\nTwo.")]
    ['One.\\nStill one.', 'Two.']
    >>> split_paragraphs("First line\\r\\n  Second line  \\r\\n")
    [Segment(start=0, end=10, text='First line'), Segment(start=14, end=25, text='Second line')]
    >>> split_paragraphs(" \\n\\t ")
    []
    """
    unix = "\r" not in text
    blocks = _blocks(_BLANK_LINES_LF if unix else _BLANK_LINES, text)
    return blocks if len(blocks) >= 2 else _blocks(_NEWLINE if unix else _LINE_BREAK, text)


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------

PUNKT_FORMAT = "mtdetect-punkt/1"
"""Format tag of the shipped sentence-splitter parameters (``data/punkt_en.json``)."""

_TITLE_END = re.compile(
    r"""
    \b                              # the abbreviation starts a word ...
    (?: {titles} )                  # ... Mr, MR, Dr, Gen, ...
    \.\Z                            # ... and its full stop ends the candidate sentence
    """.format(
        titles="|".join(
            form for title in sorted(TITLE_ABBREVIATIONS) for form in (title.capitalize(), title.upper())
        )
    ),
    re.VERBOSE,
)
_TITLE_WINDOW = 2 + max(len(title) for title in TITLE_ABBREVIATIONS)


def punkt_parameters_from_json(text: str) -> PunktParameters:
    """Read Punkt parameters written by ``training/punkt.py`` (JSON, sorted lists).

    See :func:`mtdetect._punkt.punkt_parameters_from_json` (nltk is imported on first use).
    """
    from . import _punkt

    return _punkt.punkt_parameters_from_json(text, PUNKT_FORMAT)


def _sentence_tokenizer() -> PunktSentenceTokenizer:
    """The Punkt tokenizer with the shipped parameters, built once (nltk is imported here)."""
    from . import _punkt

    return _punkt.sentence_tokenizer(PUNKT_FORMAT)


def _join_after_titles(text: str, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Merge each span that ends on a title abbreviation ("Mr.") with the next."""
    start: int | None = None
    end = 0
    for span_start, end in spans:
        if start is None:
            start = span_start
        if not _TITLE_END.search(text, max(start, end - _TITLE_WINDOW), end):
            yield start, end
            start = None
    if start is not None:
        yield start, end


def split_sentences(text: str, offset: int = 0) -> list[Segment]:
    """Split text (usually one paragraph) into sentences.

    Offsets are ``offset`` plus positions in ``text``: pass a paragraph's
    ``start`` to get offsets into the whole document.

    >>> text = "Mr. Smith met U.S. officials on Sept. 11 at 9 a.m. in Washington. They agreed."
    >>> [s.text for s in split_sentences(text)]
    ['Mr. Smith met U.S. officials on Sept. 11 at 9 a.m. in Washington.', 'They agreed.']
    >>> split_sentences("  Hi there. Bye now.  ", offset=100)
    [Segment(start=102, end=111, text='Hi there.'), Segment(start=112, end=120, text='Bye now.')]
    """
    spans = _sentence_tokenizer().span_tokenize(text)
    return [
        seg
        for start, end in _join_after_titles(text, spans)
        if (seg := _trimmed(text, start, end, offset)) is not None
    ]


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------

_LETTER = r"[^\W\d_]"
_WORD_CHAR = r"[\w\u0300-\u036f]"  # letters, digits, underscore, combining accents

_TOKEN = re.compile(
    rf"""
    (?P<number>
        \d+ (?: [.,:] \d+ )+                    # 3.5  1,000  1,000.50  12:30
    )
  | (?P<initials>
        {_LETTER} (?: \. {_LETTER} )++ \.?      # U.S.  e.g.  a.m.  U.S.A
        (?!\w)                                  # ... not "a.The" (a full stop between words)
    )
  | (?P<word>
        {_WORD_CHAR}+
        (?: ['\u2019\-\u2010\u2011]             # inner apostrophe or hyphen: don't, long-term
            {_WORD_CHAR}+ )*
    )
  | (?P<punct>
        \S                                      # any other visible character, alone
    )
    """,
    re.VERBOSE,
)


def split_tokens(text: str, offset: int = 0) -> list[Segment]:
    """Split text into word, number and punctuation tokens.

    >>> [t.text for t in split_tokens("Don't cut 1,000 long-term U.S. jobs (3.5%)!")]
    ["Don't", 'cut', '1,000', 'long-term', 'U.S.', 'jobs', '(', '3.5', '%', ')', '!']
    >>> split_tokens("do n't", offset=10)
    [Segment(start=10, end=12, text='do'), Segment(start=13, end=16, text="n't")]
    """
    return [Segment(offset + m.start(), offset + m.end(), m.group()) for m in _TOKEN.finditer(text)]
