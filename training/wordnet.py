"""A small reader of the WordNet 3.0 database files, for synonym swaps.

Debian's ``wordnet-base`` package ships the Princeton WordNet 3.0 database
(``index.*``, ``data.*`` and ``*.exc`` files) but not the ``lexnames`` file
that nltk's reader expects, so this module reads the files directly:

- ``index.POS``: one line per lemma, ending with the byte offsets of its
  synsets in ``data.POS``, most frequent sense first;
- ``data.POS``: one line per synset, found by seeking to its byte offset;
  only the lemma list is parsed (pointers and glosses are not needed here);
- ``POS.exc``: irregular inflections (``went`` -> ``go``, ``mice`` -> ``mouse``).

The directory is a parameter; it defaults to ``$WORDNET_DIR`` or, failing
that, ``/usr/share/wordnet``. A missing database raises
:class:`WordNetMissingError` with a message that says how to install it.

>>> if not wordnet_available(): import pytest; pytest.skip("needs wordnet-base")
>>> wn = load_wordnet()
>>> wn.synonyms("ally"), wn.synonyms("strong")[:3]
(['friend'], ['potent', 'stiff', 'impregnable'])
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

__all__ = [
    "POS_TAGS",
    "WORDNET_DIR_ENV",
    "DEFAULT_WORDNET_DIR",
    "MISSING_WORDNET",
    "WordNetMissingError",
    "Synset",
    "Analysis",
    "WordNet",
    "wordnet_dir",
    "wordnet_available",
    "load_wordnet",
]

#: WordNet's part-of-speech tags, in the order used for look-ups.
POS_TAGS: tuple[str, ...] = ("n", "v", "a", "r")
_POS_FILE = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}

#: Environment variable that overrides the database directory.
WORDNET_DIR_ENV = "WORDNET_DIR"
#: Where Debian's ``wordnet-base`` package installs the database.
DEFAULT_WORDNET_DIR = "/usr/share/wordnet"

MISSING_WORDNET = (
    "WordNet 3.0 data files not found in {directory} (need data.noun, data.verb, "
    "data.adj, data.adv and the matching index files). Install them with "
    "`apt-get install wordnet-base`, or set {env} to a directory that holds them."
)


class WordNetMissingError(FileNotFoundError):
    """The WordNet database files are not where they were looked for."""


@dataclass(frozen=True, slots=True)
class Synset:
    """One WordNet synset: its byte offset, part of speech and lemmas.

    ``lemmas`` keep WordNet's spelling: underscores for spaces, case as in
    the database (``"Allies"`` is a proper-noun lemma), markers such as
    ``(a)`` on adjectives removed.
    """

    offset: int
    pos: str
    lemmas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Analysis:
    """A base form of an inflected word: ``Analysis("rose", "v", "ed")``.

    ``ending`` names the inflection that was removed: ``""`` (the word is a
    lemma itself), ``"s"`` (plural or third person), ``"ed"`` (past),
    ``"ing"``, ``"er"`` or ``"est"`` (comparison).
    """

    lemma: str
    pos: str
    ending: str


# WordNet's "morphy" detachment rules, each (pos, suffix, replacement, ending
# name). Tried in order; a candidate is kept only if WordNet has the lemma.
_DETACHMENT_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("n", "ies", "y", "s"),      # countries -> country
    ("n", "ses", "s", "s"),      # buses -> bus
    ("n", "xes", "x", "s"),      # taxes -> tax
    ("n", "zes", "z", "s"),      # quizzes -> quizz (kept only if a lemma)
    ("n", "ches", "ch", "s"),    # churches -> church
    ("n", "shes", "sh", "s"),    # wishes -> wish
    ("n", "men", "man", "s"),    # chairmen -> chairman
    ("n", "s", "", "s"),         # visits -> visit
    ("v", "ies", "y", "s"),      # relies -> rely
    ("v", "es", "e", "s"),       # raises -> raise
    ("v", "es", "", "s"),        # pushes -> push
    ("v", "s", "", "s"),         # visits -> visit
    ("v", "ied", "y", "ed"),     # relied -> rely
    ("v", "ed", "e", "ed"),      # raised -> raise
    ("v", "ed", "", "ed"),       # visited -> visit
    ("v", "ing", "e", "ing"),    # raising -> raise
    ("v", "ing", "", "ing"),     # visiting -> visit
    ("a", "er", "", "er"),       # stronger -> strong
    ("a", "est", "", "est"),     # strongest -> strong
    ("a", "er", "e", "er"),      # larger -> large
    ("a", "est", "e", "est"),    # largest -> large
)

# A doubled final consonant before -ed/-ing/-er/-est: "stopped" -> "stop".
_DOUBLED = re.compile(r"([b-df-hj-np-tv-z])\1(?:ed|ing|er|est)$")

# Markers after adjective lemmas in data.adj: "(a)" attributive,
# "(p)" predicative, "(ip)" immediately postnominal.
_ADJ_MARKER = re.compile(r"\((?:a|p|ip)\)$")


def wordnet_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """The database directory: the argument, else ``$WORDNET_DIR``, else Debian's.

    >>> str(wordnet_dir("/opt/wn"))
    '/opt/wn'
    """
    if directory is not None:
        return Path(directory)
    return Path(os.environ.get(WORDNET_DIR_ENV) or DEFAULT_WORDNET_DIR)


def _required_files(directory: Path) -> Iterator[Path]:
    for name in _POS_FILE.values():
        yield directory / f"data.{name}"
        yield directory / f"index.{name}"


def wordnet_available(directory: str | os.PathLike[str] | None = None) -> bool:
    """True when all data and index files are present in the directory.

    >>> wordnet_available("/nonexistent/wordnet")
    False
    """
    root = wordnet_dir(directory)
    return all(path.is_file() for path in _required_files(root))


class WordNet:
    """Read-only access to a WordNet 3.0 database directory.

    Index files are read on first use (about half a second for all four
    parts of speech); synset lines are parsed on demand and cached.

    >>> try:
    ...     WordNet("/nonexistent/wordnet").synsets("ally")
    ... except WordNetMissingError as error:
    ...     print(str(error)[:60])
    WordNet 3.0 data files not found in /nonexistent/wordnet (ne
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = wordnet_dir(directory)
        self._index: dict[str, dict[str, tuple[int, ...]]] | None = None
        self._data: dict[str, bytes] = {}
        self._exceptions: dict[str, dict[str, tuple[str, ...]]] = {}
        self._synset_cache: dict[tuple[str, int], Synset] = {}

    # -- loading -------------------------------------------------------------

    def _check(self) -> None:
        missing = [p for p in _required_files(self.directory) if not p.is_file()]
        if missing:
            raise WordNetMissingError(
                MISSING_WORDNET.format(directory=self.directory, env=WORDNET_DIR_ENV)
            )

    def _load(self) -> dict[str, dict[str, tuple[int, ...]]]:
        if self._index is not None:
            return self._index
        self._check()
        index: dict[str, dict[str, tuple[int, ...]]] = {}
        for pos, name in _POS_FILE.items():
            table: dict[str, tuple[int, ...]] = {}
            with open(self.directory / f"index.{name}", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("  "):  # licence header
                        continue
                    fields = line.split()
                    count = int(fields[2])
                    table[fields[0]] = tuple(int(x) for x in fields[-count:])
            index[pos] = table
            self._data[pos] = (self.directory / f"data.{name}").read_bytes()
            exc_path = self.directory / f"{name}.exc"
            exceptions: dict[str, tuple[str, ...]] = {}
            if exc_path.is_file():
                with open(exc_path, encoding="utf-8") as handle:
                    for line in handle:
                        form, *bases = line.split()
                        if bases:
                            exceptions[form] = tuple(bases)
            self._exceptions[pos] = exceptions
        self._index = index
        return index

    def _synset(self, pos: str, offset: int) -> Synset:
        key = (pos, offset)
        cached = self._synset_cache.get(key)
        if cached is not None:
            return cached
        data = self._data[pos]
        end = data.index(b"\n", offset)
        fields = data[offset:end].decode("utf-8").split(" ", 4)
        count = int(fields[3], 16)
        words = fields[4].split(" ", 2 * count)[: 2 * count : 2]
        lemmas = tuple(_ADJ_MARKER.sub("", w) for w in words)
        synset = Synset(offset=offset, pos=pos, lemmas=lemmas)
        self._synset_cache[key] = synset
        return synset

    # -- look-ups ------------------------------------------------------------

    def _tags(self, pos: str | None) -> tuple[str, ...]:
        if pos is None:
            return POS_TAGS
        if pos == "s":  # adjective satellite
            return ("a",)
        if pos not in _POS_FILE:
            raise ValueError(f"unknown part of speech {pos!r}: use one of n, v, a, r")
        return (pos,)

    def is_lemma(self, lemma: str, pos: str | None = None) -> bool:
        """True if ``lemma`` (any case, spaces or underscores) is a WordNet lemma."""
        index = self._load()
        key = lemma.lower().replace(" ", "_")
        return any(key in index[tag] for tag in self._tags(pos))

    def synsets(self, lemma: str, pos: str | None = None) -> list[Synset]:
        """Synsets of an uninflected lemma, most frequent sense first per POS."""
        index = self._load()
        key = lemma.lower().replace(" ", "_")
        found: list[Synset] = []
        for tag in self._tags(pos):
            for offset in index[tag].get(key, ()):
                found.append(self._synset(tag, offset))
        return found

    def morphy(self, word: str, pos: str | None = None) -> list[Analysis]:
        """Base forms of ``word`` that WordNet knows, with the ending removed.

        The word itself comes first when it is a lemma; then irregular forms
        from the exception lists; then WordNet's detachment rules.
        """
        index = self._load()
        lower = word.lower().replace(" ", "_")
        found: list[Analysis] = []
        seen: set[tuple[str, str]] = set()

        def add(lemma: str, tag: str, ending: str) -> None:
            if lemma in index[tag] and (lemma, tag) not in seen:
                seen.add((lemma, tag))
                found.append(Analysis(lemma, tag, ending))

        tags = self._tags(pos)
        for tag in tags:
            add(lower, tag, "")
        for tag in tags:
            for base in self._exceptions[tag].get(lower, ()):
                add(base, tag, _irregular_ending(lower, tag))
        for tag, suffix, replacement, ending in _DETACHMENT_RULES:
            if tag in tags and lower.endswith(suffix) and len(lower) > len(suffix) + 1:
                add(lower[: -len(suffix)] + replacement, tag, ending)
                if _DOUBLED.search(lower):
                    add(lower[: -len(suffix) - 1], tag, ending)
        return found

    def synonyms(self, word: str, pos: str | None = None) -> list[str]:
        """Other lemmas sharing a synset with any base form of ``word``.

        Unique, in sense order, underscores turned into spaces.
        """
        found: list[str] = []
        for analysis in self.morphy(word, pos):
            for synset in self.synsets(analysis.lemma, analysis.pos):
                for lemma in synset.lemmas:
                    text = lemma.replace("_", " ")
                    same = text.lower() == analysis.lemma.replace("_", " ")
                    if not same and text not in found:
                        found.append(text)
        return found


def _irregular_ending(form: str, pos: str) -> str:
    """Guess which inflection an irregular form carries (``went`` -> ``ed``)."""
    if pos == "n":
        return "s"
    if pos == "v":
        return "ing" if form.endswith("ing") else "ed"
    if pos == "a":
        return "est" if form.endswith("st") else "er"
    return ""


@lru_cache(maxsize=4)
def _load_cached(directory: Path) -> WordNet:
    wordnet = WordNet(directory)
    wordnet._load()
    return wordnet


def load_wordnet(directory: str | os.PathLike[str] | None = None) -> WordNet:
    """A loaded, cached :class:`WordNet` for the directory (see :func:`wordnet_dir`).

    Raises :class:`WordNetMissingError` when the files are missing.
    """
    return _load_cached(wordnet_dir(directory).resolve())
