"""Run one README engine snippet on a local cluster, in a process of its own.

``python tests/engine_jobs.py ENGINE SNIPPET INPUT OUTPUT`` starts the engine
small (Spark ``local[2]``, a local Ray instance with 2 CPUs, a Dask
``LocalCluster`` of 2 worker processes), builds the snippet's input from the
JSONL files in INPUT, executes the snippet as written, writes the ``scored``
rows to OUTPUT as a pickled pandas frame and stops everything it started. The tests in
``test_engines.py`` check the output; running each engine in its own process
means a JVM or a Ray node cannot outlive its test.

Input: Spark reads INPUT with ``spark.read.json`` (lines that are not JSON
become rows with a null text and the raw line in ``_corrupt_record``); Ray and
Dask get pandas frames of the records as parsed (one partition per file),
with whatever values the text field holds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SPARK_BATCH_ROWS = 100
"""Rows per Arrow batch in Spark, so each task scores several batches."""
MEMORY = "1g"


def read_frames(folder: Path) -> list[Any]:
    """One pandas frame per JSONL file, the text column as parsed (str, None, numbers, lists)."""
    import pandas as pd

    frames = []
    for path in sorted(folder.glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        frame = pd.DataFrame({"id": [r["id"] for r in records], "text": pd.Series([r.get("text") for r in records], dtype=object)})
        frames.append(frame)
    return frames


def run_snippet(snippet: str, **names: Any) -> Any:
    """Execute a README snippet with ``names`` defined; return what it left in ``scored``."""
    namespace: dict[str, Any] = {"__name__": "__main__", **names}
    exec(compile(snippet, "README.md", "exec"), namespace)
    return namespace["scored"]


def spark(snippet: str, source: Path) -> Any:
    import os

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers' Python: this one, with mtdetect
    session = (
        SparkSession.builder.master("local[2]")
        .appName("mtdetect-test")
        .config("spark.driver.memory", MEMORY)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(SPARK_BATCH_ROWS))
        .getOrCreate()
    )
    try:
        session.sparkContext.setLogLevel("ERROR")
        df = session.read.json(str(source))
        scored = run_snippet(snippet, df=df)
        rows = scored.toPandas()
        rows.attrs["null_scores"] = scored.where("mtdetect IS NULL").count()  # the README's count
        return rows
    finally:
        session.stop()


def ray(snippet: str, source: Path) -> Any:
    import ray as ray_module
    import ray.data

    ray_module.init(num_cpus=2, object_store_memory=200 * 1024**2, include_dashboard=False, log_to_driver=False)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        ds = ray.data.from_pandas(read_frames(source))
        return run_snippet(snippet, ds=ds).to_pandas()
    finally:
        ray_module.shutdown()


def dask(snippet: str, source: Path) -> Any:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit=MEMORY, dashboard_address=None
    ) as cluster, Client(cluster):
        frames = read_frames(source)
        ddf = dd.from_pandas(pd.concat(frames, ignore_index=True), npartitions=len(frames))
        return run_snippet(snippet, ddf=ddf).compute()


def datatrove(snippet: str, source: Path) -> None:
    """The snippet reads ``crawl/`` and writes beside it: run it from the input's parent folder."""
    import os

    os.chdir(source.parent)
    run_snippet(snippet + "\nscored = None\n")


ENGINES = {"spark": spark, "ray": ray, "dask": dask}


def main(argv: list[str]) -> int:
    engine, snippet_path, source, output = argv
    snippet = Path(snippet_path).read_text(encoding="utf-8")
    if engine == "datatrove":
        datatrove(snippet, Path(source))
        return 0
    ENGINES[engine](snippet, Path(source)).to_pickle(output)  # pickled: float64 scores stay exact
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
