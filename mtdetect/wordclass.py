"""Word-class text: the paragraph with topic words replaced by their shape.

Function words, punctuation and the spacing around punctuation are kept; every
other word becomes ``x`` (lower-case initial) or ``X`` (capital initial) and
every number ``0``. What is left shows word order, agreement and punctuation
damage without the subject of the text, so the model cannot learn topic from it.

>>> word_class_tokens("The minister said , that sales waxed 8 % in March. 2022.")
['The', 'x', 'x', ' , ', 'that', 'xs', 'xd', '0', ' % ', 'in', 'X', '. ', '0', '.']
"""

from __future__ import annotations

import re

from .lexicon import FUNCTION_WORDS

_WORD_PATTERN = r"""
      \w+(?:'\w+)*             # a word or number, with apostrophes inside it: don't, Putin's
    | '(?i:s|re|ve|ll|d|m|t)\b  # or a clitic split off its word: "Putin 's", "they 're"
"""

WORD = re.compile(_WORD_PATTERN, re.VERBOSE)
"""A word as the features see it, on typography-normalised text (straight apostrophes)."""

TOKEN = re.compile(
    rf"""
      \ ?                       # the single space before a token, if any (kept with punctuation,
                                #   dropped from words by token_class)
      (?: {_WORD_PATTERN}       #   a word, as WORD matches it
        | [^\w\s]\ ?            # or one punctuation mark and the single space after it:
                                #   "said , that" gives " , " where "said, that" gives ", "
                                #   (an opening quote is punctuation: "'Yes'" gives "'", "Yes", "'")
      )
    | \n                        # or the separator between the paragraphs of a batch
    """,
    re.VERBOSE,
)
"""One token of the word-class text: a word, a punctuation mark with its spacing, or a separator.

Every branch takes at most one step per character and matches never overlap,
so tokenising is linear in the length of the text. Runs on normalised text
(:func:`mtdetect.features.normalize_paragraph`), where every space is single
and ``\n`` cannot occur, so a batch joined with ``\n`` tokenises like its
paragraphs one by one. Taking the space before a word into the match saves
the regex a failed attempt at every space.
"""
PARAGRAPH_SEPARATOR = "\n"
"""The character (and token) between the paragraphs of a batch."""


SUFFIX_CLASSES: tuple[tuple[str, str], ...] = (
    ("ing", "g"),  # verb forms: -ing
    ("ed", "d"),  # past tense and participles
    ("ly", "l"),  # adverbs
    ("tion", "n"),  # abstract nouns
    ("sion", "n"),
    ("ment", "n"),
    ("ness", "n"),
    ("ity", "n"),
    ("ous", "j"),  # adjectives
    ("ive", "j"),
    ("able", "j"),
    ("al", "j"),
    ("s", "s"),  # plurals and third-person verbs: agreement shows
)
"""Endings that give a lower-case content word a finer class (``xg``, ``xd``, ``xs``...).

They show verb forms, plurals and agreement without the word itself.
"""
_MIN_STEM = 3  # "sing", "bed" and "is" are not suffixed forms


def word_shape(word: str) -> str:
    """The class of one word: itself if a function word, else ``0``, ``X`` or ``x`` + ending.

    >>> [word_shape(w) for w in ["The", "minister", "Putin", "2022", "5th", "n't", "rising", "sanctions"]]
    ['The', 'x', 'X', '0', '0', "n't", 'xg', 'xs']
    """
    if word.lower() in FUNCTION_WORDS:
        return word
    first = word.lstrip("'")[:1]
    if first.isdigit():
        return "0"
    if first.isupper():
        return "X"
    lower = word.lower()
    for ending, cls in SUFFIX_CLASSES:
        if lower.endswith(ending) and len(lower) >= len(ending) + _MIN_STEM:
            return "x" + cls
    return "x"


_SHAPE_CACHE: dict[str, str] = {}
_SHAPE_CACHE_LIMIT = 500_000


def word_shapes(words: list[str]) -> list[str]:
    """Classes of many words, memoised (the vocabulary of a stream repeats).

    >>> word_shapes(["in", "Tokyo", "yesterday", "talks"])
    ['in', 'X', 'x', 'xs']
    """
    cache = _SHAPE_CACHE
    if len(cache) > _SHAPE_CACHE_LIMIT:
        cache.clear()
    get = cache.get
    shapes = []
    for word in words:
        shape = get(word)
        if shape is None:
            shape = cache[word] = word_shape(word)
        shapes.append(shape)
    return shapes


def token_word(token: str) -> str | None:
    """The word of a :data:`TOKEN` that is a word (without the space before it), else None.

    >>> [token_word(t) for t in ["The", " minister", " , ", " 's"]]
    ['The', 'minister', None, "'s"]
    """
    word = token[1:] if token[:1] == " " else token
    return word if WORD.fullmatch(word) else None


def token_class(token: str) -> str:
    """The word class of one :data:`TOKEN`: a word's shape, or the punctuation token itself.

    >>> [token_class(t) for t in ["The", " minister", " , ", "2022"]]
    ['The', 'x', ' , ', '0']
    """
    word = token_word(token)
    return token if word is None else word_shape(word)


def word_class_tokens(text: str) -> list[str]:
    """Tokens of the word-class text of ``text`` (typography-normalised, one line).

    Words become their class (:func:`word_shape`); each punctuation mark is a
    token of its own, with the single spaces around it.

    >>> word_class_tokens("They do n't know it's Putin's 5th cross- border trip")
    ['They', 'do', "n't", 'x', "it's", 'X', '0', 'xs', '- ', 'x', 'x']
    >>> word_class_tokens('"We will," he said.')
    ['"', 'We', 'will', ',', '" ', 'he', 'x', '.']
    """
    return [token_class(t) for t in TOKEN.findall(text) if t != PARAGRAPH_SEPARATOR]
