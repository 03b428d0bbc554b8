"""Streaming statistics for a report: exact score counts in flat memory, overall and per group.

Scores in every mtdetect annotation are rounded to 4 decimals, so a score is
one of 10,001 steps (0.0000 ... 1.0000). :class:`ScoreTally` counts how many
scores fall on each step, so the number at or above *any* threshold is exact,
and the memory is the same for a thousand records or a billion. Scores are
buffered and counted with numpy a batch at a time.

Per group (``--group-by``) a tally keeps, for each group, how many scores lie
between consecutive candidate thresholds and a coarse histogram, so a group
costs a few hundred bytes. At most :data:`MAX_GROUPS` distinct values are
kept apart; the documents of further values are counted together under
:data:`OTHER_GROUP`, and the report says how many values that holds.

>>> tally = ScoreTally(thresholds=[0.5, 0.9])
>>> for score in (0.1, 0.5, 0.89, 0.9, 0.95):
...     tally.add(score_step(score), 0)
>>> tally.total(), tally.at_or_above(0.5), tally.at_or_above(0.9), tally.at_or_above(0.91)
(5, 4, 2, 1)
>>> tally.group_at_or_above(1).tolist()
[[4, 2]]
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..wording import shortened

__all__ = [
    "GROUP_BINS",
    "MAX_GROUPS",
    "MAX_GROUP_NAME",
    "OTHER_GROUP",
    "RESOLUTION",
    "Groups",
    "ScoreTally",
    "group_value",
    "score_step",
    "threshold_step",
]

RESOLUTION = 10_000
"""Steps per unit score: annotations round scores to 4 decimals."""
GROUP_BINS = 20
"""Bins of each group's small histogram."""
MAX_GROUPS = 10_000
"""Distinct ``--group-by`` values counted apart; further values share :data:`OTHER_GROUP`."""
MAX_GROUP_NAME = 200
"""A longer group value is cut to this many characters (and ends with an ellipsis)."""
OTHER_GROUP = "(other values)"
BUFFER = 1 << 16
"""Scores buffered before numpy counts them."""


def score_step(score: float) -> int:
    """The 4-decimal step of a score in [0, 1].

    >>> score_step(0.0), score_step(0.93324), score_step(0.93326), score_step(1.0)
    (0, 9332, 9333, 10000)
    """
    return min(max(round(score * RESOLUTION), 0), RESOLUTION)


def threshold_step(threshold: float) -> int:
    """The lowest step at or above ``threshold``: a score's step is at least this iff the score is >= it.

    >>> threshold_step(0.9), threshold_step(0.9332406), threshold_step(0.0)
    (9000, 9333, 0)
    """
    return min(max(math.ceil(round(threshold * RESOLUTION, 6)), 0), RESOLUTION)


class ScoreTally:
    """Counts of scores on 4-decimal steps, overall and per group, between candidate thresholds.

    ``thresholds`` are the candidates of the report (sorted); per group the
    tally keeps how many scores fall in each band between them and a
    histogram of :data:`GROUP_BINS` bins.
    """

    def __init__(self, thresholds: Sequence[float], group_bins: int = GROUP_BINS) -> None:
        self.thresholds = sorted(thresholds)
        self._threshold_steps = np.array([threshold_step(t) for t in self.thresholds], dtype=np.int64)
        self._group_bins = group_bins
        self._steps = np.zeros(RESOLUTION + 1, dtype=np.int64)
        self._bands = np.zeros((0, len(self.thresholds) + 1), dtype=np.int64)
        self._bins = np.zeros((0, group_bins), dtype=np.int64)
        self._pending_steps: list[int] = []
        self._pending_groups: list[int] = []

    def add(self, step: int, group: int) -> None:
        """Count one score (as its step) for a group (0 when there are no groups)."""
        self._pending_steps.append(step)
        self._pending_groups.append(group)
        if len(self._pending_steps) >= BUFFER:
            self.flush()

    def flush(self) -> None:
        """Count the buffered scores."""
        if not self._pending_steps:
            return
        steps = np.array(self._pending_steps, dtype=np.int64)
        groups = np.array(self._pending_groups, dtype=np.int64)
        self._pending_steps.clear()
        self._pending_groups.clear()
        self._steps += np.bincount(steps, minlength=RESOLUTION + 1)
        needed = int(groups.max()) + 1
        if needed > len(self._bands):
            grow = max(needed, 2 * len(self._bands))
            self._bands = _grown(self._bands, grow)
            self._bins = _grown(self._bins, grow)
        band = np.searchsorted(self._threshold_steps, steps, side="right")
        np.add.at(self._bands, (groups, band), 1)
        histogram_bin = np.minimum(steps * self._group_bins // RESOLUTION, self._group_bins - 1)
        np.add.at(self._bins, (groups, histogram_bin), 1)

    # -- overall ------------------------------------------------------------------
    def total(self) -> int:
        self.flush()
        return int(self._steps.sum())

    def at_or_above(self, threshold: float) -> int:
        """How many scores are at or above ``threshold`` (exact for 4-decimal scores)."""
        self.flush()
        return int(self._steps[threshold_step(threshold) :].sum())

    def histogram(self, bins: int) -> np.ndarray:
        """Counts in ``bins`` equal bins over [0, 1]; a score on a bin edge goes to the upper bin, 1.0 to the last."""
        self.flush()
        edges = np.arange(RESOLUTION + 1) * bins // RESOLUTION
        return np.bincount(np.minimum(edges, bins - 1), weights=self._steps, minlength=bins).astype(np.int64)

    # -- per group ----------------------------------------------------------------
    def group_totals(self, groups: int) -> np.ndarray:
        """Scores counted for each of ``groups`` groups."""
        return self._rows("_bands", groups).sum(axis=1)

    def group_at_or_above(self, groups: int) -> np.ndarray:
        """Per group (rows) and candidate threshold (columns): scores at or above it."""
        bands = self._rows("_bands", groups)
        return np.cumsum(bands[:, ::-1], axis=1)[:, ::-1][:, 1:]

    def group_histogram(self, groups: int) -> np.ndarray:
        """Per group: counts in :data:`GROUP_BINS` equal bins over [0, 1]."""
        return self._rows("_bins", groups)

    def _rows(self, name: str, groups: int) -> np.ndarray:
        """The per-group array ``name``, counted up to now, with exactly ``groups`` rows."""
        self.flush()  # may replace the arrays with grown ones: read them after it
        return _grown(getattr(self, name), groups)[:groups]


def _grown(array: np.ndarray, rows: int) -> np.ndarray:
    """A copy of ``array`` with at least ``rows`` rows, the new ones zero."""
    grown = np.zeros((max(rows, len(array)), array.shape[1]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


class Groups:
    """Group names in order of first appearance, at most :data:`MAX_GROUPS` (then :data:`OTHER_GROUP`).

    >>> groups = Groups(limit=2)
    >>> [groups.index(v) for v in ("a", "b", "a", "c", "d")], groups.names, groups.pooled_values
    ([0, 1, 0, 2, 2], ['a', 'b', '(other values)'], 2)
    """

    def __init__(self, limit: int = MAX_GROUPS) -> None:
        self.limit = limit
        self.names: list[str] = []
        self._index: dict[str, int] = {}
        self._pooled: set[str] | None = None
        self.pooled_values = 0
        self.warnings: list[int] = []

    def index(self, value: str) -> int:
        found = self._index.get(value)
        if found is not None:
            return found
        if len(self._index) < self.limit:
            found = self._index[value] = len(self.names)
            self.names.append(value)
            self.warnings.append(0)
            return found
        if self._pooled is None:
            self._pooled = set()
            self.names.append(OTHER_GROUP)
            self.warnings.append(0)
        if len(self._pooled) < self.limit:  # count distinct pooled values, up to a bound
            if value not in self._pooled:
                self._pooled.add(value)
                self.pooled_values = len(self._pooled)
        return self.limit


def group_value(record: dict[str, Any] | None, field: str) -> str:
    """The group of a record: its ``field`` (a dotted path reaches into objects) as text.

    Missing fields give ``(no FIELD)``; numbers and other JSON values are
    written as JSON; long values are cut to :data:`MAX_GROUP_NAME` characters.

    >>> group_value({"site": "a.example"}, "site"), group_value({"meta": {"lang": "en"}}, "meta.lang")
    ('a.example', 'en')
    >>> group_value({"id": 7}, "id"), group_value({}, "site"), group_value(None, "site")
    ('7', '(no site)', '(no site)')
    """
    value: Any = record
    if record is not None and field in record:
        value = record[field]
    else:
        for part in field.split("."):
            if not isinstance(value, dict) or part not in value:
                return f"(no {field})"
            value = value[part]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return shortened(text, MAX_GROUP_NAME)
