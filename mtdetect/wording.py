"""Words for people: counts with the right number of the noun, shares as percentages, text cut
or wrapped to fit a terminal's columns."""

from __future__ import annotations

import unicodedata


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and ``noun``, in the plural unless the count is one.

    >>> counted(1, "paragraph"), counted(1234, "paragraph"), counted(2, "entry", "entries")
    ('1 paragraph', '1,234 paragraphs', '2 entries')
    """
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def percent(share: float) -> str:
    """A share (0 to 1) as a percentage with two decimals.

    >>> percent(0.12345), percent(1.0)
    ('12.35%', '100.00%')
    """
    return f"{100 * share:.2f}%"


def shortened(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` characters, else its start and an ellipsis, ``width`` in all.

    >>> shortened("council", 10), shortened("the city council", 10)
    ('council', 'the city …')
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def char_width(char: str) -> int:
    """Terminal columns one character takes: 2 for wide East Asian characters, 0 for combining marks.

    >>> char_width("a"), char_width("中"), char_width("\u0301")
    (1, 2, 0)
    """
    if char.isascii():
        return 1
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (:func:`char_width` of each character).

    >>> display_width("council"), display_width("中文段落")
    (7, 8)
    """
    return len(text) if text.isascii() else sum(map(char_width, text))


def fit_width(text: str, width: int) -> str:
    """``text`` if it takes at most ``width`` columns, else its start and an ellipsis within ``width``.

    >>> fit_width("the city council", 10), fit_width("这是一个中文段落", 9)
    ('the city …', '这是一个…')
    """
    if display_width(text) <= width:
        return text
    used, end = 0, 0
    for end, char in enumerate(text):
        used += char_width(char)
        if used > width - 1:
            break
    return text[:end] + "…"


def wrap_width(text: str, width: int, indent: str = "", hang: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken between words: the first line starts
    with ``indent``, the others with ``hang``; a word too long for a line is cut by columns.

    >>> wrap_width("- dropped_quotes: speech without quote marks", 24, "  ", "    ")
    ['  - dropped_quotes:', '    speech without quote', '    marks']
    """
    lines: list[str] = []
    line, used = indent, display_width(indent)
    fresh = True  # nothing but the indent on this line yet
    for word in text.split(" "):
        size = display_width(word)
        if not fresh and used + 1 + size > width:
            lines.append(line)
            line, used, fresh = hang, display_width(hang), True
        while used + size > width and width > used:  # a word longer than a whole line
            head = fit_width(word, width - used + 1)[:-1] or word[0]
            lines.append(line + head)
            word = word[len(head):]
            size = display_width(word)
            line, used = hang, display_width(hang)
        if fresh:
            line, used, fresh = line + word, used + size, False
        else:
            line, used = f"{line} {word}", used + 1 + size
    lines.append(line)
    return lines
