"""Numbers in words for pages and terminals.

>>> counted(1, "document"), counted(1234, "paragraph"), percent(0.12345)
('1 document', '1,234 paragraphs', '12.35%')
"""

from __future__ import annotations

from ..wording import counted

__all__ = ["counted", "percent"]


def percent(share: float) -> str:
    return f"{100 * share:.2f}%"
