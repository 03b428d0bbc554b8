"""Where training pairs come from, and a description of them for the model card.

The default recipe reads the shared data folder (``clean/`` corpora and
``seeds/``); a user's own pairs (a JSONL file or a folder, see
:mod:`training.pairs`) replace it when ``--data`` points at them.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import garble, mqm, pairs, roundtrip

DEFAULT_DATA_DIR = Path("../shared/data")
CLEAN_CORPORA = {"gum": "gum-ccby-paragraphs.jsonl", "sotu": "state-union-pd-paragraphs.jsonl"}
ROUNDTRIP_GARBLE_RATE = 0.25
"""Share of round trips that also get synthetic damage on top (content farms do both)."""
USER_TYPOGRAPHY_RATE = 0.5


def log(message: str) -> None:
    print(f"[pairs] {message}", file=sys.stderr, flush=True)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def clean_paragraphs(data_dir: Path) -> Iterator[dict]:
    """Paragraph records of the clean corpora, with ``source`` and ``doc``."""
    for source, name in CLEAN_CORPORA.items():
        with open(data_dir / "clean" / name, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                yield {"text": record["text"], "source": source, "doc": record.get("doc") or record["id"]}


def garble_on_top(base: Iterable[dict], seed: int, rate: float = ROUNDTRIP_GARBLE_RATE) -> Iterator[dict]:
    """Synthetic damage applied on top of some machine-translated pairs."""
    for pair in base:
        rng = random.Random(f"{seed}\x1f{pair['garbled']}")
        if rng.random() >= rate:
            continue
        damaged, names = garble.garble(pair["garbled"], rng)
        if names:
            yield {**pair, "garbled": damaged, "kind": f"{pair['kind']}+garble", "corruptions": names}


def is_data_root(path: Path) -> bool:
    return path.is_dir() and (path / "clean").is_dir()


def collect(data: Path, cache: Path, *, seed: int, roundtrip_pairs: bool = True) -> tuple[list[dict], dict]:
    """All training pairs and a description (files, hashes, counts) for the card."""
    if not is_data_root(data):
        return collect_user_pairs(data, seed=seed)
    description: dict = {"data_files": {}, "pairs_by_kind": {}}
    for path in sorted((data / "clean").glob("*.jsonl")) + sorted((data / "seeds").glob("*.txt")) + [data / mqm.MQM_FILE]:
        description["data_files"][str(path.relative_to(data))] = file_sha256(path)

    collected: list[dict] = []
    seed_set = pairs.seed_pairs(data) + pairs.republished_pairs(data)
    collected += seed_set
    log(f"seed: {len(seed_set)} pairs")

    machine_translated = mqm.mqm_pairs(data)
    collected += machine_translated
    log(f"MQM: {len(machine_translated)} human vs machine translation pairs")

    clean = list(clean_paragraphs(data))
    synthetic = list(garble.garble_pairs(clean, seed))
    collected += synthetic
    log(f"garbler: {len(synthetic)} pairs from {len(clean)} clean paragraphs")

    if roundtrip_pairs:
        result = roundtrip.build_pairs(data, cache, seed=seed)
        with open(result.path, encoding="utf-8") as handle:
            machine = [json.loads(line) for line in handle]
        collected += machine
        on_top = list(garble_on_top(machine, seed))
        collected += on_top
        description["roundtrip_cache"] = {"file": result.path.name, "sha256": file_sha256(result.path), "stats": result.stats}
        log(f"round trips: {len(machine)} pairs{' (cached)' if result.cached else ''}; {len(on_top)} with damage on top")
    description["pairs_by_kind"] = dict(sorted(Counter(_kind(p) for p in collected).items()))
    return collected, description


def collect_user_pairs(path: Path, *, seed: int) -> tuple[list[dict], dict]:
    """A user's pairs, plus typography variants of their originals (labelled clean)."""
    user = list(pairs.read_pairs(path))
    if not user:
        raise ValueError(f"{path}: holds no pairs")
    variants = []
    for pair in user:
        rng = random.Random(f"{seed}\x1f{pair['original']}")
        if rng.random() < USER_TYPOGRAPHY_RATE:
            variant = garble.typography_variant(pair["original"], rng)
            if variant != pair["original"]:
                variants.append({**pair, "garbled": variant, "kind": "typography"})
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    description = {
        "user_pairs": str(path.name),
        "data_files": {str(p.name): file_sha256(p) for p in files},
        "pairs_by_kind": dict(sorted(Counter(_kind(p) for p in user + variants).items())),
    }
    log(f"user pairs: {len(user)} from {path}; {len(variants)} typography variants")
    return user + variants, description


def _kind(pair: dict) -> str:
    kind = pair.get("kind", "pair")
    return "garble" if kind.startswith("garble:") else kind
