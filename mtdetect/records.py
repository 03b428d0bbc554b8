"""Records in and out: text, JSONL and TSV inputs read one way, and JSONL/TSV text written back.

One reader serves ``mtdetect score``, ``mtdetect filter`` and the training
pair files:

1. :func:`raw_lines` reads numbered lines of bytes from a file or standard
   input (``.gz``/``.zst`` decompressed by extension, :func:`open_binary`);
   a line over a limit comes as an :class:`OverlongLine` instead of filling
   memory;
2. :func:`parse_line` turns one line into a :class:`Document` (its text and
   all its fields) or a :class:`Reject` ``(line, reason)``: invalid UTF-8,
   bad JSON, no object, no text field or a non-string one, a TSV row whose
   cell count differs from the header's; a blank line is no record. The first
   line loses one byte-order mark; a line loses its ``\n`` or ``\r\n``; TSV
   cells are split on tabs and unescaped (:func:`unescape_tsv`). Files are
   UTF-8, or UTF-16/UTF-32 with a byte-order mark (read as UTF-8, so byte
   offsets in messages count UTF-8 bytes);
3. :func:`read_records` yields the documents and rejects of one input (a
   plain-text file is one document); :func:`read_documents` stops at the
   first reject with an :class:`~mtdetect.errors.InputError` naming the file
   and line, as ``mtdetect score`` does, while ``mtdetect filter`` parses
   blocks of raw lines in worker processes and keeps the rejects
   (:mod:`mtdetect.filtering`).

Every document keeps where it came from (file and line), so errors and output
rows can name it. Written back, a JSONL record keeps its bytes and gets one key
more (:func:`add_json_field`); JSON text is valid UTF-8 even where a string
holds lone surrogates (:func:`dumps`); TSV cells are escaped (:func:`tsv_cell`).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import stat
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import zstandard

from .errors import InputError
from .wording import counted

InputFormat = Literal["auto", "text", "jsonl", "tsv"]
RecordFormat = Literal["jsonl", "tsv"]
EncodingErrors = Literal["strict", "replace"]

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
TSV_SUFFIXES = (".tsv",)
COMPRESSED_SUFFIXES = (".gz", ".zst")
STDIN = "-"
BOM = "\ufeff"
MAX_LINE_BYTES = 64 << 20
"""The record size limit of every command (``--max-record-bytes``): a longer line (binary junk, a file
without line breaks, a decompression bomb) or text file is rejected unread, never held in memory."""
RAW_PREVIEW_BYTES = 1024
"""How much of an overlong line its reject keeps."""
DOCUMENTS_PER_BATCH = 256
"""Documents a pipeline step gathers before it scores them (the datatrove step's ``batch_size``);
the scoring loop (:mod:`mtdetect.scoring`) cuts what it is handed by paragraphs, not documents."""
PARAGRAPHS_PER_BATCH = 2048
"""Paragraphs scored in one :meth:`~mtdetect.Detector.score_documents` call at most (a document
with none counts as one), unless one document alone has more. 2,048 is what the Detector scores in
one model call (its ``BATCH_SIZE``): a smaller batch leaves model calls part empty on short
documents, a larger one only holds more rows back before they are written ..."""
CHARACTERS_PER_BATCH = 1 << 22
"""... and characters, about 4M: memory stays bounded however long the paragraphs are."""
_READ_ERRORS = (OSError, EOFError, zlib.error, zstandard.ZstdError, UnicodeDecodeError)
"""What a damaged file, compressed stream or UTF-16/UTF-32 text raises while it is read."""
WIDE_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its mark starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
"""Byte-order marks of the encodings read besides UTF-8 (Windows tools write UTF-16)."""

NOT_JSON = "not valid JSON ({detail})"
NOT_OBJECT = "expected a JSON object, found {kind}"
NO_TEXT_FIELD = "no field {field!r}"
TEXT_NOT_STRING = "field {field!r} is {kind}, not a string"
BAD_UTF8 = "invalid UTF-8 at byte offset {offset}"
COLUMN_COUNT = "row has {found}, header has {expected}"
NUL_BYTES = "looks like a binary file (NUL bytes), not text (UTF-16 or UTF-32 text needs a byte-order mark)"
LINE_TOO_LONG = "line longer than {limit} bytes (binary data, or a file without line breaks?)"
TEXT_TOO_LONG = "longer than {limit} bytes"

JSON_HINT = "is this JSONL? choose the format with --input-format"
CUT_SHORT_HINT = "the file ends inside this line, without a line break: was it cut short?"
TEXT_FIELD_HINT = "choose it with --text-field"
ENCODING_HINT = "use --encoding-errors replace to read it anyway"
LIMIT_HINT = "raise the limit with --max-record-bytes"


@dataclass(frozen=True, slots=True)
class Document:
    """One document: its text, where it came from, and (for records) all its fields."""

    source: str  # file name, or "<stdin>"
    line: int | None  # 1-based line of a JSONL/TSV record; None for a whole text file
    text: str
    record: dict[str, Any] | None = None  # a JSONL object, or a TSV row by column name
    raw: str | None = None  # the record's line, decoded, without its line break

    @property
    def where(self) -> str:
        """Where it came from, for people: the file, and for a record ``:line``.

        >>> Document("in.jsonl", 3, "Hi").where, Document("a.txt", None, "Hi").where
        ('in.jsonl:3', 'a.txt')
        """
        return self.source if self.line is None else f"{self.source}:{self.line}"


@dataclass(frozen=True, slots=True)
class Reject:
    """A line that is no readable record: its number, why, and what to do about it.

    >>> Reject(3, "no field 'text'", "choose it with --text-field").message
    "no field 'text' (choose it with --text-field)"
    """

    line: int
    reason: str
    hint: str = ""
    raw: bytes = b""  # the line as read (its first bytes, for an overlong one)
    record: dict[str, Any] | None = None  # the parsed JSON object, when the line is one

    @property
    def message(self) -> str:
        return f"{self.reason} ({self.hint})" if self.hint else self.reason


@dataclass(frozen=True, slots=True)
class OverlongLine:
    """Stands in for a line longer than the reader's limit: its size, first bytes and the limit."""

    size: int
    head: bytes
    limit: int


RawLine = tuple[int, int, "bytes | OverlongLine"]
"""A 1-based line number, the byte offset where the line starts, and its bytes (line break included)."""


@dataclass(frozen=True, slots=True)
class TsvLayout:
    """A TSV input's header and the index of its text column."""

    header: tuple[str, ...]
    text_index: int


# -- opening inputs -------------------------------------------------------------------------


def detect_format(name: str) -> Literal["text", "jsonl", "tsv"]:
    """The input format a file name implies (compression suffixes ignored).

    >>> detect_format("crawl.jsonl.zst"), detect_format("a.tsv"), detect_format("article.txt")
    ('jsonl', 'tsv', 'text')
    """
    stem = name
    for suffix in COMPRESSED_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    if stem.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if stem.endswith(TSV_SUFFIXES):
        return "tsv"
    return "text"


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


class ByteMeter:
    """Counts the bytes read from input files, as they are stored (compressed, for ``.gz`` and
    ``.zst``), so that the share read of their size on disk tells how far a run has got.

    >>> meter = ByteMeter()
    >>> meter(10), meter(5), meter.total
    (None, None, 15)
    """

    def __init__(self) -> None:
        self.total = 0

    def __call__(self, count: int) -> None:
        self.total += count


def input_size(names: Sequence[str]) -> int | None:
    """The bytes on disk of all the inputs, or None when one has no size known beforehand
    (standard input, a pipe, a file that is not there).

    >>> input_size(["-"]) is None
    True
    """
    total = 0
    for name in names:
        try:
            status = Path(name).stat() if name != STDIN else None
        except OSError:
            return None
        if status is None or not stat.S_ISREG(status.st_mode):
            return None
        total += status.st_size
    return total


class _Metered(io.RawIOBase):
    """A file whose reads are counted by a :class:`ByteMeter`."""

    def __init__(self, raw: IO[bytes], meter: ByteMeter) -> None:
        self._raw, self._meter = raw, meter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._meter(count or 0)
        return count

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _open_stored(path: Path, meter: ByteMeter | None) -> IO[bytes]:
    """A file's stored bytes, read through ``meter`` when one is given."""
    if meter is None:
        return open(path, "rb")
    return io.BufferedReader(_Metered(open(path, "rb", buffering=0), meter))


class _GzipReader(gzip.GzipFile):
    """A gzip stream read from an open file, which it closes when it is closed."""

    def __init__(self, stored: IO[bytes]) -> None:
        super().__init__(fileobj=stored, mode="rb")
        self._stored = stored

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._stored.close()


def open_binary(name: str, meter: ByteMeter | None = None) -> IO[bytes]:
    """Open a file (or ``-`` for stdin) for reading lines of bytes, decompressing by extension;
    ``meter`` counts the bytes read from the file."""
    if name == STDIN:
        return as_utf8(sys.stdin.buffer, closes=False)
    path = Path(name)
    if not path.exists():
        raise InputError(f"{name}: no such file")
    if path.is_dir():
        raise InputError(f"{name}: is a directory, not a file")
    try:
        if name.endswith(".gz"):
            return as_utf8(_GzipReader(_open_stored(path, meter)))
        if name.endswith(".zst"):
            return as_utf8(io.BufferedReader(_ZstdFrames(_open_stored(path, meter))))
        return as_utf8(_open_stored(path, meter))
    except OSError as exc:
        raise InputError(f"{name}: {exc.strerror or exc}") from None


def as_utf8(handle: IO[bytes], closes: bool = True) -> IO[bytes]:
    """``handle``, or for UTF-16/UTF-32 text with a byte-order mark, its text as UTF-8 bytes.

    ``closes``: closing the result closes ``handle`` (not wanted for standard input).

    >>> as_utf8(io.BufferedReader(io.BytesIO("\\ufeffcafé\\n".encode("utf-16-le")))).read()
    b'caf\\xc3\\xa9\\n'
    """
    peeks = hasattr(handle, "peek")
    try:
        head = handle.peek(4)[:4] if peeks else b""
    except _READ_ERRORS:  # a damaged stream: reading it says how
        return handle
    if peeks and not head:
        # The end already: a terminal's Ctrl-D is read once, and a second read would wait for another.
        return io.BytesIO()
    for mark, encoding in WIDE_ENCODINGS:
        if head.startswith(mark):
            text = io.TextIOWrapper(handle, encoding=encoding, newline="")  # the codec drops the mark
            return io.BufferedReader(_Utf8Bytes(text, closes))
    return handle


class _Refilled(io.RawIOBase):
    """A raw byte stream made of pieces: :meth:`_refill` gives the next one (``None`` at the end),
    and reads are served from it until it is used up."""

    CHUNK = 1 << 16
    _pending = b""

    def readable(self) -> bool:
        return True

    def _refill(self) -> bytes | None:
        raise NotImplementedError

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            piece = self._refill()
            if piece is None:
                return 0
            self._pending = piece
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


class _Utf8Bytes(_Refilled):
    """A text stream read as UTF-8 bytes."""

    def __init__(self, text: IO[str], closes: bool) -> None:
        self._text, self._closes = text, closes

    def _refill(self) -> bytes | None:
        chunk = self._text.read(self.CHUNK)
        return chunk.encode("utf-8", "surrogatepass") if chunk else None

    def close(self) -> None:
        if not self.closed:
            if self._closes:
                self._text.close()
            else:
                self._text.detach()
        super().close()


TRUNCATED_STREAM = "compressed file ended before the end-of-stream marker was reached (was it cut short?)"


class _ZstdFrames(_Refilled):
    """The decompressed bytes of a zstd file of one or more frames; a file that ends inside a
    frame raises :class:`EOFError`, as a cut ``.gz`` file does in :mod:`gzip`.

    >>> whole = zstandard.ZstdCompressor().compress(b"x" * 1000)
    >>> _ZstdFrames(io.BytesIO(whole * 2)).read() == b"x" * 2000
    True
    >>> _ZstdFrames(io.BytesIO(whole[:-4])).read()
    Traceback (most recent call last):
    EOFError: compressed file ended before the end-of-stream marker was reached (was it cut short?)
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw, self._frame = raw, None
        self._in_frame = False  # bytes of a frame were read and its end is not reached yet

    def _refill(self) -> bytes | None:
        data = self._raw.read(self.CHUNK)
        if not data:
            if self._in_frame:
                raise EOFError(TRUNCATED_STREAM)
            return None
        return self._decompress(data)

    def _decompress(self, data: bytes) -> bytes:
        """Decompress ``data``, starting a new frame wherever the last one ended."""
        out = []
        while data:
            if self._frame is None:
                self._frame = zstandard.ZstdDecompressor().decompressobj()
            self._in_frame = True
            out.append(self._frame.decompress(data))
            if not self._frame.eof:
                break
            data, self._frame, self._in_frame = self._frame.unused_data, None, False
        return b"".join(out)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def display_name(name: str) -> str:
    return "<stdin>" if name == STDIN else str(name)


class ReadError(InputError):
    """A file or compressed stream is damaged; ``reason`` says how."""

    def __init__(self, shown: str, reason: str) -> None:
        self.reason = reason
        super().__init__(f"{shown}: cannot read: {reason}")


def raw_lines(handle: IO[bytes], limit: int | None = None) -> Iterator[RawLine]:
    """Numbered lines of bytes with their offsets; a line over ``limit`` bytes comes as an
    :class:`OverlongLine` (``None``: no limit).

    >>> list(raw_lines(io.BytesIO(b'a\\n' + b'x' * 10 + b'\\nb'), limit=4))
    [(1, 0, b'a\\n'), (2, 2, OverlongLine(size=11, head=b'xxxxx', limit=4)), (3, 13, b'b')]
    """
    number = offset = 0
    while True:
        line = handle.readline(-1 if limit is None else limit + 1)
        if not line:
            return
        number += 1
        if limit is not None and len(line) > limit and not line.endswith(b"\n"):
            head, size = line[:RAW_PREVIEW_BYTES], len(line)
            del line  # the rest is skipped a small piece at a time: memory stays at one limit's worth
            size += _skip_line(handle)
            yield number, offset, OverlongLine(size, head, limit)
            offset += size
        else:
            yield number, offset, line
            offset += len(line)


SKIP_BYTES = 1 << 20
"""The piece an overlong line's rest is read in, and dropped."""


def _skip_line(handle: IO[bytes]) -> int:
    """Read the rest of the current line (to its line break, or the end) and drop it; return its size."""
    size = 0
    while piece := handle.readline(SKIP_BYTES):
        size += len(piece)
        if piece.endswith(b"\n"):
            break
    return size


def _lines(name: str, limit: int | None, meter: ByteMeter | None = None) -> Iterator[RawLine]:
    """The raw lines of an input, closing it at the end; a damaged stream is a :class:`ReadError`."""
    handle = open_binary(name, meter)
    try:
        yield from raw_lines(handle, limit)
    except _READ_ERRORS as exc:
        raise ReadError(display_name(name), str(exc) or type(exc).__name__) from None
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


# -- one line -----------------------------------------------------------------------------------


def parse_line(
    number: int,
    offset: int,
    raw: bytes | OverlongLine,
    source: str,
    layout: TsvLayout | None,
    text_field: str | None = "text",
    encoding_errors: EncodingErrors = "strict",
) -> Document | Reject | None:
    """One line as a document (a JSONL record, or a TSV row when ``layout`` is given), a
    :class:`Reject`, or None when it is blank. ``text_field`` None: any JSON object will do
    (its text is then empty).

    >>> parse_line(2, 10, b'{"text": "Hi", "id": 1}\\n', "in.jsonl", None)
    Document(source='in.jsonl', line=2, text='Hi', record={'text': 'Hi', 'id': 1}, raw='{"text": "Hi", "id": 1}')
    >>> print(parse_line(3, 30, b'{"text": 5}\\n', "in.jsonl", None).message)
    field 'text' is a JSON number, not a string
    """
    if isinstance(raw, OverlongLine):
        return Reject(number, LINE_TOO_LONG.format(limit=raw.limit), LIMIT_HINT, raw=raw.head)
    try:
        line = raw.decode("utf-8", encoding_errors)
    except UnicodeDecodeError as exc:
        return Reject(number, BAD_UTF8.format(offset=offset + exc.start), ENCODING_HINT, raw=raw)
    line = line[:-1] if line.endswith("\n") else line
    line = line[:-1] if line.endswith("\r") else line
    if number == 1:
        line = line.removeprefix(BOM)
    if not line.strip():
        return None
    if layout is not None:
        cells = line.split("\t")
        if len(cells) != len(layout.header):
            found, expected = counted(len(cells), "column"), len(layout.header)
            hint = _unfinished_hint(raw, "")
            return Reject(number, COLUMN_COUNT.format(found=found, expected=expected), hint, raw=raw)
        text = unescape_tsv(cells[layout.text_index])
        return Document(source, number, text, dict(zip(layout.header, cells)), line)
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = _json_problem(exc) if isinstance(exc, json.JSONDecodeError) else "nested too deeply to read"
        return Reject(number, NOT_JSON.format(detail=detail), _unfinished_hint(raw, JSON_HINT), raw=raw)
    if not isinstance(record, dict):
        return Reject(number, NOT_OBJECT.format(kind=json_kind(record)), raw=raw)
    if text_field is None:
        return Document(source, number, "", record, line)
    text = record.get(text_field, _MISSING)
    if text is _MISSING:
        return Reject(number, NO_TEXT_FIELD.format(field=text_field), TEXT_FIELD_HINT, raw, record)
    if not isinstance(text, str):
        return Reject(number, TEXT_NOT_STRING.format(field=text_field, kind=json_kind(text)), "", raw, record)
    return Document(source, number, text, record, line)


_MISSING = object()


def _unfinished_hint(raw: bytes, hint: str) -> str:
    """``hint``, or for a broken last line without its line break (a file cut mid-record), a
    hint that says so.

    >>> _unfinished_hint(b'{"text": "The cou', "other"), _unfinished_hint(b'{"text": \\n', "other")
    ('the file ends inside this line, without a line break: was it cut short?', 'other')
    """
    return hint if raw.endswith(b"\n") else CUT_SHORT_HINT


def _json_problem(exc: json.JSONDecodeError) -> str:
    """What the JSON parser found wrong, and where, in words.

    >>> _json_problem(json.JSONDecodeError("Unterminated string starting at", '{"a": "b', 6))
    'unterminated string starting at column 7'
    >>> _json_problem(json.JSONDecodeError("Expecting ',' delimiter", '{"a": 1 "b"}', 8))
    "expecting ',' delimiter at column 9"
    """
    message = exc.msg[:1].lower() + exc.msg[1:]
    return f"{message} column {exc.colno}" if message.endswith(" at") else f"{message} at column {exc.colno}"


def json_kind(value: object) -> str:
    """The JSON name of a parsed value's type.

    >>> json_kind(None), json_kind([1]), json_kind(2.5), json_kind(True)
    ('JSON null', 'a JSON array', 'a JSON number', 'a JSON boolean')
    """
    if value is None:
        return "JSON null"
    if isinstance(value, bool):
        return "a JSON boolean"
    if isinstance(value, (int, float)):
        return "a JSON number"
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    return "a JSON object"


def tsv_layout(header_line: bytes, source: str, column: str, encoding_errors: EncodingErrors) -> TsvLayout:
    """Parse a TSV header and find the text column (by name, else by 1-based number).

    >>> tsv_layout(b"id\\ttext\\n", "in.tsv", "text", "strict")
    TsvLayout(header=('id', 'text'), text_index=1)
    """
    try:
        line = header_line.decode("utf-8", encoding_errors)
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: line 1 (the header): " + BAD_UTF8.format(offset=exc.start)) from None
    header = tuple(line.rstrip("\r\n").removeprefix(BOM).split("\t"))
    if column in header:
        return TsvLayout(header, header.index(column))
    if column.isdigit():
        if 1 <= int(column) <= len(header):
            return TsvLayout(header, int(column) - 1)
        raise InputError(f"{source}: has {counted(len(header), 'column')}, no column {column}")
    raise InputError(f"{source}: no column {column!r} in the header ({', '.join(header)}); choose it with --column")


# -- whole inputs -----------------------------------------------------------------------------


def read_records(
    name: str,
    input_format: InputFormat = "auto",
    text_field: str | None = "text",
    column: str = "text",
    encoding_errors: EncodingErrors = "strict",
    max_line_bytes: int | None = None,
    meter: ByteMeter | None = None,
) -> Iterator[Document | Reject]:
    """The documents and rejects of one input: a text file is one document, a JSONL line or a
    TSV row (after the header) one each. Lines over ``max_line_bytes`` are rejected unread; a
    text file over it is an :class:`~mtdetect.errors.InputError`; ``meter`` counts the bytes read
    from the file."""
    fmt = detect_format(name) if input_format == "auto" else input_format
    shown = display_name(name)
    if fmt == "text":
        yield Document(shown, None, read_text(name, encoding_errors, max_line_bytes, meter))
        return
    layout, lines = input_lines(name, fmt, column, encoding_errors, max_line_bytes, meter)
    for number, offset, raw in lines:
        item = parse_line(number, offset, raw, shown, layout, text_field, encoding_errors)
        if item is not None:
            yield item


def input_lines(
    name: str,
    fmt: RecordFormat,
    column: str,
    encoding_errors: EncodingErrors,
    limit: int | None,
    meter: ByteMeter | None = None,
) -> tuple[TsvLayout | None, Iterator[RawLine]]:
    """The raw record lines of an input, and for TSV its layout (the header is read first)."""
    lines = _lines(name, limit, meter)
    if fmt != "tsv":
        return None, lines
    first = next(lines, None)
    if first is None:
        return None, lines
    shown = display_name(name)
    if isinstance(first[2], OverlongLine):
        raise InputError(f"{shown}: line 1 (the header): " + LINE_TOO_LONG.format(limit=first[2].limit))
    return tsv_layout(first[2], shown, column, encoding_errors), lines


def read_documents(
    name: str,
    input_format: InputFormat = "auto",
    text_field: str = "text",
    column: str = "text",
    encoding_errors: EncodingErrors = "strict",
    max_line_bytes: int | None = MAX_LINE_BYTES,
    meter: ByteMeter | None = None,
) -> Iterator[Document]:
    """The documents of one input; the first line that is no record (or over ``max_line_bytes``)
    stops it with an :class:`~mtdetect.errors.InputError` naming the file and line."""
    for item in read_records(name, input_format, text_field, column, encoding_errors, max_line_bytes, meter):
        if isinstance(item, Reject):
            raise InputError(f"{display_name(name)}: line {item.line}: {item.message}")
        yield item


def read_text(name: str, encoding_errors: EncodingErrors = "strict", max_bytes: int | None = None,
              meter: ByteMeter | None = None) -> str:
    """The whole text of a file, decoded as UTF-8 (a leading BOM is dropped); a file over
    ``max_bytes`` (None: no limit) is an :class:`~mtdetect.errors.InputError`, read no further."""
    shown = display_name(name)
    handle = open_binary(name, meter)
    try:
        data = handle.read(-1 if max_bytes is None else max_bytes + 1)
        if max_bytes is not None and len(data) > max_bytes:
            raise InputError(f"{shown}: {TEXT_TOO_LONG.format(limit=max_bytes)} ({LIMIT_HINT})")
    except _READ_ERRORS as exc:
        raise ReadError(shown, str(exc) or type(exc).__name__) from None
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    if b"\x00" in data[:8192]:
        raise InputError(f"{shown}: {NUL_BYTES}")
    try:
        text = data.decode("utf-8", errors=encoding_errors)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{shown}: line {line}: {BAD_UTF8.format(offset=exc.start)} ({ENCODING_HINT})") from None
    return text.removeprefix(BOM)


# -- TSV cells and JSON text ------------------------------------------------------------------

_TSV_ESCAPE = re.compile(r"\\([\\nt])")
_TSV_UNESCAPED = {"\\": "\\", "n": "\n", "t": "\t"}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def unescape_tsv(cell: str) -> str:
    """Undo the TSV escapes ``\\\\``, ``\\n`` and ``\\t`` in one pass.

    >>> unescape_tsv(r"C:\\\\new\\tline\\nnext")
    'C:\\\\new\\tline\\nnext'
    """
    return _TSV_ESCAPE.sub(lambda m: _TSV_UNESCAPED[m.group(1)], cell)


def tsv_cell(text: str) -> str:
    r"""A TSV cell: backslash, tab and line break escaped, lone surrogates replaced (UTF-8 has none).

    The inverse of :func:`unescape_tsv` (but for lone surrogates).

    >>> print(tsv_cell("a\tb\nc\\d"), tsv_cell("\ud800") == "\ufffd")
    a\tb\nc\\d True
    """
    text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text if text.isascii() else _LONE_SURROGATE.sub("\ufffd", text)


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
