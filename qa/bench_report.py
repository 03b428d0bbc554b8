"""Memory and time of ``mtdetect report`` over a million short records.

Run as ``python -m qa.bench_report`` (part of ``make bench``). Steps:

1. **input**: 1,000,000 short JSONL records (one or two sentences each, from
   the templates of :mod:`qa.bench`, a third with machine-translation
   damage, spread over 200 ``site`` values), and the first tenth of them;
2. **raw**: ``mtdetect report --group-by site`` on each, scoring on the way;
3. **annotated**: ``mtdetect filter`` writes the annotations, then the report
   reads them (nothing rescored);
4. peak resident memory and wall time of every report run, beside the
   budget of :data:`BUDGET_MB`; a report whose memory grows with its input
   shows it in the two sizes.

Figures go to standard output and ``build/bench/report.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from .bench import OUT_DIR, SEED, _damage, _sentence, run_measured

RECORDS = 1_000_000
SITES = 200
BUDGET_MB = 200
"""Peak resident memory a report process must stay under, over any number of records (about 100 MB of it
is the interpreter, numpy and the loaded model)."""


def short_records(n: int, seed: int = SEED) -> Iterator[dict[str, object]]:
    """``n`` records of one or two sentences, the same for the same seed.

    >>> records = list(short_records(3))
    >>> records == list(short_records(3)), sorted(records[0])
    (True, ['id', 'site', 'text'])
    """
    rng = random.Random(seed)
    for i in range(n):
        text = " ".join(_sentence(rng) for _ in range(rng.randint(1, 2)))
        if rng.random() < 1 / 3:
            text = _damage(text, rng)
        yield {"id": i, "site": f"site-{rng.randrange(SITES):03d}.example", "text": text}


def write_records(path: Path, n: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for record in short_records(n):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def mtdetect(*args: str) -> list[str]:
    return [sys.executable, "-m", "mtdetect", *args]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sizes = {"tenth": args.records // 10, "full": args.records}
    results: dict[str, object] = {"records": sizes, "budget_mb": BUDGET_MB}

    def show(label: str, value: str) -> None:
        print(f"{label:<44} {value}", flush=True)

    for name, n in sizes.items():
        raw = args.out / f"report-{name}.jsonl"
        scored = args.out / f"report-{name}-scored.jsonl"
        page = args.out / f"report-{name}.html"
        write_records(raw, n)
        show(f"input: {n:,} short records", f"{raw.stat().st_size / 1e6:.0f} MB")
        runs = {}
        runs["raw"] = run_measured(mtdetect("report", str(raw), "--group-by", "site", "-o", str(page)))
        filtered = run_measured(mtdetect("filter", str(raw), "-o", str(scored)))
        runs["annotated"] = run_measured(mtdetect("report", str(scored), "--group-by", "site", "-o", str(page)))
        for kind, r in runs.items():
            what = "scored on the way" if kind == "raw" else "read from filter output"
            show(f"  report, {what}",
                 f"peak RSS {r['peak_rss_mb']:.0f} MB, {r['seconds']:.0f} s, {n / r['seconds']:,.0f} records/s")
        show("  (filter, for the annotations)", f"{filtered['seconds']:.0f} s, peak RSS {filtered['peak_rss_mb']:.0f} MB")
        results[name] = {**runs, "filter": filtered, "page_kb": page.stat().st_size / 1e3}
        for path in (raw, scored):
            path.unlink()
    peak = max(results["full"][kind]["peak_rss_mb"] for kind in ("raw", "annotated"))  # type: ignore[index]
    results["within_budget"] = peak < BUDGET_MB
    show(f"peak RSS over {sizes['full']:,} records", f"{peak:.0f} MB (budget {BUDGET_MB} MB: "
         f"{'within' if peak < BUDGET_MB else 'OVER'})")
    results["bench_seconds"] = time.perf_counter() - started
    (args.out / "report.json").write_text(json.dumps(results, indent=2) + "\n")
    show("total", f"{results['bench_seconds']:.0f} s (figures in {args.out / 'report.json'})")
    return 0 if peak < BUDGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
