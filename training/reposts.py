"""Reposts as content farms make them: spun and round-tripped copies of human text of every register.

Training learns broken English from two kinds of repost made of human
paragraphs of many registers (news, speeches, web text, blogs, fiction,
transcripts, email: :func:`human_paragraphs`), never only news, so the model
learns damage, not topic or register:

* **spun**: an article spinner's synonym swaps under the training policies of
  :mod:`training.spinner` (20-60% of content words, any sense, with and
  without inflection repair);
* **round trips**: English -> pivot -> English through the Apertium pairs of
  :data:`TRAIN_PIVOTS` (:mod:`training.roundtrip`).

The evaluation's reposts (:func:`dev_reposts`) are made of the human documents
of the ``dev`` splits, which training never reads, by the spinner policy and
the Apertium pair that training never uses (:data:`training.spinner.HELD_OUT_POLICY`,
:data:`HELD_OUT_PIVOT`): a test of damage the model has not seen made by tools
it has not seen.

Round trips are cached under the cache folder by a hash of their inputs (Apertium
takes minutes); spinning is deterministic and fast, so it is not cached.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mtdetect.atomic import atomic_writer

from . import roundtrip, spinner
from .corpora import CLEAN_CORPORA, GUM_GENRES, REAL_MT_FILES, REFERENCE_FILES, WEB_TEXT_FILE, WMT24_FILE, read_jsonl
from .wordnet import load_wordnet

TRAIN_PIVOTS = ("spa", "glg", "cat")
"""Apertium pairs whose round trips training learns from."""
HELD_OUT_PIVOT = "epo"
"""The Apertium pair only the evaluation uses (English-Esperanto: another family of language)."""
MIN_WORDS, MAX_WORDS = 12, 250
"""Paragraphs reposted (words): shorter ones carry too little to spin or translate."""
SPIN_PER_REGISTER = 2000
"""Paragraphs spun per register (source) for training, about: whole documents are spun until there are this many."""
ROUNDTRIP_PER_REGISTER = 600
"""Paragraphs round-tripped per register and training pivot, about (whole documents, as for spinning)."""
MASC_DOCUMENT_UNITS = 25
"""MASC comes as numbered paragraphs without document ids: runs of this many make a document."""
FORMAT_VERSION = "reposts-1"
"""Bumped whenever the reposts made of the same inputs would change."""


@dataclass(frozen=True)
class Paragraph:
    """A human paragraph of original English: its text, source, document, register and data split."""

    text: str
    source: str
    doc: str
    genre: str
    split: str  # "train" or "dev" where the data has one, else "" (training splits by document)


def _records(data: Path, path: Path) -> Iterator[dict]:
    """The records of a JSONL file of the data folder (none when the folder does not hold it: a
    smaller one reposts what it has)."""
    return read_jsonl(data / path) if (data / path).exists() else iter(())


def human_paragraphs(data: Path) -> list[Paragraph]:
    """Human paragraphs of original English of every register in the shared data.

    Web text (EWT), WMT24 news, social posts and literary prose, the English
    originals of the real-MT sets (news windows), GUM (news, academic,
    transcripts), State of the Union speeches and MASC (blogs, email, essays,
    fiction, letters, news, spoken, travel guides).
    """
    out: list[Paragraph] = []
    for r in _records(data, WEB_TEXT_FILE):
        out.append(Paragraph(r["text"], "ewt", r["doc"], f"web:{r['genre']}", r["split"]))
    for r in _records(data, WMT24_FILE):
        out.append(Paragraph(r["text"], "wmt24", r["doc_id"], r["system"].removeprefix("human:"), r["split"]))
    for source, path in REAL_MT_FILES.items():
        seen: set[str] = set()
        for r in _records(data, path):
            if r["kind"] == "english-original" and r["text"] not in seen:
                seen.add(r["text"])
                out.append(Paragraph(r["text"], source, r["doc_id"], "news", r["split"]))
    clean = Path("clean")
    for r in _records(data, clean / CLEAN_CORPORA["gum"]):
        out.append(Paragraph(r["text"], "gum", r.get("doc") or r["id"], GUM_GENRES.get(r.get("genre", ""), "news"), ""))
    for r in _records(data, clean / CLEAN_CORPORA["sotu"]):
        out.append(Paragraph(r["text"], "sotu", r.get("doc") or r["id"], "speeches", ""))
    for r in _records(data, REFERENCE_FILES["masc"]):
        out.append(Paragraph(r["text"], "masc", f"part{int(r['unit']) // MASC_DOCUMENT_UNITS}", "mixed", ""))
    return out


def _repostable(text: str) -> bool:
    return MIN_WORDS <= len(text.split()) <= MAX_WORDS


def _sample(paragraphs: Sequence[Paragraph], per_source: int, salt: str) -> list[Paragraph]:
    """The repostable paragraphs of whole documents of each source, documents chosen by a stable hash
    until about ``per_source`` paragraphs (a content farm reposts whole articles, and the document
    calibration learns from whole reposted documents)."""
    documents: dict[str, dict[str, list[Paragraph]]] = {}
    for p in paragraphs:
        if _repostable(p.text):
            documents.setdefault(p.source, {}).setdefault(p.doc, []).append(p)
    chosen: list[Paragraph] = []
    for source in sorted(documents):
        ranked = sorted(documents[source], key=lambda doc: hashlib.sha256(f"{salt}\x1f{doc}".encode()).digest())
        taken = 0
        for doc in ranked:
            if taken >= per_source:
                break
            chosen += documents[source][doc]
            taken += len(documents[source][doc])
    return chosen


def _pair(p: Paragraph, garbled: str, kind: str) -> dict:
    return {"original": p.text, "garbled": garbled, "source": p.source, "doc": p.doc, "kind": kind, "genre": p.genre}


def spun_pairs(paragraphs: Iterable[Paragraph], policies: Sequence[str], seed: int) -> list[dict]:
    """A spun copy of each paragraph (policy drawn per paragraph), as pair records of kind ``spin:POLICY``."""
    wordnet = load_wordnet()
    out = []
    for p in paragraphs:
        rng = random.Random(f"{seed}\x1fspin\x1f{p.text}")
        policy = spinner.POLICIES[rng.choice(list(policies))]
        garbled = spinner.spin(p.text, rng, policy, wordnet)
        if garbled != p.text:
            out.append(_pair(p, garbled, f"spin:{policy.name}"))
    return out


def roundtrip_pairs(paragraphs: Sequence[Paragraph], pivots: Sequence[str], cache: Path, label: str) -> list[dict]:
    """Apertium round trips of each paragraph through each pivot, as pair records of kind
    ``roundtrip:PIVOT`` (failed or unchanged translations left out), cached in ``cache``."""
    key = hashlib.sha256(
        json.dumps([FORMAT_VERSION, roundtrip.FORMAT_VERSION, list(pivots), [p.text for p in paragraphs],
                    roundtrip.apertium_fingerprint(m for pv in pivots for m in roundtrip.pivot_modes(pv))]).encode()
    ).hexdigest()[:16]
    path = cache / f"reposts-{label}-{key}.jsonl"
    if path.exists():
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]
    print(f"[reposts] round-tripping {len(paragraphs)} paragraphs through {', '.join(pivots)} (Apertium)",
          file=sys.stderr, flush=True)
    results = roundtrip.run_pivots([p.text for p in paragraphs], pivots)
    out = [
        _pair(p, garbled, f"roundtrip:{pivot}")
        for pivot in pivots
        for p, (garbled, _reason) in zip(paragraphs, results[pivot])
        if garbled is not None
    ]
    cache.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as handle:
        for record in out:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def training_reposts(data: Path, cache: Path, seed: int) -> list[dict]:
    """Spun and round-tripped pairs of human paragraphs that training may read (no ``dev`` split)."""
    usable = [p for p in human_paragraphs(data) if p.split != "dev"]
    spun = spun_pairs(_sample(usable, SPIN_PER_REGISTER, f"{seed}:spin"), spinner.TRAIN_POLICIES, seed)
    trips = roundtrip_pairs(_sample(usable, ROUNDTRIP_PER_REGISTER, f"{seed}:roundtrip"), TRAIN_PIVOTS, cache, "train")
    return spun + trips


def dev_paragraphs(data: Path) -> list[Paragraph]:
    """The human paragraphs of the ``dev`` splits: documents no part of training reads."""
    return [p for p in human_paragraphs(data) if p.split == "dev"]


def dev_reposts(data: Path, cache: Path, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """Spun (held-out policy) and round-tripped (held-out pivot) copies of every ``dev`` paragraph.

    Paragraphs too short to repost stay as they are in the reposted document
    (a spinner passes a two-word line through), so a document keeps all its
    paragraphs; only changed paragraphs count as garbled paragraphs.
    """
    paragraphs = dev_paragraphs(data)
    spun = spun_pairs([p for p in paragraphs if _repostable(p.text)], [spinner.HELD_OUT_POLICY], seed)
    trips = roundtrip_pairs([p for p in paragraphs if _repostable(p.text)], [HELD_OUT_PIVOT], cache, "dev")
    return spun, trips
