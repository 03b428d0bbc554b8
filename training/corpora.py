"""The shared data folder's corpora: where each file is, and how a JSONL file is read.

Training (:mod:`training.sources`), the reposts (:mod:`training.reposts`) and
the evaluation read the same files; their names live here once.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

DEFAULT_DATA_DIR = Path("../shared/data")
CLEAN_CORPORA = {"gum": "gum-ccby-paragraphs.jsonl", "sotu": "state-union-pd-paragraphs.jsonl"}
"""Clean paragraphs under ``clean/``, by source."""
REAL_MT_FILES = {"htvsmt": Path("mt") / "htvsmt-deen-windows.jsonl.gz", "flores": Path("mt") / "flores-xeng-windows.jsonl.gz"}
"""Real machine translation beside human text of the same content (``split`` train/dev by document)."""
WEB_TEXT_FILE = Path("clean") / "ewt-ccbysa-paragraphs.jsonl"
WMT24_FILE = Path("clean") / "wmt24-en-original-windows.jsonl.gz"
REFERENCE_FILES = {
    "masc": Path("english") / "masc-paragraphs.jsonl.gz",
    "film reviews": Path("english") / "movie-reviews-ccby.jsonl.gz",
    "inaugural addresses": Path("english") / "inaugural-pd-paragraphs.jsonl.gz",
}
"""Plain human English read only for the reference model of English (and MASC for reposts)."""
GUM_GENRES = {"news": "news", "academic": "academic", "interview": "transcripts", "court": "transcripts"}
"""Register of each GUM genre, for the per-genre false-positive rule."""


def read_jsonl(path: Path) -> Iterator[dict]:
    """The records of a JSONL file, gzipped when its name ends in ``.gz``; blank lines are skipped."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
