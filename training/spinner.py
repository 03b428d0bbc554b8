"""Article spinners: context-blind synonym swaps under several policies.

A content farm's spinner replaces a share of the content words with thesaurus
synonyms chosen without regard to sense or context (``close ally`` ->
``near familiar``, ``sales rose`` -> ``sales waxed``). Spinners differ in how
many words they swap, which senses and synonyms they draw from, and whether
they repair the inflection of what they put in. A model trained on one policy
must not learn that policy's quirks, so training draws from several
(:data:`TRAIN_POLICIES`) and the evaluation measures a policy training never
uses (:data:`HELD_OUT_POLICY`).

=================  =======================================================
policy             what it swaps in
=================  =======================================================
``thesaurus``      the first other lemma of any sense, inflection repaired
``any-lemma``      any other single-word lemma of any sense, repaired
``unrepaired``     any other single-word lemma of any sense, base form
``phrases``        any other lemma of any sense, multi-word ones too, base
                   form (held out: the evaluation's spinner)
=================  =======================================================

Every policy swaps a share of the eligible words (lower-case content words of
three letters or more, and a capitalised one at a sentence start) drawn per
paragraph from ``rate``. Needs WordNet (Debian ``wordnet-base``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .garble import (
    _PLAIN_WORD,
    _SYNONYM_STOPWORDS,
    _apply_edits,
    _at_sentence_start,
    _inflect,
    _match_case,
    synonym_options,
)
from .wordnet import WordNet, load_wordnet


@dataclass(frozen=True)
class SpinPolicy:
    """How a spinner chooses and writes its synonyms."""

    name: str
    any_lemma: bool
    """Draw from every other lemma of a sense (else the first one only)."""
    inflect: bool
    """Give the synonym the replaced word's ending (``s``, ``ed``, ``ing``); else its base form."""
    phrases: bool = False
    """Multi-word lemmas (``look into``) count as synonyms too."""
    rate: tuple[float, float] = (0.2, 0.6)
    """Share of eligible words swapped, drawn uniformly per paragraph."""


POLICIES: dict[str, SpinPolicy] = {
    p.name: p
    for p in (
        SpinPolicy("thesaurus", any_lemma=False, inflect=True),
        SpinPolicy("any-lemma", any_lemma=True, inflect=True),
        SpinPolicy("unrepaired", any_lemma=True, inflect=False),
        SpinPolicy("phrases", any_lemma=True, inflect=False, phrases=True),
    )
}
TRAIN_POLICIES = ("thesaurus", "any-lemma", "unrepaired")
HELD_OUT_POLICY = "phrases"


def spin(text: str, rng: random.Random, policy: SpinPolicy, wordnet: WordNet | None = None) -> str:
    """``text`` with a share of its content words swapped for synonyms under ``policy``.

    Returns ``text`` unchanged when no word has a synonym.
    """
    wordnet = wordnet or load_wordnet()
    rate = rng.uniform(*policy.rate)
    edits = []
    for m in _PLAIN_WORD.finditer(text):
        word = m.group(0)
        lower = word.lower()
        if len(word) < 3 or lower in _SYNONYM_STOPWORDS:
            continue
        if not word.islower() and not (word.istitle() and _at_sentence_start(text, m.start())):
            continue  # names and acronyms stay
        options = synonym_options(wordnet, lower, policy.any_lemma, policy.phrases)
        if not options or rng.random() >= rate:
            continue
        synonym, ending = rng.choice(options)
        if policy.inflect and ending:
            *head, last = synonym.split(" ")
            synonym = " ".join([*head, _inflect(last, ending)])
        edits.append((m.start(), m.end(), _match_case(word, synonym)))
    return _apply_edits(text, edits)
