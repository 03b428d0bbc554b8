"""Tests for the public API: mtdetect.load and the Detector (scores, documents, explanations, pickling)."""

from __future__ import annotations

import importlib.metadata
import pickle
import sys

import numpy as np
import pytest

import mtdetect
from mtdetect import detector as detector_module
from mtdetect.model import default_model_path
from mtdetect.results import Contribution, DocumentScore, Explanation, ParagraphScore, document_score
from mtdetect.rules import RULES, Finding
from mtdetect.segment import split_paragraphs

CLEAN = "The council met on Tuesday and approved the budget for next year after a long debate."
GARBLED = "The minister said , that the economy. of the region do n't grow 8 % in March. 2022."
DOCUMENT = f"Harbour news\n\n{CLEAN}\n\n\n{GARBLED}\n   \n{CLEAN} It was late.\n"


@pytest.fixture(scope="module")
def explained(det: mtdetect.Detector) -> Explanation:
    return det.explain(GARBLED)


# -- load and the package surface ----------------------------------------------------------------


def test_public_names() -> None:
    for name in mtdetect.__all__:
        assert hasattr(mtdetect, name), name
    assert {"load", "Detector", "__version__", "ModelError", "InputError", "MtdetectError"} <= set(mtdetect.__all__)
    assert mtdetect.RULES is RULES


def test_version_matches_the_installed_distribution() -> None:
    assert mtdetect.__version__ == importlib.metadata.version("mtdetect")


def test_load_returns_a_ready_detector(det: mtdetect.Detector) -> None:
    assert isinstance(det, mtdetect.Detector)
    assert 0.0 < det.threshold < 1.0
    assert det.threshold == det.model.threshold
    assert det.model.card["format"] == "mtdetect-model/1"


@pytest.mark.parametrize("which", ["card", "weights", "folder"])
def test_load_by_path_gives_the_same_model(det: mtdetect.Detector, which: str) -> None:
    card = default_model_path()
    path = {"card": card, "weights": card.with_name("default.npz"), "folder": card.parent}[which]
    other = mtdetect.load(str(path))
    assert other.threshold == det.threshold
    np.testing.assert_array_equal(other.score_paragraphs([CLEAN, GARBLED]), det.score_paragraphs([CLEAN, GARBLED]))


def test_load_error_is_a_model_error(tmp_path) -> None:
    with pytest.raises(mtdetect.ModelError) as info:
        mtdetect.load(tmp_path / "nope.card.json")
    assert isinstance(info.value, mtdetect.MtdetectError)
    assert "nope.card.json" in str(info.value)


# -- threshold -------------------------------------------------------------------------------------


def test_threshold_override() -> None:
    det = mtdetect.load()
    default = det.threshold
    det.threshold = 0.25
    assert det.threshold == 0.25 and det.model.threshold == default
    assert mtdetect.Detector(threshold=0.6).threshold == 0.6
    for bad in (-0.01, 1.01, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="between 0 and 1"):
            det.threshold = bad
    assert det.threshold == 0.25


def test_threshold_decides_the_verdict() -> None:
    det = mtdetect.load()
    score = float(det.score_paragraphs([CLEAN])[0])
    det.threshold = score
    assert det.explain(CLEAN).garbled  # at the threshold counts as garbled
    det.threshold = float(np.nextafter(score, 1.0))
    assert not det.explain(CLEAN).garbled


# -- score_paragraphs ------------------------------------------------------------------------------------


def test_score_paragraphs(det: mtdetect.Detector) -> None:
    scores = det.score_paragraphs([CLEAN, GARBLED])
    assert isinstance(scores, np.ndarray) and scores.dtype == np.float64 and scores.shape == (2,)
    assert scores[0] < det.threshold <= scores[1]
    # Plain, fluent news prose looks much like fluent machine output (about 0.8 here): the
    # damage is what sets the garbled paragraph far apart, by more than 5 in log-odds.
    log_odds = np.log(scores / (1 - scores))
    assert scores[1] > 0.99 and log_odds[1] - log_odds[0] > 5


def test_score_paragraphs_accepts_any_iterable_and_empty(det: mtdetect.Detector) -> None:
    assert det.score_paragraphs([]).shape == (0,)
    np.testing.assert_array_equal(det.score_paragraphs(p for p in (CLEAN, GARBLED)), det.score_paragraphs((CLEAN, GARBLED)))


def test_paragraphs_without_words_score_zero(det: mtdetect.Detector) -> None:
    scores = det.score_paragraphs(["", "   ", "\n\n", "...", "— * —", CLEAN])
    assert (scores[:5] == 0).all() and scores[5] > 0


def test_scores_do_not_depend_on_the_batch(det: mtdetect.Detector) -> None:
    texts = [CLEAN, GARBLED, "", "A analysis the analysis of customs data.", "Sales rose."]
    together = det.score_paragraphs(texts)
    alone = np.array([det.score_paragraphs([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-12)
    np.testing.assert_allclose(det.score_paragraphs(texts[::-1]), together[::-1], rtol=0, atol=1e-12)


def test_batches_split_at_batch_size(det: mtdetect.Detector, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [CLEAN, "", GARBLED, "...", "Sales rose.", GARBLED, CLEAN]
    expected = det.score_paragraphs(texts)
    monkeypatch.setattr(detector_module, "BATCH_SIZE", 2)
    np.testing.assert_allclose(det.score_paragraphs(texts), expected, rtol=0, atol=1e-12)


def test_non_string_paragraph_is_a_type_error(det: mtdetect.Detector) -> None:
    with pytest.raises(TypeError, match="paragraph 1 is a NoneType, not a str"):
        det.score_paragraphs([CLEAN, None])
    with pytest.raises(TypeError, match="paragraph 0 is a bytes"):
        det.score_paragraphs([b"bytes"])


def test_a_bare_string_is_refused(det: mtdetect.Detector) -> None:
    with pytest.raises(TypeError):
        det.score_paragraphs(GARBLED)


# -- documents -------------------------------------------------------------------------------------------


def test_score_document(det: mtdetect.Detector) -> None:
    result = det.score_document(DOCUMENT)
    assert isinstance(result, DocumentScore)
    assert [DOCUMENT[p.start : p.end] for p in result.paragraphs] == [s.text for s in split_paragraphs(DOCUMENT)]
    assert [DOCUMENT[p.start : p.end] for p in result.paragraphs] == [
        "Harbour news", CLEAN, GARBLED, f"{CLEAN} It was late."
    ]
    scores = det.score_paragraphs([DOCUMENT[p.start : p.end] for p in result.paragraphs])
    np.testing.assert_allclose([p.score for p in result.paragraphs], scores, atol=1e-12)
    assert result.score == document_score(result.paragraphs, det.model.document_calibration)
    assert result.paragraphs[2].score >= det.threshold > result.paragraphs[1].score


def test_empty_documents(det: mtdetect.Detector) -> None:
    for text in ("", "   \n\n\t\n"):
        assert det.score_document(text) == DocumentScore(None, [])  # no score, not 0


def test_score_documents_matches_score_document(det: mtdetect.Detector) -> None:
    texts = [DOCUMENT, "", GARBLED, f"{CLEAN}\n{GARBLED}"]
    results = det.score_documents(iter(texts))
    assert len(results) == len(texts)
    for text, result in zip(texts, results):
        single = det.score_document(text)
        assert [(p.start, p.end) for p in result.paragraphs] == [(p.start, p.end) for p in single.paragraphs]
        np.testing.assert_allclose([p.score for p in result.paragraphs], [p.score for p in single.paragraphs], atol=1e-12)
        assert result.score == pytest.approx(single.score, abs=1e-12)
    # A document without blank lines is split on its single newlines.
    assert len(results[3].paragraphs) == 2
    assert det.score_documents([]) == []


def test_explanations_without_contributions_keep_the_flags(det: mtdetect.Detector) -> None:
    texts = [DOCUMENT, GARBLED, "x" * 70_000 + " the economy. of the region"]  # one paragraph in windows
    full = det.score_documents(texts, explain=True)
    flags_only = det.score_documents(texts, explain=True, top=0)
    for whole, cheap in zip(full, flags_only):
        assert cheap.score == whole.score
        for p, q in zip(whole.paragraphs, cheap.paragraphs):
            assert p.explanation is not None and q.explanation is not None
            assert q.explanation.flags == p.explanation.flags and q.explanation.contributions == []
            assert p.explanation.contributions or p.log_odds is None
    assert any(p.explanation.flags for doc in flags_only for p in doc.paragraphs)


def test_document_score_adds_up_evidence() -> None:
    plain = (1.0, 0.0, 0.0)

    def doc(*log_odds_and_lengths: tuple[float, int]) -> float | None:
        paragraphs, start = [], 0
        for log_odds, length in log_odds_and_lengths:
            paragraphs.append(ParagraphScore(start, start + length, 1 / (1 + np.exp(-log_odds)), log_odds))
            start += length + 2
        return document_score(paragraphs, plain)

    one = doc((1.0, 500))
    assert one == pytest.approx(1 / (1 + np.exp(-1.0)))
    assert doc(*[(1.0, 500)] * 10) > one  # ten mildly suspect paragraphs weigh more than one
    assert doc(*[(-1.0, 500)] * 10) < 1 - one
    assert doc((3.0, 100), (-1.0, 900)) < 0.5  # length-weighted: a long clean paragraph outweighs a short one
    assert document_score([], plain) is None
    assert document_score([ParagraphScore(5, 5, 0.7, 0.8)], plain) == 0.0  # no text: no evidence
    assert document_score([ParagraphScore(0, 9, 0.0, None)], plain) == 0.0  # no word: no evidence
    assert document_score([ParagraphScore(0, 9, 0.7, 0.8, warnings=("not_english",))], plain) is None
    two = [ParagraphScore(0, 500, 0.5, 0.0), ParagraphScore(502, 1002, 0.5, 0.0)]
    assert document_score(two, (1.0, 0.0, 2.0)) == pytest.approx(1 / (1 + np.exp(-2.0)))
    # a document of one paragraph scores as its paragraph, whatever the calibration: the same verdict
    assert document_score([ParagraphScore(0, 500, 0.5, 0.0)], (1.0, 0.0, 2.0)) == 0.5
    assert document_score([ParagraphScore(0, 4, 0.05, -3.0)], (1.0, 0.0, 2.0)) == pytest.approx(1 / (1 + np.exp(3.0)))


def test_document_score_uses_the_model_calibration(det: mtdetect.Detector) -> None:
    result = det.score_document(f"{CLEAN}\n\n{GARBLED}")
    assert result.score == document_score(result.paragraphs, det.model.document_calibration)
    assert all(p.log_odds is not None for p in result.paragraphs)


# -- explain ---------------------------------------------------------------------------------------------


def test_explain_garbled(det: mtdetect.Detector, explained: Explanation) -> None:
    explanation = explained
    assert isinstance(explanation, Explanation)
    assert explanation.score == pytest.approx(det.score_paragraphs([GARBLED])[0], abs=1e-12)
    assert explanation.garbled is True
    kinds = [f.kind for f in explanation.flags]
    assert {"orphan_punctuation", "mid_sentence_period", "split_contraction", "spaced_symbol"} <= set(kinds)
    starts = [f.start for f in explanation.flags]
    assert starts == sorted(starts)
    for flag in explanation.flags:
        assert isinstance(flag, Finding)
        assert flag.text == GARBLED[flag.start : flag.end] and flag.text
        assert flag.kind in RULES or flag.kind == "unknown_word"
        assert flag.message and "\n" not in flag.message
    period = next(f for f in explanation.flags if f.kind == "mid_sentence_period")
    assert "economy. of" in period.text


def test_explain_contributions(det: mtdetect.Detector, explained: Explanation) -> None:
    explanation = explained
    values = [abs(c.value) for c in explanation.contributions]
    assert 0 < len(values) <= 6 and values == sorted(values, reverse=True)
    assert all(isinstance(c, Contribution) and c.description for c in explanation.contributions)
    names = [c.feature for c in explanation.contributions]
    assert "artifact:split_contraction" in names and "artifact:orphan_punctuation" in names
    assert explanation.contributions[0].value > 0  # the strongest reason pushes towards garbled
    assert det.explain(GARBLED, top=2).contributions == explanation.contributions[:2]


def test_explain_clean(det: mtdetect.Detector) -> None:
    explanation = det.explain(CLEAN)
    assert explanation.garbled is False
    assert [f for f in explanation.flags if f.kind in RULES] == []


@pytest.mark.parametrize("text", ["", "   ", "..."])
def test_explain_nothing_to_judge(det: mtdetect.Detector, text: str) -> None:
    assert det.explain(text) == Explanation(0.0, False, [], [])


UNTRANSLATED = ("sindaco", "stadtverwaltung", "gemeinderat", "concejales", "bürgermeister",
                "haushaltsplan", "mietpreisbremse", "presupuesto", "municipalité", "vereinbarung")


def test_unknown_words(det: mtdetect.Detector) -> None:
    paragraph = ("The city\u2019s " + ", ".join(UNTRANSLATED) + " and a new Gesetz on rents would pass, "
                 "the Stadtrat said.")
    flags = [f for f in det.explain(paragraph).flags if f.kind == "unknown_word"]
    # Lower-case words only (names and capitalised words are not flagged), each with its span.
    assert {f.text for f in flags} <= set(UNTRANSLATED)
    # Words are looked up by a 22-bit hash bucket: an unknown word shares a bucket with one
    # of the ~300K English words about 7% of the time (measured: 7.2% of random strings) and
    # then passes as known.
    assert len(flags) >= len(UNTRANSLATED) - 3
    for flag in flags:
        assert paragraph[flag.start : flag.end] == flag.text


# -- pipelines -----------------------------------------------------------------------------------------------


def test_filter_and_annotate(det: mtdetect.Detector) -> None:
    records = [{"id": 1, "text": CLEAN}, {"id": 2, "text": GARBLED}]
    kept = list(det.filter(records))
    assert [r["id"] for r in kept] == [1]
    assert kept[0]["mtdetect"]["score"] < det.threshold
    annotated = list(det.filter(records, mode="annotate"))
    assert [r["id"] for r in annotated] == [1, 2]
    assert annotated[1]["mtdetect"]["score"] >= det.threshold
    assert "mtdetect" not in records[0]  # the input records are left alone


def test_score_series(det: mtdetect.Detector) -> None:
    import pandas as pd
    series = pd.Series([CLEAN, None, GARBLED], index=["a", "b", "c"])
    scores = det.score_series(series)
    assert list(scores.index) == ["a", "b", "c"]
    assert np.isnan(scores["b"])
    assert scores["a"] < det.threshold <= scores["c"]


def test_score_series_without_pandas_names_the_extra(det: mtdetect.Detector, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if it were not installed
    with pytest.raises(mtdetect.MissingDependency) as info:
        det.score_series([CLEAN])
    assert str(info.value) == "score_series needs pandas, which is not installed: pip install 'mtdetect[pandas]'"
    assert isinstance(info.value, ImportError) and info.value.name == "pandas"


# -- pickling ------------------------------------------------------------------------------------------------


def test_pickle_ships_the_path_not_the_arrays() -> None:
    det = mtdetect.load()
    det.threshold = 0.5
    before = det.score_paragraphs([CLEAN, GARBLED])
    data = pickle.dumps(det)
    assert len(data) < 10_000  # the model holds megabytes of arrays
    clone = pickle.loads(data)
    assert clone._model is None  # loaded lazily in the worker
    assert clone.threshold == 0.5
    np.testing.assert_array_equal(clone.score_paragraphs([CLEAN, GARBLED]), before)
    # The original keeps its loaded model.
    assert det._model is not None


def test_pickle_of_a_detector_with_a_path(tmp_path) -> None:
    import shutil

    card = default_model_path()
    shutil.copy(card, tmp_path / card.name)
    shutil.copy(card.with_name("default.npz"), tmp_path / "default.npz")
    det = mtdetect.load(tmp_path)
    clone = pickle.loads(pickle.dumps(det))
    assert clone.threshold == det.threshold
    assert clone.model is det.model  # one process reads a model file once
    np.testing.assert_array_equal(clone.score_paragraphs([GARBLED]), det.score_paragraphs([GARBLED]))


def test_pickle_of_a_detector_built_around_a_model(det: mtdetect.Detector) -> None:
    # A model handed in by the caller may not exist on disk: it travels with the detector.
    own = mtdetect.Detector(det.model, threshold=0.3)
    clone = pickle.loads(pickle.dumps(own))
    assert clone._model is not None and clone.threshold == 0.3
    np.testing.assert_array_equal(clone.score_paragraphs([CLEAN]), det.score_paragraphs([CLEAN]))
