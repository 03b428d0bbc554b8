"""Tests for the datatrove filter step and the dolma taggers.

The datatrove step runs in a real ``LocalPipelineExecutor`` (2 tasks, 2
workers: JsonlReader -> MtdetectFilter -> JsonlWriter) with the bundled model.
The dolma taggers run through a real ``dolma tag`` when dolma is installed;
dolma pins numpy<2, so it usually lives in its own environment, and without
it only the span logic the taggers emit is tested here.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import mtdetect
from mtdetect.detector import DocumentScore, ParagraphScore, document_score
from mtdetect.integrations import dolma as dolma_integration
from mtdetect.integrations.datatrove import MISSING_EXTRA, without_segments
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


class KeywordDetector:
    """A stand-in detector: a paragraph containing GARBLED scores 0.9, any other 0.1."""

    threshold = 0.5

    def score_documents(self, texts: Sequence[str]) -> list[DocumentScore]:
        self.calls = getattr(self, "calls", 0) + 1
        results = []
        for text in texts:
            paragraphs = [
                ParagraphScore(s.start, s.end, 0.9 if "GARBLED" in s.text else 0.1) for s in split_paragraphs(text)
            ]
            results.append(DocumentScore(document_score(paragraphs), paragraphs))
        return results

    def score_document(self, text: str) -> DocumentScore:
        return self.score_documents([text])[0]


def test_without_segments_keeps_separators_and_edges() -> None:
    text = "  One.\n\nTwo GARBLED.\n\n\nThree.\n\nFour GARBLED.  \n"
    segments = split_paragraphs(text)
    remove = ["GARBLED" in s.text for s in segments]
    assert without_segments(text, segments, remove) == "  One.\n\nThree.  \n"  # the gap after a kept one stays
    assert without_segments(text, segments, [True] * 4) == ""
    assert without_segments(text, segments, [False] * 4) == text


# -- datatrove -----------------------------------------------------------------------------

def _datatrove():
    return pytest.importorskip("datatrove", reason=MISSING_EXTRA)


def test_datatrove_filter_batch_document_and_paragraph_modes() -> None:
    _datatrove()
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
    numbers = [Document(text=42, id="n"), Document(text="Clean.", id="s"), Document(text=["a"], id="l")]  # type: ignore[arg-type]
    assert step.filter_batch(numbers) == [(False, "mtdetect_text_not_a_string"), True, (False, "mtdetect_text_not_a_string")]
    assert numbers[0].metadata == {"mtdetect": None} and numbers[1].metadata["mtdetect"] == 0.1
    assert step.stats["mtdetect_text_not_a_string"].total == 2
    assert batch[1].metadata["mtdetect_paragraphs"] == [0.1, 0.9]
    assert 0.5 < batch[1].metadata["mtdetect"] < 0.9 and batch[3].metadata["mtdetect"] == 0.0
    assert [doc.metadata["mtdetect_warnings"] for doc in batch] == [[]] * 4

    step = MtdetectFilter(mode="paragraph", metadata_key="mt")
    step._detector = KeywordDetector()  # type: ignore[assignment]
    batch = docs()
    assert step.filter_batch(batch) == [True, True, (False, "mtdetect_all_paragraphs_garbled"), True]
    assert batch[0].text == "Clean one.\n\nClean two." and batch[0].metadata["mt_removed_paragraphs"] == 0
    assert batch[1].text == "Clean one." and batch[1].metadata["mt_removed_paragraphs"] == 1
    assert batch[1].metadata["mt_paragraphs"] == [0.1, 0.9]
    assert step.stats["mtdetect_paragraphs_removed"].total == 2

    german = Document(text=f"Clean one.\n\n{GERMAN}\n\n{GERMAN} GARBLED", id="e")
    assert step.filter_batch([german]) == [True]
    assert german.metadata["mt_warnings"] == [[1, "not_english"], [2, "not_english"]]  # indexes of mt_paragraphs
    assert german.metadata["mt_paragraphs"] == [0.1, 0.1, 0.9] and german.metadata["mt_removed_paragraphs"] == 1

    with pytest.raises(ValueError, match="mode must be"):
        MtdetectFilter(mode="sentence")  # type: ignore[arg-type]


def test_datatrove_filter_pickles_without_its_model() -> None:
    _datatrove()
    from mtdetect.integrations.datatrove import MtdetectFilter

    step = MtdetectFilter(threshold=0.7)
    assert step.detector.threshold == 0.7
    copy = pickle.loads(pickle.dumps(step))
    assert copy._detector is None and copy.detector.threshold == 0.7


def _write_jsonl_gz(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


def _read_jsonl_gz(folder: Path) -> dict[str, dict]:
    docs = {}
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                docs[doc["id"]] = doc
    return docs


def test_datatrove_pipeline_run_two_tasks_two_workers(tmp_path: Path) -> None:
    _datatrove()
    pytest.importorskip("orjson", reason="datatrove's JsonlReader needs orjson (datatrove[io])")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from mtdetect.integrations.datatrove import MtdetectFilter

    for shard in (0, 1):
        _write_jsonl_gz(tmp_path / "in" / f"part{shard}.jsonl.gz", [
            {"id": f"{shard}-clean", "text": f"{CLEAN}\n\n{CLEAN}"},
            {"id": f"{shard}-mixed", "text": f"{CLEAN}\n\n{GARBLED}\n\n{CLEAN}"},
            {"id": f"{shard}-garbled", "text": GARBLED},
        ])
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(tmp_path / "in")),
            MtdetectFilter(mode="paragraph", exclusion_writer=JsonlWriter(str(tmp_path / "removed"))),
            JsonlWriter(str(tmp_path / "out")),
        ],
        tasks=2,
        workers=2,
        logging_dir=str(tmp_path / "logs"),
        start_method="fork",  # quicker than forkserver here; the steps are still pickled to each task
    )
    executor.run()
    threshold = mtdetect.load().threshold

    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["00000.jsonl.gz", "00001.jsonl.gz"]
    kept = _read_jsonl_gz(tmp_path / "out")
    assert sorted(kept) == ["0-clean", "0-mixed", "1-clean", "1-mixed"]
    for shard in (0, 1):
        clean, mixed = kept[f"{shard}-clean"], kept[f"{shard}-mixed"]
        assert clean["text"] == f"{CLEAN}\n\n{CLEAN}"
        assert clean["metadata"]["mtdetect_removed_paragraphs"] == 0
        assert mixed["text"] == f"{CLEAN}\n\n{CLEAN}"  # the garbled middle paragraph is cut out
        scores = mixed["metadata"]["mtdetect_paragraphs"]
        assert scores[0] < threshold <= scores[1] and mixed["metadata"]["mtdetect_removed_paragraphs"] == 1
    removed = _read_jsonl_gz(tmp_path / "removed")
    assert sorted(removed) == ["0-garbled", "1-garbled"]
    assert removed["0-garbled"]["metadata"]["filter_reason"] == "mtdetect_all_paragraphs_garbled"
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    step = next(s for s in stats if "mtdetect" in s["name"])
    assert step["stats"]["total"] == 6 and step["stats"]["forwarded"] == 4 and step["stats"]["dropped"] == 2


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
    assert dolma_integration.document_spans(KeywordDetector(), "") == [(0, 0, "document", 0.0)]  # type: ignore[arg-type]


def test_document_spans_mark_paragraphs_that_are_not_english() -> None:
    text = f"Clean first.\n\n{GERMAN}"
    german = (14, len(text), "not_english", 1.0)
    assert dolma_integration.document_spans(KeywordDetector(), text)[-1] == german  # type: ignore[arg-type]
    assert dolma_integration.document_spans(KeywordDetector(), text, paragraphs=False)[1:] == [german]  # type: ignore[arg-type]


def test_detector_from_env_reads_mtdetect_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dolma_integration, "_DETECTORS", {})
    monkeypatch.setenv("MTDETECT_MODEL", str(ROOT / "models" / "default.card.json"))
    first = dolma_integration.detector_from_env()
    assert dolma_integration.detector_from_env() is first
    monkeypatch.setenv("MTDETECT_MODEL", str(ROOT / "models" / "missing.card.json"))
    with pytest.raises(mtdetect.ModelError):
        dolma_integration.detector_from_env()


def test_dolma_tagger_classes_predict_spans() -> None:
    pytest.importorskip("dolma", reason="dolma is not installed here (it pins numpy<2)")
    from dolma.core.data_types import InputSpec
    from dolma.core.registry import TaggerRegistry

    tagger = TaggerRegistry.get(dolma_integration.PARAGRAPH_TAGGER)()
    text = f"{CLEAN}\n{GARBLED}"
    output = tagger.tag(InputSpec(id="1", text=text, source="test"))
    assert [span[:2] for span in output["paragraph"]] == [(0, len(CLEAN)), (len(CLEAN) + 1, len(text))]
    assert output["paragraph"][0][2] < tagger.detector.threshold <= output["paragraph"][1][2]
    assert output["document"][0][:2] == (0, len(text))
    doc_only = TaggerRegistry.get(dolma_integration.DOCUMENT_TAGGER)().tag(InputSpec(id="1", text=text))
    assert list(doc_only) == ["document"] and doc_only["document"] == output["document"]


def test_dolma_tag_command_writes_attributes(tmp_path: Path) -> None:
    pytest.importorskip("dolma", reason="dolma is not installed here (it pins numpy<2)")
    dolma_cli = shutil.which("dolma", path=str(Path(sys.executable).parent)) or shutil.which("dolma")
    if dolma_cli is None:
        pytest.skip("no dolma command")
    docs = [{"id": "a", "text": f"{CLEAN}\n{GARBLED}", "source": "test"}, {"id": "b", "text": CLEAN, "source": "test"}]
    _write_jsonl_gz(tmp_path / "documents" / "part0.jsonl.gz", docs)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    subprocess.run(
        [dolma_cli, "tag", "--documents", str(tmp_path / "documents" / "*.jsonl.gz"), "--experiment", "mt",
         "--taggers", dolma_integration.PARAGRAPH_TAGGER, dolma_integration.DOCUMENT_TAGGER,
         "--tagger_modules", "mtdetect.integrations.dolma", "--processes", "1"],
        check=True, env=env, cwd=tmp_path, capture_output=True, timeout=120,
    )
    [attributes] = (tmp_path / "attributes" / "mt").glob("*.jsonl.gz")
    with gzip.open(attributes, "rt") as handle:
        rows = {row["id"]: row["attributes"] for row in map(json.loads, handle)}
    first = rows["a"]
    paragraphs = first["mt__mtdetect_paragraph_v1__paragraph"]
    assert [p[:2] for p in paragraphs] == [[0, len(CLEAN)], [len(CLEAN) + 1, len(docs[0]["text"])]]
    threshold = mtdetect.load(os.environ.get("MTDETECT_MODEL") or None).threshold
    assert paragraphs[0][2] < threshold <= paragraphs[1][2]
    assert first["mt__mtdetect_document_v1__document"] == first["mt__mtdetect_paragraph_v1__document"]
    assert rows["b"]["mt__mtdetect_document_v1__document"][0][2] < threshold
