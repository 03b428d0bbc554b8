"""The report for a terminal (``mtdetect report --format text``): summary, thresholds, groups.

Text from the input (file names, group values) is printed through
:func:`mtdetect.annotation.terminal_safe`, so it cannot drive the terminal.
"""

from __future__ import annotations

from typing import TextIO

from ..annotation import terminal_safe
from ..wording import counted, shortened
from .collect import ReportData, ReportInfo, group_rows, threshold_rows

__all__ = ["write_text_report"]

NAME_WIDTH = 28


def write_text_report(out: TextIO, data: ReportData, info: ReportInfo) -> None:
    """Summary lines, the threshold table and, with groups, the largest groups' shares."""
    w = out.write
    w(f"mtdetect report: {counted(data.document_count, 'document')}, {counted(data.paragraph_count, 'paragraph')}\n")
    w(f"  inputs:      {', '.join(terminal_safe(name) for name in info.inputs)}\n")
    w(f"  not_english: {counted(data.not_english_paragraphs, 'paragraph')} in {counted(data.not_english_documents, 'document')}\n")
    if data.without_score:
        w(f"  no score:    {counted(data.without_score, 'document')} (no text, or no English paragraph)\n")
    default = " (the model's default)" if data.threshold == info.model_threshold else (
        f" (the model's default is {info.model_threshold:.4f})"
    )
    w(f"  threshold:   {data.threshold:.4f}{default}\n")
    w(f"  model:       {terminal_safe(info.model)}\n")
    read, scored = data.read_annotations, data.scored_here
    w(f"  scores:      {read:,} read from {terminal_safe(info.score_field)} annotations, {scored:,} scored here\n")
    if data.unreadable:
        are = "is" if data.unreadable == 1 else "are"
        w(f"  {counted(data.unreadable, 'line')} that {are} no readable record, left out (named above)\n")
    if data.set_aside:
        w(f"  {counted(data.set_aside, 'line')} that `mtdetect filter` could not read and set aside, left out\n")
    if data.without_paragraph_scores:
        w(f"  {counted(data.without_paragraph_scores, 'document')} without paragraph scores (--no-paragraphs)\n")
    w("\n")
    w(f"  {'threshold':>9}  {'documents at or above':>24}  {'paragraphs at or above':>24}\n")
    for row in threshold_rows(data, info.model_threshold):
        mark = "*" if data.threshold == row.threshold else " "
        labels = f"  ({', '.join(row.labels)})" if row.labels else ""
        w(
            f"{mark} {row.threshold:>9.4f}  {row.documents:>14,} {100 * row.document_share:>8.2f}%"
            f"  {row.paragraphs:>14,} {100 * row.paragraph_share:>8.2f}%{labels}\n"
        )
    if data.group_by:
        rows = group_rows(data)
        shown = rows[: info.groups_shown]
        w(f"\nby {terminal_safe(data.group_by)}: {counted(len(rows), 'group')}, largest first; "
          "share of each group's documents at or above each threshold\n")
        heads = "".join(f"  {'>=' + format(t, '.4g'):>8}" for t in data.thresholds)
        w(f"  {'group':<{NAME_WIDTH}}  {'documents':>10}  {'paragraphs':>10}{heads}\n")
        for row in shown:
            shares = "".join(f"  {100 * s:>7.2f}%" for s in row.document_shares)
            name = shortened(terminal_safe(row.name), NAME_WIDTH)
            w(f"  {name:<{NAME_WIDTH}}  {row.documents:>10,}  {row.paragraphs:>10,}{shares}\n")
        if len(rows) > len(shown):
            rest = rows[len(shown):]
            w(f"  ... {counted(len(rest), 'smaller group')} with {counted(sum(r.documents for r in rest), 'document')} (--groups N shows more)\n")
