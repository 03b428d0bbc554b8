"""Throughput, load time and memory of mtdetect, beside datatrove's FineWeb quality filter.

Run as ``python -m qa.bench`` (``make bench``). Steps:

1. **input**: a reproducible corpus of news-style documents written by
   :func:`make_documents` (templates and word lists in this file, a fixed
   seed; about a third of the paragraphs carry machine-translation damage),
   saved as JSONL under ``build/bench/``;
2. **batched**: paragraphs per second of one ``score_paragraphs`` call over
   every paragraph, in this process; then the core and the document path side
   by side (:mod:`qa.speed`: ``score_paragraphs`` against ``score_documents``,
   best of three in fresh processes), with ``--compare REV`` beside the same
   figures of another commit, the two alternating;
3. **filter**: ``mtdetect filter`` end to end (process start, model load,
   reading, scoring, writing) with ``-p 1`` and ``-p 2``, alternating, best of
   three each, and the peak resident memory of each;
4. **memory is flat**: peak memory of ``mtdetect filter -p 1`` on the input and
   on a quarter of it (``--big`` also runs a generated 1 GB input);
5. **load**: import time and model load time in a fresh process;
6. **capacity**: the README's datatrove pipeline and Spark snippet on 1 and
   2 worker processes beside ``filter -p 1`` and ``-p 2``, and the core-hours
   for a billion paragraphs (:mod:`qa.capacity`);
7. **reference**: datatrove's ``FineWebQualityFilter`` over the same
   paragraphs (each as a document), in this process.

Figures go to standard output and ``build/bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from .capacity import Run as CapacityRun
from .capacity import measure as measure_capacity
from .capacity import table as capacity_table
from .speed import ROOT as CHECKOUT
from .speed import checkout_of
from .speed import compare as compare_speed
from .speed import table as speed_table

OUT_DIR = Path("build/bench")
SEED = 20240611
DOCUMENTS = 24_000
"""Documents in the main input (about 100,000 paragraphs)."""
FILTER_REPEATS = 3
"""Runs of ``filter -p 1`` and ``-p 2`` each, alternating; the fastest counts (a shared machine
slows some runs, never speeds one up)."""
REFERENCE_PARAGRAPHS = 12_000
"""Paragraphs given to the datatrove reference (it runs about 1,000 a second)."""
BIG_BYTES = 1 << 30

# -- a corpus of our own making ------------------------------------------------------------------

SUBJECTS = (
    "The city council", "The regional government", "The prime minister", "Officials in the capital",
    "The company's chief executive", "Researchers at the university", "The central bank", "Local residents",
    "The health ministry", "Opposition lawmakers", "The football club", "Police in the northern province",
    "The court", "Farmers in the valley", "The airline", "Teachers' unions", "The energy regulator",
    "A spokeswoman for the agency", "The mayor", "Several aid groups", "The defence minister", "Investors",
)
VERBS = (
    "approved", "rejected", "announced", "criticised", "postponed", "welcomed", "proposed", "defended",
    "questioned", "expanded", "suspended", "reviewed", "signed", "funded", "opposed", "launched",
)
OBJECTS = (
    "a plan to rebuild the old harbour", "the budget for next year", "new rules on short-term rentals",
    "a deal with two neighbouring countries", "the decision to close three rural hospitals",
    "a proposal to raise the minimum wage", "the merger of the two largest lenders",
    "a programme to train nurses", "the sale of the state telecoms operator", "a tax on sugary drinks",
    "the construction of a high-speed rail line", "an inquiry into the flooding", "the new school curriculum",
    "plans for a wind farm off the coast", "a ban on mobile phones in classrooms", "the pension reform",
)
TIMES = (
    "on Tuesday", "last week", "in March 2022", "earlier this month", "on Friday evening", "after months of talks",
    "late on Sunday", "in a statement on Monday", "this year", "for the third time in a decade",
)
REASONS = (
    "citing rising costs", "after a long debate", "despite strong protests", "under pressure from voters",
    "to reduce waiting times", "as prices kept climbing", "following a court ruling", "amid a wave of strikes",
)
FIGURES = (
    "8%", "$75 million", "1.2 billion euros", "about 4,000 people", "nearly half of the households", "12 of the 40 seats",
    "more than 600 jobs", "two thirds of the members", "a record 3.4%", "around 250 kilometres",
)
QUOTES = (
    "We will not stop now", "This is a good day for the region", "Nobody here wanted this outcome",
    "The numbers simply do not add up", "We have listened to people and we have acted", "It's too early to say",
    "They don't understand what is at stake", "We expect the first results next spring",
)
SPEAKERS = ("the minister said", "she told reporters", "he added", "a spokesman said", "the mayor told local radio")
TEMPLATES = (
    "{S} {V} {O} {T}, {R}.",
    "{S} {V} {O} {T}.",
    "The measure affects {F}, according to figures published {T}.",
    "\u201c{Q},\u201d {SP}.",
    "Critics say the change could cost {F} over the next five years.",
    "{S}, which {V} {O} {T}, said it would publish its findings by the end of the year.",
    "Under the plan, {F} would be moved to the new site, {R}.",
    "{S} has not yet said whether it will appeal.",
    "In a separate development, {S2} {V} {O}.",
    "Turnout was {F}, the highest since the records began.",
)


def _sentence(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES)
    return template.format(
        S=rng.choice(SUBJECTS), S2=rng.choice(SUBJECTS).lower(), V=rng.choice(VERBS), O=rng.choice(OBJECTS),
        T=rng.choice(TIMES), R=rng.choice(REASONS), F=rng.choice(FIGURES), Q=rng.choice(QUOTES),
        SP=rng.choice(SPEAKERS),
    )


DAMAGE = (
    (" don't ", " do n't "), ("n't ", " n't "), (", ", " , "), ("%", " %"), ("$", "$ "), ("high-speed", "high- speed"),
    ("\u201c", ""), ("\u201d", ""), (" the ", " the the "), (" a plan", " a a plan"), (" an inquiry", " a inquiry"),
    (" has ", " have "), (" said ", " Say "), (" of the ", ". of the "), ("March 2022", "March. 2022"),
)


def _damage(text: str, rng: random.Random) -> str:
    """Machine-translation-style damage: two to four edits from :data:`DAMAGE`."""
    for old, new in rng.sample(DAMAGE, rng.randint(2, 4)):
        text = text.replace(old, new, 1)
    return text


def make_paragraph(rng: random.Random) -> str:
    """One news-style paragraph of two to six sentences, damaged a third of the time."""
    text = " ".join(_sentence(rng) for _ in range(rng.randint(2, 6)))
    return _damage(text, rng) if rng.random() < 1 / 3 else text


def make_documents(n: int, seed: int = SEED) -> Iterator[dict[str, object]]:
    """``n`` JSONL records of two to seven paragraphs each, the same for the same seed.

    >>> docs = list(make_documents(2))
    >>> docs == list(make_documents(2)), sorted(docs[0])
    (True, ['id', 'text', 'url'])
    """
    rng = random.Random(seed)
    for i in range(n):
        paragraphs = [make_paragraph(rng) for _ in range(rng.randint(2, 7))]
        yield {"id": f"doc-{i:07d}", "url": f"https://news.example/{i}", "text": "\n\n".join(paragraphs)}


def write_input(path: Path, documents: int, seed: int = SEED) -> list[str]:
    """Write the corpus as JSONL; return its paragraphs."""
    from mtdetect.segment import split_paragraphs

    path.parent.mkdir(parents=True, exist_ok=True)
    paragraphs: list[str] = []
    with open(path, "w", encoding="utf-8") as out:
        for doc in make_documents(documents, seed):
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
            paragraphs.extend(seg.text for seg in split_paragraphs(str(doc["text"])))
    return paragraphs


def write_big(source: Path, target: Path, size: int) -> int:
    """Repeat ``source`` into ``target`` until it holds at least ``size`` bytes; return the records."""
    chunk = source.read_bytes()
    lines = chunk.count(b"\n")
    copies = -(-size // len(chunk))
    with open(target, "wb") as out:
        for _ in range(copies):
            out.write(chunk)
    return copies * lines


# -- measuring ------------------------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """A process and its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    tree: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants, in KiB (shared pages counted in each)."""
    total = 0
    for current in process_tree(pid):
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def run_measured(command: Sequence[str], sample_tree: bool = False) -> dict[str, float]:
    """Run a command; return its wall time, peak RSS (MB, largest single process) and tree peak."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree_peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal tree_peak
        while not stop.is_set():
            tree_peak = max(tree_peak, _tree_rss_kb(proc.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_tree and sys.platform == "linux":
        sampler.start()
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stop.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{stderr}")
    return {"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024, "tree_peak_rss_mb": tree_peak / 1024}


def load_times(model: str | None) -> dict[str, float]:
    """Import time, model load time and time to the first score, in a fresh process."""
    code = (
        "import sys, time; t0 = time.perf_counter(); import mtdetect; t1 = time.perf_counter(); "
        "d = mtdetect.load(sys.argv[1] or None); t2 = time.perf_counter(); d.score_paragraphs(['It works.']); "
        "t3 = time.perf_counter(); print(t1 - t0, t2 - t1, t3 - t2)"
    )
    out = subprocess.run([sys.executable, "-c", code, model or ""], capture_output=True, text=True, check=True).stdout
    imported, loaded, first = (float(x) for x in out.split())
    return {"import_s": imported, "load_s": loaded, "first_score_s": first}


def batched_rate(paragraphs: list[str], model: str | None) -> tuple[float, float, float]:
    """Paragraphs per second (wall clock, CPU time) of one ``score_paragraphs`` call; the share flagged."""
    import mtdetect

    detector = mtdetect.load(model)
    detector.score_paragraphs(paragraphs[:200])  # warm: first-use tables, regex caches
    start, cpu = time.perf_counter(), time.process_time()
    scores = detector.score_paragraphs(paragraphs)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return len(paragraphs) / seconds, len(paragraphs) / cpu, float((scores >= detector.threshold).mean())


def reference_rate(paragraphs: list[str]) -> tuple[float, float] | str:
    """Paragraphs per second of datatrove's FineWebQualityFilter, each paragraph one document."""
    try:
        from datatrove.data import Document
        from datatrove.pipeline.filters import FineWebQualityFilter

        reference = FineWebQualityFilter()
        reference.filter(Document(text="A warm-up line of text.\nAnother one.", id="warm"))
    except Exception as exc:  # not installed, or its tokenizer is missing
        return f"skipped: {type(exc).__name__}: {exc}"
    docs = [Document(text=p, id=str(i)) for i, p in enumerate(paragraphs)]
    start = time.perf_counter()
    kept = sum(1 for doc in docs if reference.filter(doc) is True)
    seconds = time.perf_counter() - start
    return len(docs) / seconds, kept / len(docs)


def filter_command(source: Path, target: Path, processes: int, model: str | None) -> list[str]:
    command = [sys.executable, "-m", "mtdetect", "filter", str(source), "-o", str(target), "-p", str(processes)]
    return command + (["--model", model] if model else [])


# -- the report ----------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS, help="documents in the main input")
    parser.add_argument("--big", action="store_true", help="also run -p 1 on a generated 1 GB input (several minutes)")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--model", default=None, help="model to measure (default: the bundled one)")
    parser.add_argument("--compare", metavar="REV", default=None,
                        help="also measure the core and the document path of this commit (e.g. main), alternating")
    args = parser.parse_args(argv)
    results: dict[str, object] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                                  "load_average_before": os.getloadavg()[0]}

    def show(label: str, value: str) -> None:
        print(f"{label:<44} {value}", flush=True)

    source = args.out / "input.jsonl"
    quarter = args.out / "input-quarter.jsonl"
    import mtdetect.segment  # noqa: F401  (imported before the clock starts)

    started = time.perf_counter()
    paragraphs = write_input(source, args.documents)
    seconds = time.perf_counter() - started
    write_input(quarter, args.documents // 4, seed=SEED + 1)
    lengths = [len(p) for p in paragraphs]
    results.update(documents=args.documents, paragraphs=len(paragraphs), input_mb=source.stat().st_size / 1e6,
                   median_paragraph_chars=statistics.median(lengths),
                   median_paragraph_words=statistics.median(len(p.split()) for p in paragraphs))
    show("input", f"{args.documents:,} documents, {len(paragraphs):,} paragraphs, "
         f"{results['input_mb']:.1f} MB ({seconds:.1f} s to write)")
    show("median paragraph", f"{results['median_paragraph_chars']:.0f} characters, "
         f"{results['median_paragraph_words']:.0f} words")

    load = load_times(args.model)
    results["load"] = load
    show("import mtdetect", f"{load['import_s']:.2f} s")
    show("model load (mtdetect.load)", f"{load['load_s']:.2f} s (+{load['first_score_s']:.2f} s to the first score)")

    rate, cpu_rate, garbled = batched_rate(paragraphs, args.model)
    results.update(batched_paragraphs_per_s=rate, batched_paragraphs_per_cpu_s=cpu_rate, share_flagged=garbled)
    show("one batched call, one process", f"{rate:,.0f} paragraphs/s ({cpu_rate:,.0f} per CPU-second; "
         f"{garbled:.0%} flagged)")

    versions = [("this checkout", CHECKOUT)]
    if args.compare:
        versions.insert(0, (args.compare, checkout_of(args.compare, args.out)))
    speed = compare_speed(source.resolve(), versions)
    results["speed"] = {name: {**vars(r), "document_share": r.document_share} for name, r in speed.items()}
    show("core and document path (qa.speed)", "best of 3, each version with its bundled model"
         + ("; --model is not used here" if args.model else ""))
    print(speed_table(speed), flush=True)

    runs: dict[int, dict[str, float]] = {}
    for _ in range(FILTER_REPEATS):  # -p 1 and -p 2 alternate, so both see the same machine
        for processes in (1, 2):
            target = args.out / f"output-p{processes}.jsonl"
            run = run_measured(filter_command(source, target, processes, args.model), sample_tree=processes > 1)
            target.unlink()
            if processes not in runs or run["seconds"] < runs[processes]["seconds"]:
                runs[processes] = run
    for processes, r in runs.items():
        r["paragraphs_per_s"] = len(paragraphs) / r["seconds"]
        show(f"mtdetect filter -p {processes}, end to end (best of {FILTER_REPEATS})",
             f"{r['paragraphs_per_s']:,.0f} paragraphs/s ({r['seconds']:.1f} s, {r['cpu_seconds']:.1f} CPU-s), "
             f"peak RSS {r['peak_rss_mb']:.0f} MB"
             + (f" per process, {r['tree_peak_rss_mb']:.0f} MB all processes" if processes > 1 else ""))
    speedup = runs[2]["paragraphs_per_s"] / runs[1]["paragraphs_per_s"]
    results["filter"] = {f"p{k}": v for k, v in runs.items()}
    results["filter_speedup_p2"] = speedup
    show("  -p 2 / -p 1", f"{speedup:.2f}x")

    small = run_measured(filter_command(quarter, args.out / "output-quarter.jsonl", 1, args.model))
    (args.out / "output-quarter.jsonl").unlink()
    results["rss_flat"] = {"quarter_input_mb": quarter.stat().st_size / 1e6, "quarter_peak_rss_mb": small["peak_rss_mb"],
                           "full_input_mb": results["input_mb"], "full_peak_rss_mb": runs[1]["peak_rss_mb"]}
    show("peak RSS, -p 1, by input size",
         f"{small['peak_rss_mb']:.0f} MB on {quarter.stat().st_size / 1e6:.0f} MB, "
         f"{runs[1]['peak_rss_mb']:.0f} MB on {results['input_mb']:.0f} MB")
    if args.big:
        big = args.out / "input-1gb.jsonl"
        records = write_big(source, big, BIG_BYTES)
        try:
            r = run_measured(filter_command(big, args.out / "output-1gb.jsonl", 1, args.model))
        finally:
            big.unlink()
            (args.out / "output-1gb.jsonl").unlink(missing_ok=True)
        results["big"] = {**r, "input_bytes": BIG_BYTES, "records": records}
        show("  on a 1 GB input", f"{r['peak_rss_mb']:.0f} MB peak RSS, {r['seconds']:.0f} s")

    capacity = measure_capacity(source, args.out / "capacity", len(paragraphs),
                                {k: CapacityRun(v["seconds"], v["cpu_seconds"]) for k, v in runs.items()})
    results["capacity"] = [{"path": r.path, "one": vars(r.one), "two": vars(r.two),
                            "paragraphs_per_cpu_s": r.per_cpu_second,
                            "core_hours_per_billion": r.core_hours_per_billion} for r in capacity]
    show("capacity (the README's table)", "1 and 2 worker processes"
         + ("; datatrove and Spark score with the bundled model, not --model" if args.model else ""))
    print(capacity_table(capacity, results["median_paragraph_chars"], results["median_paragraph_words"]), flush=True)

    reference = reference_rate(paragraphs[:REFERENCE_PARAGRAPHS])
    if isinstance(reference, str):
        results["reference"] = reference
        show("datatrove FineWebQualityFilter", reference)
    else:
        ref_rate, ref_kept = reference
        results["reference"] = {"name": "datatrove FineWebQualityFilter", "paragraphs": min(len(paragraphs), REFERENCE_PARAGRAPHS),
                                "paragraphs_per_s": ref_rate, "kept": ref_kept,
                                "ratio_batched": rate / ref_rate, "ratio_filter_p1": runs[1]["paragraphs_per_s"] / ref_rate}
        show("datatrove FineWebQualityFilter, same paragraphs", f"{ref_rate:,.0f} paragraphs/s")
        show("  mtdetect / reference", f"{rate / ref_rate:.1f}x batched, "
             f"{runs[1]['paragraphs_per_s'] / ref_rate:.1f}x filter -p 1 end to end")
    results["load_average_after"] = os.getloadavg()[0]
    show("machine", f"{os.cpu_count()} CPUs, load average {results['load_average_before']:.1f} before, "
         f"{results['load_average_after']:.1f} after (other work on the machine slows every figure)")
    results["bench_seconds"] = time.perf_counter() - started
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    show("total bench time", f"{results['bench_seconds']:.0f} s (figures in {args.out / 'results.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
