"""Record streams: annotate or drop JSONL/TSV records by score, in blocks, over worker processes.

The whole stream filter on one screen:

1. **read** raw lines (bytes) from files or standard input, ``.gz``/``.zst``
   decompressed by extension (:func:`mtdetect.records.input_lines`); an
   overlong line is cut off and rejected instead of filling memory;
2. **block** them: at most :data:`BLOCK_RECORDS` lines or :data:`BLOCK_BYTES`
   bytes each (:func:`blocks`), so memory stays flat however large the input;
   a block runs on across inputs, so many small files score as fast as one;
3. **score** each block, here or in a worker process (:func:`process_block`):
   parse each line as a record or a reject (:func:`mtdetect.records.parse_line`),
   score the records a batch of paragraphs per call (:mod:`mtdetect.scoring`,
   rejects pass through in their place), then annotate each record under the
   score field (:func:`mtdetect.annotation.filter_annotation`);
4. **route**, in input order: kept records to the output, dropped records and
   unreadable lines to the rejects with their line number and reason
   (:func:`filter_stream`); with ``processes > 1`` a bounded window of blocks
   is in flight at once (:func:`scored_blocks`);
5. **count**: every line read is kept, dropped or an error, never lost
   (:class:`FilterCounts`).

A kept JSONL record is the input line with one key added at its end, so every
field, its order and its formatting survive::

    {"id": 7, "text": "...", "mtdetect": {"score": 0.0312, "paragraphs": [[0, 412, 0.0312]], "warnings": []}}

``score`` is the document score (its English paragraphs' evidence added up),
``paragraphs`` lists ``[start, end, score]`` per paragraph, with character
offsets into the text, and ``warnings`` lists ``[start, end, name]`` for each
paragraph whose score means little (``not_english``: see
:mod:`mtdetect.language`). A TSV row gets three columns:
the score, the paragraphs as JSON and the warnings as JSON.

A JSONL reject carries, under the score field, ``rejected`` (``"dropped"`` or
``"error"``), ``reason``, ``source`` and ``line``, beside the record's own
fields; a line that is no JSON object is kept as ``raw`` (or ``raw_base64``
when it is not UTF-8). A TSV reject row is ``line``, ``reason``, then the
original row.

The same annotation serves the Python API (:mod:`mtdetect.batches`).
"""

from __future__ import annotations

import base64
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal

from .annotation import DEFAULT_SCORE_FIELD, drop_reason, filter_annotation, tsv_cells, tsv_columns
from .errors import InputError
from .records import (
    MAX_LINE_BYTES,
    ByteMeter,
    STDIN,
    Document,
    EncodingErrors,
    RawLine,
    Reject,
    TsvLayout,
    add_json_field,
    detect_format,
    display_name,
    dumps,
    input_lines,
    parse_line,
    record_format,
)
from .scoring import scored
from .wording import counted

BOM_BYTES = "\ufeff".encode()

if TYPE_CHECKING:
    from .detector import Detector

Mode = Literal["annotate", "drop"]

BLOCK_RECORDS = 512
"""Most lines in one block (the unit of work handed to a worker process)."""
BLOCK_BYTES = 4 << 20
"""Most bytes in one block: long documents make smaller blocks, memory stays bounded."""
BLOCKS_IN_FLIGHT_PER_PROCESS = 2
"""With worker processes, at most this many blocks per worker are queued or done but unwritten."""


# -- options, counts and results -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FilterOptions:
    """How records are read, judged and annotated."""

    mode: Mode = "annotate"
    score_field: str = DEFAULT_SCORE_FIELD
    text_field: str = "text"  # JSONL
    column: str = "text"  # TSV: a header name or a 1-based number
    input_format: Literal["auto", "jsonl", "tsv"] = "auto"
    encoding_errors: EncodingErrors = "strict"
    threshold: float | None = None  # None: the detector's threshold
    paragraphs: bool = True  # add per-paragraph scores, not only the document score
    max_record_bytes: int = MAX_LINE_BYTES  # a longer line is rejected unread

    def __post_init__(self) -> None:
        if self.mode not in ("annotate", "drop"):
            raise ValueError(f"mode must be 'annotate' or 'drop', not {self.mode!r}")
        if not self.score_field:
            raise ValueError("the score field needs a name")


@dataclass(slots=True)
class FilterCounts:
    """What happened to the lines of a stream: ``read == kept + dropped + errors``.

    >>> counts = FilterCounts(read=5, kept=3, dropped=1, errors=1, paragraphs=9)
    >>> counts.balanced, counts.summary()
    (True, 'read 5 records: kept 3, dropped 1, errors 1 (9 paragraphs)')
    """

    read: int = 0
    kept: int = 0
    dropped: int = 0
    errors: int = 0
    paragraphs: int = 0

    def add(self, other: FilterCounts) -> None:
        self.read += other.read
        self.kept += other.kept
        self.dropped += other.dropped
        self.errors += other.errors
        self.paragraphs += other.paragraphs

    @property
    def balanced(self) -> bool:
        """True when every record read was kept, dropped or reported as an error."""
        return self.read == self.kept + self.dropped + self.errors

    def summary(self) -> str:
        """The counts in a sentence.

        >>> FilterCounts(read=1, kept=1, paragraphs=1).summary()
        'read 1 record: kept 1, dropped 0, errors 0 (1 paragraph)'
        >>> FilterCounts(read=21000, kept=20000, dropped=1000, paragraphs=45000).summary()
        'read 21,000 records: kept 20,000, dropped 1,000, errors 0 (45,000 paragraphs)'
        """
        return (
            f"read {counted(self.read, 'record')}: kept {self.kept:,}, dropped {self.dropped:,}, "
            f"errors {self.errors:,} ({counted(self.paragraphs, 'paragraph')})"
        )


@dataclass(slots=True)
class BlockResult:
    """A scored block: output text, rejects text, error messages and counts."""

    output: str
    rejects: str
    messages: list[str]
    counts: FilterCounts


@dataclass(frozen=True, slots=True)
class Part:
    """Lines of one input in a block."""

    source: str  # the input's display name, for messages
    lines: list[RawLine]
    layout: TsvLayout | None = None  # TSV inputs only


@dataclass(frozen=True, slots=True)
class Block:
    """Lines handed out together (to a worker): the lines of one input, or of several in a row."""

    parts: list[Part]


Input = tuple[str, "TsvLayout | None", Iterable[RawLine]]
"""One input as :func:`blocks` takes it: its display name, its TSV layout (or None) and its lines."""


# -- blocks ------------------------------------------------------------------------------------

def blocks(inputs: Iterable[Input], max_records: int | None = None, max_bytes: int | None = None) -> Iterator[Block]:
    """Group the lines of ``inputs``, in order, into blocks of at most ``max_records`` lines and about
    ``max_bytes`` bytes; a block runs on from one input into the next.

    The limits default to :data:`BLOCK_RECORDS` and :data:`BLOCK_BYTES`. An
    input that fails (missing, damaged, a TSV header unlike the first) stops
    the blocks after every whole input before it has been handed out.

    >>> lines = [(i, 10 * (i - 1), b"x" * 10) for i in range(1, 8)]
    >>> [len(b.parts[0].lines) for b in blocks([("in", None, lines)], max_records=3)]
    [3, 3, 1]
    >>> [len(b.parts[0].lines) for b in blocks([("in", None, lines)], max_bytes=25)]
    [3, 3, 1]
    >>> [[(p.source, len(p.lines)) for p in b.parts] for b in blocks([("a", None, lines[:2]), ("b", None, lines)], 4)]
    [[('a', 2), ('b', 2)], [('b', 4)], [('b', 1)]]
    """
    max_records = BLOCK_RECORDS if max_records is None else max_records
    max_bytes = BLOCK_BYTES if max_bytes is None else max_bytes
    whole: list[Part] = []  # the inputs read to their end since the last block
    count = size = 0
    inputs = iter(inputs)
    while True:
        try:
            got = next(inputs, None)
            if got is None:
                break
            source, layout, lines = got
            part = Part(source, [], layout)
            for item in lines:
                part.lines.append(item)
                raw = item[2]
                count += 1
                size += len(raw) if isinstance(raw, bytes) else len(raw.head)
                if count >= max_records or size >= max_bytes:
                    yield Block([*whole, part])
                    whole, part, count, size = [], Part(source, [], layout), 0, 0
        except Exception:
            if whole:  # the inputs before the failing one are whole: theirs are written before the error
                yield Block(whole)
            raise
        if part.lines:
            whole.append(part)
    if whole:
        yield Block(whole)


# -- one block ------------------------------------------------------------------------

def process_block(block: Block, detector: Detector, options: FilterOptions) -> BlockResult:
    """Parse, score (:mod:`mtdetect.scoring`) and annotate the lines of a block, in order."""
    counts = FilterCounts()
    out: list[str] = []
    rejects: list[str] = []
    messages: list[str] = []
    threshold = detector.threshold if options.threshold is None else options.threshold
    for (part, item), result in scored(detector, _parsed(block, options), _text_to_score, threshold=threshold):
        counts.read += 1
        if isinstance(item, Reject):
            counts.errors += 1
            messages.append(f"{part.source}: line {item.line}: {item.message}")
            rejects.append(_reject_unreadable(item, part, options))
            continue
        assert result is not None  # a document has a text
        counts.paragraphs += len(result.paragraphs)
        annotation = filter_annotation(result, options.paragraphs)
        if options.mode == "drop" and result.garbled:
            counts.dropped += 1
            reason = drop_reason(result, threshold)
            rejects.append(_reject_scored(item, part, options, annotation, reason))
        else:
            counts.kept += 1
            out.append(_annotated(item, part, options, annotation))
    return BlockResult("".join(out), "".join(rejects), messages, counts)


def _parsed(block: Block, options: FilterOptions) -> Iterator[tuple[Part, Document | Reject]]:
    """Each line of a block that is not blank, parsed as a record or a reject, with its part."""
    for part in block.parts:
        for number, offset, raw in part.lines:
            item = parse_line(number, offset, raw, part.source, part.layout, options.text_field, options.encoding_errors)
            if item is not None:  # a blank line is no record
                yield part, item


def _text_to_score(parsed: tuple[Part, Document | Reject]) -> str | None:
    """A record's text; None for a reject, which passes through unscored."""
    item = parsed[1]
    return item.text if isinstance(item, Document) else None


# -- annotated records ------------------------------------------------------------------------

def _annotated(item: Document, part: Part, options: FilterOptions, annotation: dict[str, Any]) -> str:
    assert item.raw is not None and item.line is not None
    if part.layout is not None:
        return "\t".join([item.raw, *tsv_cells(annotation)]) + "\n"
    return add_json_field(item.raw, item.record, options.score_field, annotation) + "\n"


def _reject_scored(item: Document, part: Part, options: FilterOptions, annotation: dict[str, Any], reason: str) -> str:
    assert item.raw is not None and item.line is not None
    if part.layout is not None:
        return _tsv_reject(item.line, reason, item.raw)
    note = {**annotation, "rejected": "dropped", "reason": reason, "source": part.source, "line": item.line}
    return add_json_field(item.raw, item.record, options.score_field, note) + "\n"


def _reject_unreadable(item: Reject, part: Part, options: FilterOptions) -> str:
    """The reject of a line that is no record to score: the reason and the record or the line itself.

    A parsed JSON object keeps all its fields; a line that is valid UTF-8 is
    kept as ``raw``; other bytes as ``raw_base64``.
    """
    number, reason = item.line, item.message
    line = item.raw.removesuffix(b"\n").removesuffix(b"\r") if part.layout is not None else item.raw.removesuffix(b"\n")
    if part.layout is not None:
        return _tsv_reject(number, reason, line.decode("utf-8", "replace"))
    note: dict[str, Any] = {"rejected": "error", "reason": reason, "source": part.source, "line": number}
    if item.record is not None:
        return dumps({**item.record, options.score_field: note}) + "\n"
    try:
        kept: dict[str, Any] = {"raw": line.decode("utf-8")}
    except UnicodeDecodeError:
        kept = {"raw_base64": base64.b64encode(line).decode("ascii")}
    return dumps({options.score_field: note, **kept}) + "\n"


def _tsv_reject(number: int, reason: str, line: str) -> str:
    """A TSV reject row: line number, reason, then the original row."""
    return f"{number}\t{reason.replace(chr(9), ' ')}\t{line}\n"


# -- worker processes ------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


PARENT_CHECK_SECONDS = 0.5
"""How often a worker checks that the process that started it is still there."""


def _init_worker(detector: Detector, options: FilterOptions, parent: int) -> None:
    """Runs once in each worker: keep the detector (its model loads on first use there), and
    watch the parent process ``parent``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for signum in (signal.SIGTERM, signal.SIGHUP):  # sent to the whole group: just end (the parent cleans up)
        signal.signal(signum, signal.SIG_DFL)
    _WORKER["detector"] = detector
    _WORKER["options"] = options
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_with_parent(parent: int) -> None:
    """End this worker as soon as its parent is gone (killed outright, it could not shut the pool
    down): a worker left behind would hold its memory and the parent's open files."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _work(block: Block) -> BlockResult:
    return process_block(block, _WORKER["detector"], _WORKER["options"])


def scored_blocks(
    items: Iterable[Block], detector: Detector, options: FilterOptions, processes: int = 1
) -> Iterator[BlockResult]:
    """Results of :func:`process_block` in input order, from this process or ``processes`` workers.

    With workers, at most :data:`BLOCKS_IN_FLIGHT_PER_PROCESS` blocks per
    worker are queued or finished but not yet taken, so memory stays bounded
    even when the reader of the output is slow.
    """
    if processes <= 1:
        for block in items:
            yield process_block(block, detector, options)
        return
    detector.score_document("Warm up.")  # build look-up tables once, before the workers fork
    pool = ProcessPoolExecutor(max_workers=processes, initializer=_init_worker,
                               initargs=(detector, options, os.getpid()))
    window: deque[Future[BlockResult]] = deque()
    limit = BLOCKS_IN_FLIGHT_PER_PROCESS * processes
    try:
        for block in items:
            window.append(pool.submit(_work, block))
            if len(window) >= limit:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# -- streams ------------------------------------------------------------------------------

PLAIN_TEXT = (
    "{name}: looks like plain text, not JSONL records (its first line is no JSON object); "
    "`mtdetect filter` reads JSONL or TSV records: score plain text with `mtdetect score{argument}`"
)


def input_parts(inputs: Iterable[str], options: FilterOptions, headers: list[tuple[str, ...]],
                meter: ByteMeter | None = None) -> Iterator[Input]:
    """Each input opened in turn, as :func:`blocks` takes it; a TSV input's header is read and
    checked against the first one's (kept in ``headers``); ``meter`` counts the bytes read. An
    input that does not say it is JSONL (by its name or ``input_format``) and whose first line is
    not a JSON object is plain text: an :class:`~mtdetect.errors.InputError` before anything is read."""
    for name in inputs:
        shown = display_name(name)
        fmt = record_format(name, options.input_format)
        layout, lines = input_lines(name, fmt, options.column, options.encoding_errors, options.max_record_bytes,
                                    meter)
        if fmt == "jsonl" and options.input_format == "auto" and (name == STDIN or detect_format(name) != "jsonl"):
            lines = _refuse_plain_text(lines, shown)
        if layout is not None:
            if headers and headers[0] != layout.header:
                raise InputError(f"{shown}: its header differs from the first input's; filter them separately")
            headers.append(layout.header)
        yield shown, layout, lines


def _refuse_plain_text(lines: Iterator[RawLine], shown: str) -> Iterator[RawLine]:
    """``lines``, unless the first one that is not blank starts like no JSON object."""
    for item in lines:
        raw = item[2]
        if isinstance(raw, bytes):
            head = raw.lstrip(b" \t\r\n").removeprefix(BOM_BYTES).lstrip()
            if not head:
                yield item
                continue
            if not head.startswith(b"{"):
                argument = "" if shown == display_name(STDIN) else f" {shown}"
                raise InputError(PLAIN_TEXT.format(name=shown, argument=argument))
        yield item
        break
    yield from lines


def filter_stream(
    inputs: Sequence[str],
    detector: Detector,
    options: FilterOptions,
    out: IO[str],
    rejects: IO[str] | None = None,
    processes: int = 1,
    on_error: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    meter: ByteMeter | None = None,
) -> FilterCounts:
    """Filter the records of ``inputs`` to ``out``; return the counts.

    Dropped records and lines that are no readable record go to ``rejects``
    (when given) with their reason and line number; each error is also passed
    to ``on_error`` (by default written to standard error). ``progress`` is called with the
    records of each block done; ``meter`` counts the bytes read from the inputs.
    """
    report = on_error or (lambda message: sys.stderr.write(f"mtdetect: {message}\n"))
    counts = FilterCounts()
    headers: list[tuple[str, ...]] = []
    wrote_header = False

    for result in scored_blocks(blocks(input_parts(inputs, options, headers, meter)), detector, options, processes):
        if headers and not wrote_header:
            _write_tsv_headers(headers[0], options, out, rejects)
            wrote_header = True
        out.write(result.output)
        if rejects is not None and result.rejects:
            rejects.write(result.rejects)
        for message in result.messages:
            report(message)
        counts.add(result.counts)
        if progress is not None:
            progress(result.counts.read)
    if headers and not wrote_header:  # TSV input with a header and no rows
        _write_tsv_headers(headers[0], options, out, rejects)
    return counts


def _write_tsv_headers(header: tuple[str, ...], options: FilterOptions, out: IO[str], rejects: IO[str] | None) -> None:
    out.write("\t".join([*header, *tsv_columns(options.score_field, options.paragraphs)]) + "\n")
    if rejects is not None:
        rejects.write("\t".join(["line", "reason", *header]) + "\n")


__all__ = [
    "BLOCK_BYTES",
    "BLOCK_RECORDS",
    "Block",
    "BlockResult",
    "FilterCounts",
    "FilterOptions",
    "Part",
    "blocks",
    "filter_stream",
    "process_block",
    "scored_blocks",
]
