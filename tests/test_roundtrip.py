"""Tests for training.roundtrip: aligned Apertium round trips, verification, cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from training import roundtrip as rt

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None,
    reason="apertium is not on PATH (install it with `make system-deps`)",
)

# Five paragraphs on unrelated topics, one without final punctuation (a heading).
PARAGRAPHS = [
    "The volcano erupted on Tuesday morning, sending ash and lava down the mountain toward three villages.",
    "Farmers in the valley harvested wheat and barley early this year because the summer was unusually dry.",
    "The orchestra rehearsed the symphony for six weeks before the concert at the opera house in Vienna",
    "Doctors at the hospital treated forty patients for influenza, and the clinic ordered more vaccines.",
    "Engineers tested the new bridge with heavy trucks to measure how much the steel cables would stretch.",
]

PIVOT = "spa"  # changes every one of the five paragraphs (epo leaves two as they were)


@pytest.fixture(scope="module")
def trips() -> list[str | None]:
    return rt.roundtrip(PARAGRAPHS, PIVOT)


def test_batch_of_five_keeps_alignment(trips: list[str | None]) -> None:
    assert len(trips) == len(PARAGRAPHS)
    assert all(t is not None for t in trips)
    for i, garbled in enumerate(trips):
        assert garbled is not None
        own = rt.content_overlap(PARAGRAPHS[i], garbled)
        others = [rt.content_overlap(p, garbled) for j, p in enumerate(PARAGRAPHS) if j != i]
        assert own > max(others), (i, garbled)


def test_outputs_are_damaged_and_clean(trips: list[str | None]) -> None:
    for original, garbled in zip(PARAGRAPHS, trips):
        assert garbled is not None
        assert garbled != original
        assert "|||" not in garbled
        assert garbled == garbled.strip() and "  " not in garbled and "\n" not in garbled


def test_markers_survive_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = rt._round_trip_text

    def counting(modes: tuple[str, str], text: str) -> str:
        calls.append(text)
        return real(modes, text)

    monkeypatch.setattr(rt, "_round_trip_text", counting)
    raws = rt.translate_batch(PARAGRAPHS, rt.PIVOTS["spa"])
    assert len(calls) == 1  # no fallback needed: every marker came back intact
    assert all(raw and "|||" not in raw for raw in raws)


def test_broken_markers_fall_back_to_smaller_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    def lossy(modes: tuple[str, str], text: str) -> str:
        # A fake engine that upper-cases and loses marker 1 in batches of 3+.
        if text.count("|||") >= 6:
            text = text.replace(rt.MARKER_FORMAT.format(1), "")
        return text.upper()

    monkeypatch.setattr(rt, "_round_trip_text", lossy)
    raws = rt.translate_batch(PARAGRAPHS, ("x", "y"))
    assert raws == [p.upper() for p in PARAGRAPHS]


def test_verifier_rejects_misaligned_pairs(trips: list[str | None]) -> None:
    for i, original in enumerate(PARAGRAPHS):
        shifted = trips[(i + 1) % len(trips)]
        assert shifted is not None
        assert rt.verify_pair(original, shifted) == "overlap"
        assert rt.verify_pair(original, trips[i] or "") == "ok"
    assert rt.verify_pair(PARAGRAPHS[0], "The volcano erupted.") == "ratio"
    assert rt.verify_pair(PARAGRAPHS[0], PARAGRAPHS[0] + " ") == "identical"


def test_leftover_marks_removed_but_real_symbols_kept() -> None:
    original = "Write to ana@example.org about #IStandWithAhmed and the city council."
    garbled = "Write to ana@example.org on #IStandWithAhmed and the *ayuntamiento @city #council."
    assert rt.clean_output(garbled, original) == (
        "Write to ana@example.org on #IStandWithAhmed and the ayuntamiento city council."
    )


def test_cache_key_changes_with_inputs_pivots_and_versions() -> None:
    base = [rt.Original(p, "gum", "doc1") for p in PARAGRAPHS]
    edited = base[:-1] + [rt.Original(PARAGRAPHS[-1] + " Indeed.", "gum", "doc1")]
    fp = {"deb:apertium": "3.8.3"}
    key = rt.cache_key(base, ["spa"], fp)
    assert key == rt.cache_key(list(base), ["spa"], dict(fp))
    assert key != rt.cache_key(edited, ["spa"], fp)
    assert key != rt.cache_key(base[:-1], ["spa"], fp)
    assert key != rt.cache_key(base, ["spa", "epo"], fp)
    assert key != rt.cache_key(base, ["spa"], {"deb:apertium": "3.8.4"})


def test_missing_mode_gives_one_line_error(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    with pytest.raises(rt.ApertiumMissing, match="make system-deps") as info:
        rt.check_apertium(["eng-spa", "eng-xxx"])
    assert str(info.value).startswith("Apertium mode(s) eng-xxx not installed")
    assert "\n" not in str(info.value)

    monkeypatch.setitem(rt.PIVOTS, "xxx", ("eng-xxx", "xxx-eng"))
    assert rt.main(["--pivots", "xxx", "--data", "unused"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "make system-deps" in err


def test_missing_apertium_binary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(rt.ApertiumMissing, match="make system-deps"):
        rt.roundtrip(PARAGRAPHS[:1], "spa")


def _tiny_data(root: Path) -> Path:
    (root / "clean").mkdir(parents=True)
    (root / "seeds").mkdir()
    rows = [
        {"id": "a.p0", "doc": "a", "text": PARAGRAPHS[0]},
        {"id": "a.p1", "doc": "a", "text": "Too short to keep."},
        {"id": "b.p0", "doc": "b", "text": PARAGRAPHS[1]},
    ]
    (root / "clean" / "gum-tiny.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
    )
    seed = f"Menu\n\n{PARAGRAPHS[3]}\n\nShare this\n\n{PARAGRAPHS[0]}\n"
    (root / "seeds" / "004_tiny.txt").write_text(seed, encoding="utf-8")
    (root / "seeds" / "001_tiny.txt").write_text(PARAGRAPHS[4], encoding="utf-8")
    return root


def test_build_pairs_writes_then_reuses_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = _tiny_data(tmp_path / "data")
    first = rt.build_pairs(data, tmp_path / "pairs", [PIVOT], show_progress=False)
    assert not first.cached and first.path.parent == tmp_path / "pairs"
    records = [json.loads(line) for line in first.path.read_text(encoding="utf-8").splitlines()]
    # 3 unique long paragraphs (seed repeats gum's first one; 001 is not an original)
    assert first.stats[PIVOT]["translated"] == 3
    assert len(records) == first.stats[PIVOT]["kept"] >= 2
    assert {r["source"] for r in records} <= {"gum", "seed"}
    for r in records:
        assert set(r) == {"original", "garbled", "source", "doc", "kind", "pivot"}
        assert r["kind"] == "roundtrip:spa" and r["pivot"] == "spa"
        assert r["original"] in PARAGRAPHS and r["garbled"] != r["original"]
    assert not list(first.path.parent.glob("*.tmp"))

    def no_translation(*args: object, **kwargs: object) -> None:
        raise AssertionError("cache hit must not translate")

    monkeypatch.setattr(rt, "run_pivots", no_translation)
    again = rt.build_pairs(data, tmp_path / "pairs", [PIVOT], show_progress=False)
    assert again.cached and again.path == first.path and again.stats == first.stats

    (data / "clean" / "gum-tiny.jsonl").write_text(
        json.dumps({"id": "c.p0", "doc": "c", "text": PARAGRAPHS[2]}) + "\n", encoding="utf-8"
    )
    with pytest.raises(AssertionError, match="cache hit"):  # new inputs, new key: translates
        rt.build_pairs(data, tmp_path / "pairs", [PIVOT], show_progress=False)
