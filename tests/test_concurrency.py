"""Threads may share a Detector: concurrent scoring gives exactly the single-threaded results.

Each thread scores its own batches (different texts, so each meets tokens the
others do not) over and over while the others do the same. The feature
vocabulary is made small, so it starts afresh many times during the run: a
vocabulary shared between threads would hand one thread's token rows to
another's arrays.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import mtdetect
from mtdetect import features

CASES = Path(__file__).parent / "cases"
THREADS = 4
ROUNDS = 6


def texts() -> list[str]:
    lines = [json.loads(line)["text"] for name in ("human", "garbled") for line in (CASES / f"{name}.jsonl").open()]
    article = (Path(__file__).parent.parent / "examples" / "article.txt").read_text(encoding="utf-8").split("\n\n")
    return lines + article


def test_threads_scoring_at_once_get_the_single_threaded_scores(
    det: mtdetect.Detector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(features._Vocabulary, "limit", 64)
    pool = texts()
    batches = [pool[k::THREADS] for k in range(THREADS)]  # every thread its own texts
    expected = [det.score_paragraphs(batch) for batch in batches]
    explained = [[det.explain(text) for text in batch[:5]] for batch in batches]
    start = threading.Barrier(THREADS)

    def work(k: int) -> tuple[list[np.ndarray], list[list[mtdetect.Explanation]]]:
        start.wait()
        scores, explanations = [], []
        for _ in range(ROUNDS):
            scores.append(det.score_paragraphs(batches[k]))
            explanations.append([det.explain(text) for text in batches[k][:5]])
        return scores, explanations

    with ThreadPoolExecutor(THREADS) as executor:
        results = list(executor.map(work, range(THREADS)))
    for k, (scores, explanations) in enumerate(results):
        for found in scores:
            np.testing.assert_array_equal(found, expected[k])
        for found in explanations:
            assert found == explained[k]


def test_documents_scored_in_threads_equal_those_scored_alone(det: mtdetect.Detector) -> None:
    pool = texts()
    documents = ["\n\n".join(pool[k : k + 7]) for k in range(0, len(pool), 7)]
    alone = det.score_documents(documents, explain=True)
    with ThreadPoolExecutor(THREADS) as executor:
        together = list(executor.map(lambda doc: det.score_document(doc, explain=True), documents))
    assert together == alone


def test_threads_loading_the_first_model_at_once_read_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtdetect import model as model_module

    monkeypatch.setattr(model_module, "_SHARED", {})  # no model read yet in this process
    real, reads = model_module.load_model, []
    started = threading.Barrier(THREADS)

    def slow_read(*args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(1)
        threading.Event().wait(0.2)  # a read takes a while: the other threads arrive during it
        return real(*args, **kwargs)

    monkeypatch.setattr(model_module, "load_model", slow_read)

    def first_use(_: int) -> object:
        started.wait()
        return model_module.shared_model()

    with ThreadPoolExecutor(THREADS) as pool:
        models = list(pool.map(first_use, range(THREADS)))
    assert len(reads) == 1 and all(m is models[0] for m in models)
