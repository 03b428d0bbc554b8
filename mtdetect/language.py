"""Is a paragraph English? A cheap check, so non-English text gets a warning, not a verdict.

The model is trained on English: on French, Chinese or Russian text it gives
confident but meaningless scores (most words are "unknown", so everything
looks garbled). :func:`check_language` marks such paragraphs with the warning
:data:`NOT_ENGLISH`; they are still scored, and the score is still in [0, 1],
but the warning says it means nothing.

How it decides, on the first :data:`SAMPLE_CHARS` characters of a paragraph, read as the
features read it (typography folded, tokenised by :data:`~mtdetect.wordclass.TOKEN`). Each token's
evidence (:func:`token_evidence`: letters of each script, function words) is counted once per
distinct token by the features' vocabulary, so scoring a batch checks its language from the
same tokens, without a second pass over the text; the counts add up per paragraph:

1. **Too short to tell** -- fewer than :data:`MIN_LETTERS` letters: English
   (no warning). Titles, numbers, emoji and one-word lines land here. A
   Chinese, Japanese or Korean character says as much as a short word, so it
   counts as :data:`WIDE_LETTER_WEIGHT` letters: a sentence of seven or more
   is long enough to tell.
2. **Script** -- fewer than half of the letters are Latin (CJK, Cyrillic,
   Arabic, Hebrew, Greek, Devanagari, Thai ...): not English.
3. **Function words** -- every language writes its most frequent words all
   the time. Count the words that are English function words and nothing
   else (:data:`ENGLISH_MARKERS`: ``the``, ``with``, ``which`` ...; words that
   are also common in other languages, such as ``a``, ``in``, ``no``, ``to``,
   ``die``, are left out) and the words that are frequent function words of
   other Latin-script languages and not English words
   (:data:`FOREIGN_MARKERS`: ``der``, ``und``, ``les``, ``dans``, ``los``,
   ``che``, ``och``, ``się``, ``yang`` ...). Not English when at least
   :data:`MIN_FOREIGN` foreign markers outnumber the English ones more than
   :data:`FOREIGN_RATIO` to one.

The rule is tuned to stay silent on English. On the shared corpus's 7,366
clean English paragraphs (news, interviews, academic and court text, State of
the Union addresses), 2,932 machine-translated English sentences (MQM), the
seed articles and the test case files it fires once: on an affiliation line
that is mostly Spanish ("Laboratorio de Bases de Datos ... Universidade da
Coruña"). Of paragraphs with at least 20 letters it flags: 88-94% of Spanish,
Catalan, Galician and Esperanto (Apertium translations of English paragraphs);
96-99% of Russian, Ukrainian, Greek, Arabic, Hebrew, Bengali, Tamil (by
script); and of word samples drawn by frequency from word lists, 91-99% of
French, German, Spanish, Swedish, Italian, Dutch, Catalan, Romanian, Danish and
Portuguese, 76-85% of Norwegian, Polish, Hungarian, Turkish, Indonesian and
Vietnamese, 48-70% of Finnish, Czech, Slovak, Croatian, Slovene, Malay and
Tagalog, and almost no Latvian or Lithuanian (no markers listed). Short
paragraphs carry little evidence and are left alone. It is not a language
identifier: it answers only "is this confidently not English?".

>>> check_language("The council approved the budget after a long debate.").english
True
>>> check_language("Le conseil a approuvé le budget après un long débat sur les écoles.").reason
'function_words'
>>> check_language("市议会周二在就新校舍进行长时间辩论后批准了预算。这是一个好消息。").reason
'script'
>>> check_language("这是一个中文段落，用来测试语言警告。").reason
'script'
>>> not_english(["Yes.", "Der Rat hat den Haushalt nach einer langen Debatte über die Schulen genehmigt."]).tolist()
[False, True]

Outputs carry the verdict as a list of warning names per paragraph
(:func:`warnings_of`): ``[]``, or ``["not_english"]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .lexicon import FUNCTION_WORDS
from .typography import fold_marks
from .wordclass import TOKEN

__all__ = [
    "ENGLISH_MARKERS",
    "EVIDENCE",
    "FOREIGN_MARKERS",
    "NOT_ENGLISH",
    "NOT_ENGLISH_MESSAGE",
    "WIDE_LETTER_WEIGHT",
    "LanguageCheck",
    "check_language",
    "decide",
    "not_english",
    "sample_evidence",
    "token_evidence",
    "warnings_of",
]

NOT_ENGLISH = "not_english"
"""The warning's name, as it appears in outputs."""
NOT_ENGLISH_MESSAGE = "not English: mtdetect is trained on English text, so this score means nothing"

SAMPLE_CHARS = 4_000
"""Only the start of a paragraph is examined: the check costs the same for any length."""
MIN_LETTERS = 20
"""Fewer letters than this: too short to tell, treated as English."""
WIDE_LETTER_WEIGHT = 3
"""A Han, kana or Hangul character counts as this many letters towards :data:`MIN_LETTERS`
(a character is a morpheme or a syllable, an English word is about five letters)."""
MIN_LATIN_SHARE = 0.5
"""Below this share of Latin letters a paragraph is in another script."""
MIN_FOREIGN = 3
"""At least this many foreign function words are needed to call a paragraph not English."""
FOREIGN_RATIO = 3.0
"""... and they must outnumber the English function words more than this many times."""

AMBIGUOUS_FUNCTION_WORDS = frozenset(
    """
    a i in no to on me do so per of an was for over as is we under at her he by my am via
    had even mine one be and also will just have like are most may up any us it
    """.split()
)
"""English function words that are also frequent words of other languages (``a``, ``in``,
``no``, ``to``: Italian, German, Spanish, Polish ...; ``will``, ``also``: German; ``most``:
Hungarian), so they are evidence of nothing."""

ENGLISH_MARKERS: frozenset[str] = FUNCTION_WORDS - AMBIGUOUS_FUNCTION_WORDS
"""English function words that no other common language writes often: ``the``, ``with``, ``which``."""

_FOREIGN_BY_LANGUAGE = {
    "de": "der das den dem des und ist nicht ein eine einen einem einer eines mit von zu auf für "
          "sich auch sie wir ich sind wurde werden wird haben nach bei wie oder aber nur noch schon "
          "über dass daß wenn dann kann zum zur vom durch gegen ohne unter sehr mehr sein seine ihr "
          "ihre uns diese dieser dieses jetzt hier immer wieder",
    "fr": "le la les une des du de est dans pour que qui pas sur au aux avec cette ces il elle ils "
          "elles nous vous je sont ont été être ne ses leur leurs mais ou où comme aussi très tout "
          "tous entre sous chez lui en cela ça était fait peut même après avant depuis encore donc "
          "alors quand",
    "es": "el la los las una unos unas que de del en por para con está están fue ser sus como más "
          "pero muy también porque cuando sobre entre hasta desde donde este esta estos estas ese "
          "esa eso le les sí él ellos",
    "pt": "uma uns umas que de das por para não são está estão foi ser seu sua seus suas ao mais "
          "como muito também porque quando sobre entre sem até desde onde este esta isso isto há "
          "tem têm ele ela eles elas é à depois ainda pelo pela pelos pelas numa nem já então após "
          "aos às nós você foram eram seria",
    "it": "il la gli le una uno che del della dei delle nel nella con sono stato essere suo sua "
          "suoi alla più molto anche perché quando sopra tra fra senza fino questo questa quello "
          "quella hanno lui lei loro è",
    "nl": "de het een en voor niet zijn aan ook als bij maar nog wel uit naar dit deze werd worden "
          "wordt heeft hebben kan zal zou ik wij hij zij ze geen meer",
    "sv": "och att det som en ett är på för den inte har de jag ska kan så från eller också efter när",
    "da": "det som en på den ikke har de jeg hun skal kan så fra eller også efter når",
    "pl": "się nie że jest jak tak za od przez dla jego jej są był była było być który która które "
          "oraz czy już tylko może jeszcze bardzo także ze",
    "cs": "je že jak tak za od jeho její jsou byl byla bylo být který která které nebo už také jsem "
          "není som ako ktorý",
    "ro": "și în de la că este sunt fost pentru dar sau una lui ei lor foarte",
    "hu": "és hogy nem egy volt de ez azt csak már még vagy el fel kell lesz lehet nagyon",
    "tr": "bir de için ile olan gibi daha çok en ne yok ama değil olarak kadar sonra biz siz onlar",
    "id": "ini itu dengan untuk dari dalam tidak akan pada juga adalah oleh saya kami kita mereka "
          "atau sudah telah bisa karena",
    "fi": "ei että oli hän ovat mutta kun myös niin kuin joka hänen olla",
    "ca": "el la els les una que de del en amb és són ser seu seva més però molt també perquè quan "
          "sobre entre fins aquest aquesta això",
    "gl": "unha que de das en por para con foi ser seu súa ao máis pero como moito tamén porque "
          "cando sobre entre ata onde este esta isto é",
    "eo": "la kaj de en estas ne por kiu kiuj sed ankaŭ tiu tio ŝi ili estis esti pri kun el plej pli",
    "sh": "je za od ne kao ili što koji koja koje biti bila bilo tudi",
    "vi": "và của là có không được trong cho những các một người này với đã để khi cũng như",
    "tl": "mga siya kami sila ito iyon",
}  # fmt: skip
"""The most frequent function words of each language, less any that English writes too
(``die``, ``war``, ``son``, ``come``, ``hat`` ...)."""

FOREIGN_MARKERS: frozenset[str] = frozenset(
    word for words in _FOREIGN_BY_LANGUAGE.values() for word in words.split()
) - FUNCTION_WORDS
"""Function words of other Latin-script languages that are not English words."""

_LATIN_LETTER = re.compile(
    r"""
    [A-Za-z]                    # ASCII
  | [\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F]
                                # Latin-1 letters (not × and ÷), Latin Extended-A and -B
  | [\u1E00-\u1EFF]             # Latin Extended Additional (Vietnamese)
    """,
    re.VERBOSE,
)
_WIDE_LETTER = re.compile(
    r"""
    [\u3040-\u30FF]             # Japanese hiragana and katakana
  | [\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]
                                # CJK ideographs (Extension A, unified, compatibility)
  | [\U00020000-\U0002FA1F]     # CJK ideographs, supplementary planes
  | [\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]
                                # Korean jamo and Hangul syllables
    """,
    re.VERBOSE,
)
_WORD = re.compile(
    r"""
    [^\W\d_]+                   # letters
    (?: ['\u2019] [^\W\d_]+ )*  # with inner apostrophes: don't, l'école
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class LanguageCheck:
    """The verdict on one paragraph and the evidence for it."""

    english: bool  # False only when the paragraph is confidently not English
    reason: str  # "" (English or too short), "script" or "function_words"
    latin_share: float  # share of letters in the Latin script (1.0 when there are none)
    english_words: int  # English-only function words in the sample
    foreign_words: int  # foreign function words in the sample


EVIDENCE = ("letters", "latin_letters", "wide_letters", "english_words", "foreign_words")
"""What each token says of its paragraph's language, in the columns of :func:`token_evidence`:
counts that add up over a paragraph's tokens."""


def token_evidence(token: str) -> tuple[int, int, int, int, int]:
    """The :data:`EVIDENCE` of one token of the features' tokenisation
    (:data:`~mtdetect.wordclass.TOKEN` on typography-normalised text, so curly and straight
    apostrophes count alike): its letters, Latin letters and Chinese, Japanese or Korean
    letters, and the English-only (:data:`ENGLISH_MARKERS`) and foreign (:data:`FOREIGN_MARKERS`)
    function words among its runs of letters. Tokens of a stream repeat, so the features'
    vocabulary computes this once per distinct token and a paragraph's evidence is a sum.

    >>> token_evidence(" The"), token_evidence("Tokyo東京"), token_evidence("und2"), token_evidence(" , ")
    ((3, 3, 0, 1, 0), (7, 5, 2, 0, 0), (3, 3, 0, 0, 1), (0, 0, 0, 0, 0))
    """
    letters = sum(map(str.isalpha, token))
    if letters == 0:
        return 0, 0, 0, 0, 0
    if token.isascii():
        latin, wide = letters, 0
    else:
        latin, wide = len(_LATIN_LETTER.findall(token)), len(_WIDE_LETTER.findall(token))
    words = _WORD.findall(token.lower())
    english = sum(map(ENGLISH_MARKERS.__contains__, words))  # the two sets share no word
    foreign = sum(map(FOREIGN_MARKERS.__contains__, words))
    return letters, latin, wide, english, foreign


def decide(evidence: np.ndarray) -> np.ndarray:
    """For each row of summed :data:`EVIDENCE` (an ``(n, 5)`` array), whether the paragraph is
    confidently not English: the rule of the module docstring, on whole arrays.

    >>> decide(np.array([[60, 60, 0, 0, 5], [60, 60, 0, 4, 5], [30, 0, 0, 0, 0], [5, 5, 0, 0, 5]])).tolist()
    [True, False, True, False]
    """
    letters, latin, wide, english, foreign = np.asarray(evidence, dtype=np.float64).T
    with np.errstate(invalid="ignore", divide="ignore"):
        latin_share = np.where(letters > 0, latin / letters, 1.0)
    long_enough = (letters > 0) & (letters + (WIDE_LETTER_WEIGHT - 1) * wide >= MIN_LETTERS)
    foreign_words = (foreign >= MIN_FOREIGN) & (foreign > FOREIGN_RATIO * english)
    return long_enough & ((latin_share < MIN_LATIN_SHARE) | foreign_words)


def sample_evidence(text: str) -> np.ndarray:
    """The summed :data:`EVIDENCE` of the first :data:`SAMPLE_CHARS` characters of a paragraph,
    tokenised as the features tokenise (the features' batches sum the same numbers per row).

    >>> sample_evidence("Der Rat hat den Haushalt genehmigt.").tolist()
    [29, 29, 0, 0, 2]
    """
    sample = fold_marks(text[:SAMPLE_CHARS])
    total = np.zeros(len(EVIDENCE), dtype=np.int64)
    for token in TOKEN.findall(sample):
        total += token_evidence(token)
    return total


def check_language(text: str) -> LanguageCheck:
    """Decide whether a paragraph is confidently not English (see the module docstring).

    >>> check_language("Ok.")
    LanguageCheck(english=True, reason='', latin_share=1.0, english_words=0, foreign_words=0)
    >>> check_language("Wir haben das nicht gewusst, sagte sie, und das ist die Wahrheit.").foreign_words
    8
    """
    evidence = sample_evidence(text)
    letters, latin, wide, english, foreign = (int(x) for x in evidence)
    latin_share = latin / letters if letters else 1.0
    if letters == 0 or letters + (WIDE_LETTER_WEIGHT - 1) * wide < MIN_LETTERS:
        return LanguageCheck(True, "", latin_share, 0, 0)
    if not decide(evidence[None])[0]:
        return LanguageCheck(True, "", latin_share, english, foreign)
    reason = "script" if latin_share < MIN_LATIN_SHARE else "function_words"
    return LanguageCheck(False, reason, latin_share, 0 if reason == "script" else english,
                         0 if reason == "script" else foreign)


def not_english(paragraphs: Sequence[str]) -> np.ndarray:
    """For each paragraph, whether it is confidently not English (a bool array).

    >>> not_english([]).shape
    (0,)
    """
    if not paragraphs:
        return np.zeros(0, dtype=bool)
    return decide(np.stack([sample_evidence(p) for p in paragraphs]))


def warnings_of(flagged: np.ndarray) -> list[list[str]]:
    """The warnings of each paragraph, as lists of names, from :func:`not_english` of each.

    >>> warnings_of(np.array([False, True]))
    [[], ['not_english']]
    """
    return [[NOT_ENGLISH] if f else [] for f in flagged.tolist()]
