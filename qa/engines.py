"""Run one of the README's engine snippets on a small local cluster, in a process of its own.

``python -m qa.engines ENGINE SOURCE OUTPUT [--cores N]`` reads the
snippet marked ``<!-- engine: ENGINE -->`` in README.md, starts the engine on
N cores (Spark ``local[N]``, a local Ray instance with N CPUs, a Dask
``LocalCluster`` of N worker processes, datatrove's ``LocalPipelineExecutor``
with N workers), builds the snippet's input from the JSONL files in the
folder SOURCE, executes the snippet as written and stops everything it
started. The rows it leaves in ``scored`` go to OUTPUT as a pickled pandas
frame (float64 scores stay exact). The last line printed is JSON with the
wall-clock and CPU seconds the job took once the engine was up
(``job_seconds``, ``job_cpu_seconds``: every process the job ran, JVMs and
workers included), so a busy machine shows in the first and not much in the
second.

The engine tests (``tests/test_engines.py``) check OUTPUT; ``make bench``
(``qa/bench.py``) times the jobs for the capacity table. Running each
job in its own process means a JVM or a Ray node cannot outlive it.

Input: Spark reads SOURCE with ``spark.read.json`` (a line that is not JSON
becomes a row with a null text and the raw line in ``_corrupt_record``); Ray
and Dask get one pandas frame per file, the text field as parsed (strings,
None, numbers, lists); the datatrove snippet reads ``crawl/`` and writes
beside it, so SOURCE must be a folder named ``crawl`` and OUTPUT is not written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .bench import process_tree

README = Path(__file__).resolve().parents[1] / "README.md"
MEMORY = "1g"
"""Memory for the Spark driver and for each Dask worker."""
RAY_OBJECT_STORE = 200 * 1024**2
SPARK_BATCH_ROWS = 100
"""Rows per Arrow batch in Spark by default: small, so each task scores several batches."""


SNIPPETS = ("spark", "ray", "dask", "datatrove", "dolma", "dolma-mix")
"""The README blocks marked ``<!-- engine: NAME -->``: the engine tests run every one of them
(the dolma ones with dolma's own command, the others through this module)."""


def readme_block(name: str, readme: Path = README) -> str:
    """The fenced block after ``<!-- engine: NAME -->`` in the README.

    >>> "mapInPandas" in readme_block("spark")
    True
    """
    pattern = rf"<!-- engine: {re.escape(name)} -->\n```\w*\n(.*?)\n```"
    match = re.search(pattern, readme.read_text(encoding="utf-8"), re.S)
    if match is None:
        raise KeyError(f"{readme} has no block marked <!-- engine: {name} -->")
    return match.group(1) + "\n"


def read_frames(folder: Path) -> list[Any]:
    """One pandas frame (id, text) per JSONL file, the text as parsed."""
    import pandas as pd

    frames = []
    for path in sorted(folder.glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        frames.append(pd.DataFrame({
            "id": [r["id"] for r in records],
            "text": pd.Series([r.get("text") for r in records], dtype=object),
        }))
    return frames


def run_snippet(snippet: str, **names: Any) -> Any:
    """Execute a README snippet with ``names`` defined; return what it left in ``scored``."""
    namespace: dict[str, Any] = {"__name__": "__main__", **names}
    exec(compile(snippet, "README.md", "exec"), namespace)
    return namespace.get("scored")


class Clock:
    """Wall-clock and CPU seconds since it was made, the CPU of every process this one started included."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), tree_cpu_seconds()

    def read(self) -> dict[str, float]:
        return {"job_seconds": time.perf_counter() - self.wall, "job_cpu_seconds": tree_cpu_seconds() - self.cpu}


def tree_cpu_seconds() -> float:
    """CPU seconds of this process and its descendants, living or reaped (Linux /proc).

    A living process counts its own time and that of the children it reaped;
    this process's reaped children come from ``getrusage``. Only a process
    orphaned and reaped elsewhere is missed.
    """
    own, reaped = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in process_tree(os.getpid())[1:]:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / ticks  # utime, stime, cutime, cstime
    return total


def spark(source: Path, cores: int, batch_rows: int) -> tuple[Any, dict[str, float]]:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers' Python: this one, with mtdetect
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("mtdetect")
        .config("spark.driver.memory", MEMORY)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
        .getOrCreate()
    )
    try:
        session.sparkContext.setLogLevel("ERROR")
        clock = Clock()
        scored = run_snippet(readme_block("spark"), df=session.read.json(str(source)))
        rows = scored.toPandas()
        timing = clock.read()
        rows.attrs["null_scores"] = scored.where("mtdetect IS NULL").count()  # the README's count
        return rows, timing
    finally:
        session.stop()


def ray(source: Path, cores: int, batch_rows: int) -> tuple[Any, dict[str, float]]:
    import ray as ray_module
    import ray.data

    ray_module.init(num_cpus=cores, object_store_memory=RAY_OBJECT_STORE, include_dashboard=False, log_to_driver=False)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        clock = Clock()
        rows = run_snippet(readme_block("ray"), ds=ray.data.from_pandas(read_frames(source))).to_pandas()
        return rows, clock.read()
    finally:
        ray_module.shutdown()


def dask(source: Path, cores: int, batch_rows: int) -> tuple[Any, dict[str, float]]:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=cores, threads_per_worker=1, processes=True, memory_limit=MEMORY, dashboard_address=None
    ) as cluster, Client(cluster):
        frames = read_frames(source)
        clock = Clock()
        ddf = dd.from_pandas(pd.concat(frames, ignore_index=True), npartitions=len(frames))
        rows = run_snippet(readme_block("dask"), ddf=ddf).compute()
        return rows, clock.read()


def datatrove(source: Path, cores: int, batch_rows: int) -> tuple[None, dict[str, float]]:
    """The README's pipeline with ``workers=cores``, run from the folder holding ``crawl/``."""
    snippet, found = re.subn(r"\bworkers=\d+", f"workers={cores}", readme_block("datatrove"))
    if found != 1 or source.name != "crawl":
        raise ValueError("the datatrove snippet reads crawl/ with one workers= setting")
    os.chdir(source.parent)
    clock = Clock()
    run_snippet(snippet)
    return None, clock.read()


ENGINES = {"spark": spark, "ray": ray, "dask": dask, "datatrove": datatrove}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("source", type=Path, help="folder of JSONL files")
    parser.add_argument("output", help="pickled pandas frame of the scored rows ('-' for none)")
    parser.add_argument("--cores", type=int, default=2, help="worker processes (default: 2)")
    parser.add_argument("--batch-rows", type=int, default=SPARK_BATCH_ROWS, help="Spark rows per Arrow batch")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows, timing = ENGINES[args.engine](args.source.resolve(), args.cores, args.batch_rows)
    if rows is not None and args.output != "-":
        rows.to_pickle(args.output)
    print(json.dumps({"engine": args.engine, "cores": args.cores, "seconds": time.perf_counter() - started, **timing}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
