"""Evaluation plots: ROC and precision-recall curves, and score histograms (PNG files).

Every function takes plain arrays of labels (1 garbled, 0 clean) and scores,
draws with matplotlib's non-interactive ``Agg`` backend and writes one PNG.
:mod:`training.evaluate` calls them once per group of evaluation sets.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, no GUI toolkit

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402
from cycler import cycler  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402

from mtdetect.atomic import atomic_writer  # noqa: E402

HISTOGRAM_BINS = np.linspace(0.0, 1.0, 41)
"""Score bins of the histograms (scores are probabilities)."""
GRID_COLUMNS = 4
"""Histogram panels per row."""
LINE_STYLES = cycler(linestyle=["-", "--", ":"]) * cycler(color=plt.get_cmap("tab10").colors)
"""Ten colours, then the same colours dashed, then dotted: up to 30 curves told apart."""


@dataclass(frozen=True)
class Curve:
    """The labels and scores of one evaluation set, with the name shown in legends."""

    name: str
    labels: np.ndarray
    scores: np.ndarray

    @property
    def has_both_classes(self) -> bool:
        """True when the set holds clean and garbled rows (a curve can be drawn).

        >>> Curve("x", np.array([0, 1]), np.array([0.2, 0.9])).has_both_classes
        True
        """
        return 0 < int(np.sum(self.labels)) < len(self.labels)


def _save(fig: plt.Figure, path: Path) -> Path:
    with atomic_writer(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    os.chmod(path, 0o644)  # a plain build artefact, readable like any other
    return path


def roc_pr_figure(curves: Sequence[Curve], path: Path, title: str, threshold: float | None = None) -> Path:
    """ROC (left) and precision-recall (right) curves of several sets in one PNG.

    Sets with only one class are skipped. ``threshold`` marks each set's
    operating point (true/false positive rate at that score) on the ROC panel.
    """
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(11, 4.6))
    for ax in (roc_ax, pr_ax):
        ax.set_prop_cycle(LINE_STYLES)
    for curve in (c for c in curves if c.has_both_classes):
        fpr, tpr, _ = roc_curve(curve.labels, curve.scores)
        (line,) = roc_ax.plot(fpr, tpr, lw=1.3, label=curve.name)
        if threshold is not None:
            flagged = curve.scores >= threshold
            roc_ax.plot(
                flagged[curve.labels == 0].mean(), flagged[curve.labels == 1].mean(),
                "o", color=line.get_color(), ms=4,
            )
        precision, recall, _ = precision_recall_curve(curve.labels, curve.scores)
        pr_ax.plot(recall, precision, lw=1.3, color=line.get_color(), ls=line.get_linestyle(), label=curve.name)
    roc_ax.plot([0, 1], [0, 1], ls=":", color="grey", lw=0.8)
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC", xlim=(0, 1), ylim=(0, 1.01))
    pr_ax.set(xlabel="recall", ylabel="precision", title="precision-recall", xlim=(0, 1), ylim=(0, 1.01))
    for ax in (roc_ax, pr_ax):
        ax.grid(alpha=0.3)
    roc_ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(title + ("" if threshold is None else "  (dots: the default threshold)"))
    return _save(fig, path)


def histogram_grid(curves: Sequence[Curve], path: Path, title: str, threshold: float | None = None) -> Path:
    """One panel per set: score histograms of its clean and garbled rows (densities)."""
    n = max(len(curves), 1)
    columns = min(GRID_COLUMNS, n)
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.3 * columns, 2.5 * rows), squeeze=False)
    for ax, curve in zip(axes.ravel(), curves):
        for label, name, color in ((0, "clean", "tab:blue"), (1, "garbled", "tab:red")):
            values = curve.scores[curve.labels == label]
            if len(values):
                ax.hist(values, bins=HISTOGRAM_BINS, density=True, alpha=0.5, color=color,
                        label=f"{name} ({len(values)})")
        if threshold is not None:
            ax.axvline(threshold, color="black", ls="--", lw=0.8)
        ax.set_title(curve.name, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6)
    for ax in axes.ravel()[len(curves):]:
        ax.axis("off")
    fig.suptitle(title + ("" if threshold is None else "  (dashed: the default threshold)"))
    fig.tight_layout()
    return _save(fig, path)


def flagged_bars(names: Sequence[str], ours: Sequence[float], baseline: Sequence[float], path: Path,
                 title: str, limit: float | None = 0.03) -> Path:
    """Horizontal bars: the share of each set flagged by the model and by the baseline."""
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(names) + 1.2))
    y = np.arange(len(names))
    ax.barh(y - 0.2, ours, height=0.4, color="tab:red", label="mtdetect")
    ax.barh(y + 0.2, baseline, height=0.4, color="tab:grey", label="TF-IDF baseline")
    if limit is not None:
        ax.axvline(limit, color="black", ls="--", lw=0.8, label=f"{limit:.0%}")
    ax.set_yticks(y, names, fontsize=7)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("share of paragraphs flagged")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return _save(fig, path)
