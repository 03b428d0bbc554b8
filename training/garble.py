"""Synthetic damage: turn clean paragraphs into garbled ones for training pairs.

Table of contents
-----------------
``CORRUPTIONS`` is the registry of named corruptions, grouped in the damage
families of the design notes. Each is a small function
``(text, rng, rate) -> str`` that damages some of the places where it applies
(each site with probability ``rate``, at least one) and returns the text
unchanged when it finds no place to act. Those that put the same thing at
every place a pattern finds are a :class:`Substitution` (a pattern and an
``re.sub`` template); the others are functions. Each has one line of
documentation (:attr:`Corruption.doc`); the tests hold a worked example of
each, with its seed and rate.

A corruption that a rule of :mod:`mtdetect.rules` detects has that rule's
name; every rule has one (the tests check that it fires on its output). The
others (agreement, synonyms, untranslated words, word order) leave damage that
only the language and word-class features see.

===================  ==============================  ============================================
family               corruption                      example
===================  ==============================  ============================================
sentence_boundary    mid_sentence_period             ``the economy of`` -> ``the economy. of``
sentence_boundary    split_date                      ``March 2022`` -> ``March. 2022``
sentence_boundary    orphan_punctuation              ``said, that`` -> ``said , that``
quotation            dropped_quotes                  ``“We will,” he said`` -> ``We will, he said``
quotation            quote_attachment                ``said “we`` -> ``said” we``
quotation            unbalanced_quotes               ``said “we will”`` -> ``said we will”``
quotation            duplicated_bracket              ``[the visit]`` -> ``the [the visit]``
detokenisation       split_contraction               ``don't`` -> ``do n't``
detokenisation       spaced_symbol                   ``8%`` -> ``8 %``, ``$75`` -> ``$ 75``
detokenisation       spaced_hyphen                   ``cross-border`` -> ``cross- border``
lexical              duplicated_word                 ``the analysis`` -> ``a analysis the analysis``
lexical              article_agreement               ``an interview`` -> ``a interview``
lexical              agreement_error                 ``which relies`` -> ``which rely``
lexical              capitalised_midsentence_word    ``Putin expressed`` -> ``Putin Express``
lexical              synonym_swap                    ``close ally`` -> ``near friend`` (WordNet)
lexical              untranslated_word               ``the new law`` -> ``the new Gesetz``
word_order           word_order                      ``the new law`` -> ``the law new``
===================  ==============================  ============================================

:func:`garble` applies a sparse random mixture of them (1-3 by default);
:func:`typography_variant` makes a *clean* variant that changes only
typography (quotes, dashes, ellipses, spaces), so a model learns that
typography alone is not damage. :func:`garble_pairs` turns clean paragraph
records into pair records; ``python -m training.garble`` writes them as JSONL.

Everything is deterministic given the ``random.Random`` passed in.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import warnings
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from mtdetect.lexicon import FUNCTION_WORDS, NUMBER_WORDS, TITLE_ABBREVIATIONS
from training.wordnet import WordNet, WordNetMissingError, load_wordnet, wordnet_available

__all__ = [
    "Corruption",
    "CorruptionFn",
    "CORRUPTIONS",
    "FAMILIES",
    "Substitution",
    "garble",
    "typography_variant",
    "garble_pairs",
    "read_clean_paragraphs",
    "main",
]

CorruptionFn = Callable[[str, random.Random, float], str]
Edit = tuple[int, int, str]  # (start, end, replacement) on the text

# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------

# A plain word: letters only, not part of a contraction or hyphenated compound.
_PLAIN_WORD = re.compile(
    r"""
    (?<![\w'’-])      # not glued to a word, apostrophe or hyphen on the left
    [A-Za-z]+         # the letters
    (?![\w'’-])       # nor on the right
    """,
    re.VERBOSE,
)

# Characters that may stand between a sentence end and the next word.
_OPENERS = "\"'“‘„«([{"


def _pick(n: int, rng: random.Random, rate: float) -> list[int]:
    """Indices of the sites to damage: each with probability ``rate``, at least one.

    >>> _pick(5, random.Random(0), 0.0)
    [3]
    >>> _pick(0, random.Random(0), 0.5)
    []
    """
    if n <= 0:
        return []
    chosen = [i for i in range(n) if rng.random() < rate]
    return chosen or [rng.randrange(n)]


def _apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (later overlapping ones are dropped).

    >>> _apply_edits("a b c", [(2, 3, "B"), (0, 1, "A"), (2, 5, "x")])
    'A B c'
    """
    out: list[str] = []
    position = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < position:
            continue
        out.append(text[position:start])
        out.append(replacement)
        position = end
    out.append(text[position:])
    return "".join(out)


def _edit_sites(text: str, sites: Sequence[Edit], rng: random.Random, rate: float) -> str:
    """Apply a random subset (by ``rate``, at least one) of candidate edits."""
    if not sites:
        return text
    return _apply_edits(text, [sites[i] for i in _pick(len(sites), rng, rate)])


@dataclass(frozen=True, slots=True)
class Substitution:
    """A corruption that is ``re.sub(pattern, template, text)`` at a random subset of the matches.

    Each match is a site, damaged with probability ``rate`` (at least one
    site): the corruptions that put the same thing at every place a pattern
    finds are written this way, as a pattern, a template in ``re.sub``
    syntax (``\\g<0>`` is the match) and one line of ``doc``.

    >>> spaced_percent = Substitution(re.compile(r"(?<=\\d)%"), " %", "Space off a percent sign.")
    >>> spaced_percent("8% and 9%", random.Random(0), 1.0)
    '8 % and 9 %'
    """

    pattern: re.Pattern[str]
    template: str
    doc: str

    def __call__(self, text: str, rng: random.Random, rate: float) -> str:
        sites = [(m.start(), m.end(), m.expand(self.template)) for m in self.pattern.finditer(text)]
        return _edit_sites(text, sites, rng, rate)


def _at_sentence_start(text: str, index: int) -> bool:
    """True when only spaces and opening quotes/brackets separate ``index`` from a sentence end.

    >>> _at_sentence_start("He left. Then", 9), _at_sentence_start("He left then", 8)
    (True, False)
    """
    j = index - 1
    while j >= 0 and (text[j].isspace() or text[j] in _OPENERS):
        j -= 1
    return j < 0 or text[j] in ".!?:"


def _match_case(model: str, word: str) -> str:
    """Give ``word`` the capitalisation pattern of ``model``.

    >>> _match_case("Close", "near"), _match_case("NATO", "pact"), _match_case("ally", "Friend")
    ('Near', 'PACT', 'Friend')
    """
    if len(model) > 1 and model.isupper():
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


# Single-vowel stems ending in one consonant double it: stop -> stopped.
_DOUBLING_STEM = re.compile(r"^[^aeiou]*[aeiou][^aeiouwxy]$")
_ALWAYS_DOUBLE = ("admit", "commit", "permit", "refer", "prefer", "occur", "regret", "submit")


def _inflect(base: str, ending: str) -> str:
    """Add a regular English ending (``s``, ``ed``, ``ing``) to a base form, roughly.

    >>> [_inflect("rely", "s"), _inflect("push", "s"), _inflect("raise", "ed"), _inflect("stop", "ing")]
    ['relies', 'pushes', 'raised', 'stopping']
    """
    if ending == "s":
        if base.endswith(("s", "x", "z", "ch", "sh")):
            return base + "es"
        if len(base) > 1 and base.endswith("y") and base[-2] not in "aeiou":
            return base[:-1] + "ies"
        return base + "s"
    if ending in ("ed", "ing"):
        if _DOUBLING_STEM.match(base) or base in _ALWAYS_DOUBLE:
            base = base + base[-1]
        if ending == "ed":
            if base.endswith("e"):
                return base + "d"
            if len(base) > 1 and base.endswith("y") and base[-2] not in "aeiou":
                return base[:-1] + "ied"
            return base + "ed"
        if base.endswith("ie"):
            return base[:-2] + "ying"
        if base.endswith("e") and not base.endswith(("ee", "ye", "oe")):
            return base[:-1] + "ing"
        return base + "ing"
    return base


# Common verbs (base forms) for agreement, capitalisation and word-order damage.
_VERBS: tuple[str, ...] = tuple(
    """
    accept accuse achieve act add admit agree allow announce answer appear appoint argue
    arrive ask attend believe boost bring build buy call carry change choose claim come
    confirm consider contain continue cover create cut decide demand deny depend describe
    destroy develop discuss draw drive enter expect explain express extend face fail fall
    feel fight find follow form get give go grow happen hear help hold hope improve include
    increase insist join keep kill know lead learn leave live lose love make mean meet move
    need offer open pass pay plan play pledge prepare press prevent produce promise propose
    protect provide pull push raise reach receive reduce rely remain remember replace report
    require respect return rise run say see seek seem send serve share show sign sit speak
    spend stand start stay stop strengthen suggest supply support sustain take talk tell
    think try turn understand urge use visit vote wait walk want warn win work write
    """.split()
)

_IRREGULAR_PAST = {
    "say": "said", "make": "made", "go": "went", "take": "took", "come": "came",
    "see": "saw", "know": "knew", "get": "got", "give": "gave", "find": "found",
    "think": "thought", "tell": "told", "leave": "left", "feel": "felt",
    "bring": "brought", "keep": "kept", "hold": "held", "write": "wrote",
    "stand": "stood", "hear": "heard", "mean": "meant", "meet": "met", "run": "ran",
    "pay": "paid", "sit": "sat", "speak": "spoke", "lead": "led", "grow": "grew",
    "lose": "lost", "fall": "fell", "send": "sent", "build": "built",
    "understand": "understood", "draw": "drew", "spend": "spent", "cut": "cut",
    "rise": "rose", "drive": "drove", "buy": "bought", "choose": "chose",
    "seek": "sought", "win": "won", "fight": "fought",
}


def _verb_forms() -> dict[str, tuple[str, str]]:
    """Map each form of a common verb to ``(base, ending)``."""
    forms: dict[str, tuple[str, str]] = {}
    for base in _VERBS:
        past = _IRREGULAR_PAST.get(base) or _inflect(base, "ed")
        for form, ending in ((past, "ed"), (_inflect(base, "ing"), "ing"),
                             (_inflect(base, "s"), "s"), (base, "")):
            forms[form] = (base, ending)
    return forms


_VERB_FORMS = _verb_forms()

# --------------------------------------------------------------------------
# Sentence-boundary damage
# --------------------------------------------------------------------------

# Words after which a stray full stop is implausible even for MT ("the. economy").
_NO_PERIOD_AFTER = (
    "a|an|the|of|to|in|on|at|by|for|from|with|and|or|but|as|if|that|than|my|his|her|its|our|their"
)
_MID_PERIOD_SITE = re.compile(
    rf"""
    (?<![\w'’-])(?!(?i:{_NO_PERIOD_AFTER})\ )  # at a word that is none of those, in any case,
    (?P<word>[A-Za-z]{{2,}})(?=\ [a-z])       # before a lower-case word: the word, then "."
    | ,(?=\ [a-z])                            # or a comma before a lower-case word: "." instead
    """,
    re.VERBOSE,
)
mid_sentence_period = Substitution(
    _MID_PERIOD_SITE, r"\g<word>.", "Put a full stop inside a clause, keeping the next word lower-case."
)

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_DATE_SITE = re.compile(
    rf"""
    (?<![\w.])(?:{_MONTH})(?=\ \d)                 # "March 2022", "May 16": the month, then "."
    | (?<=\d)(?=\ (?:million|billion|trillion|percent|per\ cent|years?)\b)
                                                   # "60 percent": "." after the number
    """,
    re.VERBOSE,
)
split_date = Substitution(
    _DATE_SITE, r"\g<0>.", "Split a date or an amount with a full stop: ``March 2022`` -> ``March. 2022``."
)


_PUNCT_SITE = re.compile(
    r"""
    (?<=[\w)])             # after a word or closing bracket
    (?P<mark>[,;.])        # a comma, semicolon or full stop (a space before ":", "?" or "!" is
                           #   how many people type: mtdetect.rules does not count it)
    (?=\s|$)               # that ends a clause (not 3.5 or U.S.A inside)
    """,
    re.VERBOSE,
)


def orphan_punctuation(text: str, rng: random.Random, rate: float) -> str:
    """Orphan or double punctuation: ``said, that`` -> ``said , that``, ``end.`` -> ``end. .``."""
    sites: list[Edit] = []
    for m in _PUNCT_SITE.finditer(text):
        mark = m.group("mark")
        if mark == "." and rng.random() < 0.5:
            sites.append((m.start(), m.end(), ". ."))  # doubled full stop
        else:
            sites.append((m.start(), m.end(), " " + mark))  # space before the mark
    return _edit_sites(text, sites, rng, rate)


# --------------------------------------------------------------------------
# Quotation damage
# --------------------------------------------------------------------------

_QUOTED_SPEECH = re.compile(
    r"""
    “[^”\n]*?\w[^”\n]*?”                  # curly double quotes around words
    | "[^"\n]*?\w[^"\n]*?"                # straight double quotes
    | «[^»\n]*?\w[^»\n]*?»                # guillemets
    | (?<![\w'’])[‘'](?=\w)[^‘’'\n]*?(?<=[\w.,!?])[’'](?![\w'’])
                                          # single quotes (not apostrophes)
    """,
    re.VERBOSE,
)

_DOUBLE_QUOTE_MARK = re.compile(r"[“”„\"]|«\s?|\s?»")


def dropped_quotes(text: str, rng: random.Random, rate: float) -> str:
    """Remove every quotation mark from a paragraph that quotes speech (``rate`` is unused)."""
    if not _QUOTED_SPEECH.search(text):
        return text

    def strip_single(m: re.Match[str]) -> str:
        quoted = m.group(0)
        if quoted[0] in "‘'":
            return quoted[1:-1]
        return quoted

    text = _QUOTED_SPEECH.sub(strip_single, text)
    return _DOUBLE_QUOTE_MARK.sub("", text)


_QUOTE_SITE = re.compile(
    r"""
    (?P<glue>(?<=\w)\ [“"](?=\w))           # `said “we`: an opening quote after a word
    | (?P<open>(?:(?<=\s)|^)[“"‘](?=\w))    # any opening quote before a word
    | (?P<close>(?<=[\w.,!?])[”"’](?=\s|$|[,.;:]))  # a closing quote after a word
    """,
    re.VERBOSE,
)

_CLOSING_OF = {"“": "”", '"': '"', "‘": "’"}


def quote_attachment(text: str, rng: random.Random, rate: float) -> str:
    """Glue a quote to the wrong word or space it off: ``said “we`` -> ``said” we``."""
    sites: list[Edit] = []
    for m in _QUOTE_SITE.finditer(text):
        quote = m.group(0).strip()
        if m.group("glue") and rng.random() < 0.7:
            sites.append((m.start(), m.end(), _CLOSING_OF.get(quote, quote) + " "))
        elif m.group("glue") or m.group("open"):
            sites.append((m.end() - 1, m.end(), quote + " "))  # `“ we`
        else:
            sites.append((m.start(), m.end(), " " + quote))  # `win ”`
    return _edit_sites(text, sites, rng, rate)


_BRACKET_SITE = re.compile(
    r"""
    (?:(?<=\s)|^)                          # a bracket that starts a token
    (?P<open>[\[(])
    (?P<first>[A-Za-z]+)                   # the first word inside
    (?P<rest>[^\[\]()\n]{0,60}?)           # the rest of a short insert
    (?P<close>[\])])
    """,
    re.VERBOSE,
)


def duplicated_bracket(text: str, rng: random.Random, rate: float) -> str:
    """Duplicate (part of) a bracketed insert before it: ``[the visit]`` -> ``the [the visit]``."""
    sites: list[Edit] = []
    for m in _BRACKET_SITE.finditer(text):
        if (m.group("open") == "[") != (m.group("close") == "]"):
            continue  # mismatched pair
        inner = m.group("first") + m.group("rest")
        copy = m.group("first") if rng.random() < 0.6 else inner
        sites.append((m.start(), m.start(), copy + " "))
    return _edit_sites(text, sites, rng, rate)


def unbalanced_quotes(text: str, rng: random.Random, rate: float) -> str:
    """Drop the opening mark of a curly-quoted passage or a bracketed insert, keeping its closer."""
    openers = [m.start() for m in _QUOTED_SPEECH.finditer(text) if text[m.start()] == "“"]
    openers += [m.start("open") for m in _BRACKET_SITE.finditer(text) if m.group("open") == "("]
    return _edit_sites(text, [(i, i + 1, "") for i in sorted(openers)], rng, rate)


# --------------------------------------------------------------------------
# Detokenisation damage
# --------------------------------------------------------------------------

_CONTRACTION_SITE = re.compile(
    r"""
    (?<=[A-Za-z])(?=[nN]['’][tT]\b)                  # don't -> do n't, can't -> ca n't
    | (?<=[A-Za-z])(?=['’](?:[sdmSDM]|re|ve|ll|RE|VE|LL)\b)  # it's -> it 's, they're -> they 're
    """,
    re.VERBOSE,
)
split_contraction = Substitution(
    _CONTRACTION_SITE, " ", "Split a contraction or possessive the way a tokenizer does: ``don't`` -> ``do n't``."
)


_SYMBOL_SITE = re.compile(
    r"""
    (?<=\d)(?P<percent>%)                            # 8% -> 8 %
    | (?P<glue>(?<=\w)\ [$€£¥](?=\d))                # profit $75 -> profit$ 75
    | (?P<currency>[$€£¥])(?=\d)                     # $75 -> $ 75
    """,
    re.VERBOSE,
)


def spaced_symbol(text: str, rng: random.Random, rate: float) -> str:
    """Space off percent and currency signs: ``8%`` -> ``8 %``, ``$75`` -> ``$ 75`` / ``profit$ 75``."""
    sites: list[Edit] = []
    for m in _SYMBOL_SITE.finditer(text):
        if m.group("percent"):
            sites.append((m.start(), m.start(), " "))
        elif m.group("glue") and rng.random() < 0.5:
            sites.append((m.start(), m.end(), m.group(0).strip() + " "))
        else:
            sites.append((m.end(), m.end(), " "))
    return _edit_sites(text, sites, rng, rate)


_HYPHEN_SITE = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")  # cross-border, long-term
spaced_hyphen = Substitution(
    _HYPHEN_SITE, "- ", "Put a space after the hyphen of a compound: ``cross-border`` -> ``cross- border``."
)


# --------------------------------------------------------------------------
# Lexical damage
# --------------------------------------------------------------------------

_ARTICLE_NOUN = re.compile(
    r"""
    (?<![\w'’-])(?P<article>the|a|an|The|A|An)   # an article
    \ (?P<word>[a-z]{3,})(?![\w'’-])             # and the word after it
    """,
    re.VERBOSE,
)


def duplicated_word(text: str, rng: random.Random, rate: float) -> str:
    """Half-replaced or doubled words: ``the analysis`` -> ``a analysis the analysis``."""
    sites: list[Edit] = []
    for m in _ARTICLE_NOUN.finditer(text):
        article, word = m.group("article"), m.group("word")
        other = rng.choice([a for a in ("a", "the") if a != article.lower()])
        if article[0].isupper():
            copy = f"{other.capitalize()} {word} {article.lower()} {word}"
        else:
            copy = f"{other} {word} {article} {word}"
        sites.append((m.start(), m.end(), copy))
    for m in _PLAIN_WORD.finditer(text):
        word = m.group(0)
        if len(word) >= 4 and word.islower():
            sites.append((m.start(), m.end(), f"{word} {word}"))  # doubled word
    return _edit_sites(text, sites, rng, rate)


_ARTICLE = re.compile(r"(?<![\w'’-])(?P<article>an|a|An|A)(?=\ [A-Za-z])")
_SWAPPED_ARTICLE = {"a": "an", "an": "a", "A": "An", "An": "A"}


def article_agreement(text: str, rng: random.Random, rate: float) -> str:
    """Swap ``a`` and ``an``: ``an interview`` -> ``a interview``, ``a book`` -> ``an book``."""
    sites: list[Edit] = []
    for m in _ARTICLE.finditer(text):
        article = m.group("article")
        if article[0].isupper() and not _at_sentence_start(text, m.start()):
            continue  # "Type A blood", "Grade A": not an article
        sites.append((m.start(), m.end(), _SWAPPED_ARTICLE[article]))
    return _edit_sites(text, sites, rng, rate)


_AGREEMENT_SITE = re.compile(
    r"""
    (?<![\w'’-])
    (?P<subject>which|who|he|she|it|they|we|you|there                       # a subject
              |Which|Who|He|She|It|They|We|You|There|I)
    (?P<adverb>\ (?:also|still|often|now|only|already|never|always|currently|really|usually))?
    \ (?P<verb>[a-z]+)(?![\w'’-])                                           # its verb
    """,
    re.VERBOSE,
)
_AGREEMENT_SWAP = {
    "is": "are", "are": "is", "was": "were", "were": "was",
    "has": "have", "have": "has", "does": "do", "do": "does",
}
_SINGULAR_SUBJECTS = ("he", "she", "it")


def agreement_error(text: str, rng: random.Random, rate: float) -> str:
    """Break subject-verb agreement: ``which relies`` -> ``which rely``, ``they have`` -> ``they has``."""
    sites: list[Edit] = []
    for m in _AGREEMENT_SITE.finditer(text):
        subject, verb = m.group("subject").lower(), m.group("verb")
        replacement = _AGREEMENT_SWAP.get(verb)
        if replacement is None:
            base, ending = _VERB_FORMS.get(verb, ("", "?"))
            if ending == "s" and subject not in ("they", "we", "you", "i"):
                replacement = base                      # relies -> rely
            elif ending == "" and base and subject not in _SINGULAR_SUBJECTS:
                replacement = _inflect(base, "s")       # they say -> they says
        if subject == "i" and verb in ("am", "have", "do"):
            replacement = {"am": "is", "have": "has", "do": "does"}[verb]
        if replacement:
            sites.append((m.start("verb"), m.end("verb"), replacement))
    return _edit_sites(text, sites, rng, rate)


_AUXILIARIES = frozenset("is are was were be been being am has have had do does did".split())


def capitalised_midsentence_word(text: str, rng: random.Random, rate: float) -> str:
    """Capitalise a verb mid-sentence, sometimes in its base form: ``expressed`` -> ``Express``."""
    sites: list[Edit] = []
    for m in _PLAIN_WORD.finditer(text):
        word = m.group(0)
        if not word.islower() or word in _AUXILIARIES or _at_sentence_start(text, m.start()):
            continue
        form = _VERB_FORMS.get(word)
        if form is None and not (len(word) >= 6 and word.endswith("ed")):
            continue
        if form is not None and form[1] and rng.random() < 0.5:
            word = form[0]  # base form: expressed -> Express
        sites.append((m.start(), m.end(), word.capitalize()))
    return _edit_sites(text, sites, rng, rate)


_SYNONYM_STOPWORDS = FUNCTION_WORDS | NUMBER_WORDS | TITLE_ABBREVIATIONS | frozenset(
    "ever however own same thus".split()
)
"""Words a spinner leaves alone: function words, number words, titles and a few adverbs."""


@lru_cache(maxsize=200_000)
def synonym_options(
    wordnet: WordNet, word: str, any_lemma: bool = False, phrases: bool = False, new_words: bool = False
) -> tuple[tuple[str, str], ...]:
    """Context-blind synonym choices of a lower-case word, any sense: ``(synonym, ending)`` pairs.

    Per synset of every analysis of the word, the first lemma that is a different lower-case
    word (``any_lemma``: every such lemma; ``phrases``: multi-word lemmas too, their words joined
    by spaces; ``new_words``: none that holds the word's lemma, as ``rerun`` holds ``run``).
    The synonym swap here and the spinner (:mod:`training.spinner`) both choose from these.
    """
    options: list[tuple[str, str]] = []
    for analysis in wordnet.morphy(word):
        if analysis.ending not in ("", "s", "ed", "ing"):
            continue
        for synset in wordnet.synsets(analysis.lemma, analysis.pos):
            for lemma in synset.lemmas:
                text = lemma.replace("_", " ")
                single = text.isalpha()
                if not (single or (phrases and text.replace(" ", "").isalpha())):
                    continue
                if len(text) < 3 or not text.islower() or text == analysis.lemma or text == word:
                    continue
                if analysis.lemma in text.split() or (new_words and analysis.lemma in text):
                    continue
                option = (text, analysis.ending)
                if option not in options:
                    options.append(option)
                if not any_lemma:
                    break
    return tuple(options)


def synonym_swap(text: str, rng: random.Random, rate: float) -> str:
    """Swap content words for context-blind WordNet synonyms, as article spinners do.

    Needs WordNet (``apt-get install wordnet-base``); raises
    :class:`~training.wordnet.WordNetMissingError` without it.
    """
    wordnet = load_wordnet()  # raises WordNetMissingError with install advice
    sites: list[Edit] = []
    for m in _PLAIN_WORD.finditer(text):
        word = m.group(0)
        lower = word.lower()
        if len(word) < 3 or lower in _SYNONYM_STOPWORDS:
            continue
        if not word.islower() and not (word.istitle() and _at_sentence_start(text, m.start())):
            continue  # proper nouns and acronyms stay
        options = synonym_options(wordnet, lower, new_words=True)
        if options:
            synonym, ending = rng.choice(options)
            sites.append((m.start(), m.end(), _match_case(word, _inflect(synonym, ending))))
    return _edit_sites(text, sites, rng, rate)


# English content words and untranslated equivalents (German, Spanish,
# French, Russian transliterated) of the kind MT leaves in place: a row is
# the English word, then its equivalents.
_FOREIGN_WORDS: dict[str, tuple[str, ...]] = {
    english: tuple(equivalents)
    for english, *equivalents in map(str.split, """
    agreement     Abkommen acuerdo accord soglasheniye
    army          Armee ejército armée armiya
    budget        Haushalt presupuesto byudzhet
    business      Geschäft negocio affaires biznes
    children      Kinder niños enfants deti
    city          Stadt ciudad ville gorod
    company       Unternehmen empresa entreprise kompaniya
    council       Gemeinderat ayuntamiento conseil sovet
    country       Land país pays strana
    court         Gericht tribunal sud
    day           Tag día jour den
    economy       Wirtschaft economía économie ekonomika
    education     Bildung educación enseignement obrazovaniye
    election      Wahl elecciones scrutin vybory
    energy        Energie energía énergie energetika
    family        Familie familia famille semya
    farmer        Bauer agricultor agriculteur fermer
    freedom       Freiheit libertad liberté svoboda
    government    Regierung gobierno gouvernement pravitelstvo
    health        Gesundheit salud santé zdorovye
    house         Haus casa maison dom
    housing       Wohnungsbau vivienda logement zhilyo
    law           Gesetz ley loi zakon
    market        Markt mercado marché rynok
    mayor         Bürgermeister alcalde maire mer
    meeting       Treffen reunión réunion vstrecha
    money         Geld dinero argent dengi
    newspaper     Zeitung periódico journal gazeta
    party         Partei partido parti partiya
    peace         Frieden paz paix mir
    people        Leute gente gens lyudi
    police        Polizei policía politsiya
    price         Preis precio prix tsena
    region        Gebiet región oblast
    rent          Miete alquiler loyer arenda
    report        Bericht informe rapport doklad
    school        Schule escuela école shkola
    security      Sicherheit seguridad sécurité bezopasnost
    statement     Erklärung declaración déclaration zayavleniye
    tax           Steuer impuesto impôt nalog
    time          Zeit tiempo temps vremya
    unemployment  Arbeitslosigkeit desempleo chômage bezrabotitsa
    village       Dorf pueblo derevnya
    war           Krieg guerra guerre voyna
    week          Woche semana semaine nedelya
    work          Arbeit trabajo travail rabota
    worker        Arbeiter trabajador ouvrier rabochiy
    world         Welt mundo monde mir
    year          Jahr año année god
    """.strip().splitlines())
}


def untranslated_word(text: str, rng: random.Random, rate: float) -> str:
    """Leave a content word untranslated: ``the new law`` -> ``the new Gesetz``."""
    sites: list[Edit] = []
    for m in _PLAIN_WORD.finditer(text):
        word = m.group(0)
        lower = word.lower()
        key = lower if lower in _FOREIGN_WORDS else lower[:-1] if lower.endswith("s") else ""
        if key in _FOREIGN_WORDS and (word.islower() or _at_sentence_start(text, m.start())):
            sites.append((m.start(), m.end(), _match_case(word, rng.choice(_FOREIGN_WORDS[key]))))
    return _edit_sites(text, sites, rng, rate)


# --------------------------------------------------------------------------
# Word-order and fluency damage
# --------------------------------------------------------------------------

_ADJACENT_WORDS = re.compile(
    r"""
    (?<![\w'’-])(?=                       # at the start of a word, look ahead at
    (?P<first>[a-z]+)\ (?P<second>[a-z]+) # two lower-case words in a row
    (?![\w'’-]))
    """,
    re.VERBOSE,
)
_FUNCTION_WORD = re.compile(
    r"""
    (?<![\w'’-])
    (?P<word>the|a|an|of|to|in|on|for|with|at|by|from)  # an article or preposition
    \ (?=[a-z])                                         # before a lower-case word
    """,
    re.VERBOSE,
)
_CLAUSE = re.compile(r"[^,;:.!?()\n]+")  # text between clause punctuation


def word_order(text: str, rng: random.Random, rate: float) -> str:
    """Disturb word order: swap neighbours, move a verb to the clause end, drop or double a small word."""
    sites: list[Edit] = []
    for m in _ADJACENT_WORDS.finditer(text):
        first, second = m.group("first"), m.group("second")
        if first != second:
            sites.append((m.start("first"), m.end("second"), f"{second} {first}"))
    for clause in _CLAUSE.finditer(text):
        body = clause.group(0).rstrip()
        words = list(_PLAIN_WORD.finditer(body))
        for i, w in enumerate(words[:-1]):
            verb = w.group(0)
            if i > 0 and (verb in _VERB_FORMS or (len(verb) >= 6 and verb.endswith("ed"))):
                start = clause.start() + w.start()
                end = clause.start() + len(body)
                rest = body[w.end():].strip()
                sites.append((start, end, f"{rest} {w.group(0)}"))
    for m in _FUNCTION_WORD.finditer(text):
        word = m.group("word")
        if rng.random() < 0.5:
            sites.append((m.start(), m.end(), ""))  # dropped
        else:
            sites.append((m.start(), m.end(), f"{word} {word} "))  # doubled
    return _edit_sites(text, sites, rng, rate)


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Corruption:
    """A named corruption: its family, function, default rate and sampling weight."""

    name: str
    family: str
    apply: CorruptionFn
    rate: float
    weight: float = 1.0

    @property
    def doc(self) -> str:
        """What it does, in one line: the substitution's ``doc`` or the function's docstring."""
        doc = self.apply.doc if isinstance(self.apply, Substitution) else self.apply.__doc__ or ""
        return doc.partition("\n")[0]

    def __call__(self, text: str, rng: random.Random, rate: float | None = None) -> str:
        return self.apply(text, rng, self.rate if rate is None else rate)


CORRUPTIONS: dict[str, Corruption] = {
    c.name: c
    for c in (
        Corruption("mid_sentence_period", "sentence_boundary", mid_sentence_period, 0.02, 2.0),
        Corruption("split_date", "sentence_boundary", split_date, 0.5, 1.0),
        Corruption("orphan_punctuation", "sentence_boundary", orphan_punctuation, 0.1, 1.0),
        Corruption("dropped_quotes", "quotation", dropped_quotes, 1.0, 1.5),
        Corruption("quote_attachment", "quotation", quote_attachment, 0.3, 1.0),
        Corruption("unbalanced_quotes", "quotation", unbalanced_quotes, 0.5, 0.5),
        Corruption("duplicated_bracket", "quotation", duplicated_bracket, 0.5, 1.0),
        Corruption("split_contraction", "detokenisation", split_contraction, 0.5, 1.0),
        Corruption("spaced_symbol", "detokenisation", spaced_symbol, 0.5, 1.0),
        Corruption("spaced_hyphen", "detokenisation", spaced_hyphen, 0.4, 1.0),
        Corruption("duplicated_word", "lexical", duplicated_word, 0.02, 1.0),
        Corruption("article_agreement", "lexical", article_agreement, 0.2, 1.0),
        Corruption("agreement_error", "lexical", agreement_error, 0.3, 1.0),
        Corruption("capitalised_midsentence_word", "lexical", capitalised_midsentence_word, 0.05, 1.0),
        Corruption("synonym_swap", "lexical", synonym_swap, 0.15, 2.0),
        Corruption("untranslated_word", "lexical", untranslated_word, 0.3, 1.0),
        Corruption("word_order", "word_order", word_order, 0.03, 1.5),
    )
}

#: Family name -> names of its corruptions, in registry order.
FAMILIES: dict[str, tuple[str, ...]] = {}
for _c in CORRUPTIONS.values():
    FAMILIES[_c.family] = FAMILIES.get(_c.family, ()) + (_c.name,)
del _c


def _select(families: Sequence[str] | None) -> list[Corruption]:
    """The corruptions named by family or corruption names (all when ``None``)."""
    if families is None:
        pool = list(CORRUPTIONS.values())
        if not wordnet_available():
            warnings.warn(
                "WordNet not found: synonym_swap is skipped (apt-get install wordnet-base)",
                stacklevel=3,
            )
            pool = [c for c in pool if c.name != "synonym_swap"]
        return pool
    names: list[str] = []
    for name in families:
        if name in FAMILIES:
            names.extend(n for n in FAMILIES[name] if n not in names)
        elif name in CORRUPTIONS:
            if name not in names:
                names.append(name)
        else:
            known = ", ".join([*FAMILIES, *CORRUPTIONS])
            raise ValueError(f"unknown corruption or family {name!r}; known: {known}")
    return [CORRUPTIONS[n] for n in CORRUPTIONS if n in names]


def garble(
    text: str,
    rng: random.Random,
    families: Sequence[str] | None = None,
    n_corruptions: tuple[int, int] = (1, 3),
    *,
    rate: float | None = None,
) -> tuple[str, list[str]]:
    """Apply a sparse random mixture of corruptions; return the text and their names.

    ``families`` restricts the pool to these family or corruption names;
    ``rate`` overrides every corruption's default rate. Corruptions are tried
    in a weighted random order until ``n`` of them (drawn from
    ``n_corruptions``) have changed the text; one that finds nowhere to act
    is skipped. Returns ``(text, [])`` when nothing applies.

    >>> garble("It's a close ally, and sales rose 8% in March 2022.", random.Random(5),
    ...        families=["sentence_boundary", "detokenisation"])
    ("It 's a close ally, and sales rose 8 % in March 2022 .", ['split_contraction', 'orphan_punctuation', 'spaced_symbol'])
    >>> garble("", random.Random(7))
    ('', [])
    """
    pool = _select(families)
    low, high = n_corruptions
    wanted = rng.randint(low, high)
    # Weighted order without replacement (Efraimidis-Spirakis keys).
    keyed = sorted(pool, key=lambda c: rng.random() ** (1.0 / c.weight), reverse=True)
    applied: list[str] = []
    garbled = text
    for corruption in keyed:
        if len(applied) >= wanted:
            break
        changed = corruption(garbled, rng, rate)
        if changed != garbled:
            garbled = changed
            applied.append(corruption.name)
    if garbled == text:
        return text, []
    return garbled, applied


# --------------------------------------------------------------------------
# Clean typography variants
# --------------------------------------------------------------------------

_CURLY_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
_STRAIGHT_QUOTE = re.compile(
    r"""
    (?P<dopen>(?:(?<=[\s(\[{])|^)")     # " after a space or bracket opens
    | (?P<dclose>")                     # any other " closes
    | (?P<sopen>(?:(?<=[\s(\[{])|^)'(?=\w))  # ' before a word after a space opens
    | (?P<apostrophe>')                 # any other ' is an apostrophe or closes
    """,
    re.VERBOSE,
)
_CURLY_OF = {"dopen": "“", "dclose": "”", "sopen": "‘", "apostrophe": "’"}
_DASH = re.compile(
    r"""
    \s*—\s*            # em dash, spaced or not
    | \s+–\s+          # spaced en dash
    | \s*(?<!-)--(?!-)\s*  # double hyphen
    | (?<=\w)\ -\ (?=\w)   # spaced hyphen used as a dash
    """,
    re.VERBOSE,
)
_DASH_STYLES = ("—", " — ", " – ", " -- ")
_ELLIPSIS = re.compile(r"\.\.\.|…")
_SENTENCE_GAP = re.compile(r"(?<=[a-z)”\"’'][.!?])\ (?=[A-Z“\"‘(])")  # ". Next" after a sentence
_NBSP_SITE = re.compile(
    r"""
    (?<=\d)\ (?=[A-Za-z%])                  # "16 May", "300 million"
    | (?:(?<=\bMr\.)|(?<=\bMrs\.)|(?<=\bMs\.)|(?<=\bDr\.))\    # "Mr. Smith"
    | \ (?=\S+$)                            # before the last word (no widow)
    """,
    re.VERBOSE,
)


def _curl_quotes(text: str) -> str:
    return _STRAIGHT_QUOTE.sub(lambda m: _CURLY_OF[m.lastgroup or "apostrophe"], text)


def typography_variant(text: str, rng: random.Random) -> str:
    """A clean variant of ``text`` that differs only in typography.

    Flips quote style (curly/straight), dash style, ``...``/``…``, adds
    double spaces after full stops or non-breaking spaces. Letters, digits
    and words stay as they are; the label stays clean.

    >>> typography_variant('He said "it\\'s over" -- twice...', random.Random(1))
    'He said “it’s over”—twice…'
    """
    options: list[Callable[[str], str]] = []
    if any(q in text for q in "“”‘’„"):
        options.append(lambda t: t.translate(_CURLY_QUOTES))
    elif any(q in text for q in "\"'"):
        options.append(_curl_quotes)
    dash = _DASH.search(text)
    if dash:
        style = rng.choice([s for s in _DASH_STYLES if s != dash.group(0)])
        options.append(lambda t: _DASH.sub(style, t))
    if _ELLIPSIS.search(text):
        options.append(lambda t: _ELLIPSIS.sub(lambda m: "…" if m.group(0) == "..." else "...", t))
    if _SENTENCE_GAP.search(text):
        options.append(lambda t: _SENTENCE_GAP.sub("  ", t))
    nbsp_sites = [m.start() for m in _NBSP_SITE.finditer(text)]
    if nbsp_sites:
        chosen = {nbsp_sites[i] for i in _pick(len(nbsp_sites), rng, 0.5)}
        options.append(
            lambda t: "".join("\u00a0" if i in chosen else ch for i, ch in enumerate(t))
        )
    if not options:
        return text
    picked = [f for f in options if rng.random() < 0.5] or [rng.choice(options)]
    # Options not picked are kept in reserve in case the picked ones change nothing.
    reserve = [f for f in options if f not in picked]
    # NBSP positions refer to the original text: apply that option first.
    if nbsp_sites and options[-1] in picked:
        picked.remove(options[-1])
        picked.insert(0, options[-1])
    if nbsp_sites and options[-1] in reserve:
        reserve.remove(options[-1])  # positions would be stale after other changes
    variant = text
    for option in picked:
        variant = option(variant)
    while variant == text and reserve:
        variant = reserve.pop(0)(variant)
    return variant


# --------------------------------------------------------------------------
# Pairs and the command line
# --------------------------------------------------------------------------

DEFAULT_DATA = Path("../shared/data")
DEFAULT_OUT = Path("build/pairs/garbled.jsonl")


def _word_count(text: str) -> int:
    return len(text.split())


def read_clean_paragraphs(data: Path = DEFAULT_DATA) -> Iterator[dict]:
    """Clean paragraph records from ``DATA/clean/*.jsonl`` with ``text``, ``source`` and ``doc``.

    ``source`` is the corpus name: the file name without ``-paragraphs.jsonl``.
    """
    for path in sorted((Path(data) / "clean").glob("*.jsonl")):
        corpus = path.name.removesuffix(".jsonl").removesuffix("-paragraphs")
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                text = record.get("text")
                if isinstance(text, str):
                    yield {"text": text, "source": corpus, "doc": record.get("doc", record.get("id"))}


def garble_pairs(
    paragraphs: Iterable[dict],
    seed: int,
    *,
    min_words: int = 12,
    typography_rate: float = 0.25,
    families: Sequence[str] | None = None,
    n_corruptions: tuple[int, int] = (1, 3),
    rate: float | None = None,
) -> Iterator[dict]:
    """Turn clean paragraph records into pair records (garbled, and some typography ones).

    Each record needs ``text``; ``source`` and ``doc`` are passed through.
    The random stream of a paragraph is seeded by ``seed`` and its text, so
    output does not depend on the order or filtering of the input.

    >>> pairs = list(garble_pairs([{"text": "Sales rose 8% in March 2022 after a long-term deal, the firm's report said.",
    ...                             "source": "demo", "doc": "d1"}], seed=1, typography_rate=1.0,
    ...                            families=["detokenisation"]))
    >>> [(p["kind"], p["garbled"]) for p in pairs]
    [('garble:spaced_symbol+spaced_hyphen+split_contraction', "Sales rose 8 % in March 2022 after a long- term deal, the firm 's report said."), ('typography', 'Sales rose 8% in March 2022\xa0after a long-term deal, the firm’s report said.')]
    """
    for record in paragraphs:
        text = record["text"]
        if _word_count(text) < min_words:
            continue
        rng = random.Random(f"{seed}\x1f{text}")
        base = {"original": text, "source": record.get("source"), "doc": record.get("doc")}
        garbled, names = garble(text, rng, families, n_corruptions, rate=rate)
        if names:
            yield {**base, "garbled": garbled, "kind": "garble:" + "+".join(names),
                   "corruptions": names}
        if rng.random() < typography_rate:
            variant = typography_variant(text, rng)
            if variant != text:
                yield {**base, "garbled": variant, "kind": "typography", "corruptions": []}


def main(argv: Sequence[str] | None = None) -> int:
    """Write garbled and typography pairs from the clean corpora as JSONL."""
    from tqdm import tqdm

    parser = argparse.ArgumentParser(
        prog="python -m training.garble",
        description="Make synthetic garbled/clean paragraph pairs from the clean corpora.",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="shared data directory holding clean/*.jsonl (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output JSONL file (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=13, help="random seed (default: %(default)s)")
    parser.add_argument("--min-words", type=int, default=12,
                        help="skip paragraphs with fewer words (default: %(default)s)")
    parser.add_argument("--typography-rate", type=float, default=0.25,
                        help="share of paragraphs that also get a clean typography pair "
                             "(default: %(default)s)")
    parser.add_argument("--families", default=None,
                        help="comma-separated families or corruptions to use (default: all)")
    parser.add_argument("--rate", type=float, default=None,
                        help="override every corruption's per-site rate")
    args = parser.parse_args(argv)

    clean_dir = args.data / "clean"
    if not clean_dir.is_dir():
        parser.error(f"no clean/ directory under {args.data}: pass --data pointing at the shared data")
    families = args.families.split(",") if args.families else None
    try:
        _select(families)
    except ValueError as error:
        parser.error(str(error))

    records = list(read_clean_paragraphs(args.data))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    with open(args.out, "w", encoding="utf-8") as out:
        progress = tqdm(records, desc="garbling", unit="para", file=sys.stderr)
        try:
            for pair in garble_pairs(progress, args.seed, min_words=args.min_words,
                                     typography_rate=args.typography_rate,
                                     families=families, rate=args.rate):
                out.write(json.dumps(pair, ensure_ascii=False) + "\n")
                kinds["typography" if pair["kind"] == "typography" else "garble"] += 1
                counts.update(pair["corruptions"])
        except WordNetMissingError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    summary = ", ".join(f"{name} {n}" for name, n in counts.most_common())
    print(f"wrote {kinds['garble']} garbled and {kinds['typography']} typography pairs "
          f"to {args.out}; corruptions: {summary}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
