"""dolma taggers: paragraph and document scores as dolma attributes.

Needs the ``mtdetect[dolma]`` extra. Importing this module registers two taggers::

    dolma tag --documents 'docs/*.jsonl.gz' --experiment mt \\
        --taggers mtdetect_paragraph_v1 mtdetect_document_v1 \\
        --tagger_modules mtdetect.integrations.dolma --processes 8

- ``mtdetect_paragraph_v1``: one ``paragraph`` span per paragraph (score =
  P(garbled)) and one ``document`` span over the whole text (the document
  score, from its English paragraphs; none for a document without text or
  without an English paragraph);
- ``mtdetect_document_v1``: the ``document`` span only.

Both also emit a ``not_english`` span (score 1.0) over each paragraph that is
clearly not English, whose score means nothing.

dolma's attribute names come out as ``{experiment}__mtdetect_paragraph_v1__paragraph``.
Paragraphs are mtdetect's (blank-line blocks; single lines when a document
has no blank line, as dolma documents usually are), with character offsets
into the document text, as dolma spans expect. The model is read from
``$MTDETECT_MODEL`` (a path), else the bundled default, once per process.

Without dolma installed, :func:`document_spans` (what the taggers emit) still
works; the tagger classes are only defined when dolma is importable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..annotation import SpanTuple, dolma_spans

if TYPE_CHECKING:
    from ..detector import Detector

PARAGRAPH_TAGGER = "mtdetect_paragraph_v1"
DOCUMENT_TAGGER = "mtdetect_document_v1"
MISSING_EXTRA = "the dolma integration needs dolma: pip install 'mtdetect[dolma]'"


def document_spans(detector: Detector, text: str, paragraphs: bool = True) -> list[SpanTuple]:
    """The spans a tagger emits: one per paragraph (if asked), one for the whole document, then
    a ``not_english`` span (score 1.0) over each paragraph that is clearly not English.

    A document without a score (no text, or no English paragraph) gets no ``document`` span.
    """
    return dolma_spans(detector.score_document(text), len(text), paragraphs)


try:
    from dolma import add_tagger
    from dolma.core.data_types import DocResult, Document, Span
    from dolma.core.taggers import BaseTagger
except ImportError:  # the extra is not installed
    pass
else:

    class _MtdetectTagger(BaseTagger):
        """Shared body: score with the process's detector, emit :func:`document_spans`."""

        PARAGRAPHS = True

        def __init__(self) -> None:
            import mtdetect

            self.detector = mtdetect.load()  # $MTDETECT_MODEL, else the bundled model: read once per process

        @property
        def defaults(self) -> list[str]:
            return ["document"]

        def predict(self, doc: Document) -> DocResult:
            spans = [
                Span(start=start, end=end, type=kind, score=score)
                for start, end, kind, score in document_spans(self.detector, doc.text, self.PARAGRAPHS)
            ]
            return DocResult(doc=doc, spans=spans)

    @add_tagger(PARAGRAPH_TAGGER)
    class MtdetectParagraphTagger(_MtdetectTagger):
        """P(garbled) of each paragraph, and the document score."""

        PARAGRAPHS = True

    @add_tagger(DOCUMENT_TAGGER)
    class MtdetectDocumentTagger(_MtdetectTagger):
        """The document score only (from its English paragraphs' evidence)."""

        PARAGRAPHS = False


def __getattr__(name: str) -> Any:
    if name in ("MtdetectParagraphTagger", "MtdetectDocumentTagger"):
        raise ImportError(MISSING_EXTRA)
    raise AttributeError(name)
