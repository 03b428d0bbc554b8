"""Real machine-translation training pairs from Apertium round trips.

Clean English paragraphs are translated into a pivot language and back with
Apertium, a rule-based MT engine packaged in Debian, which gives aligned
(original, machine-translated) pairs that carry the statistical signature of
real MT output (simpler, more predictable wording, literal word order,
untranslated words) rather than only hand-made damage.

Contents, in pipeline order:

=========================  ===================================================
``PIVOTS``                 pivot language -> (out-of-English mode, back mode)
``DEBIAN_PACKAGES``        the Debian packages that provide those modes
``check_apertium``         fail early, in one line, when a mode is missing
``mark_batch``             join paragraphs with boundary markers
``split_marked``           split translated text on the markers (or ``None``)
``translate_batch``        one Apertium round trip per batch, bisecting on
                           any batch whose markers do not come back intact
``clean_output``           whitespace and leftover-mark clean-up
``verify_pair``            length-ratio and lexical-overlap checks
``roundtrip``              the public one-call API: paragraphs -> round trips
``load_inputs``            clean corpora + seed originals as records
``cache_key``              hash of inputs, pivots, settings, Apertium versions
``build_pairs``            cached JSONL of pairs, written atomically
``main``                   ``python -m training.roundtrip``
=========================  ===================================================

How paragraph boundaries survive: each paragraph is collapsed onto one line and
followed by a blank line, a marker line ``||| <index> |||`` and another blank
line. Apertium's plain-text format passes such a line through unchanged (in
all four pivots, over thousands of paragraphs), and the markers are split off
again after the round trip. A batch whose marker sequence does not come back as
exactly ``0, 1, ..., n-1`` is bisected and retried, down to one paragraph per
call (which needs no marker at all).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from mtdetect.atomic import atomic_writer

# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------

#: pivot code -> (English-to-pivot Apertium mode, pivot-to-English mode)
PIVOTS: dict[str, tuple[str, str]] = {
    "spa": ("eng-spa", "spa-eng"),
    "glg": ("en-gl", "gl-en"),
    "cat": ("eng-cat", "cat-eng"),
    "epo": ("en-eo", "eo-en"),
}

#: Debian packages that provide the engine and the modes in ``PIVOTS``.
DEBIAN_PACKAGES: tuple[str, ...] = (
    "apertium",
    "apertium-eng-spa",
    "apertium-en-gl",
    "apertium-eng-cat",
    "apertium-eo-en",
)

#: Engine components whose versions also change the output (cache key only).
_TOOL_PACKAGES: tuple[str, ...] = (
    "lttoolbox",
    "apertium-lex-tools",
    "apertium-separable",
    "apertium-anaphora",
    "cg3",
)

#: Paragraphs per Apertium call: large enough to amortise start-up
#: (about 0.3 s per leg), small enough to balance work across processes.
DEFAULT_BATCH_SIZE = 250

#: Corpus paragraphs kept for translation, in whitespace-separated words.
MIN_WORDS = 12
MAX_WORDS = 250

#: Accepted range of len(garbled) / len(original), in words.
MIN_LENGTH_RATIO = 0.6
MAX_LENGTH_RATIO = 1.6

#: Minimum share of the original's content-word types found in the round trip.
#: Measured on 936 paragraphs of >= 12 words, four pivots: aligned pairs have
#: median 0.50-0.58 and 1st percentile 0.30-0.40; randomly misaligned pairs
#: have 99th percentile 0.14-0.16.
MIN_CONTENT_OVERLAP = 0.3

#: Bumped whenever the pairs written would change for the same inputs.
FORMAT_VERSION = "roundtrip-1"

#: Clean-corpus file-name prefix -> "source" label written with each pair.
CORPUS_SOURCES: dict[str, str] = {
    "gum": "gum",
    "state-union": "sotu",
}

#: Seed files whose paragraphs are clean originals (001 is a garbled repost).
SEED_GLOBS: tuple[str, ...] = ("004_*.txt", "000_*.txt")

MISSING_APERTIUM = (
    "apertium is not installed (or not on PATH): run `make system-deps` "
    "(Debian packages: {packages})"
)
MISSING_MODE = (
    "Apertium mode(s) {modes} not installed: run `make system-deps` "
    "(Debian packages: {packages})"
)


class ApertiumMissing(RuntimeError):
    """Apertium or one of the translation modes it needs is not installed."""


# --------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------

MARKER_FORMAT = "||| {} |||"

MARKER_LINE = re.compile(
    r"""
    ^ [ \t]*                # the marker sits alone on its line
    \|\|\| [ ]              # opening bars
    (?P<index> \d+ )        # batch-local paragraph index
    [ ] \|\|\|              # closing bars
    [ \t]* $
    """,
    re.VERBOSE | re.MULTILINE,
)

LEFTOVER_MARK = re.compile(
    r"""
    (?<! \S )               # at the start of a token
    (?P<mark> [*\#@] )      # * unknown word, # generation error, @ no bilingual entry
    (?P<word> \w [\w'-]* )  # the marked word itself
    """,
    re.VERBOSE,
)

CONTENT_WORD = re.compile(
    r"""
    [^\W\d_]+               # a run of letters
    (?: ' [^\W\d_]+ )?      # with an optional clitic: don't, Putin's
    """,
    re.VERBOSE,
)

BLANK_LINES = re.compile(
    r"""
    \n [ \t\r\f\v]* \n      # a line break, an empty (or blank) line, a line break
    \s*                     # and any further blank lines
    """,
    re.VERBOSE,
)


# --------------------------------------------------------------------------
# Apertium
# --------------------------------------------------------------------------


def _packages_hint() -> str:
    return " ".join(DEBIAN_PACKAGES)


def _apertium_env() -> dict[str, str]:
    """Environment for Apertium: a UTF-8 locale so non-ASCII text survives."""
    return {**os.environ, "LC_ALL": "C.UTF-8"}


def installed_modes() -> set[str]:
    """The translation directions ``apertium -l`` lists.

    Raises ApertiumMissing (one line) when ``apertium`` is not on PATH.
    """
    exe = shutil.which("apertium")
    if exe is None:
        raise ApertiumMissing(MISSING_APERTIUM.format(packages=_packages_hint()))
    listing = subprocess.run(
        [exe, "-l"], capture_output=True, text=True, env=_apertium_env(), check=False
    ).stdout
    return {line.strip() for line in listing.splitlines() if line.strip()}


def check_apertium(modes: Iterable[str]) -> None:
    """Raise ApertiumMissing with a one-line fix unless every mode is installed."""
    wanted = list(dict.fromkeys(modes))
    available = installed_modes()
    missing = [mode for mode in wanted if mode not in available]
    if missing:
        raise ApertiumMissing(
            MISSING_MODE.format(modes=", ".join(missing), packages=_packages_hint())
        )


def pivot_modes(pivot: str) -> tuple[str, str]:
    """The (out, back) Apertium modes of a pivot.

    >>> pivot_modes("spa")
    ('eng-spa', 'spa-eng')
    """
    try:
        return PIVOTS[pivot]
    except KeyError:
        known = ", ".join(PIVOTS)
        raise ValueError(f"unknown pivot {pivot!r}; choose from {known}") from None


def _apertium(mode: str, text: str) -> str:
    """Translate plain text with one Apertium mode, without unknown-word marks."""
    result = subprocess.run(
        ["apertium", "-u", "-f", "txt", mode],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_apertium_env(),
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"apertium {mode} failed: {message[0]}")
    return result.stdout


def _round_trip_text(modes: tuple[str, str], text: str) -> str:
    out_mode, back_mode = modes
    return _apertium(back_mode, _apertium(out_mode, text))


# --------------------------------------------------------------------------
# Boundaries
# --------------------------------------------------------------------------


def normalize_space(text: str) -> str:
    """Collapse every whitespace run (line breaks too) into one space.

    >>> normalize_space("  The  trip\\n of Putin ")
    'The trip of Putin'
    """
    return " ".join(text.split())


def mark_batch(paragraphs: Sequence[str]) -> str:
    """Join paragraphs, one per line, each followed by its marker line.

    >>> print(mark_batch(["One.", "Two  words."]), end="")
    One.
    <BLANKLINE>
    ||| 0 |||
    <BLANKLINE>
    Two words.
    <BLANKLINE>
    ||| 1 |||
    <BLANKLINE>
    """
    return "".join(
        f"{normalize_space(p)}\n\n{MARKER_FORMAT.format(i)}\n\n"
        for i, p in enumerate(paragraphs)
    )


def split_marked(text: str, n: int) -> list[str] | None:
    """Split marked text back into ``n`` paragraphs, or None if markers broke.

    The markers must come back as exactly 0, 1, ..., n-1, in order, with
    nothing but whitespace after the last one.

    >>> split_marked(mark_batch(["One.", "Two."]), 2)
    ['One.', 'Two.']
    >>> split_marked("One.\\n\\n||| 1 |||\\n\\nTwo.\\n\\n||| 0 |||\\n", 2) is None
    True
    """
    matches = list(MARKER_LINE.finditer(text))
    if [int(m["index"]) for m in matches] != list(range(n)):
        return None
    if matches and text[matches[-1].end() :].strip():
        return None
    parts, start = [], 0
    for m in matches:
        parts.append(text[start : m.start()].strip())
        start = m.end()
    return parts


def translate_batch(paragraphs: Sequence[str], modes: tuple[str, str]) -> list[str | None]:
    """Round-trip a batch through ``modes`` keeping paragraph alignment exact.

    Raw (uncleaned) outputs, one per input; None where Apertium failed. A
    batch whose markers do not survive is bisected; one paragraph is
    translated alone, without a marker.
    """
    if not paragraphs:
        return []
    if len(paragraphs) == 1:
        try:
            return [_round_trip_text(modes, normalize_space(paragraphs[0]) + "\n").strip()]
        except RuntimeError:
            return [None]
    try:
        parts = split_marked(_round_trip_text(modes, mark_batch(paragraphs)), len(paragraphs))
    except RuntimeError:
        parts = None
    if parts is not None:
        return list(parts)
    half = len(paragraphs) // 2
    return translate_batch(paragraphs[:half], modes) + translate_batch(paragraphs[half:], modes)


# --------------------------------------------------------------------------
# Clean-up and verification
# --------------------------------------------------------------------------


def clean_output(garbled: str, original: str) -> str:
    """Strip whitespace and remove Apertium marks the original did not have.

    Marks are removed only from words where the original has no such marked
    token, so hashtags, handles and e-mail addresses stay as written.

    >>> clean_output("  the *ayuntamiento  said ", "the city council said")
    'the ayuntamiento said'
    >>> clean_output("support #IStandWithAhmed now", "support #IStandWithAhmed")
    'support #IStandWithAhmed now'
    """
    kept = original.casefold()

    def unmark(m: re.Match[str]) -> str:
        return m[0] if m[0].casefold() in kept else m["word"]

    return normalize_space(LEFTOVER_MARK.sub(unmark, garbled))


def content_words(text: str) -> set[str]:
    """Lower-cased content-word types: letters, not a stop word, 2+ letters.

    >>> sorted(content_words("The president said that the economy is strong."))
    ['economy', 'president', 'said', 'strong']
    """
    words = (w.lower() for w in CONTENT_WORD.findall(text))
    return {w for w in words if len(w) > 1 and w not in ENGLISH_STOP_WORDS}


def content_overlap(original: str, garbled: str) -> float:
    """Share of the original's content-word types that the round trip kept.

    >>> content_overlap("The economy is strong.", "The economics is strong.")
    0.5
    """
    source = content_words(original)
    if not source:
        return 1.0
    return len(source & content_words(garbled)) / len(source)


def verify_pair(original: str, garbled: str) -> str:
    """Why a pair is rejected, or "ok": "empty", "identical", "ratio", "overlap".

    >>> verify_pair("Congress must act on the budget before the end of the year.",
    ...             "The congress has to act in the budget before the end of the year.")
    'ok'
    >>> verify_pair("Congress must act on the budget before the end of the year.",
    ...             "We will not stop now, said the minister of the region today.")
    'overlap'
    """
    if not garbled.strip():
        return "empty"
    if normalize_space(garbled) == normalize_space(original):
        return "identical"
    ratio = len(garbled.split()) / max(1, len(original.split()))
    if not MIN_LENGTH_RATIO <= ratio <= MAX_LENGTH_RATIO:
        return "ratio"
    if content_overlap(original, garbled) < MIN_CONTENT_OVERLAP:
        return "overlap"
    return "ok"


def finish_pair(original: str, raw: str | None) -> tuple[str | None, str]:
    """Clean and verify one raw round trip: (garbled or None, reason).

    >>> finish_pair("It is time.", "It is time. ")
    (None, 'identical')
    >>> finish_pair("It is time.", None)
    (None, 'failed')
    """
    if raw is None:
        return None, "failed"
    garbled = clean_output(raw, original)
    reason = verify_pair(original, garbled)
    return (garbled if reason == "ok" else None), reason


# --------------------------------------------------------------------------
# Batched, parallel round trips
# --------------------------------------------------------------------------


def _batches(n: int, size: int) -> Iterator[range]:
    for start in range(0, n, size):
        yield range(start, min(n, start + size))


def run_pivots(
    paragraphs: Sequence[str],
    pivots: Sequence[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    jobs: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> dict[str, list[tuple[str | None, str]]]:
    """Round-trip all paragraphs through every pivot: pivot -> [(garbled, reason)].

    Work is cut into (pivot, batch) tasks run by ``jobs`` concurrent Apertium
    pipelines (default: one per CPU). ``progress`` is called with the number
    of paragraphs finished after each batch.
    """
    modes = {pivot: pivot_modes(pivot) for pivot in pivots}
    check_apertium(mode for pair in modes.values() for mode in pair)
    results: dict[str, list[tuple[str | None, str]]] = {
        pivot: [(None, "failed")] * len(paragraphs) for pivot in pivots
    }
    tasks = [(pivot, batch) for pivot in pivots for batch in _batches(len(paragraphs), batch_size)]
    workers = max(1, jobs or os.cpu_count() or 1)

    def work(pivot: str, batch: range) -> tuple[str, range, list[str | None]]:
        return pivot, batch, translate_batch([paragraphs[i] for i in batch], modes[pivot])

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(work, pivot, batch) for pivot, batch in tasks]
        for future in concurrent.futures.as_completed(futures):
            pivot, batch, raws = future.result()
            for i, raw in zip(batch, raws):
                results[pivot][i] = finish_pair(paragraphs[i], raw)
            if progress is not None:
                progress(len(batch))
    return results


def roundtrip(
    paragraphs: Sequence[str],
    pivot: str,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    jobs: int | None = 1,
) -> list[str | None]:
    """Translate English -> pivot -> English; None where the pair fails checks.

    Output i is the round trip of input i (alignment is exact); None marks a
    failed translation, an output identical to the input (no damage to learn
    from), a length ratio outside [0.6, 1.6] words, or too little content-word
    overlap with the original.
    """
    result = run_pivots(paragraphs, [pivot], batch_size=batch_size, jobs=jobs)
    return [garbled for garbled, _reason in result[pivot]]


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Original:
    """One clean English paragraph to round-trip."""

    text: str
    source: str  # "gum" | "sotu" | "seed"
    doc: str


def _word_count_ok(text: str, *, max_words: int | None = MAX_WORDS) -> bool:
    n = len(text.split())
    return n >= MIN_WORDS and (max_words is None or n <= max_words)


def _corpus_source(path: Path) -> str:
    for prefix, source in CORPUS_SOURCES.items():
        if path.name.startswith(prefix):
            return source
    return path.name.split("-")[0]


def read_clean_corpus(path: Path) -> list[Original]:
    """Paragraphs of one clean JSONL corpus with MIN_WORDS..MAX_WORDS words."""
    source = _corpus_source(path)
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            text = normalize_space(record["text"])
            if _word_count_ok(text):
                out.append(Original(text, source, str(record.get("doc") or record["id"])))
    return out


def split_blank_line_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, whitespace collapsed, empties dropped.

    >>> split_blank_line_paragraphs("One\\nline.\\n\\n \\nTwo.\\n")
    ['One line.', 'Two.']
    """
    return [p for p in (normalize_space(block) for block in BLANK_LINES.split(text)) if p]


def read_seed_originals(seed_dir: Path) -> list[Original]:
    """Paragraphs of the original seed articles with at least MIN_WORDS words."""
    out = []
    for pattern in SEED_GLOBS:
        for path in sorted(seed_dir.glob(pattern)):
            for paragraph in split_blank_line_paragraphs(path.read_text(encoding="utf-8")):
                if _word_count_ok(paragraph, max_words=None):
                    out.append(Original(paragraph, "seed", path.stem))
    return out


def load_inputs(
    data_dir: str | Path = "../shared/data",
    *,
    max_per_corpus: int | None = None,
    seed: int = 0,
) -> list[Original]:
    """Clean corpora and seed originals, deduplicated, optionally subsampled.

    ``max_per_corpus`` keeps a deterministic random sample (by ``seed``) of at
    most that many paragraphs per source, in their original order.
    """
    data = Path(data_dir)
    corpora = sorted((data / "clean").glob("*.jsonl"))
    if not corpora:
        raise FileNotFoundError(f"no clean corpora (*.jsonl) under {data / 'clean'}")
    records = [r for path in corpora for r in read_clean_corpus(path)]
    records += read_seed_originals(data / "seeds")
    seen: set[str] = set()
    unique = []
    for record in records:
        if record.text not in seen:
            seen.add(record.text)
            unique.append(record)
    if max_per_corpus is None:
        return unique
    by_source: dict[str, list[int]] = {}
    for i, record in enumerate(unique):
        by_source.setdefault(record.source, []).append(i)
    rng = random.Random(seed)
    keep: set[int] = set()
    for source in sorted(by_source):
        idx = by_source[source]
        keep.update(idx if len(idx) <= max_per_corpus else rng.sample(idx, max_per_corpus))
    return [record for i, record in enumerate(unique) if i in keep]


# --------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------


def apertium_fingerprint(modes: Iterable[str]) -> dict[str, str]:
    """Versions that determine Apertium's output: Debian packages and mode files."""
    fingerprint: dict[str, str] = {}
    if shutil.which("dpkg-query"):
        listing = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Package}\t${Version}\n", *DEBIAN_PACKAGES, *_TOOL_PACKAGES],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        for line in listing.splitlines():
            name, _, version = line.partition("\t")
            if version:
                fingerprint[f"deb:{name}"] = version
    exe = shutil.which("apertium")
    if exe is not None:
        share = Path(exe).resolve().parent.parent / "share" / "apertium" / "modes"
        for mode in modes:
            mode_file = share / f"{mode}.mode"
            if mode_file.is_file():
                fingerprint[f"mode:{mode}"] = mode_file.read_text(encoding="utf-8").strip()
    return fingerprint


def cache_key(
    originals: Sequence[Original],
    pivots: Sequence[str],
    fingerprint: Mapping[str, str],
) -> str:
    """12 hex digits of SHA-256 over inputs, pivots, settings and versions.

    >>> a = cache_key([Original("A text.", "gum", "d1")], ["spa"], {})
    >>> b = cache_key([Original("A text!", "gum", "d1")], ["spa"], {})
    >>> len(a), a == b
    (12, False)
    """
    payload = {
        "format": FORMAT_VERSION,
        "settings": [MIN_LENGTH_RATIO, MAX_LENGTH_RATIO, MIN_CONTENT_OVERLAP, MIN_WORDS, MAX_WORDS],
        "pivots": {pivot: list(pivot_modes(pivot)) for pivot in pivots},
        "pivot_order": list(pivots),
        "apertium": dict(sorted(fingerprint.items())),
        "inputs": [[o.source, o.doc, o.text] for o in originals],
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:12]


def cached_path(out_path: str | Path, key: str) -> Path:
    """Where the pairs for ``key`` live: the hash goes into the file name.

    ``out_path`` is either a ``.jsonl`` file name (the key is inserted before
    the suffix) or a directory (the file is ``roundtrip-<key>.jsonl`` in it).

    >>> cached_path("build/pairs", "abc123").as_posix()
    'build/pairs/roundtrip-abc123.jsonl'
    >>> cached_path("build/rt.jsonl", "abc123").as_posix()
    'build/rt-abc123.jsonl'
    """
    path = Path(out_path)
    if path.suffix == ".jsonl":
        return path.with_name(f"{path.stem}-{key}.jsonl")
    return path / f"roundtrip-{key}.jsonl"


def _write_atomic(path: Path, lines: Iterable[str]) -> None:
    with atomic_writer(path) as handle:
        handle.writelines(lines)


@dataclasses.dataclass(slots=True)
class BuildResult:
    """What ``build_pairs`` produced: the file and per-pivot counts."""

    path: Path
    cached: bool
    stats: dict[str, dict[str, int]]  # pivot -> translated, kept, dropped, and reasons
    seconds: float
    words: int  # source words per pivot


def _stats_path(path: Path) -> Path:
    return path.with_suffix(".stats.json")


def _count_from_file(path: Path, n_inputs: int, pivots: Sequence[str]) -> dict[str, dict[str, int]]:
    kept: Counter[str] = Counter()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            kept[json.loads(line)["pivot"]] += 1
    return {
        p: {"translated": n_inputs, "kept": kept[p], "dropped": n_inputs - kept[p]} for p in pivots
    }


def build_pairs(
    data_dir: str | Path = "../shared/data",
    out_path: str | Path = "build/pairs",
    pivots: Sequence[str] = tuple(PIVOTS),
    max_per_corpus: int | None = None,
    seed: int = 0,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    jobs: int | None = None,
    show_progress: bool = True,
) -> BuildResult:
    """Round-trip the clean corpora and seed originals; cache the pairs as JSONL.

    One line per kept pair: ``original``, ``garbled``, ``source`` (gum, sotu,
    seed), ``doc``, ``kind`` ("roundtrip:<pivot>") and ``pivot``. The file name
    carries ``cache_key``; when that file exists it is reused untranslated.
    """
    started = time.perf_counter()
    pivots = list(pivots)
    modes = [mode for pivot in pivots for mode in pivot_modes(pivot)]
    check_apertium(modes)
    originals = load_inputs(data_dir, max_per_corpus=max_per_corpus, seed=seed)
    words = sum(len(o.text.split()) for o in originals)
    path = cached_path(out_path, cache_key(originals, pivots, apertium_fingerprint(modes)))
    if path.exists():
        stats_file = _stats_path(path)
        if stats_file.exists():
            stats = json.loads(stats_file.read_text(encoding="utf-8"))["stats"]
        else:
            stats = _count_from_file(path, len(originals), pivots)
        return BuildResult(path, True, stats, time.perf_counter() - started, words)

    texts = [o.text for o in originals]
    bar = _progress_bar(len(texts) * len(pivots), show_progress)
    try:
        results = run_pivots(texts, pivots, batch_size=batch_size, jobs=jobs, progress=bar.update)
    finally:
        bar.close()

    stats: dict[str, dict[str, int]] = {}
    for pivot in pivots:
        reasons = Counter(reason for _garbled, reason in results[pivot])
        kept = reasons.pop("ok", 0)
        stats[pivot] = {"translated": len(texts), "kept": kept, "dropped": len(texts) - kept, **reasons}

    def lines() -> Iterator[str]:
        for pivot in pivots:
            for original, (garbled, _reason) in zip(originals, results[pivot]):
                if garbled is None:
                    continue
                record = {
                    "original": original.text,
                    "garbled": garbled,
                    "source": original.source,
                    "doc": original.doc,
                    "kind": f"roundtrip:{pivot}",
                    "pivot": pivot,
                }
                yield json.dumps(record, ensure_ascii=False) + "\n"

    seconds = time.perf_counter() - started
    meta = {"stats": stats, "seconds": round(seconds, 1), "source_words_per_pivot": words}
    _write_atomic(_stats_path(path), [json.dumps(meta, indent=1) + "\n"])
    _write_atomic(path, lines())
    return BuildResult(path, False, stats, seconds, words)


class _Progress(Protocol):
    def update(self, n: int = 1) -> object: ...

    def close(self) -> object: ...


class _NoBar:
    def update(self, n: int = 1) -> None:
        """Ignore progress."""

    def close(self) -> None:
        """Nothing to close."""


def _progress_bar(total: int, show: bool) -> _Progress:
    """A tqdm bar on stderr, or a silent stand-in."""
    if not show:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="para", desc="round trips", file=sys.stderr)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _parse_pivots(value: str) -> list[str]:
    pivots = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in pivots if p not in PIVOTS]
    if unknown or not pivots:
        raise argparse.ArgumentTypeError(
            f"unknown pivot(s) {', '.join(unknown) or '(none)'}; choose from {','.join(PIVOTS)}"
        )
    return pivots


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or reuse) the round-trip pair cache and print its path and counts."""
    parser = argparse.ArgumentParser(
        prog="python -m training.roundtrip",
        description="Make (original, machine-translated) pairs with Apertium round trips.",
    )
    parser.add_argument("--data", default="../shared/data", help="shared data directory")
    parser.add_argument("--out-dir", default="build/pairs", help="directory for the cached JSONL")
    parser.add_argument(
        "--pivots", type=_parse_pivots, default=list(PIVOTS), help="comma-separated pivots"
    )
    parser.add_argument(
        "--max-per-corpus", type=int, default=None, help="sample at most N paragraphs per source"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for --max-per-corpus sampling")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--jobs", type=int, default=None, help="parallel Apertium pipelines")
    args = parser.parse_args(argv)
    try:
        result = build_pairs(
            args.data,
            args.out_dir,
            args.pivots,
            args.max_per_corpus,
            args.seed,
            batch_size=args.batch_size,
            jobs=args.jobs,
        )
    except (ApertiumMissing, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.path)
    state = "cached, not re-translated" if result.cached else "translated"
    print(f"{state}; {result.words} source words per pivot; {result.seconds:.1f} s", end="")
    if not result.cached and result.seconds > 0:
        rate = result.words * len(result.stats) / result.seconds
        print(f"; {rate:,.0f} words/s", end="")
    print()
    print(f"{'pivot':<6} {'translated':>10} {'kept':>6} {'dropped':>8}  reasons")
    for pivot, counts in result.stats.items():
        reasons = ", ".join(
            f"{k} {v}" for k, v in counts.items() if k not in {"translated", "kept", "dropped"}
        )
        print(
            f"{pivot:<6} {counts['translated']:>10} {counts['kept']:>6} "
            f"{counts['dropped']:>8}  {reasons}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
