"""mtdetect: find machine-translated and auto-spun paragraphs, and say why.

The main flow, top to bottom:

1. :func:`load` reads a model (:mod:`mtdetect.model`: weights as data + card)
   and wraps it in a :class:`Detector` (:mod:`mtdetect.detector`).
2. :meth:`Detector.score_documents` splits texts into paragraphs
   (:mod:`mtdetect.segment`) and scores them all in one batch.
3. Scoring computes features (:mod:`mtdetect.features`): counts of the named
   artifact rules (:mod:`mtdetect.rules`), word predictability from
   hashed look-up tables, and word-class n-grams (:mod:`mtdetect.wordclass`),
   all on typography-normalised text (:mod:`mtdetect.typography`).
4. The result (:mod:`mtdetect.results`) carries the document's score and
   verdict and, per paragraph, offsets, score, log-odds, verdict, warnings
   (:mod:`mtdetect.language`) and, when asked, the explanation read from the
   same batch (:mod:`mtdetect.explanation`): flagged spans and strongest features.
5. Every output formats results through :mod:`mtdetect.annotation`: the command
   line (:mod:`mtdetect.cli`, reading with :mod:`mtdetect.records`), the stream
   filter (:mod:`mtdetect.filtering`), Python batches (:mod:`mtdetect.batches`)
   and the pipeline integrations (:mod:`mtdetect.integrations`).

>>> import mtdetect
>>> det = mtdetect.load()
>>> scores = det.score_paragraphs(["The minister said , that the economy. of the region do n't grow."])
>>> bool(scores[0] > det.threshold)
True
"""

from __future__ import annotations

import os

from .detector import Detector
from .errors import InputError, MissingDependency, ModelError, MtdetectError
from .features import DENSE_FEATURES
from .model import ENV_MODEL
from .results import Contribution, DocumentScore, Explanation, ParagraphScore
from .rules import RULES, Finding

__version__ = "0.1.0"

__all__ = [
    "DENSE_FEATURES",
    "RULES",
    "Contribution",
    "Detector",
    "DocumentScore",
    "Explanation",
    "Finding",
    "InputError",
    "MissingDependency",
    "ModelError",
    "MtdetectError",
    "ParagraphScore",
    "__version__",
    "load",
]


def load(
    path: str | os.PathLike[str] | None = None,
    *,
    trust: bool = False,
    sha256: str | None = None,
) -> Detector:
    """Load a model and return a :class:`Detector`.

    ``path`` may be a model card (``NAME.card.json``), its weights
    (``NAME.npz``) or a folder holding ``default.card.json``; ``None`` loads
    the model named by the ``MTDETECT_MODEL`` environment variable, else the
    bundled default model (this is the one place that reads the variable).
    Pickled models need ``trust=True`` and their ``sha256``. The model is read
    and checked at once, so errors surface here; a process reads the same
    model files only once (:func:`mtdetect.model.shared_model`).
    """
    if path is None:
        path = os.environ.get(ENV_MODEL) or None
    detector = Detector(path=path, trust=trust, sha256=sha256)
    detector.model  # load now: a bad path fails here, not at the first score
    return detector
