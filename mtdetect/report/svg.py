"""Histograms as inline SVG: no script, no external file, one ``<rect class="bar">`` per non-empty bin.

The count axis is logarithmic (``log10(1 + count)``): score distributions are
steep, and the tail above a threshold, where decisions are made, would
vanish on a linear axis. Each bar carries a ``<title>`` with its range and
count (shown on hover); thresholds are drawn as labelled vertical lines.

>>> svg = histogram_svg([5, 0, 1, 0], unit="document", label="Document scores", markers=[(0.5, "threshold 0.50")])
>>> svg.count('class="bar"'), "0.50–0.75: 1 document" in svg
(2, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..wording import counted
from .escape import html_attribute, html_text

__all__ = ["histogram_svg", "sparkline_svg"]

WIDTH, HEIGHT = 540, 230
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 26, 40


def _height(count: int, top: float) -> float:
    return math.log10(1 + count) / top if top > 0 else 0.0


def _fmt(number: float) -> str:
    return f"{number:,.0f}"


MAX_TICKS = 6
"""Most labelled counts on a histogram's count axis, besides 0."""


def count_ticks(tallest: int) -> list[int]:
    """The counts labelled on a logarithmic count axis whose tallest bar is ``tallest``: 0, then
    1, 2, 5, 10, 20, 50 ... up to it, or only the powers of ten when those are too many.

    >>> count_ticks(0), count_ticks(3), count_ticks(60), count_ticks(250_000)
    ([0], [0, 1, 2], [0, 1, 2, 5, 10, 20, 50], [0, 1, 10, 100, 1000, 10000, 100000])
    """
    steps = [step * 10**power for power in range(len(str(max(tallest, 1)))) for step in (1, 2, 5)]
    shown = [value for value in steps if value <= tallest]
    if len(shown) > MAX_TICKS + 1:
        shown = [value for value in shown if str(value).startswith("1")]
    return [0, *shown]


def histogram_svg(
    counts: Sequence[int],
    *,
    unit: str,
    label: str,
    markers: Sequence[tuple[float, str]] = (),
) -> str:
    """A histogram of ``counts`` in equal bins over [0, 1], with labelled axes and threshold ``markers``."""
    bins = len(counts)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = math.log10(1 + max(counts, default=0))
    bar_w = plot_w / bins
    parts = [
        f'<svg class="histogram" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{html_attribute(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{html_text(label)}</title>",
    ]
    # Count axis: 0, then 1, 2, 5, 10 ... up to the tallest bar (powers of ten alone on large data).
    for value in count_ticks(max(counts, default=0)):
        y = TOP + plot_h * (1 - _height(value, top))
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')
    for i, count in enumerate(counts):
        if not count:
            continue
        h = plot_h * _height(count, top)
        x = LEFT + i * bar_w
        low, high = i / bins, (i + 1) / bins
        parts.append(
            f'<rect class="bar" x="{x + 0.5:.1f}" y="{TOP + plot_h - h:.1f}" width="{max(bar_w - 1, 0.5):.1f}" '
            f'height="{h:.1f}"><title>{low:.2f}–{high:.2f}: {html_text(counted(count, unit))}</title></rect>'
        )
    # Score axis.
    base = TOP + plot_h
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    for tenth in range(11):
        x = LEFT + plot_w * tenth / 10
        parts.append(f'<line class="axis" x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}"/>')
        parts.append(f'<text class="tick" x="{x:.1f}" y="{base + 16}" text-anchor="middle">{tenth / 10:.1f}</text>')
    parts.append(
        f'<text class="axis-label" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">'
        f"score ({html_text(unit)}s per bin of {1 / bins:.2f}; count axis logarithmic)</text>"
    )
    for value, text in markers:
        x = LEFT + plot_w * value
        parts.append(f'<line class="marker" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 4}" y2="{base}"/>')
        parts.append(f'<text class="marker-label" x="{x - 4:.1f}" y="{TOP - 8}" text-anchor="end">{html_text(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def sparkline_svg(counts: Sequence[int], *, marker: float | None, label: str) -> str:
    """A small histogram without axes (for a table cell), the threshold as a line."""
    width, height = 120, 26
    bins = len(counts)
    top = math.log10(1 + max(counts, default=0))
    bar_w = width / bins
    parts = [
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{html_attribute(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, count in enumerate(counts):
        if count:
            h = (height - 2) * _height(count, top)
            parts.append(
                f'<rect class="spark-bar" x="{i * bar_w:.1f}" y="{height - h:.1f}" width="{max(bar_w - 1, 0.5):.1f}" '
                f'height="{h:.1f}"><title>{i / bins:.2f}–{(i + 1) / bins:.2f}: {_fmt(count)}</title></rect>'
            )
    if marker is not None:
        x = width * marker
        parts.append(f'<line class="marker" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height}"/>')
    parts.append("</svg>")
    return "".join(parts)
