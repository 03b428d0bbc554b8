"""The one scoring loop (mtdetect.scoring): batches, order, pass-through items, read errors.

The cases are data: items (a ``#`` item has nothing to score and passes
through), the bounds, and the batches and ``score_documents`` calls expected.
A stand-in detector records each call, so the cut is checked exactly. The
last tests read the package's source: every output scores through the loop.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mtdetect import scoring
from mtdetect.detector import BATCH_SIZE
from mtdetect.errors import InputError
from mtdetect.records import PARAGRAPHS_PER_BATCH
from mtdetect.segment import Segment, split_paragraphs

PACKAGE = Path(__file__).resolve().parents[1] / "mtdetect"


@dataclass
class RecordingDetector:
    """Stands in for the Detector: each call's texts and options are kept; a text's result names it."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def score_documents(self, texts: Sequence[str], **options: Any) -> list[str]:
        self.calls.append({"texts": list(texts), **options})
        return [f"scored {text!r}" for text in texts]


def text_of(item: str) -> str | None:
    return None if item.startswith("#") else item


def batches(items: Sequence[str], **bounds: Any) -> tuple[list[list[str]], RecordingDetector]:
    """The items of each batch the loop yields, and the detector that scored them."""
    detector = RecordingDetector()
    out = []
    for batch in scoring.scored_batches(detector, items, text_of, **bounds):  # type: ignore[arg-type]
        assert [result for _, result in batch] == [None if text_of(i) is None else f"scored {i!r}" for i, _ in batch]
        out.append([item for item, _ in batch])
    return out, detector


HUGE = "word " * 40

CASES = {
    "order kept, pass-through items in their place": (
        ["one", "#reject", "two\n\nthree", "#no text"], {},
        [["one", "#reject", "two\n\nthree", "#no text"]], [["one", "two\n\nthree"]],
    ),
    "cut at the paragraph bound, before an item that would cross it": (
        ["a", "b\n\nc", "d", "e\n\nf\n\ng", "h"], {"max_paragraphs": 2},
        [["a"], ["b\n\nc"], ["d"], ["e\n\nf\n\ng"], ["h"]], [["a"], ["b\n\nc"], ["d"], ["e\n\nf\n\ng"], ["h"]],
    ),
    "a batch closes as soon as it is full": (
        ["a", "b", "c", "d", "e"], {"max_paragraphs": 2},
        [["a", "b"], ["c", "d"], ["e"]], [["a", "b"], ["c", "d"], ["e"]],
    ),
    "a huge document alone in its batch": (
        ["short", HUGE, "after"], {"max_chars": 50},
        [["short"], [HUGE], ["after"]], [["short"], [HUGE], ["after"]],
    ),
    "pass-through items count one each, and need no call": (
        ["#1", "#2", "#3", "x"], {"max_paragraphs": 2},
        [["#1", "#2"], ["#3", "x"]], [["x"]],
    ),
    "an empty text counts one and is scored": (
        ["", "", ""], {"max_paragraphs": 2},
        [["", ""], [""]], [["", ""], [""]],
    ),
    "nothing in, nothing out": ([], {}, [], []),
}


@pytest.mark.parametrize(("items", "bounds", "expected", "calls"), CASES.values(), ids=CASES.keys())
def test_batches(items: list[str], bounds: dict[str, int], expected: list[list[str]], calls: list[list[str]]) -> None:
    got, detector = batches(items, **bounds)
    assert got == expected
    assert [call["texts"] for call in detector.calls] == calls


def test_each_text_is_split_once_and_the_split_handed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    split: list[str] = []

    def counting(text: str) -> list[Segment]:
        split.append(text)
        return split_paragraphs(text)

    monkeypatch.setattr(scoring, "split_paragraphs", counting)
    items = ["a\n\nb", "#skip", "c", "d\n\ne\n\nf"]
    _, detector = batches(items, max_paragraphs=4)  # the pass-through item counts one
    assert split == ["a\n\nb", "c", "d\n\ne\n\nf"]
    handed = [[s.text for doc in call["paragraphs"] for s in doc] for call in detector.calls]
    assert handed == [["a", "b", "c"], ["d", "e", "f"]]


def test_the_bounds_default_to_the_records_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "PARAGRAPHS_PER_BATCH", 2)
    assert batches(["a", "b", "c"])[0] == [["a", "b"], ["c"]]
    monkeypatch.setattr(scoring, "CHARACTERS_PER_BATCH", 3)
    assert batches(["ab", "cd", "e"])[0] == [["ab"], ["cd", "e"]]


def test_options_and_the_progress_callback_reach_score_documents() -> None:
    detector, seen = RecordingDetector(), []

    def progress(items: list[str], chars: int) -> Callable[[int], None]:
        seen.append((items, chars))
        return print

    batch = list(scoring.scored_batches(detector, ["#x", "ab", "cde"], text_of, threshold=0.3,  # type: ignore[arg-type]
                                        explain=True, top=0, progress=progress))
    assert len(batch) == 1 and seen == [(["#x", "ab", "cde"], 5)]
    [call] = detector.calls
    assert (call["threshold"], call["explain"], call["top"], call["progress"]) == (0.3, True, 0, print)


def test_a_read_error_comes_after_the_items_before_it() -> None:
    def items() -> Iterator[str]:
        yield from ["one", "#skip", "two"]
        raise InputError("in.jsonl: line 4: not valid JSON")

    detector = RecordingDetector()
    stream = scoring.scored(detector, items(), text_of)  # type: ignore[arg-type]
    assert [item for item, _ in [next(stream), next(stream), next(stream)]] == ["one", "#skip", "two"]
    with pytest.raises(InputError, match="line 4"):
        next(stream)
    assert [call["texts"] for call in detector.calls] == [["one", "two"]]


def test_items_are_read_lazily() -> None:
    read = []

    def items() -> Iterator[str]:
        for name in "abcdef":
            read.append(name)
            yield name

    stream = scoring.scored_batches(RecordingDetector(), items(), text_of, max_paragraphs=2)  # type: ignore[arg-type]
    assert [item for item, _ in next(stream)] == ["a", "b"] and read == ["a", "b"]


def test_the_paragraph_bound_fills_whole_model_calls() -> None:
    assert PARAGRAPHS_PER_BATCH % BATCH_SIZE == 0, "PARAGRAPHS_PER_BATCH's docstring says why it is the Detector's"


def callers_of(name: str) -> set[str]:
    """The package's modules (paths under mtdetect/) that call ``name(...)`` or ``something.name(...)``."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if called == name:
                    found.add(path.relative_to(PACKAGE).as_posix())
    return found


def test_every_output_scores_documents_through_the_loop() -> None:
    assert callers_of("score_documents") == {"scoring.py", "detector.py"}  # detector.py: score_document
    outputs = {"cli.py", "filtering.py", "batches.py", "report/scored.py", "integrations/datatrove.py"}
    assert outputs <= callers_of("scored") | callers_of("scored_batches")
