"""Tests for the datatrove filter step and the dolma taggers, one call at a time.

A stand-in detector makes the outcomes exact. The real runs (datatrove's
``LocalPipelineExecutor``, ``dolma tag`` and ``dolma mix`` from dolma's own
environment) are in ``test_engines.py``.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import mtdetect
from mtdetect.detector import Evidence
from mtdetect.integrations import dolma as dolma_integration
from mtdetect.integrations.datatrove import without_segments
from mtdetect.segment import split_paragraphs

ROOT = Path(__file__).resolve().parents[1]
CLEAN = (
    "The city council approved the budget for next year on Tuesday, after a long debate. "
    "The plan includes money for two new schools and a bus line."
)
GARBLED = (
    "The minister said , that the economy. of the region do n't grow 8 % in March. 2022 . "
    "A analysis the analysis of the the ministry, which rely on the cross- border trade, Express his wish."
)


GERMAN = "Der Rat hat den Haushalt nach einer langen Debatte über die neuen Schulen genehmigt."


class KeywordDetector(mtdetect.Detector):
    """A stand-in detector: a paragraph containing GARBLED scores 0.9, any other 0.1.

    Only the classifier is replaced (its calls are counted): documents, verdicts
    and warnings are the Detector's own.
    """

    def __init__(self) -> None:
        super().__init__(threshold=0.5)
        self.calls = 0

    def paragraph_evidence(self, paragraphs: Sequence[str], *, explain: bool = False, top: int = 6) -> Evidence:
        self.calls += 1
        scores = np.array([0.9 if "GARBLED" in p else 0.1 for p in paragraphs])
        return Evidence(scores, np.log(scores / (1 - scores)))


def test_without_segments_keeps_separators_and_edges() -> None:
    text = "  One.\n\nTwo GARBLED.\n\n\nThree.\n\nFour GARBLED.  \n"
    segments = split_paragraphs(text)
    remove = ["GARBLED" in s.text for s in segments]
    assert without_segments(text, segments, remove) == "  One.\n\nThree.  \n"  # the gap after a kept one stays
    assert without_segments(text, segments, [True] * 4) == ""
    assert without_segments(text, segments, [False] * 4) == text


# -- datatrove -----------------------------------------------------------------------------

def test_datatrove_filter_batch_document_and_paragraph_modes() -> None:
    from datatrove.data import Document

    from mtdetect.integrations.datatrove import MtdetectFilter

    def docs() -> list[Document]:
        return [
            Document(text="Clean one.\n\nClean two.", id="a"),
            Document(text="Clean one.\n\nGARBLED two, and GARBLED long enough to matter.", id="b"),
            Document(text="GARBLED only.", id="c"),
            Document(text="", id="d"),
        ]

    step = MtdetectFilter(mode="document", batch_size=3)
    step._detector = detector = KeywordDetector()  # type: ignore[assignment]
    batch = docs()
    assert step.filter_batch(batch) == [True, (False, "mtdetect_garbled"), (False, "mtdetect_garbled"), True]
    assert detector.calls == 1  # one model call for every paragraph of the batch
    odd = [
        Document(text=42, id="n"),  # type: ignore[arg-type]
        Document(text="Clean.", id="s"),
        Document(text="null", id="m", metadata={"mtdetect_text_not_a_string": True}),  # from keep_non_string_texts
    ]
    assert step.filter_batch(odd) == [(False, "mtdetect_text_not_a_string"), True, (False, "mtdetect_text_not_a_string")]
    clean_score = round(detector.score_document("Clean.").score, 4)  # the paragraph's evidence, as a document
    assert odd[0].metadata == {"mtdetect": None} and odd[1].metadata["mtdetect"] == clean_score
    assert odd[2].metadata["mtdetect"] is None and step.stats["mtdetect_text_not_a_string"].total == 2
    assert batch[1].metadata["mtdetect_paragraphs"] == [0.1, 0.9]
    assert 0.5 < batch[1].metadata["mtdetect"] < 0.9 and batch[3].metadata["mtdetect"] is None  # no text: no score
    assert [doc.metadata["mtdetect_warnings"] for doc in batch] == [[]] * 4

    step = MtdetectFilter(mode="paragraph", metadata_key="mt")
    step._detector = KeywordDetector()  # type: ignore[assignment]
    batch = docs()
    assert step.filter_batch(batch) == [True, True, (False, "mtdetect_all_paragraphs_garbled"), True]
    assert batch[0].text == "Clean one.\n\nClean two." and batch[0].metadata["mt_removed_paragraphs"] == 0
    assert batch[1].text == "Clean one." and batch[1].metadata["mt_removed_paragraphs"] == 1
    assert batch[1].metadata["mt_paragraphs"] == [0.1, 0.9]
    assert step.stats["mtdetect_paragraphs_removed"].total == 2

    text = f"Clean one.\n\n{GERMAN}\n\n{GERMAN} GARBLED"
    german = Document(text=text, id="e")
    assert step.filter_batch([german]) == [True]
    assert german.metadata["mt_warnings"] == [[1, "not_english"], [2, "not_english"]]  # indexes of mt_paragraphs
    assert german.metadata["mt_paragraphs"] == [0.1, 0.1, 0.9]
    assert german.metadata["mt_removed_paragraphs"] == 0 and german.text == text  # not English: never cut as garbled
    # The English paragraph's evidence only:
    assert german.metadata["mt"] == round(step.detector.score_document("Clean one.").score, 4)

    with pytest.raises(ValueError, match="mode must be"):
        MtdetectFilter(mode="sentence")  # type: ignore[arg-type]


def test_datatrove_filter_pickles_without_its_model() -> None:
    from mtdetect.integrations.datatrove import MtdetectFilter

    step = MtdetectFilter(threshold=0.7)
    assert step.detector.threshold == 0.7
    copy = pickle.loads(pickle.dumps(step))
    assert copy._detector is None and copy.detector.threshold == 0.7


def test_datatrove_step_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import mtdetect.integrations.datatrove as module

    monkeypatch.setitem(sys.modules, "datatrove.pipeline.filters.base_filter", None)  # as if not installed
    try:
        reloaded = importlib.reload(module)
        with pytest.raises(ImportError, match=r"pip install 'mtdetect\[datatrove\]'"):
            reloaded.MtdetectFilter()
    finally:
        monkeypatch.undo()
        importlib.reload(module)


# -- dolma -------------------------------------------------------------------------------------

def test_document_spans_are_paragraph_spans_then_the_document() -> None:
    text = "Clean first.\n\nGARBLED second, much longer than the first one."
    spans = dolma_integration.document_spans(KeywordDetector(), text)  # type: ignore[arg-type]
    assert [s[:3] for s in spans] == [(0, 12, "paragraph"), (14, len(text), "paragraph"), (0, len(text), "document")]
    assert [s[3] for s in spans[:2]] == [0.1, 0.9] and 0.5 < spans[2][3] < 0.9
    assert dolma_integration.document_spans(KeywordDetector(), text, paragraphs=False) == spans[2:]  # type: ignore[arg-type]
    assert dolma_integration.document_spans(KeywordDetector(), "") == []  # type: ignore[arg-type]  # no score, no span


def test_document_spans_mark_paragraphs_that_are_not_english() -> None:
    text = f"Clean first.\n\n{GERMAN}"
    german = (14, len(text), "not_english", 1.0)
    assert dolma_integration.document_spans(KeywordDetector(), text)[-1] == german  # type: ignore[arg-type]
    assert dolma_integration.document_spans(KeywordDetector(), text, paragraphs=False)[1:] == [german]  # type: ignore[arg-type]


def test_the_taggers_read_mtdetect_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each tagger calls mtdetect.load(): the model $MTDETECT_MODEL names, read once per process."""
    monkeypatch.setenv("MTDETECT_MODEL", str(ROOT / "models" / "default.card.json"))
    first = mtdetect.load()
    assert mtdetect.load().model is first.model
    monkeypatch.setenv("MTDETECT_MODEL", str(ROOT / "models" / "missing.card.json"))
    with pytest.raises(mtdetect.ModelError):
        mtdetect.load()
