"""Acceptance on the seed documents: `mtdetect score` flags the garbled repost, not the original.

Seed 001 is a news article machine-translated out of English and back; seed 004
is the article as first published (with its page chrome). Both are read by path
from the shared data folder beside the project and the tests skip without it.
The bounds are the measured figures of the bundled model, with a little room.
Note that the seeds are in the model's training data (the card lists them), so
these are regression checks, not an independent measure of quality.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mtdetect.cli import main

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seed documents not available")

MEASURED = {"001": (27, 29), "004": (0, 104)}
"""Garbled (on their own or in context) and total paragraphs of each seed with the bundled model, as last measured."""


def score_rows(prefix: str) -> list[dict]:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    out = io.StringIO()
    assert main(["score", "--format", "jsonl", str(path)], out=out) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture(scope="module")
def seed_rows() -> dict[str, list[dict]]:
    rows = {prefix: score_rows(prefix) for prefix in ("001", "004")}
    for prefix, found in rows.items():
        flagged = sum(r["garbled"] for r in found)
        print(f"seed {prefix}: {flagged} of {len(found)} paragraphs flagged ({flagged / len(found):.0%}), "
              f"document score {found[0]['document_score']:.3f}")
    return rows


def share_flagged(rows: list[dict]) -> float:
    return sum(r["garbled"] for r in rows) / len(rows)


def test_paragraph_counts(seed_rows) -> None:
    assert len(seed_rows["001"]) == MEASURED["001"][1]
    assert len(seed_rows["004"]) == MEASURED["004"][1]


def test_garbled_repost_mostly_flagged(seed_rows) -> None:
    rows = seed_rows["001"]
    assert share_flagged(rows) >= 0.5, f"{sum(r['garbled'] for r in rows)} of {len(rows)} flagged"


def test_garbled_repost_flagged_at_least_as_measured(seed_rows) -> None:
    rows = seed_rows["001"]
    flagged = sum(r["garbled"] for r in rows)
    assert flagged >= MEASURED["001"][0] - 2, f"{flagged} of {len(rows)} flagged"


def test_original_rarely_flagged(seed_rows) -> None:
    rows = seed_rows["004"]
    flagged = sum(r["garbled"] for r in rows)
    assert share_flagged(rows) <= 0.10, f"{flagged} of {len(rows)} flagged"
    assert flagged <= MEASURED["004"][0] + 2


def test_document_scores_separate(seed_rows) -> None:
    garbled = seed_rows["001"][0]["document_score"]
    original = seed_rows["004"][0]["document_score"]
    assert garbled - original >= 0.3, (garbled, original)
    assert original < 0.35 < 0.5 < garbled


def test_document_verdicts_at_the_default_threshold(seed_rows, tmp_path: Path) -> None:
    # The repost's paragraphs add up: its document is dropped even where most paragraphs alone are not.
    records = tmp_path / "seeds.jsonl"
    texts = {prefix: next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8") for prefix in ("001", "004")}
    records.write_text("".join(json.dumps({"id": p, "text": t}) + "\n" for p, t in texts.items()), encoding="utf-8")
    out = io.StringIO()
    assert main(["filter", "--mode", "drop", str(records), "--rejects", str(tmp_path / "rejects.jsonl")], out=out) == 0
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == ["004"]


def test_flagged_paragraphs_carry_visible_damage(seed_rows) -> None:
    # A paragraph built around 001's worst damage is among the flagged ones (as measured: the other two,
    # "A analysis Sher's analysis" and "Putin Express his desire", score 0.9993 and 0.9409, just under).
    (path,) = SEEDS.glob("001_*.txt")
    text = path.read_text(encoding="utf-8")
    flagged = [text[r["start"] : r["end"]] for r in seed_rows["001"] if r["garbled"]]
    assert any("In a interview Speaking with" in paragraph for paragraph in flagged)
