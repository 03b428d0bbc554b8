"""The README's capacity table: paragraphs per second on one and two cores, and core-hours per billion.

``make bench`` (:mod:`qa.bench`) calls :func:`measure` after timing
``mtdetect filter -p 1`` and ``-p 2``. It runs the README's datatrove pipeline
and its Spark snippet through :mod:`qa.engines` with 1 and then 2 worker
processes on the same input, split into shards, and prints a Markdown table:
the wall-clock rate with one worker process and with two, the rate per
CPU-second, and the core-hours one billion paragraphs of the input's median
length would take at that rate.

The core-hours come from CPU time, not wall-clock time: on a shared machine a
neighbour's work slows the wall clock (most in the two-process column) but
hardly the CPU seconds a job needs, which is what a cluster bills. Each CPU
figure covers every process of the job (for Spark the JVM and its Python
workers), and the slower of the one- and two-process runs is used.

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
class Run:
    """One timed run: wall-clock and CPU seconds (all its processes)."""

    seconds: float
    cpu_seconds: float


@dataclass(frozen=True)
class Rates:
    """Paragraphs per second of one way to run mtdetect, with one worker process and with two."""

    path: str
    paragraphs: int
    one: Run
    two: Run

    def wall(self, run: Run) -> float:
        return self.paragraphs / run.seconds

    @property
    def per_cpu_second(self) -> float:
        """Paragraphs per CPU-second, the slower of the two runs."""
        return self.paragraphs / max(self.one.cpu_seconds, self.two.cpu_seconds)

    @property
    def core_hours_per_billion(self) -> float:
        return BILLION / self.per_cpu_second / 3600


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


def engine_run(engine: str, crawl: Path, cores: int) -> Run:
    """The job's wall-clock and CPU seconds as :mod:`qa.engines` reports them."""
    command = [sys.executable, "-m", "qa.engines", engine, str(crawl), "-", "--cores", str(cores),
               "--batch-rows", str(SPARK_BATCH_ROWS)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    timing = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(timing["job_seconds"], timing["job_cpu_seconds"])


def measure(source: Path, folder: Path, paragraphs: int, filter_runs: Mapping[int, Run]) -> list[Rates]:
    """Rates of ``mtdetect filter`` (timed by the caller), datatrove and Spark with 1 and 2 worker processes.

    Each run gets a fresh copy of the input in a folder of its own (datatrove
    skips tasks its logs say are done), removed afterwards.
    """
    rows = [Rates("`mtdetect filter -p N`", paragraphs, filter_runs[1], filter_runs[2])]
    for engine, label in ENGINES.items():
        runs = []
        for cores in (1, 2):
            folder_of_run = folder / f"{engine}-{cores}"
            shutil.rmtree(folder_of_run, ignore_errors=True)
            try:
                runs.append(engine_run(engine, shard(source, folder_of_run), cores))
            finally:
                shutil.rmtree(folder_of_run, ignore_errors=True)
        rows.append(Rates(label, paragraphs, *runs))
    return rows


def table(rows: list[Rates], median_chars: float, median_words: float) -> str:
    """The Markdown table for the README.

    >>> print(table([Rates("x", 6000, Run(3.0, 2.9), Run(2.0, 3.0))], 420, 70))
    | worker processes (N) | 1: paragraphs/s | 2: paragraphs/s | paragraphs per CPU-second | core-hours per 10⁹ paragraphs |
    |---|--:|--:|--:|--:|
    | x | 2,000 | 3,000 | 2,000 | 139 |
    <BLANKLINE>
    Paragraphs of 420 characters (70 words), the median of the bench input.
    """
    lines = [
        "| worker processes (N) | 1: paragraphs/s | 2: paragraphs/s | paragraphs per CPU-second "
        "| core-hours per 10⁹ paragraphs |",
        "|---|--:|--:|--:|--:|",
    ]
    for r in rows:
        lines.append(f"| {r.path} | {r.wall(r.one):,.0f} | {r.wall(r.two):,.0f} | {r.per_cpu_second:,.0f} "
                     f"| {r.core_hours_per_billion:,.0f} |")
    lines += ["", f"Paragraphs of {median_chars:.0f} characters ({median_words:.0f} words), the median of the bench input."]
    return "\n".join(lines)
