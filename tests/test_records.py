"""Tests for mtdetect.records: text, JSONL and TSV documents, compressed or from stdin, and their errors."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import sys
from pathlib import Path

import pytest
import zstandard

from mtdetect.errors import InputError, MtdetectError
from mtdetect.records import (
    Document,
    detect_format,
    display_name,
    read_documents,
    read_text,
)

RECORDS = [
    {"id": 1, "text": "The council met on Tuesday.\n\nIt approved the plan."},
    {"id": 2, "text": "Prices rose 8 % in June , officials said.", "lang": "en"},
]
JSONL = "".join(json.dumps(r) + "\n" for r in RECORDS).encode()
TSV = b"id\ttext\tlang\n1\tThe council met on Tuesday.\\n\\nIt approved the plan.\ten\n2\tPrices rose 8 % in June.\ten\n"


def write(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path``, compressed by its extension; return the name."""
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return str(path)


def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)), encoding="utf-8"))  # as real


# -- formats -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,fmt",
    [
        ("article.txt", "text"),
        ("article", "text"),
        ("crawl.jsonl", "jsonl"),
        ("crawl.ndjson", "jsonl"),
        ("crawl.jsonlines", "jsonl"),
        ("crawl.jsonl.gz", "jsonl"),
        ("crawl.jsonl.zst", "jsonl"),
        ("rows.tsv", "tsv"),
        ("rows.tsv.gz", "tsv"),
        ("notes.txt.zst", "text"),
        ("-", "text"),
    ],
)
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(name) == fmt


def test_display_name() -> None:
    assert display_name("-") == "<stdin>"
    assert display_name("a/b.txt") == "a/b.txt"


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_text_file_is_one_document(tmp_path: Path, suffix: str) -> None:
    text = "Title\n\nFirst paragraph, “curly”.\n\nSecond paragraph.\n"
    name = write(tmp_path / f"article.txt{suffix}", text.encode())
    docs = list(read_documents(name))
    assert docs == [Document(name, None, text)]


def test_text_file_drops_a_leading_bom_only(tmp_path: Path) -> None:
    name = write(tmp_path / "bom.txt", "\ufeffHello.\n\nWorld \ufeff.".encode())
    assert read_text(name) == "Hello.\n\nWorld \ufeff."


def test_text_file_keeps_crlf(tmp_path: Path) -> None:
    # Offsets are into the text as read, so line ends are not rewritten.
    name = write(tmp_path / "dos.txt", b"One.\r\n\r\nTwo.\r\n")
    assert read_text(name) == "One.\r\n\r\nTwo.\r\n"


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_jsonl_records(tmp_path: Path, suffix: str) -> None:
    name = write(tmp_path / f"crawl.jsonl{suffix}", JSONL)
    docs = list(read_documents(name))
    assert [d.text for d in docs] == [r["text"] for r in RECORDS]
    assert [d.line for d in docs] == [1, 2]
    assert [d.record for d in docs] == RECORDS
    assert all(d.source == name for d in docs)


def test_jsonl_skips_blank_lines_and_keeps_line_numbers(tmp_path: Path) -> None:
    data = b"\n" + JSONL.replace(b"\n", b"\r\n\n   \n", 1)
    name = write(tmp_path / "gaps.jsonl", data)
    docs = list(read_documents(name))
    assert [d.line for d in docs] == [2, 5]
    assert [d.text for d in docs] == [r["text"] for r in RECORDS]


def test_jsonl_text_field_and_format_override(tmp_path: Path) -> None:
    name = write(tmp_path / "crawl.data", b'{"body": "Hello there.", "text": 3}\n')
    docs = list(read_documents(name, input_format="jsonl", text_field="body"))
    assert [(d.text, d.line) for d in docs] == [("Hello there.", 1)]
    # Read as text, the same file is one document holding the raw line.
    assert [d.text for d in read_documents(name, input_format="text")] == ['{"body": "Hello there.", "text": 3}\n']


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_tsv_rows(tmp_path: Path, suffix: str) -> None:
    name = write(tmp_path / f"rows.tsv{suffix}", TSV)
    docs = list(read_documents(name))
    assert [d.text for d in docs] == ["The council met on Tuesday.\n\nIt approved the plan.", "Prices rose 8 % in June."]
    assert [d.line for d in docs] == [2, 3]
    assert docs[0].record == {"id": "1", "text": "The council met on Tuesday.\\n\\nIt approved the plan.", "lang": "en"}


def test_tsv_column_by_name_and_number(tmp_path: Path) -> None:
    name = write(tmp_path / "rows.tsv", b"text\tbody\nignored\tThe body text.\n")
    assert [d.text for d in read_documents(name, column="body")] == ["The body text."]
    assert [d.text for d in read_documents(name, column="2")] == ["The body text."]
    assert [d.text for d in read_documents(name, column="1")] == ["ignored"]


def test_tsv_empty_file_has_no_documents(tmp_path: Path) -> None:
    assert list(read_documents(write(tmp_path / "empty.tsv", b""))) == []
    assert list(read_documents(write(tmp_path / "header.tsv", b"id\ttext\n\n"))) == []


def test_tsv_escapes_round_trip_with_the_tsv_writer(tmp_path: Path) -> None:
    from mtdetect.records import tsv_cell as _tsv_cell

    text = "C:\\new folder\tand a tab\nand a line"
    name = write(tmp_path / "rows.tsv", f"text\n{_tsv_cell(text)}\n".encode())
    assert [d.text for d in read_documents(name)] == [text]


def test_stdin_is_text(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, "One paragraph.\n\nAnother one.\n".encode())
    docs = list(read_documents("-"))
    assert docs == [Document("<stdin>", None, "One paragraph.\n\nAnother one.\n")]


def test_stdin_as_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, JSONL)
    docs = list(read_documents("-", input_format="jsonl"))
    assert [(d.source, d.line, d.text) for d in docs] == [("<stdin>", i + 1, r["text"]) for i, r in enumerate(RECORDS)]


WIDE_ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


def with_bom(text: str, encoding: str) -> bytes:
    """``text`` as a Windows tool writes it: in ``encoding``, after a byte-order mark."""
    return text.encode(encoding) if encoding in ("utf-16", "utf-32") else ("\ufeff" + text).encode(encoding)


@pytest.mark.parametrize("encoding", WIDE_ENCODINGS)
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(tmp_path: Path, encoding: str) -> None:
    text = "Café prices rose.\r\n\r\nThe council met — again.\n"
    assert read_text(write(tmp_path / "a.txt", with_bom(text, encoding))) == text
    rows = "id\ttext\r\n1\tCafé prices rose.\r\n"
    assert [d.text for d in read_documents(write(tmp_path / "a.tsv.gz", with_bom(rows, encoding)))] == ["Café prices rose."]
    jsonl = JSONL.decode()
    docs = read_documents(write(tmp_path / "a.jsonl.zst", with_bom(jsonl, encoding)))
    assert [(d.line, d.text) for d in docs] == [(i + 1, r["text"]) for i, r in enumerate(RECORDS)]


def test_utf16_standard_input_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, "One paragraph.\n".encode("utf-16"))
    assert [d.text for d in read_documents("-")] == ["One paragraph.\n"]


def test_utf16_without_a_byte_order_mark_says_what_it_needs(tmp_path: Path) -> None:
    name = write(tmp_path / "a.txt", "Plain words.".encode("utf-16-le"))
    assert "UTF-16 or UTF-32 text needs a byte-order mark" in input_error(lambda: read_documents(name))


def test_damaged_utf16_is_a_one_line_error(tmp_path: Path) -> None:
    name = write(tmp_path / "a.txt", codecs.BOM_UTF16_LE + "Fine.".encode("utf-16-le") + b"\x00\xdc")  # a lone low surrogate
    assert input_error(lambda: read_documents(name)).startswith(f"{name}: cannot read: 'utf-16-le' codec can't decode")


def test_lines_are_numbered_and_lose_their_line_ends(tmp_path: Path) -> None:
    name = write(tmp_path / "lines.jsonl", b'{"text": "a"}\r\n{"text": "b"}\n\n{"text": "c"}')
    assert [(d.line, d.raw) for d in read_documents(name)] == [
        (1, '{"text": "a"}'), (2, '{"text": "b"}'), (4, '{"text": "c"}')
    ]


def test_encoding_errors_replace(tmp_path: Path) -> None:
    name = write(tmp_path / "bad.jsonl", b'{"text": "caf\xe9 au lait"}\n')
    docs = list(read_documents(name, encoding_errors="replace"))
    assert docs[0].text == "caf\ufffd au lait"
    text_name = write(tmp_path / "bad.txt", b"caf\xe9")
    assert read_text(text_name, "replace") == "caf\ufffd"


# -- errors name the file and line ------------------------------------------------------


def input_error(call) -> str:
    with pytest.raises(InputError) as info:
        list(call())
    message = str(info.value)
    assert "\n" not in message
    assert isinstance(info.value, MtdetectError)
    return message


def test_missing_file(tmp_path: Path) -> None:
    name = str(tmp_path / "nope.txt")
    assert input_error(lambda: read_documents(name)) == f"{name}: no such file"


def test_directory(tmp_path: Path) -> None:
    assert input_error(lambda: read_documents(str(tmp_path))) == f"{tmp_path}: is a directory, not a file"


def test_binary_text_file(tmp_path: Path) -> None:
    name = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary" in input_error(lambda: read_documents(name))


def test_bad_json_line_names_file_and_line(tmp_path: Path) -> None:
    name = write(tmp_path / "crawl.jsonl", JSONL + b"\n{not json}\n")
    message = input_error(lambda: read_documents(name))
    assert message.startswith(f"{name}: line 4: not valid JSON")


def test_json_line_that_is_not_an_object(tmp_path: Path) -> None:
    name = write(tmp_path / "crawl.jsonl", b'{"text": "ok."}\n["a", "list"]\n')
    assert input_error(lambda: read_documents(name)) == f"{name}: line 2: expected a JSON object, found a JSON array"


def test_missing_text_field_names_file_line_and_field(tmp_path: Path) -> None:
    name = write(tmp_path / "crawl.jsonl", b'{"text": "ok."}\n{"body": "x"}\n')
    message = input_error(lambda: read_documents(name))
    assert message == f"{name}: line 2: no field 'text' (choose it with --text-field)"


def test_text_field_not_a_string(tmp_path: Path) -> None:
    name = write(tmp_path / "crawl.jsonl", b'{"text": null}\n')
    assert input_error(lambda: read_documents(name)) == f"{name}: line 1: field 'text' is JSON null, not a string"


def test_invalid_utf8_in_jsonl_names_line_and_byte(tmp_path: Path) -> None:
    first = b'{"text": "ok"}\n'
    name = write(tmp_path / "crawl.jsonl", first + b'{"text": "caf\xe9"}\n')
    message = input_error(lambda: read_documents(name))
    offset = len(first) + len(b'{"text": "caf')
    assert message.startswith(f"{name}: line 2: invalid UTF-8 at byte offset {offset}")
    assert "--encoding-errors replace" in message


def test_invalid_utf8_in_text_names_line_and_byte(tmp_path: Path) -> None:
    name = write(tmp_path / "bad.txt", b"Line one.\nLine two.\n\nLine \xff four.")
    message = input_error(lambda: read_documents(name))
    assert message.startswith(f"{name}: line 4: invalid UTF-8 at byte offset 26")


def test_corrupt_gzip(tmp_path: Path) -> None:
    name = str(tmp_path / "crawl.jsonl.gz")
    Path(name).write_bytes(gzip.compress(JSONL)[:-12])
    assert input_error(lambda: read_documents(name)).startswith(f"{name}: cannot read")


def cut_in_half(path: Path, data: bytes) -> str:
    """Write ``data`` compressed by the extension of ``path``, keeping only the first half of the file."""
    whole = Path(write(path, data)).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return str(path)


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
@pytest.mark.parametrize("stem", ["crawl.jsonl", "rows.tsv", "notes.txt"])
def test_compressed_file_cut_short_is_an_error_naming_it(tmp_path: Path, stem: str, suffix: str) -> None:
    data = TSV if stem.endswith(".tsv") else JSONL * 50
    name = cut_in_half(tmp_path / (stem + suffix), data * 40)
    message = input_error(lambda: list(read_documents(name)))
    assert message.startswith(f"{name}: cannot read: ") and "ended before the end-of-stream marker" in message.lower()


def test_zst_file_of_several_frames_is_read_whole(tmp_path: Path) -> None:
    frame = zstandard.ZstdCompressor().compress(JSONL)
    (tmp_path / "two.jsonl.zst").write_bytes(frame + frame)
    assert [d.text for d in read_documents(str(tmp_path / "two.jsonl.zst"))] == [r["text"] for r in RECORDS * 2]


@pytest.mark.parametrize(("name", "data"), [("crawl.jsonl", JSONL), ("rows.tsv", TSV)])
def test_record_file_cut_mid_line_says_so(tmp_path: Path, name: str, data: bytes) -> None:
    path = write(tmp_path / name, data[: data.rindex(b"\t" if name.endswith(".tsv") else b" ")])
    message = input_error(lambda: list(read_documents(path)))
    assert message.startswith(f"{path}: line ") and message.endswith("without a line break: was it cut short?)")


def test_tsv_missing_column(tmp_path: Path) -> None:
    name = write(tmp_path / "rows.tsv", b"id\tbody\n1\tx\n")
    message = input_error(lambda: read_documents(name))
    assert message == f"{name}: no column 'text' in the header (id, body); choose it with --column"
    assert input_error(lambda: read_documents(name, column="3")) == f"{name}: has 2 columns, no column 3"


def test_tsv_short_row_names_line(tmp_path: Path) -> None:
    name = write(tmp_path / "rows.tsv", b"id\tlang\ttext\n1\ten\tfine\n2\ten\n")
    assert input_error(lambda: read_documents(name)) == f"{name}: line 3: row has 2 columns, header has 3"


@pytest.mark.parametrize(("row", "reason"), [
    (b"2\ten\tfine\textra\n", "row has 4 columns, header has 3"),  # its text cell exists, its cells would shift
    (b"2\n", "row has 1 column, header has 3"),
])
def test_tsv_row_whose_cell_count_differs_is_a_reject(tmp_path: Path, row: bytes, reason: str) -> None:
    name = write(tmp_path / "rows.tsv", b"id\tlang\ttext\n" + row)
    assert input_error(lambda: read_documents(name)) == f"{name}: line 2: {reason}"


def test_tsv_with_crlf_line_ends_reads_its_header_and_cells(tmp_path: Path) -> None:
    name = write(tmp_path / "rows.tsv", b"id\ttext\r\n1\tfine\r\n")
    assert [(d.text, d.record) for d in read_documents(name)] == [("fine", {"id": "1", "text": "fine"})]


def test_json_errors_say_where(tmp_path: Path) -> None:
    name = write(tmp_path / "f.jsonl", b'{"text": "a"}\n{"text": "no end\n')
    message = input_error(lambda: read_documents(name))
    assert message.startswith(f"{name}: line 2: not valid JSON (unterminated string starting at column 10)")
