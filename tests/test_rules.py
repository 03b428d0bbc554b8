"""Tests for the artifact rule registry (mtdetect.rules).

Cases live in tests/cases/: garbled.jsonl (each case must fire the listed
kinds) and human.jsonl (odd but fluent human text that must fire nothing).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from mtdetect.rules import RULES, ArtifactRule, Finding, count_artifacts, find_artifacts

CASES = Path(__file__).parent / "cases"
FAMILIES = {"sentence_boundary", "quotation", "detokenisation", "lexical"}


def _load(name: str) -> list[dict]:
    with open(CASES / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


GARBLED = _load("garbled.jsonl")
HUMAN = _load("human.jsonl")
ALL_TEXTS = [c["text"] for c in GARBLED + HUMAN] + [
    d.example[0] for d in RULES.values()
] + [d.near_miss for d in RULES.values()]

_TO_STRAIGHT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def to_straight(text: str) -> str:
    """Fold curly quotes and apostrophes to straight ones."""
    return text.translate(_TO_STRAIGHT)


def to_curly(text: str) -> str:
    """A simple "smart quotes" pass: openers after space/start/bracket, closers elsewhere."""
    text = re.sub(r'(^|[\s(\[—])"', "\\1“", text)
    text = text.replace('"', "”")
    text = re.sub(r"(^|[\s(\[—])'(?=\w)", "\\1‘", text)
    return text.replace("'", "’")


def kinds(text: str) -> set[str]:
    return {f.kind for f in find_artifacts(text)}


# --- the registry ---------------------------------------------------------


def test_registry_names_and_fields():
    assert len(RULES) == 13
    for name, detector in RULES.items():
        assert isinstance(detector, ArtifactRule)
        assert name == detector.name
        assert re.fullmatch(r"[a-z]+(?:_[a-z]+)*", name)
        assert detector.family in FAMILIES
        assert detector.description.endswith(".")
        assert "{text}" in detector.message and "\n" not in detector.message
        assert detector.parts and all(p.flags & re.VERBOSE for p in detector.parts)
        assert detector.pattern.flags & re.VERBOSE


def test_registry_is_frozen():
    detector = RULES["split_date"]
    with pytest.raises(AttributeError):
        detector.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("name", list(RULES))
def test_example_fires_with_expected_text(name):
    paragraph, flagged = RULES[name].example
    texts = [f.text for f in find_artifacts(paragraph) if f.kind == name]
    assert texts and texts[0] == flagged


@pytest.mark.parametrize("name", list(RULES))
def test_near_miss_fires_nothing(name):
    assert find_artifacts(RULES[name].near_miss) == []


@pytest.mark.parametrize("name", list(RULES))
def test_union_pattern_finds_what_the_parts_find(name):
    """``pattern`` is documentation that works: it matches wherever a part matches."""
    detector = RULES[name]
    for text in ALL_TEXTS:
        text = "\n\x00\n" + text + "\n\x00\n"  # as the batch scan sees it
        union = [m.span() for m in detector.pattern.finditer(text)]
        for part in detector.parts:
            for m in part.finditer(text):
                assert any(s < m.end() and m.start() < e for s, e in union), (text, m)


# --- the case files -------------------------------------------------------


def test_case_files_are_large_enough_and_cover_every_detector():
    assert len(GARBLED) >= 40 and len(HUMAN) >= 70
    covered = Counter(kind for case in GARBLED for kind in set(case["kinds"]))
    assert set(covered) == set(RULES)
    assert min(covered.values()) >= 3, covered
    assert all(case["note"] for case in GARBLED + HUMAN)


@pytest.mark.parametrize("case", GARBLED, ids=lambda c: c["note"])
def test_garbled_case_fires_its_kinds(case):
    assert set(case["kinds"]) <= kinds(case["text"])


@pytest.mark.parametrize("case", HUMAN, ids=lambda c: c["note"])
def test_human_case_fires_nothing(case):
    assert find_artifacts(case["text"]) == []


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_curly_and_straight_quotes_give_the_same_kinds(text):
    assert kinds(to_straight(text)) == kinds(text)
    assert kinds(to_curly(to_straight(text))) == kinds(text)


def test_curly_folding_helpers_change_something():
    assert to_straight("“It’s”") == "\"It's\""
    assert to_curly("\"It's\" he said") == "“It’s” he said"


# --- findings -------------------------------------------------------------


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_spans_slice_back_and_are_sorted(text):
    findings = find_artifacts(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    for f in findings:
        assert isinstance(f, Finding)
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert f.text == f.text.strip()
        assert "\n" not in f.message and f.message == RULES[f.kind].explain(f.text)


def test_findings_in_the_seed_style_paragraph():
    paragraph = (
        "A analysis Sher's analysis of customs data shows exports rose. of the region, "
        "and I 'm told the [the plan] is n't dead."
    )
    found = {(f.kind, f.text) for f in find_artifacts(paragraph)}
    assert found >= {
        ("article_agreement", "A analysis"),
        ("duplicated_word", "analysis Sher's analysis"),
        ("mid_sentence_period", "rose. of"),
        ("split_contraction", "'m"),
        ("duplicated_bracket", "the [the"),
        ("split_contraction", "n't"),
    }


def test_dropped_quotes_span_covers_the_unquoted_sentence():
    text = "Prices rose. We will not stop now, the minister said. Talks resume today."
    (finding,) = find_artifacts(text)
    assert finding.kind == "dropped_quotes"
    assert finding.text == "We will not stop now, the minister said"


def test_quotes_that_continue_into_the_next_paragraph_are_not_flagged():
    assert find_artifacts("“We have learned a great deal this year.") == []
    assert find_artifacts("“And we will learn more,” she said.") == []
    assert kinds("We have learned a great deal.” She paused.") == {"unbalanced_quotes"}


# --- counting in batches --------------------------------------------------


def test_count_artifacts_agrees_with_find_artifacts():
    counts = count_artifacts(ALL_TEXTS)
    assert counts.shape == (len(ALL_TEXTS), len(RULES))
    assert counts.dtype == np.float32
    names = list(RULES)
    for row, text in zip(counts, ALL_TEXTS):
        expected = np.zeros(len(names), dtype=np.float32)
        for f in find_artifacts(text):
            expected[names.index(f.kind)] += 1
        np.testing.assert_array_equal(row, expected, err_msg=text)


def test_batch_rows_do_not_depend_on_neighbours():
    texts = ALL_TEXTS * 2
    random.Random(7).shuffle(texts)
    batch = count_artifacts(texts)
    one_by_one = np.vstack([count_artifacts([t]) for t in texts])
    np.testing.assert_array_equal(batch, one_by_one)


def test_paragraph_edges_do_not_leak_across_the_separator():
    # each paragraph alone is clean; glued together some would not be
    texts = ["He said", ", that", "the", "the end.", "8", "% of it", "do", "n't", "war.", "of it"]
    assert all(find_artifacts(t) == [] for t in texts)
    assert count_artifacts(texts).sum() == 0


TINY = ["", " ", "\n", "\n\n", "\t \n ", ".", "”", "(", "a", "\x00", "x\x00y"]


@pytest.mark.parametrize("text", TINY)
def test_empty_and_tiny_paragraphs(text):
    findings = find_artifacts(text)
    if not text.strip("\x00 \t\n"):
        assert findings == []
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert count_artifacts([text]).shape == (1, len(RULES))


def test_nul_characters_inside_a_paragraph_keep_offsets():
    text = "He said\x00 , that it 's fine."
    found = {(f.kind, f.text) for f in find_artifacts(text)}
    assert ("split_contraction", "'s") in found
    assert count_artifacts([text, "ok"])[1].sum() == 0


def test_empty_batch_and_bad_input():
    assert count_artifacts([]).shape == (0, len(RULES))
    with pytest.raises(TypeError):
        count_artifacts("one string")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        count_artifacts(["ok", None])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        find_artifacts(None)  # type: ignore[arg-type]


# --- hostile input --------------------------------------------------------

ADVERSARIAL = {
    "full stops": ". " * 25_000,
    "a-dot runs": "a. " * 16_667,
    "dots": "." * 50_000,
    "straight quotes": '"' * 50_000,
    "curly quote pairs": "“ ”" * 16_667,
    "glued quotes": 'a" ' * 16_667,
    "spaces": " " * 50_000,
    "hyphens": "-" * 50_000,
    "spaced hyphens": "a- " * 16_667,
    "commas": ", " * 25_000,
    "parentheses": "(" * 50_000,
    "closing parentheses": ")" * 50_000,
    "brackets": "[" * 25_000 + "]" * 25_000,
    "bracket words": "the [" * 10_000,
    "apostrophes": " '" * 25_000,
    "split contractions": "do n't " * 7_143,
    "symbols": "$ 5 % " * 8_334,
    "attributions": "We, he said, " * 3_847,
    "long attribution": "I think, " + "Aa " * 16_000 + "said.",
    "articles": "a " * 25_000,
    "duplicates": "the " * 12_500,
    "capitals": "the Express " * 4_167,
    "one word": "x" * 50_000,
    "mixed punctuation": ' ,.;:!?"“”()[]-\'' * 3_334,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_no_catastrophic_backtracking(name):
    text = ADVERSARIAL[name]
    start = time.perf_counter()
    for detector in RULES.values():
        for part in detector.parts:
            for _ in part.finditer(text):
                pass
        for _ in detector.pattern.finditer(text):
            pass
    count_artifacts([text, text[:1000]])
    assert time.perf_counter() - start < 2.0
