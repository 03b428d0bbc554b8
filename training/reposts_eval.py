"""What a user sees on reposts no part of training has seen: spun and round-tripped dev documents.

The human documents of the ``dev`` splits (web text, WMT24, the English
originals of the real-MT sets; :func:`training.reposts.dev_paragraphs`) are
reposted by the spinner policy and the Apertium pair that training never uses
(:func:`training.reposts.dev_reposts`). A reposted document is the human
document with every paragraph long enough to repost replaced by its repost.
Measured at the scorer's own shipped threshold, for paragraphs and documents:

* paragraph ROC-AUC of the reposted paragraphs against their originals, and
  the share of them at or above the threshold;
* document ROC-AUC of the reposted documents against the human documents,
  and the share of reposted documents dropped (document score at or above the
  threshold);
* the share of human documents flagged, overall and per genre (the false
  positives a filter's user sees), and of human paragraphs of 25 words or more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import reposts
from .train import THRESHOLD_MIN_WORDS

HUMAN_MIN_WORDS = THRESHOLD_MIN_WORDS
"""Human paragraphs counted for the paragraph false-positive rate: those the threshold rule counts."""


@dataclass(frozen=True)
class Document:
    """One document as a list of paragraphs, its genre and its name."""

    name: str
    genre: str
    paragraphs: list[str]


@dataclass(frozen=True)
class RepostSets:
    """The human dev documents and, per kind of repost, the reposted paragraphs and documents."""

    human: list[Document]
    pairs: dict[str, list[dict]]  # kind -> pair records (original, garbled)
    reposted: dict[str, list[Document]]  # kind -> documents with at least one reposted paragraph


KIND_NAMES = {"spun": "spun (held-out policy: {policy})", "roundtrip": "round trips (held-out pair: en-{pivot})"}


def repost_sets(data: Path, cache: Path) -> RepostSets:
    """Build the sets (round trips are cached in ``cache``)."""
    paragraphs = reposts.dev_paragraphs(data)
    spun, trips = reposts.dev_reposts(data, cache)
    docs: dict[tuple[str, str], list[str]] = defaultdict(list)
    genres: dict[tuple[str, str], str] = {}
    for p in paragraphs:
        key = (p.source, p.doc)
        docs[key].append(p.text)
        genres[key] = p.genre
    human = [Document(f"{s}:{d}", genres[(s, d)], texts) for (s, d), texts in sorted(docs.items())]
    reposted: dict[str, list[Document]] = {}
    for kind, pairs in (("spun", spun), ("roundtrip", trips)):
        by_doc: dict[str, dict[str, str]] = defaultdict(dict)
        for pair in pairs:
            by_doc[f"{pair['source']}:{pair['doc']}"][pair["original"]] = pair["garbled"]
        reposted[kind] = [
            Document(doc.name, doc.genre, [by_doc[doc.name].get(t, t) for t in doc.paragraphs])
            for doc in human if by_doc.get(doc.name)
        ]
    return RepostSets(human, {"spun": spun, "roundtrip": trips}, reposted)


@dataclass
class RepostFigures:
    """One scorer's figures on the reposts."""

    name: str
    threshold: float
    paragraph_auc: dict[str, float] = field(default_factory=dict)
    paragraph_tpr: dict[str, float] = field(default_factory=dict)
    document_auc: dict[str, float] = field(default_factory=dict)
    document_tpr: dict[str, float] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    paragraphs: dict[str, int] = field(default_factory=dict)
    human_documents: dict[str, tuple[int, float]] = field(default_factory=dict)  # genre -> (documents, flagged)
    human_paragraphs: dict[str, tuple[int, float]] = field(default_factory=dict)  # genre -> (paragraphs, flagged)


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores)) if 0 < labels.sum() < len(labels) else float("nan")


def _document_scores(scorer, documents: Sequence[Document]) -> np.ndarray:
    """Each document's score (0 for one without evidence) from one batch of all their paragraphs,
    as the scorer scores documents (:meth:`training.evaluate.Scorer.document_scores`)."""
    texts = [t for d in documents for t in d.paragraphs]
    names = [d.name for d in documents for _ in d.paragraphs]
    log_odds = scorer.log_odds(texts) if texts else np.zeros(0)
    lengths = np.array([len(t) for t in texts], dtype=np.float64)
    scores = scorer.document_scores(log_odds, lengths, names)
    return np.array([0.0 if scores[d.name] is None else scores[d.name] for d in documents])


def measure_reposts(scorer, sets: RepostSets) -> RepostFigures:
    """Every figure of one scorer (an :class:`training.evaluate.Scorer`) on the reposts."""
    out = RepostFigures(scorer.name, scorer.threshold)
    human_docs = _document_scores(scorer, sets.human)
    for kind, pairs in sets.pairs.items():
        original = scorer.probability([p["original"] for p in pairs])
        garbled = scorer.probability([p["garbled"] for p in pairs])
        labels = np.r_[np.zeros(len(original)), np.ones(len(garbled))]
        out.paragraph_auc[kind] = _auc(labels, np.r_[original, garbled])
        out.paragraph_tpr[kind] = float((garbled >= scorer.threshold).mean()) if len(garbled) else float("nan")
        out.paragraphs[kind] = len(pairs)
        docs = _document_scores(scorer, sets.reposted[kind])
        out.document_auc[kind] = _auc(np.r_[np.zeros(len(human_docs)), np.ones(len(docs))], np.r_[human_docs, docs])
        out.document_tpr[kind] = float((docs >= scorer.threshold).mean()) if len(docs) else float("nan")
        out.documents[kind] = len(docs)
    genres = np.array([d.genre for d in sets.human])
    flagged = human_docs >= scorer.threshold
    out.human_documents["all"] = (len(flagged), float(flagged.mean()))
    for genre in sorted(set(genres.tolist())):
        part = genres == genre
        out.human_documents[genre] = (int(part.sum()), float(flagged[part].mean()))
    texts = [(t, d.genre) for d in sets.human for t in d.paragraphs if len(t.split()) >= HUMAN_MIN_WORDS]
    scores = scorer.probability([t for t, _ in texts])
    para_genres = np.array([g for _, g in texts])
    out.human_paragraphs["all"] = (len(scores), float((scores >= scorer.threshold).mean()))
    for genre in sorted(set(para_genres.tolist())):
        part = para_genres == genre
        out.human_paragraphs[genre] = (int(part.sum()), float((scores[part] >= scorer.threshold).mean()))
    return out


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f}%"


def _num(value: float) -> str:
    return "n/a" if value != value else f"{value:.3f}"


def repost_tables(ours: RepostFigures, base: RepostFigures, alone: RepostFigures | None = None) -> str:
    """The section's markdown: detections, then false positives, each with the baseline beside it;
    with ``alone`` (the model without its repost detector), a line of what the detector pays."""
    from . import spinner

    names = {
        "spun": KIND_NAMES["spun"].format(policy=spinner.HELD_OUT_POLICY),
        "roundtrip": KIND_NAMES["roundtrip"].format(pivot=reposts.HELD_OUT_PIVOT),
    }
    lines = [
        f"Thresholds: mtdetect {ours.threshold:.4f}, baseline {base.threshold:.4f} (each scorer's own; a document "
        "is dropped when its score is at or above it).",
        "",
        "| reposts | paragraphs | paragraph ROC-AUC | paragraphs flagged | documents | document ROC-AUC | "
        "documents dropped | baseline paragraph ROC-AUC | baseline paragraphs flagged | baseline document ROC-AUC "
        "| baseline documents dropped |",
        "|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind in ours.paragraph_auc:
        lines.append(
            f"| {names[kind]} | {ours.paragraphs[kind]} | {_num(ours.paragraph_auc[kind])} | "
            f"{_pct(ours.paragraph_tpr[kind])} | {ours.documents[kind]} | {_num(ours.document_auc[kind])} | "
            f"{_pct(ours.document_tpr[kind])} | {_num(base.paragraph_auc[kind])} | {_pct(base.paragraph_tpr[kind])} | "
            f"{_num(base.document_auc[kind])} | {_pct(base.document_tpr[kind])} |"
        )
    if alone is not None:
        lines += ["", "Without its repost detector (the classifier alone, at the same threshold): " + "; ".join(
            f"{names[kind]}: paragraph ROC-AUC {_num(alone.paragraph_auc[kind])}, paragraphs flagged "
            f"{_pct(alone.paragraph_tpr[kind])}, document ROC-AUC {_num(alone.document_auc[kind])}, documents "
            f"dropped {_pct(alone.document_tpr[kind])}" for kind in alone.paragraph_auc) + "."]
    lines += [
        "",
        "| human dev text: genre | documents | documents flagged | baseline documents flagged | paragraphs "
        f"(>= {HUMAN_MIN_WORDS} words) | paragraphs flagged | baseline paragraphs flagged |",
        "|:--|--:|--:|--:|--:|--:|--:|",
    ]
    for genre in ours.human_documents:
        docs, flagged = ours.human_documents[genre]
        paragraphs, p_flagged = ours.human_paragraphs.get(genre, (0, float("nan")))
        lines.append(
            f"| {genre} | {docs} | {_pct(flagged)} | {_pct(base.human_documents[genre][1])} | {paragraphs} | "
            f"{_pct(p_flagged)} | {_pct(base.human_paragraphs.get(genre, (0, float('nan')))[1])} |"
        )
    return "\n".join(lines) + "\n"
