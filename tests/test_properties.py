"""Property tests (hypothesis): what must hold for any text at all.

- arbitrary Unicode (lone surrogates, control characters, NUL, RTL marks,
  emoji, CJK) never raises, in any public function;
- scores are probabilities in [0, 1];
- paragraph, sentence and token spans slice back to their text, in order,
  and paragraphs and tokens leave out only white space;
- ``score_document`` of a text gives exactly the ``score_paragraphs`` of its
  paragraphs, and a paragraph's score does not depend on its batch;
- scoring is deterministic.

Inputs mix any Unicode with pieces that make the rules and the segmenter
work (``do n't``, ``said ,``, quote marks, brackets, ``March. 2022``, blank
lines with spaces, ``\\r\\n``): see :func:`qa.fuzz.text_strategy`. The
examples are derandomised so CI sees the same ones every run; the fuzz run
(``python -m qa.fuzz``) explores far more.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import mtdetect
from mtdetect.features import normalize_paragraph
from mtdetect.results import document_score
from mtdetect.rules import count_artifacts
from mtdetect.segment import split_paragraphs, split_sentences
from mtdetect.typography import fold_characters, normalize_typography
from qa import fuzz

TEXT = fuzz.text_strategy()
HOSTILE_EXAMPLES = [
    "",
    "\x00",
    "a\x00b c\x00\n\x00\n\nd",
    "\ud800 lone \udfff surrogates, the minister said .",
    "\u202eRTL override\u202c and \u200f marks\u200e",
    "中文段落。\n\n第二段。",
    "😀👍🏽🇺🇸 emoji\n\n\n",
    "\x1b[31mred\x1b[0m \x07\x08\x7f",
    " \r\n \r \n\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029 ",
    "do n't ,, . . “ ” ( [ ] ) ' ’ - -- — % $ €",
]

FAST = settings(max_examples=250, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def with_examples(test):
    for text in HOSTILE_EXAMPLES:
        test = example(text)(test)
    return test


# -- segmentation ------------------------------------------------------------------------


@FAST
@with_examples
@given(TEXT)
def test_paragraph_sentence_and_token_spans_slice_back_in_order_and_cover_the_text(text: str) -> None:
    fuzz.check_segment(text)  # the fuzz run's segmentation invariants, on CI's fixed examples


@FAST
@with_examples
@given(TEXT)
def test_sentence_spans_slice_back_in_order(text: str) -> None:
    for offset in (0, 17):
        position = offset
        for sentence in split_sentences(text, offset=offset):
            assert text[sentence.start - offset : sentence.end - offset] == sentence.text
            assert sentence.start >= position and sentence.text and sentence.text == sentence.text.strip()
            position = sentence.end


# -- rules and typography ------------------------------------------------------------------


@FAST
@with_examples
@given(TEXT)
def test_findings_slice_back_sorted_and_agree_with_the_batch_counts(text: str) -> None:
    fuzz.check_rules(text)  # the fuzz run's rule invariants


@FAST
@given(st.lists(TEXT, min_size=2, max_size=5))
def test_a_paragraph_counts_the_same_in_any_batch(texts: list[str]) -> None:
    together = count_artifacts(texts)
    for i, text in enumerate(texts):
        assert together[i].tolist() == count_artifacts([text])[0].tolist()


@FAST
@with_examples
@given(TEXT)
def test_typography_folding_keeps_offsets_and_normalising_is_idempotent(text: str) -> None:
    assert len(fold_characters(text)) == len(text)
    once = normalize_paragraph(text)
    assert normalize_paragraph(once) == once
    assert normalize_typography(normalize_typography(text)) == normalize_typography(text)


@FAST
@with_examples
@given(TEXT)
def test_language_check_never_raises_and_is_consistent(text: str) -> None:
    fuzz.check_language(text)  # the fuzz run's language-check invariants


# -- scoring -------------------------------------------------------------------------------


@SLOW
@with_examples
@given(TEXT)
def test_any_text_scores_without_raising_and_documents_equal_their_paragraphs(
    det: mtdetect.Detector, text: str
) -> None:
    document = det.score_document(text)
    paragraphs = split_paragraphs(text)
    scores = det.score_paragraphs([p.text for p in paragraphs])
    assert [(p.start, p.end) for p in document.paragraphs] == [(p.start, p.end) for p in paragraphs]
    assert [p.score for p in document.paragraphs] == scores.tolist()  # exactly, not approximately
    assert document.score == document_score(document.paragraphs, det.model.document_calibration)
    assert all(0.0 <= s <= 1.0 and not math.isnan(s) for s in scores.tolist())
    judged = [p for p in document.paragraphs if not p.warnings]
    assert (document.score is None) == (not judged)
    assert document.score is None or 0.0 <= document.score <= 1.0
    assert det.score_document(text) == document  # deterministic


@SLOW
@example(HOSTILE_EXAMPLES[3])
@example(HOSTILE_EXAMPLES[9])
@given(TEXT)
def test_explain_never_raises_and_agrees_with_the_score(det: mtdetect.Detector, text: str) -> None:
    explanation = det.explain(text)
    assert explanation.score == det.score_paragraphs([text])[0]
    assert 0.0 <= explanation.score <= 1.0
    assert explanation.garbled == (explanation.score >= det.threshold)
    for flag in explanation.flags:
        assert 0 <= flag.start <= flag.end <= len(text)
        # typography is folded before words are looked up; the spans still slice back (below)
        assert fold_characters(text[flag.start : flag.end]) == fold_characters(flag.text)


def test_explain_flags_slice_back_exactly(det: mtdetect.Detector) -> None:
    text = "the councl´s gov’t said so"
    assert all(text[f.start : f.end] == f.text for f in det.explain(text).flags)


@settings(SLOW, max_examples=12)
@given(st.lists(TEXT, min_size=2, max_size=6))
def test_a_paragraph_scores_the_same_in_any_batch_and_any_order(det: mtdetect.Detector, texts: list[str]) -> None:
    together = det.score_paragraphs(texts)
    backwards = det.score_paragraphs(texts[::-1])[::-1]
    alone = np.array([det.score_paragraphs([t])[0] for t in texts])
    assert together.tolist() == alone.tolist() == backwards.tolist()
    assert ((together >= 0) & (together <= 1)).all()


def test_the_fuzz_run_tries_inputs_and_reports_no_failure(capsys: pytest.CaptureFixture[str]) -> None:
    assert fuzz.main(["--examples", "25", "--targets", "segment", "rules", "language"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["segment", "rules", "language", "total"]
    assert all(" ok" in line for line in lines[:3])
    assert lines[-1].split()[1] == "75" and lines[-1].endswith("0 failing targets")


def test_the_fuzz_run_reports_a_failure_with_the_smallest_input(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> None:
        assert "(" not in text, "an opening parenthesis"

    monkeypatch.setitem(fuzz.TARGETS, "segment", broken)
    result = fuzz.fuzz_target("segment", examples=100, seed=0)
    assert result.failing_input == "(" and "an opening parenthesis" in result.failure
    assert result.inputs > 1
