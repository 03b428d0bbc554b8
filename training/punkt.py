"""Train the Punkt sentence splitter and write its parameters as shipped JSON.

nltk's :class:`~nltk.tokenize.punkt.PunktTrainer` learns abbreviations,
collocations, frequent sentence starters and orthographic contexts from the
clean corpora; a curated list of common English abbreviations is added on top,
so that "Mr. Smith", "U.S. officials" and "Sept. 11" never split. The result is
written as deterministic JSON (sorted lists and keys): retraining on the same
data with the same nltk gives identical bytes.

Run from the project root::

    python -m training.punkt --data ../shared/data --out mtdetect/data/punkt_en.json

Only ``<data>/clean/*.jsonl`` (field ``text``) is read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import nltk
from nltk.tokenize.punkt import PunktParameters, PunktTrainer

from mtdetect.lexicon import SENTENCE_ABBREVIATIONS as CURATED_ABBREVIATIONS
from mtdetect.segment import PUNKT_FORMAT
from mtdetect.segment import punkt_parameters_from_json as parameters_from_json

__all__ = [
    "CURATED_ABBREVIATIONS",
    "main",
    "parameters_from_json",
    "parameters_to_json",
    "read_paragraphs",
    "train_punkt",
]

DEFAULT_DATA = Path("../shared/data")
DEFAULT_OUT = Path("mtdetect/data/punkt_en.json")
CLEAN_GLOB = "clean/*.jsonl"


MIN_LEARNED_ABBREV_COUNT = 3
"""A learned plain-word abbreviation ("pg", "al") must occur with a full stop this often.

On a corpus of this size Punkt's scoring takes any short word seen once before
a full stop ("pin.", "fox.", "vet.") for an abbreviation. Dotted types
("h.r", "u.s.s.r") and single letters (initials) are kept as learned."""

_PERIOD_FINAL_WORD = re.compile(
    r"""
    (?<![\w.])      # not inside a longer word or a dotted abbreviation
    ([^\W\d_]+)     # letters only
    \.              # followed by a full stop
    """,
    re.VERBOSE,
)


def train_punkt(paragraphs: Iterable[str]) -> PunktParameters:
    """Train Punkt parameters on paragraphs and add :data:`CURATED_ABBREVIATIONS`.

    Paragraphs are joined with blank lines, so each one starts a new
    orthographic context, and trained in one pass.

    >>> params = train_punkt(["The dog ran. It was fast.", "A cat sat. The end."])
    >>> {"mr", "u.s", "sept"} <= params.abbrev_types
    True
    """
    trainer = PunktTrainer()
    # Seeding the known abbreviations first keeps "Mr." from counting as a
    # sentence end while orthographic contexts are gathered.
    trainer.get_params().abbrev_types.update(CURATED_ABBREVIATIONS)
    text = "\n\n".join(p.strip() for p in paragraphs if p.strip())
    trainer.train(text, finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()
    params.abbrev_types -= _rare_learned_words(params.abbrev_types, text)
    params.abbrev_types.update(CURATED_ABBREVIATIONS)  # training may have dropped some
    return params


def _rare_learned_words(abbrev_types: set[str], text: str) -> set[str]:
    """Learned plain-word abbreviations seen with a full stop too rarely to trust.

    >>> sorted(_rare_learned_words({"pin", "pg", "h.r", "f"}, "a lapel pin. see pg. 4, pg. 5 and Pg. 6"))
    ['pin']
    """
    counts = Counter(match.group(1).lower() for match in _PERIOD_FINAL_WORD.finditer(text))
    return {
        typ
        for typ in abbrev_types
        if len(typ) > 1 and "." not in typ and counts[typ] < MIN_LEARNED_ABBREV_COUNT
    }


def parameters_to_json(params: PunktParameters, sources: Sequence[dict[str, object]] = ()) -> str:
    """Serialise Punkt parameters as deterministic JSON (sorted lists and keys).

    ``sources`` records what the parameters were trained on (file, sha256, count).

    >>> params = PunktParameters()
    >>> params.abbrev_types = {"mr", "dr"}
    >>> params.ortho_context.update({"the": 6, "smith": 0})
    >>> print(parameters_to_json(params))  # doctest: +ELLIPSIS
    {
    "abbrev_types": [
    "dr",
    "mr"
    ],
    "collocations": [],
    "format": "mtdetect-punkt/1",
    "nltk_version": "...",
    "ortho_context": {
    "the": 6
    },
    "sent_starters": [],
    "sources": []
    }
    >>> sorted(parameters_from_json(parameters_to_json(params)).abbrev_types)
    ['dr', 'mr']
    """
    doc = {
        "format": PUNKT_FORMAT,
        "nltk_version": nltk.__version__,
        "sources": list(sources),
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted([first, second] for first, second in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        # a zero entry means the same as no entry (the trainer's defaultdict leaves some)
        "ortho_context": {typ: flags for typ, flags in params.ortho_context.items() if flags},
    }
    return json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=True)


def read_paragraphs(path: Path) -> Iterator[str]:
    """Yield the ``text`` field of every record in a JSONL file."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)["text"]
            except (ValueError, KeyError, TypeError) as error:
                raise SystemExit(f"{path}:{number}: not a JSON record with a 'text' field ({error})")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Train on ``<data>/clean/*.jsonl`` and write the parameters JSON."""
    parser = argparse.ArgumentParser(prog="python -m training.punkt", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output JSON (default: %(default)s)")
    args = parser.parse_args(argv)

    files = sorted(args.data.glob(CLEAN_GLOB))
    if not files:
        parser.error(f"no {CLEAN_GLOB} under {args.data} (pass --data DIR)")
    paragraphs: list[str] = []
    sources: list[dict[str, object]] = []
    for path in files:
        texts = list(read_paragraphs(path))
        paragraphs.extend(texts)
        sources.append(
            {"file": path.relative_to(args.data).as_posix(), "paragraphs": len(texts), "sha256": _sha256(path)}
        )

    params = train_punkt(paragraphs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(parameters_to_json(params, sources) + "\n", encoding="utf-8")
    print(
        f"{args.out}: {len(params.abbrev_types)} abbreviations, {len(params.collocations)} collocations, "
        f"{len(params.sent_starters)} sentence starters from {len(paragraphs)} paragraphs",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
