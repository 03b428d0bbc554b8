"""Whole pages: the report (``mtdetect report``) and the document view (``mtdetect score --format html``).

A page is one self-contained file: the style sheet is inline, the figures are
inline SVG, and there is no script at all. Its Content-Security-Policy allows
nothing but that one style sheet (by its hash), so even text that slipped
past escaping could not run a script, load a file or reach the network.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import TextIO

from .. import __version__
from ..wording import counted, percent
from .collect import GroupRow, ReportData, ReportInfo, ThresholdRow, group_rows, threshold_rows
from .document import SHADES, Explain, document_html
from .escape import html_text
from .svg import histogram_svg, sparkline_svg

__all__ = ["DocumentPage", "HISTOGRAM_BINS", "STYLE", "page_end", "page_start", "write_report"]

HISTOGRAM_BINS = 50
"""Bins of the report's score histograms (0.02 wide)."""

STYLE = """
:root { --ink: #1f2328; --muted: #5b636e; --line: #d0d7de; --accent: #b3261e; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p.lead, p.note { color: var(--muted); margin: 4px 0 12px; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 0 3px; }
.where, .group, td.name, .inputs li { unicode-bidi: isolate; overflow-wrap: anywhere; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 8px 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; }
ul.inputs { margin: 0; padding-left: 18px; font-weight: 400; }
.figures { display: flex; flex-wrap: wrap; gap: 12px 28px; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 2px; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .bar { fill: #4f6f95; }
svg .bar:hover { fill: #23415f; }
svg .spark-bar { fill: #7d93ad; }
svg .grid { stroke: #eef1f4; }
svg .axis { stroke: #8c959f; }
svg .marker { stroke: var(--accent); stroke-width: 2; stroke-dasharray: 5 3; }
svg text.marker-label { fill: var(--accent); font-weight: 600; }
svg .share-bg { fill: #eef1f4; }
svg .share-fill { fill: #4f6f95; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: middle; }
th { background: var(--soft); font-weight: 600; }
th.name, td.name { text-align: left; min-width: 150px; max-width: 280px; }
thead th { white-space: nowrap; }
.scroll { overflow-x: auto; }
table.groups { font-size: 13px; }  /* a column per threshold: it fits 1280 pixels without scrolling */
table.groups th, table.groups td { padding: 3px 6px; }
table.groups th.name, table.groups td.name { min-width: 110px; max-width: 200px; }
table.groups thead th { white-space: normal; }
table.groups svg.sparkline { width: 90px; height: 22px; }
tr.default td, tr.chosen td { background: #fff4f2; font-weight: 600; }
td .label { display: inline-block; margin-left: 6px; padding: 0 6px; border-radius: 8px; background: var(--accent);
            color: #fff; font-size: 11px; font-weight: 600; }
td.share small { display: block; color: var(--muted); font-size: 11px; white-space: nowrap; }
.legend { display: flex; gap: 2px; align-items: center; margin: 6px 0 14px; color: var(--muted); font-size: 12px; }
.legend span.swatch { width: 34px; height: 16px; border: 1px solid var(--line); text-align: center; font-size: 10px;
                      line-height: 14px; color: var(--ink); }
section.band { margin-top: 10px; }
article.doc { border: 1px solid var(--line); border-radius: 6px; margin: 12px 0 18px; overflow: hidden; }
.doc-head { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: baseline; margin: 0; padding: 8px 12px;
            background: var(--soft); border-bottom: 1px solid var(--line); font-size: 14px; }
.doc-head .group { color: var(--muted); font-weight: 400; }
.doc-head .counts { color: var(--muted); font-weight: 400; margin-left: auto; }
.doc-head .warned { color: #8a4b00; border: 1px solid #e0b070; border-radius: 4px; padding: 0 6px; font-weight: 600; }
.doc-score { padding: 0 8px; border-radius: 4px; border: 1px solid var(--line); }
.doc-score.garbled { border-color: var(--accent); color: var(--accent); }
.para { display: grid; grid-template-columns: 78px minmax(0, 1fr) 300px; border-left: 5px solid #c9d1d9;
        border-top: 1px solid #eef1f4; }
.para.garbled { border-left-color: var(--accent); }
.para .badge { padding: 8px 6px; text-align: center; font-variant-numeric: tabular-nums; }
.para .badge .score { display: block; font-size: 17px; font-weight: 700; }
.para .badge .verdict { display: block; font-size: 11px; color: var(--muted); text-transform: uppercase; }
.para.garbled .badge .verdict { color: var(--accent); font-weight: 700; }
.para .text { padding: 8px 12px; white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: isolate; }
.para .notes { padding: 8px 12px; font-size: 12.5px; border-left: 1px solid #eef1f4; background: rgba(255,255,255,.55);
               overflow-wrap: anywhere; unicode-bidi: isolate; }
.notes ol, .notes ul { margin: 0 0 6px; padding-left: 20px; }
.notes .kind { font-weight: 700; }
.notes .warning { margin: 0 0 6px; color: #8a4b00; }
.notes .context { margin: 0 0 6px; color: #7a1f1f; }
.notes .why-head { margin: 4px 0 2px; color: var(--muted); }
.notes .value.up { color: var(--accent); font-weight: 600; }
.notes .value.down { color: #1a7f37; font-weight: 600; }
mark.flag { background: #ffd8a8; color: inherit; border-bottom: 2px solid #d9480f; padding: 0 1px; }
mark.flag:hover { background: #ffa94d; }
mark.flag.empty { background: none; color: #d9480f; font-weight: 700; }
sup { color: #d9480f; font-weight: 700; font-size: 10px; margin-left: 1px; }
.esc { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #9c1c1c; background: #eceff1;
       border: 1px solid #c5ccd3; border-radius: 3px; padding: 0 2px; white-space: nowrap; }
.cut, p.cut { color: var(--muted); font-style: italic; }
p.cut, p.empty { margin: 8px 12px; }
.s0 { background: #ffffff; } .s1 { background: #fffbfa; } .s2 { background: #fff6f4; } .s3 { background: #fff0ed; }
.s4 { background: #ffe9e5; } .s5 { background: #ffe1dc; } .s6 { background: #ffd7d1; } .s7 { background: #ffcbc3; }
.s8 { background: #ffbdb3; } .s9 { background: #ffaca0; }
.para.unscored { background: #fff; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media (max-width: 900px) { .para { grid-template-columns: 64px minmax(0, 1fr); } .para .notes { grid-column: 2; } }
"""


def _style_hash() -> str:
    digest = hashlib.sha256(STYLE.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def page_start(title: str) -> str:
    """The page up to the start of ``<main>``: metadata, the security policy and the style sheet."""
    policy = f"default-src 'none'; style-src '{_style_hash()}'; base-uri 'none'; form-action 'none'"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="mtdetect {__version__}">\n'
        f"<title>{html_text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    )


def page_end() -> str:
    return f'<footer>Made by mtdetect {__version__}. This page runs no script and loads nothing.</footer>\n</main>\n</body>\n</html>\n'


def legend() -> str:
    """The paragraph shades and what they mean."""
    swatches = "".join(
        f'<span class="swatch s{i}">{i / SHADES:.1f}</span>' for i in range(SHADES)
    )
    return f'<div class="legend">paragraph score: {swatches} (marked: flagged spans; hover for the message)</div>'


# -- the report ------------------------------------------------------------------------

def _share_bar(share: float) -> str:
    width = 80
    return (
        f'<svg class="share" width="{width}" height="10" viewBox="0 0 {width} 10" aria-hidden="true">'
        f'<rect class="share-bg" width="{width}" height="10"/>'
        f'<rect class="share-fill" width="{width * share:.1f}" height="10"/></svg>'
    )


def _summary(data: ReportData, info: ReportInfo) -> str:
    inputs = "".join(f"<li>{html_text(name)}</li>" for name in info.inputs)
    if data.scored_here and data.read_annotations:
        provenance = (
            f"{counted(data.read_annotations, 'document')} read from their <code>{html_text(info.score_field)}</code> "
            f"annotations, {data.scored_here:,} scored here by the model"
        )
    elif data.scored_here:
        provenance = "scored here by the model"
    elif data.read_annotations:
        provenance = f"read from the input's <code>{html_text(info.score_field)}</code> annotations (not rescored)"
    else:
        provenance = "no documents"
    rows = [
        ("inputs", f'<ul class="inputs">{inputs}</ul>'),
        ("documents", f"{data.document_count:,}"),
        ("paragraphs", f"{data.paragraph_count:,}"),
        (
            "not_english warnings",
            f"{counted(data.not_english_paragraphs, 'paragraph')} in {counted(data.not_english_documents, 'document')} "
            "(not judged: their scores mean nothing, so the figures below leave them out)",
        ),
        ("threshold", f"{data.threshold:.4f}" + (" (the model's default)" if data.threshold == info.model_threshold
                                                  else f" (the model's default is {info.model_threshold:.4f})")),
        ("model", html_text(info.model)),
        ("scores", f'<span id="provenance">{provenance}</span>'),
    ]
    if data.unreadable:
        rows.append((
            "unreadable lines",
            f"{counted(data.unreadable, 'line')} that {'is' if data.unreadable == 1 else 'are'} no readable record, "
            "left out (each is named on standard error)",
        ))
    if data.set_aside:
        rows.append((
            "set aside by the filter",
            f"{counted(data.set_aside, 'line')} that <code>mtdetect filter</code> could not read (its rejects), left out",
        ))
    if data.empty_documents:
        rows.append(("empty documents", f"{data.empty_documents:,} (no text, so no document score)"))
    if data.without_score > data.empty_documents:
        rows.append((
            "no English paragraph",
            f"{counted(data.without_score - data.empty_documents, 'document')} (no document score, never flagged; "
            "left out of the document figures below)",
        ))
    if data.without_paragraph_scores:
        rows.append((
            "without paragraph scores",
            f"{counted(data.without_paragraph_scores, 'document')} annotated without paragraph scores "
            "(<code>--no-paragraphs</code>); their paragraphs are not counted",
        ))
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    return f'<section id="summary"><h2>Summary</h2><dl class="summary">{items}</dl></section>'


def _markers(data: ReportData, info: ReportInfo) -> list[tuple[float, str]]:
    markers = [(data.threshold, f"threshold {data.threshold:.4f}")]
    if data.threshold != info.model_threshold:
        markers.append((info.model_threshold, f"default {info.model_threshold:.4f}"))
    return markers


def _histograms(data: ReportData, info: ReportInfo) -> str:
    figures = []
    for tally, unit, caption in (
        (data.documents, "document", "Document scores"),
        (data.paragraphs, "paragraph", "Paragraph scores"),
    ):
        svg = histogram_svg(tally.histogram(HISTOGRAM_BINS), unit=unit, label=caption, markers=_markers(data, info))
        figures.append(f'<figure><figcaption>{caption} ({counted(tally.total(), unit)})</figcaption>{svg}</figure>')
    return (
        '<section id="histograms"><h2>Score distributions</h2>'
        '<p class="note">Hover over a bar for its range and count. A document\'s score adds up the evidence of '
        "its English paragraphs, weighted by their length: several suspect paragraphs weigh more than one.</p>"
        f'<div class="figures">{"".join(figures)}</div></section>'
    )


def _threshold_table(rows: list[ThresholdRow]) -> str:
    body = []
    for row in rows:
        classes = " ".join(label.split()[-1] for label in row.labels)
        labels = "".join(f' <span class="label">{label}</span>' for label in row.labels)
        body.append(
            f'<tr class="{classes}"><td>{row.threshold:.4f}{labels}</td>'
            f"<td>{row.documents:,}</td><td>{percent(row.document_share)}</td><td>{_share_bar(row.document_share)}</td>"
            f"<td>{row.paragraphs:,}</td><td>{percent(row.paragraph_share)}</td><td>{_share_bar(row.paragraph_share)}</td></tr>"
        )
    return (
        '<section id="thresholds"><h2>Thresholds</h2>'
        "<p class=\"note\">What each candidate threshold would flag: documents (whole-document filtering) and "
        "paragraphs (paragraph filtering) scoring at or above it. Scores are compared at the 4 decimals of the "
        "annotations.</p>"
        '<table class="thresholds"><thead><tr><th>threshold</th>'
        '<th colspan="3">documents at or above</th><th colspan="3">paragraphs at or above</th></tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table></section>'
    )


def _group_table(data: ReportData, info: ReportInfo, rows: list[GroupRow]) -> str:
    field = html_text(data.group_by or "")
    shown = rows[: info.groups_shown]
    head = "".join(f"<th>≥ {t:.4g}</th>" for t in data.thresholds)
    body = []
    marker = data.threshold
    for row in shown:
        shares = "".join(
            f'<td class="share">{percent(d)}<small>¶ {percent(p)}</small></td>'
            for d, p in zip(row.document_shares, row.paragraph_shares)
        )
        spark = sparkline_svg(row.histogram, marker=marker, label=f"document scores of {row.name}")
        body.append(
            f'<tr><td class="name">{html_text(row.name)}</td><td>{row.documents:,}</td><td>{row.paragraphs:,}</td>'
            f"<td>{row.not_english:,}</td><td>{spark}</td>{shares}</tr>"
        )
    notes = []
    if len(rows) > len(shown):
        rest = rows[len(shown):]
        notes.append(
            f"{counted(len(rest), 'smaller group')} with {counted(sum(r.documents for r in rest), 'document')} not shown "
            "(<code>--groups N</code> shows more)."
        )
    if data.groups.pooled_values:
        notes.append(
            f"Values after the first {data.groups.limit:,} distinct ones "
            f"({data.groups.pooled_values:,}{'+' if data.groups.pooled_values >= data.groups.limit else ''} more) "
            "are counted together as one group."
        )
    note = "".join(f'<p class="note">{n}</p>' for n in notes)
    return (
        f'<section id="groups"><h2>By <code>{field}</code></h2>'
        f'<p class="note">{counted(len(rows), "group")}, largest first. Each share is of the group\'s documents (and, '
        "marked ¶, of its paragraphs) at or above the threshold heading the column; the small histogram shows "
        "the group's document scores with the threshold marked.</p>"
        f'<div class="scroll"><table class="groups"><thead><tr><th class="name">{field}</th><th>documents</th><th>paragraphs</th>'
        f"<th>not_english</th><th>document scores</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        f"{note}</section>"
    )


def _samples(data: ReportData, explain: Explain) -> Iterator[str]:
    total = data.document_count
    yield (
        '<section id="samples"><h2>Samples by score band</h2>'
        f'<p class="note">Up to {data.samples.size:,} documents drawn at random from each band between candidate '
        "thresholds, highest band first.</p>" + legend()
    )
    for band in reversed(data.samples.bands):
        if not band.seen:
            continue
        high = "1.0000]" if band.last else f"{band.high:.4f})"
        yield (
            f'<section class="band"><h3>Documents scoring [{band.low:.4f}, {high}: {counted(band.seen, "document")} '
            f"({percent(band.seen / total if total else 0.0)}), {len(band.items):,} shown</h3>"
        )
        for sample in band.items:
            yield document_html(
                sample.where, sample.text, sample.result, data.threshold, explain,
                length=sample.length, group=sample.group, heading="h4",
            )
        yield "</section>"
    yield "</section>"


def write_report(out: TextIO, data: ReportData, info: ReportInfo, explain: Explain) -> None:
    """Write the report page: summary, histograms, threshold table, groups and samples."""
    out.write(page_start(f"mtdetect report: {counted(data.document_count, 'document')}"))
    out.write(
        "<h1>mtdetect report</h1>"
        '<p class="lead">How likely each paragraph is machine-translated or spun, over the whole input, to '
        "choose a threshold and review what it would flag.</p>"
    )
    out.write(_summary(data, info))
    out.write(_histograms(data, info))
    out.write(_threshold_table(threshold_rows(data, info.model_threshold)))
    if data.group_by:
        out.write(_group_table(data, info, group_rows(data)))
    if data.samples.size:
        for part in _samples(data, explain):
            out.write(part)
    out.write(page_end())


# -- one document at a time: `mtdetect score --format html` ------------------------------------

class DocumentPage:
    """A page of scored documents, written as they come: a heading and legend, then one article each."""

    def __init__(self, out: TextIO, title: str, model: str, threshold: float) -> None:
        self.out = out
        self.count = 0
        out.write(page_start(title))
        out.write(
            f"<h1>{html_text(title)}</h1>"
            f'<p class="lead">Model {html_text(model)}, threshold {threshold:.4f}. Each paragraph is shaded by '
            "its score (the likelihood that it is machine-translated or spun); flagged spans are marked and "
            "explained beside it.</p>" + legend()
        )

    def add(self, article: str) -> None:
        self.out.write(article)
        self.count += 1

    def close(self) -> None:
        if not self.count:
            self.out.write('<p class="empty">(no documents)</p>')
        self.out.write(page_end())
