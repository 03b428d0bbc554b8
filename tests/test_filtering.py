"""Tests for mtdetect.filtering, the `mtdetect filter` command and the Detector's pipeline API.

Most tests use a keyword detector (a paragraph containing GARBLED scores 0.9,
others 0.1) so the stream logic is checked exactly; the end-to-end tests run
the bundled model through the real command line.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

import mtdetect
from mtdetect import batches, filtering
from mtdetect import detector as detector_module
from mtdetect.atomic import open_output
from mtdetect.cli import main
from mtdetect.detector import Evidence
from mtdetect.errors import InputError
from mtdetect.filtering import FilterCounts, FilterOptions, filter_stream
from mtdetect.records import JSON_HINT
from mtdetect.results import ParagraphScore, document_score
from mtdetect.segment import split_paragraphs

ROOT = Path(__file__).resolve().parents[1]
GOOD = "The council met on Tuesday to discuss the budget.\n\nIt approved the plan after a long debate."
BAD = "A first paragraph, clean.\n\nGARBLED: the minister said , that the economy. of the region do n't grow."
GARBLED_EN = (  # for the real model
    "The minister said , that the economy. of the region do n't grow 8 % in March. 2022 . "
    "A analysis the analysis of the the ministry, which rely on the cross- border trade, Express his wish."
)


class KeywordDetector(mtdetect.Detector):
    """A stand-in detector: a paragraph containing GARBLED scores 0.9, any other 0.1.

    Only the classifier is replaced: documents, verdicts and warnings are the Detector's own.
    """

    def __init__(self) -> None:
        super().__init__(threshold=0.5)

    def paragraph_evidence(self, paragraphs: Sequence[str], *, explain: bool = False, top: int = 6) -> Evidence:
        scores = np.array([0.9 if "GARBLED" in p else 0.1 for p in paragraphs])
        return Evidence(scores, np.log(scores / (1 - scores)))


def keyword_document_score(text: str) -> float:
    """The stand-in's document score of an English text, rounded as outputs round it: the Detector
    combines its paragraphs' log-odds with the bundled model's document calibration."""
    spans = []
    for segment in split_paragraphs(text):
        score = 0.9 if "GARBLED" in segment.text else 0.1
        spans.append(ParagraphScore(segment.start, segment.end, score, float(np.log(score / (1 - score)))))
    combined = document_score(spans, mtdetect.load().model.document_calibration)
    assert combined is not None
    return round(combined, 4)


def run(
    data: bytes,
    tmp_path: Path,
    name: str = "in.jsonl",
    processes: int = 1,
    **option_args: object,
) -> tuple[list[str], list[str], list[str], FilterCounts]:
    """Filter ``data`` written to a file; return output lines, reject lines, messages and counts."""
    path = tmp_path / name
    path.write_bytes(data)
    out, rejects, messages = io.StringIO(), io.StringIO(), []
    counts = filter_stream(
        [str(path)], KeywordDetector(), FilterOptions(**option_args), out, rejects,  # type: ignore[arg-type]
        processes=processes, on_error=messages.append,
    )
    return out.getvalue().splitlines(), rejects.getvalue().splitlines(), messages, counts


def jsonl(*records: object) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


# -- annotate and drop ------------------------------------------------------------------------

def test_annotate_keeps_every_field_its_formatting_and_the_line_order(tmp_path: Path) -> None:
    lines = [
        '{"id": 1,   "text": "Clean text here.", "meta": {"lang": "en"}}',
        '{"text":"GARBLED text here.","id":2,"tags":[1,2]}',
        '{"id": 3, "text": "caf\\u00e9 and \u00fcber", "x": null}',
    ]
    out, rejects, messages, counts = run(("\n".join(lines) + "\n").encode(), tmp_path)
    assert (counts.read, counts.kept, counts.dropped, counts.errors) == (3, 3, 0, 0)
    assert rejects == [] and messages == []
    for original, written in zip(lines, out):
        assert written.startswith(original[:-1] + ", ")  # the input bytes, untouched, then the new key
        record = json.loads(written)
        assert {k: v for k, v in record.items() if k != "mtdetect"} == json.loads(original)
        assert list(record)[-1] == "mtdetect"
    assert [json.loads(line)["id"] for line in out] == [1, 2, 3]
    assert json.loads(out[0])["mtdetect"] == {
        "score": keyword_document_score("Clean text here."), "paragraphs": [[0, 16, 0.1]], "warnings": []
    }
    assert json.loads(out[1])["mtdetect"]["score"] == keyword_document_score("GARBLED text here.")


def test_drop_sends_garbled_records_to_rejects_with_reason_and_line(tmp_path: Path) -> None:
    data = jsonl({"id": 1, "text": GOOD}, {"id": 2, "text": BAD}, {"id": 3, "text": GOOD})
    out, rejects, messages, counts = run(data, tmp_path, mode="drop")
    assert [json.loads(line)["id"] for line in out] == [1, 3]
    assert (counts.read, counts.kept, counts.dropped, counts.errors) == (3, 2, 1, 0)
    assert counts.paragraphs == 6 and messages == []
    [reject] = [json.loads(line) for line in rejects]
    assert reject["id"] == 2 and reject["text"] == BAD
    note = reject["mtdetect"]
    assert note["rejected"] == "dropped" and note["line"] == 2 and note["source"].endswith("in.jsonl")
    assert note["reason"].startswith("garbled: document score 0.") and "threshold 0.5000" in note["reason"]
    assert [p[2] for p in note["paragraphs"]] == [0.1, 0.9]


def test_threshold_option_overrides_the_detector_threshold(tmp_path: Path) -> None:
    data = jsonl({"text": GOOD}, {"text": BAD})
    out, _, _, counts = run(data, tmp_path, mode="drop", threshold=0.05)
    assert out == [] and counts.dropped == 2


def test_score_field_and_document_score_only(tmp_path: Path) -> None:
    out, *_ = run(jsonl({"text": GOOD}), tmp_path, score_field="mt", paragraphs=False)
    assert json.loads(out[0])["mt"] == {"score": keyword_document_score(GOOD), "warnings": []}


FRENCH = "Le conseil municipal a approuvé le budget mardi après un long débat sur les nouvelles écoles de la ville."


def test_annotations_carry_per_paragraph_warnings(tmp_path: Path) -> None:
    mixed = f"{FRENCH}\n\nGARBLED: the minister said , that it grows."
    out, *_ = run(jsonl({"id": 1, "text": mixed}, {"id": 2, "text": GOOD}), tmp_path)
    first, second = (json.loads(line)["mtdetect"] for line in out)
    assert first["warnings"] == [[0, len(FRENCH), "not_english"]]
    assert [p[:2] for p in first["paragraphs"]] == [[0, len(FRENCH)], [len(FRENCH) + 2, len(mixed)]]
    assert second["warnings"] == []
    assert mixed[slice(*first["warnings"][0][:2])] == FRENCH


def test_warnings_survive_no_paragraphs_drop_and_tsv(tmp_path: Path) -> None:
    out, *_ = run(jsonl({"text": FRENCH}), tmp_path, paragraphs=False)
    assert json.loads(out[0])["mtdetect"] == {"score": None, "warnings": [[0, len(FRENCH), "not_english"]]}
    _, rejects, _, _ = run(jsonl({"text": f"GARBLED.\n\n{FRENCH}"}), tmp_path, mode="drop", threshold=0.05)
    note = json.loads(rejects[0])["mtdetect"]
    assert note["rejected"] == "dropped" and note["warnings"] == [[10, 10 + len(FRENCH), "not_english"]]
    data = f"id\ttext\n1\t{FRENCH}\n2\tClean one.\n".encode()
    out, *_ = run(data, tmp_path, name="in.tsv")
    assert out[0].split("\t")[-1] == "mtdetect_warnings"
    assert [json.loads(line.split("\t")[-1]) for line in out[1:]] == [[[0, len(FRENCH), "not_english"]], []]
    out, *_ = run(data, tmp_path, name="in.tsv", paragraphs=False)
    assert out[0] == "id\ttext\tmtdetect\tmtdetect_warnings" and len(out[1].split("\t")) == 4


def test_the_language_check_runs_once_per_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in classifier has no features to read the language from: one check per block."""
    calls: list[int] = []
    real = detector_module.not_english
    monkeypatch.setattr(detector_module, "not_english", lambda texts: calls.append(len(texts)) or real(texts))
    run(jsonl(*[{"text": GOOD} for _ in range(5)]), tmp_path)
    assert calls == [10]  # one call for the block's ten paragraphs


def test_the_api_annotations_carry_warnings_too() -> None:
    records = [{"text": FRENCH}, {"text": GOOD}]
    kept = list(batches.filter_records(KeywordDetector(), records, mode="annotate"))  # type: ignore[arg-type]
    assert [r["mtdetect"]["warnings"] for r in kept] == [[[0, len(FRENCH), "not_english"]], []]


def test_existing_score_field_is_replaced_not_duplicated(tmp_path: Path) -> None:
    out, *_ = run(jsonl({"mtdetect": "old", "text": GOOD}), tmp_path)
    assert out[0].count('"mtdetect"') == 1
    assert json.loads(out[0])["mtdetect"]["score"] == keyword_document_score(GOOD)


def test_blank_lines_are_no_records_and_a_bom_is_ignored(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + jsonl({"text": GOOD}) + b"\n   \n" + jsonl({"text": GOOD})
    out, rejects, messages, counts = run(data, tmp_path)
    assert len(out) == 2 and counts.read == 2 and rejects == [] and messages == []


# -- errors: never lost ---------------------------------------------------------------------------

def test_unreadable_lines_are_reported_with_line_number_and_rejected(tmp_path: Path) -> None:
    junk = bytes(b for b in range(256) if b != 10)  # every byte but the line break
    data = b"".join([
        jsonl({"text": GOOD}),                      # 1 fine
        b'{"text": "unterminated\n',                # 2 bad JSON
        b"[1, 2, 3]\n",                             # 3 not an object
        jsonl({"body": GOOD}),                      # 4 no text field
        jsonl({"text": None}),                      # 5 null text
        jsonl({"text": 42}),                        # 6 number text
        b'{"text": "caf\xe9"}\n',                   # 7 invalid UTF-8
        junk + b"\n",                               # 8 binary junk
        b"\x00\x00\x00\n",                          # 9 NUL bytes
        jsonl({"text": GOOD}),                      # 10 fine
    ])
    out, rejects, messages, counts = run(data, tmp_path)
    assert (counts.read, counts.kept, counts.dropped, counts.errors) == (10, 2, 0, 8)
    assert len(out) == 2
    expected = {
        2: "not valid JSON", 3: "expected a JSON object, found a JSON array", 4: "no field 'text'",
        5: "field 'text' is JSON null, not a string", 6: "field 'text' is a JSON number, not a string",
        7: "invalid UTF-8 at byte offset 288", 8: "invalid UTF-8", 9: "not valid JSON",
    }
    assert len(messages) == 8
    for message, (line, reason) in zip(messages, expected.items()):
        assert f"in.jsonl: line {line}: {reason}" in message
    notes = [json.loads(r) for r in rejects]
    assert [n["mtdetect"]["line"] for n in notes] == list(expected)
    assert all(n["mtdetect"]["rejected"] == "error" for n in notes)
    assert notes[2]["body"] == GOOD  # a parsed record keeps its fields
    assert notes[0]["raw"] == '{"text": "unterminated'
    assert base64.b64decode(notes[6]["raw_base64"]) == junk  # undecodable bytes survive intact


def test_encoding_errors_replace_scores_the_line(tmp_path: Path) -> None:
    out, rejects, messages, counts = run(b'{"text": "caf\xe9 GARBLED"}\n', tmp_path, encoding_errors="replace")
    assert counts.kept == 1 and rejects == [] and messages == []
    assert "caf\ufffd" in json.loads(out[0])["text"]


def test_an_overlong_line_is_rejected_without_reading_it_whole(tmp_path: Path) -> None:
    data = jsonl({"text": GOOD[:40]}) + b'{"text": "' + b"x" * 500 + b'"}\n' + jsonl({"text": GOOD[:40]})
    out, rejects, messages, counts = run(data, tmp_path, max_record_bytes=100)
    assert (counts.kept, counts.errors) == (2, 1)
    assert "line 2: line longer than 100 bytes" in messages[0]
    assert len(rejects[0]) < 1200


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["good", "bad", "junk", "notext", "blank", "utf8"]), max_size=40))
def test_every_line_is_kept_dropped_or_an_error(tmp_path_factory: pytest.TempPathFactory, kinds: list[str]) -> None:
    make = {
        "good": jsonl({"text": GOOD}), "bad": jsonl({"text": BAD}), "junk": b"}{\x00\n",
        "notext": jsonl({"t": 1}), "blank": b"\n", "utf8": b'{"text": "\xff"}\n',
    }
    data = b"".join(make[k] for k in kinds)
    out, rejects, messages, counts = run(data, tmp_path_factory.mktemp("p"), mode="drop")
    records = [k for k in kinds if k != "blank"]
    assert counts.balanced and counts.read == len(records)
    assert counts.kept == records.count("good") == len(out)
    assert counts.dropped == records.count("bad")
    assert counts.errors == len(messages) == len(records) - records.count("good") - records.count("bad")
    assert len(rejects) == counts.dropped + counts.errors
    line_numbers = [i for i, k in enumerate(kinds, 1) if k in ("junk", "notext", "utf8")]
    assert [int(m.split("line ")[1].split(":")[0]) for m in messages] == line_numbers


# -- TSV, compression, blocks and workers -------------------------------------------------------------

def test_tsv_keeps_columns_adds_score_columns_and_rejects_short_rows(tmp_path: Path) -> None:
    data = "id\ttext\n1\tFirst para.\\n\\nGARBLED para.\n2\n3\tClean one.\n".encode()
    out, rejects, messages, counts = run(data, tmp_path, name="in.tsv", mode="drop")
    assert out[0] == "id\ttext\tmtdetect\tmtdetect_paragraphs\tmtdetect_warnings"
    assert out[1].startswith(f"3\tClean one.\t{keyword_document_score('Clean one.')}\t")
    assert json.loads(out[1].split("\t")[3]) == [[0, 10, 0.1]]
    assert json.loads(out[1].split("\t")[4]) == []
    assert rejects[0] == "line\treason\tid\ttext"
    assert rejects[1].startswith("2\tgarbled: document score")
    assert rejects[2] == "3\trow has 1 column, header has 2\t2"
    assert (counts.read, counts.kept, counts.dropped, counts.errors) == (3, 1, 1, 1)
    assert messages == [f"{tmp_path / 'in.tsv'}: line 3: row has 1 column, header has 2"]


def test_a_ragged_tsv_row_is_a_reject_not_a_shifted_row(tmp_path: Path) -> None:
    """A row with more or fewer cells than the header would put the scores under the wrong columns."""
    header = "id\ttext\tlang\turl\tdate\tauthor"
    data = f"{header}\n1\tClean one.\ten\tu\td\ta\n2\tShort row.\ten\tu\td\n3\tLong.\ten\tu\td\ta\tx\n".encode()
    out, rejects, messages, counts = run(data, tmp_path, name="in.tsv")
    assert [len(line.split("\t")) for line in out] == [9, 9]  # six columns and three scores, every row
    assert out[1].startswith(f"1\tClean one.\ten\tu\td\ta\t{keyword_document_score('Clean one.')}\t")
    assert rejects[1:] == ["3\trow has 5 columns, header has 6\t2\tShort row.\ten\tu\td",  # file lines
                           "4\trow has 7 columns, header has 6\t3\tLong.\ten\tu\td\ta\tx"]
    assert (counts.read, counts.kept, counts.errors) == (3, 1, 2)
    assert messages == [f"{tmp_path / 'in.tsv'}: line {n}: row has {c} columns, header has 6" for n, c in ((3, 5), (4, 7))]


def test_a_crlf_tsv_is_read_alike_by_filter_and_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One reader: a Windows TSV (``\\r\\n``) has the same header and cells for both commands."""
    path = tmp_path / "windows.tsv"
    path.write_bytes(b"id\ttext\r\n1\tThe council met on Tuesday.\r\n2\tIt approved the budget.\r\n")
    out = io.StringIO()
    assert main(["filter", str(path)], out=out) == 0
    header, *rows = out.getvalue().splitlines()
    assert header == "id\ttext\tmtdetect\tmtdetect_paragraphs\tmtdetect_warnings"
    assert [row.split("\t")[:2] for row in rows] == [["1", "The council met on Tuesday."], ["2", "It approved the budget."]]
    assert "\r" not in out.getvalue()
    scored = io.StringIO()
    assert main(["score", "--format", "jsonl", str(path)], out=scored) == 0
    score_rows = [json.loads(line) for line in scored.getvalue().splitlines()]
    assert [r["end"] for r in score_rows] == [27, 23]  # no \r in the text
    assert [r["document_score"] for r in score_rows] == [float(row.split("\t")[2]) for row in rows]
    capsys.readouterr()


def test_tsv_cells_are_unescaped_as_the_score_command_reads_them(tmp_path: Path) -> None:
    # "C:\\new" is an escaped backslash then "new", not a line break: one paragraph of 13 characters.
    data = b"id\ttext\n1\tC:\\\\new folder\n2\tOne.\\n\\nTwo\\tthree.\n"
    out, *_ = run(data, tmp_path, name="in.tsv")
    assert [json.loads(line.split("\t")[3]) for line in out[1:]] == [[[0, 13, 0.1]], [[0, 4, 0.1], [6, 16, 0.1]]]


def test_tsv_without_the_text_column_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no column 'text' in the header"):
        run(b"id\tbody\n1\tx\n", tmp_path, name="in.tsv")


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_input_and_output_by_extension(tmp_path: Path, suffix: str) -> None:
    data = jsonl(*({"id": i, "text": GOOD} for i in range(50)))
    packed = gzip.compress(data) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data)
    source = tmp_path / f"in.jsonl{suffix}"
    source.write_bytes(packed)
    target = tmp_path / f"out.jsonl{suffix}"
    with open_output(target) as out:
        counts = filter_stream([str(source)], KeywordDetector(), FilterOptions(), out)  # type: ignore[arg-type]
    raw = target.read_bytes()
    text = gzip.decompress(raw) if suffix == ".gz" else zstandard.ZstdDecompressor().decompressobj().decompress(raw)
    assert counts.kept == 50
    assert [json.loads(line)["id"] for line in text.decode().splitlines()] == list(range(50))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_output_file_appears_only_when_the_run_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        with open_output(target) as out:
            out.write("half a file\n")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_workers_give_the_same_output_in_the_same_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filtering, "BLOCK_RECORDS", 7)
    records = [{"id": i, "text": BAD if i % 3 == 0 else GOOD} for i in range(200)]
    data = jsonl(*records) + b"not json\n"
    one = run(data, tmp_path, processes=1, mode="drop")
    two = run(data, tmp_path, processes=2, mode="drop")
    assert one == two
    assert [json.loads(line)["id"] for line in two[0]] == [i for i in range(200) if i % 3]
    assert two[3].errors == 1 and two[3].balanced


class CountingDetector(KeywordDetector):
    """The stand-in detector, counting its model calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def paragraph_evidence(self, paragraphs: Sequence[str], *, explain: bool = False, top: int = 6) -> Evidence:
        self.calls += 1
        return super().paragraph_evidence(paragraphs, explain=explain, top=top)


@pytest.mark.parametrize("processes", [1, 2])
def test_blocks_run_on_across_files_with_each_line_named_by_its_own_file(tmp_path: Path, processes: int) -> None:
    names = []
    for k in range(30):  # one-record files, every fifth with an unreadable line after its record
        names.append(str(tmp_path / f"{k:02}.jsonl"))
        text = BAD if k % 3 == 0 else GOOD
        Path(names[-1]).write_bytes(jsonl({"k": k, "text": text}) + (b"{oops\n" if k % 5 == 0 else b""))
    detector, messages = CountingDetector(), []
    out, rejects = io.StringIO(), io.StringIO()
    counts = filter_stream(names, detector, FilterOptions(mode="drop"), out, rejects,  # type: ignore[arg-type]
                           processes=processes, on_error=messages.append)
    assert (counts.read, counts.kept, counts.dropped, counts.errors) == (36, 20, 10, 6)
    assert [json.loads(line)["k"] for line in out.getvalue().splitlines()] == [k for k in range(30) if k % 3]
    assert messages == [f"{names[k]}: line 2: not valid JSON (expecting property name enclosed in double quotes "
                        f"at column 2) ({JSON_HINT})" for k in range(0, 30, 5)]
    where = [(r["mtdetect"]["source"], r["mtdetect"]["line"]) for r in map(json.loads, rejects.getvalue().splitlines())]
    assert where == [(names[k], line) for k in range(30) for line in (1, 2) if (line == 1 and k % 3 == 0)
                     or (line == 2 and k % 5 == 0)]
    if processes == 1:
        assert detector.calls == 1  # all 30 files in one block: one model call


def test_workers_take_input_lazily_a_bounded_window_at_a_time() -> None:
    pulled = 0

    def source():
        nonlocal pulled
        for i in range(40):
            pulled += 1
            yield filtering.Block([filtering.Part("in", [(i + 1, 0, json.dumps({"text": GOOD}).encode())])])

    results = filtering.scored_blocks(source(), KeywordDetector(), FilterOptions(), processes=2)  # type: ignore[arg-type]
    next(results)
    time.sleep(0.3)  # workers finish what they were given; no more is taken until results are
    assert pulled <= filtering.BLOCKS_IN_FLIGHT_PER_PROCESS * 2 + 1
    assert sum(1 for _ in results) == 39


# -- Python API ---------------------------------------------------------------------------------

def test_filter_records_yields_kept_copies_lazily_and_names_bad_records() -> None:
    records = [{"id": 1, "text": GOOD}, {"id": 2, "text": BAD}, {"id": 3, "text": GOOD}]
    kept = list(batches.filter_records(KeywordDetector(), records, batch_size=2))  # type: ignore[arg-type]
    assert [r["id"] for r in kept] == [1, 3]
    assert kept[0]["mtdetect"]["score"] == keyword_document_score(GOOD) and "mtdetect" not in records[0]
    every = batches.filter_records(KeywordDetector(), records, mode="annotate", score_field=None)  # type: ignore[arg-type]
    assert [r for r in every] == records

    stream = batches.filter_records(KeywordDetector(), [{"text": GOOD}, ["not", "a", "record"]], batch_size=1)  # type: ignore[arg-type]
    assert next(stream)["text"] == GOOD
    with pytest.raises(InputError, match="record 1: a list, not a mapping"):
        next(stream)


@pytest.mark.parametrize("mode", ["drop", "annotate"])
def test_records_without_a_string_text_come_back_with_the_reason(mode: str) -> None:
    records = [{"id": 1, "text": GOOD}, {"id": 2, "text": None}, {"id": 3}, {"id": 4, "text": 5},
               {"id": 5, "text": BAD}, {"id": 6, "text": GOOD}]
    out = list(batches.filter_records(KeywordDetector(), records, mode=mode, batch_size=2))  # type: ignore[arg-type]
    expected_ids = [1, 2, 3, 4, 6] if mode == "drop" else [1, 2, 3, 4, 5, 6]
    assert [r["id"] for r in out] == expected_ids
    errors = {r["id"]: r["mtdetect"]["error"] for r in out if "error" in r["mtdetect"]}
    assert errors == {2: "field 'text' is JSON null, not a string", 3: "no field 'text'",
                      4: "field 'text' is a JSON number, not a string"}
    assert all(r["mtdetect"]["score"] is None for r in out if r["id"] in errors)


@pytest.fixture(scope="module")
def detector() -> mtdetect.Detector:
    return mtdetect.load()


def test_detector_filter_and_score_series_with_the_bundled_model(detector: mtdetect.Detector) -> None:
    import pandas as pd
    texts = [GOOD, GARBLED_EN, None]
    series = pd.Series(texts, index=[10, 20, 30], name="text")
    scores = detector.score_series(series)
    assert list(scores.index) == [10, 20, 30] and scores.dtype == "float64"
    assert scores[10] < detector.threshold <= scores[20] and pd.isna(scores[30])
    expected = [r.score for r in detector.score_documents(texts[:2])]
    assert scores[[10, 20]].tolist() == pytest.approx(expected)
    full = detector.score_series(series, paragraphs=True)
    assert full[20]["paragraphs"] == [[0, len(GARBLED_EN), round(scores[20], 4)]] and full[30] is None
    kept = list(detector.filter([{"text": t} for t in texts]))  # a None text is no reason to stop
    assert [r["text"] for r in kept] == [GOOD, None] and kept[1]["mtdetect"]["error"]


def test_detector_pickles_without_its_model(detector: mtdetect.Detector) -> None:
    blob = pickle.dumps(detector)
    assert len(blob) < 10_000
    copy = pickle.loads(blob)
    assert copy._model is None  # loads lazily in the worker
    assert copy.score_paragraphs([GOOD]) == pytest.approx(detector.score_paragraphs([GOOD]))


# -- the command line -------------------------------------------------------------------------------

def test_cli_filter_drop_with_rejects_prints_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl({"id": 1, "text": GOOD}, {"id": 2, "text": GARBLED_EN}) + b"oops\n")
    out, rej = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    status = main(["filter", str(source), "--mode", "drop", "-o", str(out), "--rejects", str(rej), "-p", "2"])
    err = capsys.readouterr().err
    assert status == 0
    assert "read 3 records: kept 1, dropped 1, errors 1" in err and "line 3: not valid JSON" in err
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [1]
    notes = [json.loads(line)["mtdetect"] for line in rej.read_text().splitlines()]
    assert [(n["rejected"], n["line"]) for n in notes] == [("dropped", 2), ("error", 3)]


def test_cli_filter_exits_1_when_unreadable_lines_have_nowhere_to_go(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl({"text": GOOD}) + b"oops\n")
    out = io.StringIO()
    assert main(["filter", str(source)], out=out) == 1
    assert len(out.getvalue().splitlines()) == 1
    assert "keep it with --rejects" in capsys.readouterr().err


def test_cli_filter_neither_offers_nor_takes_plain_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["filter", "--input-format", "text", "x.txt"], out=io.StringIO())
    assert exit_.value.code == 2
    assert "invalid choice: 'text' (choose from 'auto', 'jsonl', 'tsv')" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["filter", "-h"], out=io.StringIO())
    assert "{auto,jsonl,tsv}" in capsys.readouterr().out


def _mtdetect(*args: str, **kwargs: object) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "mtdetect", *args], env=env, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def test_cli_filter_into_head_exits_quietly(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(*({"id": i, "text": "Fine."} for i in range(6000))))  # more than a pipe holds
    proc = _mtdetect("filter", str(source), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert json.loads(first)["id"] == 0
    assert err == ""


def test_ctrl_c_leaves_no_partial_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    proc = _mtdetect("filter", "-", "-o", str(target), stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write(jsonl(*({"id": i, "text": "Fine."} for i in range(2000))))
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    while not any(p.stat().st_size for p in tmp_path.glob(".out.jsonl.*.tmp")):  # it is writing
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    assert "interrupted" in proc.stderr.read().decode()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["notes.txt", "-"])
def test_plain_text_is_refused_up_front_with_a_pointer_to_score(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = b"\n\xef\xbb\xbfThe council met on Tuesday.\nIt approved the plan.\nIt left.\n"
    if name == "-":
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
        shown, command = "<stdin>", "`mtdetect score`"
    else:
        (tmp_path / name).write_bytes(text)
        name = shown = str(tmp_path / name)
        command = f"`mtdetect score {shown}`"
    out = io.StringIO()
    assert main(["filter", name], out=out) == 2
    assert out.getvalue() == ""
    assert capsys.readouterr().err == (
        f"mtdetect: error: {shown}: looks like plain text, not JSONL records (its first line is no JSON object); "
        f"`mtdetect filter` reads JSONL or TSV records: score plain text with {command}\n")


def test_records_in_a_file_not_named_jsonl_are_still_filtered(tmp_path: Path) -> None:
    path = tmp_path / "crawl.json"
    path.write_text('\n{"text": "The council met on Tuesday."}\nnot json\n', encoding="utf-8")
    out = io.StringIO()
    assert main(["filter", str(path), "--rejects", str(tmp_path / "rejects.jsonl")], out=out) == 0
    assert len(out.getvalue().splitlines()) == 1
