"""mtdetect: find machine-translated and auto-spun paragraphs, and say why.

The main flow, top to bottom:

1. :func:`load` reads a model (:mod:`mtdetect.model`: weights as data + card)
   and wraps it in a :class:`Detector` (:mod:`mtdetect.detector`).
2. :meth:`Detector.score_document` splits text into paragraphs
   (:mod:`mtdetect.segment`) and scores them all in one batch.
3. Scoring computes features (:mod:`mtdetect.features`): counts of the named
   artifact detectors (:mod:`mtdetect.detectors`), word predictability from
   hashed look-up tables, and word-class n-grams (:mod:`mtdetect.wordclass`),
   all on typography-normalised text (:mod:`mtdetect.typography`).
4. :meth:`Detector.explain` says why: flagged spans and strongest features.

The command line (:mod:`mtdetect.cli`) is a thin layer over this API.

>>> import mtdetect
>>> det = mtdetect.load()
>>> scores = det.score_paragraphs(["The minister said , that the economy. of the region do n't grow."])
>>> bool(scores[0] > det.threshold)
True
"""

from __future__ import annotations

import os

from .detector import Contribution, Detector, DocumentScore, Explanation, ParagraphScore
from .detectors import DETECTORS, Finding
from .errors import InputError, ModelError, MtdetectError
from .features import DENSE_FEATURES

__version__ = "0.1.0"

__all__ = [
    "DENSE_FEATURES",
    "DETECTORS",
    "Contribution",
    "Detector",
    "DocumentScore",
    "Explanation",
    "Finding",
    "InputError",
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
    the bundled default model. Pickled models need ``trust=True`` and their
    ``sha256``. The model is read and checked at once, so errors surface here;
    a process reads the same model files only once (:func:`mtdetect.model.shared_model`).
    """
    detector = Detector(path=path, trust=trust, sha256=sha256)
    detector.model  # load now: a bad path fails here, not at the first score
    return detector
