"""The one scoring loop: a stream of items scored a batch of paragraphs per call, back in input order.

Every output scores through :func:`scored_batches` (or :func:`scored`, the
same items one at a time): ``mtdetect score`` (:mod:`mtdetect.cli`), each block
of ``mtdetect filter`` (:mod:`mtdetect.filtering`), the documents a report
scores (:mod:`mtdetect.report.scored`), and Python pipelines with their
adapters (:mod:`mtdetect.batches`, :mod:`mtdetect.integrations`).

- Each item's text is split into paragraphs once
  (:func:`~mtdetect.segment.split_paragraphs`); the split is counted for the
  cut and handed to :meth:`~mtdetect.Detector.score_documents`, which scores
  the whole batch in one call.
- A batch closes at :data:`~mtdetect.records.PARAGRAPHS_PER_BATCH` paragraphs
  or :data:`~mtdetect.records.CHARACTERS_PER_BATCH` characters; an item that
  would take a batch over either bound starts the next one, so a huge
  document is scored alone and memory stays bounded.
- An item with nothing to score (``text_of`` gives None: a reject, a record
  without a string text, an annotation read instead of scored) passes through
  in its place with no result; it counts as one paragraph, so a long run of
  them is cut into batches too.
- When reading the items fails, the batch read so far is scored and yielded
  first, then the error is raised: every item before a bad line has its output.

The Detector is handed in, never imported (it imports the modules that use this one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from .explanation import TOP_CONTRIBUTIONS
from .records import CHARACTERS_PER_BATCH, PARAGRAPHS_PER_BATCH
from .segment import Segment, split_paragraphs

if TYPE_CHECKING:
    from .detector import Detector
    from .results import DocumentScore

__all__ = ["BatchProgress", "scored", "scored_batches"]

T = TypeVar("T")

BatchProgress = Callable[[list[T], int], "Callable[[int], None] | None"]
"""Called before a batch with text is scored, with its items and characters; what it returns (if
anything) is :meth:`~mtdetect.Detector.score_documents`'s ``progress``, told the characters scored as
the work goes on (so a single huge document shows its progress too)."""


@dataclass
class _Batch(Generic[T]):
    """Items read and not yet scored: each with its text and paragraphs (None: nothing to score)."""

    items: list[tuple[T, str | None, list[Segment] | None]] = field(default_factory=list)
    paragraphs: int = 0  # an item without any counts as one
    chars: int = 0

    def add(self, item: T, text: str | None, segments: list[Segment] | None) -> None:
        self.items.append((item, text, segments))
        self.paragraphs += _size(segments)
        self.chars += len(text or "")


def _size(segments: list[Segment] | None) -> int:
    """What an item counts towards :data:`~mtdetect.records.PARAGRAPHS_PER_BATCH`: its paragraphs, at least one."""
    return max(len(segments or ()), 1)


def scored_batches(
    detector: Detector,
    items: Iterable[T],
    text_of: Callable[[T], str | None],
    *,
    threshold: float | None = None,
    explain: bool = False,
    top: int = TOP_CONTRIBUTIONS,
    progress: BatchProgress[T] | None = None,
    max_paragraphs: int | None = None,
    max_chars: int | None = None,
) -> Iterator[list[tuple[T, DocumentScore | None]]]:
    """``items`` in input order, a batch at a time, each with its result (None: nothing to score).

    ``text_of`` gives an item's text, or None to pass it through. Verdicts are
    at ``threshold`` (default: the detector's); ``explain`` and ``top`` are
    :meth:`~mtdetect.Detector.score_documents`'s, and so is the callback that
    ``progress`` returns. The bounds default to
    :data:`~mtdetect.records.PARAGRAPHS_PER_BATCH` and
    :data:`~mtdetect.records.CHARACTERS_PER_BATCH`.
    """
    most_paragraphs = PARAGRAPHS_PER_BATCH if max_paragraphs is None else max_paragraphs
    most_chars = CHARACTERS_PER_BATCH if max_chars is None else max_chars

    def done(batch: _Batch[T]) -> list[tuple[T, DocumentScore | None]]:
        return _score(detector, batch, threshold, explain, top, progress)

    batch: _Batch[T] = _Batch()
    source = iter(items)
    while True:
        try:
            item = next(source)
        except StopIteration:
            break
        except Exception:
            if batch.items:  # the items before the error get their output, then it is raised
                yield done(batch)
            raise
        text = text_of(item)
        segments = None if text is None else split_paragraphs(text)
        if batch.items and (batch.paragraphs + _size(segments) > most_paragraphs
                            or batch.chars + len(text or "") > most_chars):
            yield done(batch)  # the item would take the batch over a bound: it starts the next one
            batch = _Batch()
        batch.add(item, text, segments)
        if batch.paragraphs >= most_paragraphs or batch.chars >= most_chars:
            yield done(batch)
            batch = _Batch()
    if batch.items:
        yield done(batch)


def scored(
    detector: Detector,
    items: Iterable[T],
    text_of: Callable[[T], str | None],
    *,
    threshold: float | None = None,
    max_paragraphs: int | None = None,
) -> Iterator[tuple[T, DocumentScore | None]]:
    """:func:`scored_batches` one item at a time: each item in input order with its result or None."""
    for batch in scored_batches(detector, items, text_of, threshold=threshold, max_paragraphs=max_paragraphs):
        yield from batch


def _score(
    detector: Detector,
    batch: _Batch[T],
    threshold: float | None,
    explain: bool,
    top: int,
    progress: BatchProgress[T] | None,
) -> list[tuple[T, DocumentScore | None]]:
    """Score the texts of ``batch`` in one call; every item with its result, or None without a text."""
    texts = [text for _, text, _ in batch.items if text is not None]
    if not texts:
        return [(item, None) for item, _, _ in batch.items]
    splits = [segments for _, _, segments in batch.items if segments is not None]
    step = None if progress is None else progress([item for item, _, _ in batch.items], batch.chars)
    results = iter(detector.score_documents(texts, threshold=threshold, explain=explain, top=top, progress=step,
                                            paragraphs=splits))
    return [(item, None if text is None else next(results)) for item, text, _ in batch.items]
