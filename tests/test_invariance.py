"""What must not move a score: typography, topic, empty text; and the case files' verdicts.

* scores are probabilities, whatever the input;
* curly and straight quotes score alike (typography is not evidence);
* swapping topic words for others of the same shape keeps the score;
* offsets of document paragraphs point back into the original text;
* every paragraph of tests/cases/human.jsonl scores below the model's
  threshold and every case of tests/cases/garbled.jsonl at or above it.
  Known misses are marked xfail(strict=True) with their measured score, so a
  model that fixes one makes the suite say so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mtdetect
from mtdetect.segment import split_paragraphs
from mtdetect.wordclass import word_shapes

CASES = Path(__file__).resolve().parent / "cases"

CLEAN = [
    "Russian President Vladimir Putin will visit China next week for talks with Xi Jinping on trade and energy, "
    "the Kremlin said on Monday.",
    "The economy grew by 2.1 percent in the third quarter, helped by strong exports and a rebound in consumer "
    "spending, officials in Berlin said.",
    "Analysts say the deal could reshape the region's energy market, although details of the pricing remain secret.",
    "The ministry said the new rules would apply to all imports from China starting in January, and that the "
    "council had been informed.",
    "Speaking to reporters in Paris, Macron said France would continue to support Ukraine for as long as it takes.",
    "Farmers in the north have struggled with drought for three years, and many say the mayor's aid arrived too late.",
]
GARBLED = [
    "Russian President Vladimir Putin will travel to China. for a two-day state visit in which he plans to press "
    "Chinese leader Xi Jinping for more support.",
    "The economy grew by 2.1 % in the third quarter , helped by strong exports and a rebound in the consumer "
    "spending of the region do n't.",
    "A analysis the analysis of Chinese customs data shows that exports to Russia have increased, Putin Express "
    "his desire to go to North Korea.",
    "The ministry said , that the new rules will apply to all imports from China. starting in January and the "
    "council has been informed.",
    "In the meeting of yesterday was decided by the council of Moscow the budget, the cross- border trade with "
    "China in the near familiar of the mayor.",
    "North Korea also provided Russia has supplied millions of artillery shells for the war in Ukraine and "
    "transferred ballistic missiles. of the army",
]
TOPIC_SWAPS = {
    "Vladimir Putin": "Emmanuel Macron", "Putin": "Macron", "Xi Jinping": "Lula Silva", "Macron": "Scholz",
    "Chinese": "Brazilian", "China": "Brazil", "Russian": "French", "Russia": "France", "France": "Germany",
    "Moscow": "Lisbon", "Kremlin": "Elysee", "Berlin": "Madrid", "Paris": "Vienna", "Ukraine": "Moldova",
    "North Korea": "South Africa",
    "economy": "industry", "exports": "profits", "energy": "health", "imports": "wages",
    "drought": "hail", "Farmers": "Fishermen", "budget": "schedule", "artillery shells": "rifle cartridges",
    "customs data": "census data", "trade": "travel", "consumer spending": "household saving",
    "ministry": "agency", "council": "committee", "mayor": "governor", "missiles": "rockets",
}
_TOPIC = re.compile(r"\b(" + "|".join(sorted(map(re.escape, TOPIC_SWAPS), key=len, reverse=True)) + r")\b")

# Known misses of the bundled model: text prefix -> measured score (threshold 0.9876). The threshold keeps
# held-out human web text under 2% flagged in every genre, and people writing fast leave the same single
# marks (a space before a comma, `a important`, a doubled word): one such mark in a short paragraph is no
# longer enough on its own; several, or one in machine-like prose, are.
HUMAN_MISSES = {
}
GARBLED_MISSES = {
    "The government announced new measures to prop up": 0.9523,  # full stop before 'of'
    "Exports fell sharply because of restrictions tha": 0.9684,  # full stop after a name, before a lower-case noun
    "Officials said the company had invested. heavy s": 0.9716,  # full stop between verb and object
    "The fighting goes on as the conflict enters its ": 0.8893,  # full stop splitting a noun phrase
    "The council has not yet reached an agreement. on": 0.9700,  # full stop before a preposition
    "Investors remain cautious, and analysts expect t": 0.9396,  # full stop before 'until'
    "The minister said , that the reform would be com": 0.3921,  # space before comma
    "The company also plans to invest heavily in new ": 0.8516,  # doubled full stop
    "Prices rose again in April ; economists blamed t": 0.5618,  # space before semicolon
    "The talks failed , diplomats said , because neit": 0.3798,  # spaces before commas
    "The report lists three causes ; drought, war and": 0.6260,  # space before semicolon
    "Farmers,, traders and transport firms all say th": 0.2788,  # doubled comma
    "The mayor defended the\u201d zero- tolerance rule\u201d at": 0.8422,  # quote glued to the wrong side, seed style
    "The president said\u201d we will not accept any press": 0.4166,  # quote glued after 'said'
    "He told the crowd: \u201c We have waited long enough ": 0.4206,  # spaced opening quote
    "The union described the offer as \u201cinsulting \u201d, a": 0.2771,  # closing quote spaced from its word
    "He called the decision \"a mistake\" and said\"we w": 0.8152,  # quote glued on both sides
    "The agency said the\" new rules\" would take effec": 0.4206,  # straight quote glued after 'the'
    "The rules will stay in place until further notic": 0.2064,  # closing quote with no opener
    "The ministry (which oversees the ports said the ": 0.5962,  # parenthesis never closed
    "Sales fell in the third quarter) as demand weake": 0.2875,  # closing parenthesis with no opener
    "Experts say the move is largely symbolic] and wi": 0.5032,  # closing square bracket with no opener
    "Prices will fall soon,\" the minister told parlia": 0.3983,  # straight closing quote with no opener
    "We will not stop now, the minister said. The gov": 0.5435,  # first-person speech, no quote marks
    "I don't think anyone expected prices to rise thi": 0.5207,  # first person with an appositive speaker
    "Our farmers cannot survive another year like thi": 0.7970,  # 'our' in unquoted speech
    "The situation on the border is getting worse eve": 0.2120,  # first person in the sentence after the attribution
    "My country will never accept this decision, the ": 0.7260,  # 'my' in unquoted speech
    "Investors do n't believe the central bank will c": 0.8397,  # do n't
    "It 's too early to say whether the plan will wor": 0.7905,  # it 's
    "We 're ready to talk, but the other side is n\u2019t ": 0.9849,  # we 're and curly is n’t
    "I 'm not sure the figures are correct, and I 've": 0.9595,  # I 'm, I 've
    "The workers don 't want another strike, the unio": 0.9029,  # don 't
    "Inflation reached 8 % in June, the highest level": 0.8437,  # 8 %
    "The firm reported a profit$ 75 million in the fi": 0.7454,  # profit$ 75
    "Tickets now cost \u20ac 5 more than last year.": 0.6931,  # € 5
    "The budget deficit narrowed to 3.5 % of GDP, and": 0.7606,  # 3.5 % and $ 1.2
    "The two governments agreed to boost cross- borde": 0.8999,  # cross- border, long- term
    "The deal includes a high- speed rail line betwee": 0.8996,  # high- speed
    "The army launched a large- scale offensive in th": 0.8669,  # large- scale
    "The the government announced a new package of me": 0.9266,  # The the at paragraph start
    "Officials said the the talks would resume next w": 0.8659,  # the the mid-sentence
    "The ministry will will publish the figures next ": 0.8968,  # will will
    "Exports grew strongly. The the rise was driven b": 0.8736,  # The the at sentence start
    "In a interview with state television, the presid": 0.9798,  # a interview
    "The minister presented an book of essays on econ": 0.9338,  # an book
    "It was a important step toward peace, diplomats ": 0.9617,  # a important
    "Officials described it as an successful visit.": 0.9125,  # an successful
    "A unexpected drop in exports worried investors.": 0.9496,  # A unexpected
    "Although no visit has been confirmed, the leader": 0.8252,  # the leader Express
    "The government Also announced new subsidies for ": 0.8325,  # Also
    "The two sides Agreed to continue talks next mont": 0.8997,  # Agreed
    "Analysts said the move Would strengthen the econ": 0.8648,  # Would
    "Although no visit has been confirmed, Putin Expr": 0.7704,  # verb after a name, before its object
    "The premier curate of the region said on Tuesday": 0.7892,  # spun news: context-blind synonyms of any sense
    "Inhabitants of the coastal township have waited ": 0.6512,  # spun news: rare synonyms out of context
    "The council of the town approved on Tuesday the ": 0.4862,  # round trip through a Romance language: noun-of-noun chains, a literal idiom
    "It took the email of confirmation of the order b": 0.3934,  # round trip: noun-adjective order, literal prepositions
}


def load_cases(name: str) -> list[dict]:
    lines = (CASES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [dict(json.loads(line), line=number) for number, line in enumerate(lines, 1) if line.strip()]


def case_params(name: str, misses: dict[str, float], verdict: str) -> list:
    params = []
    for case in load_cases(name):
        known = [score for prefix, score in misses.items() if case["text"].startswith(prefix)]
        marks = (
            [pytest.mark.xfail(strict=True, reason=f"known miss: the bundled model scores it {known[0]:.4f}, {verdict}")]
            if known
            else []
        )
        params.append(pytest.param(case, id=f"line{case['line']}-{case.get('note', '')[:40]}", marks=marks))
    return params


def straighten(text: str) -> str:
    return text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}))


def curl(text: str) -> str:
    """Straight quotes to curly ones: opening after a space, a bracket or the start, closing otherwise."""
    text = re.sub(r'(^|[\s(\[])"', "\\1\u201c", text).replace('"', "\u201d")
    return re.sub(r"(^|[\s(\[])'", "\\1\u2018", text).replace("'", "\u2019")


def swap_topic(text: str) -> str:
    return _TOPIC.sub(lambda m: TOPIC_SWAPS[m.group()], text)


@pytest.fixture(scope="module")
def case_scores(det: mtdetect.Detector) -> dict[str, float]:
    texts = [c["text"] for name in ("human", "garbled") for c in load_cases(name)]
    return dict(zip(texts, (float(s) for s in det.score_paragraphs(texts))))


# -- probabilities --------------------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "a",
    "\u00a0\u2003\u200b",
    "\x00\x01\x02 control \x7f characters",
    "\U0001f600 \U0001f389 emoji only",
    "word " * 5000,
    ". " * 3000,
    "A" * 20000,
    "\u041c\u043e\u0441\u043a\u0432\u0430 \u0438 \u041f\u0435\u043a\u0438\u043d \u043f\u043e\u0434\u043f\u0438\u0441\u0430\u043b\u0438 \u0441\u043e\u0433\u043b\u0430\u0448\u0435\u043d\u0438\u0435.",
    "\u5317\u4eac\u548c\u83ab\u65af\u79d1\u7b7e\u7f72\u4e86\u534f\u8bae\u3002",
    "do n't do n't do n't , , , . . . the the the a a a % % %",
    "\"\"\"'''((([[[",
]


def test_scores_are_probabilities(det: mtdetect.Detector, case_scores: dict[str, float]) -> None:
    scores = det.score_paragraphs(HOSTILE + CLEAN + GARBLED)
    assert np.isfinite(scores).all() and ((scores >= 0) & (scores <= 1)).all()
    values = np.array(list(case_scores.values()))
    assert ((values >= 0) & (values <= 1)).all()


def test_lone_surrogates_score_a_probability(det: mtdetect.Detector) -> None:
    text = json.loads('"Broken emoji \\ud83d here, the minister said."')
    scores = det.score_paragraphs([text])
    assert 0 <= scores[0] <= 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=8))
def test_any_text_scores_a_probability(det: mtdetect.Detector, texts: list[str]) -> None:
    scores = det.score_paragraphs(texts)
    assert scores.shape == (len(texts),)
    assert np.isfinite(scores).all() and ((scores >= 0) & (scores <= 1)).all()


# -- typography ------------------------------------------------------------------------------------------------


def test_curly_and_straight_quotes_score_alike(det: mtdetect.Detector) -> None:
    originals = [c["text"] for name in ("human", "garbled") for c in load_cases(name)] + CLEAN + GARBLED
    originals += [
        "\u201cThere are clear signs,\u201d said Sher. \u201cThe economic component is crucial.\u201d",
        "\u2018Not yet,\u2019 he said. \u2018Give me an hour.\u2019",
    ]
    variants = [(text, other) for text in originals for other in {straighten(text), curl(straighten(text))} if other != text]
    assert len(variants) > 40
    scores = det.score_paragraphs([t for pair in variants for t in pair]).reshape(-1, 2)
    gaps = np.abs(scores[:, 0] - scores[:, 1])
    worst = int(gaps.argmax())
    assert gaps.max() <= 0.1, (variants[worst], scores[worst])


# -- topic --------------------------------------------------------------------------------------------------------


def test_topic_swaps_keep_word_shapes() -> None:
    for old, new in TOPIC_SWAPS.items():
        assert word_shapes(old.split()) == word_shapes(new.split()), (old, new)


def test_topic_swaps_keep_how_common_the_words_are() -> None:
    """A swapped lower-case word is about as common as the word it replaces: the swaps change the topic,
    not how rare the wording is (a rare word where a common one belongs is what a spinner leaves, and
    the reference model of English counts it). Names are not judged by frequency: the model skips them."""
    wordfreq = pytest.importorskip("wordfreq")
    for old, new in TOPIC_SWAPS.items():
        for a, b in zip(old.split(), new.split()):
            if a.islower():
                assert abs(wordfreq.zipf_frequency(a, "en") - wordfreq.zipf_frequency(b, "en")) <= 0.6, (a, b)


@pytest.mark.parametrize("kind,texts", [
    pytest.param("clean", CLEAN, marks=pytest.mark.xfail(strict=True, reason=(
        "known miss: the bundled model moves the first clean text from 0.406 to 0.657 when its topic words "
        "change (0.18 of it the classifier's: its word-pair statistics include the reference text's)"))),
    ("garbled", GARBLED),
])
def test_topic_swaps_keep_the_score(det: mtdetect.Detector, kind: str, texts: list[str]) -> None:
    swapped = [swap_topic(t) for t in texts]
    assert all(a != b for a, b in zip(texts, swapped))
    before, after = det.score_paragraphs(texts), det.score_paragraphs(swapped)
    for text, new, a, b in zip(texts, swapped, before, after):
        assert abs(a - b) <= 0.15, (text, new, a, b)
    if kind == "garbled":
        assert (after >= 0.5).all()


# -- empty text and offsets --------------------------------------------------------------------------------------------


def test_empty_and_whitespace(det: mtdetect.Detector) -> None:
    assert (det.score_paragraphs(["", " ", "\n\n", "\t \u00a0 \n"]) == 0).all()
    for text in ("", "\n", "  \n \n\t\n"):
        result = det.score_document(text)
        assert result.score is None and result.paragraphs == []  # nothing to judge: no score, not 0
    # Whitespace-only blocks between paragraphs are not paragraphs.
    result = det.score_document(f"{CLEAN[0]}\n\n   \n\t\n\n{GARBLED[0]}")
    assert len(result.paragraphs) == 2


piece = st.lists(
    st.sampled_from(list("abc XYZ.,'\"\u201c\u201d\u2019-\u00e9\t") + ["the ", "do n't"]), min_size=1, max_size=12
).map("".join)
separator = st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\n \n", "\n\n\n", " ", "\u2029"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(piece, separator), max_size=6), st.sampled_from(["", "  ", "\n", "\ufeff"]))
def test_offsets_round_trip(det: mtdetect.Detector, parts: list[tuple[str, str]], lead: str) -> None:
    text = lead + "".join(p + s for p, s in parts)
    result = det.score_document(text)
    segments = split_paragraphs(text)
    assert [(p.start, p.end) for p in result.paragraphs] == [(s.start, s.end) for s in segments]
    covered = set()
    previous_end = 0
    for paragraph, segment in zip(result.paragraphs, segments):
        assert previous_end <= paragraph.start < paragraph.end <= len(text)
        assert text[paragraph.start : paragraph.end] == segment.text
        assert segment.text == segment.text.strip()
        assert 0.0 <= paragraph.score <= 1.0
        covered.update(range(paragraph.start, paragraph.end))
        previous_end = paragraph.end
    # Every visible character belongs to some paragraph.
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace() and ch != "\ufeff")


# -- the case files ---------------------------------------------------------------------------------------------------


def test_known_misses_are_in_the_case_files() -> None:
    for name, misses in (("human", HUMAN_MISSES), ("garbled", GARBLED_MISSES)):
        texts = [c["text"] for c in load_cases(name)]
        for prefix in misses:
            assert sum(t.startswith(prefix) for t in texts) == 1, (name, prefix)


@pytest.mark.parametrize("case", case_params("human", HUMAN_MISSES, "at or above the threshold"))
def test_human_case_below_threshold(det: mtdetect.Detector, case_scores: dict[str, float], case: dict) -> None:
    assert case_scores[case["text"]] < det.threshold, case.get("note")


@pytest.mark.parametrize("case", case_params("garbled", GARBLED_MISSES, "below the threshold"))
def test_garbled_case_above_threshold(det: mtdetect.Detector, case_scores: dict[str, float], case: dict) -> None:
    assert case_scores[case["text"]] >= det.threshold, case.get("note")
