"""Typography normalisation: curly quotes, dashes and odd spaces are not evidence.

Clean sites use straight quotes and garbled sites use curly ones as often as
the reverse, so every feature is computed on text where typography has been
folded to one form. Detectors see the raw text and treat both forms alike.
"""

from __future__ import annotations

import re

# One character in, one character out: offsets stay valid.
_CHAR_MAP = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark / apostrophe
    "\u201a": "'",  # single low-9 quotation mark
    "\u201b": "'",  # single high-reversed-9 quotation mark
    "\u2032": "'",  # prime
    "\u00b4": "'",  # acute accent used as apostrophe
    "`": "'",  # grave accent used as apostrophe
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201e": '"',  # double low-9 quotation mark
    "\u201f": '"',  # double high-reversed-9 quotation mark
    "\u2033": '"',  # double prime
    "\u00ab": '"',  # left guillemet
    "\u00bb": '"',  # right guillemet
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u00a0": " ",  # no-break space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\u202f": " ",  # narrow no-break space
    "\u2026": ".",  # horizontal ellipsis (see _ELLIPSIS below for "...")
}
# Lone surrogates (an emoji cut in half by a crawler) cannot be encoded; fold them
# to the replacement character, one for one.
_CHAR_MAP.update({chr(code): "\ufffd" for code in range(0xD800, 0xE000)})
_FOLDABLE = re.compile(
    "["
    + "".join(re.escape(c) for c in _CHAR_MAP if not 0xD800 <= ord(c) < 0xE000)
    + "\ud800-\udfff"  # lone surrogates, as a range
    + "]"
)
"""Any character :data:`_CHAR_MAP` folds. Finding the few kinds there are and replacing each
with ``str.replace`` is far faster than ``str.translate``, which looks up every character of a
non-ASCII text, or a substitution that calls back for every match."""

# Written with a literal prefix ("..", "--") so the regex engine skips ahead with a fast search.
_ELLIPSIS = re.compile(r"\.\.+")  # "..." and ".." fold to one full stop, like "…"
_DOUBLE_DASH = re.compile(r"--+")  # "--" as a dash folds to "-", like "—"
_SPACE_RUN = re.compile(r"[ \t]{2,}")  # two spaces after a full stop are a habit, not damage


def fold_characters(text: str) -> str:
    """Fold typographic variants one-for-one, keeping every offset.

    >>> fold_characters("“Don’t” — he said")
    '"Don\\'t" - he said'
    """
    for char in set(_FOLDABLE.findall(text)):  # the few kinds there are, each replaced in one pass
        text = text.replace(char, _CHAR_MAP[char])
    return text


def normalize_typography(text: str) -> str:
    """Fold quotes, dashes, ellipses and space runs to one form (offsets change).

    >>> normalize_typography("Wait…  it’s “fine” -- really...")
    'Wait. it\\'s "fine" - really.'
    """
    return _SPACE_RUN.sub(" ", fold_marks(text))


def fold_marks(text: str) -> str:
    """:func:`normalize_typography` without the space runs: folds that never touch white space.

    >>> fold_marks("Wait…  it’s -- fine....")
    "Wait.  it's - fine."
    """
    return _DOUBLE_DASH.sub("-", _ELLIPSIS.sub(".", fold_characters(text)))
