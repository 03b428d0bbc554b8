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


ROC_LINEAR_BELOW = 1e-3
"""The ROC panel's axes are logarithmic above this rate and linear below it (down to 0): a default
threshold that flags few paragraphs sits at rates of a fraction of a percent, which a linear axis
draws on top of the origin."""


@dataclass(frozen=True)
class OperatingPoint:
    """What a threshold flags of a set: garbled rows (true positives) and clean rows (false positives)."""

    flagged_garbled: int
    garbled: int
    flagged_clean: int
    clean: int

    @classmethod
    def of(cls, curve: Curve, threshold: float) -> OperatingPoint:
        """The operating point of ``curve`` at ``threshold`` (a score at or above it is flagged).

        >>> OperatingPoint.of(Curve("x", np.array([0, 0, 1, 1]), np.array([0.1, 0.95, 0.97, 0.2])), 0.9).label
        'at the threshold: 1 of 2 garbled, 1 of 2 clean flagged'
        """
        flagged = curve.scores >= threshold
        garbled = curve.labels == 1
        return cls(int(flagged[garbled].sum()), int(garbled.sum()), int(flagged[~garbled].sum()), int((~garbled).sum()))

    @property
    def rates(self) -> tuple[float, float]:
        """(false positive rate, true positive rate)."""
        return self.flagged_clean / max(self.clean, 1), self.flagged_garbled / max(self.garbled, 1)

    @property
    def label(self) -> str:
        return (f"at the threshold: {self.flagged_garbled} of {self.garbled} garbled, "
                f"{self.flagged_clean} of {self.clean} clean flagged")


def draw_roc(ax: plt.Axes, curves: Sequence[Curve], threshold: float | None = None) -> list:
    """ROC curves on ``ax`` with :data:`ROC_LINEAR_BELOW`-symlog axes; with ``threshold``, each set's
    operating point as a ringed dot and its counts in the legend. Returns the drawn curves' lines."""
    lines = []
    for curve in (c for c in curves if c.has_both_classes):
        fpr, tpr, _ = roc_curve(curve.labels, curve.scores)
        label = curve.name
        if threshold is not None:
            point = OperatingPoint.of(curve, threshold)
            label += f" ({point.label.removeprefix('at the threshold: ')})"
        (line,) = ax.plot(fpr, tpr, lw=1.3, label=label)
        if threshold is not None:
            ax.plot(*point.rates, "o", color=line.get_color(), mec="black", mew=0.8, ms=6, clip_on=False, zorder=5)
        lines.append(line)
    ax.plot([0, 1], [0, 1], ls=":", color="grey", lw=0.8)
    for axis in ("x", "y"):
        getattr(ax, f"set_{axis}scale")("symlog", linthresh=ROC_LINEAR_BELOW, linscale=0.5)
        getattr(ax, f"{axis}axis").set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set(xlabel="false positive rate (log scale above 0.1%)", ylabel="true positive rate (log scale above 0.1%)",
           title="ROC", xlim=(0, 1), ylim=(0, 1.01))
    return lines


def roc_pr_figure(curves: Sequence[Curve], path: Path, title: str, threshold: float | None = None) -> Path:
    """ROC (left) and precision-recall (right) curves of several sets in one PNG.

    Sets with only one class are skipped. ``threshold`` marks each set's
    operating point on the ROC panel (:func:`draw_roc`), its counts in the legend.
    """
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(13, 5.2))
    for ax in (roc_ax, pr_ax):
        ax.set_prop_cycle(LINE_STYLES)
    lines = draw_roc(roc_ax, curves, threshold)
    for line, curve in zip(lines, (c for c in curves if c.has_both_classes)):
        precision, recall, _ = precision_recall_curve(curve.labels, curve.scores)
        pr_ax.plot(recall, precision, lw=1.3, color=line.get_color(), ls=line.get_linestyle(), label=curve.name)
    pr_ax.set(xlabel="recall", ylabel="precision", title="precision-recall", xlim=(0, 1), ylim=(0, 1.01))
    for ax in (roc_ax, pr_ax):
        ax.grid(alpha=0.3)
    roc_ax.legend(fontsize=6, loc="lower right")
    fig.suptitle(title + ("" if threshold is None else "  (ringed dots: the default threshold)"))
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
                 title: str, limit: float | None = None, limit_label: str = "", counts: Sequence[int] = ()) -> Path:
    """Horizontal bars: the share of each set flagged by the model and by the baseline; ``limit`` draws
    a reference line (labelled ``limit_label``), ``counts`` (paragraphs per set) go beside the names
    and the model's bars (``k of n``)."""
    fig, ax = plt.subplots(figsize=(8.5, 0.32 * len(names) + 1.2))
    y = np.arange(len(names))
    ax.barh(y - 0.2, ours, height=0.4, color="tab:red", label="mtdetect")
    ax.barh(y + 0.2, baseline, height=0.4, color="tab:grey", label="TF-IDF baseline")
    if limit is not None:
        ax.axvline(limit, color="black", ls="--", lw=0.8, label=limit_label or f"{limit:.0%}")
    labels = list(names)
    if counts:
        labels = [f"{name} ({n})" for name, n in zip(names, counts)]
        for i, (share, n) in enumerate(zip(ours, counts)):
            ax.annotate(f"{round(share * n)} of {n}", (share, i - 0.2), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=6)
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("share of paragraphs flagged" + (" (paragraphs per set in brackets)" if counts else ""))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return _save(fig, path)
