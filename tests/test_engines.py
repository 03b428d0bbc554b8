"""Every scale-out path of the README, run for real on 2,000 documents of our own making.

Spark (``local[2]``), Ray Data (a local instance with 2 CPUs), Dask (a
``LocalCluster`` of 2 worker processes), datatrove (``LocalPipelineExecutor``,
8 tasks on 2 workers, with an exclusion writer) and dolma (``dolma tag`` with
both taggers, then ``dolma mix`` on their attributes, from dolma's own
environment) each run the README's snippet as written, read from README.md.

The corpus mixes clean and damaged news documents with empty, blank, null,
numeric, list-valued and missing texts, and, for the engines that parse JSON
themselves, lines that are not JSON. Each test checks that every document
comes back exactly once, that scores equal a single-process
``Detector.score_series`` (or ``score_documents``) on the same texts, that a
missing or non-string text scores NaN (or is dropped with a reason, and
counted), that each worker process read the model once although it scored
many batches, and that nothing the job started is still running afterwards.

Engine jobs run in a child process (``python -m qa.engines``) with a
``sitecustomize`` on its path that logs the audit event mtdetect raises on
each model read, with the process id, from every process of the job.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import mtdetect
from mtdetect import DocumentScore
from mtdetect.annotation import rounded
from mtdetect.integrations.datatrove import ALL_GARBLED, NOT_TEXT, without_segments
from mtdetect.model import LOAD_EVENT
from qa.bench import make_documents
from qa.engines import SNIPPETS, readme_block

ROOT = Path(__file__).resolve().parents[1]
DOLMA_BIN = Path(os.environ.get("MTDETECT_DOLMA_VENV", ROOT / ".venv-dolma")) / "bin"
DOCUMENTS = 2000
SHARDS = 8
JOB_TIMEOUT = 600
ODD_TEXTS: dict[int, Any] = {7: "", 13: None, 19: 42, 23: ["a", "list"], 31: "  \n\n  "}
"""Every 40th document from these offsets gets this text instead of an article."""
MISSING_AT = 29
"""Every 40th document from this offset has no text field at all."""
BROKEN_LINES = ['{"id": "broken-1", "text": "an unterminated string', "not JSON at all", '{"id": "broken-3", "text": }']
SITECUSTOMIZE = f'''
import os, sys

def _log_model_reads(event, args):
    if event == {LOAD_EVENT!r}:
        fd = os.open(os.environ["MTDETECT_TEST_LOAD_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, f"{{os.getpid()}}\\n".encode())
        os.close(fd)

if os.environ.get("MTDETECT_TEST_LOAD_LOG"):
    sys.addaudithook(_log_model_reads)
'''


# -- the README's snippets -----------------------------------------------------------------------

def test_readme_blocks_are_found() -> None:
    for name in SNIPPETS:
        assert len(readme_block(name)) > 40


# -- the corpus ----------------------------------------------------------------------------------

@dataclass
class Corpus:
    records: list[dict[str, Any]]
    texts: dict[str, Any]
    """Each record's text by id (None when the field is missing)."""
    scores: dict[str, float]
    """Single-process ``score_series`` of every record's text (NaN for no string)."""
    documents: dict[str, DocumentScore]
    """Single-process ``score_documents`` of every string text."""

    def ids_with(self, text: Any) -> list[str]:
        return [doc_id for doc_id, t in self.texts.items() if t == text and type(t) is type(text)]


def make_records() -> list[dict[str, Any]]:
    records = []
    for i, doc in enumerate(make_documents(DOCUMENTS, seed=14)):
        if i % 40 in ODD_TEXTS:
            doc["text"] = ODD_TEXTS[i % 40]
        elif i % 40 == MISSING_AT:
            del doc["text"]
        records.append(doc)
    return records


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    records = make_records()
    det = mtdetect.load()
    texts = pd.Series([r.get("text") for r in records], dtype=object)
    scores = det.score_series(texts)
    strings = [r for r in records if isinstance(r.get("text"), str)]
    documents = det.score_documents([r["text"] for r in strings])
    return Corpus(
        records=records,
        texts={r["id"]: r.get("text") for r in records},
        scores=dict(zip((r["id"] for r in records), scores.tolist())),
        documents={r["id"]: d for r, d in zip(strings, documents)},
    )


def write_jsonl(folder: Path, records: list[dict[str, Any]], shards: int = SHARDS, suffix: str = ".jsonl") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for shard in range(shards):
        path = folder / f"part-{shard:04d}{suffix}"
        with (gzip.open(path, "wt", encoding="utf-8") if suffix.endswith(".gz") else open(path, "w", encoding="utf-8")) as out:
            for record in records[shard::shards]:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


def same(a: float | None, b: float | None) -> bool:
    """Equal scores, NaN or None (no score) matching each other."""
    return (pd.isna(a) and pd.isna(b)) or a == b


def single_score(text: Any) -> float:
    """What one process gives a value an engine handed over (a number turned to its digits, say)."""
    return float(mtdetect.load().score_series(pd.Series([text], dtype=object)).iloc[0])


# -- running a job -------------------------------------------------------------------------------

@dataclass
class Job:
    loads: Counter[int]
    """Model reads per process id."""
    driver: int


def run_job(command: list[str], tmp_path: Path, cwd: Path | None = None, path_prefix: Path | None = None) -> Job:
    """Run a job in a child process; return its model reads; check that nothing it started lives on."""
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "model-reads.log"
    marker = uuid.uuid4().hex
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])),
        "MTDETECT_TEST_LOAD_LOG": str(log),
        "MTDETECT_TEST_JOB": marker,
    }
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}{os.pathsep}{env['PATH']}"
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = proc.communicate(timeout=JOB_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, f"{command[:3]} failed ({proc.returncode}):\n{output[-6000:]}"
    assert_nothing_left(marker)
    loads = Counter(int(line) for line in log.read_text().split()) if log.exists() else Counter()
    return Job(loads, proc.pid)


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if f"MTDETECT_TEST_JOB={marker}".encode() in environ:
                found.append(int(entry))
    return found


def assert_nothing_left(marker: str, patience: float = 20.0) -> None:
    """No process of the job (JVM, Ray node, Dask worker, pool worker) outlives it."""
    deadline = time.monotonic() + patience
    while (left := processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.5)
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:200] for pid in left if Path(f"/proc/{pid}").exists()]
    assert not commands, f"processes of the job still running: {commands}"


def assert_read_once_per_process(job: Job, batches: int) -> None:
    workers = {pid: n for pid, n in job.loads.items() if pid != job.driver}
    assert workers, "no worker process read the model"
    assert all(n == 1 for n in job.loads.values()), f"model reads per process: {dict(job.loads)}"
    assert len(workers) < batches, f"{len(workers)} worker processes for {batches} batches: one read per batch?"


# -- Spark, Ray, Dask ----------------------------------------------------------------------------

def check_rows(rows: pd.DataFrame | None, corpus: Corpus) -> None:
    """Each record once; a string text kept and scored as in one process; anything else scored as handed over."""
    assert rows is not None
    rows = rows[rows["id"].notna()]
    assert Counter(rows["id"]) == Counter(r["id"] for r in corpus.records)
    for doc_id, text, score in zip(rows["id"], rows["text"], rows["mtdetect"]):
        original = corpus.texts[doc_id]
        if isinstance(original, str):
            assert text == original
            assert same(score, corpus.scores[doc_id]), doc_id
        elif isinstance(text, str):  # the engine turned the value into a string first
            assert same(score, single_score(text)), (doc_id, text)
        else:
            assert pd.isna(score), (doc_id, text)


def engine_job(engine: str, corpus: Corpus, tmp_path: Path, broken: bool = False) -> tuple[pd.DataFrame | None, Job]:
    """Run the README's snippet for ``engine`` on the corpus in ``tmp_path/crawl/``, 2 cores."""
    source = tmp_path / "crawl"
    write_jsonl(source, corpus.records)
    if broken:
        (source / "part-broken.jsonl").write_text("\n".join(BROKEN_LINES) + "\n")
    output = tmp_path / "scored.pkl"
    job = run_job([sys.executable, "-m", "qa.engines", engine, str(source), str(output)], tmp_path, cwd=ROOT)
    return (pd.read_pickle(output) if output.exists() else None), job


def test_spark_map_in_pandas(corpus: Corpus, tmp_path: Path) -> None:
    rows, job = engine_job("spark", corpus, tmp_path, broken=True)
    check_rows(rows, corpus)
    corrupt = rows[rows["id"].isna()]
    assert sorted(corrupt["_corrupt_record"]) == sorted(BROKEN_LINES)  # each unreadable line once, unscored
    assert corrupt["mtdetect"].isna().all()
    assert rows.attrs["null_scores"] == rows["mtdetect"].isna().sum() > len(BROKEN_LINES)  # NaN became null
    assert_read_once_per_process(job, batches=DOCUMENTS // 100)


def test_ray_map_batches(corpus: Corpus, tmp_path: Path) -> None:
    rows, job = engine_job("ray", corpus, tmp_path)
    check_rows(rows, corpus)
    assert rows is not None  # the README: Ray keeps a number as a number, which scores NaN
    assert rows.set_index("id").loc[corpus.ids_with(42), "mtdetect"].isna().all()
    assert_read_once_per_process(job, batches=SHARDS)


def test_dask_map_partitions(corpus: Corpus, tmp_path: Path) -> None:
    rows, job = engine_job("dask", corpus, tmp_path)
    check_rows(rows, corpus)
    assert rows is not None  # the README: Dask hands a number over as its digits, scored as text
    numbers = rows.set_index("id").loc[corpus.ids_with(42)]
    assert (numbers["text"] == "42").all() and all(same(score, single_score("42")) for score in numbers["mtdetect"])
    assert_read_once_per_process(job, batches=SHARDS)


# -- datatrove -----------------------------------------------------------------------------------

def read_jsonl_gz(folder: Path, pattern: str = "*.jsonl.gz") -> Iterator[dict[str, Any]]:
    """The JSON lines of the gzip files in ``folder`` (dolma mix names its outputs ``*.json.gz``)."""
    for path in sorted(folder.glob(pattern)):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            yield from map(json.loads, handle)


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"no {pattern!r} in the README block"
    return float(match.group(1))


def test_datatrove_local_executor(corpus: Corpus, tmp_path: Path) -> None:
    snippet = readme_block("datatrove")
    threshold = number(r"threshold=([0-9.]+)", snippet)
    tasks, workers = (int(number(rf"{key}=(\d+)", snippet)) for key in ("tasks", "workers"))
    _, job = engine_job("datatrove", corpus, tmp_path, broken=True)

    kept_rows = list(read_jsonl_gz(tmp_path / "crawl-clean"))
    removed_rows = list(read_jsonl_gz(tmp_path / "mtdetect-removed"))
    # datatrove's reader skips empty texts and lines that are not JSON; everything else comes out once.
    read = [r for r in corpus.records if r.get("text") != ""]
    assert Counter(doc["id"] for doc in kept_rows + removed_rows) == Counter(r["id"] for r in read)
    kept = {doc["id"]: doc for doc in kept_rows}
    removed = {doc["id"]: doc for doc in removed_rows}
    verdicts = mtdetect.load()
    for record in read:
        doc_id, text = record["id"], record.get("text")
        out = kept.get(doc_id) or removed[doc_id]
        meta = out["metadata"]
        if not isinstance(text, str):
            assert out["text"] == json.dumps(text) and meta[NOT_TEXT] is True
            assert meta["filter_reason"] == NOT_TEXT and meta["mtdetect"] is None
            continue
        expected = corpus.documents[doc_id]
        assert same(expected.score, corpus.scores[doc_id]) and meta["mtdetect"] == rounded(expected.score)
        assert meta["mtdetect_paragraphs"] == [rounded(p.score) for p in expected.paragraphs]
        garbled = [p.garbled for p in verdicts.score_document(text, threshold=threshold).paragraphs]  # in context too
        assert meta["mtdetect_removed_paragraphs"] == sum(garbled)
        cut = without_segments(text, expected.paragraphs, garbled) if any(garbled) else text
        if cut.strip() or not any(garbled):
            assert kept[doc_id]["text"] == cut
        else:
            assert meta["filter_reason"] == ALL_GARBLED
    assert kept and removed and any(meta_removed(d) for d in kept.values())  # the run exercised every path

    stats = json.loads((tmp_path / "logs" / "mtdetect" / "stats.json").read_text())
    step = next(s for s in stats if "mtdetect" in s["name"])["stats"]
    assert step["total"] == len(read) and step["forwarded"] == len(kept) and step["dropped"] == len(removed)
    assert step[NOT_TEXT] == step["dropped_" + NOT_TEXT] == sum(1 for r in read if not isinstance(r.get("text"), str))
    assert len(job.loads) <= workers < tasks
    assert_read_once_per_process(job, batches=tasks)


def meta_removed(doc: dict[str, Any]) -> int:
    return doc["metadata"].get("mtdetect_removed_paragraphs", 0)


# -- dolma ---------------------------------------------------------------------------------------

def dolma_command(name: str) -> Path:
    command = DOLMA_BIN / name
    assert command.exists(), f"{command} is missing: `make install` builds dolma's environment (.venv-dolma)"
    return command


def test_dolma_tag_and_mix(corpus: Corpus, tmp_path: Path) -> None:
    dolma_command("dolma")
    mix = readme_block("dolma-mix")
    drop_at = number(r">= ([0-9.]+)\)\]", mix)
    cut_at = number(r"min_score: ([0-9.]+)", mix)
    strings = [{**r, "source": "mtdetect-test"} for r in corpus.records if isinstance(r.get("text"), str)]
    files = 4
    write_jsonl(tmp_path / "data" / "documents", strings, shards=files, suffix=".jsonl.gz")
    (tmp_path / "mix.yaml").write_text(mix)
    job = run_job(["bash", "-euc", readme_block("dolma")], tmp_path, cwd=tmp_path, path_prefix=DOLMA_BIN)

    rows = list(read_jsonl_gz(tmp_path / "data" / "attributes" / "mt"))
    assert Counter(row["id"] for row in rows) == Counter(r["id"] for r in strings)
    attributes = {row["id"]: row["attributes"] for row in rows}
    for record in strings:
        spans = attributes[record["id"]]
        expected = corpus.documents[record["id"]]
        document_spans = spans.get("mt__mtdetect_document_v1__document", [])
        assert spans.get("mt__mtdetect_paragraph_v1__document", []) == document_spans
        if expected.score is None:  # no English paragraph (an empty or blank text): no document span
            assert document_spans == [] and pd.isna(corpus.scores[record["id"]])
        else:
            [[start, end, document]] = document_spans
            assert (start, end) == (0, len(record["text"]))
            assert document == pytest.approx(corpus.scores[record["id"]], abs=5e-6)  # dolma keeps 5 decimals
        paragraphs = spans.get("mt__mtdetect_paragraph_v1__paragraph", [])
        assert [(s, e) for s, e, _ in paragraphs] == [(p.start, p.end) for p in expected.paragraphs]
        assert [score for *_, score in paragraphs] == pytest.approx([p.score for p in expected.paragraphs], abs=5e-6)

    mixed_rows = list(read_jsonl_gz(tmp_path / "data" / "mixed", "*.json.gz"))
    kept = [r for r in strings if all(score < drop_at for *_, score in attributes[r["id"]].get("mt__mtdetect_document_v1__document", []))]
    assert 0 < len(kept) < len(strings)
    assert Counter(doc["id"] for doc in mixed_rows) == Counter(r["id"] for r in kept)
    mixed = {doc["id"]: doc["text"] for doc in mixed_rows}
    cuts = 0
    for record in kept:
        text = record["text"]
        for start, end, score in reversed(attributes[record["id"]].get("mt__mtdetect_paragraph_v1__paragraph", [])):
            if score >= cut_at:
                text, cuts = text[:start] + text[end:], cuts + 1
        assert mixed[record["id"]] == text
    assert cuts  # some kept documents lost a garbled paragraph
    assert_read_once_per_process(job, batches=files)


def test_dolma_refuses_a_text_that_is_not_a_string(tmp_path: Path) -> None:
    """The README's warning: dolma stops on a null text before any tagger runs."""
    write_jsonl(tmp_path / "documents", [{"id": "a", "text": "Fine.", "source": "t"}, {"id": "b", "text": None, "source": "t"}], shards=1, suffix=".jsonl.gz")
    result = subprocess.run(
        [str(dolma_command("dolma")), "tag", "--documents", "documents/*.jsonl.gz", "--experiment", "mt",
         "--taggers", "mtdetect_document_v1", "--tagger_modules", "mtdetect.integrations.dolma", "--processes", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=JOB_TIMEOUT,
    )
    assert result.returncode != 0 and "ValidationError" in result.stderr
