"""Document verdicts: one threshold for documents and paragraphs, verdicts that agree, context that counts."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mtdetect
from mtdetect.results import (
    CONTEXT_LOG_ODDS,
    batch_results,
    document_result,
    paragraph_result,
)
from mtdetect.segment import Segment

CASES = Path(__file__).resolve().parent / "cases"
ROOT = Path(__file__).resolve().parent.parent


def case_texts() -> list[str]:
    texts = []
    for name in ("garbled", "human"):
        with open(CASES / f"{name}.jsonl", encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle if line.strip()]
    return texts


def test_a_one_paragraph_document_gets_its_paragraphs_verdict(det: mtdetect.Detector) -> None:
    texts = [" ".join(t.split()) for t in case_texts()] + ["last", "Thanks!", "ok"]
    for text, result in zip(texts, det.score_documents(texts)):
        [paragraph] = result.paragraphs
        assert result.garbled == paragraph.garbled, text
        if not paragraph.warnings:
            assert result.score == pytest.approx(paragraph.score, abs=1e-9), text


def test_a_few_words_are_not_pulled_towards_one_half(det: mtdetect.Detector) -> None:
    result = det.score_document("last")
    assert result.score == pytest.approx(result.paragraphs[0].score, abs=1e-9)
    assert abs(result.score - 0.5) > 0.05


def test_context_marks_only_paragraphs_that_lean_the_same_way(det: mtdetect.Detector) -> None:
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    texts = [text, *case_texts()[:40]]
    for result in det.score_documents(["\n\n".join(texts[:5]), text]):
        for paragraph in result.paragraphs:
            if paragraph.in_context:
                assert result.garbled and paragraph.garbled
                assert paragraph.score < det.threshold and paragraph.log_odds >= CONTEXT_LOG_ODDS
            elif result.garbled and not paragraph.warnings and paragraph.log_odds is not None:
                assert paragraph.garbled == (paragraph.score >= det.threshold) or paragraph.log_odds < CONTEXT_LOG_ODDS
        if not result.garbled:
            assert not any(p.in_context for p in result.paragraphs)
            assert all(p.garbled == (p.score >= det.threshold and not p.warnings) for p in result.paragraphs)


@pytest.mark.xfail(strict=True, reason=(
    "acceptance not met: the bundled model scores the document 0.8543, under its threshold 0.9876; paragraphs "
    "5-8 score 0.97-0.999 (one at or above the threshold) and 1-4 0.14-0.49"))
def test_the_example_article_is_garbled_in_its_damaged_half(det: mtdetect.Detector) -> None:
    """The README's demo: paragraphs 1-4 are the original's, 5-8 carry damage."""
    result = det.score_document((ROOT / "examples" / "article.txt").read_text(encoding="utf-8"))
    assert result.garbled
    assert [p.garbled for p in result.paragraphs] == [False] * 4 + [True] * 4


def test_a_higher_threshold_can_only_take_verdicts_away(det: mtdetect.Detector) -> None:
    text = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    low = det.score_document(text, threshold=0.5)
    high = det.score_document(text, threshold=0.999999)
    assert low.score == high.score
    assert all(h <= lo for h, lo in zip((p.garbled for p in high.paragraphs), (p.garbled for p in low.paragraphs)))
    assert high.garbled <= low.garbled


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 900), st.floats(-8, 8), st.booleans(), st.booleans()), max_size=6), max_size=5),
    st.floats(0.05, 0.99),
)
def test_a_batch_built_from_columns_equals_one_built_paragraph_by_paragraph(
    documents: list[list[tuple[int, float, bool, bool]]], threshold: float
) -> None:
    """``batch_results`` reads verdicts, document scores and context from the batch's columns; the
    results are exactly those of ``paragraph_result`` and ``document_result``, one by one."""
    calibration = (1.3, 0.2, -0.4)
    segments = [[Segment(10 * k, 10 * k + length, "x" * length) for k, (length, _, _, _) in enumerate(doc)] for doc in documents]
    flat = [p for doc in documents for p in doc]
    log_odds = np.array([math.nan if wordless else lo for _, lo, wordless, _ in flat], dtype=np.float64)
    scores = np.where(np.isnan(log_odds), 0.0, 1 / (1 + np.exp(-np.nan_to_num(log_odds))))
    foreign = np.array([f for _, _, _, f in flat], dtype=bool)
    fast = batch_results(segments, scores, log_odds, foreign, threshold, calibration)
    expected, i = [], 0
    for doc in segments:
        paragraphs = []
        for segment in doc:
            odds = None if math.isnan(log_odds[i]) else float(log_odds[i])
            paragraphs.append(paragraph_result(segment.text, segment.start, float(scores[i]), odds, threshold,
                                               ("not_english",) if foreign[i] else ()))
            i += 1
        expected.append(document_result(paragraphs, threshold, calibration))
    assert fast == expected
