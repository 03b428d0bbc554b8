"""The article spinner's policies: what each swaps in, how much, and what it leaves alone."""

from __future__ import annotations

import random
import re

import pytest

from training.spinner import HELD_OUT_POLICY, POLICIES, TRAIN_POLICIES, spin, synonym_options
from training.wordnet import load_wordnet, wordnet_available

pytestmark = pytest.mark.skipif(not wordnet_available(), reason="needs wordnet-base (WordNet 3.0 data files)")

TEXT = ("The prime minister said the strong economy would help the region grow this year, as sales rose and "
        "a close ally of President Macron visited the capital five times.")


def changed_words(original: str, spun: str) -> int:
    return sum(a != b for a, b in zip(original.split(), spun.split()))


def test_the_held_out_policy_is_never_trained_on() -> None:
    assert HELD_OUT_POLICY in POLICIES and HELD_OUT_POLICY not in TRAIN_POLICIES
    assert set(TRAIN_POLICIES) | {HELD_OUT_POLICY} == set(POLICIES)


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_every_policy_spins_and_is_deterministic(name: str) -> None:
    policy = POLICIES[name]
    outputs = [spin(TEXT, random.Random(seed), policy) for seed in range(10)]
    assert outputs == [spin(TEXT, random.Random(seed), policy) for seed in range(10)]
    assert sum(o != TEXT for o in outputs) >= 9
    for spun in outputs:
        assert "President Macron" in spun  # names stay
        assert spun.endswith(".") and spun[0].isupper()


def test_rates_stay_within_the_policy_range() -> None:
    policy = POLICIES["any-lemma"]
    eligible = 15  # content words of TEXT with a WordNet synonym
    shares = [changed_words(TEXT, spin(TEXT, random.Random(seed), policy)) / eligible for seed in range(200)]
    mean = sum(shares) / len(shares)
    assert policy.rate[0] - 0.05 <= mean <= policy.rate[1] + 0.05


def test_inflection_is_repaired_or_not_as_the_policy_says() -> None:
    wordnet = load_wordnet()
    repaired = {spin("Sales rose as prices climbed.", random.Random(s), POLICIES["any-lemma"], wordnet) for s in range(40)}
    raw = {spin("Sales rose as prices climbed.", random.Random(s), POLICIES["unrepaired"], wordnet) for s in range(40)}
    past = re.compile(r"\b\w+ed\b")
    # a repaired past tense keeps an -ed ending somewhere; the unrepaired policy puts base forms in
    assert any(past.search(t.split(" as ")[1]) for t in repaired if not t.endswith("climbed."))
    assert any(not t.endswith("ed.") for t in raw)


def test_phrases_only_in_the_phrase_policy() -> None:
    wordnet = load_wordnet()
    assert any(" " in s for s, _ in synonym_options(wordnet, "look", True, True))
    assert not any(" " in s for s, _ in synonym_options(wordnet, "look", True, False))
