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
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from . import __version__
from .annotation import DEFAULT_SCORE_FIELD, score_rows, table_lines
from .atomic import guarded, open_output, output_target, utf8_text
from .detector import Detector
from .errors import MtdetectError, OutputError
from .explanation import TOP_CONTRIBUTIONS
from .model import ENV_MODEL
from .progress import Progress
from .records import (
    CHARACTERS_PER_BATCH,
    DOCUMENTS_PER_BATCH,
    STDIN,
    Document,
    display_name,
    dumps,
    read_documents,
    tsv_cell,
)
from .results import DocumentScore
from .wording import counted

if TYPE_CHECKING:
    from .report import HtmlWriter

EXIT_OK = 0
EXIT_WRITE_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


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


def _probability(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value}")
    return number


def _probabilities(value: str) -> tuple[float, ...]:
    return tuple(_probability(part.strip()) for part in value.split(",") if part.strip())


def make_detector(args: argparse.Namespace) -> Detector:
    import mtdetect

    detector = mtdetect.load(args.model, trust=args.trust_pickle, sha256=args.sha256)
    if args.threshold is not None:
        detector.threshold = args.threshold
    return detector


# -- score ----------------------------------------------------------------------

def run_score(args: argparse.Namespace, out: TextIO) -> int:
    """Score every input to standard output or to ``-o``."""
    detector = make_detector(args)
    with command_output(args.output, out) as target:
        return _score(args, detector, target)


def _score(args: argparse.Namespace, detector: Detector, out: TextIO) -> int:
    """Score the documents of every input a batch at a time, streaming rows out.

    A batch closes at DOCUMENTS_PER_BATCH documents or CHARACTERS_PER_BATCH characters,
    so memory stays bounded however many (or however long) the documents
    are; rows are flushed after each batch, so a reader such as ``head`` sees
    them early and a closed pipe stops the run at once. A line that cannot be
    read stops the run with its error, after the rows of every line before it.
    Each batch is scored in one call, explanations included when the output
    shows them (the table always shows flags).
    """
    fmt = args.format or ("table" if out.isatty() else "jsonl")
    writers = {"table": TableWriter, "jsonl": JsonlWriter, "tsv": TsvWriter, "html": _html_writer(args.files, detector)}
    writer = writers[fmt](out, detector.threshold, args.explain)
    progress = Progress(unit="doc", output=out)

    def score(batch: list[Document]) -> None:
        results = detector.score_documents([doc.text for doc in batch], explain=writer.explains, top=writer.top)
        with progress.apart():
            for doc, result in zip(batch, results):
                writer.document(doc, result)
            out.flush()
        progress.update(len(batch))

    batch: list[Document] = []
    chars = 0
    documents = _all_documents(args)
    while True:
        try:
            doc = next(documents)
        except StopIteration:
            break
        except MtdetectError:
            if batch:
                score(batch)
            raise
        batch.append(doc)
        chars += len(doc.text)
        if len(batch) >= DOCUMENTS_PER_BATCH or chars >= CHARACTERS_PER_BATCH:
            score(batch)
            batch, chars = [], 0
    if batch:
        score(batch)
    progress.close()
    writer.close()
    out.flush()
    return EXIT_OK


def _all_documents(args: argparse.Namespace) -> Iterator[Document]:
    for name in args.files:
        yield from read_documents(name, args.input_format, args.text_field, args.column, args.encoding_errors)


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
        more = f" and {len(self.empty) - EMPTY_SHOWN} more" if len(self.empty) > EMPTY_SHOWN else ""
        sys.stderr.write(f"mtdetect: {shown}{more}: 0 paragraphs (no text), no rows written\n")


class TsvWriter(JsonlWriter):
    """Tab-separated rows with a header; ``warnings`` is a comma-separated list of names."""

    COLUMNS = ("source", "line", "paragraph", "start", "end", "score", "garbled", "document_score", "warnings")
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

    original = read_text(args.original)
    garbled = read_text(args.garbled)
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
    )
    detector = make_detector(args)
    with ExitStack() as stack:
        target = stack.enter_context(command_output(args.output, out))
        rejects = stack.enter_context(command_output(args.rejects, out)) if args.rejects else None
        progress = stack.enter_context(Progress(unit="rec", enabled=not target.isatty()))  # records would cross it
        counts = filter_stream(args.files, detector, options, target, rejects, processes=args.processes,
                               on_error=lambda message: progress.message(f"mtdetect: {message}"),
                               progress=progress.update)
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

    if args.format == "html" and args.output == STDIN and out.isatty():
        raise MtdetectError("the HTML report is a page, not terminal output: write it with -o report.html "
                            "(or use --format text)")
    options = ReportOptions(
        score_field=args.score_field, rescore=args.rescore, thresholds=args.thresholds or DEFAULT_THRESHOLDS,
        samples=args.samples, group_by=args.group_by, groups_shown=args.groups, seed=args.seed,
        input_format=args.input_format, text_field=args.text_field, column=args.column,
        encoding_errors=args.encoding_errors,
    )
    detector = make_detector(args)
    with command_output(args.output, out) as target:
        with Progress(unit="doc") as progress:
            data, info = build_report(args.files, detector, options, progress=progress.update,
                                      on_reject=lambda message: progress.message(f"mtdetect: {message}"))
        write(target, data, info, detector, args.format)
    if args.output != STDIN:
        sys.stderr.write(f"mtdetect: wrote a report of {data.document_count:,} documents to {args.output}\n")
    return EXIT_OK


# -- entry point ----------------------------------------------------------------------

def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit status."""
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
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

