"""Reading documents from plain text, JSONL and TSV files or standard input.

Every document keeps where it came from (file and line), so errors and output
rows can name it. Compressed inputs (``.gz``, ``.zst``) are read by extension.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import zstandard

from .errors import InputError

InputFormat = Literal["auto", "text", "jsonl", "tsv"]
EncodingErrors = Literal["strict", "replace"]

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
TSV_SUFFIXES = (".tsv",)
COMPRESSED_SUFFIXES = (".gz", ".zst")
STDIN = "-"
_READ_ERRORS = (OSError, EOFError, zlib.error, zstandard.ZstdError)
"""What a damaged file or compressed stream raises while it is read."""
BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Document:
    """One document: its text, where it came from, and (for records) all its fields."""

    source: str  # file name, or "<stdin>"
    line: int | None  # 1-based line of a JSONL/TSV record; None for a whole text file
    text: str
    record: dict[str, Any] | None = None


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


def open_binary(name: str) -> IO[bytes]:
    """Open a file (or ``-`` for stdin) for reading bytes, decompressing by extension."""
    if name == STDIN:
        return sys.stdin.buffer
    path = Path(name)
    if not path.exists():
        raise InputError(f"{name}: no such file")
    if path.is_dir():
        raise InputError(f"{name}: is a directory, not a file")
    try:
        if name.endswith(".gz"):
            return gzip.open(path, "rb")
        if name.endswith(".zst"):
            import zstandard

            # The zstd stream has no readline(): buffer it so lines can be iterated.
            return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True))
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"{name}: {exc.strerror or exc}") from None


def display_name(name: str) -> str:
    return "<stdin>" if name == STDIN else name


def iter_lines(name: str, encoding_errors: EncodingErrors = "strict") -> Iterator[tuple[int, str]]:
    """Decoded lines (without line ends) with their 1-based numbers.

    A byte-order mark opening the file is dropped. Invalid UTF-8 under
    ``strict`` raises an :class:`InputError` naming the file, line and byte
    offset; so does a damaged compressed stream.
    """
    shown = display_name(name)
    decoder_cls = codecs.getincrementaldecoder("utf-8")
    offset = 0
    with _closing(open_binary(name)) as handle:
        try:
            for number, raw in enumerate(handle, start=1):
                try:
                    line = decoder_cls(errors=encoding_errors).decode(raw, final=True)
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"{shown}: line {number}: invalid UTF-8 at byte offset {offset + exc.start} "
                        "(use --encoding-errors replace to read it anyway)"
                    ) from None
                offset += len(raw)
                if number == 1:
                    line = line.removeprefix(BOM)
                yield number, line.rstrip("\r\n")
        except _READ_ERRORS as exc:
            raise InputError(f"{shown}: cannot read: {exc}") from None


def read_text(name: str, encoding_errors: EncodingErrors = "strict") -> str:
    """The whole text of a file, decoded as UTF-8 (a leading BOM is dropped)."""
    shown = display_name(name)
    with _closing(open_binary(name)) as handle:
        try:
            data = handle.read()
        except _READ_ERRORS as exc:
            raise InputError(f"{shown}: cannot read: {exc}") from None
    if b"\x00" in data[:8192]:
        raise InputError(f"{shown}: looks like a binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8", errors=encoding_errors)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{shown}: line {line}: invalid UTF-8 at byte offset {exc.start} "
            "(use --encoding-errors replace to read it anyway)"
        ) from None
    return text.removeprefix(BOM)


def read_documents(
    name: str,
    input_format: InputFormat = "auto",
    text_field: str = "text",
    column: str = "text",
    encoding_errors: EncodingErrors = "strict",
) -> Iterator[Document]:
    """Documents of one input: a text file is one document, a JSONL/TSV line is one each."""
    fmt = detect_format(name) if input_format == "auto" else input_format
    shown = display_name(name)
    if fmt == "text":
        yield Document(shown, None, read_text(name, encoding_errors))
    elif fmt == "jsonl":
        for number, line in iter_lines(name, encoding_errors):
            if line.strip():
                record = parse_jsonl_record(line, shown, number)
                yield Document(shown, number, record_text(record, text_field, shown, number), record)
    else:
        yield from _read_tsv(name, shown, column, encoding_errors)


def parse_jsonl_record(line: str, shown: str, number: int) -> dict[str, Any]:
    """One JSONL line as a dict, or an InputError naming file and line."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{shown}: line {number}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{shown}: line {number}: JSON nested too deeply to read") from None
    if not isinstance(record, dict):
        raise InputError(f"{shown}: line {number}: a JSON {type(record).__name__}, not an object")
    return record


def record_text(record: dict[str, Any], field: str, shown: str, number: int) -> str:
    """The text field of a record, or an InputError naming file, line and field."""
    if field not in record:
        raise InputError(f"{shown}: line {number}: no field {field!r} (choose it with --text-field)")
    value = record[field]
    if not isinstance(value, str):
        raise InputError(f"{shown}: line {number}: field {field!r} is {type(value).__name__}, not a string")
    return value


_TSV_ESCAPE = re.compile(r"\\([\\nt])")
_TSV_UNESCAPED = {"\\": "\\", "n": "\n", "t": "\t"}


def unescape_tsv(cell: str) -> str:
    """Undo the TSV escapes ``\\\\``, ``\\n`` and ``\\t`` in one pass.

    >>> unescape_tsv(r"C:\\\\new\\tline\\nnext")
    'C:\\\\new\\tline\\nnext'
    """
    return _TSV_ESCAPE.sub(lambda m: _TSV_UNESCAPED[m.group(1)], cell)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def tsv_cell(text: str) -> str:
    r"""A TSV cell: backslash, tab and line break escaped, lone surrogates replaced (UTF-8 has none).

    The inverse of :func:`unescape_tsv` (but for lone surrogates).

    >>> print(tsv_cell("a\tb\nc\\d"), tsv_cell("\ud800") == "\ufffd")
    a\tb\nc\\d True
    """
    text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text if text.isascii() else _LONE_SURROGATE.sub("\ufffd", text)


def _read_tsv(name: str, shown: str, column: str, encoding_errors: EncodingErrors) -> Iterator[Document]:
    lines = iter_lines(name, encoding_errors)
    try:
        _, header_line = next(lines)
    except StopIteration:
        return
    header = header_line.split("\t")
    if column.isdigit() and column not in header:
        index = int(column) - 1
        if not 0 <= index < len(header):
            raise InputError(f"{shown}: has {len(header)} columns, no column {column}")
    elif column in header:
        index = header.index(column)
    else:
        raise InputError(
            f"{shown}: no column {column!r} in the header ({', '.join(header)}); choose it with --column"
        )
    for number, line in lines:
        if not line.strip():
            continue
        row = next(csv.reader(io.StringIO(line), delimiter="\t", quoting=csv.QUOTE_NONE))
        if index >= len(row):
            raise InputError(f"{shown}: line {number}: has {len(row)} columns, expected {len(header)}")
        text = unescape_tsv(row[index])
        yield Document(shown, number, text, dict(zip(header, row)))


class _closing:
    """Close a handle unless it is standard input."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def __enter__(self) -> IO[bytes]:
        return self.handle

    def __exit__(self, *exc: object) -> None:
        if self.handle is not sys.stdin.buffer:
            self.handle.close()
