"""Tests for the synthetic garbler (training/garble.py) and the WordNet reader."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # training/ is part of the repo, not of the installed package
    sys.path.insert(0, str(ROOT))

from mtdetect.rules import RULES, count_artifacts  # noqa: E402
from training import garble as garble_module  # noqa: E402
from training.garble import (  # noqa: E402
    CORRUPTIONS,
    FAMILIES,
    garble,
    garble_pairs,
    main,
    read_clean_paragraphs,
    typography_variant,
)
from training.wordnet import (  # noqa: E402
    WORDNET_DIR_ENV,
    WordNet,
    WordNetMissingError,
    load_wordnet,
    wordnet_available,
    wordnet_dir,
)

CLEAN_DATA = ROOT / ".." / "shared" / "data"
HAS_WORDNET = wordnet_available()
needs_wordnet = pytest.mark.skipif(not HAS_WORDNET, reason="needs wordnet-base (WordNet 3.0 data files)")

# name -> (a text where the corruption applies, a text where it does not)
CASES: dict[str, tuple[str, str]] = {
    "mid_sentence_period": ("It props up the economy of the region.", "Paris. Berlin. Rome."),
    "split_date": ("The invasion began in February 2022.", "The talks went on for hours."),
    "orphan_punctuation": ("We met, and we talked.", "no punctuation here"),
    "dropped_quotes": ("“We will not stop now,” the minister said.", "Don't stop: it's the students' turn."),
    "quote_attachment": ("He said “we will win” and left.", "He said we will win."),
    "unbalanced_quotes": ("He said “we will win” (for sure) and left.", "He said we will win."),
    "duplicated_bracket": ("It is a crucial piece of [the visit], he said.", "It is a crucial piece of the visit."),
    "split_contraction": ("I don't think it's over.", "I do not think it is over."),
    "spaced_symbol": ("Sales rose 8% to $75 million.", "Sales rose 8 percent."),
    "spaced_hyphen": ("A long-term, cross-border deal.", "A deal - at last."),
    "duplicated_word": ("The analysis of the data shows a rise.", "Go on."),
    "article_agreement": ("In an interview, she showed a book.", "Type A blood is common."),
    "agreement_error": ("The ministry, which relies on oil, is strong.", "The ministry relied on oil."),
    "capitalised_midsentence_word": ("Putin expressed his wish to go.", "The end of an era."),
    "synonym_swap": ("He is a close ally of the prime minister.", "It is what it is, and so be it."),
    "untranslated_word": ("The city council passed a new law.", "She smiled."),
    "word_order": ("Yesterday the council decided the budget for the city.", "Yes!"),
}

# The worked example of each corruption, exact to the letter: (name, text, seed, rate, output). Where each
# leaves a text alone is in CASES (checked for seeds 0-9 at rate 1.0 below).
EXAMPLES: list[tuple[str, str, int, float, str]] = [
    ("mid_sentence_period", "It props up the economy of the region, which relies on oil.", 5, 0.0,
     "It props up the economy. of the region, which relies on oil."),
    ("mid_sentence_period", "It props up the economy of the region, which relies on oil.", 7, 0.0,
     "It props up the economy of the region. which relies on oil."),
    ("split_date", "The invasion began in February 2022.", 1, 0.0,
     "The invasion began in February. 2022."),
    ("orphan_punctuation", "We met, and we talked.", 1, 1.0,
     "We met , and we talked. ."),
    ("dropped_quotes", "“We will not stop now,” the minister said.", 0, 1.0,
     "We will not stop now, the minister said."),
    ("quote_attachment", "He said “we will win” and left.", 1, 1.0,
     "He said” we will win ” and left."),
    ("unbalanced_quotes", "He said “we will win” (for sure) and left.", 1, 1.0,
     "He said we will win” for sure) and left."),
    ("duplicated_bracket", "It is a crucial piece of [the visit], he said.", 1, 0.0,
     "It is a crucial piece of the [the visit], he said."),
    ("split_contraction", "I don't think it’s over.", 0, 1.0,
     "I do n't think it ’s over."),
    ("spaced_symbol", "Sales rose 8% to $75 million.", 1, 1.0,
     "Sales rose 8 % to$ 75 million."),
    ("spaced_hyphen", "A long-term, cross-border deal.", 0, 1.0,
     "A long- term, cross- border deal."),
    ("duplicated_word", "The analysis of the data shows a rise.", 4, 0.0,
     "A analysis the analysis of the data shows a rise."),
    ("article_agreement", "In an interview, she showed a book.", 0, 1.0,
     "In a interview, she showed an book."),
    ("agreement_error", "The ministry, which relies on oil, says they have plans.", 0, 1.0,
     "The ministry, which rely on oil, says they has plans."),
    ("capitalised_midsentence_word", "Putin expressed his wish to go.", 4, 0.0,
     "Putin Express his wish to go."),
    ("synonym_swap", "He is a close ally of the prime minister.", 7, 1.0,
     "He is a near friend of the choice curate."),
    ("untranslated_word", "The city council passed a new law.", 7, 0.0,
     "The city ayuntamiento passed a new law."),
    ("word_order", "Yesterday the council decided the budget for the city.", 3, 0.0,
     "Yesterday the council decided the budget the city."),
    ("word_order", "Yesterday the council decided the budget for the city.", 5, 0.0,
     "Yesterday council the decided the budget for the city."),
]

PARAGRAPHS = [
    "Russian President Vladimir Putin will visit China for a two-day state visit where he's set to "
    "press Chinese leader Xi Jinping for more support to sustain his country's sanctions-hit economy.",
    "“There are clear signals that the economic component of the war will be a crucial piece of "
    "[the visit],” Nathaniel Sher, a senior research analyst, told reporters on May 16.",
    "China's total trade volume with Russia also rose by 26% in 2023 to a record $240 billion, "
    "according to customs data published in January 2024.",
    "The committee met on Tuesday and, after a long debate, decided that the new rules would not "
    "apply to small businesses until next year.",
    "We must not forget, as we plan for the future, that the strength of this Nation rests on the "
    "work of its people and the freedom they enjoy.",
]

TYPOGRAPHY_TEXTS = [
    "“It’s over,” she said -- and left... The end.",
    'He said "it\'s over" - twice. Then he left for 16 May.',
    "Mr. Smith paid $300 million — a record — in 2023… Nobody knew why.",
    "The 2019–2020 season ended early. Fans were ‘disappointed’ by the decision.",
    "Plain text without anything typographic in it at all",
]


def _needs(name: str) -> None:
    if name == "synonym_swap" and not HAS_WORDNET:
        pytest.skip("needs wordnet-base")


# -- the registry -------------------------------------------------------------


def test_every_corruption_has_cases_and_a_family() -> None:
    assert set(CASES) == set(CORRUPTIONS)
    assert set(FAMILIES) == {"sentence_boundary", "quotation", "detokenisation", "lexical", "word_order"}
    for name, corruption in CORRUPTIONS.items():
        assert corruption.name == name
        assert name in FAMILIES[corruption.family]
        assert corruption.doc.endswith("."), f"{name}: its doc is not one whole line"
    assert {name for name, *_ in EXAMPLES} == set(CORRUPTIONS)


@pytest.mark.parametrize(("name", "text", "seed", "rate", "output"), EXAMPLES)
def test_worked_example(name: str, text: str, seed: int, rate: float, output: str) -> None:
    _needs(name)
    assert output != text
    assert CORRUPTIONS[name](text, random.Random(seed), rate) == output


@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_has_the_corruption_of_its_name_and_detects_it(rule: str) -> None:
    """Each artifact rule has a corruption named after it, and the rule fires on what it does.

    Most outputs, not all: duplicated_bracket also repeats a whole insert
    (``the visit [the visit]``), which its rule does not flag (measured: 26 of
    40 seeds flagged; every other rule 40 of 40).
    """
    assert rule in CORRUPTIONS
    applies, _ = CASES[rule]
    column = list(RULES).index(rule)
    assert count_artifacts([applies])[0, column] == 0, "the clean case already has the damage"
    damaged = [CORRUPTIONS[rule](applies, random.Random(seed), 1.0) for seed in range(20)]
    flagged = count_artifacts(damaged)[:, column] > 0
    assert flagged.mean() >= 0.5, [text for text, hit in zip(damaged, flagged) if not hit][:3]


@pytest.mark.parametrize("name", sorted(CASES))
def test_corruption_changes_text_where_it_applies(name: str) -> None:
    _needs(name)
    applies, _ = CASES[name]
    for seed in range(10):
        for rate in (0.0, 0.3, 1.0):
            assert CORRUPTIONS[name](applies, random.Random(seed), rate) != applies, (seed, rate)


@pytest.mark.parametrize("name", sorted(CASES))
def test_corruption_leaves_text_alone_where_it_does_not_apply(name: str) -> None:
    _needs(name)
    _, does_not_apply = CASES[name]
    for seed in range(10):
        assert CORRUPTIONS[name](does_not_apply, random.Random(seed), 1.0) == does_not_apply
    assert CORRUPTIONS[name]("", random.Random(0), 1.0) == ""


@pytest.mark.parametrize("name", sorted(CASES))
def test_corruption_is_deterministic(name: str) -> None:
    _needs(name)
    for text in [CASES[name][0], *PARAGRAPHS]:
        first = CORRUPTIONS[name](text, random.Random(42), 0.3)
        assert CORRUPTIONS[name](text, random.Random(42), 0.3) == first


def _all_outputs(name: str, text: str, rate: float = 1.0, seeds: int = 20) -> set[str]:
    return {CORRUPTIONS[name](text, random.Random(seed), rate) for seed in range(seeds)}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("split_contraction", "don't, isn’t, it's", {"do n't, is n’t, it 's"}),
        ("spaced_hyphen", "a cross-border deal", {"a cross- border deal"}),
        ("article_agreement", "an interview and a book", {"a interview and an book"}),
        ("split_date", "in March 2022", {"in March. 2022"}),
        ("agreement_error", "the ministry, which relies on it", {"the ministry, which rely on it"}),
        ("dropped_quotes", '"We will win," he said.', {"We will win, he said."}),
        ("dropped_quotes", "Meeting An 'Old Friend' today", {"Meeting An Old Friend today"}),
        ("spaced_symbol", "a profit $75", {"a profit $ 75", "a profit$ 75"}),
        ("spaced_symbol", "up 8%", {"up 8 %"}),
        ("quote_attachment", "said “we", {"said” we", "said “ we"}),
        ("duplicated_bracket", "part of [the visit]", {"part of the [the visit]", "part of the visit [the visit]"}),
        ("duplicated_word", "the analysis", {"a analysis the analysis"}),
        ("duplicated_word", "analysis", {"analysis analysis"}),
        ("split_contraction", "CLINTON'S ADDRESS", {"CLINTON 'S ADDRESS"}),
        ("orphan_punctuation", "said, that", {"said , that"}),
        ("orphan_punctuation", "the technology.", {"the technology .", "the technology. ."}),
        ("capitalised_midsentence_word", "Putin expressed his", {"Putin Expressed his", "Putin Express his"}),
        ("untranslated_word", "a new law", {"a new Gesetz", "a new ley", "a new loi", "a new zakon"}),
    ],
)
def test_corruption_outputs(name: str, text: str, expected: set[str]) -> None:
    assert _all_outputs(name, text) == expected


def test_mid_sentence_period_keeps_next_word_lower_case() -> None:
    text = "It props up the economy of the region, which relies on oil."
    outputs = _all_outputs("mid_sentence_period", text, rate=0.0, seeds=40)
    assert "It props up the economy of the region. which relies on oil." in outputs  # comma -> full stop
    assert "It props up the economy. of the region, which relies on oil." in outputs  # inserted
    for out in outputs:
        assert re.search(r"\. [a-z]", out)
        assert "the. " not in out  # not after an article
        assert out.replace(". ", " ").replace(",", "") == text.replace(",", "").replace(". ", " ")


def test_word_order_operations() -> None:
    text = "The council, which met on Monday, approved the plan after a long debate."
    outputs = _all_outputs("word_order", text, rate=0.0, seeds=60)
    words = sorted(re.findall(r"\w+", text))
    kinds = set()
    for out in outputs:
        out_words = re.findall(r"\w+", out)
        if sorted(out_words) == words:
            kinds.add("moved")  # swapped neighbours or a verb moved to the clause end
        elif len(out_words) < len(words):
            kinds.add("dropped")
        else:
            kinds.add("doubled")
    assert kinds == {"moved", "dropped", "doubled"}
    assert "The council, which on Monday met, approved the plan after a long debate." in outputs


@pytest.mark.parametrize("name", ["split_contraction", "spaced_symbol", "spaced_hyphen", "quote_attachment"])
def test_detokenisation_changes_only_spacing(name: str) -> None:
    for text in [CASES[name][0], *PARAGRAPHS]:
        for seed in range(5):
            out = CORRUPTIONS[name](text, random.Random(seed), 1.0)
            if name == "quote_attachment":
                out, text = out.replace("”", "“"), text.replace("”", "“")
            assert re.sub(r"\s", "", out) == re.sub(r"\s", "", text)


@needs_wordnet
def test_synonym_swap_keeps_case_and_inflection() -> None:
    text = "Sales rose. Allies visited the cities five times."
    for seed in range(20):
        out = CORRUPTIONS["synonym_swap"](text, random.Random(seed), 1.0)
        assert out != text
        words = out.split()
        assert words[0][0].isupper()  # sentence-initial capital kept
        assert out.count(".") == 2
    verbs = {o.split()[1] for o in _all_outputs("synonym_swap", "He visited.", rate=1.0, seeds=40)}
    assert len(verbs) > 2 and "visited." not in verbs
    assert all(v.endswith("ed.") for v in verbs)  # see -> seed: rough, as spinners are
    nouns = {o.split()[-1] for o in _all_outputs("synonym_swap", "She came five times.", rate=1.0, seeds=40)}
    assert any(n.endswith("s.") and n != "times." for n in nouns)


@needs_wordnet
def test_synonym_swap_leaves_proper_nouns() -> None:
    text = "Yesterday Putin met Xi in Beijing."
    for seed in range(10):
        out = CORRUPTIONS["synonym_swap"](text, random.Random(seed), 1.0)
        for name in ("Putin", "Xi", "Beijing"):
            assert name in out


def test_synonym_swap_without_wordnet_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(WORDNET_DIR_ENV, str(tmp_path))
    with pytest.raises(WordNetMissingError, match="apt-get install wordnet-base"):
        CORRUPTIONS["synonym_swap"]("He is a close ally.", random.Random(0), 1.0)
    # The rest of the garbler still works, with a warning, when no family is named.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, names = garble(PARAGRAPHS[0], random.Random(0))
    assert names and "synonym_swap" not in names and out != PARAGRAPHS[0]
    assert any("wordnet-base" in str(w.message) for w in caught)
    with pytest.raises(WordNetMissingError):
        garble(PARAGRAPHS[0], random.Random(0), families=["synonym_swap"])


def test_corruptions_are_fast_on_hostile_input() -> None:
    hostile = [
        "a " * 5000,
        "“" * 3000 + "word" + "”" * 3000,
        "'" * 5000 + "a",
        "[" * 2000 + "the" + "]" * 2000,
        "x-" * 4000,
        "$1%" * 3000,
        ("It's " + "a" * 200 + ", ") * 50,
    ]
    for name, corruption in CORRUPTIONS.items():
        if name == "synonym_swap" and not HAS_WORDNET:
            continue
        for text in hostile:
            start = time.perf_counter()
            corruption(text, random.Random(0), 0.1)
            assert time.perf_counter() - start < 1.0, name


# -- garble -------------------------------------------------------------------


def test_garble_changes_text_and_names_corruptions() -> None:
    for i, text in enumerate(PARAGRAPHS):
        for seed in range(10):
            out, names = garble(text, random.Random(seed * 100 + i))
            assert out != text
            assert 1 <= len(names) <= 3
            assert len(set(names)) == len(names)
            assert all(name in CORRUPTIONS for name in names)


def test_garble_is_deterministic_for_a_seed() -> None:
    for text in PARAGRAPHS:
        assert garble(text, random.Random(7)) == garble(text, random.Random(7))
    outputs = {garble(PARAGRAPHS[0], random.Random(seed))[0] for seed in range(10)}
    assert len(outputs) > 5


def test_garble_does_not_depend_on_hash_seed() -> None:
    code = (
        "import json, random; from training.garble import garble; "
        f"texts = {PARAGRAPHS!r}; "
        "print(json.dumps([garble(t, random.Random(3)) for t in texts]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True, timeout=60)
    expected = [list(garble(t, random.Random(3))) for t in PARAGRAPHS]
    assert json.loads(result.stdout) == expected


def test_garble_respects_families_and_counts() -> None:
    for seed in range(20):
        out, names = garble(PARAGRAPHS[2], random.Random(seed), families=["detokenisation"], n_corruptions=(1, 1))
        assert len(names) == 1 and names[0] in FAMILIES["detokenisation"]
        out, names = garble(PARAGRAPHS[2], random.Random(seed), families=["split_date", "spaced_symbol"],
                            n_corruptions=(2, 2))
        assert sorted(names) == ["spaced_symbol", "split_date"]
    with pytest.raises(ValueError, match="unknown corruption or family"):
        garble(PARAGRAPHS[0], random.Random(0), families=["no_such_family"])


def test_garble_falls_back_to_corruptions_that_apply() -> None:
    # Only split_date applies among these; it must be found whatever the order.
    text = "The invasion began in February 2022 and went on."
    for seed in range(10):
        out, names = garble(text, random.Random(seed), families=["quotation", "split_date"])
        assert names == ["split_date"] and out != text


def test_garble_returns_text_unchanged_when_nothing_applies() -> None:
    assert garble("Yes!", random.Random(0), families=["quotation", "detokenisation"]) == ("Yes!", [])


def test_garble_rate_override_makes_more_damage() -> None:
    text = PARAGRAPHS[4]
    sparse, _ = garble(text, random.Random(1), families=["orphan_punctuation"], rate=0.0)
    dense, _ = garble(text, random.Random(1), families=["orphan_punctuation"], rate=1.0)
    assert sparse.count(" ,") + sparse.count(" .") + sparse.count(". .") == 1
    assert dense.count(" ,") + dense.count(" .") + dense.count(". .") == text.count(",") + text.count(".")


@pytest.mark.skipif(not (CLEAN_DATA / "clean").is_dir(), reason="shared clean corpora not present")
def test_garble_changes_real_clean_paragraphs() -> None:
    records = [r for r in read_clean_paragraphs(CLEAN_DATA) if len(r["text"].split()) >= 12]
    assert len(records) > 1000
    sample = random.Random(0).sample(records, 150)
    for i, record in enumerate(sample):
        out, names = garble(record["text"], random.Random(i))
        if record["text"].isupper() and not names:
            continue  # an all-capitals heading may offer nothing to damage
        assert names and out != record["text"]


# -- typography variants --------------------------------------------------------


def _normalise_typography(text: str) -> str:
    text = re.sub(r"[“”„«»\"]", '"', text)
    text = re.sub(r"[‘’']", "'", text)
    text = text.replace("…", "...")
    text = re.sub(r"\s*(?:—|–|-+)\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("text", TYPOGRAPHY_TEXTS + PARAGRAPHS)
def test_typography_variant_keeps_letters_and_words(text: str) -> None:
    changed = 0
    for seed in range(15):
        variant = typography_variant(text, random.Random(seed))
        assert re.findall(r"\w+", variant) == re.findall(r"\w+", text)
        assert _normalise_typography(variant) == _normalise_typography(text)
        changed += variant != text
    assert changed == 15  # every text above has something typographic to change


def test_typography_variant_covers_each_kind() -> None:
    variants = {typography_variant(TYPOGRAPHY_TEXTS[0], random.Random(s)) for s in range(40)}
    joined = "\n".join(variants)
    assert '"It\'s over,"' in joined          # curly -> straight
    assert "…" in joined                     # ... -> …
    assert "—" in joined or "–" in joined    # -- -> a dash
    straight = {typography_variant(TYPOGRAPHY_TEXTS[1], random.Random(s)) for s in range(40)}
    assert any(".  Then" in v for v in straight)       # double space after a full stop
    assert any("“it’s over”" in v for v in straight)  # straight -> curly
    assert any("\u00a0" in v for v in straight)        # non-breaking space


def test_typography_variant_without_typography_is_unchanged() -> None:
    assert typography_variant("word", random.Random(0)) == "word"
    assert typography_variant("", random.Random(0)) == ""


# -- pairs and the command line ---------------------------------------------------


def _records() -> list[dict]:
    return [{"text": t, "source": "demo", "doc": f"d{i}"} for i, t in enumerate(PARAGRAPHS)] + [
        {"text": "Too short to use.", "source": "demo", "doc": "short"}
    ]


def test_garble_pairs_records() -> None:
    pairs = list(garble_pairs(_records(), seed=13, typography_rate=1.0))
    garbled = [p for p in pairs if p["kind"] != "typography"]
    typographic = [p for p in pairs if p["kind"] == "typography"]
    assert len(garbled) == len(PARAGRAPHS) and len(typographic) == len(PARAGRAPHS)
    for pair in pairs:
        assert set(pair) == {"original", "garbled", "source", "doc", "kind", "corruptions"}
        assert pair["original"] in PARAGRAPHS and pair["garbled"] != pair["original"]
        assert pair["source"] == "demo" and pair["doc"] != "short"
    for pair in garbled:
        assert pair["kind"] == "garble:" + "+".join(pair["corruptions"])
    for pair in typographic:
        assert pair["corruptions"] == []


def test_garble_pairs_do_not_depend_on_order() -> None:
    forward = list(garble_pairs(_records(), seed=5))
    backward = list(garble_pairs(reversed(_records()), seed=5))
    key = lambda p: (p["doc"], p["kind"] == "typography")  # noqa: E731
    assert sorted(forward, key=key) == sorted(backward, key=key)
    assert forward != list(garble_pairs(_records(), seed=6))


def test_main_writes_jsonl(tmp_path: Path) -> None:
    clean = tmp_path / "data" / "clean"
    clean.mkdir(parents=True)
    with open(clean / "demo-paragraphs.jsonl", "w", encoding="utf-8") as handle:
        for i, text in enumerate(PARAGRAPHS):
            handle.write(json.dumps({"id": f"x.p{i}", "doc": "x", "text": text}) + "\n")
        handle.write(json.dumps({"id": "x.p9", "doc": "x", "text": "Short one."}) + "\n")
    out = tmp_path / "out" / "pairs.jsonl"
    assert main(["--data", str(tmp_path / "data"), "--out", str(out), "--seed", "13",
                 "--typography-rate", "0.5"]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sum(p["kind"].startswith("garble:") for p in lines) == len(PARAGRAPHS)
    assert all(p["source"] == "demo" and p["doc"] == "x" for p in lines)
    # Same seed, same file.
    again = tmp_path / "again.jsonl"
    main(["--data", str(tmp_path / "data"), "--out", str(again), "--seed", "13", "--typography-rate", "0.5"])
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_main_rejects_missing_data(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.jsonl")])


# -- the WordNet reader -------------------------------------------------------------


@needs_wordnet
@pytest.mark.parametrize(("word", "synonym"), [("ally", "friend"), ("strong", "potent"), ("close", "near")])
def test_wordnet_finds_synonyms(word: str, synonym: str) -> None:
    synonyms = load_wordnet().synonyms(word)
    assert synonym in synonyms
    assert word not in synonyms


@needs_wordnet
def test_wordnet_morphology_and_senses() -> None:
    wordnet = load_wordnet()
    assert ("ally", "n", "s") in [(a.lemma, a.pos, a.ending) for a in wordnet.morphy("allies")]
    assert ("go", "v", "ed") in [(a.lemma, a.pos, a.ending) for a in wordnet.morphy("went")]
    assert ("stop", "v", "ed") in [(a.lemma, a.pos, a.ending) for a in wordnet.morphy("stopped")]
    assert "premier" in wordnet.synonyms("prime minister")
    senses = wordnet.synsets("close", "a")
    assert len(senses) > 10 and all(s.pos == "a" for s in senses)
    assert all("(" not in lemma for s in senses for lemma in s.lemmas)  # adjective markers stripped
    assert wordnet.synsets("xqzvw") == [] and wordnet.synonyms("xqzvw") == []
    assert load_wordnet() is wordnet  # cached
    with pytest.raises(ValueError):
        wordnet.synsets("close", "x")


def test_wordnet_directory_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(WORDNET_DIR_ENV, str(tmp_path))
    assert wordnet_dir() == tmp_path
    assert not wordnet_available()
    with pytest.raises(WordNetMissingError, match="apt-get install wordnet-base"):
        WordNet().synonyms("ally")
    monkeypatch.delenv(WORDNET_DIR_ENV)
    assert wordnet_dir() == Path("/usr/share/wordnet")
    assert garble_module.CORRUPTIONS["synonym_swap"].family == "lexical"
