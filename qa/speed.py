"""The core and the document path side by side, for this checkout and, if asked, another commit.

Two rates, in paragraphs per second, over the same paragraphs:

- **core**: :meth:`mtdetect.Detector.score_paragraphs` over every paragraph of
  the input (features and the model, nothing else);
- **document path**: :meth:`mtdetect.Detector.score_documents` over the same
  documents, :data:`DOCUMENTS_PER_CALL` at a time: splitting, the language
  check and the results every output is built from, as ``score``,
  ``filter``, ``report`` and the engine adapters call it.

Each rate is the best of :data:`REPEATS` runs, as CPU time (what a cluster
bills; a neighbour's work hardly moves it) and as wall-clock time. With
``--compare REV`` the same measurement runs on that commit too (checked out
with ``git worktree`` under ``build/bench/``), the two versions alternating
run by run in fresh processes, so both see the same machine; ``make bench
COMPARE=REV`` prints the ratios.

Run as ``python -m qa.speed INPUT.jsonl [--compare REV]`` (:mod:`qa.bench` calls it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPEATS = 3
"""Runs of each measurement; the best counts (the others lost time to something else)."""
DOCUMENTS_PER_CALL = 256
"""Documents per ``score_documents`` call: about a scoring loop's batch of paragraphs."""
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Rates:
    """Paragraphs per second of the core and of the document path, by CPU and wall-clock time."""

    paragraphs: int
    core_cpu: float
    core_wall: float
    documents_cpu: float
    documents_wall: float

    @property
    def document_share(self) -> float:
        """The document path's speed as a share of the core's (CPU time)."""
        return self.documents_cpu / self.core_cpu

    def best(self, other: Rates) -> Rates:
        """The faster of two runs of the same measurement, rate by rate."""
        return Rates(self.paragraphs, max(self.core_cpu, other.core_cpu), max(self.core_wall, other.core_wall),
                     max(self.documents_cpu, other.documents_cpu), max(self.documents_wall, other.documents_wall))


def measure_here(source: Path) -> Rates:
    """One run of both measurements in this process, with the mtdetect this process imports."""
    import mtdetect
    from mtdetect.segment import split_paragraphs

    with open(source, encoding="utf-8") as handle:
        documents = [json.loads(line)["text"] for line in handle]
    paragraphs = [segment.text for text in documents for segment in split_paragraphs(text)]
    detector = mtdetect.load()
    detector.score_documents(documents[:DOCUMENTS_PER_CALL])  # warm: tables, regex caches, vocabulary

    def timed(work: object) -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        work()  # type: ignore[operator]
        return len(paragraphs) / (time.process_time() - cpu), len(paragraphs) / (time.perf_counter() - wall)

    core_cpu, core_wall = timed(lambda: detector.score_paragraphs(paragraphs))
    calls = [documents[i : i + DOCUMENTS_PER_CALL] for i in range(0, len(documents), DOCUMENTS_PER_CALL)]
    documents_cpu, documents_wall = timed(lambda: [detector.score_documents(call) for call in calls])
    return Rates(len(paragraphs), core_cpu, core_wall, documents_cpu, documents_wall)


def measure_in(checkout: Path, source: Path) -> Rates:
    """One run of :func:`measure_here` in a fresh process that imports mtdetect from ``checkout``.

    This file runs as a script from its own folder, so ``checkout`` (first on the path) supplies
    mtdetect and its bundled model, while the measurement is the same code for both versions.
    """
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop("MTDETECT_MODEL", None)  # each version scores with the model it ships
    out = subprocess.run([sys.executable, __file__, "--one", str(source)], env=env, cwd=checkout,
                         capture_output=True, text=True, check=True).stdout
    return Rates(**json.loads(out.splitlines()[-1]))


def checkout_of(rev: str, out_dir: Path) -> Path:
    """A checkout of commit ``rev`` under ``out_dir`` (a detached git worktree, made once)."""
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=ROOT, check=False,
                           capture_output=True, text=True)
    if found.returncode != 0:
        raise SystemExit(f"qa.speed: {rev!r} names no commit of this repository (try a branch, a tag or a hash)")
    commit = found.stdout.strip()
    path = (out_dir / f"compare-{commit[:12]}").resolve()
    if not (path / "mtdetect" / "__init__.py").exists():
        added = subprocess.run(["git", "worktree", "add", "--detach", "--force", str(path), commit], cwd=ROOT,
                               capture_output=True, text=True, check=False)
        if added.returncode != 0:
            raise SystemExit(f"qa.speed: could not check out {rev} under {out_dir}: {added.stderr.strip()}")
    return path


def compare(source: Path, versions: Sequence[tuple[str, Path]], repeats: int = REPEATS) -> dict[str, Rates]:
    """Best-of-``repeats`` rates of each version, the versions alternating run by run."""
    best: dict[str, Rates] = {}
    for _ in range(repeats):
        for name, checkout in versions:
            rates = measure_in(checkout, source)
            best[name] = rates if name not in best else best[name].best(rates)
    return best


def table(best: dict[str, Rates]) -> str:
    """The rates as lines of text, with the ratios to the first version when there are two."""
    lines = [f"{'':<24} {'core':>10} {'documents':>10} {'documents / core':>17}   (paragraphs per CPU-second; wall clock)"]
    for name, r in best.items():
        lines.append(f"{name:<24} {r.core_cpu:>10,.0f} {r.documents_cpu:>10,.0f} {r.document_share:>17.2f}   "
                     f"({r.core_wall:,.0f} and {r.documents_wall:,.0f} by the wall clock)")
    if len(best) == 2:
        (_, old), (_, new) = best.items()
        lines.append(f"{'ratio (this / other)':<24} {new.core_cpu / old.core_cpu:>9.2f}x {new.documents_cpu / old.documents_cpu:>9.2f}x"
                     f"{'':>18}   ({new.core_wall / old.core_wall:.2f}x and {new.documents_wall / old.documents_wall:.2f}x by the wall clock)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", type=Path, help="JSONL documents with a 'text' field (qa.bench writes one)")
    parser.add_argument("--compare", metavar="REV", help="also measure this commit, alternating with this checkout")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # one run, JSON out: measure_in
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(vars(measure_here(args.input))))
        return 0
    versions = [("this checkout", ROOT)]
    if args.compare:
        versions.insert(0, (f"{args.compare}", checkout_of(args.compare, args.out)))
    best = compare(args.input.resolve(), versions, args.repeats)
    print(table(best), flush=True)
    (args.out / "speed.json").write_text(json.dumps({name: vars(r) for name, r in best.items()}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
