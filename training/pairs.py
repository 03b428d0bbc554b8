"""Training pairs: an original text beside its garbled version, and the formats they come in.

The model learns from *aligned pairs*: the same content once as written by a
person and once after machine translation or spinning. Both sides are used
(original = 0, garbled = 1), so topic words cancel out and the model learns
the damage, not the subject. Pairs come in two formats, and
:func:`read_pairs` reads both.

**1. JSONL** (``.jsonl``, or gzip-compressed ``.jsonl.gz``): one pair per line,
a JSON object with four string fields::

    {"original": "Sales rose 8 percent.", "garbled": "Sales waxed 8 %.",
     "source": "my-farm-crawl", "kind": "repost"}

- ``original``: the human text (one paragraph, or a sentence);
- ``garbled``: the same content as machine-translated or spun output;
- ``source``: where the pair comes from (a corpus or site name);
- ``kind``: how the garbled side was made (``repost``, ``roundtrip``,
  ``synthetic``, ...).

Blank lines are skipped. Other fields (``doc``, ``group``, spans, scores) are
allowed and kept: trainers that cross-validate use ``doc`` and ``group`` to keep
pairs of one document, or of one original paragraph, in the same fold.

**2. A document-pair folder**: for each document ``NAME``, two plain UTF-8
text files, ``NAME.original.txt`` (the page as first published, page chrome and
all) and ``NAME.garbled.txt`` (the repost). Each pair of files is aligned into
paragraph pairs with :func:`mtdetect.align.align_paragraphs`; paragraphs
without a counterpart (menus, captions, comments, dropped paragraphs) are left
out. Each pair read this way has ``source`` = ``NAME``,
``kind`` = ``"document"``, ``doc`` = ``NAME``, ``group`` = the number of its
(first) paragraph in ``NAME.original.txt`` (from 0, chrome included), its
character spans (``original_span``, ``garbled_span``) and its alignment
``score``.

A folder may hold any number of ``.jsonl`` / ``.jsonl.gz`` files and document
pairs side by side; they are read in file-name order. Other files (a README)
are ignored. Anything unreadable raises :class:`PairFormatError` (a
``ValueError``) naming the file and line.

:func:`write_pairs` writes JSONL (gzip if the name ends in ``.gz``) atomically.
:func:`seed_pairs` and :func:`republished_pairs` build pairs from the project's
seed documents.

>>> pair = {"original": "Sales rose.", "garbled": "Sales waxed.", "source": "doc", "kind": "x"}
>>> validate_pair(pair) is pair
True
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from mtdetect.align import AlignedPair, align_paragraphs, format_side_by_side
from mtdetect.atomic import atomic_writer
from mtdetect.errors import InputError
from mtdetect.records import ReadError, Reject, read_records
from mtdetect.segment import split_paragraphs

__all__ = [
    "DEFAULT_DATA_DIR",
    "PairFormatError",
    "REQUIRED_FIELDS",
    "document_pairs",
    "read_pairs",
    "republished_pairs",
    "screen_pairs",
    "seed_pairs",
    "seed_report",
    "validate_pair",
    "write_pairs",
]

DEFAULT_DATA_DIR = Path("../shared/data")
"""Where the shared data lives, relative to the project root."""

REQUIRED_FIELDS: tuple[str, ...] = ("original", "garbled", "source", "kind")
"""The string fields every pair has."""

ORIGINAL_SUFFIX = ".original.txt"
GARBLED_SUFFIX = ".garbled.txt"
JSONL_SUFFIXES: tuple[str, ...] = (".jsonl", ".jsonl.gz")

SEED_ORIGINAL = "004_*.txt"
"""The seed article as first published (with page chrome)."""
SEED_GARBLED = "001_*.txt"
"""The seed article as a content farm reposted it, machine-translated and back."""
SEED_REPUBLISHED = "000_*.txt"
"""The seed article republished by a second site (human text, other chrome, a comment)."""

# Error messages: what went wrong, and what to do about it.
NO_SUCH_PATH = "no such file or folder (give a .jsonl, .jsonl.gz file or a folder of pairs)"
NOT_A_PAIR_FILE = "not a pair file: expected a .jsonl or .jsonl.gz file, or a folder"
EMPTY_FOLDER = (
    "folder holds no pairs: put .jsonl / .jsonl.gz files or "
    "NAME.original.txt + NAME.garbled.txt document pairs in it"
)
UNPAIRED_DOCUMENT = "{have} has no matching {missing} (document pairs need both files)"
NOT_AN_OBJECT = "expected a JSON object with fields {fields}, found {found}"
MISSING_FIELD = "missing field {field!r} (every pair needs {fields})"
NOT_A_STRING = "field {field!r} must be a string, found {found}"
EMPTY_FIELD = "field {field!r} is empty"
BAD_ENCODING = "not UTF-8 text ({reason})"
BAD_GZIP = "not a readable gzip file ({reason})"
SEED_MISSING = "seed document {pattern} not found in {folder} (pass the shared data folder)"

MIN_PAIR_WORDS = 3
"""Pairs with fewer words than this on either side are left out of training: too short to show damage."""
SAME_TEXT = "{count} with the same text on both sides (nothing to learn), e.g. {example!r}"
TOO_SHORT = "{count} with fewer than {words} words on a side, e.g. {example!r}"
DUPLICATE = "{count} repeated (the same original and garbled text), e.g. {example!r}"
NOTHING_LEFT = "none of the {count} pairs is usable: {reasons}"


class PairFormatError(InputError, ValueError):
    """A pair file or folder cannot be read; says which file and line, and why.

    >>> str(PairFormatError("bad.jsonl", "not valid JSON", line=3))
    'bad.jsonl:3: not valid JSON'
    """

    def __init__(self, path: str | os.PathLike[str], message: str, line: int | None = None):
        self.path = Path(path)
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def validate_pair(
    pair: object, path: str | os.PathLike[str] = "<pairs>", line: int | None = None
) -> dict[str, Any]:
    """Check that ``pair`` is a dict with the four non-empty string fields; return it.

    >>> validate_pair({"original": "a", "garbled": 3, "source": "s", "kind": "k"}, "p.jsonl", 2)
    Traceback (most recent call last):
    ...
    training.pairs.PairFormatError: p.jsonl:2: field 'garbled' must be a string, found int
    """
    fields = ", ".join(REQUIRED_FIELDS)
    if not isinstance(pair, dict):
        found = _type_name(pair)
        raise PairFormatError(path, NOT_AN_OBJECT.format(fields=fields, found=found), line)
    for field in REQUIRED_FIELDS:
        if field not in pair:
            raise PairFormatError(path, MISSING_FIELD.format(field=field, fields=fields), line)
        value = pair[field]
        if not isinstance(value, str):
            raise PairFormatError(
                path, NOT_A_STRING.format(field=field, found=_type_name(value)), line
            )
        if not value.strip():
            raise PairFormatError(path, EMPTY_FIELD.format(field=field), line)
    return pair


@dataclass(frozen=True)
class Screened:
    """Pairs fit to train on, and what was left out and why (one line per reason)."""

    kept: list[dict[str, Any]]
    left_out: list[str]


def _normalised(text: str) -> str:
    return " ".join(text.split())


def screen_pairs(pairs: Iterable[dict[str, Any]], path: str | os.PathLike[str] = "<pairs>") -> Screened:
    """Leave out pairs a model cannot learn from: the same text on both sides (after
    whitespace), fewer than :data:`MIN_PAIR_WORDS` words on a side, and repeats of an
    earlier pair. Raises :class:`PairFormatError` when nothing is left.

    >>> good = {"original": "Sales rose 8 percent.", "garbled": "Sales waxed 8 %.", "source": "s", "kind": "k"}
    >>> screened = screen_pairs([good, dict(good), {**good, "garbled": " Sales rose 8  percent."}])
    >>> len(screened.kept), screened.left_out
    (1, ["1 with the same text on both sides (nothing to learn), e.g. 'Sales rose 8 percent.'", \
"1 repeated (the same original and garbled text), e.g. 'Sales rose 8 percent.'"])
    """
    kept: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    dropped: dict[str, list[str]] = {SAME_TEXT: [], TOO_SHORT: [], DUPLICATE: []}
    count = 0
    for count, pair in enumerate(pairs, start=1):
        original, garbled = _normalised(pair["original"]), _normalised(pair["garbled"])
        if original == garbled:
            dropped[SAME_TEXT].append(original)
        elif min(len(original.split()), len(garbled.split())) < MIN_PAIR_WORDS:
            dropped[TOO_SHORT].append(original)
        elif (original, garbled) in seen:
            dropped[DUPLICATE].append(original)
        else:
            seen.add((original, garbled))
            kept.append(pair)
    left_out = [
        message.format(count=len(texts), words=MIN_PAIR_WORDS, example=texts[0][:60])
        for message, texts in dropped.items() if texts
    ]
    if not kept:
        raise PairFormatError(path, NOTHING_LEFT.format(count=count, reasons="; ".join(left_out) or "no pairs"))
    return Screened(kept, left_out)


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The pairs of one JSONL (or gzip JSONL) file, validated line by line (read as
    :func:`mtdetect.records.read_records` reads records)."""
    try:
        for item in read_records(str(path), "jsonl", text_field=None):
            if isinstance(item, Reject):
                raise PairFormatError(path, item.reason, item.line)
            assert item.record is not None
            yield validate_pair(item.record, path, item.line)
    except ReadError as error:
        raise PairFormatError(path, BAD_GZIP.format(reason=error.reason)) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise PairFormatError(path, BAD_ENCODING.format(reason=error.reason)) from None


def _paragraph_index(text: str) -> dict[int, int]:
    """Paragraph start offset -> paragraph number, to give pairs their group."""
    return {segment.start: number for number, segment in enumerate(split_paragraphs(text))}


def document_pairs(
    original_text: str, garbled_text: str, *, source: str, kind: str, doc: str
) -> list[dict[str, Any]]:
    """Align two documents into pair records (the fields of the JSONL format and more).

    ``group`` is the number of the pair's (first) paragraph in the original, so
    pairs built from the same original with different reposts share a group.

    >>> records = document_pairs("Menu\\n\\nSales rose 8 percent in May.",
    ...                          "Sales waxed 8 % in May.", source="s", kind="k", doc="d")
    >>> [(r["original"], r["garbled"], r["group"]) for r in records]
    [('Sales rose 8 percent in May.', 'Sales waxed 8 % in May.', 1)]
    """
    starts = _paragraph_index(original_text)
    return [
        _record(pair, source=source, kind=kind, doc=doc, group=starts[pair.original_span[0]])
        for pair in align_paragraphs(original_text, garbled_text)
    ]


def _record(pair: AlignedPair, *, source: str, kind: str, doc: str, group: int) -> dict[str, Any]:
    return {
        "original": pair.original,
        "garbled": pair.garbled,
        "source": source,
        "kind": kind,
        "doc": doc,
        "group": group,
        "original_span": list(pair.original_span),
        "garbled_span": list(pair.garbled_span),
        "score": pair.score,
    }


def _read_document_pair(name: str, original: Path, garbled: Path) -> Iterator[dict[str, Any]]:
    yield from document_pairs(
        _read_text(original), _read_text(garbled), source=name, kind="document", doc=name
    )


def _folder_sources(folder: Path) -> list[Path]:
    """The pair files of ``folder`` in file-name order: JSONL files and ``NAME.original.txt``.

    Checks the folder as a whole: every document has both halves, and there is
    at least one source of pairs.
    """
    entries = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    names = {p.name for p in entries}
    sources: list[Path] = []
    for entry in entries:
        for suffix, other in ((ORIGINAL_SUFFIX, GARBLED_SUFFIX), (GARBLED_SUFFIX, ORIGINAL_SUFFIX)):
            if entry.name.endswith(suffix):
                partner = entry.name[: -len(suffix)] + other
                if partner not in names:
                    message = UNPAIRED_DOCUMENT.format(have=entry.name, missing=partner)
                    raise PairFormatError(entry, message)
        if entry.name.endswith((*JSONL_SUFFIXES, ORIGINAL_SUFFIX)):
            sources.append(entry)
    if not sources:
        raise PairFormatError(folder, EMPTY_FOLDER)
    return sources


def _read_sources(sources: list[Path]) -> Iterator[dict[str, Any]]:
    for source in sources:
        if source.name.endswith(ORIGINAL_SUFFIX):
            stem = source.name[: -len(ORIGINAL_SUFFIX)]
            yield from _read_document_pair(stem, source, source.with_name(stem + GARBLED_SUFFIX))
        else:
            yield from _read_jsonl(source)


def read_pairs(path: Path) -> Iterator[dict[str, Any]]:
    """Read pairs from a ``.jsonl`` / ``.jsonl.gz`` file or a folder (see the module docs).

    The path is checked at once (missing, wrong type, empty folder, a document
    without its other half); records are checked as they are read, and the first
    bad one raises :class:`PairFormatError` with the file and line.

    >>> read_pairs(Path("no/such/pairs.jsonl"))
    Traceback (most recent call last):
    ...
    training.pairs.PairFormatError: no/such/pairs.jsonl: no such file or folder (give a .jsonl, \
.jsonl.gz file or a folder of pairs)
    """
    path = Path(path)
    if path.is_dir():
        return _read_sources(_folder_sources(path))
    if not path.exists():
        raise PairFormatError(path, NO_SUCH_PATH)
    if not path.name.endswith(JSONL_SUFFIXES):
        raise PairFormatError(path, NOT_A_PAIR_FILE)
    return _read_jsonl(path)


def write_pairs(pairs: Iterable[Mapping[str, Any]], path: Path) -> int:
    """Write pairs as JSONL (gzip if ``path`` ends in ``.gz``), atomically; return the count.

    The file appears complete or not at all: pairs go to a temporary file in
    the same folder, renamed over ``path`` at the end. Each pair is checked
    first (the line number in an error is the pair's position, from 1).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_pairs([{"original": "a b", "garbled": "a c", "source": "s", "kind": "k"}],
    ...             folder / "p.jsonl")
    1
    >>> [p["garbled"] for p in read_pairs(folder / "p.jsonl")]
    ['a c']
    >>> import shutil; shutil.rmtree(folder)
    """
    path = Path(path)
    count = 0
    with atomic_writer(path, "wb") as raw:
        gzipped = gzip.GzipFile(fileobj=raw, mode="wb") if path.name.endswith(".gz") else None
        stream: IO[bytes] = gzipped or raw
        for count, pair in enumerate(pairs, start=1):
            record = dict(pair) if isinstance(pair, Mapping) else pair
            record = validate_pair(record, path, count)
            stream.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        if gzipped is not None:
            gzipped.close()  # writes the gzip trailer; the file itself is closed by the writer
    return count


def _seed_file(data_dir: Path, pattern: str) -> Path:
    folder = Path(data_dir) / "seeds"
    found = sorted(folder.glob(pattern))
    if not found:
        raise PairFormatError(folder, SEED_MISSING.format(pattern=pattern, folder=folder))
    return found[0]


def seed_pairs(data_dir: Path = DEFAULT_DATA_DIR) -> list[dict[str, Any]]:
    """The seed article (004) aligned with its garbled repost (001): paragraph pairs.

    Source, kind and doc are ``"seed"``; ``group`` is the number of the 004
    paragraph, so trainers can cross-validate by group. On the shipped seeds,
    28 of the repost's 29 paragraphs align (all but its ``By RFE/RL`` byline).
    """
    original = _read_text(_seed_file(data_dir, SEED_ORIGINAL))
    garbled = _read_text(_seed_file(data_dir, SEED_GARBLED))
    return document_pairs(original, garbled, source="seed", kind="seed", doc="seed")


def republished_pairs(data_dir: Path = DEFAULT_DATA_DIR) -> list[dict[str, Any]]:
    """The seed article (004) aligned with its human republication (000): clean pairs.

    Both sides are human text (kind ``"republished"``): use them as negatives,
    label 0 on both sides. ``group`` is the number of the 004 paragraph, the same
    group as the seed pair built from that paragraph. On the shipped seeds the
    28 article paragraphs align; the other site's menus, bullet summary and
    reader comment do not.
    """
    original = _read_text(_seed_file(data_dir, SEED_ORIGINAL))
    republished = _read_text(_seed_file(data_dir, SEED_REPUBLISHED))
    return document_pairs(original, republished, source="seed", kind="republished", doc="seed")


def seed_report(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """How many paragraphs of the repost (001) and the republication (000) align with 004."""
    lines = []
    for pattern, builder in ((SEED_GARBLED, seed_pairs), (SEED_REPUBLISHED, republished_pairs)):
        records = builder(data_dir)
        total = len(split_paragraphs(_read_text(_seed_file(data_dir, pattern))))
        covered = sum(
            len(split_paragraphs(r["garbled"])) for r in records
        )  # a 1-2 pair covers two paragraphs
        kind = records[0]["kind"] if records else builder.__name__
        lines.append(
            f"{kind}: {len(records)} pairs, {covered} of {total} paragraphs of "
            f"{pattern.split('_')[0]} aligned with {SEED_ORIGINAL.split('_')[0]}"
        )
    return "\n".join(lines)


def _span(record: Mapping[str, Any], side: str) -> tuple[int, int]:
    start, end = record.get(f"{side}_span", (0, len(record[side])))
    return int(start), int(end)


def _as_aligned(record: Mapping[str, Any]) -> AlignedPair:
    """A pair record as an :class:`AlignedPair`, for the side-by-side view."""
    return AlignedPair(
        original=record["original"],
        garbled=record["garbled"],
        original_span=_span(record, "original"),
        garbled_span=_span(record, "garbled"),
        score=float(record.get("score", float("nan"))),
    )


def main(argv: list[str] | None = None) -> int:
    """Summarise the pairs in a file or folder (or the seed pairs), optionally side by side."""
    parser = argparse.ArgumentParser(prog="python -m training.pairs", description=main.__doc__)
    parser.add_argument(
        "path", nargs="?", type=Path, help="pairs file or folder (default: the seed pairs)"
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="shared data folder")
    parser.add_argument("--show", action="store_true", help="print the pairs side by side")
    parser.add_argument("--width", type=int, default=100, help="width of the side-by-side view")
    args = parser.parse_args(argv)
    try:
        if args.path is not None:
            groups = {str(args.path): list(read_pairs(args.path))}
            print(f"{args.path}: {len(groups[str(args.path)])} pairs")
        else:
            groups = {"seed": seed_pairs(args.data), "republished": republished_pairs(args.data)}
            print(seed_report(args.data))
    except PairFormatError as error:
        parser.exit(2, f"error: {error}\n")
    if args.show:
        for name, records in groups.items():
            print(f"\n== {name}\n")
            print(format_side_by_side([_as_aligned(r) for r in records], width=args.width))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
