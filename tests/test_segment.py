"""Tests for mtdetect.segment (paragraphs, sentences, tokens) and training.punkt."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtdetect import segment
from mtdetect.errors import ModelError
from mtdetect.segment import Segment, split_paragraphs, split_sentences, split_tokens
from training import punkt

DATA = Path(__file__).parents[1] / ".." / "shared" / "data"

VARIED_TEXTS = [
    "",
    "   ",
    "One line.",
    "Para one.\n\nPara two.",
    "  Indented first.  \n\n\n\t Second, after two blank lines. \n",
    "Line one\nLine two\nLine three",
    "Windows one.\r\n\r\nWindows two.\r\n",
    "Mac one.\r\rMac two.",
    "Mixed.\r\n\nEndings.\n\r\nHere.",
    "Blank line with spaces.\n   \t \nNext paragraph.",
    "Dr. Who met Mr. Smith at 9 a.m. on Sept. 11. They talked about U.S. policy.\n\nIt ended!",
    "“Quoted,” she said. ‘Single’ quotes too… and an ellipsis.\n\nNo-break\u00a0spaces and naïve café.",
    "Trailing blank lines only\n\n\n",
    "x",
]


def check_round_trip(text: str, segments: list[Segment]) -> None:
    """Offsets slice back to the text, pieces are stripped, non-empty, ordered, disjoint."""
    previous_end = 0
    for seg in segments:
        assert text[seg.start : seg.end] == seg.text
        assert seg.text and seg.text == seg.text.strip()
        assert seg.start >= previous_end
        previous_end = seg.end


def visible(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def seed_texts() -> dict[str, str]:
    seeds = sorted((DATA / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("shared seed articles not available")
    return {path.name: path.read_text(encoding="utf-8") for path in seeds}


# ---------------------------------------------------------------------------
# Segment
# ---------------------------------------------------------------------------


def test_segment_is_frozen_value() -> None:
    seg = Segment(1, 3, "ab")
    assert seg == Segment(1, 3, "ab")
    with pytest.raises(dataclasses.FrozenInstanceError):
        seg.start = 2  # type: ignore[misc]
    assert not hasattr(seg, "__dict__")  # slots


# ---------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", VARIED_TEXTS)
def test_paragraph_offsets_round_trip(text: str) -> None:
    paragraphs = split_paragraphs(text)
    check_round_trip(text, paragraphs)
    assert visible("".join(p.text for p in paragraphs)) == visible(text)


def test_blank_lines_separate_paragraphs() -> None:
    text = "First para\ncontinues here.\n\nSecond para.\n \t \nThird para."
    assert [p.text for p in split_paragraphs(text)] == [
        "First para\ncontinues here.",
        "Second para.",
        "Third para.",
    ]


def test_document_without_blank_lines_splits_on_newlines() -> None:
    text = "Headline\n  Lead sentence.  \nBody sentence.\n"
    assert split_paragraphs(text) == [
        Segment(0, 8, "Headline"),
        Segment(11, 25, "Lead sentence."),
        Segment(28, 42, "Body sentence."),
    ]


def test_blank_lines_only_around_one_block_split_on_newlines() -> None:
    # Leading/trailing blank lines are not paragraph structure: one block -> lines.
    assert [p.text for p in split_paragraphs("\n\nLine one\nLine two\n\n\n")] == ["Line one", "Line two"]


def test_crlf_blank_lines() -> None:
    text = "Para one\r\nstill one.\r\n\r\nPara two.\r\n"
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == ["Para one\r\nstill one.", "Para two."]
    check_round_trip(text, paragraphs)


def test_crlf_single_newlines_are_not_blank_lines() -> None:
    # "\r\n" is one line break: these are three lines, not paragraphs around blank lines.
    assert [p.text for p in split_paragraphs("a\r\nb\r\nc")] == ["a", "b", "c"]
    assert [p.text for p in split_paragraphs("a b\r\nc d\r\n\r\ne f")] == ["a b\r\nc d", "e f"]


def test_old_mac_line_endings() -> None:
    assert [p.text for p in split_paragraphs("a\rb\rc")] == ["a", "b", "c"]
    assert [p.text for p in split_paragraphs("a\rb\r\rc")] == ["a\rb", "c"]


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", " \t\r\n \u00a0\r\n"])
def test_whitespace_only_gives_no_paragraphs(text: str) -> None:
    assert split_paragraphs(text) == []


def test_seed_paragraphs_round_trip(seed_texts: dict[str, str]) -> None:
    for name, text in seed_texts.items():
        paragraphs = split_paragraphs(text)
        assert len(paragraphs) > 10, name
        check_round_trip(text, paragraphs)
        assert visible("".join(p.text for p in paragraphs)) == visible(text)


_LINE_TEXT = st.text(alphabet=st.sampled_from(list("ab. \t\n\r\u00a0")), max_size=80)


@settings(max_examples=300, deadline=None)
@given(_LINE_TEXT)
def test_paragraphs_property(text: str) -> None:
    paragraphs = split_paragraphs(text)
    check_round_trip(text, paragraphs)
    # nothing visible is lost
    assert visible("".join(p.text for p in paragraphs)) == visible(text)
    # no paragraph holds a blank line
    for p in paragraphs:
        assert not re.search(r"(?:\r\n|\r|\n)[^\S\r\n]*(?:\r\n|\r|\n)", p.text.replace("\r\n", "\n"))


def _timed(function: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    function(text)
    return time.perf_counter() - started


@pytest.mark.parametrize(
    "hostile",
    [
        "word " * 1_000_000,  # 5 MB on one line
        "\n" + " " * 2_000_000 + "x",  # a long run a blank-line match must give up on
        "a\n \n" * 100_000,  # a hundred thousand paragraphs
        "\r" * 200_000,
        "\r\n" * 200_000,
    ],
    ids=["long-line", "space-run", "many-paragraphs", "cr-run", "crlf-run"],
)
def test_split_paragraphs_is_linear_on_hostile_input(hostile: str) -> None:
    assert _timed(split_paragraphs, hostile) < 5.0


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith went to Washington.",
        "Ask Mr. Young now.",  # Punkt alone splits here: "young" is seen in lower case
        "U.S. officials said so.",
        "The attacks of Sept. 11 changed everything.",
        "We met Dr. Brown today.",
        "It starts at 9 a.m. Monday.",
        "Prices rose, e.g. for bread, and fuel.",
        "He works for Acme Inc. and lives in St. Louis.",
        "He cited Smith et al. in the paper.",
        "See No. 5 for details.",
        "J. F. Kennedy spoke.",
    ],
)
def test_abbreviations_do_not_split(text: str) -> None:
    assert [s.text for s in split_sentences(text)] == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It rained. We stayed in.", ["It rained.", "We stayed in."]),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        ("He lives in the U.S. The president disagrees.", ["He lives in the U.S.", "The president disagrees."]),
        ("It ended at 9 a.m. The meeting was short.", ["It ended at 9 a.m.", "The meeting was short."]),
        ('"Go home." She went.', ['"Go home."', "She went."]),
        # machine-translation damage: a full stop in mid-clause still ends a sentence
        ("the economy. of his country", ["the economy.", "of his country"]),
    ],
)
def test_sentence_ends_split(text: str, expected: list[str]) -> None:
    assert [s.text for s in split_sentences(text)] == expected


@pytest.mark.parametrize("text", VARIED_TEXTS)
def test_sentence_offsets_round_trip(text: str) -> None:
    for paragraph in split_paragraphs(text):
        sentences = split_sentences(paragraph.text, offset=paragraph.start)
        check_round_trip(text, sentences)
        assert visible("".join(s.text for s in sentences)) == visible(paragraph.text)


def test_sentence_offset_argument() -> None:
    assert split_sentences("  Hi there. Bye now.  ", offset=100) == [
        Segment(102, 111, "Hi there."),
        Segment(112, 120, "Bye now."),
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_seed_sentences_round_trip(seed_texts: dict[str, str]) -> None:
    for text in seed_texts.values():
        for paragraph in split_paragraphs(text):
            sentences = split_sentences(paragraph.text, paragraph.start)
            check_round_trip(text, sentences)
            assert visible("".join(s.text for s in sentences)) == visible(paragraph.text)


def test_seed_garbled_full_stops_split(seed_texts: dict[str, str]) -> None:
    garbled = next((t for name, t in seed_texts.items() if name.startswith("001_")), None)
    if garbled is None:
        pytest.skip("garbled seed not available")
    sentences = [s.text for s in split_sentences(split_paragraphs(garbled)[0].text)]
    assert sentences[-1] == "of his country's war in Ukraine."


_SENTENCE_TEXT = st.lists(
    st.sampled_from(list("aB. ?!\"')(\n") + ["Mr.", "U.S.", " The", "e.g.", "...", "\u201d"]), max_size=30
).map("".join)


@settings(max_examples=200, deadline=None)
@given(_SENTENCE_TEXT)
def test_sentences_property(text: str) -> None:
    sentences = split_sentences(text, offset=7)
    shifted = "\0" * 7 + text
    check_round_trip(shifted, sentences)
    assert visible("".join(s.text for s in sentences)) == visible(text)


def test_long_paragraph_needs_no_regex_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # nltk's own timed patterns would give up on this text under a 0.05 s limit.
    redos = pytest.importorskip("nltk.redos")
    monkeypatch.setattr(redos, "DEFAULT_TIMEOUT", 0.05)
    text = "This is a sentence about the U.S. economy. " * 5_000
    assert len(split_sentences(text)) == 5_000


def test_tokenizer_lookups_do_not_grow_parameters() -> None:
    ortho = segment._sentence_tokenizer()._params.ortho_context
    size = len(ortho)
    split_sentences("Zyxwvut. Qwertyzz said Mr. Plokhtar. Then Fnordle left.")
    assert len(ortho) == size


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't stop", ["Don't", "stop"]),
        ("long-term U.S. policy", ["long-term", "U.S.", "policy"]),
        ("3.5 and 1,000 and 12:30.", ["3.5", "and", "1,000", "and", "12:30", "."]),
        ("do n't", ["do", "n't"]),
        ("cross- border", ["cross", "-", "border"]),
        ("8 %, $75", ["8", "%", ",", "$", "75"]),
        ("said , that...", ["said", ",", "that", ".", ".", "."]),
        ("economy.of a.The", ["economy", ".", "of", "a", ".", "The"]),
        ("e.g. a.m. U.S.A", ["e.g.", "a.m.", "U.S.A"]),
        ("COVID-19 in 2022.", ["COVID-19", "in", "2022", "."]),
        ("naïve café's", ["naïve", "café's"]),
        ("“Hi,” she said", ["“", "Hi", ",", "”", "she", "said"]),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert [t.text for t in split_tokens(text)] == expected


@pytest.mark.parametrize("text", VARIED_TEXTS)
def test_token_offsets_round_trip(text: str) -> None:
    tokens = split_tokens(text, offset=3)
    check_round_trip("xyz" + text, tokens)
    assert "".join(t.text for t in tokens) == visible(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_tokens_property(text: str) -> None:
    tokens = split_tokens(text)
    check_round_trip(text, tokens)
    assert "".join(t.text for t in tokens) == visible(text)
    assert all(not any(c.isspace() for c in t.text) for t in tokens)


def test_seed_tokens_round_trip(seed_texts: dict[str, str]) -> None:
    for text in seed_texts.values():
        tokens = split_tokens(text)
        check_round_trip(text, tokens)
        assert "".join(t.text for t in tokens) == visible(text)


# ---------------------------------------------------------------------------
# Shipped Punkt parameters and training
# ---------------------------------------------------------------------------

TINY_CORPUS = [
    "The committee met on Tuesday. It approved the budget after a long debate.",
    "Mr. Jones said the plan was sound. Others disagreed, e.g. the treasurer.",
    "The vote was close. The chair thanked everyone and closed the meeting at 5 p.m. sharp.",
    "Dr. Lee presented the figures. Costs rose by 3.5 percent in the U.S. market.",
]


def test_json_round_trip_on_tiny_training_set() -> None:
    params = punkt.train_punkt(TINY_CORPUS)
    text = punkt.parameters_to_json(params)
    again = punkt.parameters_from_json(text)
    assert again.abbrev_types == params.abbrev_types
    assert again.collocations == params.collocations
    assert again.sent_starters == params.sent_starters
    assert dict(again.ortho_context) == {k: v for k, v in params.ortho_context.items() if v}
    assert punkt.parameters_to_json(again) == text  # stable bytes
    assert punkt.CURATED_ABBREVIATIONS <= again.abbrev_types


def test_rare_learned_words_are_not_abbreviations() -> None:
    corpus = ["He wore a lapel pin. It shone.", "We reap what we sow. That is fair."] + TINY_CORPUS
    params = punkt.train_punkt(corpus)
    assert "pin" not in params.abbrev_types and "sow" not in params.abbrev_types


@pytest.mark.parametrize(
    "text",
    ["not json", '{"format": "other/9"}', '{"format": "mtdetect-punkt/1", "abbrev_types": []}', "[1, 2]"],
)
def test_damaged_parameters_raise_model_error(text: str) -> None:
    with pytest.raises(ModelError, match="sentence-splitter parameters"):
        punkt.parameters_from_json(text)


def test_shipped_parameters_are_sorted_and_curated() -> None:
    raw = (resources.files("mtdetect") / "data" / "punkt_en.json").read_text(encoding="utf-8")
    doc = json.loads(raw)
    assert doc["format"] == segment.PUNKT_FORMAT
    for key in ("abbrev_types", "collocations", "sent_starters"):
        assert doc[key] == sorted(doc[key]), key
    assert list(doc["ortho_context"]) == sorted(doc["ortho_context"])
    assert set(punkt.CURATED_ABBREVIATIONS) <= set(doc["abbrev_types"])
    assert all(source["file"].startswith("clean/") for source in doc["sources"])
    assert doc["sources"], "trained on nothing"
    # what the writer produces from what the reader reads is the shipped file
    assert punkt.parameters_to_json(punkt.parameters_from_json(raw), doc["sources"]) + "\n" == raw


def test_training_main_writes_deterministic_json(tmp_path: Path) -> None:
    clean = tmp_path / "data" / "clean"
    clean.mkdir(parents=True)
    half = len(TINY_CORPUS) // 2
    for name, texts in zip(punkt.CLEAN_FILES, (TINY_CORPUS[:half], TINY_CORPUS[half:])):
        (tmp_path / "data" / name).write_text(
            "".join(json.dumps({"id": i, "text": text}) + "\n" for i, text in enumerate(texts)), encoding="utf-8"
        )
    # Web text with a dev split and the dev set are for measuring: never read.
    (clean / "ewt-ccbysa-paragraphs.jsonl").write_text('{"text": "Never read.", "split": "dev"}\n', encoding="utf-8")
    (tmp_path / "data" / "dev").mkdir()
    (tmp_path / "data" / "dev" / "held-out.jsonl").write_text('{"text": "Never read."}\n', encoding="utf-8")
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert punkt.main(["--data", str(tmp_path / "data"), "--out", str(first)]) == 0
    assert punkt.main(["--data", str(tmp_path / "data"), "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    doc = json.loads(first.read_text(encoding="utf-8"))
    assert [source["file"] for source in doc["sources"]] == list(punkt.CLEAN_FILES)
    assert sum(source["paragraphs"] for source in doc["sources"]) == len(TINY_CORPUS)


def test_training_main_without_data_fails(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        punkt.main(["--data", str(tmp_path), "--out", str(tmp_path / "out.json")])
    assert exit_info.value.code == 2
