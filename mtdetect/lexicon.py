"""The lexicon: English function words, number words and abbreviations, each list written once.

Every module that needs to know a function word, a number word or an
abbreviation reads it here. Each list has one job, named by its docstring;
where two jobs need different lists (an abbreviation that may stand before a
lower-case word is not always one that never ends a sentence), both are here
side by side.

>>> {"the", "n't", "whom"} <= FUNCTION_WORDS
True
>>> TITLE_ABBREVIATIONS <= SENTENCE_ABBREVIATIONS
True
"""

from __future__ import annotations

FUNCTION_WORDS: frozenset[str] = frozenset(
    """
a an the this that these those some any no every each either neither both all
half several many much more most few fewer less least other another such what
which who whom whose whatever whichever whoever
i me my mine myself we us our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs
themselves one ones
be am is are was were been being have has had having do does did doing done
will would shall should can could may might must ought
not n't no nor never
and or but if then else than because so yet though although while whereas
unless until since whether as
of in on at by for with about against between into through during before after
above below to from up down out off over under again further once upon within
without along across behind beyond among around near toward towards onto
per via despite except including like unlike
here there when where why how now just only also very too quite rather even
still already almost
i'm i've i'd i'll we're we've we'd we'll you're you've you'd you'll he's he'd
he'll she's she'd she'll it's it'd it'll they're they've they'd they'll
that's there's here's what's who's let's
isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't
wouldn't shan't shouldn't can't cannot couldn't mustn't mightn't
's 're 've 'll 'd 'm
""".split()
)
"""English function words: the words the word-class text keeps as themselves (in their own case),
every other word being reduced to its shape (:mod:`mtdetect.wordclass`); also the English side
of the language check (:mod:`mtdetect.language`). Part of the model's feature layout: changing
it changes the features."""

NUMBER_WORDS: frozenset[str] = frozenset(
    """
    one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred thousand million billion trillion
    """.split()
)
"""Numbers written as words: never a content word to swap or match on."""

ABBREVIATIONS: frozenset[str] = frozenset(
    """
    al approx art assn ave blvd bros ca capt cf ch chap cir cit co col corp cpl dept dr ed eds
    esp est et etc ext fig figs gen gov govt hon hr hrs ibid id inc incl jr lt ltd maj min misc
    mr mrs ms mt no nos op orig para paras pp prof pt rd ref refs rep rev sec sen sep sept seq
    sgt sq sr st stat supp tbsp tel trans tsp univ viz vol vols vs yr yrs
    jan feb mar apr jun jul aug oct nov dec mon tue tues wed thu thurs fri sat sun
    ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont
    neb nev okla ore pa tenn tex va vt wash wis wyo
    ii iii iv vi vii viii ix xi xii
""".split()
)
"""Tokens that take a full stop and may be followed by a lower-case word (``et al. found``):
a full stop after one is no sentence-boundary damage (:mod:`mtdetect.rules`)."""

TITLE_ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "adm", "capt", "cmdr", "col", "dr", "gen", "gov", "hon", "lt", "maj",
        "messrs", "mme", "mr", "mrs", "ms", "pres", "prof", "rep", "rev", "sen",
        "sgt", "supt",
    }
)  # fmt: skip
"""Abbreviations written before a name: a sentence never ends on one (:mod:`mtdetect.segment`)."""

SENTENCE_ABBREVIATIONS: frozenset[str] = TITLE_ABBREVIATIONS | frozenset(
    {
        # name suffixes, saints, places
        "jr", "sr", "st", "mt", "ft", "ave", "blvd", "rd",
        # countries and bodies written with full stops
        "u.s", "u.s.a", "u.k", "u.n", "e.u", "d.c",
        # Latin and reference abbreviations
        "e.g", "i.e", "etc", "vs", "viz", "cf", "al", "approx", "fig", "figs",
        "no", "nos", "vol", "vols", "pp", "dept", "univ", "assn",
        # companies
        "inc", "corp", "ltd", "co", "bros",
        # months
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        # times, degrees, eras
        "a.m", "p.m", "ph.d", "m.d", "b.a", "m.a", "a.d", "b.c",
    }
)  # fmt: skip
"""Abbreviations that never end a sentence, lower case and without the final full stop: added to
whatever the sentence splitter's training finds (``training/punkt.py``)."""
