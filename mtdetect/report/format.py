"""Numbers in words for pages and terminals.

>>> counted(1, "document"), counted(1234, "paragraph"), percent(0.12345)
('1 document', '1,234 paragraphs', '12.35%')
"""

from __future__ import annotations

__all__ = ["counted", "percent"]


def counted(number: int, noun: str) -> str:
    """``number`` with thousands separators and ``noun``, plural unless it is one."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def percent(share: float) -> str:
    return f"{100 * share:.2f}%"
