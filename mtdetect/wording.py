"""Words for people: counts with the right number of the noun, shares as percentages, text cut to fit."""

from __future__ import annotations


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
