"""Tests for training.pairs: the JSONL and document-pair formats, and the seed pairs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from mtdetect.errors import InputError
from training.pairs import (
    PairFormatError,
    read_pairs,
    republished_pairs,
    screen_pairs,
    seed_pairs,
    seed_report,
    write_pairs,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

PAIR = {
    "original": "Sales rose 8 percent.",
    "garbled": "Sales waxed 8 %.",
    "source": "t",
    "kind": "k",
}

ORIGINAL_DOC = """Home | World | Business

The harbour authority closed three piers after a storm damaged the breakwater on Monday night.

Engineers said repairs to the 400-metre wall would take at least six weeks and cost 2 million euros.

Share this story"""

GARBLED_DOC = """The harbour authority has closed three docks after a storm damaged the breakwater monday night.

Engineers said the repairs of the wall of 400 metres would take at least six weeks and cost 2 million of euros.

Comment: terrible news for the fishermen."""


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- reading ---------------------------------------------------------------------------


def test_read_jsonl_keeps_extra_fields_and_skips_blank_lines(tmp_path):
    path = write_lines(
        tmp_path / "p.jsonl",
        [json.dumps({**PAIR, "doc": "d1", "group": 3}), "", "   ", json.dumps(PAIR)],
    )
    pairs = list(read_pairs(path))
    assert len(pairs) == 2
    assert pairs[0]["doc"] == "d1" and pairs[0]["group"] == 3
    assert pairs[1] == PAIR


def test_read_gzip_jsonl(tmp_path):
    path = tmp_path / "p.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(PAIR) + "\n" + json.dumps({**PAIR, "kind": "other"}) + "\n")
    assert [p["kind"] for p in read_pairs(path)] == ["k", "other"]


def test_read_folder_of_jsonl_and_document_pairs(tmp_path):
    write_lines(tmp_path / "a.jsonl", [json.dumps(PAIR)])
    (tmp_path / "harbour.original.txt").write_text(ORIGINAL_DOC, encoding="utf-8")
    (tmp_path / "harbour.garbled.txt").write_text(GARBLED_DOC, encoding="utf-8")
    (tmp_path / "README.md").write_text("notes, not pairs", encoding="utf-8")
    pairs = list(read_pairs(tmp_path))
    assert pairs[0] == PAIR
    documents = [p for p in pairs if p["kind"] == "document"]
    assert len(documents) == 2
    assert all(p["source"] == "harbour" and p["doc"] == "harbour" for p in documents)
    assert documents[0]["original"].startswith("The harbour authority closed")
    assert documents[0]["garbled"].startswith("The harbour authority has closed")
    assert documents[1]["garbled"].startswith("Engineers said the repairs")
    assert [p["group"] for p in documents] == [1, 2]  # paragraph numbers in the original
    start, end = documents[1]["original_span"]
    assert ORIGINAL_DOC[start:end] == documents[1]["original"]


# --- errors ----------------------------------------------------------------------------


def error_of(path: Path) -> PairFormatError:
    with pytest.raises(PairFormatError) as caught:
        list(read_pairs(path))
    return caught.value


def test_missing_path(tmp_path):
    error = error_of(tmp_path / "nope.jsonl")
    assert "nope.jsonl: no such file or folder" in str(error)


def test_path_errors_are_raised_at_once_not_on_first_read(tmp_path):
    with pytest.raises(PairFormatError, match="no such file"):
        read_pairs(tmp_path / "nope")
    with pytest.raises(PairFormatError, match="folder holds no pairs"):
        read_pairs(tmp_path)


def test_malformed_line_names_file_and_line(tmp_path):
    path = write_lines(tmp_path / "p.jsonl", [json.dumps(PAIR), '{"original": "a",'])
    error = error_of(path)
    assert str(error).startswith(f"{path}:2: not valid JSON")
    assert error.line == 2 and error.path == path


def test_line_that_is_not_an_object(tmp_path):
    path = write_lines(tmp_path / "p.jsonl", ['["a", "b"]'])
    assert f"{path}:1: expected a JSON object" in str(error_of(path))


@pytest.mark.parametrize("field", ["original", "garbled", "source", "kind"])
def test_missing_field(tmp_path, field):
    record = {k: v for k, v in PAIR.items() if k != field}
    lines = [json.dumps(PAIR), json.dumps(PAIR), json.dumps(record)]
    path = write_lines(tmp_path / "p.jsonl", lines)
    assert f"{path}:3: missing field {field!r}" in str(error_of(path))


@pytest.mark.parametrize("value, name", [(3, "int"), (None, "null"), (["a"], "list")])
def test_non_string_field(tmp_path, value, name):
    path = write_lines(tmp_path / "p.jsonl", [json.dumps({**PAIR, "garbled": value})])
    assert f"{path}:1: field 'garbled' must be a string, found {name}" in str(error_of(path))


def test_empty_field(tmp_path):
    path = write_lines(tmp_path / "p.jsonl", [json.dumps({**PAIR, "original": "  "})])
    assert f"{path}:1: field 'original' is empty" in str(error_of(path))


def test_unpaired_original_document(tmp_path):
    (tmp_path / "story.original.txt").write_text(ORIGINAL_DOC, encoding="utf-8")
    error = error_of(tmp_path)
    assert "story.original.txt has no matching story.garbled.txt" in str(error)


def test_unpaired_garbled_document(tmp_path):
    (tmp_path / "story.garbled.txt").write_text(GARBLED_DOC, encoding="utf-8")
    assert "story.garbled.txt has no matching story.original.txt" in str(error_of(tmp_path))


def test_empty_folder(tmp_path):
    assert f"{tmp_path}: folder holds no pairs" in str(error_of(tmp_path))
    (tmp_path / "notes.txt").write_text("no pairs here", encoding="utf-8")
    assert "folder holds no pairs" in str(error_of(tmp_path))


def test_wrong_file_type(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text("original,garbled\n", encoding="utf-8")
    assert "not a pair file" in str(error_of(path))


def test_broken_gzip(tmp_path):
    path = tmp_path / "p.jsonl.gz"
    path.write_bytes(b"this is not gzip data")
    assert f"{path}: not a readable gzip file" in str(error_of(path))


def test_bad_encoding_names_the_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_bytes(json.dumps(PAIR).encode() + b"\n" + b'{"original": "caf\xe9"}\n')
    assert f"{path}:2: invalid UTF-8 at byte offset" in str(error_of(path))


def test_error_is_a_value_error_and_an_input_error(tmp_path):
    error = error_of(tmp_path / "missing")
    assert isinstance(error, ValueError) and isinstance(error, InputError)


# --- writing ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz"])
def test_write_then_read_round_trip(tmp_path, name):
    pairs = [PAIR, {**PAIR, "original": "Ünïcode “quotes” stay", "doc": "d", "group": 1}]
    path = tmp_path / "sub" / name
    assert write_pairs(pairs, path) == 2
    assert list(read_pairs(path)) == pairs
    raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    text = raw.decode("utf-8")
    assert "Ünïcode" in text


def test_write_is_atomic_on_a_bad_pair(tmp_path):
    path = tmp_path / "out.jsonl"
    write_pairs([PAIR], path)
    before = path.read_bytes()
    with pytest.raises(PairFormatError, match=r"out.jsonl:2: missing field 'kind'"):
        write_pairs([PAIR, {"original": "a", "garbled": "b", "source": "s"}], path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temporary left


# --- seed pairs ------------------------------------------------------------------------


def seeds_available() -> None:
    if not (DATA / "seeds").is_dir():
        pytest.skip("seed documents not available")


def test_seed_pairs():
    seeds_available()
    pairs = seed_pairs(DATA)
    assert len(pairs) >= 26  # 001 has 29 paragraphs, one of them a byline
    assert {(p["source"], p["kind"], p["doc"]) for p in pairs} == {("seed", "seed", "seed")}
    groups = [p["group"] for p in pairs]
    assert groups == sorted(set(groups)) and all(isinstance(g, int) for g in groups)
    [may_visit] = [p for p in pairs if p["garbled"].startswith("The May 16-17 visit")]
    assert may_visit["original"].startswith("The May 16-17 visit")
    assert all(p["original"] != p["garbled"] for p in pairs)


def test_republished_pairs_share_groups_with_seed_pairs():
    seeds_available()
    republished = republished_pairs(DATA)
    assert len(republished) >= 27
    assert {p["kind"] for p in republished} == {"republished"}
    by_group = {p["group"]: p for p in republished}
    for pair in seed_pairs(DATA):
        if pair["group"] in by_group:
            assert by_group[pair["group"]]["original"] == pair["original"]


def test_seed_report_counts_paragraphs():
    seeds_available()
    report = seed_report(DATA)
    assert "of 29 paragraphs of 001 aligned with 004" in report
    assert "republished:" in report


def test_missing_seed_folder(tmp_path):
    with pytest.raises(PairFormatError, match="seed document 004_"):
        seed_pairs(tmp_path)


# --- screening for training ------------------------------------------------------------


def test_screen_pairs_leaves_out_same_short_and_repeated_pairs_and_says_why():
    same = {**PAIR, "garbled": "Sales  rose 8 percent. "}
    short = {**PAIR, "original": "Sales rose.", "garbled": "Sales waxed."}
    screened = screen_pairs([PAIR, same, short, dict(PAIR), PAIR])
    assert screened.kept == [PAIR]
    assert screened.left_out == [
        "1 with the same text on both sides (nothing to learn), e.g. 'Sales rose 8 percent.'",
        "1 with fewer than 3 words on a side, e.g. 'Sales rose.'",
        "2 repeated (the same original and garbled text), e.g. 'Sales rose 8 percent.'",
    ]


def test_screen_pairs_refuses_a_file_with_nothing_usable():
    with pytest.raises(PairFormatError, match=r"^p.jsonl: none of the 2 pairs is usable: 2 with fewer than 3 words"):
        screen_pairs([{**PAIR, "original": "Sales rose.", "garbled": "Sales waxed."}] * 2, "p.jsonl")
