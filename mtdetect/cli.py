"""The command line: ``mtdetect score``, ``filter``, ``report`` and ``align``.

A thin layer: argument parsing, then the library reads the inputs
(:mod:`mtdetect.records`), scores them (:class:`mtdetect.Detector`) and formats
the rows (:mod:`mtdetect.annotation`); ``filter`` runs :mod:`mtdetect.filtering`,
``report`` and ``score --format html`` run :mod:`mtdetect.report`.
Library errors become one-line messages here, at the edge, and nowhere else:
exit status 2 for bad usage, input or model, 1 when an output cannot be
written. Outputs go to standard output or, with ``-o``, to a file written whole
or not at all (:mod:`mtdetect.atomic`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from . import __version__
from .annotation import DEFAULT_SCORE_FIELD, score_rows, table_lines
from .atomic import (
    descriptor_identity,
    file_identity,
    guarded,
    open_output,
    output_target,
    utf8_text,
)
from .detector import Detector
from .errors import MtdetectError, OutputError
from .explanation import TOP_CONTRIBUTIONS
from .model import ENV_MODEL
from .progress import Progress, is_terminal
from .records import (
    MAX_LINE_BYTES,
    STDIN,
    ByteMeter,
    Document,
    display_name,
    dumps,
    input_size,
    read_documents,
    tsv_cell,
)
from .results import DocumentScore
from .scoring import scored_batches
from .wording import counted

if TYPE_CHECKING:
    from .report import HtmlWriter

EXIT_OK = 0
EXIT_WRITE_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
"""128 + SIGINT, as a shell reports Ctrl-C; SIGTERM and SIGHUP give 128 + their number too."""
STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that stop a run as Ctrl-C does: outputs are cleaned up, the exit status is 128 + the signal."""


class Stopped(BaseException):
    """A stopping signal arrived (:data:`STOPPING_SIGNALS`); raised where the run is, like KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, frame: object) -> None:
    raise Stopped(signum)


@contextmanager
def stopping_signals_raise() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise :class:`Stopped` (unless ignored, as under nohup)."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in STOPPING_SIGNALS}
    for signum, handler in previous.items():
        if handler != signal.SIG_IGN:
            signal.signal(signum, _raise_stopped)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


class _Parser(argparse.ArgumentParser):
    """argparse with our one-line error format and exit status."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mtdetect",
        description="Rate each paragraph with the likelihood that it is machine-translated or spun text.",
    )
    parser.add_argument("--version", action="version", version=f"mtdetect {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    score = commands.add_parser(
        "score",
        help="score the paragraphs of text, JSONL or TSV files",
        description=(
            "Score every paragraph of each input. A text file is one document; each line of a "
            ".jsonl file or row of a .tsv file is one document. Paragraphs are blank-line blocks "
            "(single lines when a document has no blank line)."
        ),
    )
    score.add_argument("files", nargs="*", default=[STDIN], metavar="FILE", help="inputs; - or none reads standard input")
    add_output_option(score)
    add_model_options(score)
    add_input_options(score, standard_input="text")
    score.add_argument("--format", choices=["table", "jsonl", "tsv", "html"], default=None,
                       help="output format (default: table on a terminal, jsonl otherwise; html: a page "
                            "with each paragraph shaded by score and its flags explained)")
    score.add_argument("--explain", action="store_true", help="add flagged spans and the strongest features")
    score.set_defaults(handler=run_score)

    filter_ = commands.add_parser(
        "filter",
        help="stream JSONL or TSV records, adding scores or dropping garbled ones",
        description=(
            "Read JSONL (or TSV) records from files or standard input and write them, in order and "
            "with every field kept, adding the document score, per-paragraph scores and warnings "
            "(such as not_english) under --score-field. With --mode drop, records scoring at or "
            "above the threshold go to --rejects instead. Lines that are no readable record (bad "
            "JSON, no text field, invalid UTF-8) are reported with their line number and also go to "
            "--rejects. Counts are printed on standard error at the end."
        ),
        epilog=(
            "exit status: 0 when every record was written to the output or the rejects; 1 when "
            "some lines could not be read and no --rejects file holds them; 2 on bad usage or input."
        ),
    )
    filter_.add_argument("files", nargs="*", default=[STDIN], metavar="FILE",
                         help="inputs (.jsonl or .tsv, optionally .gz/.zst); - or none reads standard input")
    add_output_option(filter_)
    filter_.add_argument("--mode", choices=["annotate", "drop"], default="annotate",
                         help="annotate every record (default) or drop those at or above the threshold")
    filter_.add_argument("--rejects", default=None, metavar="FILE",
                         help="write dropped records and unreadable lines here, each with its reason and line number")
    filter_.add_argument("--score-field", default=DEFAULT_SCORE_FIELD, metavar="FIELD",
                         help=f"key (JSONL) or column name (TSV) for the scores (default: {DEFAULT_SCORE_FIELD})")
    filter_.add_argument("--no-paragraphs", action="store_true",
                         help="add only the document score and warnings, not the per-paragraph scores")
    filter_.add_argument("-p", "--processes", type=_positive_int, default=1, metavar="N",
                         help="worker processes (default: 1); output order is kept")
    add_model_options(filter_)
    add_input_options(filter_, formats=("auto", "jsonl", "tsv"), standard_input="jsonl")
    filter_.set_defaults(handler=run_filter)

    report = commands.add_parser(
        "report",
        help="summarise scores in an HTML page to choose a threshold and review flags",
        description=(
            "Read what `mtdetect filter` wrote (the annotations are read, nothing is rescored) or raw "
            "text, JSONL or TSV (scored on the way), and write one self-contained HTML page: counts, "
            "score histograms, the share of documents and paragraphs at or above candidate thresholds, "
            "figures per group (--group-by) and sample documents per score band with their flags. "
            "Memory stays flat on inputs of any size."
        ),
    )
    report.add_argument("files", nargs="*", default=[STDIN], metavar="FILE",
                        help="inputs (.jsonl, .tsv or text, optionally .gz/.zst); - or none reads standard "
                             "input, as JSONL unless --input-format says otherwise")
    add_output_option(report, "page (or text)")
    report.add_argument("--format", choices=["html", "text"], default="html",
                        help="html (default): the page; text: the summary and threshold table for a terminal")
    report.add_argument("--samples", type=_at_least(0), default=5, metavar="N",
                        help="documents shown per score band, drawn at random (default: 5; 0: none)")
    report.add_argument("--group-by", default=None, metavar="FIELD",
                        help="break the figures down by this record field (a.b reaches into objects)")
    report.add_argument("--groups", type=_positive_int, default=25, metavar="N",
                        help="largest groups shown (default: 25)")
    report.add_argument("--thresholds", type=_probabilities, default=None, metavar="T,T,...",
                        help="candidate thresholds for the table and the bands (default: 0.5,0.7,0.8,0.9,0.95,0.99; "
                             "the model's default and --threshold are always added)")
    report.add_argument("--score-field", default=DEFAULT_SCORE_FIELD, metavar="FIELD",
                        help=f"field holding `mtdetect filter` annotations (default: {DEFAULT_SCORE_FIELD})")
    report.add_argument("--rescore", action="store_true",
                        help="score every document, even those that carry an annotation")
    report.add_argument("--seed", type=int, default=0, metavar="N", help="seed for drawing the samples (default: 0)")
    add_model_options(report)
    add_input_options(report, standard_input="jsonl")
    report.set_defaults(handler=run_report)

    align = commands.add_parser(
        "align",
        help="align an original document with its garbled repost into training pairs",
        description="Align two documents into paragraph (or sentence) pairs and write pair JSONL.",
    )
    align.add_argument("original", help="the original document (plain text)")
    align.add_argument("garbled", help="the garbled repost of it (plain text)")
    add_output_option(align, "pair JSONL")
    align.add_argument("--sentences", action="store_true", help="write sentence pairs instead of paragraph pairs")
    align.add_argument("--show", action="store_true", help="print the pairs side by side with differences marked")
    align.add_argument("--source", default=None, metavar="NAME",
                       help="the pairs' source name (default: the garbled file name)")
    align.set_defaults(handler=run_align)
    return parser


def add_output_option(parser: argparse.ArgumentParser, what: str = "output") -> None:
    parser.add_argument("-o", "--output", default=STDIN, metavar="FILE",
                        help=f"write the {what} to FILE (.gz/.zst compress; written whole or not at all); "
                             "default: standard output")


def add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, metavar="PATH",
                        help=f"model card, weights or folder (default: ${ENV_MODEL}, else the bundled model)")
    parser.add_argument("--threshold", type=_probability, default=None, metavar="T",
                        help="decision threshold in [0, 1] (default: the model's calibrated threshold)")
    parser.add_argument("--trust-pickle", action="store_true",
                        help="allow a pickled (.pkl/.joblib) model; needs --sha256")
    parser.add_argument("--sha256", default=None, metavar="HASH",
                        help="expected sha256 of the model's weights (.npz) or pickle; checked before use")


INPUT_FORMATS = ("auto", "text", "jsonl", "tsv")


def add_input_options(
    parser: argparse.ArgumentParser, *, standard_input: str, formats: Sequence[str] = INPUT_FORMATS
) -> None:
    parser.add_argument("--input-format", choices=formats, default="auto",
                        help=f"input format (default: from the file extension; standard input is {standard_input})")
    parser.add_argument("--text-field", default="text", metavar="FIELD",
                        help="JSONL field holding the text (default: text)")
    parser.add_argument("--column", default="text", help="TSV column (name or 1-based number) holding the text (default: text)")
    parser.add_argument("--encoding-errors", choices=["strict", "replace"], default="strict",
                        help="invalid UTF-8: stop with an error (strict, default) or replace it")
    parser.add_argument("--max-record-bytes", type=_byte_size, default=MAX_LINE_BYTES, metavar="SIZE",
                        help="longest record (a JSONL line, a TSV row or a text file) read, in bytes, or with "
                             "a K, M or G suffix (default: 64M); a longer one is rejected unread")


def _probability(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value}")
    return number


_SIZE = re.compile(
    r"""(?P<number>\d+)            # a whole number of bytes ...
        (?P<unit>[KMG])?            # ... or of kibibytes, mebibytes or gibibytes
        B?                          # an optional B: 64MB is 64M""",
    re.VERBOSE | re.IGNORECASE,
)
_UNIT_SHIFT = {"K": 10, "M": 20, "G": 30}


def _byte_size(value: str) -> int:
    """An argparse type: a size in bytes, ``64M`` style.

    >>> _byte_size("64M"), _byte_size("1g"), _byte_size("4096")
    (67108864, 1073741824, 4096)
    """
    found = _SIZE.fullmatch(value.strip())
    if found is None or int(found["number"]) == 0:
        raise argparse.ArgumentTypeError(f"not a size in bytes (such as 4096, 512K, 64M or 1G): {value!r}")
    return int(found["number"]) << _UNIT_SHIFT.get((found["unit"] or "").upper(), 0)


def _probabilities(value: str) -> tuple[float, ...]:
    return tuple(_probability(part.strip()) for part in value.split(",") if part.strip())


def make_detector(args: argparse.Namespace) -> Detector:
    import mtdetect

    detector = mtdetect.load(args.model, trust=args.trust_pickle, sha256=args.sha256)
    if args.threshold is not None:
        detector.threshold = args.threshold
    return detector


# -- score ----------------------------------------------------------------------

HTML_ON_A_TERMINAL = "{what} is a page, not terminal output: write it with -o {name} (or use {instead})"


def refuse_html_on_a_terminal(args: argparse.Namespace, out: TextIO, name: str, instead: str) -> None:
    """Stop before any work when an HTML page would be dumped on a terminal."""
    if args.format == "html" and args.output == STDIN and out.isatty():
        what = "the HTML report" if args.command == "report" else "HTML output"
        raise MtdetectError(HTML_ON_A_TERMINAL.format(what=what, name=name, instead=instead))


def run_score(args: argparse.Namespace, out: TextIO) -> int:
    """Score every input to standard output or to ``-o``."""
    refuse_html_on_a_terminal(args, out, "scores.html", "--format table")
    detector = make_detector(args)
    with command_output(args.output, out) as target:
        return _score(args, detector, target)


def _score(args: argparse.Namespace, detector: Detector, out: TextIO) -> int:
    """Score the documents of every input a batch at a time (:mod:`mtdetect.scoring`), streaming rows out.

    Memory stays bounded however many (or however long) the documents are;
    rows are flushed after each batch, so a reader such as ``head`` sees them
    early and a closed pipe stops the run at once. A line that cannot be read
    stops the run with its error, after the rows of every line before it.
    Explanations are scored when the output shows them (the table always
    shows flags).
    """
    fmt = args.format or ("table" if out.isatty() else "jsonl")
    writers = {"table": TableWriter, "jsonl": JsonlWriter, "tsv": TsvWriter, "html": _html_writer(args.files, detector)}
    writer = writers[fmt](out, detector.threshold, args.explain)
    meter = ByteMeter()
    with Progress(unit="doc", output=out, total=input_size(args.files)) as progress:

        def within(batch: list[tuple[Document, int]], chars: int) -> Callable[[int], None] | None:
            return _progress_within(progress, batch[-1][1], chars)

        documents = _with_bytes_read(_all_documents(args, meter), meter)
        for batch in scored_batches(detector, documents, lambda pair: pair[0].text, explain=writer.explains,
                                    top=writer.top, progress=within):
            with progress.apart():
                for (doc, _), result in batch:
                    assert result is not None  # every document has a text
                    writer.document(doc, result)
                out.flush()
            progress.update(len(batch))
            progress.move_to(batch[-1][0][1])
    writer.close()
    out.flush()
    return EXIT_OK


def _with_bytes_read(documents: Iterator[Document], meter: ByteMeter) -> Iterator[tuple[Document, int]]:
    """Each document with the bytes read once it was whole: where the bar stands when its rows are out."""
    for doc in documents:
        yield doc, meter.total


def _progress_within(progress: Progress, read: int, chars: int) -> Callable[[int], None] | None:
    """While a batch is scored, move the bar from where it stands towards ``read`` bytes, in
    proportion to the batch's ``chars`` characters scored (one huge document moves it too)."""
    if not progress.active:
        return None
    start, done = progress.position, 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        progress.move_to(start + (read - start) * done / max(chars, 1))

    return step


def _moved_by(progress: Progress, meter: ByteMeter) -> Callable[[int], None]:
    """A callback for ``count`` more units done: the bar also moves to the bytes read so far."""

    def done(count: int) -> None:
        progress.update(count)
        progress.move_to(meter.total)

    return done


def _all_documents(args: argparse.Namespace, meter: ByteMeter | None = None) -> Iterator[Document]:
    for name in args.files:
        yield from read_documents(name, args.input_format, args.text_field, args.column, args.encoding_errors,
                                  args.max_record_bytes, meter)


def _html_writer(files: Sequence[str], detector: Detector) -> Callable[..., HtmlWriter]:
    def make(out: TextIO, threshold: float, explain: bool) -> HtmlWriter:
        from .report import HtmlWriter

        title = f"mtdetect: {display_name(files[0])}" if len(files) == 1 else f"mtdetect: {len(files)} inputs"
        return HtmlWriter(out, threshold, title=title, model=detector.model.card)

    return make


@contextmanager
def command_output(name: str, out: TextIO) -> Iterator[TextIO]:
    """Where a command writes: standard output (``-``), or the file ``name``, written whole or not
    at all and never in place of a link, device or FIFO (:func:`~mtdetect.atomic.open_output`).
    Either way the text is UTF-8; a write that fails is an :class:`~mtdetect.errors.OutputError`
    naming the output."""
    if name == STDIN:
        yield guarded(utf8_text(out))
    else:
        with open_output(name) as handle:
            yield guarded(handle, name)


EMPTY_SHOWN = 5
"""Documents without text named on standard error at most; more are counted."""


class JsonlWriter:
    """One JSON object per paragraph (:func:`~mtdetect.annotation.score_rows`)."""

    top = TOP_CONTRIBUTIONS  # contributions of each paragraph, with --explain

    def __init__(self, out: TextIO, threshold: float, explain: bool) -> None:
        self.out, self.threshold, self.explains = out, threshold, explain
        self.empty: list[str] = []

    def document(self, doc: Document, result: DocumentScore) -> None:
        self.note_empty(doc, result)
        for row in score_rows(doc.source, doc.line, result):
            self.out.write(dumps(row) + "\n")  # lone surrogates become \u escapes: valid UTF-8

    def note_empty(self, doc: Document, result: DocumentScore) -> None:
        if not result.paragraphs:
            self.empty.append(doc.where)

    def close(self) -> None:
        """Every row is whole; name the documents that got none because they have no text."""
        if not self.empty:
            return
        shown = ", ".join(self.empty[:EMPTY_SHOWN])
        more = f" and {len(self.empty) - EMPTY_SHOWN:,} more" if len(self.empty) > EMPTY_SHOWN else ""
        sys.stderr.write(f"mtdetect: {shown}{more}: 0 paragraphs (no text), no rows written\n")


class TsvWriter(JsonlWriter):
    """Tab-separated rows with a header; ``warnings`` is a comma-separated list of names."""

    COLUMNS = ("source", "line", "paragraph", "start", "end", "score", "garbled", "in_context", "document_score",
               "warnings")
    top = 0  # --explain adds the flags only

    def __init__(self, out: TextIO, threshold: float, explain: bool) -> None:
        super().__init__(out, threshold, explain)
        columns = self.COLUMNS + (("flags",) if explain else ())
        out.write("\t".join(columns) + "\n")

    def document(self, doc: Document, result: DocumentScore) -> None:
        self.note_empty(doc, result)
        for row in score_rows(doc.source, doc.line, result):
            row["warnings"] = ",".join(row["warnings"])
            cells = ["" if row[c] is None else str(row[c]) for c in self.COLUMNS]
            if self.explains:
                cells.append("; ".join(f"{f['kind']}: {f['text']}" for f in row["flags"]))
            self.out.write("\t".join(tsv_cell(c) for c in cells) + "\n")


class TableWriter:
    """A table for people (:func:`~mtdetect.annotation.table_lines`); it always shows the flags."""

    explains = True

    def __init__(self, out: TextIO, threshold: float, explain: bool) -> None:
        self.out, self.threshold, self.why = out, threshold, explain
        self.top = TOP_CONTRIBUTIONS if explain else 0  # contributions only on the why: lines of --explain
        self.width = max(60, min(shutil.get_terminal_size((100, 20)).columns, 120))

    def document(self, doc: Document, result: DocumentScore) -> None:
        lines = table_lines(doc.where, doc.text, result, self.threshold, self.width, self.why)
        self.out.write("\n".join(lines) + "\n")

    def close(self) -> None:
        """Nothing to finish: every document's lines are whole (one without text shows as such)."""


# -- align ------------------------------------------------------------------------

def run_align(args: argparse.Namespace, out: TextIO) -> int:
    from .align import align_paragraphs, align_sentences, format_side_by_side
    from .records import read_text

    original = read_text(args.original, max_bytes=MAX_LINE_BYTES)
    garbled = read_text(args.garbled, max_bytes=MAX_LINE_BYTES)
    pairs = align_paragraphs(original, garbled)
    if args.sentences:
        pairs = [s for pair in pairs for s in align_sentences(pair)]
    if args.show:
        with command_output(STDIN, out) as target:
            target.write(format_side_by_side(pairs, width=shutil.get_terminal_size((100, 20)).columns) + "\n")
        return EXIT_OK
    source = args.source or os.path.basename(args.garbled)
    doc = os.path.splitext(os.path.basename(args.original))[0]  # a document's pairs stay in one split
    kind = "sentence" if args.sentences else "paragraph"
    lines = "".join(
        json.dumps({"original": p.original, "garbled": p.garbled, "source": source, "kind": kind, "doc": doc,
                    "score": round(p.score, 4)}, ensure_ascii=False) + "\n"
        for p in pairs
    )
    with command_output(args.output, out) as target:
        target.write(lines)
    if args.output != STDIN:
        sys.stderr.write(f"mtdetect: wrote {counted(len(pairs), kind + ' pair')} to {args.output}\n")
    return EXIT_OK


# -- filter ------------------------------------------------------------------------------

EXIT_RECORDS_UNWRITTEN = 1


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``minimum``."""

    def whole_number(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return number

    return whole_number


_positive_int = _at_least(1)


def run_filter(args: argparse.Namespace, out: TextIO) -> int:
    from contextlib import ExitStack

    from .filtering import FilterOptions, filter_stream

    if args.rejects and args.output != STDIN and _same_file(args.rejects, args.output):
        raise MtdetectError(f"-o and --rejects name the same file, {args.output}: give them different names")
    options = FilterOptions(
        mode=args.mode, score_field=args.score_field, text_field=args.text_field, column=args.column,
        input_format=args.input_format, encoding_errors=args.encoding_errors, paragraphs=not args.no_paragraphs,
        max_record_bytes=args.max_record_bytes,
    )
    detector = make_detector(args)
    with ExitStack() as stack:
        target = stack.enter_context(command_output(args.output, out))
        rejects = stack.enter_context(command_output(args.rejects, out)) if args.rejects else None
        meter = ByteMeter()
        progress = stack.enter_context(Progress(unit="rec", enabled=not target.isatty(),  # records would cross it
                                                total=input_size(args.files)))
        counts = filter_stream(args.files, detector, options, target, rejects, processes=args.processes,
                               on_error=lambda message: progress.message(f"mtdetect: {message}"),
                               progress=_moved_by(progress, meter), meter=meter)
        progress.close()
        target.flush()
    sys.stderr.write(f"mtdetect: {counts.summary()}\n")
    if counts.errors and not args.rejects:
        left_out = counted(counts.errors, "unreadable line")
        one = counts.errors == 1
        sys.stderr.write(f"mtdetect: {left_out} {'was' if one else 'were'} left out; "
                         f"keep {'it' if one else 'them'} with --rejects FILE\n")
        return EXIT_RECORDS_UNWRITTEN
    return EXIT_OK


def _same_file(first: str, second: str) -> bool:
    """Whether two outputs are one regular file (through links), which the second write would replace."""
    one, other = output_target(first), output_target(second)
    return one.kind == other.kind == "file" and one.path == other.path


# -- report ------------------------------------------------------------------------------

def run_report(args: argparse.Namespace, out: TextIO) -> int:
    from .report import DEFAULT_THRESHOLDS, ReportOptions, build_report, write

    refuse_html_on_a_terminal(args, out, "report.html", "--format text")
    options = ReportOptions(
        score_field=args.score_field, rescore=args.rescore, thresholds=args.thresholds or DEFAULT_THRESHOLDS,
        samples=args.samples, group_by=args.group_by, groups_shown=args.groups, seed=args.seed,
        input_format=args.input_format, text_field=args.text_field, column=args.column,
        encoding_errors=args.encoding_errors, max_record_bytes=args.max_record_bytes,
    )
    detector = make_detector(args)
    with command_output(args.output, out) as target:
        meter = ByteMeter()
        with Progress(unit="doc", total=input_size(args.files)) as progress:
            data, info = build_report(args.files, detector, options, progress=_moved_by(progress, meter),
                                      on_reject=lambda message: progress.message(f"mtdetect: {message}"),
                                      meter=meter)
        write(target, data, info, detector, args.format)
    if args.output != STDIN:
        sys.stderr.write(f"mtdetect: wrote a report of {data.document_count:,} documents to {args.output}\n")
    return EXIT_OK


# -- inputs and outputs ---------------------------------------------------------------------

SAME_FILE = "{name}: input file is output file (write to another name, then rename it if you like)"


def refuse_inputs_as_outputs(args: argparse.Namespace, out: TextIO) -> None:
    """Stop with an :class:`~mtdetect.errors.MtdetectError` when an output is one of the inputs.

    Writing a file while reading it would replace the input with the output
    (``score s.jsonl -o s.jsonl``), so every command refuses it before anything
    is read or written, as ``cat`` does, ``filter`` too (no in-place edits).
    Files are compared by device and inode, so a symbolic or hard link to an
    input is the input; standard input and output count when they are
    redirected to a file.
    """
    inputs = {identity: name for name in _input_names(args) if (identity := _input_identity(name)) is not None}
    for name in (getattr(args, "output", STDIN), getattr(args, "rejects", None)):
        if name is None:
            continue
        identity = _output_identity(out) if name == STDIN else file_identity(name)
        if identity is not None and identity in inputs:
            raise MtdetectError(SAME_FILE.format(name="standard output" if name == STDIN else name))


def _input_names(args: argparse.Namespace) -> list[str]:
    """The files a command reads: its ``FILE`` arguments, or ``align``'s two documents."""
    if hasattr(args, "files"):
        return list(args.files)
    return [args.original, args.garbled]


def _input_identity(name: str) -> tuple[int, int] | None:
    """An input's file identity (standard input's, when it is redirected from a file)."""
    if name != STDIN:
        return file_identity(name)
    try:
        return descriptor_identity(sys.stdin.fileno())
    except (AttributeError, OSError, ValueError):  # no standard input, or one with no descriptor
        return None


def _output_identity(out: TextIO) -> tuple[int, int] | None:
    """Standard output's file identity, when it is redirected to a file."""
    try:
        return descriptor_identity(out.fileno())
    except (AttributeError, OSError, ValueError):  # a stream in memory (tests, notebooks)
        return None


# -- entry point ----------------------------------------------------------------------

def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit status."""
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with stopping_signals_raise():
            refuse_inputs_as_outputs(args, out)
            _say_when_reading_a_terminal(args)
            status = args.handler(args, out)
            out.flush()  # a reader that left shows up here, not in the interpreter's last flush
        return status
    except OutputError as exc:
        sys.stderr.write(f"mtdetect: error: {exc}\n")
        _discard_unwritable(out)
        return EXIT_WRITE_FAILED
    except MtdetectError as exc:
        sys.stderr.write(f"mtdetect: error: {exc}\n")
        return EXIT_USAGE
    except MemoryError:
        sys.stderr.write("mtdetect: error: out of memory (split very large documents, or score fewer files at once)\n")
        return EXIT_USAGE
    except BrokenPipeError:
        # `mtdetect score ... | head`: the reader left; stop quietly.
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("mtdetect: interrupted\n")
        return EXIT_INTERRUPTED
    except Stopped as stop:
        sys.stderr.write(f"mtdetect: stopped by {signal.Signals(stop.signum).name}\n")
        return 128 + stop.signum


READING_A_TERMINAL = "mtdetect: reading standard input (end it with Ctrl-D; mtdetect {command} -h for help)\n"


def _say_when_reading_a_terminal(args: argparse.Namespace) -> None:
    """A command that reads what is typed says so, as it would otherwise wait in silence."""
    if STDIN in getattr(args, "files", ()) and is_terminal(sys.stdin):
        sys.stderr.write(READING_A_TERMINAL.format(command=args.command))
        sys.stderr.flush()


def _discard_unwritable(out: TextIO) -> None:
    """After a failed write, drop what standard output could not take, so exiting does not fail again."""
    try:
        out.flush()
    except OSError:
        _silence_stdout()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass

