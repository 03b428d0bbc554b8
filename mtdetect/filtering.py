"""Record streams: annotate or drop JSONL/TSV records by score, in blocks, over worker processes.

The whole stream filter on one screen:

1. **read** raw lines (bytes) from files or standard input, ``.gz``/``.zst``
   decompressed by extension (:func:`raw_lines`); an overlong line is cut off
   and rejected instead of filling memory;
2. **block** them: at most :data:`BLOCK_RECORDS` lines or :data:`BLOCK_BYTES`
   bytes each (:func:`blocks`), so memory stays flat however large the input;
3. **score** each block, here or in a worker process (:func:`process_block`):
   decode, parse, take the text field, score every paragraph of the block in
   one model call, then annotate each record under the score field;
4. **route**, in input order: kept records to the output, dropped records and
   unreadable lines to the rejects with their line number and reason
   (:func:`filter_stream`); with ``processes > 1`` a bounded window of blocks
   is in flight at once (:func:`scored_blocks`);
5. **count**: every line read is kept, dropped or an error, never lost
   (:class:`FilterCounts`).

A kept JSONL record is the input line with one key added at its end, so every
field, its order and its formatting survive::

    {"id": 7, "text": "...", "mtdetect": {"score": 0.0312, "paragraphs": [[0, 412, 0.0312]], "warnings": []}}

``score`` is the document score (paragraph scores weighted by length),
``paragraphs`` lists ``[start, end, score]`` per paragraph, with character
offsets into the text, and ``warnings`` lists ``[start, end, name]`` for each
paragraph whose score means little (``not_english``: see
:mod:`mtdetect.language`; one check per block). A TSV row gets three columns:
the score, the paragraphs as JSON and the warnings as JSON.

A JSONL reject carries, under the score field, ``rejected`` (``"dropped"`` or
``"error"``), ``reason``, ``source`` and ``line``, beside the record's own
fields; a line that is no JSON object is kept as ``raw`` (or ``raw_base64``
when it is not UTF-8). A TSV reject row is ``line``, ``reason``, then the
original row.

The same annotation serves the Python API: :func:`filter_records` (behind
:meth:`mtdetect.Detector.filter`) and :func:`score_series` for pandas batches.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from .atomic import atomic_writer
from .errors import InputError
from .inputs import STDIN, detect_format, display_name, open_binary, unescape_tsv
from .language import paragraph_warnings

if TYPE_CHECKING:
    import pandas

    from .detector import Detector, DocumentScore

Mode = Literal["annotate", "drop"]
RecordFormat = Literal["jsonl", "tsv"]
EncodingErrors = Literal["strict", "replace"]

BLOCK_RECORDS = 512
"""Most lines in one block (one model call scores all paragraphs of a block)."""
BLOCK_BYTES = 4 << 20
"""Most bytes in one block: long documents make smaller blocks, memory stays bounded."""
MAX_LINE_BYTES = 64 << 20
"""A longer line (binary junk, a file without line breaks) is rejected, not read into memory."""
BLOCKS_IN_FLIGHT_PER_PROCESS = 2
"""With worker processes, at most this many blocks per worker are queued or done but unwritten."""
DECIMALS = 4
"""Scores are written rounded to this many decimals."""
RAW_PREVIEW_BYTES = 1024
"""How much of an overlong line its reject keeps."""

DEFAULT_SCORE_FIELD = "mtdetect"
DROP_REASON = "garbled: document score {score:.4f} >= threshold {threshold:.4f}"

NOT_JSON = "not valid JSON ({detail}); is this JSONL? (choose the format with --input-format)"
NOT_OBJECT = "a JSON {kind}, not an object"
NO_TEXT_FIELD = "no field {field!r} (choose the text field with --text-field)"
TEXT_NOT_STRING = "field {field!r} is {kind}, not a string"
BAD_UTF8 = "invalid UTF-8 at byte {offset} (use --encoding-errors replace to read such lines anyway)"
TOO_FEW_COLUMNS = "has {found} columns, the header has {expected}"
LINE_TOO_LONG = "line longer than {limit} bytes (binary data, or a file without line breaks?)"


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
        return (
            f"read {self.read} records: kept {self.kept}, dropped {self.dropped}, "
            f"errors {self.errors} ({self.paragraphs} paragraphs)"
        )


@dataclass(slots=True)
class BlockResult:
    """A scored block: output text, rejects text, error messages and counts."""

    output: str
    rejects: str
    messages: list[str]
    counts: FilterCounts


@dataclass(frozen=True, slots=True)
class OverlongLine:
    """Stands in for a line longer than :data:`MAX_LINE_BYTES`: its size and first bytes."""

    size: int
    head: bytes


RawLine = tuple[int, "bytes | OverlongLine"]
"""A 1-based line number and the line's bytes (line break included or not)."""


@dataclass(frozen=True, slots=True)
class Block:
    """Lines of one input, scored together."""

    source: str  # the input's display name, for messages
    lines: list[RawLine]
    layout: TsvLayout | None = None  # TSV inputs only


@dataclass(frozen=True, slots=True)
class TsvLayout:
    """A TSV input's header and the index of its text column."""

    header: tuple[str, ...]
    text_index: int


# -- reading --------------------------------------------------------------------------

def record_format(name: str, requested: str = "auto") -> RecordFormat:
    """The record format of an input: TSV by its extension, JSONL otherwise.

    >>> record_format("crawl.tsv.gz"), record_format("crawl.jsonl.zst"), record_format("-")
    ('tsv', 'jsonl', 'jsonl')
    """
    if requested in ("jsonl", "tsv"):
        return requested  # type: ignore[return-value]
    if requested != "auto":
        raise InputError(f"the filter reads JSONL or TSV records, not {requested}")
    return "tsv" if name != STDIN and detect_format(name) == "tsv" else "jsonl"


def open_lines(name: str) -> IO[bytes]:
    """Open an input for reading lines of bytes (decompressing ``.gz``/``.zst``)."""
    handle = open_binary(name)
    if isinstance(handle, (io.BufferedReader, gzip.GzipFile)):
        return handle
    return io.BufferedReader(handle)  # type: ignore[arg-type]  # zstandard's reader has no readline


def raw_lines(handle: IO[bytes], limit: int | None = None) -> Iterator[RawLine]:
    """Numbered lines of bytes; a line over ``limit`` bytes comes as an :class:`OverlongLine`.

    ``limit`` defaults to :data:`MAX_LINE_BYTES`.

    >>> list(raw_lines(io.BytesIO(b'a\\n' + b'x' * 10 + b'\\nb'), limit=4))
    [(1, b'a\\n'), (2, OverlongLine(size=11, head=b'xxxxx')), (3, b'b')]
    """
    limit = MAX_LINE_BYTES if limit is None else limit
    number = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            head, size = line[:RAW_PREVIEW_BYTES], len(line)
            while line and not line.endswith(b"\n"):
                line = handle.readline(limit + 1)
                size += len(line)
            yield number, OverlongLine(size, head)
        else:
            yield number, line


def blocks(
    lines: Iterable[RawLine],
    source: str,
    layout: TsvLayout | None = None,
    max_records: int | None = None,
    max_bytes: int | None = None,
) -> Iterator[Block]:
    """Group lines into blocks of at most ``max_records`` lines and about ``max_bytes`` bytes.

    The limits default to :data:`BLOCK_RECORDS` and :data:`BLOCK_BYTES`.

    >>> lines = [(i, b"x" * 10) for i in range(1, 8)]
    >>> [len(b.lines) for b in blocks(lines, "in", max_records=3)]
    [3, 3, 1]
    >>> [len(b.lines) for b in blocks(lines, "in", max_bytes=25)]
    [3, 3, 1]
    """
    max_records = BLOCK_RECORDS if max_records is None else max_records
    max_bytes = BLOCK_BYTES if max_bytes is None else max_bytes
    batch: list[RawLine] = []
    size = 0
    for item in lines:
        batch.append(item)
        raw = item[1]
        size += len(raw) if isinstance(raw, bytes) else len(raw.head)
        if len(batch) >= max_records or size >= max_bytes:
            yield Block(source, batch, layout)
            batch, size = [], 0
    if batch:
        yield Block(source, batch, layout)


def tsv_layout(header_line: bytes, source: str, column: str, encoding_errors: EncodingErrors) -> TsvLayout:
    """Parse a TSV header and find the text column (by name, else by 1-based number).

    >>> tsv_layout(b"id\\ttext\\n", "in.tsv", "text", "strict")
    TsvLayout(header=('id', 'text'), text_index=1)
    """
    try:
        header = tuple(_strip_line_end(header_line.decode("utf-8", encoding_errors)).lstrip("\ufeff").split("\t"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: line 1 (the header): " + BAD_UTF8.format(offset=exc.start)) from None
    if column in header:
        return TsvLayout(header, header.index(column))
    if column.isdigit() and 1 <= int(column) <= len(header):
        return TsvLayout(header, int(column) - 1)
    raise InputError(f"{source}: no column {column!r} in the header ({', '.join(header)}); choose it with --column")


# -- one block ------------------------------------------------------------------------

@dataclass(slots=True)
class _Parsed:
    """A line read as a record, waiting for its score."""

    number: int
    line: str  # decoded, without the line break
    text: str
    record: dict[str, Any] | None  # JSONL only


def process_block(block: Block, detector: Detector, options: FilterOptions) -> BlockResult:
    """Parse, score (one model call for all paragraphs) and annotate the lines of a block."""
    counts = FilterCounts()
    parsed: list[_Parsed | tuple[int, str, str]] = []  # a record, or (line, reason, reject text)
    for number, raw in block.lines:
        item = _parse_line(number, raw, block, options)
        if item is None:
            continue  # a blank line is no record
        parsed.append(item)
    records = [p for p in parsed if isinstance(p, _Parsed)]
    scores = detector.score_documents([p.text for p in records])
    warnings = iter(document_warnings([p.text for p in records], scores))
    threshold = detector.threshold if options.threshold is None else options.threshold
    out: list[str] = []
    rejects: list[str] = []
    messages: list[str] = []
    score_iter = iter(scores)
    for item in parsed:
        counts.read += 1
        if not isinstance(item, _Parsed):
            number, reason, reject = item
            counts.errors += 1
            messages.append(f"{block.source}: line {number}: {reason}")
            rejects.append(reject)
            continue
        result = next(score_iter)
        counts.paragraphs += len(result.paragraphs)
        annotation = annotation_of(result, options.paragraphs, next(warnings))
        if options.mode == "drop" and result.score >= threshold:
            counts.dropped += 1
            reason = DROP_REASON.format(score=result.score, threshold=threshold)
            rejects.append(_reject_scored(item, block, options, annotation, reason))
        else:
            counts.kept += 1
            out.append(_annotated(item, block, options, annotation))
    return BlockResult("".join(out), "".join(rejects), messages, counts)


def _parse_line(number: int, raw: bytes | OverlongLine, block: Block, options: FilterOptions) -> _Parsed | tuple[int, str, str] | None:
    """A line as a record waiting for its score, an error ``(line, reason, reject)``, or None if blank."""
    if isinstance(raw, OverlongLine):
        reason = LINE_TOO_LONG.format(limit=MAX_LINE_BYTES)
        return number, reason, _reject_unreadable(number, raw.head, block, options, reason)
    try:
        line = raw.decode("utf-8", options.encoding_errors)
    except UnicodeDecodeError as exc:
        reason = BAD_UTF8.format(offset=exc.start)
        return number, reason, _reject_unreadable(number, raw, block, options, reason)
    line = _strip_line_end(line)
    if number == 1:
        line = line.lstrip("\ufeff")
    if not line.strip():
        return None
    if block.layout is not None:
        return _parse_tsv(number, line, block, options)
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        reason = NOT_JSON.format(detail=detail)
        return number, reason, _reject_unreadable(number, raw, block, options, reason)
    if not isinstance(record, dict):
        reason = NOT_OBJECT.format(kind=_json_kind(record))
        return number, reason, _reject_unreadable(number, raw, block, options, reason)
    text = record.get(options.text_field, _MISSING)
    if text is _MISSING:
        reason = NO_TEXT_FIELD.format(field=options.text_field)
    elif not isinstance(text, str):
        reason = TEXT_NOT_STRING.format(field=options.text_field, kind=_json_kind(text))
    else:
        return _Parsed(number, line, text, record)
    return number, reason, _reject_record(record, number, block, options, reason)


def _parse_tsv(number: int, line: str, block: Block, options: FilterOptions) -> _Parsed | tuple[int, str, str]:
    layout = block.layout
    assert layout is not None
    cells = line.split("\t")
    if layout.text_index >= len(cells):
        reason = TOO_FEW_COLUMNS.format(found=len(cells), expected=len(layout.header))
        return number, reason, _tsv_reject(number, reason, line)
    text = unescape_tsv(cells[layout.text_index])  # as `mtdetect score` reads it: \\, \n, \t
    return _Parsed(number, line, text, None)


_MISSING = object()


def _json_kind(value: object) -> str:
    """The JSON name of a parsed value's type.

    >>> _json_kind(None), _json_kind([1]), _json_kind(2.5), _json_kind(True)
    ('null', 'an array', 'a number', 'a boolean')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "an object"


def _strip_line_end(line: str) -> str:
    return line[:-1] if line.endswith("\n") else line


# -- annotations ------------------------------------------------------------------------

def document_warnings(texts: Sequence[str], results: Sequence[DocumentScore]) -> list[list[list[str]]]:
    """For each document, each paragraph's warnings: one language check over the whole batch.

    >>> from mtdetect.detector import DocumentScore, ParagraphScore
    >>> german = "Der Rat hat den Haushalt nach einer langen Debatte genehmigt."
    >>> texts = ["Fine.", "Fine.\\n\\n" + german]
    >>> results = [DocumentScore(0.1, [ParagraphScore(0, 5, 0.1)]),
    ...            DocumentScore(0.5, [ParagraphScore(0, 5, 0.1), ParagraphScore(7, 7 + len(german), 0.9)])]
    >>> document_warnings(texts, results)
    [[[]], [[], ['not_english']]]
    """
    spans = [text[p.start : p.end] for text, result in zip(texts, results, strict=True) for p in result.paragraphs]
    flat = iter(paragraph_warnings(spans))
    return [[next(flat) for _ in result.paragraphs] for result in results]


def annotation_of(
    result: DocumentScore, paragraphs: bool = True, warnings: Sequence[Sequence[str]] | None = None
) -> dict[str, Any]:
    """The score annotation of one document: its score, ``[start, end, score]`` per paragraph
    and, given each paragraph's warnings, ``[start, end, name]`` per warning.

    >>> from mtdetect.detector import DocumentScore, ParagraphScore
    >>> result = DocumentScore(0.123456, [ParagraphScore(0, 12, 0.123456), ParagraphScore(14, 30, 0.1)])
    >>> annotation_of(result, warnings=[[], ["not_english"]])
    {'score': 0.1235, 'paragraphs': [[0, 12, 0.1235], [14, 30, 0.1]], 'warnings': [[14, 30, 'not_english']]}
    >>> annotation_of(result, paragraphs=False)
    {'score': 0.1235}
    """
    annotation: dict[str, Any] = {"score": round(result.score, DECIMALS)}
    if paragraphs:
        annotation["paragraphs"] = [[p.start, p.end, round(p.score, DECIMALS)] for p in result.paragraphs]
    if warnings is not None:
        annotation["warnings"] = [
            [p.start, p.end, name] for p, names in zip(result.paragraphs, warnings, strict=True) for name in names
        ]
    return annotation


def _annotated(item: _Parsed, block: Block, options: FilterOptions, annotation: dict[str, Any]) -> str:
    if block.layout is not None:
        cells = [str(annotation["score"])]
        if options.paragraphs:
            cells.append(json.dumps(annotation["paragraphs"], separators=(",", ":")))
        cells.append(json.dumps(annotation["warnings"], separators=(",", ":")))
        return "\t".join([item.line, *cells]) + "\n"
    return add_json_field(item.line, item.record, options.score_field, annotation) + "\n"


def add_json_field(line: str, record: Mapping[str, Any] | None, key: str, value: Any) -> str:
    """The JSON object ``line`` with ``key`` set to ``value``, the rest of the line kept byte for byte.

    The key is appended before the closing brace; only when the record
    already has the key is the line written anew (with the key's value replaced).

    >>> add_json_field('{"id": 1, "text": "Hi"}  ', {"id": 1, "text": "Hi"}, "s", {"score": 0.5})
    '{"id": 1, "text": "Hi", "s": {"score": 0.5}}'
    >>> add_json_field('{"s": 1}', {"s": 1}, "s", 2)
    '{"s": 2}'
    """
    if record is None:
        record = json.loads(line)
    if key in record:
        return dumps({**record, key: value})
    body = line.rstrip()
    if not body.endswith("}"):
        raise ValueError("not a JSON object")
    separator = ", " if record else ""
    return f"{body[:-1]}{separator}{json.dumps(key)}: {dumps(value)}}}"


def dumps(value: Any) -> str:
    """JSON text, UTF-8 where it can be, ASCII escapes where a string holds lone surrogates.

    >>> dumps({"t": "café"}), dumps({"t": "\\ud800"})
    ('{"t": "café"}', '{"t": "\\\\ud800"}')
    """
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value)
    return text


def _reject_scored(item: _Parsed, block: Block, options: FilterOptions, annotation: dict[str, Any], reason: str) -> str:
    if block.layout is not None:
        return _tsv_reject(item.number, reason, item.line)
    note = {**annotation, "rejected": "dropped", "reason": reason, "source": block.source, "line": item.number}
    return add_json_field(item.line, item.record, options.score_field, note) + "\n"


def _reject_record(record: dict[str, Any], number: int, block: Block, options: FilterOptions, reason: str) -> str:
    """The reject of a parsed record that cannot be scored: all its fields and the reason."""
    note = {"rejected": "error", "reason": reason, "source": block.source, "line": number}
    return dumps({**record, options.score_field: note}) + "\n"


def _reject_unreadable(number: int, raw: bytes, block: Block, options: FilterOptions, reason: str) -> str:
    """The reject of a line that is no record: the reason and the line itself.

    A line that is valid UTF-8 is kept as ``raw``; other bytes as ``raw_base64``.
    """
    line = raw[:-1] if raw.endswith(b"\n") else raw
    if block.layout is not None:
        return _tsv_reject(number, reason, line.decode("utf-8", "replace"))
    note: dict[str, Any] = {"rejected": "error", "reason": reason, "source": block.source, "line": number}
    try:
        kept: dict[str, Any] = {"raw": line.decode("utf-8")}
    except UnicodeDecodeError:
        import base64

        kept = {"raw_base64": base64.b64encode(line).decode("ascii")}
    return dumps({options.score_field: note, **kept}) + "\n"


def _tsv_reject(number: int, reason: str, line: str) -> str:
    """A TSV reject row: line number, reason, then the original row."""
    return f"{number}\t{reason.replace(chr(9), ' ')}\t{line}\n"


# -- worker processes ------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(detector: Detector, options: FilterOptions) -> None:
    """Runs once in each worker: keep the detector (its model loads on first use there)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER["detector"] = detector
    _WORKER["options"] = options


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
    detector.score_documents(["Warm up."])  # build look-up tables once, before the workers fork
    pool = ProcessPoolExecutor(max_workers=processes, initializer=_init_worker, initargs=(detector, options))
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

def input_blocks(name: str, options: FilterOptions, expected_header: list[tuple[str, ...]]) -> Iterator[Block]:
    """The blocks of one input; for TSV, its header is read and checked first."""
    shown = display_name(name)
    handle = open_lines(name)
    try:
        lines = raw_lines(handle)
        layout = None
        if record_format(name, options.input_format) == "tsv":
            first = next(lines, None)
            if first is None:
                return
            if isinstance(first[1], OverlongLine):
                raise InputError(f"{shown}: line 1 (the header): " + LINE_TOO_LONG.format(limit=MAX_LINE_BYTES))
            layout = tsv_layout(first[1], shown, options.column, options.encoding_errors)
            if expected_header and expected_header[0] != layout.header:
                raise InputError(f"{shown}: its header differs from the first input's; filter them separately")
            expected_header.append(layout.header)
        yield from blocks(lines, shown, layout)
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc}") from None
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def filter_stream(
    inputs: Sequence[str],
    detector: Detector,
    options: FilterOptions,
    out: IO[str],
    rejects: IO[str] | None = None,
    processes: int = 1,
    on_error: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> FilterCounts:
    """Filter the records of ``inputs`` to ``out``; return the counts.

    Dropped records and lines that are no readable record go to ``rejects``
    (when given) with their reason and line number; each error is also passed
    to ``on_error`` (by default written to standard error).
    """
    report = on_error or (lambda message: sys.stderr.write(f"mtdetect: {message}\n"))
    counts = FilterCounts()
    headers: list[tuple[str, ...]] = []
    wrote_header = False

    def all_blocks() -> Iterator[Block]:
        for name in inputs:
            yield from input_blocks(name, options, headers)

    for result in scored_blocks(all_blocks(), detector, options, processes):
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


def utf8_text(out: IO[str]) -> IO[str]:
    """``out`` itself, writing UTF-8: records are UTF-8 whatever the locale says.

    A stream that can be reconfigured (standard output) is switched to UTF-8
    in place; another gets a UTF-8 writer over its bytes. (A second writer over
    standard output would close it when it is collected.)
    """
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    if encoding == "utf8" or not hasattr(out, "buffer"):
        return out
    out.flush()
    if isinstance(out, io.TextIOWrapper):
        out.reconfigure(encoding="utf-8", newline="\n")
        return out
    return io.TextIOWrapper(out.buffer, encoding="utf-8", newline="\n", write_through=True)


def _write_tsv_headers(header: tuple[str, ...], options: FilterOptions, out: IO[str], rejects: IO[str] | None) -> None:
    field = options.score_field
    added = [field, *([f"{field}_paragraphs"] if options.paragraphs else []), f"{field}_warnings"]
    out.write("\t".join([*header, *added]) + "\n")
    if rejects is not None:
        rejects.write("\t".join(["line", "reason", *header]) + "\n")


@contextmanager
def open_output(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """Open a text file for writing atomically, compressed by extension (``.gz``, ``.zst``).

    The file appears under its name only when the block succeeds; an
    interrupted run leaves no partial file.
    """
    name = str(path)
    with atomic_writer(path, "wb") as raw:
        if name.endswith(".gz"):
            binary: IO[bytes] = gzip.GzipFile(filename=Path(name).name[:-3], mode="wb", fileobj=raw, mtime=0)
        elif name.endswith(".zst"):
            import zstandard

            binary = zstandard.ZstdCompressor().stream_writer(raw, closefd=False)  # type: ignore[assignment]
        else:
            binary = raw
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n", write_through=False)  # type: ignore[arg-type]
        yield text
        text.flush()
        text.detach()
        if binary is not raw:
            binary.close()  # writes the compressed stream's end; ``raw`` stays open for the rename


# -- Python API: records and pandas -----------------------------------------------------------------

def filter_records(
    detector: Detector,
    records: Iterable[Mapping[str, Any]],
    text_field: str = "text",
    threshold: float | None = None,
    score_field: str | None = DEFAULT_SCORE_FIELD,
    mode: Mode = "drop",
    batch_size: int = 256,
) -> Iterator[dict[str, Any]]:
    """Records whose document score is under ``threshold``, each annotated under ``score_field``.

    Records are scored ``batch_size`` at a time (all their paragraphs in one
    model call) and yielded lazily, in order, as shallow copies. With
    ``mode="annotate"`` every record is yielded. A record without a string
    ``text_field`` raises :class:`~mtdetect.errors.InputError` naming it:
    nothing is left out silently.
    """
    if mode not in ("annotate", "drop"):
        raise ValueError(f"mode must be 'annotate' or 'drop', not {mode!r}")
    limit = detector.threshold if threshold is None else threshold
    batch: list[Mapping[str, Any]] = []
    index = 0

    def flush() -> Iterator[dict[str, Any]]:
        texts = [r[text_field] for r in batch]
        results = detector.score_documents(texts)
        warnings = document_warnings(texts, results) if score_field is not None else [None] * len(batch)
        for record, result, warned in zip(batch, results, warnings):
            if mode == "drop" and result.score >= limit:
                continue
            copy = dict(record)
            if score_field is not None:
                copy[score_field] = annotation_of(result, warnings=warned)
            yield copy

    for record in records:
        if not isinstance(record, Mapping):
            raise InputError(f"record {index}: a {type(record).__name__}, not a mapping")
        value = record.get(text_field, _MISSING)
        if value is _MISSING:
            raise InputError(f"record {index}: no field {text_field!r}")
        if not isinstance(value, str):
            raise InputError(f"record {index}: field {text_field!r} is {type(value).__name__}, not a string")
        batch.append(record)
        index += 1
        if len(batch) >= batch_size:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def score_series(detector: Detector, texts: pandas.Series, paragraphs: bool = False) -> pandas.Series:
    """Document scores of a pandas Series of texts, same index; missing texts score NaN.

    With ``paragraphs=True`` each value is the full annotation dict instead
    (``{"score": ..., "paragraphs": [[start, end, score], ...], "warnings": [...]}``), or None.
    """
    import pandas as pd

    values = texts.tolist()
    present = [i for i, v in enumerate(values) if isinstance(v, str)]
    results = detector.score_documents([values[i] for i in present])
    if paragraphs:
        out: list[Any] = [None] * len(values)
        warnings = document_warnings([values[i] for i in present], results)
        for i, result, warned in zip(present, results, warnings):
            out[i] = annotation_of(result, warnings=warned)
        return pd.Series(out, index=texts.index, name=texts.name, dtype=object)
    import numpy as np

    scores = np.full(len(values), np.nan)
    for i, result in zip(present, results):
        scores[i] = result.score
    return pd.Series(scores, index=texts.index, name=texts.name, dtype="float64")


__all__ = [
    "BLOCK_BYTES",
    "BLOCK_RECORDS",
    "Block",
    "BlockResult",
    "FilterCounts",
    "FilterOptions",
    "add_json_field",
    "annotation_of",
    "blocks",
    "document_warnings",
    "filter_records",
    "filter_stream",
    "open_output",
    "process_block",
    "raw_lines",
    "score_series",
    "scored_blocks",
]
