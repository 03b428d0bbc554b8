"""Where training rows come from, and a description of them for the model card.

The default recipe reads the shared data folder:

* **real machine translation** (``mt/``): windows of Google Translate, DeepL,
  WMT19 systems and multilingual NMT output beside the human text of the same
  content, ``train`` split only (the ``dev`` split is for measurement);
* **human text of every register**: web text (``clean/ewt-*``, ``train`` split),
  WMT24 news, social posts and literary prose (``train`` split), GUM news,
  academic prose and transcripts, State of the Union speeches;
* **damage**: the seed article and its garbled repost, MQM machine
  translations, the garbler's synthetic damage, spun and round-tripped reposts
  of human paragraphs of every register (:mod:`training.reposts`) and
  (optionally) Apertium round trips of all the clean corpora;
* **reference text** (:func:`reference_texts`): plain human English for the
  reference model of English (MASC, film reviews, inaugural addresses).

Each source can be left out by name (:data:`SOURCES`, ``--without``), which is
how the evaluation's ablation refits measure what each one pays. A user's own
pairs (a JSONL file or a folder, see :mod:`training.pairs`) are added to the
recipe (:func:`collect_with_user_pairs`), or read alone
(:func:`collect_user_pairs`).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import garble, mqm, pairs, reposts, roundtrip
from .corpora import (  # noqa: F401 (DEFAULT_DATA_DIR: read as sources.DEFAULT_DATA_DIR by train and evaluate)
    CLEAN_CORPORA,
    DEFAULT_DATA_DIR,
    GUM_GENRES,
    REAL_MT_FILES,
    REFERENCE_FILES,
    WEB_TEXT_FILE,
    WMT24_FILE,
)
from .corpora import read_jsonl as _jsonl
from .dataset import pair_group

SOURCES = ("htvsmt", "flores", "ewt", "wmt24", "gum", "sotu", "seed", "mqm", "garble", "reposts", "roundtrip")
"""Training sources by name, as ``--without`` and the ablation name them."""
TRANSLATION = "translation"
"""Genre of human translations: human, but not the original English the threshold rule is about."""
GARBLE_REAL_MT_HUMAN = 0.3
"""Share of the real-MT human windows that also get synthetic damage (news-register garbler pairs)."""
ROUNDTRIP_GARBLE_RATE = 0.25
"""Share of round trips that also get synthetic damage on top (content farms do both)."""
USER_TYPOGRAPHY_RATE = 0.5


def log(message: str) -> None:
    print(f"[pairs] {message}", file=sys.stderr, flush=True)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def clean_paragraphs(data_dir: Path) -> Iterator[dict]:
    """Paragraph records of the clean corpora, with ``source``, ``doc`` and ``genre``."""
    for source, name in CLEAN_CORPORA.items():
        for record in _jsonl(data_dir / "clean" / name):
            genre = GUM_GENRES.get(record.get("genre", ""), "news") if source == "gum" else "speeches"
            yield {"text": record["text"], "source": source, "doc": record.get("doc") or record["id"], "genre": genre}


def human_rows(paragraphs: Iterable[dict]) -> list[dict]:
    """Clean paragraph records as labelled human rows (label 0)."""
    return [{**p, "label": 0, "kind": f"human:{p['source']}"} for p in paragraphs]


def real_mt_rows(data_dir: Path, source: str) -> list[dict]:
    """The ``train`` windows of a real-MT file as labelled rows.

    Machine output is label 1 (kind ``mt:<system>``, or ``mt-roundtrip:<system>``
    for English -> human German -> MT English); the human side is label 0
    (kind ``human:<kind>``; genre ``news`` for English originals,
    :data:`TRANSLATION` for human reference translations). All windows of one
    article share its ``doc``, so they fall in one split.
    """
    rows = []
    for record in _jsonl(data_dir / REAL_MT_FILES[source]):
        if record["split"] != "train":
            continue  # the dev split is for measurement only
        machine = record["label"] == "mt"
        if machine:
            prefix = "mt-roundtrip" if record["kind"] == "round-trip" else "mt"
            kind, genre = f"{prefix}:{record['system']}", ""
        else:
            kind, genre = f"human:{record['kind']}", "news" if record["kind"] == "english-original" else TRANSLATION
        rows.append({"text": record["text"], "label": int(machine), "source": source, "doc": record["doc_id"],
                     "kind": kind, "genre": genre})
    return rows


def web_text_rows(data_dir: Path) -> list[dict]:
    """Human web text (EWT, ``train`` split) and WMT24 English originals (``train`` split) as human rows."""
    rows = [
        {"text": r["text"], "source": "ewt", "doc": r["doc"], "genre": f"web:{r['genre']}"}
        for r in _jsonl(data_dir / WEB_TEXT_FILE) if r["split"] == "train"
    ]
    rows += [
        {"text": r["text"], "source": "wmt24", "doc": r["doc_id"], "genre": r["system"].removeprefix("human:")}
        for r in _jsonl(data_dir / WMT24_FILE) if r["split"] == "train"
    ]
    return human_rows(rows)


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


def collect(
    data: Path, cache: Path, *, seed: int, roundtrip_pairs: bool = True, without: Iterable[str] = ()
) -> tuple[list[dict], dict]:
    """All training records (pairs and labelled rows) and a description (files, hashes, counts) for the card.

    ``without`` names sources (:data:`SOURCES`) to leave out; ``roundtrip_pairs=False``
    is the same as leaving out ``roundtrip``.
    """
    if not is_data_root(data):
        return collect_user_pairs(data, seed=seed)
    skip = set(without) | (set() if roundtrip_pairs else {"roundtrip"})
    unknown = skip - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(sorted(unknown))}; known: {', '.join(SOURCES)}")
    description: dict = {"data_files": {}, "pairs_by_kind": {}, "sources": [s for s in SOURCES if s not in skip]}
    files = sorted((data / "clean").glob("*.jsonl*")) + sorted((data / "seeds").glob("*.txt")) + [data / mqm.MQM_FILE]
    files += [data / path for path in REFERENCE_FILES.values() if (data / path).exists()]
    files += [data / name for name in REAL_MT_FILES.values()]
    for path in files:
        description["data_files"][str(path.relative_to(data))] = file_sha256(path)

    # Labelled human rows first: a paragraph that is also a pair's original keeps its genre.
    collected: list[dict] = []
    real_mt: list[dict] = []
    for source in REAL_MT_FILES:
        if source not in skip:
            rows = real_mt_rows(data, source)
            real_mt += rows
            log(f"{source}: {sum(r['label'] for r in rows)} machine-translated and "
                f"{sum(1 - r['label'] for r in rows)} human windows (train split)")
    collected += real_mt
    web = [r for r in web_text_rows(data) if r["source"] not in skip]
    collected += web
    log(f"web text and WMT24: {len(web)} human paragraphs (train split)")
    clean = [p for p in clean_paragraphs(data) if p["source"] not in skip]
    collected += human_rows(clean)
    log(f"clean corpora: {len(clean)} human paragraphs")

    if "seed" not in skip:
        seed_set = pairs.seed_pairs(data) + pairs.republished_pairs(data)
        collected += seed_set
        log(f"seed: {len(seed_set)} pairs")
    if "mqm" not in skip:
        machine_translated = mqm.mqm_pairs(data)
        collected += machine_translated
        log(f"MQM: {len(machine_translated)} human vs machine translation pairs")
    if "garble" not in skip:
        news_like = [
            {"text": r["text"], "source": r["source"], "doc": r["doc"]}
            for r in real_mt
            if r["label"] == 0 and random.Random(f"{seed}\x1f{r['text']}").random() < GARBLE_REAL_MT_HUMAN
        ]
        synthetic = list(garble.garble_pairs([*clean, *news_like], seed))
        collected += synthetic
        log(f"garbler: {len(synthetic)} pairs from {len(clean) + len(news_like)} clean paragraphs")
    if "reposts" not in skip:
        made = [p for p in reposts.training_reposts(data, cache, seed) if p["source"] not in skip]
        collected += made
        log(f"reposts: {sum(p['kind'].startswith('spin:') for p in made)} spun and "
            f"{sum(p['kind'].startswith('roundtrip:') for p in made)} round-tripped paragraphs of human text")
    if "roundtrip" not in skip:
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


def reference_texts(data: Path) -> list[str]:
    """The paragraphs of the reference corpora (an empty list where the data has none)."""
    texts: list[str] = []
    for path in REFERENCE_FILES.values():
        if (data / path).exists():
            texts += [r["text"] for r in _jsonl(data / path)]
    return texts


USER_GENRE = "your pairs"
"""Genre given to the human side of a user's pairs that name none: the threshold rule counts
those paragraphs as a genre of their own (at most 2% of them flagged once there are enough)."""


def user_pair(pair: dict) -> dict:
    """A user's pair as a training record: a pair with a ``doc`` is grouped by it (all pairs of a
    document fall in one split), and one without a ``genre`` gets :data:`USER_GENRE`.

    >>> user_pair({"original": "a", "garbled": "b", "source": "s", "kind": "k", "doc": "d", "group": 4})["group"]
    'd'
    >>> user_pair({"original": "a", "garbled": "b", "source": "s", "kind": "k", "genre": "news"})["genre"]
    'news'
    """
    record = {**pair, "genre": pair.get("genre") or USER_GENRE}
    if pair.get("doc"):
        record["group"] = str(pair["doc"])
    return record


def collect_user_pairs(path: Path, *, seed: int) -> tuple[list[dict], dict]:
    """A user's pairs (screened: :func:`training.pairs.screen_pairs`), plus typography
    variants of their originals (labelled clean), and a description for the card:
    the files' sha256, how many pairs were read, kept and left out, and why."""
    read = list(pairs.read_pairs(path))
    if not read:
        raise ValueError(f"{path}: holds no pairs")
    screened = pairs.screen_pairs(read, path)
    for reason in screened.left_out:
        log(f"warning: {path}: left out {reason}")
    user = [user_pair(p) for p in screened.kept]
    without_genre = sum(1 for p in screened.kept if not p.get("genre"))
    if without_genre:
        log(f"{without_genre} of {len(user)} pairs name no genre: the threshold rule counts their human side, "
            f"held out, as the genre {USER_GENRE!r}")
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
        "user_pair_counts": {"read": len(read), "kept": len(user), "left_out": len(read) - len(user),
                             "without_genre": without_genre, "documents": len({pair_group(p) for p in user}),
                             "typography_variants": len(variants)},
        "pairs_by_kind": dict(sorted(Counter(_kind(p) for p in user + variants).items())),
    }
    log(f"user pairs: {len(user)} from {path}; {len(variants)} typography variants")
    return user + variants, description


def collect_with_user_pairs(
    base: Path, user: Path, cache: Path, *, seed: int, roundtrip_pairs: bool = False, without: Iterable[str] = ()
) -> tuple[list[dict], dict]:
    """The default recipe on the data folder ``base`` with a user's pairs added to it,
    and a description of both (the user's part under ``user_pairs_added``)."""
    records, description = collect(base, cache, seed=seed, roundtrip_pairs=roundtrip_pairs, without=without)
    added, user_description = collect_user_pairs(user, seed=seed)
    description["user_pairs_added"] = user_description
    kinds = Counter(description["pairs_by_kind"]) + Counter(user_description["pairs_by_kind"])
    description["pairs_by_kind"] = dict(sorted(kinds.items()))
    return records + added, description


def _kind(pair: dict) -> str:
    kind = pair.get("kind", "pair")
    if kind.startswith("garble:"):
        return "garble"
    return f"{pair.get('source', 'pairs')}:{kind}" if "text" in pair else kind
