"""Sample documents per score band, drawn uniformly from a stream of any length (reservoir sampling).

The bands lie between consecutive candidate thresholds (``[0, t1)``,
``[t1, t2)`` ... ``[tk, 1]``), so the report shows documents just below and
just above each threshold an operator is weighing. Each band keeps at most
``size`` documents (Algorithm R: the i-th document of a band replaces a kept
one with probability size/i), so every document of the band is equally likely
to be shown, and memory holds only the kept ones. Kept texts are cut at
:data:`SAMPLE_CHARS` characters. A fixed seed makes the same input give the
same report.

>>> bands = BandSamples([0.5, 0.9], size=2, seed=0)
>>> for i, score in enumerate([0.1, 0.2, 0.3, 0.6, 0.95]):
...     bands.add(score, lambda: i)
>>> [(band.low, band.high, band.seen, len(band.items)) for band in bands.bands]
[(0.0, 0.5, 3, 2), (0.5, 0.9, 1, 1), (0.9, 1.0, 1, 1)]
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .stats import score_step, threshold_step

__all__ = ["SAMPLE_CHARS", "Band", "BandSamples"]

SAMPLE_CHARS = 30_000
"""Characters of a sampled document kept for the report; the rest is counted, not shown."""

Item = TypeVar("Item")


@dataclass(slots=True)
class Band(Generic[Item]):
    """Scores in ``[low, high)`` (the last band includes 1.0), how many were seen, and the kept sample."""

    low: float
    high: float
    seen: int = 0
    items: list[Item] = field(default_factory=list)

    @property
    def last(self) -> bool:
        return self.high >= 1.0


class BandSamples(Generic[Item]):
    """One reservoir of at most ``size`` items per band between the candidate ``thresholds``."""

    def __init__(self, thresholds: Sequence[float], size: int, seed: int = 0) -> None:
        edges = sorted({t for t in thresholds if 0.0 < t < 1.0})
        self._steps = [threshold_step(t) for t in edges]
        bounds = [0.0, *edges, 1.0]
        self.bands: list[Band[Item]] = [Band(low, high) for low, high in zip(bounds, bounds[1:])]
        self.size = size
        self._random = random.Random(seed)

    def band_of(self, score: float) -> int:
        """The index of the band holding ``score``."""
        return bisect.bisect_right(self._steps, score_step(score))

    def add(self, score: float, make: Callable[[], Item]) -> None:
        """Count a document with this score; keep ``make()`` with the reservoir's probability.

        ``make`` is called only for a document that is kept, so building the
        kept copy costs nothing for the others.
        """
        band = self.bands[self.band_of(score)]
        band.seen += 1
        if len(band.items) < self.size:
            band.items.append(make())
        elif self.size:
            slot = self._random.randrange(band.seen)
            if slot < self.size:
                band.items[slot] = make()
