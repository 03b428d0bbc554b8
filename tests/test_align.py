"""Tests for mtdetect.align: paragraph and sentence alignment, and the side-by-side view."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mtdetect.align import (
    AlignedPair,
    align_paragraphs,
    align_sentences,
    content_keys,
    coverage,
    format_side_by_side,
    mark_differences,
)
from mtdetect.segment import split_paragraphs

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "seeds"
CASES = Path(__file__).resolve().parent / "cases"

# Six paragraphs on distinct subjects, and a "garbled" version of each with
# words swapped and a stray full stop, as a repost would have them.
ARTICLE = [
    "The city council approved a new budget for public libraries on Tuesday, "
    "adding 12 branches and extending opening hours across the northern districts.",
    "Farmers in the valley reported a record harvest of apples this autumn, "
    "although falling prices at regional markets cut their income by 15 percent.",
    "A storm brought heavy rain and strong winds to the coast overnight, "
    "closing three harbours and cancelling ferry crossings to the islands.",
    "The university opened a laboratory for battery research, funded by a grant "
    "of 40 million euros from a consortium of carmakers.",
    "Local football fans celebrated the promotion of their club after a dramatic "
    "final match decided by a penalty in the 93rd minute.",
    "Doctors warned that waiting lists for hip surgery have doubled since 2019, "
    "and asked the health ministry for more operating theatres.",
]
GARBLED = [
    "The town council approve a new budget for the public libraries on Tuesday, "
    "adding 12 branches and extend opening hours across districts. northern.",
    "Farmers of the valley reported record harvest of apples this fall, although "
    "falling prices in regional markets have cut their income by 15%.",
    "A storm brought heavy rains and strong winds on the coast during the night, "
    "closing three ports and cancelling ferry crossings for the islands.",
    "The university opened a laboratory of battery research, financed by a grant "
    "of 40 million euros of a consortium of car manufacturers.",
    "The local football supporters celebrated the promotion of their club after "
    "a dramatic final match decided by penalty in the minute 93.",
    "Doctors warned that the waiting lists for surgery of hip have doubled since "
    "2019, and asked health ministry for more operating rooms.",
]
CHROME_TOP = "Home | News | Sport | Weather\n\nSkip to main content"
CHROME_BOTTOM = "Subscribe to our newsletter\n\nCookie settings | Privacy policy"
COMMENT = "Great article, thanks for sharing! I visit this site every morning."


def doc(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def index_pairs(pairs: list[AlignedPair], left: list[str], right: list[str]) -> list[tuple]:
    """Each pair as (original paragraph numbers, garbled paragraph numbers)."""
    out = []
    for pair in pairs:
        lo = tuple(i for i, p in enumerate(left) if p in pair.original)
        go = tuple(j for j, p in enumerate(right) if p in pair.garbled)
        out.append((lo, go))
    return out


def assert_spans_slice_back(pairs: list[AlignedPair], original: str, garbled: str) -> None:
    for pair in pairs:
        assert original[slice(*pair.original_span)] == pair.original
        assert garbled[slice(*pair.garbled_span)] == pair.garbled
        assert 0.0 <= pair.score <= 1.0


# --- synthetic documents -------------------------------------------------------------


def test_one_to_one_in_order():
    original, garbled = doc(ARTICLE), doc(GARBLED)
    pairs = align_paragraphs(original, garbled)
    assert index_pairs(pairs, ARTICLE, GARBLED) == [((i,), (i,)) for i in range(6)]
    assert_spans_slice_back(pairs, original, garbled)


def test_chrome_lines_are_skipped():
    original = doc([CHROME_TOP, *ARTICLE, CHROME_BOTTOM])
    garbled = doc(["Menu", *GARBLED, "Share this: Facebook | Twitter"])
    pairs = align_paragraphs(original, garbled)
    assert index_pairs(pairs, ARTICLE, GARBLED) == [((i,), (i,)) for i in range(6)]
    assert not any("Home" in p.original or "Menu" in p.garbled for p in pairs)
    assert_spans_slice_back(pairs, original, garbled)


def test_dropped_paragraph_is_skipped():
    garbled_paragraphs = GARBLED[:2] + GARBLED[3:]  # the storm paragraph is gone
    original, garbled = doc(ARTICLE), doc(garbled_paragraphs)
    pairs = align_paragraphs(original, garbled)
    assert [p.original for p in pairs] == ARTICLE[:2] + ARTICLE[3:]
    assert [p.garbled for p in pairs] == garbled_paragraphs


def test_two_paragraphs_merged_into_one():
    merged = GARBLED[2] + " " + GARBLED[3]
    garbled_paragraphs = GARBLED[:2] + [merged] + GARBLED[4:]
    original, garbled = doc(ARTICLE), doc(garbled_paragraphs)
    pairs = align_paragraphs(original, garbled)
    assert len(pairs) == 5
    assert pairs[2].original == ARTICLE[2] + "\n\n" + ARTICLE[3]  # 2-1: the span covers both
    assert pairs[2].garbled == merged
    assert [p.garbled for p in pairs] == garbled_paragraphs
    assert_spans_slice_back(pairs, original, garbled)


def test_one_paragraph_split_in_two():
    original_paragraphs = ARTICLE[:4] + [ARTICLE[4] + " " + ARTICLE[5]]
    original, garbled = doc(original_paragraphs), doc(GARBLED)
    pairs = align_paragraphs(original, garbled)
    assert len(pairs) == 5
    assert pairs[-1].garbled == GARBLED[4] + "\n\n" + GARBLED[5]  # 1-2
    assert_spans_slice_back(pairs, original, garbled)


def test_extra_trailing_material_is_left_out():
    original = doc(ARTICLE)
    garbled = doc([*GARBLED, "Leave a comment", COMMENT, "Related: " + GARBLED[1][:40]])
    pairs = align_paragraphs(original, garbled)
    assert index_pairs(pairs, ARTICLE, GARBLED) == [((i,), (i,)) for i in range(6)]
    assert pairs[-1].garbled == GARBLED[-1]


def test_repeated_caption_pairs_once():
    caption = "Fans wave flags outside the stadium before the final match of the season."
    original = doc([ARTICLE[3], caption, caption, ARTICLE[4]])
    garbled = doc([GARBLED[3], caption, GARBLED[4]])
    pairs = align_paragraphs(original, garbled)
    assert [p.garbled for p in pairs] == [GARBLED[3], caption, GARBLED[4]]
    assert sum(p.original == caption for p in pairs) == 1


def test_unrelated_documents_give_no_pairs():
    original = doc(ARTICLE[:3])
    garbled = doc(["Quarterly earnings of the software firm beat expectations.", COMMENT])
    assert align_paragraphs(original, garbled) == []


def test_min_score_filters_pairs():
    original, garbled = doc(ARTICLE), doc(GARBLED)
    scores = [p.score for p in align_paragraphs(original, garbled)]
    assert min(scores) < 0.85 < max(scores)
    strict = align_paragraphs(original, garbled, min_score=0.85)
    assert [p.score for p in strict] == [s for s in scores if s >= 0.85]


@pytest.mark.parametrize(
    "original, garbled", [("", "Some text here."), ("Some text.", ""), ("", ""), (" \n ", "\n")]
)
def test_empty_documents(original, garbled):
    assert align_paragraphs(original, garbled) == []


def test_numbers_anchor_alignment():
    keys = content_keys("Sales rose 8 percent to $1,250 in 2023, from May 16-17.")
    assert {"8", "1250", "2023", "16", "17", "may"} <= set(keys)
    assert "the" not in content_keys("the of and with")


def test_alignment_is_fast():
    paragraphs = [f"{text} Item {n}." for n in range(50) for text in ARTICLE]  # 300 paragraphs
    garbled_paragraphs = [f"{text} Item {n}." for n in range(50) for text in GARBLED]
    original, garbled = doc(paragraphs), doc(garbled_paragraphs[:250] + ["Comment"] * 20)
    start = time.perf_counter()
    pairs = align_paragraphs(original, garbled)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"300 x 270 paragraphs took {elapsed:.2f} s"
    assert len(pairs) >= 240


# --- sentences -----------------------------------------------------------------------


def test_sentence_pairs_keep_document_offsets():
    original = doc([CHROME_TOP, ARTICLE[0] + " " + ARTICLE[1]])
    garbled = doc(["Menu", GARBLED[0] + " " + GARBLED[1]])
    [pair] = align_paragraphs(original, garbled)
    sentences = align_sentences(pair)
    assert len(sentences) == 2
    assert_spans_slice_back(sentences, original, garbled)
    assert sentences[1].original == ARTICLE[1]
    assert sentences[1].garbled == GARBLED[1]


def test_sentence_broken_by_stray_full_stop_stays_one_pair():
    # GARBLED[0] ends in "across districts. northern." — a stray full stop.
    pair = AlignedPair(ARTICLE[0], GARBLED[0], (0, len(ARTICLE[0])), (0, len(GARBLED[0])), 0.8)
    sentences = align_sentences(pair)
    assert len(sentences) == 1
    assert sentences[0].garbled == GARBLED[0]


# --- side-by-side view ---------------------------------------------------------------


def test_mark_differences_marks_changed_words_only():
    left, right = mark_differences(
        "a close ally of the “premier”", 'a near familiar of the "premier"'
    )
    assert left == "a [-close ally-] of the “premier”"  # curly vs straight quotes are alike
    assert right == 'a {+near familiar+} of the "premier"'


def test_format_side_by_side_marks_a_changed_word_and_shows_the_score():
    original, garbled = doc(ARTICLE[:2]), doc(GARBLED[:2])
    pairs = align_paragraphs(original, garbled)
    view = format_side_by_side(pairs, width=90)
    assert "[-city-]" in view and "{+town+}" in view
    assert f"score {pairs[0].score:.2f}" in view
    assert view.startswith("#1")
    assert "#2" in view
    assert max(len(line) for line in view.splitlines()) <= 90
    body = [line for line in view.splitlines() if " | " in line]
    assert body and all(line.index(" | ") == body[0].index(" | ") for line in body)


def test_coverage():
    original, garbled = doc(ARTICLE), doc(GARBLED[:3])
    pairs = align_paragraphs(original, garbled)
    assert coverage(pairs, split_paragraphs(garbled), "garbled") == 1.0
    assert coverage(pairs, split_paragraphs(original), "original") == pytest.approx(0.5)


# --- the seed documents --------------------------------------------------------------


def seed(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} not available")
    return found[0].read_text(encoding="utf-8")


def expected_seed_alignment() -> list[tuple[str, str]]:
    rows = []
    for line in (CASES / "seed_alignment.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            garbled_start, original_start = line.split("\t")
            rows.append((garbled_start, original_start))
    return rows


def test_seed_repost_aligns_to_the_right_paragraphs():
    original, garbled = seed("004"), seed("001")
    pairs = align_paragraphs(original, garbled)
    assert_spans_slice_back(pairs, original, garbled)
    by_garbled = {p.garbled: p for p in pairs}
    expected = expected_seed_alignment()
    assert len(expected) == len(split_paragraphs(garbled))
    right = 0
    paragraphs = [p.text for p in split_paragraphs(garbled)]
    for garbled_start, original_start in expected:
        [paragraph] = [text for text in paragraphs if text.startswith(garbled_start)]
        pair = by_garbled.get(paragraph)
        if original_start == "-":
            right += pair is None
        else:
            right += pair is not None and pair.original.startswith(original_start)
    assert right / len(expected) >= 0.9
    [may_visit] = [p for p in pairs if p.garbled.startswith("The May 16-17 visit")]
    assert may_visit.original.startswith("The May 16-17 visit")
    assert not any(p.garbled.startswith("By RFE/RL") for p in pairs)


def test_seed_republication_aligns_the_article_but_not_the_chrome():
    original, republished = seed("004"), seed("000")
    pairs = align_paragraphs(original, republished)
    assert len(pairs) >= 27
    assert sum(p.original == p.garbled for p in pairs) >= 27
    assert not any("Mamdouh" in p.garbled or "Oilprice" in p.garbled for p in pairs)
    assert not any("Accessibility" in p.original for p in pairs)


def test_seed_sentences_align_and_view_renders():
    original, garbled = seed("004"), seed("001")
    pairs = align_paragraphs(original, garbled)
    [pair] = [p for p in pairs if p.garbled.startswith("Wilder, a researcher")]
    sentences = align_sentences(pair)
    assert_spans_slice_back(sentences, original, garbled)
    assert sentences[-1].garbled.endswith("third war. year.")  # fragments kept in the pair
    view = format_side_by_side(sentences)
    assert "{+researcher+}" in view
