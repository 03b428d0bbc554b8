"""The shipped model's scores are exactly those recorded in tests/cases/reference_scores.json.

The file holds, as ``float.hex`` strings, the scores of the model whose weights
have the recorded sha256 on the case files, the example article and hostile
documents (see :mod:`qa.reference_scores`), and its explanations of a few
paragraphs. Any change to segmentation, features or scoring that moves a
score by one bit fails here. A retrained model has other scores: record them
with ``make reference-scores`` and commit the file with the model.
"""

from __future__ import annotations

import json

import pytest

import mtdetect
from qa.reference_scores import REFERENCE_FILE, compute

RECORD = "record the new model's scores with `make reference-scores`"


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def current(recorded: dict) -> dict:
    det = mtdetect.load()
    assert det.model.card["weights_sha256"] == recorded["weights_sha256"], (
        f"the shipped model is not the one the reference scores were recorded with: {RECORD}"
    )
    return compute(det)


def test_the_threshold_is_as_recorded(recorded: dict, current: dict) -> None:
    assert current["threshold"] == recorded["threshold"]


@pytest.mark.parametrize("name", ["human", "garbled"])
def test_case_paragraph_scores_are_bit_identical(recorded: dict, current: dict, name: str) -> None:
    assert current["paragraph_scores"][name] == recorded["paragraph_scores"][name]


def test_document_scores_are_bit_identical(recorded: dict, current: dict) -> None:
    assert current["documents"].keys() == recorded["documents"].keys()
    for name, expected in recorded["documents"].items():
        assert current["documents"][name] == expected, name


def test_explanations_are_as_recorded(recorded: dict, current: dict) -> None:
    """Scores, verdicts and flags exactly; contributions by name and order exactly, by value to 1e-6.

    A word-class n-gram's contribution is its weights times the row scaling
    the score used (a float32 ``1/sqrt(tokens)``); recorded values may differ
    from that in the last bits of float64.
    """
    assert current["explanations"].keys() == recorded["explanations"].keys()
    for name, expected in recorded["explanations"].items():
        found = current["explanations"][name]
        assert {k: v for k, v in found.items() if k != "contributions"} == {
            k: v for k, v in expected.items() if k != "contributions"
        }, name
        assert [c[0] for c in found["contributions"]] == [c[0] for c in expected["contributions"]], name
        values = [float.fromhex(c[1]) for c in found["contributions"]]
        assert values == pytest.approx([float.fromhex(c[1]) for c in expected["contributions"]], rel=1e-6), name
