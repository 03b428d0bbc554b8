"""The registry of named artifact rules: damage that careful human writers do not leave.

Each rule finds one kind of damage that machine translation, article
spinners or a tokenise-and-glue pipeline leave in text, and says what is wrong
in a one-line message. The registry :data:`RULES` is ordered; its names
are the model's feature names, the CLI's explanations and the documentation's
headings.

============================  =================  =========================================
name                          family             flags
============================  =================  =========================================
mid_sentence_period           sentence_boundary  ``the economy. of the region``
split_date                    sentence_boundary  ``in March. 2022``
orphan_punctuation            sentence_boundary  ``technology. .``, ``said , that``
quote_attachment              quotation          ``the” zero- tolerance``, ``“ We``
unbalanced_quotes             quotation          a closing quote or bracket with no opener
duplicated_bracket            quotation          ``part of the [the plan]``
dropped_quotes                quotation          ``We will not stop now, the minister said.``
split_contraction             detokenisation     ``do n't``, ``it 's``
spaced_symbol                 detokenisation     ``8 %``, ``profit$ 75``
spaced_hyphen                 detokenisation     ``cross- border``
duplicated_word               lexical            ``the the``, ``A analysis the analysis``
article_agreement             lexical            ``a interview``, ``an book``
capitalised_midsentence_word  lexical            ``the leader Express his wish``
============================  =================  =========================================

Curly and straight quotes and apostrophes are treated alike, so folding the
typography of a paragraph never changes which kinds fire.

>>> [(f.kind, f.text) for f in find_artifacts("Sales rose 8 % in March. 2022, the the data show.")]
[('spaced_symbol', '8 %'), ('split_date', 'March. 2022'), ('duplicated_word', 'the the')]
>>> find_artifacts("Sales rose 8% in March 2022, the data show.")
[]
>>> count_artifacts(["It is n't so.", "Fine."]).sum(axis=1).tolist()
[1.0, 0.0]

How it stays fast: :func:`count_artifacts` joins a batch with a separator that
no pattern can match across, runs each pattern once over the whole batch and
maps matches back to paragraphs with :func:`numpy.searchsorted` (no loop over
paragraphs). Python's regex
engine skips ahead quickly only to a *literal* first character, so every
rule is written as a few alternatives (``parts``), each starting with one
fairly rare literal character (``.``, ``,``, ``"``, ``-``, ``%``) and checking
what comes before it with fixed-width look-behinds. ``pattern`` is the union of
the parts; the batch scan runs the parts one by one. A ``lead`` regex widens a
finding leftwards over the word it is glued to, and an optional ``check``
decides the few cases a regex cannot; both run only on matches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .lexicon import ABBREVIATIONS

__all__ = [
    "ArtifactRule",
    "RULES",
    "Finding",
    "RuleScan",
    "count_artifacts",
    "find_artifacts",
    "scan_rules",
]


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of damage: which rule, where in the paragraph, and why."""

    kind: str
    start: int
    end: int
    text: str
    message: str


Check = Callable[[str, int, int], "tuple[int, int] | None"]
"""A post-check: ``(paragraph, start, end) -> span to report, or None to drop the match``."""


@dataclass(frozen=True, slots=True)
class ArtifactRule:
    """A named set of regexes for one kind of damage, with its message and a worked example."""

    name: str
    family: str
    description: str
    pattern: re.Pattern[str]
    """The union of ``parts``: everything this rule looks for, as one regex."""
    parts: tuple[re.Pattern[str], ...]
    """The alternatives of ``pattern`` compiled one by one, each led by a literal character."""
    message: str
    """One-line message template; ``{text}`` is the flagged text."""
    example: tuple[str, str]
    """A paragraph and the text this rule flags in it (checked by the tests)."""
    near_miss: str
    """Odd-looking human text that this rule must leave alone (checked by the tests)."""
    lead: re.Pattern[str] | None = None
    """Text glued before a match that belongs to the finding (``economy`` in ``economy. of``)."""
    check: Check | None = None
    """Decides what a regex cannot; called only on matches."""

    def explain(self, text: str) -> str:
        """The one-line message for a flagged piece of text.

        >>> RULES["split_contraction"].explain("n't")
        "contraction split from its word: “n't”"
        """
        shown = " ".join(text.split())
        if len(shown) > 60:
            shown = shown[:28] + "…" + shown[-28:]
        return self.message.format(text=shown)


# ---------------------------------------------------------------------------
# Characters and small regex builders

_DQ = "\"\u201c\u201d"  # straight, left and right double quotes
_AP = "'\u2018\u2019"  # straight, left and right single quotes (apostrophes)
_SEP = "\n\x00\n"  # joins a batch: no pattern matches a NUL, and none crosses "\n\x00\n"
_LEAD_WINDOW = 48  # how far a lead may reach back
_SENTENCE_REACH = 400  # how far back a check looks for the start of a sentence


def _words(words: Iterable[str]) -> str:
    """An alternation of literal words, longest first so none shadows a longer one.

    >>> _words(["May", "March", "a.m."])
    'March|a\\\\.m\\\\.|May'
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _by_length(words: Iterable[str]) -> list[list[str]]:
    groups: dict[int, list[str]] = {}
    for word in sorted(set(words)):
        groups.setdefault(len(word), []).append(word)
    return [groups[n] for n in sorted(groups)]


def _not_after(words: Iterable[str], tail: str = r"\.") -> str:
    """Negative look-behinds (one per word length) for ``word`` + ``tail`` ending here.

    Python look-behinds need a fixed width, so words are grouped by length.

    >>> _not_after(["al", "etc", "vs"])
    '(?<!\\\\b(?i:al|vs)\\\\.)(?<!\\\\b(?i:etc)\\\\.)'
    """
    return "".join(rf"(?<!\b(?i:{_words(group)}){tail})" for group in _by_length(words))


def _after(words: Iterable[str], tail: str) -> str:
    """Look-behind alternatives: one of ``words`` then ``tail`` (fixed width) ends here.

    >>> _after(["May", "June"], r"\\.")
    '(?<=\\\\b(?:May)\\\\.)|(?<=\\\\b(?:June)\\\\.)'
    """
    return "|".join(rf"(?<=\b(?:{_words(group)}){tail})" for group in _by_length(words))


def _per_char(template: str, chars: str) -> list[str]:
    """One part per character: ``{c}`` in ``template`` becomes that (escaped) character.

    >>> _per_char("{c}x", "ab")
    ['ax', 'bx']
    """
    return [template.replace("{c}", re.escape(c)) for c in chars]


# ---------------------------------------------------------------------------
# Word lists

_MONTHS = (
    "January February March April May June July August September October November December"
).split()

_SPEECH_VERBS = """
    said says told tells added adds wrote writes explained noted stressed insisted argued
    warned continued concluded
""".split()

_VOWEL_SOUND_EXCEPTIONS = r"""
      one(?![a-z]) | once | oui | eu | ewe                # a one-off, a euro, a ewe
    | uni(?![nmd]) | unan | us[aeu] | user | ut | ur[aeio] | uk | ubi | ug | ufo | ulu
                                                          # a university, a user, a utility
"""

_FUNCTION_WORDS_VOWEL = """
    about above after again against all also although am among an and another any are around
    as at away each either else enough even ever every if in into is it its itself of off often
    on once one only onto or other our out over own under unless until up upon us
""".split()
"""Vowel-initial words after which "a" is a label or letter, not an article (``plan a is``)."""

_CONSONANT_EXCEPTIONS = "der dem den die das".split()  # Frankfurt an der Oder

_CAPITALISED_VERBS = """
    Express Expressed Expresses Expressing Explained Expected Emphasised Emphasized Stressed
    Speaking Suggested Seemed Stated Hailed Highlighted Highlighting Helped Warned Wanted
    Wish Wished Wishes Announced Agreed Added Allowed Accused Asserted
""".split()
"""Verb forms that are never names; capitalised mid-sentence they are damage."""

_CAPITALISED_FUNCTION_WORDS = """
    Also Although Had Has Have However Should Were Was Which Whose Whether Would
""".split()
"""Function words capitalised mid-sentence (each first letter costs one pass over a batch)."""

_OBJECT_WORDS = frozenset("his her their its our my your the a an this".split())

_NAME_INTRODUCERS = frozenset(
    """
    the a an this that these those click press select tap hit choose open film movie book song
    album novel titled called named entitled show series play word label brand app hashtag
    slogan motto tab menu button option command key magazine newspaper paper column poem
    """.split()
)

_LEGIT_DOUBLES = """
    that had is do no so very really bye ha ho blah yada tut chop knock well now there oh yes
    many far again more boo in on up out over uh um er ah mm hmm
""".split()
"""Words that people double on purpose (``had had``, ``that that``, ``very very``) or in speech (``uh uh``)."""


_DASH_FOLLOWERS = """
    the a an this that these those we i you he she it they us them my your his her its our their
    has have had is are was were will would can could who which what when where while so then
    there not uh um er
""".split()
"""Words after "word- " that show a hyphen typed as a dash, not a broken compound."""

_FIRST_PERSON = re.compile(
    rf"""
    (?<![\w{_AP}])
    (?<!\b[Aa]s\s)(?<!\b[Ww]hen\s)(?<!\b[Ii]f\s)      # "As I reported, ..." is the writer's voice
    (?:
        I(?:[{_AP}](?:m|ve|d|ll))?(?=\s+[a-z])        # I think, I'm sure, I'd say
      | [Ww]e(?:[{_AP}](?:re|ve|d|ll))?                # we, we're
      | [Mm]y | [Oo]ur | us | me | myself | ourselves
    )
    (?![\w{_AP}])
    """,
    re.VERBOSE,
)
_QUOTATION = re.compile(
    rf"""
      [{_DQ}]                                   # any double quote mark
    | (?:^|[\s(])[{_AP}](?=\w)                  # an opening single quote: 'We will
    | [,.!?][{_AP}](?=\s|$)                     # a closing single quote: stop now,'
    """,
    re.VERBOSE,
)
_SENTENCE_BREAK = re.compile(rf"[.!?][{_DQ}{_AP})\]]*\s+(?=[A-Z{_DQ}{_AP}(])")
_NEXT_SENTENCE_FIRST_PERSON = re.compile(rf"\.\s+(?:I|We|My|Our)(?:[{_AP}](?:m|ve|d|ll|re))?\s")


# ---------------------------------------------------------------------------
# Post-checks: called only on matches, they decide what a regex cannot


def _previous_word(paragraph: str, start: int) -> str:
    """The word just before ``start``, skipping spaces (``""`` at the paragraph start).

    >>> _previous_word("part of the [the plan]", 12)
    'the'
    """
    end = start
    while end > 0 and paragraph[end - 1] in " \t":
        end -= 1
    begin = end
    while begin > 0 and (paragraph[begin - 1].isalnum() or paragraph[begin - 1] in _AP):
        begin -= 1
    return paragraph[begin:end]


@functools.lru_cache(maxsize=256)
def _first_quote(paragraph: str) -> int:
    """Offset of the paragraph's first double quote mark, -1 if none (cached per paragraph).

    >>> _first_quote('He said “yes” and "no".')
    8
    """
    return min((i for i in map(paragraph.find, _DQ) if i >= 0), default=-1)


def _find_all(text: str, char: str) -> list[int]:
    found, i = [], text.find(char)
    while i >= 0:
        found.append(i)
        i = text.find(char, i + 1)
    return found


@functools.lru_cache(maxsize=256)
def _unmatched_closers(paragraph: str) -> frozenset[int]:
    """Offsets of ``)`` and ``]`` that close nothing (cached per paragraph).

    List labels and smileys (``a)``, ``:)``) are neither openers nor closers.

    >>> sorted(_unmatched_closers("a) one] (two) three)"))
    [6, 19]
    """
    unmatched: set[int] = set()
    for opener, closer in ("()", "[]"):
        closers = _find_all(paragraph, closer)
        if closer == ")":
            closers = [i for i in closers if _PAREN_CLOSER_RE.match(paragraph, i)]
        events = sorted([(i, 1) for i in _find_all(paragraph, opener)] + [(i, -1) for i in closers])
        depth = 0
        for i, step in events:
            if step < 0 and depth == 0:
                unmatched.add(i)
            else:
                depth += step
    return frozenset(unmatched)


@functools.lru_cache(maxsize=256)
def _has_quotation(paragraph: str) -> bool:
    """Whether the paragraph quotes anything, with double or single marks (cached)."""
    return _QUOTATION.search(paragraph) is not None


_SENTENCE_START = re.compile(
    r"""
    [.!?]            # the end of a sentence ...
    ["')\]\u2019\u201d]?  # ... perhaps inside quotes or brackets
    [ \t]+           # a space
    ([A-Za-z])       # and the first letter of the next: its case is what counts
    """,
    re.VERBOSE,
)


_CLAUSE_WORDS = frozenset({"of", "than"})
"""Words that go on a clause and (unlike ``the``, ``in`` or ``and``) almost never open a sentence, even
a careless writer's: after a full stop, they show a broken boundary (``the economy. of the region``)."""


def _check_capitalising_writer(paragraph: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep a lower-case word after a full stop where it cannot open a sentence, or where the
    writer otherwise capitalises sentences.

    People writing fast on the web often never capitalise (``it. this``, ``i think``):
    that is their style, not a broken boundary. A match counts when the word goes
    on a clause (:data:`_CLAUSE_WORDS`), or when the paragraph opens with a
    capital letter and its lower-case sentence starts are at most one more than
    its capitalised ones.

    >>> _check_capitalising_writer("Aid rose. and fell. It fell.", 4, 13)
    (4, 13)
    >>> _check_capitalising_writer("its fine. this one. and that.", 4, 14) is None
    True
    >>> _check_capitalising_writer("its the cost. of the trip.", 8, 16)
    (8, 16)
    """
    if paragraph[start:end].rsplit(None, 1)[-1] in _CLAUSE_WORDS:
        return start, end
    first = next((c for c in paragraph if c.isalpha()), "")
    if not first.isupper():
        return None
    starts = [m.group(1) for m in _SENTENCE_START.finditer(paragraph)]
    lower = sum(c.islower() for c in starts)
    return (start, end) if lower <= len(starts) - lower + 1 else None


def _check_unbalanced(paragraph: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep a closing-shaped quote that is the paragraph's first, or a bracket closing nothing.

    Openers never closed are decided by the regex alone.
    """
    char = paragraph[start]
    if char in _DQ:
        keep = _first_quote(paragraph) == start
    elif char in ")]":
        keep = start in _unmatched_closers(paragraph)
    else:
        keep = True
    return (start, end) if keep else None


def _check_duplicated_bracket(paragraph: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep ``the [the visit]``: the first word inside repeats the word before the bracket."""
    inner = paragraph[start + 1 : end]
    before = _previous_word(paragraph, start)
    if before and before.lower() == inner.lower():
        return start - len(before) - 1, end
    return None


def _check_dropped_quotes(paragraph: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep an attribution whose unquoted sentence speaks in the first person.

    The paragraph must have no quotation marks at all, and a first-person word
    must stand in the attributed sentence (``We will not stop, the minister
    said.``) or open the sentence right after it (``..., Wilder told RFE/RL. I
    don't think ...``). The reported span runs from the sentence start.
    """
    if _has_quotation(paragraph):
        return None
    sentence_start = max(0, start - _SENTENCE_REACH)
    for boundary in _SENTENCE_BREAK.finditer(paragraph, sentence_start, start):
        sentence_start = boundary.end()
    for match in _FIRST_PERSON.finditer(paragraph, sentence_start, start):
        if match.group() == "I":
            before = _previous_word(paragraph, match.start())
            if before[:1].isupper() and match.start() - len(before) - 1 > sentence_start:
                continue  # "World War I ended": a numeral after a name
        return sentence_start, end
    if _NEXT_SENTENCE_FIRST_PERSON.match(paragraph, end):
        return sentence_start, end
    return None


def _check_duplicated_word(paragraph: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep ``X Name's X`` (a possessive part's match starts at the apostrophe); pass the rest.

    >>> text = "A analysis Sher's analysis of data"
    >>> text[slice(*_check_duplicated_word(text, 15, 26))]
    "analysis Sher's analysis"
    """
    if paragraph[start] not in _AP:
        return None if _repeated_three_times(paragraph, start, end) else (start, end)
    word = paragraph[start + 3 : end]
    name = _previous_word(paragraph, start)
    before = _previous_word(paragraph, start - len(name))
    if not name[:1].isupper() or before.lower() != word:
        return None
    return start - len(name) - 1 - len(before), end


def _repeated_three_times(paragraph: str, start: int, end: int) -> bool:
    """Whether a doubled word is part of a run of three or more (``killing killing killing``):
    emphasis or a speaker's stutter, where damage doubles a word once.

    >>> _repeated_three_times("they killing killing killing over", 5, 20)
    True
    >>> _repeated_three_times("it was the the best", 7, 14)
    False
    """
    word = paragraph[start:end].split()[-1].lower()
    before = _previous_word(paragraph, start).lower()
    after = re.match(r"[ ]([\w'’]+)", paragraph[end : end + len(word) + 2])
    return before == word or (after is not None and after.group(1).lower() == word)


def _check_spaced_hyphen(paragraph: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop stutters in transcripts (``y- you``, ``Ro- Roberts``): a fragment, then the word.

    >>> _check_spaced_hyphen("the Ro- Roberts case", 4, 15) is None
    True
    """
    fragment, _, rest = paragraph[start:end].partition("-")
    fragment, rest = fragment.strip().lower(), rest.strip().lower()
    if len(fragment) < 2 or rest.startswith(fragment[:3]):  # "mitiger- mitigator": a self-correction
        return None
    return start, end


def _check_capitalised(paragraph: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep a capitalised common word after a lower-case word, or a verb before its object.

    Title-case text (headlines) and names introduced as names (``the film
    Being There``, ``click Save``) are left alone.
    """
    word = paragraph[start:end]
    before = _previous_word(paragraph, start)
    after = re.match(r"[ ]([a-z]+)", paragraph[end : end + 40])
    if not before or after is None:
        return None
    if before[0].isupper():  # "Putin Express his desire": only a verb before its object
        if word not in _CAPITALISED_VERBS or after.group(1) not in _OBJECT_WORDS:
            return None
    elif before.lower() in _NAME_INTRODUCERS:
        return None
    window = re.findall(r"[A-Za-z]+", paragraph[max(0, start - 60) : end + 60])
    if sum(w[0].isupper() for w in window) * 2 > len(window):
        return None  # a title-case headline
    return start, end


# ---------------------------------------------------------------------------
# The parts of each rule (each part starts with one literal character)

_WORD_LEAD = rf"[\w{_AP}]+"

_MID_SENTENCE_PERIOD = [
    rf"""
    \.                                   # a full stop ...
    (?=[ \t]+[a-z])                      # ... before a space and a lower-case letter
    (?<![\s.]\.)                         # not an ellipsis or a spaced dot ("...", " . ")
    (?<!\b\w\.)                          # not "U.S.", "e.g.", "a.m.", "p.", "J." (one letter)
    (?<!\.\w\w\.)                        # not "M.Sc.", "B.Sc."
    {_not_after(ABBREVIATIONS)}         # not "etc.", "et al.", "Mr.", "No.", "Ill."
    (?<![\s(]\d\d\.)(?<![\s(]\d\d\d\.)   # not a list number: "10. "
    (?<!\d[ ](?i:in|ft|mi|oz|lb)\.)(?<!\d[ ](?i:lbs)\.)
                                         # not a unit after a number: "5 in. long"
    [ \t]+
    (?!i(?:[{_AP}](?:m|ve|d|ll))?\b)       # not "it. i think": a writer who types "i" for "I"
    [a-z]++                              # the lower-case word ...
    (?![A-Z0-9_@)]|\.\w)                 # ... not "iPhone", "eBay", "e.g.", "b)" or an address
    """
]

_AFTER_MONTH = _after(_MONTHS, r"\.")
_AFTER_DAY = _after(_MONTHS, r"[ ]\d\.") + "|" + _after(_MONTHS, r"[ ]\d\d\.")
_SPLIT_DATE = [
    rf"""
    \.                                   # a full stop ...
    (?=[ \t]+(?:1[89]|20)\d\d(?!\d))     # ... before a year ...
    (?: {_AFTER_MONTH}                    # ... after a month: "in March. 2022"
      | {_AFTER_DAY}                      # ... or a day: "on May 6. 2022"
    )
    [ \t]+\d{{4}}
    """
]
_MONTH_LEAD = rf"\b(?:{_words(_MONTHS)})(?:[ ]\d{{1,2}})?"

_ORPHAN_PUNCTUATION = [
    r"""
    ,                                    # a comma ...
    (?: (?<=[ \t],)(?=[ \t]|$)           # ... spaced on both sides ("said , that"; "pigeon ,they"
                                         #     is a typing slip, not a tokenizer's spacing)
      | (?<=,,) )                        # ... or doubled (",,")
    (?<!\.\.[ \t],)                      # (not after an ellipsis: "dhin... , ta")
    """,
    r"""
    ;(?<=[ \t];)                         # "x ; y"
    (?![-)(DPp])                         # (not a wink ";)")
    """,
    r"""
    \.(?<=[ \t]\.)(?=[\s"“”'’)\]])       # "technology. ."
    (?![ ]\.)(?<!\.[ ]\.[ ]\.)           # (not a spaced ellipsis ". . .")
    (?<!\.\.[ ]\.)                       # (not an ellipsis closed by a full stop "... .")
    """,
]
"""A space before ":", "?" or "!" ("note : this", "really ?") is how many people type (French
spacing); real machine translation leaves it no more often than human writers do, so it is not counted."""

_QUOTE_ATTACHMENT = _per_char(
    rf"""
    {{c}}                                # a double quote mark, curly or straight, ...
    (?:
        (?<=\s{{c}}) (?![ \t]++[{_DQ}])
        [ \t]++ \w+                      # ... spaced on both sides: "“ We"
      | (?<=[a-z]{{c}}) [a-z]+           # ... glued on both sides: 'the"zero'
      | (?: (?<=[\s(]a{{c}})             # ... glued after a word no quotation ends with:
          | (?<=[\s(](?:an|or){{c}})
          | (?<=[\s(](?:and|the){{c}})
          | (?<=[\s(](?:said|says|told){{c}})
        ) [ \t]+ \w+                     #     'the” zero', 'said” we'
      | (?<=\s{{c}}) (?<![{_DQ}]\s{{c}}) (?=[.,;:!?]) (?!\.\.)
                                         # ... spaced from the word it closes: 'rule ”.'
    )
    """,
    _DQ,
)

_PAREN_CLOSER = r"""
    \)                                   # a closing parenthesis ...
    (?<![\s(]\w\))(?<![\s(]\w\w\))       # ... not a list label "a)", "12)"
    (?<!^\w\))(?<!^\w\w\))
    (?<![:;=]\))(?<![:;=]-\))            # ... not a smiley ":)"
"""
_UNBALANCED_QUOTES = [
    *_per_char(
        rf"""
        {{c}}                            # a double quote mark shaped as a closing one:
        (?<=[^\s\d(\[{{/{_DQ}-]{{c}})    # glued to the text before it (not an inch mark 5")
        (?=[\s.,;:!?)\]])                # and followed by a space or punctuation
        """,
        _DQ,
    ),
    _PAREN_CLOSER,
    r"""
    \]                                   # a closing square bracket
    """,
    r"""
    \((?=[^()\x00]*+\x00)                 # an opening parenthesis never closed ...
    (?<![:;=]\()(?<![:;=]-\()            # ... not a frowny face ":(", ":-("
    """,
    r"""
    \[(?=[^\[\]\x00]*+\x00)               # an opening square bracket never closed
    """,
]
_PAREN_CLOSER_RE = re.compile(_PAREN_CLOSER, re.VERBOSE)

_DUPLICATED_BRACKET = [
    r"""
    \[(?<=[A-Za-z][ ]\[)                 # "[" right after a word and a space ...
    [A-Za-z]+(?![\w'’])                  # ... and the first word inside (checked against it)
    """,
    r"""
    \((?<=[A-Za-z][ ]\()                 # "(" right after a word and a space ...
    (?:the|an?|of|to|in|on|for|and|with)(?![\w'’])   # ... and a function word inside
    """,
]

_DROPPED_QUOTES = [
    rf"""
    ,[ ](?=[hstA-Z])                     # ", " then who spoke ...
    (?: he | she | they
      | the[ ][a-z]+(?:[ ][a-z]+)?                          # the minister, the foreign minister
      | (?:the[ ])?[A-Z][\w{_AP}.-]*(?:[ ][A-Z][\w{_AP}.-]*){{0,3}}   # Wilder, the Kremlin
        (?:,[ ][a-z][^,\n\x00]{{0,99}}?,)?                   # , senior analyst at ...,
    )
    [ ]
    (?: told[ ](?:[^\s\x00]+[ ]){{0,2}}?[^\s\x00,]+?         # told RFE/RL, told reporters
      | (?:{_words(_SPEECH_VERBS)})                           # said, added, wrote
        (?:[ ](?:on|in|at|during|last|earlier|later|yesterday|today|this|after|before)
           [ ][^,;.!?\n\x00]{{1,30}})?                        # said on Tuesday
    )
    (?=[.!?,]\s)                         # ... and the sentence or clause ends
    """
]

_SPLIT_CONTRACTION = _per_char(
    rf"""
    {{c}}                                # an apostrophe ...
    (?: (?<=\w[ ]n{{c}}) t               # ... "do n't", "is n’t"
      | (?<=\w[ ]{{c}}) (?:s|m|re|ve|ll|d)   # ... "it 's", "I 'm", "we 're"
      | (?<=\wn[ ]{{c}}) t               # ... "don 't"
    )
    (?![\w{_AP}])                        # a whole token (not a quoted 's' or 'd')
    """,
    _AP,
)

_SPACED_SYMBOL = [
    r"""
    %(?<=\d[ \t]%)                       # "8 %", "3.5 %" ...
    (?![ \t]*\d)                         # (not the modulo in "10 % 3")
    """,
    *_per_char(
        r"""
        {c}                              # a currency sign ...
        (?: [ \t]+ \d[\d.,]*             # ... spaced from its number: "$ 75", "€ 5"
          | (?<=[a-z]{c}) \d[\d.,]*      # ... glued to a word: "profit$75"
        )
        """,
        "$€£",
    ),
]

_SPACED_HYPHEN = [
    rf"""
    -(?<=[A-Za-z]-)                      # a hyphen glued to the word before it ...
    [ ][ \t]*                            # ... then a space ...
    (?!(?:and|or|to|nor|through|versus|vs|but|than|into|as)\b|&)
                                         # (not suspended: "pre- and post-war")
    (?!(?i:{_words(_DASH_FOLLOWERS)})\b)  # (not a hyphen used as a dash: "war- we won")
    [A-Za-z]+                            # ... then the rest: "cross- border"
    """
]

_DUPLICATED_WORD = [
    rf"""
    [ ]
    (?P<word>[a-z][a-z]++)               # a lower-case word ...
    [ ]
    (?: (?P=word)                        # ... repeated at once: "the the"
      | the[ ](?P=word)(?<=[a-z]{{4}})   # ... or across "the": "analysis the analysis"
    )
    (?![\w{_AP}-])
    {_not_after(_LEGIT_DOUBLES, tail="")}   # "had had", "that that" are English
    """,
    *_per_char(
        rf"""
        {{c}}s[ ](?<=[a-z]{{c}}s[ ])        # a name's possessive ...
        [a-z]{{4}}[a-z]*+(?![\w{_AP}-])    # ... then a word, checked against the word before
        """,                             # the name: "analysis Sher's analysis"
        "'’",
    ),
    rf"""
    \n(?P<first>[A-Z][a-z]*+)[ ](?=[a-z])(?i:(?P=first))(?![\w{_AP}-])
                                         # "The the" opening a paragraph
    """,
    rf"""
    \.[ ](?P<opening>[A-Z][a-z]*+)[ ](?=[a-z])(?i:(?P=opening))(?![\w{_AP}-])
                                         # "The the" opening a sentence
    """,
]

_VOWEL_WORD = rf"""
    (?=[aeiouAEIO])                      # (cheap test first)
    (?!(?i:{_VOWEL_SOUND_EXCEPTIONS}))
    (?!(?i:{_words(_FUNCTION_WORDS_VOWEL)})\b)
    [aeiouAEIO][a-z]++                   # a word that starts with a vowel sound
    (?![\w{_AP}@-])                      # (whole and lower-case after its first letter)
"""
_CONSONANT_WORD = rf"""
    (?=[bcdfgjklmnpqrstvwxz])            # (cheap test first)
    (?!(?:{_words(_CONSONANT_EXCEPTIONS)})\b)
    (?=[a-z]*[aeiouy])                   # (not letters read out: "an mph")
    [bcdfgjklmnpqrstvwxz][a-z]++         # a lower-case word with a consonant sound (not h)
    (?![\w{_AP}@-])
"""
_NOT_INSIDE_WORD = rf"(?<![\w{_AP}.&/@-])"
_ARTICLE_AGREEMENT = [
    rf"""
    a[ ](?<={_NOT_INSIDE_WORD}a[ ])      # "a " as a word ...
    {_VOWEL_WORD}                        # ... before a vowel: "a interview"
    """,
    rf"""
    an[ ](?<={_NOT_INSIDE_WORD}an[ ])    # "an " as a word ...
    {_CONSONANT_WORD}                    # ... before a consonant: "an book"
    """,
    rf"""
    A                                    # "A" or "An" opening a sentence or paragraph ...
    (?: (?<=[.!?][ ]A) | (?<=[.!?]["”][ ]A) | (?<=\nA) )
    (?: [ ] {_VOWEL_WORD} | n[ ] {_CONSONANT_WORD} )
    """,
]


def _capitalised_parts(words: Sequence[str]) -> list[str]:
    """One part per first letter: the word, then a look-behind for ``<letter><space>``.

    >>> len(_capitalised_parts(["Also", "Added", "Was"]))
    2
    """
    parts = []
    for letter in sorted({w[0] for w in words}):
        tails = "|".join(
            rf"{re.escape(w[1:])}(?<=[A-Za-z][ ]\w{{{len(w)}}})"
            for w in sorted(w for w in words if w[0] == letter)
        )
        parts.append(
            rf"""
            {letter}(?:{tails})          # a common word with a capital, after a word and a space
            (?![\w{_AP}-])(?=[ ][a-z])   # ... and before a lower-case word
            """
        )
    return parts


_CAPITALISED_MIDSENTENCE_WORD = _capitalised_parts(
    _CAPITALISED_VERBS + _CAPITALISED_FUNCTION_WORDS
)


def _rule(
    name: str,
    family: str,
    description: str,
    parts: Sequence[str],
    message: str,
    example: tuple[str, str],
    near_miss: str,
    lead: str | None = None,
    check: Check | None = None,
) -> ArtifactRule:
    """Compile the parts (and their union) into a rule."""
    return ArtifactRule(
        name=name,
        family=family,
        description=description,
        pattern=re.compile("|".join(f"(?:{p}\n)" for p in parts), re.VERBOSE),
        parts=tuple(re.compile(p, re.VERBOSE) for p in parts),
        message=message,
        example=example,
        near_miss=near_miss,
        lead=re.compile(f"(?:{lead})\\Z") if lead else None,
        check=check,
    )


RULES: dict[str, ArtifactRule] = {
    d.name: d
    for d in (
        _rule(
            "mid_sentence_period",
            "sentence_boundary",
            "A full stop inside a clause, followed by a lower-case word (where the writer capitalises sentences).",
            _MID_SENTENCE_PERIOD,
            "full stop inside a clause: “{text}”",
            ("Help to prop up the economy. of the region.", "economy. of"),
            "Smith et al. found that U.S. sales at 5 p.m. etc. rose... then Dr. and Mrs. Li left.",
            lead=_WORD_LEAD,
            check=_check_capitalising_writer,
        ),
        _rule(
            "split_date",
            "sentence_boundary",
            "A full stop splitting a date from its year.",
            _SPLIT_DATE,
            "full stop splitting a date: “{text}”",
            ("The invasion began in February. 2022.", "February. 2022"),
            "It began in February 2022; on Sept. 11, 2001, and in May. Then 2023 came.",
            lead=_MONTH_LEAD,
        ),
        _rule(
            "orphan_punctuation",
            "sentence_boundary",
            "Punctuation after a space, or doubled: 'said , that', 'technology. .'.",
            _ORPHAN_PUNCTUATION,
            "stray or doubled punctuation: “{text}”",
            ("He said , that it works.", "said ,"),
            "Wait . . . what ? Note : the ratio was 3 : 2, apples ,pears, etc... , and more :)",
            lead=rf"[\w{_AP}{_DQ}).\]]{{0,40}}[ \t]+",
        ),
        _rule(
            "quote_attachment",
            "quotation",
            "A quote mark on the wrong side of a space, or floating between spaces.",
            _QUOTE_ATTACHMENT,
            "quote mark on the wrong side of a space: “{text}”",
            ("He backed the” zero- tolerance rule”.", "the” zero"),
            'He called it “the best” and said "no" to "and" (a word), split(" ").',
            lead=_WORD_LEAD,
        ),
        _rule(
            "unbalanced_quotes",
            "quotation",
            "A closing quote or bracket with no opener, or a bracket never closed.",
            _UNBALANCED_QUOTES,
            "quote mark or bracket without its partner: “{text}”",
            ("The rule stays in place.” Officials agreed.", "”"),
            "“We will go on,” she said. “And on. See a) and b) :) (or [1]).",
            check=_check_unbalanced,
        ),
        _rule(
            "duplicated_bracket",
            "quotation",
            "An editorial insert in brackets that repeats the word before it.",
            _DUPLICATED_BRACKET,
            "bracketed insert repeats the word before it: “{text}”",
            ("It is part of the [the visit].", "the [the"),
            "It is part of [the visit] and of the (secret) plan, of (the) kind.",
            check=_check_duplicated_bracket,
        ),
        _rule(
            "dropped_quotes",
            "quotation",
            "First-person reported speech with no quotation marks anywhere.",
            _DROPPED_QUOTES,
            "first-person speech without quote marks: “{text}”",
            (
                "We will not stop now, the minister said.",
                "We will not stop now, the minister said",
            ),
            "Prices will rise next year, the bank said. As I reported, the agency agreed.",
            check=_check_dropped_quotes,
        ),
        _rule(
            "split_contraction",
            "detokenisation",
            "A contraction split from its word by a tokenizer: 'do n't', 'it 's'.",
            _SPLIT_CONTRACTION,
            "contraction split from its word: “{text}”",
            ("They do n't know.", "n't"),
            "Rock 'n' roll in the '90s; the letter 's' and don't, it's.",
            lead=r"(?<=[ \t])n",
        ),
        _rule(
            "spaced_symbol",
            "detokenisation",
            "A space between a number and its per cent or currency sign.",
            _SPACED_SYMBOL,
            "symbol split from its number: “{text}”",
            ("A profit$ 75 million, up 8 %.", "profit$ 75"),
            "Up 8% to $75 million (US$80m), 3.5 percent; 10 % 3 is 1.",
            lead=r"\d[\d.,]*[ \t]+|[A-Za-z]+",
        ),
        _rule(
            "spaced_hyphen",
            "detokenisation",
            "A compound broken by a space after its hyphen: 'cross- border'.",
            _SPACED_HYPHEN,
            "space after a hyphen inside a word: “{text}”",
            ("New cross- border trade.", "cross- border"),
            "Pre- and post-war, two- to three-day, war- and sanctions-hit -- we won- we did; y- you.",
            lead=_WORD_LEAD,
            check=_check_spaced_hyphen,
        ),
        _rule(
            "duplicated_word",
            "lexical",
            "A word repeated at once, or across one determiner: 'A analysis the analysis'.",
            _DUPLICATED_WORD,
            "word repeated: “{text}”",
            ("It was the the best.", "the the"),
            "What he had had, he said that that was it; Walla Walla, 1 1, day by day, to Li's to.",
            check=_check_duplicated_word,
        ),
        _rule(
            "article_agreement",
            "lexical",
            "'a' before a vowel sound or 'an' before a consonant.",
            _ARTICLE_AGREEMENT,
            "article does not fit the next word: “{text}”",
            ("In a interview he spoke.", "a interview"),
            "A one-off: a university, an hour, a U.S. envoy, an FBI agent, a European.",
        ),
        _rule(
            "capitalised_midsentence_word",
            "lexical",
            "A common verb or function word capitalised inside a sentence.",
            _CAPITALISED_MIDSENTENCE_WORD,
            "capital letter inside a sentence: “{text}”",
            ("The leader Express his wish.", "Express"),
            "She read the novel Being There; the Daily Express said so.",
            check=_check_capitalised,
        ),
    )
}
"""Every rule, in the order of the model's feature columns."""


# ---------------------------------------------------------------------------
# Running the registry over a batch


def _join(paragraphs: Sequence[str]) -> tuple[str, np.ndarray]:
    """Join a batch with separators; return the text and each paragraph's start offset.

    >>> text, starts = _join(["ab", "", "c"])
    >>> [text[s : s + n] for s, n in zip(starts, [2, 0, 1])]
    ['ab', '', 'c']
    """
    n = len(paragraphs)
    lengths = np.fromiter(map(len, paragraphs), dtype=np.int64, count=n)
    starts = np.full(n, len(_SEP), dtype=np.int64)
    if n > 1:
        starts[1:] += np.cumsum(lengths[:-1] + len(_SEP))
    joined = _SEP + _SEP.join(paragraphs) + _SEP
    if joined.count("\x00") != n + 1:  # a NUL inside a paragraph: blank it, offsets unchanged
        joined = _SEP + _SEP.join(p.replace("\x00", " ") for p in paragraphs) + _SEP
    return joined, starts


def _raw_spans(
    rule: ArtifactRule, joined: str, narrowed: tuple[int, Sequence[str], np.ndarray] | None = None
) -> list[tuple[int, int]]:
    """Every part's matches in the joined batch, trimmed of surrounding white space.

    ``narrowed``, when given, is (part, paragraphs, their starts in the batch): that part runs
    over those paragraphs only (joined alone), the others over the whole batch, and every span
    is an offset into ``joined``.
    """
    spans: set[tuple[int, int]] = set()
    for k, part in enumerate(rule.parts):
        text, shift = joined, None
        if narrowed is not None and narrowed[0] == k:
            text, own = _join(narrowed[1])
            shift = narrowed[2] - own  # from the narrowed batch's offsets to the whole batch's
        for match in part.finditer(text):
            start, end = match.span()
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if shift is not None:
                moved = int(shift[np.searchsorted(own, start, "right") - 1])
                start, end = start + moved, end + moved
            spans.add((start, end))
    return sorted(spans)


def _scan(
    rule: ArtifactRule,
    paragraphs: Sequence[str],
    joined: str,
    starts: np.ndarray,
    only: tuple[int, np.ndarray] | None = None,
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Paragraph index and local span of every finding of one rule in the batch (``only``: a
    part of the rule and the paragraphs that can hold its matches, :func:`scan_rules`)."""
    narrowed = None
    if only is not None:
        part, candidates = only
        chosen = np.flatnonzero(candidates)
        narrowed = (part, [paragraphs[i] for i in chosen.tolist()], starts[chosen])
    raw = _raw_spans(rule, joined, narrowed)
    if not raw:
        return np.empty(0, dtype=np.int64), []
    index = np.searchsorted(starts, np.array([s for s, _ in raw], dtype=np.int64), "right") - 1
    if rule.lead is None and rule.check is None:
        offsets = starts[index].tolist()
        return index, [(s - o, e - o) for (s, e), o in zip(raw, offsets)]
    keep: list[int] = []
    spans: list[tuple[int, int]] = []
    for k, ((start, end), i) in enumerate(zip(raw, index.tolist())):
        offset = int(starts[i])
        start, end = start - offset, end - offset
        paragraph = paragraphs[i]
        if rule.lead is not None:
            lead = rule.lead.search(paragraph, max(0, start - _LEAD_WINDOW), start)
            if lead is not None:
                start = lead.start()
        if rule.check is not None:
            span = rule.check(paragraph, start, end)
            if span is None:
                continue
            start, end = span
        while start < end and paragraph[start].isspace():
            start += 1
        keep.append(k)
        spans.append((start, end))
    return index[keep], spans


def _check_batch(paragraphs: Sequence[str]) -> None:
    if isinstance(paragraphs, str):
        raise TypeError("expected a sequence of paragraphs, got one str (wrap it in a list)")
    for p in paragraphs:
        if not isinstance(p, str):
            raise TypeError(f"paragraphs must be str, got {type(p).__name__}")


@dataclass(frozen=True, slots=True)
class RuleScan:
    """Every rule's findings in a batch: for each rule, the paragraph and local span of each."""

    paragraphs: Sequence[str]
    found: tuple[tuple[np.ndarray, list[tuple[int, int]]], ...]  # per rule, in registry order

    def counts(self) -> np.ndarray:
        """Each rule's number of findings per paragraph: shape ``(n, len(RULES))``, float32."""
        n = len(self.paragraphs)
        counts = np.zeros((n, len(RULES)), dtype=np.float32)
        for column, (index, _) in enumerate(self.found):
            if len(index):
                counts[:, column] = np.bincount(index, minlength=n)
        return counts

    def findings(self, rows: Iterable[int]) -> dict[int, list[Finding]]:
        """The findings of the paragraphs ``rows``, each list sorted by start offset (then registry order)."""
        wanted = set(rows)
        found: dict[int, list[tuple[int, int, Finding]]] = {row: [] for row in wanted}
        for order, (rule, (index, spans)) in enumerate(zip(RULES.values(), self.found)):
            for row, (start, end) in zip(index.tolist(), spans):
                if row in wanted:
                    text = self.paragraphs[row][start:end]
                    found[row].append((start, order, Finding(rule.name, start, end, text, rule.explain(text))))
        return {row: [f for _, _, f in sorted(items, key=lambda item: item[:2])] for row, items in found.items()}


REPEATED_WORD = ("duplicated_word", 0)
"""The rule part that finds a lower-case word repeated at once or across ``the``: a paragraph
whose tokens repeat no word so cannot hold its matches, which the features know before the
rules run (:func:`scan_rules`'s ``repeats``)."""


def scan_rules(paragraphs: Sequence[str], repeats: np.ndarray | None = None) -> RuleScan:
    """Run every rule over a batch, each pattern once over the whole batch.

    ``repeats``, when given, says for each paragraph whether its words repeat a word at once or
    across ``the`` (lower-cased, as the features' tokens see them); the part
    :data:`REPEATED_WORD` then scans only those paragraphs, the costliest pattern on the rest
    of the batch. The findings are the same either way.

    >>> scan = scan_rules(["It is n't so.", "Fine."])
    >>> scan.counts().sum(axis=1).tolist(), [f.text for f in scan.findings([0])[0]]
    ([1.0, 0.0], ["n't"])
    >>> [f.kind for f in scan_rules(["It was the the best.", "Fine."], np.array([True, False])).findings([0])[0]]
    ['duplicated_word']
    """
    _check_batch(paragraphs)
    if len(paragraphs) == 0:
        return RuleScan(paragraphs, tuple((np.empty(0, dtype=np.int64), []) for _ in RULES))
    joined, starts = _join(paragraphs)
    if repeats is not None and any("\x00" in p for p in paragraphs):  # a NUL is blanked to a space here
        repeats = repeats | np.array(["\x00" in p for p in paragraphs], dtype=bool)
    name, part = REPEATED_WORD
    return RuleScan(paragraphs, tuple(
        _scan(rule, paragraphs, joined, starts, (part, repeats) if repeats is not None and rule.name == name else None)
        for rule in RULES.values()
    ))


def count_artifacts(paragraphs: Sequence[str]) -> np.ndarray:
    """Count each rule's findings per paragraph: shape ``(n, len(RULES))``, float32.

    >>> count_artifacts(["The the 8 % rise.", "", "A fine day."]).astype(int).tolist()[0]
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0]
    """
    return scan_rules(paragraphs).counts()


def find_artifacts(paragraph: str) -> list[Finding]:
    """Every finding in one paragraph, sorted by start offset (then registry order).

    >>> (finding,) = find_artifacts("Ukraine enters its third war. year.")
    >>> finding.kind, finding.start, finding.end, finding.text
    ('mid_sentence_period', 25, 34, 'war. year')
    >>> finding.message
    'full stop inside a clause: “war. year”'
    """
    if not isinstance(paragraph, str):
        raise TypeError(f"paragraph must be str, got {type(paragraph).__name__}")
    return scan_rules([paragraph]).findings([0])[0]
