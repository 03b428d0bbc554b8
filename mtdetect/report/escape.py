"""Text from crawls into HTML that stays text: escaped, with invisible characters made visible.

Every string that reaches a page goes through :func:`html_text` (element
content) or :func:`html_attribute` (attribute values). Markup characters are
escaped, so ``<script>``, ``onerror=`` and ``javascript:`` stay words on the
page. Characters that act without showing are replaced by a visible escape
such as ``\\u202e``:

- control characters (C0 and C1: NUL, escape, bell ...), except tab and line breaks;
- format characters (Unicode category Cf): right-to-left and left-to-right
  overrides, embeddings and isolates, which would reorder the text around
  them, the byte-order mark, zero-width spaces, soft hyphens, tag characters;
- line and paragraph separators (U+2028, U+2029);
- lone surrogates (from JSON ``\\u`` escapes), which UTF-8 cannot encode.

The zero-width joiner and non-joiner stay: emoji sequences and several
scripts need them and they cannot reorder anything.

>>> html_text('<script>alert(1)</script> \\u202eevil')
'&lt;script&gt;alert(1)&lt;/script&gt; <span class="esc">\\\\u202e</span>evil'
>>> html_attribute('say "hi"\\x00')
'say &quot;hi&quot;\\\\x00'
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

from ..annotation import KEPT_FORMAT_CHARACTERS, visible

__all__ = ["html_attribute", "html_text"]

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_KEPT = frozenset("\t\n\r") | KEPT_FORMAT_CHARACTERS
"""Tab and line breaks are layout; zero-width (non-)joiners are kept as on a terminal."""


@functools.cache
def _hidden() -> re.Pattern[str]:
    """One character class of every code point in :data:`_HIDDEN_CATEGORIES` but :data:`_KEPT`.

    Built from this Python's Unicode database once (about 0.1 s), so it follows new Unicode versions.
    """
    points = [
        c for c in range(0x110000) if unicodedata.category(chr(c)) in _HIDDEN_CATEGORIES and chr(c) not in _KEPT
    ]
    ranges: list[str] = []
    start = previous = points[0]
    for point in [*points[1:], -1]:
        if point != previous + 1:
            ranges.append(_escaped(start) if start == previous else f"{_escaped(start)}-{_escaped(previous)}")
            start = point
        previous = point
    return re.compile(f"[{''.join(ranges)}]")


def _escaped(point: int) -> str:
    return f"\\U{point:08x}"


def html_text(text: str) -> str:
    """``text`` as HTML element content: markup escaped, hidden characters as ``<span class="esc">`` escapes."""
    if text.isprintable() and text.isascii():
        return html.escape(text, quote=False)
    pieces: list[str] = []
    last = 0
    for match in _hidden().finditer(text):
        pieces.append(html.escape(text[last : match.start()], quote=False))
        pieces.append(f'<span class="esc">{html.escape(visible(match.group()), quote=False)}</span>')
        last = match.end()
    pieces.append(html.escape(text[last:], quote=False))
    return "".join(pieces)


def html_attribute(text: str) -> str:
    """``text`` as a quoted attribute value: markup and quotes escaped, hidden characters as escapes."""
    if not (text.isprintable() and text.isascii()):
        text = _hidden().sub(lambda m: visible(m.group()), text)
    return html.escape(text, quote=True)
