"""The bench's core-against-document-path measurement (:mod:`qa.speed`) measures what it says.

Timings themselves are never asserted (they flake on a shared machine): these
tests check that the measurement runs the checkout it is pointed at, counts the
paragraphs it scored, and reports the ratios of the rates it was given.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtdetect.segment import split_paragraphs
from qa.bench import make_documents
from qa.speed import ROOT, Rates, checkout_of, measure_in, table


def test_a_run_in_a_fresh_process_scores_every_paragraph_of_the_input(tmp_path: Path) -> None:
    documents = list(make_documents(40))
    source = tmp_path / "input.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
    rates = measure_in(ROOT, source)
    assert rates.paragraphs == sum(len(split_paragraphs(str(d["text"]))) for d in documents)
    assert min(rates.core_cpu, rates.core_wall, rates.documents_cpu, rates.documents_wall) > 0


def test_the_best_of_runs_is_taken_rate_by_rate() -> None:
    one, two = Rates(10, 100.0, 90.0, 50.0, 60.0), Rates(10, 80.0, 95.0, 55.0, 40.0)
    assert one.best(two) == Rates(10, 100.0, 95.0, 55.0, 60.0)


def test_the_table_shows_each_version_and_the_ratios_to_the_first() -> None:
    lines = table({"old": Rates(10, 100.0, 100.0, 50.0, 50.0), "this checkout": Rates(10, 150.0, 140.0, 120.0, 110.0)})
    rows = lines.splitlines()
    assert rows[1].split()[:3] == ["old", "100", "50"] and "0.50" in rows[1]
    assert rows[2].split()[:4] == ["this", "checkout", "150", "120"] and "0.80" in rows[2]
    assert rows[3].split()[4:6] == ["1.50x", "2.40x"]


def test_a_comparison_with_no_such_commit_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="names no commit of this repository"):
        checkout_of("no-such-revision-anywhere", tmp_path)
    assert not any(tmp_path.iterdir())  # nothing checked out
