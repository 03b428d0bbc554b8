"""Hostile input: what the web produces must not crash, hang, lose text or run code.

Covers the ``score`` command and the library API, and the ``filter`` command
where its handling differs (its stream logic is tested in test_filtering.py):

- binary files, invalid UTF-8 (strict and replace), empty files, a byte-order
  mark, damaged ``.gz``/``.zst`` streams, missing files: one-line errors naming
  the file (and line and byte offset), or a clean run;
- one very long line: scored in windows (a length-weighted mean), in linear
  time and bounded memory;
- malformed JSONL lines, a missing or non-string text field, JSON nested
  too deeply: a one-line error with the line number, after the rows of the
  lines before it;
- control characters, NUL, RTL marks, CJK, emoji, lone surrogates: scored,
  with offsets that slice back, written as valid UTF-8 in every output format,
  and never passed to a terminal as escape sequences;
- non-English text: flagged by :mod:`mtdetect.language`, and every score row
  and filter annotation carries the warning ``not_english``;
- ``mtdetect score ... | head`` exits quietly; Ctrl-C stops with status 130
  and whole output lines; an interrupted write leaves no file behind;
- model files that are truncated, edited, from another version or missing:
  a one-line error naming the file and what to do; pickles are never loaded
  without ``--trust-pickle`` and a matching checksum.

Regex safety and property tests live in test_regex_safety.py and
test_properties.py.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import mtdetect
from mtdetect import language
from mtdetect.atomic import atomic_writer
from mtdetect.cli import main
from mtdetect.language import NOT_ENGLISH, NOT_ENGLISH_MESSAGE, check_language, not_english
from mtdetect.model import default_model_path, probability
from mtdetect.results import combined_score
from mtdetect.records import LIMIT_HINT, LINE_TOO_LONG, MAX_LINE_BYTES
from mtdetect.segment import split_paragraphs

CASES = Path(__file__).parent / "cases"
Capture = pytest.CaptureFixture[str]
GARBLED = "The minister said , that the economy. of the region do n't grow."
WORDS = (
    "the minister said that the economy of the region grew by eight percent in March while "
    "officials warned about prices and wages"
).split()


def score(argv: list[str], capsys: Capture) -> tuple[int, list[dict], str]:
    """Run ``mtdetect score --format jsonl ARGV`` in this process: status, rows, standard error."""
    out = io.StringIO()
    status = main(["score", "--format", "jsonl", *argv], out=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    return status, rows, capsys.readouterr().err


def one_line_error(err: str) -> str:
    assert err.startswith("mtdetect: error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def write(path: Path, data: bytes | str) -> str:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


def news(chars: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(chars // 5 + 10))[:chars]


# -- binary files, encodings, empty files --------------------------------------------------


@pytest.mark.parametrize("name", ["image.txt", "image.jsonl", "image.tsv"])
def test_a_binary_file_is_a_one_line_error(tmp_path: Path, capsys: Capture, name: str) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    path = write(tmp_path / name, png)
    status, rows, err = score([path], capsys)
    assert status == 2 and rows == []
    assert path in one_line_error(err)
    assert "binary" in err or "invalid UTF-8" in err


def test_binary_standard_input_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\x00\x01\x02\xff" * 100)))
    status, rows, err = score([], capsys)
    assert status == 2 and "<stdin>: looks like a binary file" in one_line_error(err)


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("article.txt", b"Caf\xc3\xa9 one.\nCaf\xe9 two.\n", "line 2: invalid UTF-8 at byte offset 14"),
        ("crawl.jsonl", b'{"text": "fine"}\n{"text": "caf\xe9"}\n', "line 2: invalid UTF-8 at byte offset 30"),
        ("rows.tsv", b"text\nfine\ncaf\xff\n", "line 3: invalid UTF-8 at byte offset 13"),
    ],
)
def test_invalid_utf8_names_file_line_and_byte_offset(
    tmp_path: Path, capsys: Capture, name: str, data: bytes, where: str
) -> None:
    path = write(tmp_path / name, data)
    status, _, err = score([path], capsys)
    assert status == 2
    advice = "(use --encoding-errors replace to read it anyway)"
    assert one_line_error(err) == f"mtdetect: error: {path}: {where} {advice}\n"
    bad = data.index(b"\xe9") if b"\xe9" in data else data.index(b"\xff")
    assert where.endswith(f"offset {bad}")  # the offset is the real byte position in the file


def test_invalid_utf8_is_replaced_when_asked(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path / "article.txt", b"Caf\xe9 one is open.\n\nThe second \xff\xfe paragraph.")
    status, rows, err = score(["--encoding-errors", "replace", path], capsys)
    assert status == 0 and err == ""
    assert [(r["start"], r["end"]) for r in rows] == [(0, 17), (19, 43)]
    assert all(0 <= r["score"] <= 1 for r in rows)


@pytest.mark.parametrize(
    ("name", "data"),
    [("empty.txt", b""), ("blank.txt", b" \n\t\r\n \n"), ("empty.jsonl", b""), ("blank.jsonl", b"\n \n\n"),
     ("empty.tsv", b""), ("header.tsv", b"id\ttext\n")],
)
def test_empty_inputs_give_no_rows_and_no_error(tmp_path: Path, capsys: Capture, name: str, data: bytes) -> None:
    path = write(tmp_path / name, data)
    status, rows, err = score([path], capsys)
    reported = f"mtdetect: {path}: 0 paragraphs (no text), no rows written\n" if name.endswith(".txt") else ""
    assert (status, rows, err) == (0, [], reported)  # an empty text file is reported; a file of no records has none


@pytest.mark.parametrize(("name", "data", "header"), [
    ("empty.jsonl", b"", ""), ("blank.jsonl", b"\n \n\n", ""), ("empty.tsv", b"", ""),
    ("header.tsv", b"id\ttext\n", "id\ttext\tmtdetect\tmtdetect_paragraphs\tmtdetect_warnings\n"),
])
def test_filter_of_empty_inputs_writes_nothing_and_counts_nothing(
    tmp_path: Path, capsys: Capture, name: str, data: bytes, header: str
) -> None:
    out = io.StringIO()
    assert main(["filter", write(tmp_path / name, data)], out=out) == 0
    assert out.getvalue() == header
    assert capsys.readouterr().err == "mtdetect: read 0 records: kept 0, dropped 0, errors 0 (0 paragraphs)\n"


def test_a_missing_input_is_a_one_line_error_and_leaves_no_output_file(tmp_path: Path, capsys: Capture) -> None:
    good = write(tmp_path / "good.jsonl", json.dumps({"text": GARBLED}) + "\n")
    missing, target = tmp_path / "missing.jsonl", tmp_path / "out.jsonl"
    assert main(["filter", good, str(missing), "-o", str(target)], out=io.StringIO()) == 2
    assert one_line_error(capsys.readouterr().err) == f"mtdetect: error: {missing}: no such file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.jsonl"]  # no output, no temporary file
    status, rows, err = score([good, str(missing)], capsys)
    assert (status, len(rows)) == (2, 1) and one_line_error(err) == f"mtdetect: error: {missing}: no such file\n"


def test_empty_text_file_shows_no_text_in_the_table(tmp_path: Path, capsys: Capture) -> None:
    out = io.StringIO()
    assert main(["score", "--format", "table", write(tmp_path / "empty.txt", b"")], out=out) == 0
    assert "0 paragraphs" in out.getvalue() and "(no text)" in out.getvalue()


def test_empty_text_through_the_api(det: mtdetect.Detector) -> None:
    assert det.score_paragraphs([]).shape == (0,)
    assert det.score_document("") == det.score_document(" \n\n\t ") == mtdetect.DocumentScore(None, [])
    assert det.score_paragraphs(["", " ", "\n"]).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(("name", "data"), [
    ("bom.jsonl", "\ufeff" + json.dumps({"text": GARBLED}) + "\n"),
    ("bom.tsv", "\ufefftext\tid\n" + GARBLED + "\t1\n"),
    ("bom.txt", "\ufeff" + GARBLED),
])
def test_a_byte_order_mark_is_dropped(tmp_path: Path, capsys: Capture, name: str, data: str) -> None:
    status, rows, err = score([write(tmp_path / name, data)], capsys)
    assert (status, err) == (0, "") and len(rows) == 1
    assert (rows[0]["start"], rows[0]["end"]) == (0, len(GARBLED)) and rows[0]["garbled"]


@pytest.mark.parametrize(("name", "data"), [
    ("notes.txt.gz", gzip.compress(b"Some text here.")[:10] + b"\xff" * 20),  # a broken deflate stream
    ("notes.txt.gz", gzip.compress(b"Some text here.")[:-6]),                 # cut short
    ("crawl.jsonl.zst", b"this is not zstandard data at all"),
])
def test_a_damaged_compressed_file_is_a_one_line_error(
    tmp_path: Path, capsys: Capture, name: str, data: bytes
) -> None:
    path = write(tmp_path / name, data)
    status, _, err = score([path], capsys)
    assert status == 2 and f"{path}: cannot read" in one_line_error(err)


# -- one very long line ------------------------------------------------------------------


def test_a_long_single_line_is_scored_whole(tmp_path: Path, capsys: Capture) -> None:
    text = news(256 * 1024) + " do n't"
    status, rows, err = score([write(tmp_path / "line.txt", text + "\n")], capsys)
    assert (status, err) == (0, "") and len(rows) == 1
    assert (rows[0]["start"], rows[0]["end"]) == (0, len(text))


def test_overwhelming_evidence_scores_without_a_numpy_warning(det: mtdetect.Detector) -> None:
    """A long document's evidence drives the logistic function far out (exp(-x) beyond the float range)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would print a stray line on standard error
        assert combined_score(np.array([-40.0] * 400), np.array([2500.0] * 400), (1.0, 0.0, 0.0)) == 0.0
        assert probability(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]
        steep = dataclasses.replace(det.model, document_calibration=(1.0, -1000.0, 0.0))  # length counts against
        assert mtdetect.Detector(model=steep).score_documents(["\n\n".join([news(5_000)] * 10)])[0].score == 0.0


# -- records over the size limit ------------------------------------------------------------------


def bomb(path: Path, record_bytes: int) -> str:
    """A small .gz holding a short record, one of ``record_bytes`` bytes of text and another short one."""
    piece = b"The council met on Tuesday. " * 4096
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(b'{"id": 1, "text": "Short one."}\n{"id": 2, "text": "')
        for _ in range(record_bytes // len(piece) + 1):
            handle.write(piece)
        handle.write(b'"}\n{"id": 3, "text": "Another short one."}\n')
    assert path.stat().st_size < record_bytes // 100  # a bomb: small compressed, large read
    return str(path)


@pytest.fixture(scope="module")
def default_bomb(tmp_path_factory: pytest.TempPathFactory) -> str:
    return bomb(tmp_path_factory.mktemp("bomb") / "bomb.jsonl.gz", MAX_LINE_BYTES)


def too_long(name: str, limit: int) -> str:
    return f"{name}: line 2: {LINE_TOO_LONG.format(limit=limit)} ({LIMIT_HINT})"


def test_score_stops_at_a_record_over_the_size_limit_unread(default_bomb: str, capsys: Capture) -> None:
    status, rows, err = score([default_bomb], capsys)
    assert status == 2 and one_line_error(err) == f"mtdetect: error: {too_long(default_bomb, MAX_LINE_BYTES)}\n"
    assert [row["line"] for row in rows] == [1]


def test_report_and_filter_leave_out_a_record_over_the_size_limit(
    default_bomb: str, tmp_path: Path, capsys: Capture
) -> None:
    out = io.StringIO()
    assert main(["report", "--format", "text", default_bomb], out=out) == 0
    assert capsys.readouterr().err == f"mtdetect: {too_long(default_bomb, MAX_LINE_BYTES)}\n"
    assert out.getvalue().startswith("mtdetect report: 2 documents")
    rejects = tmp_path / "rejects.jsonl"
    assert main(["filter", default_bomb, "--rejects", str(rejects)], out=io.StringIO()) == 0
    assert capsys.readouterr().err.startswith(f"mtdetect: {too_long(default_bomb, MAX_LINE_BYTES)}\n")
    reason = json.loads(rejects.read_text())["mtdetect"]["reason"]
    assert reason == f"{LINE_TOO_LONG.format(limit=MAX_LINE_BYTES)} ({LIMIT_HINT})"


@pytest.mark.parametrize("command", ["score", "report", "filter"])
def test_the_size_limit_is_one_flag_for_every_command(command: str, tmp_path: Path, capsys: Capture) -> None:
    records = bomb(tmp_path / "big.jsonl.gz", 200_000)
    args = {"score": ["score", "--format", "jsonl"], "report": ["report", "--format", "text"], "filter": ["filter"]}
    lowered = main([*args[command], records, "--max-record-bytes", "64K"], out=io.StringIO())
    assert too_long(records, 64 << 10) in capsys.readouterr().err
    assert lowered == (2 if command == "score" else 1 if command == "filter" else 0)
    assert main([*args[command], records, "--max-record-bytes", "1M"], out=io.StringIO()) == 0
    assert "longer than" not in capsys.readouterr().err


def test_a_text_file_over_the_size_limit_is_a_one_line_error(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path / "long.txt", news(5000))
    status, rows, err = score([path, "--max-record-bytes", "4K"], capsys)
    assert (status, rows) == (2, []) and one_line_error(err) == f"mtdetect: error: {path}: longer than 4096 bytes ({LIMIT_HINT})\n"


def _cpu_seconds(action) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def test_scoring_time_grows_linearly_with_paragraph_length(det: mtdetect.Detector) -> None:
    small, large = news(128 * 1024, seed=1), news(512 * 1024, seed=2)
    det.score_paragraphs([news(1000)])  # warm caches
    ratio = _cpu_seconds(lambda: det.score_paragraphs([large])) / _cpu_seconds(lambda: det.score_paragraphs([small]))
    assert ratio < 8  # 4x the text: about 4x the time; quadratic would be 16x


def test_a_paragraph_longer_than_a_window_scores_the_length_weighted_mean_of_its_windows(
    det: mtdetect.Detector,
) -> None:
    from mtdetect.detector import WINDOW_CHARS, _windows

    text = news(3 * WINDOW_CHARS, seed=3) + " They do n't know."
    windows = list(_windows(text))
    assert len(windows) >= 3 and "".join(windows) == text
    assert all(len(w) <= WINDOW_CHARS for w in windows) and all(w.endswith(" ") for w in windows[:-1])
    parts = det.score_paragraphs(windows)
    expected = float(np.dot(parts, [len(w) for w in windows]) / len(text))
    assert det.score_paragraphs([text])[0] == pytest.approx(expected, rel=1e-9)


def test_explaining_a_long_paragraph_reads_unknown_words_from_its_first_window(det: mtdetect.Detector) -> None:
    from mtdetect.detector import WINDOW_CHARS

    text = "the gemeinderat said " + news(3 * WINDOW_CHARS, seed=4) + " and the stadtverwaltung agreed, do n't"
    explanation = det.explain(text)
    unknown = [f for f in explanation.flags if f.kind == "unknown_word"]
    assert [f.text for f in unknown] == ["gemeinderat"]  # nothing from the later windows
    assert any(f.kind == "split_contraction" and f.end > 3 * WINDOW_CHARS for f in explanation.flags)
    assert explanation.contributions and 0 <= explanation.score <= 1


def test_memory_for_a_long_paragraph_is_bounded() -> None:
    code = (
        "import re, mtdetect\n"
        "from tests.test_hostile_input import news\n"
        "def peak_mb():  # VmHWM: this process's own peak (ru_maxrss would include the parent's)\n"
        "    return int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) / 1024\n"
        "det = mtdetect.load(); det.score_paragraphs([news(20_000)])\n"
        "text = news(512 * 1024)\n"
        "before = peak_mb()\n"
        "det.score_paragraphs([text])\n"
        "print(peak_mb() - before)\n"
    )
    root = Path(__file__).parent.parent
    child = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    growth_mb = float(child.stdout)
    assert growth_mb < 12, f"scoring 0.5 MB took {growth_mb:.0f} MB more memory"


def test_running_out_of_memory_is_a_one_line_error(
    tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(self, texts, **options):
        raise MemoryError

    monkeypatch.setattr(mtdetect.Detector, "score_documents", exhausted)
    status, rows, err = score([write(tmp_path / "a.txt", GARBLED)], capsys)
    assert (status, rows) == (2, []) and "out of memory" in one_line_error(err)


# -- malformed records ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json}", "not valid JSON"),
        ('{"text": "unterminated', "not valid JSON"),
        ('{"text": "raw NUL \x00 inside"}', "not valid JSON"),
        ("[1, 2]", "expected a JSON object, found a JSON array"),
        ('"just a string"', "expected a JSON object, found a JSON string"),
        ('{"body": "x"}', "no field 'text' (choose it with --text-field)"),
        ('{"text": 5}', "field 'text' is a JSON number, not a string"),
        ('{"text": null}', "field 'text' is JSON null, not a string"),
        ('{"text": ["a", "b"]}', "field 'text' is a JSON array, not a string"),
        ('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", "not valid JSON (nested too deeply to read)"),
    ],
)
def test_a_malformed_record_is_reported_with_its_line_after_the_rows_before_it(
    tmp_path: Path, capsys: Capture, line: str, problem: str
) -> None:
    path = write(tmp_path / "crawl.jsonl", json.dumps({"text": GARBLED}) + "\n" + line + "\n")
    out = io.StringIO()
    assert main(["score", "--format", "jsonl", path], out=out) == 2
    assert one_line_error(capsys.readouterr().err).startswith(f"mtdetect: error: {path}: line 2: {problem}")
    assert [json.loads(row)["line"] for row in out.getvalue().splitlines()] == [1]


# -- odd characters --------------------------------------------------------------------------

ODD_TEXTS = [
    "Control \x07 bell, \x1b[31mANSI red\x1b[0m and \x7f delete, the minister said .",
    "NUL \x00 inside\x00 a paragraph do n't\n\nand \x00 another.",
    "RTL override \u202eevil.txt\u202c and marks \u200f\u200e, zero width \u200b\ufeff joiner.",
    "עברית וערבית: مرحبا بالعالم، the minister said.",
    "中文段落没有空格。日本語の文章です。한국어 문장입니다.",
    "Emoji 😀👍🏽🇺🇸 and 👨‍👩‍👧 families, 8 % more.",
    "Lone surrogates \ud800 and \udfff in text.",
    "Combining e\u0301 accents and ligatures ﬁ ﬂ, full-width ＡＢＣ, and math 𝐀𝐁𝐂.",
    "Line\u2028separator and paragraph\u2029separator and \x85 next line.",
]


def test_odd_characters_score_and_slice_back_through_the_api(det: mtdetect.Detector) -> None:
    for text in ODD_TEXTS:
        document = det.score_document(text)
        assert document.paragraphs
        judged = [p for p in document.paragraphs if not p.warnings]  # a text all in another script has no score
        assert (document.score is None) == (not judged) and (document.score is None or 0 <= document.score <= 1)
        for paragraph in document.paragraphs:
            assert 0 <= paragraph.score <= 1
            assert text[paragraph.start : paragraph.end] == text[paragraph.start : paragraph.end].strip()
        explanation = det.explain(text)
        assert all(0 <= f.start <= f.end <= len(text) for f in explanation.flags)

def test_paragraph_spans_of_the_odd_texts_slice_back() -> None:
    for text in ODD_TEXTS:
        assert all(text[p.start : p.end] == p.text for p in split_paragraphs(text))


def test_odd_characters_through_the_command_line(tmp_path: Path, capsys: Capture) -> None:
    lines = "".join(json.dumps({"text": t}) + "\n" for t in ODD_TEXTS)  # \u escapes: NUL and surrogates survive
    status, rows, err = score(["--explain", write(tmp_path / "odd.jsonl", lines)], capsys)
    assert (status, err) == (0, "")
    assert sorted({r["line"] for r in rows}) == list(range(1, len(ODD_TEXTS) + 1))
    for row in rows:
        text = ODD_TEXTS[row["line"] - 1]
        assert 0 <= row["start"] < row["end"] <= len(text) and 0 <= row["score"] <= 1


def test_odd_characters_pass_through_the_filter_intact(tmp_path: Path, capsys: Capture) -> None:
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(ODD_TEXTS)]  # NUL and surrogates as \u escapes
    path = write(tmp_path / "odd.jsonl", "\n".join(lines) + "\n")
    out = _strict_utf8()
    assert main(["filter", path], out=out) == 0
    out.flush()
    written = out.buffer.getvalue().decode("utf-8").splitlines()  # type: ignore[attr-defined]
    assert "errors 0" in capsys.readouterr().err
    for line, original, text in zip(written, lines, ODD_TEXTS, strict=True):
        assert line.startswith(original[:-1] + ", ")  # the input line, byte for byte, then the score key
        record = json.loads(line)
        assert record["text"] == text
        for start, end, value in record["mtdetect"]["paragraphs"]:
            assert 0 <= start < end <= len(text) and text[start:end] == text[start:end].strip() and 0 <= value <= 1


def test_a_nul_byte_after_the_first_8_kb_of_a_text_file_is_scored(tmp_path: Path, capsys: Capture) -> None:
    text = news(9000) + "\n\nA late \x00 NUL byte, do n't worry."
    status, rows, err = score([write(tmp_path / "late.txt", text)], capsys)
    assert (status, err) == (0, "") and rows[-1]["end"] == len(text)


def test_the_table_does_not_pass_terminal_escapes_through(tmp_path: Path) -> None:
    text = "The \x1b[2J\x1b]0;pwned\x07 minister said , that \u202eit \x9b\u2028works.\n\nA family 👨\u200d👩\u200d👧."
    path = write(tmp_path / "escape\x1b[31m.txt", text)
    out = io.StringIO()
    assert main(["score", "--format", "table", "--explain", path], out=out) == 0
    shown = out.getvalue()
    assert not any(c in shown for c in "\x1b\x07\u202e\x9b\u2028")
    assert "\\x1b[2J\\x1b]0;pwned\\x07" in shown and "\\u202eit" in shown  # visible, not acted on
    assert "said ," in shown and "👨\u200d👩\u200d👧" in shown  # flags and emoji sequences intact


def _strict_utf8() -> io.TextIOWrapper:
    """An output stream that, like a real standard output, refuses text UTF-8 cannot encode."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="\n")


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "table"])
def test_lone_surrogates_are_written_as_valid_utf8(tmp_path: Path, fmt: str) -> None:
    # JSON \u escapes can carry lone surrogates into the text; dropped_quotes flags a span around one.
    record = json.dumps({"text": "We will \ud800 not stop now, the minister said.\n\nBroken \udfff emoji , here."})
    path = write(tmp_path / "odd.jsonl", record + "\n")
    out = _strict_utf8()
    assert main(["score", "--explain", "--format", fmt, path], out=out) == 0
    out.flush()
    written = out.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    if fmt == "jsonl":
        rows = [json.loads(line) for line in written.splitlines()]
        assert len(rows) == 2 and any("\ud800" in f["text"] for f in rows[0]["flags"])
    elif fmt == "tsv":
        assert len(written.splitlines()) == 3 and "\ufffd" in written
    else:
        assert "\\ud800" in written and "\\udfff" in written


# -- non-English text ---------------------------------------------------------------------

NOT_ENGLISH_TEXTS = {
    "fr": "Le conseil municipal a approuvé le budget mardi après un long débat sur les nouvelles écoles de la ville.",
    "de": "Der Stadtrat hat den Haushalt am Dienstag nach einer langen Debatte über die neuen Schulen genehmigt.",
    "es": "El ayuntamiento aprobó el presupuesto el martes tras un "
          "largo debate sobre las nuevas escuelas de la ciudad.",
    "it": "Il consiglio comunale ha approvato il bilancio martedì "
          "dopo un lungo dibattito sulle nuove scuole della città.",
    "pt": "A câmara municipal aprovou o orçamento na terça-feira depois de um longo debate sobre as novas escolas.",
    "nl": "De gemeenteraad heeft de begroting dinsdag goedgekeurd na een "
          "lang debat over de nieuwe scholen van de stad.",
    "sv": "Kommunfullmäktige godkände budgeten på tisdagen efter en lång debatt "
          "om de nya skolorna i staden och det är klart.",
    "pl": "Rada miasta przyjęła we wtorek budżet po długiej debacie "
          "o nowych szkołach, które są bardzo potrzebne i już czekają.",
    "ru": "Городской совет утвердил бюджет во вторник после долгих дебатов о новых школах.",
    "el": "Το δημοτικό συμβούλιο ενέκρινε τον προϋπολογισμό την Τρίτη μετά από μακρά συζήτηση.",
    "zh": "市议会周二在就新校舍进行长时间辩论后批准了预算，这是一个好消息。",
    "ja": "市議会は火曜日、新しい校舎についての長い議論の末に予算を承認した。",
    "ar": "وافق مجلس المدينة على الميزانية يوم الثلاثاء بعد نقاش طويل حول المدارس الجديدة.",
    "he": "מועצת העיר אישרה את התקציב ביום שלישי לאחר דיון ארוך על בתי הספר החדשים.",
}


@pytest.mark.parametrize("language", sorted(NOT_ENGLISH_TEXTS))
def test_non_english_text_is_flagged(language: str) -> None:
    result = check_language(NOT_ENGLISH_TEXTS[language])
    assert not result.english and result.reason in ("script", "function_words")


SHORT_CJK_TEXTS = {
    "zh": "这是一个中文段落，用来测试语言警告。",
    "ja": "これは日本語の短い段落です。",
    "ko": "이것은 한국어 문단입니다.",
}


@pytest.mark.parametrize("language", sorted(SHORT_CJK_TEXTS))
def test_a_short_cjk_paragraph_is_not_english(language: str, det: mtdetect.Detector) -> None:
    text = SHORT_CJK_TEXTS[language]
    assert check_language(text).reason == "script"
    english = "The council approved the budget on Tuesday after a long debate about the new schools."
    result = det.score_document(f"{english}\n\n{text}")
    assert result.paragraphs[1].warnings == (NOT_ENGLISH,) and not result.paragraphs[1].garbled
    assert result.score == det.score_document(english).score  # it does not count in the document's score


def test_a_few_cjk_characters_in_english_are_no_warning() -> None:
    assert check_language("The Tokyo (東京) office opened on Monday.").english
    assert check_language("東京").english  # too short to tell


@pytest.mark.parametrize("language", ["fr", "ru", "zh"])
def test_a_paragraph_that_is_not_english_shows_the_warning_alone(language: str, det: mtdetect.Detector) -> None:
    flags = det.explain(NOT_ENGLISH_TEXTS[language]).flags
    assert [f.kind for f in flags] == [NOT_ENGLISH]  # not a flag per word, as if it were English


def test_english_case_files_are_never_flagged_not_english() -> None:
    texts = [json.loads(line)["text"] for name in ("human.jsonl", "garbled.jsonl")
             for line in (CASES / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += [GARBLED, "Yes.", "Fed Holds Rates Steady as Inflation Cools",
              "« Je ne sais pas », he said, and the crowd laughed."]
    assert len(texts) > 150
    assert not not_english(texts).any()


def test_the_language_check_reads_only_the_start_of_a_long_paragraph() -> None:
    english = news(5000)
    assert check_language(english + " " + NOT_ENGLISH_TEXTS["de"] * 1000).english
    assert not check_language(NOT_ENGLISH_TEXTS["de"] * 50 + english * 100).english


def test_score_rows_carry_the_not_english_warning(tmp_path: Path, capsys: Capture) -> None:
    path = write(tmp_path / "mixed.txt", NOT_ENGLISH_TEXTS["fr"] + "\n\n" + GARBLED)
    status, rows, _ = score([path], capsys)
    assert status == 0
    assert [row["warnings"] for row in rows] == [[NOT_ENGLISH], []]


def test_tsv_rows_and_the_table_carry_the_not_english_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "mixed.txt", f"{GARBLED}\n\n{NOT_ENGLISH_TEXTS['de']}\n\n{NOT_ENGLISH_TEXTS['zh']}")
    out = io.StringIO()
    assert main(["score", "--format", "tsv", path], out=out) == 0
    header, *rows = [line.split("\t") for line in out.getvalue().splitlines()]
    assert [row[header.index("warnings")] for row in rows] == ["", NOT_ENGLISH, NOT_ENGLISH]
    out = io.StringIO()
    assert main(["score", "--format", "table", path], out=out) == 0
    unwrapped = out.getvalue().replace("\n" + " " * 28, " ")  # a note's wrapped lines hang under its first word
    warnings = [line.strip() for line in unwrapped.splitlines() if line.strip().startswith("!")]
    assert warnings == [f"! {NOT_ENGLISH}: {NOT_ENGLISH_MESSAGE}"] * 2  # once each, not again as a flag


def test_the_language_check_reads_the_features_tokens(
    tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No paragraph is tokenised a second time for its language: the check sums the evidence the
    features' vocabulary keeps per token (only a paragraph longer than the check's sample, or a
    stand-in classifier without features, needs a check of its own)."""
    from mtdetect import detector, features

    calls: list[int] = []
    monkeypatch.setattr(detector, "not_english", lambda texts: calls.append(len(texts)))
    monkeypatch.setattr(features, "sample_evidence", lambda text: calls.append(1))
    lines = "".join(json.dumps({"text": f"{NOT_ENGLISH_TEXTS['fr']}\n\n{GARBLED}"}) + "\n" for _ in range(5))
    status, rows, _ = score([write(tmp_path / "mixed.jsonl", lines)], capsys)
    assert status == 0 and calls == []
    assert [row["warnings"] for row in rows] == [[NOT_ENGLISH], []] * 5


def test_a_long_paragraph_is_checked_on_its_sample_alone(det: mtdetect.Detector) -> None:
    """Past the check's sample, more French does not matter: an English paragraph that ends in a
    long French quotation is judged by its start, in a batch as alone."""
    english = "The council approved the budget after a long debate about the new schools in town. " * 60
    mixed = english + NOT_ENGLISH_TEXTS["fr"] * 40
    assert len(english) > language.SAMPLE_CHARS
    assert check_language(mixed).english and not check_language(NOT_ENGLISH_TEXTS["fr"] * 40).english
    results = det.score_documents([mixed, NOT_ENGLISH_TEXTS["fr"] * 40, "Short."])
    assert [r.paragraphs[0].warnings for r in results] == [(), (NOT_ENGLISH,), ()]


def test_filter_annotations_carry_the_not_english_warning(tmp_path: Path, capsys: Capture) -> None:
    french = NOT_ENGLISH_TEXTS["fr"]
    path = write(tmp_path / "mixed.jsonl", json.dumps({"text": f"{GARBLED}\n\n{french}"}) + "\n")
    out = io.StringIO()
    assert main(["filter", path], out=out) == 0
    note = json.loads(out.getvalue())["mtdetect"]
    start = len(GARBLED) + 2
    assert note["warnings"] == [[start, start + len(french), NOT_ENGLISH]]
    assert [p[:2] for p in note["paragraphs"]] == [[0, len(GARBLED)], [start, start + len(french)]]


DROPPED_AS_GARBLED_BEFORE = ("fr", "de", "es", "ru")
"""Languages whose documents scored 0.99 and were dropped as garbled when every paragraph counted."""


@pytest.mark.parametrize("language", DROPPED_AS_GARBLED_BEFORE)
def test_a_document_with_no_english_paragraph_has_no_score_and_is_kept(
    tmp_path: Path, capsys: Capture, det: mtdetect.Detector, language: str
) -> None:
    text = NOT_ENGLISH_TEXTS[language]
    result = det.score_document(text)  # its paragraph keeps the model's score, whatever it is, but is not judged
    assert (result.score, result.garbled) == (None, False)
    assert [(p.garbled, p.warnings) for p in result.paragraphs] == [(False, (NOT_ENGLISH,))]
    path = write(tmp_path / "foreign.jsonl", json.dumps({"id": 1, "text": text}) + "\n")
    kept, rejects = tmp_path / "kept.jsonl", tmp_path / "rejects.jsonl"
    assert main(["filter", path, "--mode", "drop", "-o", str(kept), "--rejects", str(rejects)], out=io.StringIO()) == 0
    assert rejects.read_text() == ""
    note = json.loads(kept.read_text())["mtdetect"]
    assert note["score"] is None and note["warnings"] == [[0, len(text), NOT_ENGLISH]]
    assert "kept 1, dropped 0" in capsys.readouterr().err


def test_every_output_scores_a_document_by_its_english_paragraphs_only(
    tmp_path: Path, capsys: Capture, det: mtdetect.Detector
) -> None:
    """One rule (mtdetect.results) read by score rows, TSV, the table, filter, datatrove, dolma and pandas."""
    pd = pytest.importorskip("pandas")
    from mtdetect.annotation import datatrove_metadata, dolma_spans

    english, french = "The council met on Tuesday and approved the budget.", NOT_ENGLISH_TEXTS["fr"]
    mixed, foreign = f"{english}\n\n{french}", french
    expected = det.score_document(english).score  # the French paragraph adds no evidence either way
    results = det.score_documents([mixed, foreign, ""])
    assert [r.score for r in results] == [pytest.approx(expected, abs=1e-12), None, None]
    path = write(tmp_path / "docs.jsonl", "".join(json.dumps({"text": t}) + "\n" for t in (mixed, foreign, "")))

    status, rows, _ = score([path], capsys)
    assert status == 0 and [r["document_score"] for r in rows] == [round(expected, 4)] * 2 + [None]
    assert [r["garbled"] for r in rows] == [False, False, False]
    out = io.StringIO()
    assert main(["score", "--format", "tsv", path], out=out) == 0
    header, *cells = [line.split("\t") for line in out.getvalue().splitlines()]
    assert [c[header.index("document_score")] for c in cells] == [str(round(expected, 4))] * 2 + [""]
    out = io.StringIO()
    assert main(["score", "--format", "table", path], out=out) == 0
    table = out.getvalue()
    assert f"document score {expected:.2f}" in table and "no document score: no English paragraph" in table
    assert "no document score: no text" in table and "  n/a  " in table
    out = io.StringIO()
    assert main(["filter", path], out=out) == 0
    assert [json.loads(line)["mtdetect"]["score"] for line in out.getvalue().splitlines()] == [
        round(expected, 4), None, None]
    assert [datatrove_metadata(r, "mt")["mt"] for r in results] == [round(expected, 4), None, None]
    assert [[s for s in dolma_spans(r, 9) if s[2] == "document"] for r in results] == [
        [(0, 9, "document", results[0].score)], [], []]
    series = det.score_series(pd.Series([mixed, foreign, "", None]))
    assert series.iloc[0] == pytest.approx(expected, abs=1e-12) and series.iloc[1:].isna().all()
    kept = list(det.filter([{"text": t} for t in (mixed, foreign, "")], threshold=0.0))
    assert [r["mtdetect"]["score"] for r in kept] == [None, None]  # threshold 0 drops every scored one
    capsys.readouterr()


# -- pipes and Ctrl-C -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_records(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("records") / "many.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(4000):
            handle.write(json.dumps({"text": f"Record {i}: {GARBLED}\n\n{news(200, seed=i)}"}) + "\n")
    return str(path)


@pytest.fixture(scope="module")
def running(many_records: str) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """Two ``mtdetect score`` children, started together so their start-up overlaps."""
    command = [sys.executable, "-m", "mtdetect", "score", "--format", "jsonl", many_records]
    children = {name: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for name in ("head", "interrupt")}
    yield children
    for child in children.values():
        if child.poll() is None:
            child.kill()
        child.communicate()


def test_score_into_head_exits_quietly(running: dict[str, subprocess.Popen[bytes]]) -> None:
    process = running["head"]
    assert process.stdout is not None and process.stdout.readline().startswith(b"{")
    process.stdout.close()  # what `| head -1` does after its line
    assert process.wait(timeout=120) == 0
    assert process.stderr is not None and process.stderr.read() == b""


def test_ctrl_c_stops_with_status_130_whole_lines_and_no_traceback(
    running: dict[str, subprocess.Popen[bytes]]
) -> None:
    process = running["interrupt"]
    assert process.stdout is not None and process.stdout.readline().startswith(b"{")
    process.send_signal(signal.SIGINT)
    assert process.stderr is not None
    rest, err = process.stdout.read(), process.stderr.read()  # (communicate would skip read-ahead bytes)
    assert process.wait(timeout=120) == 130
    assert err == b"mtdetect: interrupted\n"
    assert rest == b"" or rest.endswith(b"\n")
    assert all(json.loads(line) for line in rest.splitlines())


def test_an_interrupted_atomic_write_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    fresh, existing = tmp_path / "new.jsonl", tmp_path / "old.jsonl"
    existing.write_text("old\n")
    for target in (fresh, existing):
        with pytest.raises(KeyboardInterrupt), atomic_writer(target) as handle:
            handle.write("half a line")
            raise KeyboardInterrupt
    assert not fresh.exists() and existing.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.jsonl"]  # no temporary file left


# -- model files ------------------------------------------------------------------------------


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    """A copy of the bundled model; returns its card."""
    card = default_model_path()
    shutil.copy(card, tmp_path / card.name)
    weights = json.loads(card.read_text(encoding="utf-8"))["weights_file"]
    shutil.copy(card.with_name(weights), tmp_path / weights)
    return tmp_path / card.name


def _weights(card: Path) -> Path:
    return card.with_name(json.loads(card.read_text())["weights_file"])


def _edit_card(card: Path, **changes: object) -> None:
    data = json.loads(card.read_text())
    data.update(changes)
    card.write_text(json.dumps(data))


def _truncate(card: Path) -> Path:
    weights = _weights(card)
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    return weights


def _flip_a_byte(card: Path) -> Path:
    weights = _weights(card)
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    return weights


def _truncate_and_rehash(card: Path) -> Path:
    weights = _truncate(card)
    _edit_card(card, weights_sha256=hashlib.sha256(weights.read_bytes()).hexdigest())
    return weights


def _other_version(card: Path) -> Path:
    _edit_card(card, format="mtdetect-model/0")
    return card


def _other_features(card: Path) -> Path:
    data = json.loads(card.read_text())
    data["features"]["dense"] = data["features"]["dense"][:-1]
    card.write_text(json.dumps(data))
    return card


def _no_weights(card: Path) -> Path:
    weights = _weights(card)
    weights.unlink()
    return weights


def _no_card(card: Path) -> Path:
    card.unlink()
    return card


def _cut_card(card: Path) -> Path:
    card.write_text(card.read_text()[:200])
    return card


MODEL_DAMAGE = {
    "truncated weights": (_truncate, "do not match the checksum"),
    "edited weights": (_flip_a_byte, "do not match the checksum"),
    "truncated weights with a matching checksum": (_truncate_and_rehash, "is damaged"),
    "card from another version": (_other_version, "has format 'mtdetect-model/0'"),
    "card with another feature layout": (_other_features, "feature layout differs"),
    "missing weights": (_no_weights, "not found"),
    "missing card": (_no_card, "not found"),
    "truncated card": (_cut_card, "not a JSON card"),
}
WHAT_TO_DO = ("make train", "--model", "restore", "reinstall")


@pytest.mark.parametrize("damage", sorted(MODEL_DAMAGE))
def test_a_damaged_model_is_a_one_line_error_naming_the_file_and_what_to_do(
    model_copy: Path, tmp_path: Path, capsys: Capture, damage: str
) -> None:
    spoil, problem = MODEL_DAMAGE[damage]
    named = spoil(model_copy)
    with pytest.raises(mtdetect.ModelError) as error:
        mtdetect.load(model_copy)
    message = str(error.value)
    assert str(named) in message and problem in message and "\n" not in message
    assert any(advice in message for advice in WHAT_TO_DO)
    status, rows, err = score(["--model", str(model_copy), write(tmp_path / "a.txt", GARBLED)], capsys)
    assert (status, rows) == (2, []) and one_line_error(err) == f"mtdetect: error: {message}\n"


class _Planted:
    """A pickle that, when loaded, creates a file: proof that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("suffix", [".pkl", ".joblib"])
def test_a_pickled_model_never_runs_without_trust_and_a_matching_checksum(
    tmp_path: Path, capsys: Capture, suffix: str
) -> None:
    marker = tmp_path / "code-ran"
    model = tmp_path / f"model{suffix}"
    model.write_bytes(pickle.dumps(_Planted(marker)))
    real = hashlib.sha256(model.read_bytes()).hexdigest()
    text = write(tmp_path / "a.txt", GARBLED)
    for options in ([], ["--trust-pickle"], ["--sha256", real], ["--trust-pickle", "--sha256", "0" * 64]):
        status, _, err = score(["--model", str(model), *options, text], capsys)
        assert status == 2 and str(model) in one_line_error(err)
        assert not marker.exists(), options
    for kwargs in ({}, {"trust": True}, {"sha256": real}, {"trust": True, "sha256": "0" * 64}):
        with pytest.raises(mtdetect.ModelError):
            mtdetect.load(model, **kwargs)
        assert not marker.exists(), kwargs


def test_the_bundled_card_checksums_its_weights() -> None:
    card = default_model_path()
    data = json.loads(card.read_text(encoding="utf-8"))
    weights = card.with_name(data["weights_file"])
    assert data["weights_sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert data["format"] == "mtdetect-model/1" and os.path.basename(data["weights_file"]) == data["weights_file"]

