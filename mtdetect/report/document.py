"""One document as HTML: paragraphs shaded by score, flagged spans marked, messages beside them.

The same rendering serves the report's samples and ``mtdetect score --format
html``. Each paragraph is a block holding its score and verdict, its text
(every string through :mod:`mtdetect.report.escape`; the block isolates its
writing direction, so right-to-left text cannot reorder the page), and beside
it the numbered flags (``kind`` and message, also shown on hover over the
marked span), its warnings (``not_english``) and the features that moved its
score most.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..annotation import (
    IN_CONTEXT,
    IN_CONTEXT_MESSAGE,
    UNJUDGED,
    WARNING_MESSAGES,
    table_score,
    table_threshold,
    verdict,
)
from ..language import NOT_ENGLISH
from ..results import DocumentScore, Explanation, ParagraphScore
from ..rules import Finding
from ..wording import counted
from .escape import html_attribute, html_text
from .scored import unscored

__all__ = ["MAX_FLAGS", "SHADES", "document_html", "paragraph_html", "shade"]

SHADES = 10
"""Paragraph backgrounds: ``s0`` (score under 0.1) to ``s9`` (0.9 and above)."""
MAX_FLAGS = 100
"""Flags marked and listed per paragraph; the rest are counted."""
CONTRIBUTIONS = 4
"""Strongest feature contributions listed per paragraph."""
UNKNOWN_WORD = "unknown_word"

Explain = Callable[[str], Explanation]


def shade(score: float) -> str:
    """The CSS class of a score's background.

    >>> shade(0.0), shade(0.55), shade(1.0)
    ('s0', 's5', 's9')
    """
    return f"s{min(int(score * SHADES), SHADES - 1)}"


@dataclass(frozen=True, slots=True)
class _Segment:
    start: int
    end: int
    flags: tuple[int, ...]  # indices of the flags covering it


def _segments(length: int, flags: Sequence[Finding]) -> list[_Segment]:
    """The paragraph cut at every flag boundary, each piece with the flags that cover it.

    >>> [(s.start, s.end, s.flags) for s in _segments(10, [Finding("a", 2, 6, "", ""), Finding("b", 4, 8, "", "")])]
    [(0, 2, ()), (2, 4, (0,)), (4, 6, (0, 1)), (6, 8, (1,)), (8, 10, ())]
    """
    bounds = sorted({0, length, *(f.start for f in flags), *(f.end for f in flags)})
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, flag in enumerate(flags):
        starts.setdefault(flag.start, []).append(i)
        ends.setdefault(flag.end, []).append(i)
    active: set[int] = set()
    out = []
    for low, high in zip(bounds, bounds[1:]):
        active.difference_update(ends.get(low, ()))
        active.update(i for i in starts.get(low, ()) if flags[i].end > low)
        out.append(_Segment(low, high, tuple(sorted(active))))
    return out


def _marked_text(text: str, flags: Sequence[Finding]) -> str:
    """The paragraph's text with flagged spans in ``<mark>`` and each flag's number after its end."""
    titles = [html_attribute(f"{i + 1}. {flag.kind}: {flag.message}") for i, flag in enumerate(flags)]
    notes: dict[int, list[int]] = {}
    for i, flag in enumerate(flags):
        notes.setdefault(flag.end, []).append(i)
    parts = []
    for i in notes.get(0, []):  # an empty flag at the very start
        parts.append(f'<mark class="flag empty" title="{titles[i]}">⁁</mark><sup>{i + 1}</sup>')
    for segment in _segments(len(text), flags):
        piece = html_text(text[segment.start : segment.end])
        if segment.flags:
            title = "&#10;".join(titles[i] for i in segment.flags)
            piece = f'<mark class="flag" title="{title}">{piece}</mark>'
        parts.append(piece)
        for i in notes.get(segment.end, []):
            if flags[i].start == flags[i].end:
                parts.append(f'<mark class="flag empty" title="{titles[i]}">⁁</mark>')
            parts.append(f"<sup>{i + 1}</sup>")
    return "".join(parts)


def paragraph_html(
    text: str, paragraph: ParagraphScore, explanation: Explanation | None, threshold: float, cut: int = 0
) -> str:
    """One paragraph block: its score and verdict, its text (``cut`` more characters not shown), notes beside.

    The score is written as the table writes it (:func:`~mtdetect.annotation.table_score`): two
    decimals, or four where two would read as the other side of ``threshold``.
    """
    warnings = paragraph.warnings
    flags = [] if explanation is None else [f for f in explanation.flags if f.kind not in warnings]
    if NOT_ENGLISH in warnings:
        flags = [f for f in flags if f.kind != UNKNOWN_WORD]  # every word of another language is unknown
    shown, hidden = flags[:MAX_FLAGS], len(flags) - MAX_FLAGS
    if unscored(paragraph):
        classes, badge = "para unscored", '<span class="score">–</span><span class="verdict">no score</span>'
    else:
        decided = verdict(paragraph)
        classes = f"para {shade(paragraph.score)} {'unjudged' if decided == UNJUDGED else decided}"
        shown_score = table_score(paragraph.score, threshold)
        shown_verdict = f"{decided} ({IN_CONTEXT})" if paragraph.in_context else decided
        badge = f'<span class="score">{shown_score}</span><span class="verdict">{shown_verdict}</span>'
    body = _marked_text(text, shown)
    if cut:
        body += f'<span class="cut">… {cut:,} more characters not shown</span>'
    notes = []
    for name in warnings:
        message = WARNING_MESSAGES.get(name, name)
        notes.append(f'<p class="warning"><span class="kind">{html_text(name)}</span> {html_text(message)}</p>')
    if paragraph.in_context:
        notes.append(f'<p class="context"><span class="kind">{IN_CONTEXT}</span> {html_text(IN_CONTEXT_MESSAGE)}</p>')
    if shown:
        items = "".join(
            f'<li><span class="kind">{html_text(f.kind)}</span> {html_text(f.message)}</li>' for f in shown
        )
        more = f'<p class="more">and {hidden:,} more flags</p>' if hidden > 0 else ""
        notes.append(f'<ol class="flags">{items}</ol>{more}')
    if explanation is not None and explanation.contributions:
        items = "".join(
            f'<li title="{html_attribute(c.description)}"><span class="feature">{html_text(c.feature)}</span> '
            f'<span class="value {"up" if c.value > 0 else "down"}">{c.value:+.2f}</span></li>'
            for c in explanation.contributions[:CONTRIBUTIONS]
        )
        notes.append(f'<p class="why-head">strongest contributions (log-odds)</p><ul class="why">{items}</ul>')
    return (
        f'<div class="{classes}"><div class="badge">{badge}</div>'
        f'<div class="text" dir="auto">{body}</div><div class="notes">{"".join(notes)}</div></div>'
    )


def document_html(
    where: str,
    text: str,
    result: DocumentScore,
    threshold: float,
    explain: Explain | None = None,
    *,
    length: int | None = None,
    group: str | None = None,
    heading: str = "h3",
) -> str:
    """A document as an ``<article>``: a heading with its score and verdict, then its paragraphs.

    Paragraphs are explained by their own explanation, else by ``explain``.
    ``text`` may be the first part of a longer document of ``length``
    characters; paragraphs past its end are counted, not shown.
    """
    length = len(text) if length is None else length
    flagged = sum(p.garbled for p in result.paragraphs if not unscored(p))
    decided = "garbled" if result.garbled else "ok"
    head = [f'<span class="where">{html_text(where)}</span>']
    if group is not None:
        head.append(f'<span class="group">{html_text(group)}</span>')
    warned = sorted({name for p in result.paragraphs for name in p.warnings})
    head.extend(f'<span class="warned">{html_text(name)}</span>' for name in warned)
    score = "no score" if result.score is None else f"{table_score(result.score, threshold)} {decided}"
    head.append(
        f'<span class="doc-score {shade(result.score or 0.0)} {decided}">{score}</span>'
        f'<span class="counts">{counted(len(result.paragraphs), "paragraph")}, {flagged:,} at or above '
        f"{table_threshold(threshold)}</span>"
    )
    blocks = []
    hidden_paragraphs = 0
    for paragraph in result.paragraphs:
        if paragraph.start >= len(text) and paragraph.end > paragraph.start:
            hidden_paragraphs += 1
            continue
        shown_end = min(paragraph.end, len(text))
        part = text[paragraph.start : shown_end]
        explanation = paragraph.explanation or (explain(part) if explain is not None else None)
        blocks.append(paragraph_html(part, paragraph, explanation, threshold, cut=paragraph.end - shown_end))
    if not result.paragraphs:
        blocks.append('<p class="empty">(no text)</p>')
    if length > len(text):
        blocks.append(
            f'<p class="cut">Only the first {len(text):,} of {length:,} characters are shown'
            + (f"; {counted(hidden_paragraphs, 'more paragraph')} not shown." if hidden_paragraphs else ".")
            + "</p>"
        )
    return f'<article class="doc"><{heading} class="doc-head">{"".join(head)}</{heading}>{"".join(blocks)}</article>'
