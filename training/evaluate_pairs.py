"""Evaluate a model trained on a user's pairs (``make evaluate DATA=my-pairs.jsonl``).

What a user wants to know first: on the pairs of theirs the model never
trained on (the ``test`` split of their documents), how well does it tell the
garbled side from the original, and does it beat the shipped model
(``models/default``)? Then, when the shared data is at hand (``--base``), the
same tables as the default report (real machine translation, human text
training never saw, the dev set, the seed pair), the shipped model in the
baseline columns. The report goes to ``reports/NAME-evaluation.md``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mtdetect.atomic import atomic_writer
from mtdetect.model import load_model

from . import evaluate as ev
from . import sources
from .dataset import rows_from_pairs, with_ranked_splits
from .train import DEFAULT_OUT, user_model_stem


def log(message: str) -> None:
    ev.log(message)


@dataclass(frozen=True)
class HeldOutPairs:
    """The user's pairs a model did not train on, as rows (original 0, garbled 1), and how they were chosen."""

    texts: ev.TextSet
    documents: int
    chosen: str


def held_out_pairs(pairs: Path, card: Mapping, seed: int) -> HeldOutPairs:
    """The user's pairs in the ``test`` split of the model's training, split as training split
    them: by rank when the pairs were trained on alone, by hash when added to the recipe;
    all of them when the model's card names no pairs of the user's (the model never saw them)."""
    records, description = sources.collect_user_pairs(pairs, seed=seed)
    records = records[: description["user_pair_counts"]["kept"]]  # the pairs, not their typography variants
    training_data = card.get("training_data", {})
    if "user_pairs_added" in training_data:
        chosen = "the test split of their documents (pairs added to the default recipe split by a hash of their doc)"
    elif "user_pairs" in training_data:
        records = with_ranked_splits(records)
        chosen = "the test split of their documents (15% of them, as training on pairs alone splits them)"
    else:
        chosen = "all of them: the model's card names no pairs of yours"
    rows = [r for r in rows_from_pairs(records) if r.split == "test" or chosen.startswith("all")]
    texts = ev.TextSet("your held-out pairs", [r.text for r in rows], np.array([r.label for r in rows], dtype=np.int8),
                       [r.kind for r in rows], [r.group for r in rows])
    return HeldOutPairs(texts, len({r.group for r in rows}), chosen)


def rate_with_count(rate: float | None, rows: int) -> str:
    """A share with the count it is of.

    >>> rate_with_count(0.25, 8), rate_with_count(None, 0)
    ('25.0% (2 of 8)', '–')
    """
    return "–" if rate is None else f"{ev.pct(rate)} ({round(rate * rows)} of {rows})"


def pairs_table(figures: Mapping[str, ev.SetMetrics], thresholds: Mapping[str, float]) -> str:
    """One row per model: ROC-AUC and the shares flagged of the garbled and original sides."""
    rows = [[name, ev.fmt(thresholds[name], 4), ev.fmt(m.roc_auc), rate_with_count(m.true_positive_rate, m.garbled),
             rate_with_count(m.false_positive_rate, m.clean)] for name, m in figures.items()]
    return ev.markdown_table(["model", "threshold", "ROC-AUC", "garbled side flagged", "original side flagged"],
                             rows, align="lrrrr")


def shared_sets(base: Path) -> ev.EvalData | None:
    """The shared data's evaluation sets a user's model can be measured on, or None without the data."""
    if not sources.is_data_root(base):
        return None
    files = ev.seed_files(base)
    empty = ev.TextSet("MQM", [], np.zeros(0, dtype=np.int8), [], [])
    return ev.EvalData([ev.real_mt_dev(base, s) for s in sources.REAL_MT_FILES], ev.human_dev(base, []),
                       ev.dev_sets(base), ev.seed_set(files), files, empty)


def render(model_label: str, shipped_label: str, held: HeldOutPairs, figures: Mapping[str, ev.SetMetrics],
           thresholds: Mapping[str, float], shared: tuple[ev.Measured, ev.Measured] | None, base: Path,
           seconds: float) -> str:
    """The report: the held-out pairs first, then the shared data's tables (the shipped model as baseline)."""
    lines = [f"# {model_label} on your pairs", "",
             f"Evaluated by `make evaluate` in {ev.duration(seconds)}, beside the shipped model `{shipped_label}`.",
             "", "## Your held-out pairs", "",
             f"{len(held.texts.texts)} paragraphs ({int(held.texts.labels.sum())} garbled) of {held.documents} "
             f"document(s): {held.chosen}. A paragraph is flagged at or above each model's own threshold.", ""]
    if len(held.texts.texts):
        lines += [pairs_table(figures, thresholds), ""]
    else:
        lines += ["None of your documents fell in the test split: give pairs of more documents.", ""]
    if shared is None:
        lines += [f"No shared data at {base} (BASE=): the figures above are all there is.", ""]
        return "\n".join(lines)
    ours, shipped = shared
    lines += [f"## Shared data ({base})", "",
              f"The same tables as the default report; the baseline columns are the shipped model `{shipped_label}`.",
              "", "### Real machine translation (dev splits of mt/)", "", ev.real_mt_table(ours, shipped), "",
              "### Human text training never saw", "", ev.human_table(ours, shipped), "",
              "### Dev set", "", ev.dev_table(ours, shipped), "",
              "### Seed pair", "", ev.seed_table(ours, shipped), ""]
    return "\n".join(lines)


def evaluate_pairs(args: argparse.Namespace) -> int:
    """Measure the user's model (``--model``, default ``models/NAME`` after the pairs) and the shipped
    one on the held-out pairs and the shared data, and write the report; the exit status."""
    started = time.perf_counter()
    pairs = Path(args.data)
    model_path = ev.resolve_model(Path(args.model) if args.model else user_model_stem(pairs))
    shipped_path = ev.resolve_model(DEFAULT_OUT)
    model, shipped = load_model(model_path), load_model(shipped_path)
    labels = {ev.model_label(model_path): model, ev.model_label(shipped_path): shipped}
    held = held_out_pairs(pairs, model.card, args.seed)
    figures: dict[str, ev.SetMetrics] = {}
    for name, each in labels.items():
        scorer = ev.shipped_scorer(each)
        figures[name] = ev.set_metrics(held.texts.labels, scorer.probability(held.texts.texts), each.threshold)
    log(f"held-out pairs: {len(held.texts.texts)} paragraphs of {held.documents} documents")
    base = Path(args.base)
    sets = shared_sets(base)
    shared = None
    if sets is not None:
        log(f"scoring the shared data of {base} with both models")
        shared = (ev.measure(ev.shipped_scorer(model), sets), ev.measure(ev.shipped_scorer(shipped), sets))
    report = render(*labels, held, figures, {n: m.threshold for n, m in labels.items()}, shared, base,
                    time.perf_counter() - started)
    out = Path(args.out) / f"{Path(ev.model_label(model_path)).name}-evaluation.md"
    with atomic_writer(out) as handle:
        handle.write(report)
    log(f"wrote {out}")
    print(report.split("## Shared data")[0].rstrip())
    return 0
