"""Punkt sentence splitting (nltk), loaded by :mod:`mtdetect.segment` on first use.

nltk takes about a second to import (it imports scipy and scikit-learn), so
nothing on the scoring path imports this module: only :func:`split_sentences`
and the training code reach it. It imports nothing from :mod:`mtdetect.segment`:
the parameter format it checks is passed in.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

from nltk.tokenize.punkt import (
    PunktLanguageVars,
    PunktParameters,
    PunktSentenceTokenizer,
    PunktToken,
)

from .errors import ModelError


class _OrthoContext(dict[str, int]):
    """Orthographic flags per word type; unknown types read as 0 without being stored.

    nltk keeps these in a ``defaultdict(int)``, which grows by one entry for
    every new word looked up while splitting text.

    >>> ortho = _OrthoContext(mr=2)
    >>> ortho["smith"], len(ortho)
    (0, 1)
    """

    def __missing__(self, key: str) -> int:
        return 0


def punkt_parameters_from_json(text: str, expected_format: str) -> PunktParameters:
    """Read Punkt parameters written by ``training/punkt.py`` (JSON, sorted lists) in ``expected_format``.

    >>> params = punkt_parameters_from_json(
    ...     '{"format": "mtdetect-punkt/1", "abbrev_types": ["mr"], "collocations": [["e", "coli"]],'
    ...     ' "sent_starters": ["the"], "ortho_context": {"the": 6}}', "mtdetect-punkt/1")
    >>> sorted(params.abbrev_types), sorted(params.collocations), params.ortho_context["never seen"]
    (['mr'], [('e', 'coli')], 0)
    """
    try:
        doc = json.loads(text)
        if doc.get("format") != expected_format:
            raise ValueError(f"format is {doc.get('format')!r}, expected {expected_format!r}")
        params = PunktParameters()
        params.abbrev_types = set(doc["abbrev_types"])
        params.collocations = {(first, second) for first, second in doc["collocations"]}
        params.sent_starters = set(doc["sent_starters"])
        params.ortho_context = _OrthoContext(doc["ortho_context"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ModelError(
            f"sentence-splitter parameters are damaged: {error} "
            "(reinstall mtdetect or regenerate them with `python -m training.punkt`)"
        ) from error
    return params


class _LanguageVars(PunktLanguageVars):
    """Punkt's English patterns, compiled once with the standard ``re`` module.

    nltk 3.10 runs its patterns through ``nltk.redos``, a wrapper with a
    5-second wall-clock limit on a whole ``finditer`` pass: a paragraph of a
    few megabytes raised ``TimeoutError`` half-way, and the wrapper slowed
    every match (splitting ran over twice as slow). The patterns themselves are
    nltk's linear-time ones, unchanged.
    """

    re_boundary_realignment = re.compile(
        PunktLanguageVars.re_boundary_realignment.pattern, re.MULTILINE
    )

    def period_context_re(self) -> re.Pattern[str]:
        return _punkt_patterns().period_context

    def _word_tokenizer_re(self) -> re.Pattern[str]:
        return _punkt_patterns().word_tokenizer


class _PunktPatterns:
    """nltk's Punkt pattern sources, formatted as nltk does and compiled with ``re``."""

    def __init__(self) -> None:
        base = PunktLanguageVars()
        self.period_context = re.compile(
            base._period_context_fmt
            % {"NonWord": base._re_non_word_chars, "SentEndChars": base._re_sent_end_chars},
            re.UNICODE | re.VERBOSE,
        )
        self.word_tokenizer = re.compile(
            base._word_tokenize_fmt
            % {
                "NonWord": base._re_non_word_chars,
                "MultiChar": base._re_multi_char_punct,
                "WordStart": base._re_word_start,
            },
            re.UNICODE | re.VERBOSE,
        )


@functools.cache
def _punkt_patterns() -> _PunktPatterns:
    return _PunktPatterns()


class _Token(PunktToken):
    """Punkt's token with its per-token patterns compiled by ``re`` (see :class:`_LanguageVars`)."""

    __slots__ = ()
    _RE_ELLIPSIS = re.compile(PunktToken._RE_ELLIPSIS.pattern)
    _RE_NUMERIC = re.compile(PunktToken._RE_NUMERIC.pattern)
    _RE_INITIAL = re.compile(PunktToken._RE_INITIAL.pattern, re.UNICODE)
    _RE_ALPHA = re.compile(PunktToken._RE_ALPHA.pattern, re.UNICODE)


@functools.cache
def sentence_tokenizer(expected_format: str) -> PunktSentenceTokenizer:
    """Load the shipped parameters (in ``expected_format``) once and build the tokenizer."""
    resource = resources.files("mtdetect") / "data" / "punkt_en.json"
    params = punkt_parameters_from_json(resource.read_text(encoding="utf-8"), expected_format)
    return PunktSentenceTokenizer(params, lang_vars=_LanguageVars(), token_cls=_Token)
