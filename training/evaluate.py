"""Evaluate a model and write ``reports/evaluation.md`` with its plots.

What is measured, top to bottom:

1. **held-out sets** of the training recipe (test split, whole documents never
   seen in training): round trips per pivot, synthetic damage per corruption,
   MQM machine translations, and the clean paragraphs (false-positive rate);
2. **the seed pair** (004 original vs 001 garbled repost), cross-validated by
   paragraph group: the classifier is refitted K times, each time without one
   fold of seed groups (and without every row made from their text), and
   scores the left-out fold;
3. **the development set** (newstest2014 and potet, scored only — nothing is
   ever fitted on it) under its protocol: one human and one MT paragraph per
   ``group_id``, human texts deduplicated, reported on all groups and on the
   documents whose ``doc_id`` has an even stable hash;
4. **ablations**: the classifier refitted without one feature family or one
   training source at a time, on cached feature matrices;
5. **weights**: dense features with their sign bounds, a per-feature sign check
   (training rows vs the dev set) and the strongest word-class n-grams.

Feature matrices are computed once and cached in ``build/eval/`` (keyed by the
round-trip cache, the feature and pair code, the data files and the model);
later runs only refit the classifier. Run as ``python -m training.evaluate``
(``make evaluate``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import average_precision_score, roc_auc_score

import mtdetect
from mtdetect.atomic import atomic_writer
from mtdetect.errors import ModelError
from mtdetect.features import (
    DENSE_FEATURES,
    FeatureBatch,
    LexicalTables,
    compute_features,
    dense_feature_names,
    normalize_paragraph,
    word_class_columns,
    word_class_ngrams,
)
from mtdetect.model import (
    CARD_SUFFIX,
    DEFAULT_MODEL_NAME,
    Model,
    card_path_for,
    load_model,
    read_card,
    write_card,
)
from mtdetect.wordclass import WORD, word_class_tokens

from . import estimators, sources
from .dataset import CLEAN_KINDS, PAIR_FOLDS, Row, fold_of, pair_group, rows_from_pairs, split_of
from .estimators import WEIGHTINGS, PlattCalibration, SignBoundedLogistic, Standardizer, WordTables, recipe_weighting
from .pairs import republished_pairs, seed_pairs
from .tables import pair_counts, word_frequency_table
from .train import featurize_out_of_fold, row_family

DEFAULT_MODEL = Path("models")
DEFAULT_REPORT_DIR = Path("reports")
DEFAULT_EVAL_CACHE = Path("build/eval")
DEV_FILE = Path("dev") / "wmt14-potet-paragraphs.jsonl.gz"
"""The development set, relative to the data folder. Scored only, never fitted on."""
DEV_TESTSETS = ("newstest2014", "potet")
MQM_SET = ("MQM", "zh-en TED, 13 MT systems vs human")
"""The held-out set of MQM pairs: machine translations by engines no other source uses."""
SEED_FOLDS = 5
"""Cross-validation folds of the seed groups (each fold is one full classifier refit)."""
ABLATION_ROWS = 12000
"""Training rows sampled for the ablation refits (a full refit takes minutes)."""
ABLATION_SOURCES = ("seed", "mqm", "garble", "roundtrip", "roundtrip+garble", "typography")
ABLATION_FAMILIES = ("artifact", "language", "word_class")
TOP_NGRAMS = 20
SIGN_MARGIN = 0.02
"""A feature's univariate ROC-AUC must be this far from 0.5 to count as having a sign."""
SPACE_MARK = "␣"
"""Shown for a space inside a word-class token (``said , that`` has the token ``␣,␣``)."""


def log(message: str) -> None:
    print(f"[evaluate] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SetMetrics:
    """Quality figures of one evaluation set; ``None`` where a class is missing."""

    rows: int
    garbled: int
    clean: int
    roc_auc: float | None
    average_precision: float | None
    true_positive_rate: float | None
    false_positive_rate: float | None


def set_metrics(labels: np.ndarray, scores: np.ndarray, threshold: float) -> SetMetrics:
    """ROC-AUC, average precision and the rates at ``threshold`` (a score >= it is flagged).

    >>> m = set_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.6, 0.4, 0.9]), 0.5)
    >>> (m.roc_auc, m.average_precision, m.true_positive_rate, m.false_positive_rate)
    (0.75, 0.8333333333333333, 0.5, 0.5)
    >>> set_metrics(np.array([0, 0]), np.array([0.1, 0.7]), 0.5).roc_auc is None
    True
    """
    labels = np.asarray(labels).astype(int)
    scores = np.asarray(scores, dtype=np.float64)
    garbled = labels == 1
    flagged = scores >= threshold
    both = 0 < garbled.sum() < len(labels)
    return SetMetrics(
        rows=len(labels),
        garbled=int(garbled.sum()),
        clean=int((~garbled).sum()),
        roc_auc=float(roc_auc_score(labels, scores)) if both else None,
        average_precision=float(average_precision_score(labels, scores)) if both else None,
        true_positive_rate=float(flagged[garbled].mean()) if garbled.any() else None,
        false_positive_rate=float(flagged[~garbled].mean()) if (~garbled).any() else None,
    )


def roc_auc_or_none(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC-AUC, or ``None`` when only one class is present.

    >>> roc_auc_or_none(np.array([0, 1]), np.array([0.3, 0.2]))
    0.0
    """
    labels = np.asarray(labels)
    if not 0 < labels.sum() < len(labels):
        return None
    return float(roc_auc_score(labels, scores))


@dataclass
class EvalSet:
    """Labels and scores of one evaluation set, with its section of the report."""

    section: str
    name: str
    labels: np.ndarray
    scores: np.ndarray
    note: str = ""

    def metrics(self, threshold: float) -> SetMetrics:
        return set_metrics(self.labels, self.scores, threshold)


# --------------------------------------------------------------------------
# The dev-set protocol
# --------------------------------------------------------------------------


def stable_hash(key: str) -> int:
    """A hash of ``key`` that is the same on every machine and run (unlike ``hash``).

    >>> stable_hash("doc-1") == stable_hash("doc-1")
    True
    """
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def doc_half(doc_id: str) -> str:
    """``"even"`` or ``"odd"``: the half of the documents ``doc_id`` falls in.

    >>> sorted({doc_half(str(i)) for i in range(20)})
    ['even', 'odd']
    """
    return "even" if stable_hash(f"doc:{doc_id}") % 2 == 0 else "odd"


@dataclass(frozen=True, slots=True)
class DevRow:
    """One sampled dev-set paragraph: label 1 for machine translation, 0 for the human text."""

    text: str
    label: int
    group_id: str
    doc_id: str
    system: str


def read_dev(path: Path) -> list[dict]:
    """The records of the dev-set file (gzip JSONL)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def sample_dev(records: Iterable[Mapping], salt: str = "dev") -> list[DevRow]:
    """One human and one MT paragraph per ``group_id``, human texts deduplicated.

    Groups are visited in ``group_id`` order; the MT paragraph is one of the
    group's ``mt`` rows picked by a stable hash of the group (``mt_postedited``
    rows are neither class and never picked); a human text already taken from
    an earlier group is not taken again (newstest2014 shares English references
    between language pairs).

    >>> rows = sample_dev([
    ...     {"group_id": "g1", "doc_id": "d", "label": "human", "system": "ref", "text": "Same words."},
    ...     {"group_id": "g1", "doc_id": "d", "label": "mt", "system": "a", "text": "Words same."},
    ...     {"group_id": "g2", "doc_id": "e", "label": "human", "system": "ref", "text": "Same words."},
    ...     {"group_id": "g2", "doc_id": "e", "label": "mt_postedited", "system": "p", "text": "Edited."},
    ...     {"group_id": "g2", "doc_id": "e", "label": "mt", "system": "b", "text": "The same words."}])
    >>> [(r.group_id, r.label, r.text) for r in rows]
    [('g1', 0, 'Same words.'), ('g1', 1, 'Words same.'), ('g2', 1, 'The same words.')]
    """
    groups: dict[str, list[Mapping]] = defaultdict(list)
    for record in records:
        groups[record["group_id"]].append(record)
    taken_human: set[str] = set()
    out: list[DevRow] = []
    for group_id in sorted(groups):
        members = sorted(groups[group_id], key=lambda r: (r["system"], r["text"]))
        humans = [r for r in members if r["label"] == "human"]
        machines = [r for r in members if r["label"] == "mt"]
        if humans:
            human = humans[0]
            key = " ".join(human["text"].split())
            if key not in taken_human:
                taken_human.add(key)
                out.append(DevRow(human["text"], 0, group_id, str(human["doc_id"]), human["system"]))
        if machines:
            mt = machines[stable_hash(f"{salt}:{group_id}") % len(machines)]
            out.append(DevRow(mt["text"], 1, group_id, str(mt["doc_id"]), mt["system"]))
    return out


def dev_samples(records: Sequence[Mapping]) -> dict[str, list[DevRow]]:
    """The sampled dev sets: per test set, all documents and each half by ``doc_id`` hash.

    Each half is sampled on its own, so its human texts are deduplicated within it.
    """
    out: dict[str, list[DevRow]] = {}
    for testset in DEV_TESTSETS:
        part = [r for r in records if r.get("testset") == testset]
        if not part:
            continue
        out[testset] = sample_dev(part)
        for half in ("even", "odd"):
            out[f"{testset}, {half} doc_ids"] = sample_dev([r for r in part if doc_half(str(r["doc_id"])) == half])
    return out


# --------------------------------------------------------------------------
# Held-out sets from the training pairs
# --------------------------------------------------------------------------


def corruption_names(kind: str) -> list[str]:
    """The corruption names of a synthetic pair kind (none for other kinds).

    >>> corruption_names("garble:split_date+word_order")
    ['split_date', 'word_order']
    >>> corruption_names("roundtrip:spa+garble")
    []
    """
    return kind.removeprefix("garble:").split("+") if kind.startswith("garble:") else []


def source_of_kind(kind: str) -> str:
    """The training source (as ablated) a pair kind belongs to.

    >>> kinds = ("seed", "republished", "garble:split_date", "roundtrip:spa", "roundtrip:spa+garble")
    >>> [source_of_kind(k) for k in kinds]
    ['seed', 'seed', 'garble', 'roundtrip', 'roundtrip+garble']
    """
    if kind in ("seed", "republished"):
        return "seed"
    if kind.startswith("garble:"):
        return "garble"
    if kind.startswith("roundtrip:"):
        return "roundtrip+garble" if kind.endswith("+garble") else "roundtrip"
    return kind


def heldout_sets(pairs: Iterable[Mapping], split: str = "test") -> dict[tuple[str, str], list[tuple[str, int]]]:
    """``(section, name) -> [(text, label)]`` for the pairs of one split.

    Each set holds the garbled sides of its pairs (label 1) and their originals
    (label 0), each text once: round trips by pivot (plain, and with synthetic
    damage on top), synthetic pairs by corruption name (a pair with two
    corruptions is in both sets) and MQM. Clean-only kinds are left to
    :func:`clean_set`.

    >>> sets = heldout_sets([{"original": "A b.", "garbled": "A, b.", "kind": "garble:orphan_punctuation",
    ...                       "source": "s", "doc": "d"}], split=split_of("s:d"))
    >>> sets[("synthetic damage", "orphan_punctuation")]
    [('A b.', 0), ('A, b.', 1)]
    """
    sets: dict[tuple[str, str], dict[tuple[str, int], None]] = defaultdict(dict)
    for pair in pairs:
        kind = pair.get("kind", "pair")
        if kind in CLEAN_KINDS or split_of(pair_group(pair)) != split:
            continue
        if kind.startswith("roundtrip:"):
            pivot = kind.removeprefix("roundtrip:")
            if pivot.endswith("+garble"):
                keys = [("round trips + damage", pivot.removesuffix("+garble"))]
            else:
                keys = [("round trips", pivot)]
        elif kind.startswith("garble:"):
            keys = [("synthetic damage", name) for name in corruption_names(kind)]
        elif kind == "mqm":
            keys = [MQM_SET]
        elif kind == "seed":
            continue  # the seed pair is cross-validated on its own
        else:
            keys = [("pairs", kind)]
        for key in keys:
            for text, label in ((pair["original"], 0), (pair["garbled"], 1)):
                if text.strip():
                    sets[key][(text, label)] = None
    return {key: list(members) for key, members in sorted(sets.items())}


# --------------------------------------------------------------------------
# Cached feature matrices
# --------------------------------------------------------------------------


@dataclass
class Matrices:
    """Features of a list of texts: raw dense columns, hashed word-class counts, labels."""

    dense: np.ndarray
    word_class: sp.csr_matrix
    labels: np.ndarray


CODE_MODULES = (
    "mtdetect.features", "mtdetect.rules", "mtdetect.wordclass", "mtdetect.typography",
    "mtdetect.segment", "mtdetect.align", "training.sources", "training.dataset", "training.garble",
    "training.mqm", "training.pairs", "training.tables", "training.train", "training.wordnet",
)
"""Modules whose code decides the rows and their features (their bytes key the cache)."""


def code_version() -> str:
    """A short hash of the feature and pair code (and the mtdetect version)."""
    digest = hashlib.sha256(mtdetect.__version__.encode())
    for name in CODE_MODULES:
        module = sys.modules.get(name) or __import__(name, fromlist=["_"])
        digest.update(name.encode() + b"\0" + Path(module.__file__).read_bytes())
    return digest.hexdigest()[:12]


def texts_digest(texts: Iterable[str]) -> str:
    """A hash of an ordered list of texts, stored beside cached features to check them.

    >>> texts_digest(["a", "b"]) != texts_digest(["ab"])
    True
    """
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def save_matrices(path: Path, matrices: Matrices, digest: str) -> None:
    """Write features as a plain ``.npz`` (no pickles), atomically."""
    wc = matrices.word_class.tocsr()
    with atomic_writer(path, "wb") as handle:
        np.savez(
            handle, dense=matrices.dense, labels=matrices.labels, wc_data=wc.data, wc_indices=wc.indices,
            wc_indptr=wc.indptr, wc_shape=np.array(wc.shape), digest=np.array(digest),
        )


def load_matrices(path: Path, digest: str) -> Matrices | None:
    """Cached features, or ``None`` if missing, unreadable or made from other texts."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["digest"]) != digest:
                return None
            wc = sp.csr_matrix((data["wc_data"], data["wc_indices"], data["wc_indptr"]), shape=tuple(data["wc_shape"]))
            return Matrices(data["dense"], wc, data["labels"])
    except (OSError, KeyError, ValueError):
        return None


def cached_features(
    path: Path, texts: Sequence[str], labels: Sequence[int], compute: Callable[[], Matrices]
) -> Matrices:
    """Features of ``texts`` from ``path`` if it holds them, else computed and cached."""
    digest = texts_digest(f"{label}\t{text}" for text, label in zip(texts, labels))
    found = load_matrices(path, digest)
    if found is not None:
        log(f"features: {len(texts)} rows from {path}")
        return found
    started = time.perf_counter()
    matrices = compute()
    save_matrices(path, matrices, digest)
    log(f"features: {len(texts)} rows computed in {time.perf_counter() - started:.0f} s, cached in {path}")
    return matrices


def featurize_texts(texts: Sequence[str], tables: LexicalTables, labels: Sequence[int]) -> Matrices:
    """Features of texts with one set of word tables."""
    batch = compute_features(list(texts), tables)
    return Matrices(batch.dense, batch.word_class.tocsr(), np.asarray(labels, dtype=np.int8))


def featurize_training_rows(rows: Sequence[Row], words, fold_counts: list[Counter]) -> Matrices:
    """Training rows as the recipe featurises them: word-pair counts out of fold."""
    m = featurize_out_of_fold(rows, words, fold_counts)
    return Matrices(m.dense, m.word_class.tocsr(), np.asarray(m.labels, dtype=np.int8))


def weighting_description(weighting: str) -> str:
    """How refits weight their rows (as the model's training did).

    >>> weighting_description("balanced")
    'classes balanced, as in training'
    """
    return f"{WEIGHTINGS[weighting]}, as in training"


def subset(m: Matrices, index: np.ndarray) -> Matrices:
    return Matrices(m.dense[index], m.word_class[index], m.labels[index])


def sample_weights(labels: np.ndarray, kinds: Sequence[str], weighting: str) -> np.ndarray:
    """Sample weights of a refit, as the model's own training weighted its rows.

    >>> sample_weights(np.array([0, 1, 1, 1]), ["original"] + ["roundtrip:spa"] * 3, "balanced").tolist()
    [2.0, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666]
    """
    return estimators.sample_weights(labels, [row_family(kind) for kind in kinds], weighting)


# --------------------------------------------------------------------------
# Classifier refits
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FitTask:
    """One refit: training rows, design columns kept, and whether dense signs are bounded."""

    name: str
    rows: np.ndarray
    columns: np.ndarray
    bounded: bool = True


@dataclass(frozen=True)
class FitResult:
    name: str
    coef: np.ndarray  # over all design columns (dropped columns 0)
    intercept: float
    seconds: float
    rows: int


def _fit_compressed(name: str, x: sp.csr_matrix, labels: np.ndarray, weights: np.ndarray, used: np.ndarray,
                    directions: np.ndarray, c: float, n_columns: int) -> FitResult:
    """Fit on the used columns only (the others get weight 0 either way) and expand back."""
    started = time.perf_counter()
    fitted = SignBoundedLogistic(C=c, directions=directions).fit(x, labels, weights)
    full = np.zeros(n_columns)
    full[used] = fitted.coef_
    return FitResult(name, full, fitted.intercept_, time.perf_counter() - started, len(labels))


def _compressed(task: FitTask, x: sp.csr_matrix, labels: np.ndarray, directions: np.ndarray) -> tuple:
    rows = x[task.rows]
    kept = np.zeros(x.shape[1], dtype=bool)
    kept[task.columns] = True
    present = np.zeros(x.shape[1], dtype=bool)
    present[np.unique(rows.indices)] = True
    n_dense = len(directions)
    present[:n_dense] = True  # dense columns stay (a constant column simply gets weight 0)
    used = np.flatnonzero(kept & present)
    signs = np.zeros(x.shape[1])
    if task.bounded:
        signs[:n_dense] = directions
    return rows[:, used].tocsr().astype(np.float64), labels[task.rows], used, signs[used]


def run_fits(tasks: Sequence[FitTask], x: sp.csr_matrix, labels: np.ndarray, kinds: Sequence[str], c: float,
             weighting: str, jobs: int) -> dict[str, FitResult]:
    """Run the refits (``jobs`` processes), largest first; log each as it finishes.

    Each refit gets the recipe's sample weights computed over its own rows.
    """
    from joblib import Parallel, delayed

    directions = np.array([spec.direction for spec in DENSE_FEATURES], dtype=np.float64)
    ordered = sorted(tasks, key=lambda t: -len(t.rows) * len(t.columns))

    def jobs_iter():
        for task in ordered:
            xs, ys, used, signs = _compressed(task, x, labels, directions)
            weights = sample_weights(ys, [kinds[i] for i in task.rows], weighting)
            yield delayed(_fit_compressed)(task.name, xs, ys, weights, used, signs, c, x.shape[1])

    results: dict[str, FitResult] = {}
    runner = Parallel(n_jobs=jobs, return_as="generator_unordered", pre_dispatch="n_jobs")
    for result in runner(jobs_iter()):
        results[result.name] = result
        log(f"refit {len(results)}/{len(tasks)}: {result.name} ({result.rows} rows) in {result.seconds:.0f} s")
    return results


def decision(result: FitResult, x: sp.csr_matrix) -> np.ndarray:
    return np.asarray(x @ result.coef).ravel() + result.intercept


def family_columns(n_columns: int) -> dict[str, np.ndarray]:
    """Design columns of each feature family (dense families first, then word-class n-grams)."""
    families = np.array([spec.family for spec in DENSE_FEATURES])
    out = {name: np.flatnonzero(families == name) for name in dict.fromkeys(families)}
    out["word_class"] = np.arange(len(DENSE_FEATURES), n_columns)
    return out


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def fmt(value: float | int | None, digits: int = 3) -> str:
    """A number for a table cell; ``–`` for a missing one.

    >>> fmt(0.91234), fmt(None), fmt(12), fmt(0.5, 1)
    ('0.912', '–', '12', '0.5')
    """
    if value is None:
        return "–"
    if isinstance(value, (int, np.integer)):
        return str(value)
    return f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    """A rate as a percentage.

    >>> pct(0.0123), pct(None)
    ('1.2%', '–')
    """
    return "–" if value is None else f"{100 * value:.1f}%"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> str:
    """A GitHub-flavoured markdown table; ``align`` holds one of ``l``/``r`` per column.

    Pipes inside cells are escaped so they do not split the cell.

    >>> print(markdown_table(["set", "AUC"], [["a|b", "0.9"]], align="lr"))
    | set | AUC |
    |:--|--:|
    | a\\|b | 0.9 |
    """
    align = align.ljust(len(headers), "l")
    cell = lambda value: str(value).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = [
        "| " + " | ".join(cell(h) for h in headers) + " |",
        "|" + "|".join(":--" if a == "l" else "--:" for a in align) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


METRIC_HEADERS = ("section", "set", "rows", "garbled", "clean", "ROC-AUC", "avg precision", "TPR @ thr", "FPR @ thr")


def metric_row(section: str, name: str, m: SetMetrics) -> list[str]:
    return [section, name, fmt(m.rows), fmt(m.garbled), fmt(m.clean), fmt(m.roc_auc), fmt(m.average_precision),
            pct(m.true_positive_rate), pct(m.false_positive_rate)]


def display_ngram(gram: str) -> str:
    """A hashed word-class n-gram as text: tokens separated by spaces, inner spaces marked.

    >>> display_ngram("x\\x01 , \\x01that")
    'x ␣,␣ that'
    """
    return " ".join(token.replace(" ", SPACE_MARK) for token in gram.split("\x01"))


@dataclass(frozen=True)
class Target:
    """An acceptance target: a measured value against a bound."""

    name: str
    value: float | None
    bound: float
    at_most: bool = False  # True: the value must be <= bound; False: >= bound

    @property
    def verdict(self) -> str:
        """``PASS``, ``FAIL`` or ``N/A`` (not measured).

        >>> Target("fpr", 0.012, 0.01, at_most=True).verdict, Target("auc", 0.8, 0.75).verdict
        ('FAIL', 'PASS')
        """
        if self.value is None:
            return "N/A"
        ok = self.value <= self.bound if self.at_most else self.value >= self.bound
        return "PASS" if ok else "FAIL"


def render_acceptance(targets: Sequence[Target], as_percent: Sequence[str] = ()) -> str:
    """The acceptance block: one line per target with its measured value and verdict.

    >>> print(render_acceptance([Target("seed pair ROC-AUC", 0.95, 0.90)]))
    | target | required | measured | result |
    |:--|:--|--:|:--|
    | seed pair ROC-AUC | >= 0.900 | 0.950 | PASS |
    """
    rows = []
    for t in targets:
        show = pct if t.name in as_percent else fmt
        rows.append([t.name, f"{'<=' if t.at_most else '>='} {show(t.bound)}", show(t.value), t.verdict])
    return markdown_table(["target", "required", "measured", "result"], rows, align="llrl")


def git_state(root: Path = Path(".")) -> str:
    """The short commit of ``root``, with "uncommitted changes" when the tree is dirty."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)

    head = git("rev-parse", "--short", "HEAD")
    commit = head.stdout.strip() if head.returncode == 0 else "no commit yet"
    status = git("status", "--porcelain")
    if status.returncode != 0:
        return f"{commit} (not a git checkout)"
    return f"{commit}, uncommitted changes" if status.stdout.strip() else commit


def duration(seconds: float) -> str:
    """Seconds as ``12 min 5 s``.

    >>> duration(725.4), duration(42)
    ('12 min 5 s', '42 s')
    """
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def training_time(card: Mapping) -> str | None:
    """How long training took, if the card says (any ``*seconds*`` field at its top levels)."""
    for scope in (card, card.get("training", {}), card.get("training_data", {}), card.get("classifier", {})):
        if not isinstance(scope, Mapping):
            continue
        for key, value in scope.items():
            if "second" in key and isinstance(value, (int, float)) and "roundtrip" not in key:
                return duration(float(value))
    return None


# --------------------------------------------------------------------------
# The evaluation
# --------------------------------------------------------------------------


@dataclass
class Context:
    """Everything the evaluation steps share."""

    model: Model
    model_path: Path
    data: Path
    pairs: list[dict]
    description: dict
    rows: list[Row]
    train_rows: list[Row]
    train_m: Matrices
    calib_m: Matrices
    test_rows: list[Row]
    test_m: Matrices
    dev: dict[str, list[DevRow]]
    dev_index: dict[str, int]
    dev_m: Matrices | None
    standardizer: Standardizer
    words: tuple[np.ndarray, np.ndarray]
    train_counts: Counter
    tables_match: bool
    notes: list[str] = field(default_factory=list)

    @property
    def threshold(self) -> float:
        return self.model.threshold

    def x(self, m: Matrices) -> sp.csr_matrix:
        return self.standardizer.design(m.dense, m.word_class)


def model_label(path: Path) -> str:
    """The model's stem as shown in the report.

    >>> model_label(Path("models/default.card.json")), model_label(Path("models/other.npz"))
    ('models/default', 'models/other')
    """
    if path.suffix == ".npz":
        return path.with_suffix("").as_posix()
    if path.name.endswith(CARD_SUFFIX):
        return path.with_name(path.name.removesuffix(CARD_SUFFIX)).as_posix()
    return (path / DEFAULT_MODEL_NAME).as_posix()


def resolve_model(path: Path) -> Path:
    """A model path as :func:`mtdetect.model.load_model` takes it (a stem gets ``.card.json``)."""
    if not path.exists() and path.with_name(path.name + CARD_SUFFIX).exists():
        return path.with_name(path.name + CARD_SUFFIX)
    return path


def shipped_scores(model: Model, m: Matrices, texts: Sequence[str]) -> np.ndarray:
    """The model's probabilities from cached features (as the Detector gives them: 0 without a word)."""
    scores = model.probability(FeatureBatch(m.dense, m.word_class))
    has_word = np.array([bool(WORD.search(t)) for t in texts])
    return np.where(has_word, scores, 0.0)


def prepare(args: argparse.Namespace) -> Context:
    model_path = resolve_model(Path(args.model))
    model = load_model(model_path)
    log(f"model {model_path}: threshold {model.threshold:.4f}, C {model.card.get('classifier', {}).get('C')}")
    data = Path(args.data)
    pairs, description = sources.collect(data, Path(args.cache), seed=args.seed, roundtrip_pairs=not args.no_roundtrip)
    rows = list(rows_from_pairs(pairs))
    split = {name: [r for r in rows if r.split == name] for name in ("train", "calibration", "test")}
    log("rows: " + ", ".join(f"{k} {len(v)}" for k, v in split.items()))

    dev_path = data / DEV_FILE
    dev = dev_samples(read_dev(dev_path)) if dev_path.is_file() else {}
    dev_texts = list(dict.fromkeys(r.text for sample in dev.values() for r in sample))

    rt = Path(description.get("roundtrip_cache", {}).get("file", "no-roundtrip")).name.removesuffix(".jsonl")
    data_key = hashlib.sha256(json.dumps(description.get("data_files", {}), sort_keys=True).encode()).hexdigest()[:8]
    key = f"{rt}-{code_version()}-{data_key}"
    cache = Path(args.eval_cache)

    words = word_frequency_table()
    clean_train = [r for r in split["train"] if r.label == 0]
    fold_counts = [pair_counts(r.text for r in clean_train if fold_of(r.group) == k) for k in range(PAIR_FOLDS)]
    train_counts = sum(fold_counts, Counter())
    full = WordTables(words).fit(train_counts).tables_
    tables_match = bool(np.array_equal(full.pair_index, model.tables.pair_index)
                        and np.array_equal(full.word_index, model.tables.word_index))
    if not tables_match:
        log("warning: the model's word tables differ from the ones these pairs give (model trained on other data?)")

    train_rows = split["train"]
    train_m = cached_features(cache / f"train-{key}.npz", [r.text for r in train_rows], [r.label for r in train_rows],
                              lambda: featurize_training_rows(train_rows, words, fold_counts))
    model_key = f"{key}-{model.card.get('weights_sha256', 'nomodel')[:12]}"
    held = split["calibration"] + split["test"]
    held_texts = [r.text for r in held] + dev_texts
    held_labels = [r.label for r in held] + [0] * len(dev_texts)
    held_m = cached_features(cache / f"heldout-{model_key}.npz", held_texts, held_labels,
                             lambda: featurize_texts(held_texts, model.tables, held_labels))
    n_cal, n_test = len(split["calibration"]), len(split["test"])
    return Context(
        model=model, model_path=model_path, data=data, pairs=pairs, description=description, rows=rows,
        train_rows=train_rows, train_m=train_m,
        calib_m=subset(held_m, np.arange(n_cal)),
        test_rows=split["test"], test_m=subset(held_m, np.arange(n_cal, n_cal + n_test)),
        dev=dev, dev_index={t: i for i, t in enumerate(dev_texts)},
        dev_m=subset(held_m, np.arange(n_cal + n_test, len(held_texts))) if dev_texts else None,
        standardizer=Standardizer().fit(train_m.dense), words=words, train_counts=train_counts, tables_match=tables_match,
    )


def dev_matrices(ctx: Context, sample: Sequence[DevRow]) -> Matrices:
    index = np.array([ctx.dev_index[r.text] for r in sample], dtype=np.int64)
    m = subset(ctx.dev_m, index)
    return Matrices(m.dense, m.word_class, np.array([r.label for r in sample], dtype=np.int8))


def heldout_eval_sets(ctx: Context) -> list[EvalSet]:
    """The test-split sets scored by the shipped model, plus the whole split and its clean rows."""
    texts = [r.text for r in ctx.test_rows]
    scores = shipped_scores(ctx.model, ctx.test_m, texts)
    by_text = {t: s for t, s in zip(texts, scores)}
    out = []
    for (section, name), members in heldout_sets(ctx.pairs).items():
        labels = np.array([label for _, label in members])
        out.append(EvalSet(section, name, labels, np.array([by_text[t] for t, _ in members])))
    labels = ctx.test_m.labels.astype(int)
    out.append(EvalSet("test split", "all held-out rows", labels, scores, "every clean row against every garbled row"))
    clean = labels == 0
    kinds = Counter(_clean_kind(r) for r in ctx.test_rows if r.label == 0)
    out.append(EvalSet("clean", "all clean held-out paragraphs", labels[clean], scores[clean]))
    for kind in sorted(kinds):
        mask = np.array([r.label == 0 and _clean_kind(r) == kind for r in ctx.test_rows])
        out.append(EvalSet("clean", kind, labels[mask], scores[mask]))
    return out


def _clean_kind(row: Row) -> str:
    if row.kind == "original":
        named = {"mqm": "MQM human translations", "seed": "seed article paragraphs"}
        return named.get(row.source, f"{row.source} originals")
    return f"{row.kind} variants"


def dev_eval_sets(ctx: Context) -> list[EvalSet]:
    out = []
    for name, sample in ctx.dev.items():
        m = dev_matrices(ctx, sample)
        scores = shipped_scores(ctx.model, m, [r.text for r in sample])
        groups = len({r.group_id for r in sample})
        docs = len({r.doc_id for r in sample})
        out.append(EvalSet("dev set", name, m.labels.astype(int), scores, f"{groups} groups, {docs} documents"))
    return out


# -- seed cross-validation ----------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class SeedPlan:
    """The seed rows to score and, per fold, the rows to score and the texts to leave out."""

    texts: list[str]
    labels: np.ndarray
    fold: np.ndarray
    excluded: list[set[str]]


def seed_plan(data: Path, pairs: Sequence[Mapping], folds: int) -> SeedPlan:
    """Assign seed groups to folds (round robin in paragraph order) and list what each fold leaves out.

    A fold leaves out its 004 paragraphs, their 001 and 000 versions, and every
    other pair made from those paragraphs (their round trips), so no text of a
    left-out group reaches training.
    """
    seed = seed_pairs(data)
    groups = sorted({int(p["group"]) for p in seed})
    fold_of_group = {g: i % folds for i, g in enumerate(groups)}
    texts, labels, fold = [], [], []
    seen: set[tuple[str, int]] = set()
    for p in seed:
        for text, label in ((p["original"], 0), (p["garbled"], 1)):
            if (text, label) not in seen and text.strip():
                seen.add((text, label))
                texts.append(text)
                labels.append(label)
                fold.append(fold_of_group[int(p["group"])])
    excluded: list[set[str]] = [set() for _ in range(folds)]
    for p in seed + republished_pairs(data):
        excluded[fold_of_group.get(int(p["group"]), 0)].update((_norm(p["original"]), _norm(p["garbled"])))
    for k in range(folds):
        excluded[k] |= {_norm(p["garbled"]) for p in pairs if _norm(p["original"]) in excluded[k]}
    return SeedPlan(texts, np.array(labels), np.array(fold), excluded)


def seed_tasks(ctx: Context, plan: SeedPlan, columns: np.ndarray) -> list[FitTask]:
    norm = [_norm(r.text) for r in ctx.train_rows]
    tasks = []
    for k, excluded in enumerate(plan.excluded):
        keep = np.array([t not in excluded for t in norm])
        tasks.append(FitTask(f"seed fold {k + 1}/{len(plan.excluded)}", np.flatnonzero(keep), columns))
    return tasks


def seed_eval_set(ctx: Context, plan: SeedPlan, results: Mapping[str, FitResult]) -> EvalSet:
    """Score each fold's seed rows with the refit that left them out (Platt-calibrated as shipped)."""
    scores = np.zeros(len(plan.texts))
    calib_texts_norm = None
    for k, excluded in enumerate(plan.excluded):
        result = results[f"seed fold {k + 1}/{len(plan.excluded)}"]
        left_out_clean = [r.text for r in ctx.train_rows if r.label == 0 and _norm(r.text) in excluded]
        tables = WordTables(ctx.words).fit(ctx.train_counts - pair_counts(left_out_clean)).tables_
        index = np.flatnonzero(plan.fold == k)
        m = featurize_texts([plan.texts[i] for i in index], tables, plan.labels[index])
        if calib_texts_norm is None:
            calib_texts_norm = [_norm(r.text) for r in ctx.rows if r.split == "calibration"]
        keep = np.array([t not in excluded for t in calib_texts_norm])
        calib = subset(ctx.calib_m, np.flatnonzero(keep))
        calibration = PlattCalibration().fit(decision(result, ctx.x(calib)), calib.labels)
        scores[index] = calibration.predict_proba(decision(result, ctx.x(m)))
    folds = len(plan.excluded)
    return EvalSet("seed pair", f"004 vs 001, {folds}-fold CV by paragraph group", plan.labels, scores,
                   "each row scored by a refit that saw no text of its group")


def seed_shipped_set(ctx: Context, plan: SeedPlan) -> EvalSet:
    m = featurize_texts(plan.texts, ctx.model.tables, plan.labels)
    return EvalSet("seed pair", "004 vs 001, shipped model (not held out)", plan.labels,
                   shipped_scores(ctx.model, m, plan.texts), "the train split holds most seed groups")


# -- ablations ------------------------------------------------------------------


def row_sources(pairs: Iterable[Mapping]) -> dict[tuple[str, int, str], set[str]]:
    """For each row key (text, label, group) of :func:`rows_from_pairs`, the sources that made it.

    >>> keys = row_sources([
    ...     {"original": "A b.", "garbled": "A, b.", "kind": "garble:x", "source": "s", "doc": "d"},
    ...     {"original": "A b.", "garbled": "A b .", "kind": "roundtrip:spa", "source": "s", "doc": "d"}])
    >>> sorted(keys[("A b.", 0, "s:d")])
    ['garble', 'roundtrip']
    """
    out: dict[tuple[str, int, str], set[str]] = defaultdict(set)
    for pair in pairs:
        group, kind = pair_group(pair), pair.get("kind", "pair")
        source = source_of_kind(kind)
        out[(pair["original"], 0, group)].add(source)
        out[(pair["garbled"], 0 if kind in CLEAN_KINDS else 1, group)].add(source)
    return out


def ablation_tasks(ctx: Context, n_rows: int, seed: int) -> tuple[list[FitTask], int]:
    """The reference refit and one refit per removed family or source, on one row sample."""
    n = len(ctx.train_rows)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.permutation(n)[: min(n_rows, n)])
    n_columns = len(DENSE_FEATURES) + ctx.train_m.word_class.shape[1]
    every = np.arange(n_columns)
    tasks = [FitTask("all features, all sources", sample, every),
             FitTask("all features, all sources, no sign bounds", sample, every, bounded=False)]
    for family, columns in family_columns(n_columns).items():
        tasks.append(FitTask(f"without {family} features", sample, np.setdiff1d(every, columns)))
    made_by = row_sources(ctx.pairs)
    row_made_by = [made_by[(ctx.train_rows[i].text, ctx.train_rows[i].label, ctx.train_rows[i].group)] for i in sample]
    for source in ABLATION_SOURCES:
        keep = np.array([bool(s - {source}) for s in row_made_by])
        tasks.append(FitTask(f"without {source} pairs", sample[keep], every))
    return tasks, len(sample)


@dataclass(frozen=True)
class AblationRow:
    name: str
    rows: int
    dev: dict[str, float | None]
    test_auc: float | None
    mqm_auc: float | None


def mqm_test_rows(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Positions in the test split of the held-out MQM set's texts, and their labels."""
    position = {r.text: i for i, r in enumerate(ctx.test_rows)}
    members = heldout_sets(ctx.pairs).get(MQM_SET, [])
    return (np.array([position[text] for text, _ in members], dtype=np.int64),
            np.array([label for _, label in members], dtype=np.int64))


def ablation_rows(ctx: Context, tasks: Sequence[FitTask], results: Mapping[str, FitResult]) -> list[AblationRow]:
    x_test = ctx.x(ctx.test_m)
    mqm_index, mqm_labels = mqm_test_rows(ctx)
    dev_x = {name: ctx.x(dev_matrices(ctx, ctx.dev[name])) for name in DEV_TESTSETS if name in ctx.dev}
    dev_y = {name: np.array([r.label for r in ctx.dev[name]]) for name in dev_x}
    out = []
    for task in tasks:
        result = results[task.name]
        dev = {name: roc_auc_or_none(dev_y[name], decision(result, x)) for name, x in dev_x.items()}
        test = decision(result, x_test)
        out.append(AblationRow(task.name, len(task.rows), dev, roc_auc_or_none(ctx.test_m.labels, test),
                               roc_auc_or_none(mqm_labels, test[mqm_index])))
    return out


def shipped_ablation_row(ctx: Context) -> AblationRow:
    test_scores = shipped_scores(ctx.model, ctx.test_m, [r.text for r in ctx.test_rows])
    mqm_index, mqm_labels = mqm_test_rows(ctx)
    dev = {}
    for name in DEV_TESTSETS:
        if name in ctx.dev:
            m = dev_matrices(ctx, ctx.dev[name])
            dev[name] = roc_auc_or_none(m.labels, shipped_scores(ctx.model, m, [r.text for r in ctx.dev[name]]))
    return AblationRow("shipped model (all training rows)", len(ctx.train_rows), dev,
                       roc_auc_or_none(ctx.test_m.labels, test_scores),
                       roc_auc_or_none(mqm_labels, test_scores[mqm_index]))


# -- weights ----------------------------------------------------------------------


def ngram_columns(texts: Iterable[str]) -> dict[int, set[str]]:
    """Hashed column -> the word-class n-grams of ``texts`` that land in it.

    >>> cols = ngram_columns(["The minister said , that"])
    >>> any("\\x01 , \\x01" in g for grams in cols.values() for g in grams)
    True
    """
    out: dict[int, set[str]] = defaultdict(set)
    for text in texts:
        tokens = word_class_tokens(normalize_paragraph(text))
        for gram, column in zip(word_class_ngrams(tokens), word_class_columns(tokens).tolist()):
            out[column].add(gram)
    return dict(out)


def top_ngrams(coef: np.ndarray, columns: Mapping[int, set[str]], k: int = TOP_NGRAMS) -> tuple[list, list]:
    """The ``k`` strongest positive and negative weights among columns with known n-grams.

    >>> pos, neg = top_ngrams(np.array([0.0, 2.0, -1.0, 0.5]), {1: {"a"}, 2: {"b"}, 3: {"c"}}, k=1)
    >>> pos, neg
    ([(1, 2.0, ['a'])], [(2, -1.0, ['b'])])
    """
    known = np.array(sorted(columns), dtype=np.int64)
    weights = coef[known]
    order = np.argsort(weights)
    def item(i: int) -> tuple[int, float, list[str]]:
        return int(known[i]), float(weights[i]), sorted(columns[int(known[i])])

    pos = [item(i) for i in order[::-1][:k] if weights[i] > 0]
    neg = [item(i) for i in order[:k] if weights[i] < 0]
    return pos, neg


SIGN_SOURCES = ("roundtrip", "roundtrip+garble", "garble", "mqm", "seed")
"""Training sources whose own direction is shown per dense feature."""


def sign_sets(ctx: Context) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Dense features and labels of the training rows (all, and per source) and of each dev set."""
    sets = {"train: all": (ctx.train_m.dense, ctx.train_m.labels)}
    made_by = row_sources(ctx.pairs)
    row_made_by = [made_by[(r.text, r.label, r.group)] for r in ctx.train_rows]
    for source in SIGN_SOURCES:
        index = np.flatnonzero([source in s for s in row_made_by])
        if len(index):
            sets[f"train: {source}"] = (ctx.train_m.dense[index], ctx.train_m.labels[index])
    for name in DEV_TESTSETS:
        if name in ctx.dev:
            m = dev_matrices(ctx, ctx.dev[name])
            sets[f"dev: {name}"] = (m.dense, m.labels)
    return sets


def sign_check(ctx: Context, unbounded: FitResult | None) -> tuple[list[str], list[list[str]]]:
    """Per dense feature: its bound, its weights, and which way it points on each set.

    A feature's direction on a set is read from its own ROC-AUC as a score:
    ``+`` more of it on garbled rows, ``−`` on clean rows, ``0`` neither. The
    last column names the training sets that point against the dev set.
    """
    sets = sign_sets(ctx)
    headers = ["feature", "bound", "shipped weight", "unbounded refit (ablation sample)", *sets,
               "training sets pointing against the dev set"]
    rows = []
    for j, (name, spec) in enumerate(zip(dense_feature_names(), DENSE_FEATURES)):
        aucs = {k: roc_auc_or_none(y, dense[:, j]) for k, (dense, y) in sets.items()}
        side = {k: _side(v) for k, v in aucs.items()}
        dev = {side[k] for k in sets if k.startswith("dev: ")} - {"0"}
        against = [k.removeprefix("train: ") for k in sets
                   if k.startswith("train: ") and len(dev) == 1 and side[k] not in ("0", *dev)]
        rows.append([
            f"`{name}`", _SIGN_SYMBOL[spec.direction], fmt(float(ctx.model.dense_coef[j])),
            fmt(None if unbounded is None else float(unbounded.coef[j])),
            *[f"{fmt(aucs[k])} {_SIGN_SYMBOL[{'+': 1, '-': -1, '0': 0}[side[k]]]}" for k in sets],
            ", ".join(against) if against else ("dev sets disagree" if len(dev) > 1 else ""),
        ])
    return headers, rows


_SIGN_SYMBOL = {1: "+", -1: "−", 0: "0"}


def _side(auc: float | None) -> str:
    """``+`` if more of a feature means garbled, ``-`` if clean, ``0`` if neither (within the margin)."""
    if auc is None or abs(auc - 0.5) < SIGN_MARGIN:
        return "0"
    return "+" if auc > 0.5 else "-"


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


@dataclass
class Results:
    ctx: Context
    sets: list[EvalSet]
    ablations: list[AblationRow]
    ablation_sample: int
    seed_folds: int
    sign_table: tuple[list[str], list[list[str]]]
    ngrams: tuple[list, list]
    plots: list[Path]
    fit_seconds: dict[str, float]
    seconds: float = 0.0
    commit: str = ""  # the code evaluated, as git_state() gave it before anything was written


def find_set(sets: Sequence[EvalSet], section: str, name_start: str) -> EvalSet | None:
    return next((s for s in sets if s.section == section and s.name.startswith(name_start)), None)


def acceptance_targets(sets: Sequence[EvalSet], threshold: float) -> list[Target]:
    def metric(section: str, name: str, attribute: str) -> float | None:
        found = find_set(sets, section, name)
        return None if found is None else getattr(found.metrics(threshold), attribute)

    return [
        Target("dev ROC-AUC, newstest2014", metric("dev set", "newstest2014", "roc_auc"), 0.75),
        Target("dev ROC-AUC, potet", metric("dev set", "potet", "roc_auc"), 0.80),
        Target("seed pair ROC-AUC (cross-validated)", metric("seed pair", "004 vs 001, ", "roc_auc"), 0.90),
        Target("clean false-positive rate at the default threshold",
               metric("clean", "all clean", "false_positive_rate"), 0.01, at_most=True),
    ]


def main_table(sets: Sequence[EvalSet], threshold: float) -> str:
    return markdown_table(METRIC_HEADERS, (metric_row(s.section, s.name, s.metrics(threshold)) for s in sets),
                          align="llrrrrrrr")


def render_report(res: Results) -> str:
    ctx, card = res.ctx, res.ctx.model.card
    threshold = ctx.threshold
    targets = acceptance_targets(res.sets, threshold)
    percent = [targets[-1].name]
    out: list[str] = ["# mtdetect evaluation", ""]
    out += [
        f"- **model**: `{model_label(ctx.model_path)}` ({card.get('name', '?')}, "
        f"mtdetect {card.get('mtdetect_version', '?')}, weights sha256 `{card.get('weights_sha256', '?')[:12]}`)",
        f"- **code**: commit {res.commit}; evaluated {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}"
        f" in {duration(res.seconds)}" + (f"; training took {training_time(card)}" if training_time(card) else
                                           "; the card does not record the training time"),
        f"- **classifier**: {card.get('classifier', {}).get('type', '?')}; C = {card.get('classifier', {}).get('C')}"
        f"; default threshold **{threshold:.4f}** ({card.get('threshold_rule', '')})",
        f"- **word tables** rebuilt from these pairs {'match' if ctx.tables_match else 'DO NOT match'} the model's",
        "",
        "Training pairs by kind and rows by split (from the model card):",
        "",
        markdown_table(["pair kind", "pairs"], sorted(card.get("training_data", {}).get("pairs_by_kind", {}).items()),
                       "lr"),
        "",
        markdown_table(["split", "rows", "garbled", "clean"],
                       [[k, v["total"], v["garbled"], v["total"] - v["garbled"]]
                        for k, v in card.get("rows", {}).items()], "lrrr"),
        "",
        "## Acceptance",
        "",
        render_acceptance(targets, as_percent=percent),
        "",
        "## Results by set",
        "",
        f"TPR and FPR are at the default threshold {threshold:.4f}. Held-out sets come from the test split "
        "(whole documents never used in training or calibration); each holds the garbled sides of its pairs and "
        "their originals. Dev sets: one human and one MT paragraph per `group_id` (human texts deduplicated, "
        "`mt_postedited` rows left out), on all documents and on each half of the `doc_id`s by a stable hash.",
        "",
        main_table(res.sets, threshold),
        "",
    ]
    notes = [f"- *{s.section} / {s.name}*: {s.note}" for s in res.sets if s.note]
    out += notes + [""] if notes else []
    out += ["## Plots", ""] + [f"![{p.stem}]({p.name})" for p in res.plots] + [""]
    out += render_ablations(res)
    out += render_weights(res)
    out += ["## Method notes", ""] + [f"- {n}" for n in ctx.notes] + [""]
    return "\n".join(out)


def render_ablations(res: Results) -> list[str]:
    names = [n for n in DEV_TESTSETS if n in res.ctx.dev]
    rows = [[a.name, fmt(a.rows), *[fmt(a.dev.get(n)) for n in names], fmt(a.test_auc), fmt(a.mqm_auc)]
            for a in res.ablations]
    return [
        "## Ablations",
        "",
        f"ROC-AUC of the classifier refitted (C = {res.ctx.model.card.get('classifier', {}).get('C')}, "
        f"{weighting_description(recipe_weighting(res.ctx.model.card))}, sign bounds as shipped) "
        f"on a random sample of {res.ablation_sample} of the "
        f"{len(res.ctx.train_rows)} training rows ({refit_timing(res)}); compare each row with the first refit, "
        "which uses the same sample. Removing a feature family drops "
        "its columns; removing a source drops the rows only it produced. Dev: all sampled groups; test: the whole "
        "test split; MQM: its held-out MQM pairs. MQM's machine translations come from engines that no other "
        "source uses, so the refit without MQM pairs shows how far what the other sources teach carries to "
        "an unseen machine-translation engine.",
        "",
        markdown_table(["refit", "training rows", *[f"dev {n}" for n in names], "test split", "test: MQM"], rows,
                       "lr" + "r" * (len(names) + 2)),
        "",
    ]


def refit_timing(res: Results) -> str:
    """How long the refits took, for the ablation note."""
    full = [v for k, v in res.fit_seconds.items() if k.startswith("seed fold")]
    part = [v for k, v in res.fit_seconds.items() if not k.startswith("seed fold")]
    said = []
    if full:
        said.append(f"a refit on all training rows took {np.mean(full):.0f} s here")
    if part:
        said.append(f"one on the sample {np.mean(part):.0f} s")
    return ", ".join(said) or "no refit timings"


def render_weights(res: Results) -> list[str]:
    headers, rows = res.sign_table
    out = [
        "## Weights",
        "",
        "Dense features: weights on standardised values; *bound* is the sign training lets the weight take "
        "(`+` only positive, `−` only negative); the unbounded refit drops the bounds (ablation sample). "
        "Each set column gives the feature's own ROC-AUC as a score on that set and the way it points there "
        f"(`+`: more of it on garbled rows, `−`: on clean rows, `0`: within {SIGN_MARGIN} of 0.5). "
        "Training sets are the training split's rows (all, and the pairs of each source: its garbled rows and "
        "their originals); the last column names the training sets that point against the dev set.",
        "",
        markdown_table(headers, rows, "lc" + "r" * (len(headers) - 3) + "l"),
        "",
        f"The {TOP_NGRAMS} strongest word-class n-gram weights each way (n-grams seen in the test split hashed to "
        f"their columns; `{SPACE_MARK}` marks a space kept beside punctuation, `x`/`X` a lower/upper-case content "
        "word, `xs`/`xd`/`xg`... its ending, `0` a number):",
        "",
    ]
    for title, items in (("towards garbled", res.ngrams[0]), ("towards clean", res.ngrams[1])):
        rows = [[fmt(w), " / ".join(f"`{display_ngram(g)}`" for g in grams[:3]) + (" …" if len(grams) > 3 else "")]
                for _, w, grams in items]
        out += [f"**{title}**", "", markdown_table(["weight", "n-gram(s) in the column"], rows, "rl"), ""]
    return out


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


HELDOUT_PLOT_SECTIONS = ("seed pair", "MQM", "round trips", "round trips + damage", "test split")


def write_plots(sets: Sequence[EvalSet], out_dir: Path, threshold: float) -> list[Path]:
    from . import plots

    groups = {
        "dev": [s for s in sets if s.section == "dev set" and "doc_ids" not in s.name],
        "heldout": [s for s in sets if s.section in HELDOUT_PLOT_SECTIONS],
        "synthetic": [s for s in sets if s.section == "synthetic damage"],
    }
    titles = {"dev": "dev set (scored only)", "heldout": "seed pair, MQM and round trips (test split)",
              "synthetic": "synthetic damage by corruption (test split)"}
    written = []
    for key, members in groups.items():
        curves = [plots.Curve(f"{s.section}: {s.name}" if key == "heldout" else s.name, s.labels, s.scores)
                  for s in members]
        if not curves:
            continue
        written.append(plots.roc_pr_figure(curves, out_dir / f"roc-pr-{key}.png", titles[key], threshold))
        written.append(plots.histogram_grid(curves, out_dir / f"scores-{key}.png", titles[key], threshold))
    clean = [s for s in sets if s.section == "clean"]
    if clean:
        curves = [plots.Curve(s.name, s.labels, s.scores) for s in clean]
        title = "clean held-out paragraphs"
        written.append(plots.histogram_grid(curves, out_dir / "scores-clean.png", title, threshold))
    return written


def evaluate(args: argparse.Namespace) -> Results:
    started = time.perf_counter()
    commit = git_state()
    ctx = prepare(args)
    sets: list[EvalSet] = []
    x_train = ctx.x(ctx.train_m)
    n_columns = x_train.shape[1]
    c = float(ctx.model.card.get("classifier", {}).get("C", 1.0))

    plan = None
    tasks: list[FitTask] = []
    if (ctx.data / "seeds").is_dir() and args.folds > 1:
        plan = seed_plan(ctx.data, ctx.pairs, args.folds)
        tasks += seed_tasks(ctx, plan, np.arange(n_columns))
    ablation, sample = ([], 0) if args.ablation_rows <= 0 else ablation_tasks(ctx, args.ablation_rows, args.seed)
    tasks += ablation
    log(f"refits: {len(tasks)} ({args.folds if plan else 0} seed folds on all training rows, "
        f"{len(ablation)} ablations on {sample} rows), {args.jobs} processes")
    kinds = [r.kind for r in ctx.train_rows]
    weighting = recipe_weighting(ctx.model.card)
    results = run_fits(tasks, x_train, ctx.train_m.labels, kinds, c, weighting, args.jobs) if tasks else {}

    if plan is not None:
        sets.append(seed_eval_set(ctx, plan, results))
        sets.append(seed_shipped_set(ctx, plan))
    sets += dev_eval_sets(ctx)
    sets += heldout_eval_sets(ctx)

    ablations = ([shipped_ablation_row(ctx)] + ablation_rows(ctx, ablation, results)) if ablation else []
    unbounded = results.get("all features, all sources, no sign bounds")
    coef_wc = ctx.model.word_class_coef.astype(np.float64)
    ngrams = top_ngrams(coef_wc, ngram_columns(r.text for r in ctx.test_rows))
    log("plots")
    plot_paths = write_plots(sets, Path(args.out), ctx.threshold)
    ctx.notes += method_notes(ctx, args, sample)
    return Results(ctx, sets, ablations, sample, args.folds if plan else 0, sign_check(ctx, unbounded), ngrams,
                   plot_paths, {k: v.seconds for k, v in results.items()}, time.perf_counter() - started, commit)


def dev_card_block(sets: Sequence[EvalSet], threshold: float, commit: str) -> dict:
    """The dev-set figures the model card records (whole test sets, not their halves).

    >>> block = dev_card_block([EvalSet("dev set", "potet", np.array([0, 1]), np.array([0.2, 0.9]))], 0.5, "abc")
    >>> block["potet"]["roc_auc"], block["potet"]["true_positive_rate"], block["evaluated_at_commit"]
    (1.0, 1.0, 'abc')
    """
    block: dict = {"protocol": "one human and one MT paragraph per group_id (../shared/README.md); scored only"}
    for item in sets:
        if item.section == "dev set" and "," not in item.name:
            m = item.metrics(threshold)
            block[item.name] = {key: (round(value, 4) if isinstance(value, float) else value)
                                for key, value in asdict(m).items()}
    block["evaluated_at_commit"] = commit
    return block


def record_dev_metrics(card_path: Path, block: dict) -> None:
    """Write the dev-set figures into the model card (``metrics.dev_set``); the weights are untouched."""
    card = read_card(card_path)
    card.setdefault("metrics", {})["dev_set"] = block
    write_card(card_path, card)


def method_notes(ctx: Context, args: argparse.Namespace, sample: int) -> list[str]:
    notes = [
        "The dev set (newstest2014, potet) is scored only: no weight, threshold or table is fitted on it.",
        "Seed pair: seed groups are dealt round robin into folds; each fold's refit trains on the training split "
        "without any row whose text is a left-out 004/001/000 paragraph or a round trip of one; its Platt scaling is "
        "refitted on the calibration split (same exclusions) and the shipped threshold applied. The left-out rows' "
        "word-pair table leaves out their own text; the other training rows keep their out-of-fold features.",
        "The shipped model's own seed score is not held out: the training split holds most seed groups "
        "and the 004 paragraphs as round-trip originals.",
        "Refits fit only the design columns that occur in their training rows (a column with no data gets "
        "weight 0 either way), with training.estimators.SignBoundedLogistic and the shipped C.",
        f"Ablations refit on one random sample of {sample} training rows (seed {args.seed}); the shipped-model "
        "row of the ablation table uses every training row, so compare ablations with the sample's own "
        "all-features refit.",
        "Dev set: newstest2014 repeats English references across its de/fr/ru-en pairs, so a human text already "
        "taken for an earlier group is not taken again; every group still gives its MT paragraph.",
        "MQM: each talk window has one human translation and up to 13 machine ones, so the set holds far more "
        "garbled rows than clean ones (average precision is high for that reason alone).",
        f"Feature matrices are cached in {args.eval_cache}/ (keyed by the round-trip cache, the code of the feature "
        "and pair modules, the data files and, for held-out rows, the model's weights).",
    ]
    if not ctx.dev:
        notes.append(f"No dev set found at {DEV_FILE} under the data folder: dev rows are missing.")
    return notes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="model folder, card or stem (default: %(default)s)")
    parser.add_argument("--data", default=str(sources.DEFAULT_DATA_DIR), help="the shared data folder")
    parser.add_argument("--cache", default="build/pairs", help="the training-pair cache (round trips)")
    parser.add_argument("--eval-cache", default=str(DEFAULT_EVAL_CACHE), help="where feature matrices are cached")
    parser.add_argument("--out", default=str(DEFAULT_REPORT_DIR), help="report folder (evaluation.md and PNGs)")
    parser.add_argument("--folds", type=int, default=SEED_FOLDS, help="seed cross-validation folds (0: skip)")
    parser.add_argument("--ablation-rows", type=int, default=ABLATION_ROWS,
                        help="training rows sampled for the ablation refits (0: skip)")
    parser.add_argument("--jobs", type=int, default=2, help="refits run in parallel")
    parser.add_argument("--seed", type=int, default=13,
                        help="the training recipe's seed (pairs), also the ablation sample's")
    parser.add_argument("--no-roundtrip", action="store_true", help="evaluate without Apertium round-trip pairs")
    parser.add_argument("--no-card-update", action="store_true",
                        help="do not record the dev-set figures in the model card (metrics.dev_set)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not Path(args.data).exists():
        print(f"evaluate: error: {args.data}: no such folder (set DATA=path to the shared data)", file=sys.stderr)
        return 2
    try:
        res = evaluate(args)
    except (ModelError, ValueError, OSError) as exc:
        print(f"evaluate: error: {exc}", file=sys.stderr)
        return 2
    report = Path(args.out) / "evaluation.md"
    with atomic_writer(report) as handle:
        handle.write(render_report(res))
    os.chmod(report, 0o644)
    log(f"wrote {report} and {len(res.plots)} plots in {duration(res.seconds)}")
    threshold = res.ctx.threshold
    if res.ctx.dev and not args.no_card_update:
        card_path = card_path_for(res.ctx.model_path)
        record_dev_metrics(card_path, dev_card_block(res.sets, threshold, res.commit))
        log(f"recorded the dev-set figures in {card_path}")
    targets = acceptance_targets(res.sets, threshold)
    print(render_acceptance(targets, as_percent=[targets[-1].name]))
    print()
    print(main_table(res.sets, threshold))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
