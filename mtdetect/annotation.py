"""One output format: a scored document as every output shows it, with one rounding rule.

Every output reads a :class:`~mtdetect.results.DocumentScore` through here and
decides nothing itself (verdicts and warnings come with the result):

- :func:`score_rows`: the rows of ``mtdetect score`` (JSONL and TSV), one per
  paragraph, with the flags and contributions of ``--explain``;
- :func:`table_lines`: the same for people (``--format table``);
- :func:`filter_annotation`: what ``mtdetect filter`` and
  :meth:`mtdetect.Detector.filter` add to a record (to a TSV row as
  :func:`tsv_cells` under :func:`tsv_columns`);
- :func:`datatrove_metadata` and :func:`dolma_spans`: the integrations' outputs.

Scores are written rounded to :data:`DECIMALS` decimals (:func:`rounded`),
contributions to :data:`CONTRIBUTION_DECIMALS`; the table shows
:data:`TABLE_DECIMALS`, or more where fewer would hide which side of the
threshold a score is on (:func:`table_score`). A document without a score (no
text, or no English paragraph: see :mod:`mtdetect.results`) is written with a
null score, and the
dolma outputs leave its ``document`` span out. Text from the input goes to a
terminal only through :func:`terminal_safe`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .language import NOT_ENGLISH, NOT_ENGLISH_MESSAGE
from .results import DocumentScore, Explanation, ParagraphScore
from .wording import counted, fit_width, wrap_width

DEFAULT_SCORE_FIELD = "mtdetect"
"""The field a filtered record's annotation goes under (and a report reads it from) unless told otherwise."""
DECIMALS = 4
"""Scores are written rounded to this many decimals."""
CONTRIBUTION_DECIMALS = 3
"""Contributions (log-odds) are written rounded to this many decimals."""
TABLE_DECIMALS = 2
"""The table shows scores with this many decimals (at least)."""
TABLE_SCORE_WIDTH = 1 + 1 + DECIMALS
"""Characters of the table's score column: a score with all of :data:`DECIMALS`."""
WHY_CONTRIBUTIONS = 4
"""Contributions on a table's ``why:`` line."""
WARNING_MESSAGES = {NOT_ENGLISH: NOT_ENGLISH_MESSAGE}
"""What each warning means, for people."""

SpanTuple = tuple[int, int, str, float]
"""(start, end, type, score) of one dolma span."""


def rounded(score: float | None) -> float | None:
    """A score as outputs write it (no score stays None).

    >>> rounded(0.123456), rounded(1.0), rounded(None)
    (0.1235, 1.0, None)
    """
    return None if score is None else round(score, DECIMALS)


def shown(score: float) -> str:
    """A score in a sentence: all its written decimals, always.

    >>> shown(0.1)
    '0.1000'
    """
    return f"{score:.{DECIMALS}f}"


def table_threshold(threshold: float) -> str:
    """A threshold as the table shows it: :data:`TABLE_DECIMALS` decimals, more if it has them
    (up to :data:`DECIMALS`), so that 0.9994 does not read as 1.00.

    >>> table_threshold(0.9), table_threshold(0.9497), table_threshold(0.99941)
    ('0.90', '0.9497', '0.9994')
    """
    written = f"{threshold:.{DECIMALS}f}".rstrip("0")
    return written if len(written.partition(".")[2]) >= TABLE_DECIMALS else f"{threshold:.{TABLE_DECIMALS}f}"


def table_score(score: float, threshold: float) -> str:
    """A score as the table shows it: :data:`TABLE_DECIMALS` decimals, or :data:`DECIMALS`
    where rounding would move it across the threshold (0.9491 under 0.9497 is not "0.95").

    >>> table_score(0.4312, 0.9497), table_score(0.9491, 0.9497), table_score(0.9996, 0.9497)
    ('0.43', '0.9491', '1.00')
    """
    short = f"{score:.{TABLE_DECIMALS}f}"
    return short if (float(short) >= threshold) == (score >= threshold) else f"{score:.{DECIMALS}f}"


# -- mtdetect score -------------------------------------------------------------------------------


def score_rows(source: str, line: int | None, result: DocumentScore) -> Iterator[dict[str, Any]]:
    """One row per paragraph: where it is, its score and verdict, the document score, its warnings,
    and (for a result scored with ``explain``) its flags and contributions.

    >>> from mtdetect.results import DocumentScore, ParagraphScore
    >>> doc = DocumentScore(0.123456, [ParagraphScore(0, 5, 0.123456, warnings=("not_english",))])
    >>> next(score_rows("a.txt", None, doc))
    {'source': 'a.txt', 'line': None, 'paragraph': 1, 'start': 0, 'end': 5, 'score': 0.1235, \
'garbled': False, 'in_context': False, 'document_score': 0.1235, 'warnings': ['not_english']}
    """
    for number, paragraph in enumerate(result.paragraphs, start=1):
        row: dict[str, Any] = {
            "source": source,
            "line": line,
            "paragraph": number,
            "start": paragraph.start,
            "end": paragraph.end,
            "score": rounded(paragraph.score),
            "garbled": paragraph.garbled,
            "in_context": paragraph.in_context,
            "document_score": rounded(result.score),
            "warnings": list(paragraph.warnings),
        }
        if paragraph.explanation is not None:
            row.update(explanation_fields(paragraph.explanation))
        yield row


def explanation_fields(explanation: Explanation) -> dict[str, list[dict[str, Any]]]:
    """An explanation's flags (offsets into the paragraph) and contributions, as JSON-ready lists."""
    return {
        "flags": [
            {"kind": f.kind, "start": f.start, "end": f.end, "text": f.text, "message": f.message}
            for f in explanation.flags
        ],
        "contributions": [
            {"feature": c.feature, "value": round(c.value, CONTRIBUTION_DECIMALS)} for c in explanation.contributions
        ],
    }


KEPT_FORMAT_CHARACTERS = frozenset("\u200c\u200d")
"""Zero-width (non-)joiners: harmless, and emoji sequences and some scripts need them."""


def visible(character: str) -> str:
    r"""The escape shown for a character that would act or hide instead of showing, as Python writes it.

    >>> visible("\x00"), visible("\u202e"), visible("\U000e0041")
    ('\\x00', '\\u202e', '\\U000e0041')
    """
    return ascii(character)[1:-1]


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on, or that hides text, shown as an escape.

    Control characters (escape sequences, bells, C1 controls), format characters
    such as the right-to-left override, line separators and lone surrogates
    print as Python escapes, so scraped text cannot drive the terminal.

    >>> print(terminal_safe("ok \\x1b]0;title\\x07 \\u202eevil"))
    ok \\x1b]0;title\\x07 \\u202eevil
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in KEPT_FORMAT_CHARACTERS else visible(c) for c in text)


IN_CONTEXT = "in context"
"""How outputs name a paragraph garbled by its document's evidence (:attr:`ParagraphScore.in_context`)."""
IN_CONTEXT_MESSAGE = "its score is under the threshold, but its document is garbled and it leans the same way"

UNJUDGED = "n/a"
"""The verdict people see for a paragraph with a warning: its score is not judged."""


def verdict(paragraph: ParagraphScore) -> str:
    """A paragraph's verdict in a word, as the table and the HTML pages show it.

    >>> verdict(ParagraphScore(0, 4, 0.9, garbled=True)), verdict(ParagraphScore(0, 4, 0.1))
    ('garbled', 'ok')
    >>> verdict(ParagraphScore(0, 4, 0.9, warnings=("not_english",)))
    'n/a'
    """
    return "garbled" if paragraph.garbled else UNJUDGED if paragraph.warnings else "ok"


def table_lines(where: str, text: str, result: DocumentScore, threshold: float, width: int, why: bool) -> list[str]:
    """A document as a table for people: number, score, verdict and the start of each paragraph,
    then its warnings (``!``), flags (``-``) and, with ``why``, its strongest features.

    Every line fits in ``width`` terminal columns (wide CJK characters count two): the
    paragraph is cut, other lines are wrapped between words.

    ``result`` must be scored with ``explain`` for the flags to show.

    >>> from mtdetect.results import DocumentScore, ParagraphScore
    >>> french = DocumentScore(None, [ParagraphScore(0, 8, 0.99, warnings=("not_english",))])
    >>> lines = table_lines("fr.txt", "Bonjour.", french, 0.9, 60, False)
    >>> print("\\n".join(lines[:4]))
    fr.txt: 1 paragraph, 0 flagged, no document score: no
      English paragraph (threshold 0.90)
        #   score  verdict  paragraph
        1    0.99  n/a      Bonjour.
    >>> lines[4].split(":")[0].strip()
    '! not_english'
    """
    flagged = sum(p.garbled for p in result.paragraphs)
    if result.score is not None:
        document = f"document score {table_score(result.score, threshold)}"
    else:
        document = f"no document score: {'no English paragraph' if result.paragraphs else 'no text'}"
    heading = (f"{terminal_safe(where)}: {counted(len(result.paragraphs), 'paragraph')}, {flagged:,} flagged, "
               f"{document} (threshold {table_threshold(threshold)})")
    lines = wrap_width(heading, width, hang="  ")
    if not result.paragraphs:
        return [*lines, "  (no text)", ""]
    lines.append(f"  {'#':>3}  {'score':>{TABLE_SCORE_WIDTH}}  {'verdict':<7}  paragraph")
    preview_width = width - 19 - TABLE_SCORE_WIDTH
    indent = f"  {'':>3}  {'':>{TABLE_SCORE_WIDTH}}  {'':<7}    "
    hang = indent + "  "  # a note's next lines start under its first word

    def note(mark: str, text: str) -> None:
        lines.extend(wrap_width(text, width, indent + mark, hang))

    for number, paragraph in enumerate(result.paragraphs, start=1):
        preview = fit_width(terminal_safe(" ".join(text[paragraph.start : paragraph.end].split())), preview_width)
        score = table_score(paragraph.score, threshold)
        lines.append(f"  {number:>3}  {score:>{TABLE_SCORE_WIDTH}}  {verdict(paragraph):<7}  {preview}")
        for warning in paragraph.warnings:
            note("! ", f"{warning}: {WARNING_MESSAGES.get(warning, warning)}")
        if paragraph.in_context:
            note("~ ", f"{IN_CONTEXT}: {IN_CONTEXT_MESSAGE}")
        explanation = paragraph.explanation
        if explanation is None:
            continue
        for flag in explanation.flags:
            if flag.kind not in paragraph.warnings:  # shown as a warning above
                note("- ", f"{flag.kind}: {terminal_safe(flag.message)}")
        if why and explanation.contributions:
            strongest = explanation.contributions[:WHY_CONTRIBUTIONS]
            note("why: ", terminal_safe(", ".join(f"{c.feature} {c.value:+.2f}" for c in strongest)))
    return [*lines, ""]


# -- mtdetect filter and the Python record API ------------------------------------------------------


def filter_annotation(result: DocumentScore, paragraphs: bool = True) -> dict[str, Any]:
    """What a filtered record gets: the document score, ``[start, end, score]`` per paragraph
    (unless ``paragraphs`` is false) and ``[start, end, name]`` per paragraph warning.

    >>> from mtdetect.results import DocumentScore, ParagraphScore
    >>> result = DocumentScore(0.123456, [ParagraphScore(0, 12, 0.123456),
    ...                                   ParagraphScore(14, 30, 0.1, warnings=("not_english",))])
    >>> filter_annotation(result)
    {'score': 0.1235, 'paragraphs': [[0, 12, 0.1235], [14, 30, 0.1]], 'warnings': [[14, 30, 'not_english']]}
    >>> filter_annotation(result, paragraphs=False)
    {'score': 0.1235, 'warnings': [[14, 30, 'not_english']]}
    """
    annotation: dict[str, Any] = {"score": rounded(result.score)}
    if paragraphs:
        annotation["paragraphs"] = [[p.start, p.end, rounded(p.score)] for p in result.paragraphs]
    annotation["warnings"] = [[p.start, p.end, name] for p in result.paragraphs for name in p.warnings]
    return annotation


ANNOTATION_LISTS = ("paragraphs", "warnings")
"""The lists of an annotation, which a TSV row holds as JSON in a column each: ``FIELD_paragraphs``
(unless left out) and ``FIELD_warnings``, after the score in ``FIELD``."""


def tsv_columns(field: str, paragraphs: bool = True) -> list[str]:
    """The columns a filtered TSV row gets for its annotation under ``field``.

    >>> tsv_columns("mt"), tsv_columns("mt", paragraphs=False)
    (['mt', 'mt_paragraphs', 'mt_warnings'], ['mt', 'mt_warnings'])
    """
    return [field, *(f"{field}_{key}" for key in ANNOTATION_LISTS if paragraphs or key != "paragraphs")]


def tsv_cells(annotation: dict[str, Any]) -> list[str]:
    """A :func:`filter_annotation` as TSV cells, in the order of :func:`tsv_columns` (no score: an empty cell).

    >>> tsv_cells({"score": 0.5, "paragraphs": [[0, 4, 0.5]], "warnings": []})
    ['0.5', '[[0,4,0.5]]', '[]']
    """
    score = "" if annotation["score"] is None else str(annotation["score"])
    lists = [json.dumps(annotation[key], separators=(",", ":")) for key in ANNOTATION_LISTS if key in annotation]
    return [score, *lists]


def drop_reason(result: DocumentScore, threshold: float) -> str:
    """Why a record was dropped.

    >>> drop_reason(DocumentScore(0.91, [], True), 0.9)
    'garbled: document score 0.9100 >= threshold 0.9000'
    """
    assert result.score is not None, "a document without a score is never dropped"
    return f"garbled: document score {shown(result.score)} >= threshold {shown(threshold)}"


# -- integrations -------------------------------------------------------------------------------------


def datatrove_metadata(result: DocumentScore, key: str) -> dict[str, Any]:
    """The datatrove step's ``doc.metadata``: the document score under ``key``, one score per
    paragraph under ``KEY_paragraphs`` and ``[paragraph index, warning]`` under ``KEY_warnings``.

    >>> from mtdetect.results import DocumentScore, ParagraphScore
    >>> datatrove_metadata(DocumentScore(0.5, [ParagraphScore(0, 4, 0.5, warnings=("not_english",))]), "mt")
    {'mt': 0.5, 'mt_paragraphs': [0.5], 'mt_warnings': [[0, 'not_english']]}
    """
    return {
        key: rounded(result.score),
        f"{key}_paragraphs": [rounded(p.score) for p in result.paragraphs],
        f"{key}_warnings": [[i, name] for i, p in enumerate(result.paragraphs) for name in p.warnings],
    }


def dolma_spans(result: DocumentScore, length: int, paragraphs: bool = True) -> list[SpanTuple]:
    """The spans a dolma tagger emits for a document of ``length`` characters: one per paragraph
    (if asked), one for the whole document (none when it has no score), then a span scoring 1.0
    over each paragraph per warning.

    dolma keeps scores as they are: they are not rounded.

    >>> from mtdetect.results import DocumentScore, ParagraphScore
    >>> dolma_spans(DocumentScore(0.25, [ParagraphScore(0, 4, 0.25), ParagraphScore(6, 9, 0.9,
    ...     warnings=("not_english",))]), 9)
    [(0, 4, 'paragraph', 0.25), (6, 9, 'paragraph', 0.9), (0, 9, 'document', 0.25), (6, 9, 'not_english', 1.0)]
    >>> dolma_spans(DocumentScore(None, [ParagraphScore(0, 4, 0.9, warnings=("not_english",))]), 4)
    [(0, 4, 'paragraph', 0.9), (0, 4, 'not_english', 1.0)]
    """
    spans: list[SpanTuple] = []
    if paragraphs:
        spans = [(p.start, p.end, "paragraph", float(p.score)) for p in result.paragraphs]
    if result.score is not None:
        spans.append((0, length, "document", float(result.score)))
    spans += [(p.start, p.end, name, 1.0) for p in result.paragraphs for name in p.warnings]
    return spans
