"""A datatrove filter step: score documents (or remove garbled paragraphs) in a pipeline.

Needs the ``mtdetect[datatrove]`` extra. Use it like any datatrove filter::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from mtdetect.integrations.datatrove import MtdetectFilter

    LocalPipelineExecutor(
        pipeline=[
            JsonlReader("crawl/"),
            MtdetectFilter(mode="paragraph", exclusion_writer=JsonlWriter("removed/")),
            JsonlWriter("clean/"),
        ],
        tasks=64, workers=8,
    ).run()

``filter_batch`` scores a batch of documents through the one scoring loop
(:mod:`mtdetect.scoring`): a batch of paragraphs per model call. Scores go to
``doc.metadata``: ``mtdetect`` (the document score, from its English
paragraphs; None without any, and such a document is kept),
``mtdetect_paragraphs`` (one score per paragraph, in text order),
``mtdetect_warnings`` (``[paragraph index, warning]`` for each paragraph that
is clearly not English: ``[2, "not_english"]`` says the third score means
nothing) and, in paragraph mode, ``mtdetect_removed_paragraphs``.

- ``mode="document"`` drops a document whose score is at or above the
  threshold (reason ``mtdetect_garbled``, written to the exclusion writer).
- ``mode="paragraph"`` removes the garbled paragraphs from ``doc.text`` in
  place (never one that is not English: it gets no verdict) and keeps the rest; a document left without text is dropped (reason
  ``mtdetect_all_paragraphs_garbled``).
- A document whose text is not a string does not stop the task: it is
  dropped with the reason ``mtdetect_text_not_a_string``, ``mtdetect`` set to
  None, and counted in the step's stats under that name. datatrove's readers
  skip empty texts and unparsable lines themselves, but stop the task on a
  number (they take its ``len``): read with ``adapter=keep_non_string_texts``
  so that such documents reach this step, their value kept as JSON text.

The step pickles without its model: each worker process loads the model once,
on its first batch, and keeps it for its later tasks, from ``model`` (a path;
``None``: ``$MTDETECT_MODEL`` or the bundled default).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..annotation import datatrove_metadata
from ..records import DOCUMENTS_PER_BATCH
from ..scoring import scored

try:
    from datatrove.pipeline.filters.base_filter import BaseFilter
except ImportError:  # the extra is not installed: the module still imports, the step says what to do

    class BaseFilter:  # type: ignore[no-redef]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise ImportError(MISSING_EXTRA)


if TYPE_CHECKING:
    from ..detector import Detector
    from ..results import DocumentScore

MISSING_EXTRA = "the datatrove integration needs datatrove: pip install 'mtdetect[datatrove]'"
GARBLED = "mtdetect_garbled"
ALL_GARBLED = "mtdetect_all_paragraphs_garbled"
NOT_TEXT = "mtdetect_text_not_a_string"

FilterMode = Literal["document", "paragraph"]


class MtdetectFilter(BaseFilter):
    """Drop garbled documents, or remove garbled paragraphs, scoring a batch per model call.

    Args:
        model: model card, weights or folder; ``None``: ``$MTDETECT_MODEL``, else the bundled model
        threshold: decision threshold; ``None``: the model's calibrated threshold
        mode: ``"document"`` (drop whole documents) or ``"paragraph"`` (cut garbled paragraphs)
        exclusion_writer: a datatrove writer for dropped documents (with ``filter_reason``)
        batch_size: documents handed to ``filter_batch`` at once (scored a batch of paragraphs per call)
        metadata_key: prefix of the keys written to ``doc.metadata``
    """

    name = "🈂 mtdetect"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        threshold: float | None = None,
        mode: FilterMode = "document",
        exclusion_writer: Any = None,
        batch_size: int = DOCUMENTS_PER_BATCH,
        metadata_key: str = "mtdetect",
    ) -> None:
        if mode not in ("document", "paragraph"):
            raise ValueError(f"mode must be 'document' or 'paragraph', not {mode!r}")
        super().__init__(exclusion_writer, batch_size=batch_size)
        self.model = None if model is None else str(model)
        self.threshold = threshold
        self.mode = mode
        self.metadata_key = metadata_key
        self._detector: Detector | None = None

    @property
    def detector(self) -> Detector:
        """The detector, loaded on first use in each process."""
        if self._detector is None:
            import mtdetect

            self._detector = mtdetect.load(self.model)  # None: $MTDETECT_MODEL, else the bundled model
            if self.threshold is not None:
                self._detector.threshold = self.threshold
        return self._detector

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_detector"] = None  # each worker process loads the model once, for all its tasks
        return state

    def filter(self, doc: Any) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: Sequence[Any]) -> list[bool | tuple[bool, str]]:
        """Score the batch a batch of paragraphs per call (:mod:`mtdetect.scoring`); annotate, and cut or drop."""
        key = self.metadata_key
        pairs = list(scored(self.detector, batch, _text_to_score))
        paragraphs = sum(len(result.paragraphs) for _, result in pairs if result is not None)
        self.stat_update("mtdetect_paragraphs", value=paragraphs, unit="batch")
        return [self._judged(doc, result, key) for doc, result in pairs]

    def _judged(self, doc: Any, result: DocumentScore | None, key: str) -> bool | tuple[bool, str]:
        """Annotate ``doc`` with its result, cut its garbled paragraphs in paragraph mode; keep it or say why not."""
        if result is None:  # not a string, or marked by keep_non_string_texts: nothing to score, no reason to stop
            doc.metadata[key] = None
            self.stat_update(NOT_TEXT)
            return False, NOT_TEXT
        doc.metadata.update(datatrove_metadata(result, key))
        if self.mode == "document":
            return (False, GARBLED) if result.garbled else True
        garbled = [p.garbled for p in result.paragraphs]
        removed = sum(garbled)
        doc.metadata[f"{key}_removed_paragraphs"] = removed
        if removed:
            self.stat_update("mtdetect_paragraphs_removed", value=removed)
            doc.text = without_segments(doc.text, result.paragraphs, garbled)
        return (False, ALL_GARBLED) if removed and not doc.text.strip() else True


def _text_to_score(doc: Any) -> str | None:
    """A document's text; None when it is no string (or keep_non_string_texts marked it)."""
    return doc.text if isinstance(doc.text, str) and not doc.metadata.get(NOT_TEXT) else None


def keep_non_string_texts(reader: Any, data: dict[str, Any], path: str, id_in_file: int | str) -> dict[str, Any]:
    """A datatrove reader ``adapter``: a text that is not a string reaches :class:`MtdetectFilter`.

    datatrove's readers stop the task on a numeric text and skip a null or
    missing one without a count. With ``JsonlReader(path, adapter=keep_non_string_texts)``
    such a document gets its value as JSON text and ``mtdetect_text_not_a_string``
    in its metadata, and the filter drops it with that reason and counts it.

    >>> from datatrove.pipeline.readers import JsonlReader
    >>> reader = JsonlReader("crawl/", adapter=keep_non_string_texts)
    >>> doc = reader.adapter({"id": "a", "text": 42, "url": "u"}, "crawl/0.jsonl", 0)
    >>> doc["text"], doc["metadata"]
    ('42', {'url': 'u', 'mtdetect_text_not_a_string': True})
    >>> reader.adapter({"id": "b", "text": "Fine."}, "crawl/0.jsonl", 1)["metadata"]
    {}
    """
    value = data.get(reader.text_key)
    if not isinstance(value, str):
        data = {**data, reader.text_key: json.dumps(value, ensure_ascii=False), NOT_TEXT: True}
    return reader._default_adapter(data, path, id_in_file)


class Span(Protocol):
    """Anything with character offsets: a paragraph Segment or ParagraphScore."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def without_segments(text: str, segments: Sequence[Span], remove: Sequence[bool]) -> str:
    """``text`` without the marked paragraphs; the separators around kept ones stay as they were.

    >>> from mtdetect.segment import split_paragraphs
    >>> text = "First part.\\n\\nGarbled part.\\n\\nLast part.\\n"
    >>> without_segments(text, split_paragraphs(text), [False, True, False])
    'First part.\\n\\nLast part.\\n'
    >>> without_segments(text, split_paragraphs(text), [False, False, True])
    'First part.\\n\\nGarbled part.\\n'
    """
    kept = [i for i, r in enumerate(remove) if not r]
    if not kept:
        return ""
    pieces = [text[: segments[0].start]]
    for n, i in enumerate(kept):
        if n + 1 < len(kept):
            following = segments[i + 1].start if i + 1 < len(segments) else segments[i].end
            pieces.append(text[segments[i].start : following])
        else:
            pieces.append(text[segments[i].start : segments[i].end])
    pieces.append(text[segments[-1].end :])
    return "".join(pieces)
