"""The README's capacity table: paragraphs per second on one and two cores, and core-hours per billion.

``make bench`` (:mod:`qa.bench`) calls :func:`measure` after timing
``mtdetect filter -p 1`` and ``-p 2``. It runs the README's datatrove pipeline
and its Spark snippet through :mod:`qa.engines` with 1 and then 2
worker processes on the same input, split into shards, and prints a
Markdown table: the rate on one core, the rate on two, the rate per core on
two, and the core-hours one billion paragraphs of the input's median length
would take at that rate.

What each time covers: ``mtdetect filter`` and datatrove end to end (process
start, model load, reading, scoring, writing); Spark from the moment its
session is up (reading the JSON, scoring, collecting the rows), since a
cluster starts its JVMs once for many jobs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

BILLION = 1_000_000_000
SHARDS = 8
"""Files the input is split into: datatrove hands out files to tasks, Spark reads them as partitions."""
SPARK_BATCH_ROWS = 10_000
"""Spark's default Arrow batch size (the tests use small batches; a production job would not)."""
ENGINES = {
    "datatrove": "datatrove `LocalPipelineExecutor`, `workers=N`",
    "spark": "Spark `mapInPandas`, `local[N]`",
}


@dataclass(frozen=True)
class Rates:
    """Paragraphs per second of one way to run mtdetect, on one core and on two."""

    path: str
    one: float
    two: float

    @property
    def per_core_two(self) -> float:
        return self.two / 2

    @property
    def core_hours_per_billion(self) -> float:
        """Core-hours for 10^9 paragraphs at the two-core rate per core (the slower, honest one)."""
        return BILLION / min(self.one, self.per_core_two) / 3600


def shard(source: Path, folder: Path, shards: int = SHARDS) -> Path:
    """Split a JSONL file into ``shards`` files ``folder/crawl/part-NNNN.jsonl``, lines dealt round-robin."""
    crawl = folder / "crawl"
    crawl.mkdir(parents=True, exist_ok=True)
    outs = [open(crawl / f"part-{i:04d}.jsonl", "w", encoding="utf-8") for i in range(shards)]
    try:
        with open(source, encoding="utf-8") as lines:
            for n, line in enumerate(lines):
                outs[n % shards].write(line)
    finally:
        for out in outs:
            out.close()
    return crawl


def engine_seconds(engine: str, crawl: Path, cores: int) -> float:
    """The job's seconds as :mod:`qa.engines` reports them."""
    command = [sys.executable, "-m", "qa.engines", engine, str(crawl), "-", "--cores", str(cores),
               "--batch-rows", str(SPARK_BATCH_ROWS)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["job_seconds"])


def measure(source: Path, folder: Path, paragraphs: int, filter_rates: Mapping[int, float]) -> list[Rates]:
    """Rates of ``mtdetect filter`` (measured by the caller), datatrove and Spark on one and two cores.

    Each run gets a fresh copy of the input in a folder of its own (datatrove
    skips tasks its logs say are done), removed afterwards.
    """
    rows = [Rates("`mtdetect filter -p N`", filter_rates[1], filter_rates[2])]
    for engine, label in ENGINES.items():
        rates = []
        for cores in (1, 2):
            run = folder / f"{engine}-{cores}"
            shutil.rmtree(run, ignore_errors=True)
            try:
                rates.append(paragraphs / engine_seconds(engine, shard(source, run), cores))
            finally:
                shutil.rmtree(run, ignore_errors=True)
        rows.append(Rates(label, *rates))
    return rows


def table(rows: list[Rates], median_chars: float, median_words: float) -> str:
    """The Markdown table for the README.

    >>> print(table([Rates("x", 2000.0, 3000.0)], 420, 70))
    | N processes | 1: paragraphs/s | 2: paragraphs/s | 2: per core | core-hours per 10⁹ paragraphs |
    |---|--:|--:|--:|--:|
    | x | 2,000 | 3,000 | 1,500 | 185 |
    <BLANKLINE>
    Paragraphs of 420 characters (70 words), the median of the bench input. Core-hours use the slower of the one-core rate and the two-core rate per core.
    """
    lines = [
        "| N processes | 1: paragraphs/s | 2: paragraphs/s | 2: per core | core-hours per 10⁹ paragraphs |",
        "|---|--:|--:|--:|--:|",
    ]
    for r in rows:
        lines.append(f"| {r.path} | {r.one:,.0f} | {r.two:,.0f} | {r.per_core_two:,.0f} | {r.core_hours_per_billion:,.0f} |")
    lines += ["", f"Paragraphs of {median_chars:.0f} characters ({median_words:.0f} words), the median of the bench "
              "input. Core-hours use the slower of the one-core rate and the two-core rate per core."]
    return "\n".join(lines)
