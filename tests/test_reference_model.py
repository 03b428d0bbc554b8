"""The reference model of English: its counts, and the features that see broken word choice and order.

A tiny reference text stands in for the shipped counts, so each feature's
behaviour is checked against text whose n-grams are known.
"""

from __future__ import annotations

import numpy as np
import pytest

from mtdetect.features import LexicalTables, compute_features, dense_feature_names, lexical_word_buckets
from training.tables import NgramCounts, build_tables, ngram_counts

REFERENCE = [
    "The minister said the economy would grow this year.",
    "The minister said the economy grew last year.",
    "The minister said that the government would help the region.",
    "The government said the economy would grow.",
    "The close ally of the minister visited the region five times.",
] * 3
ZIPF = {
    "the": 7.7, "minister": 4.6, "said": 6.0, "economy": 5.0, "would": 6.3, "grow": 4.9, "this": 6.9,
    "year": 5.9, "grew": 4.5, "last": 5.9, "that": 7.0, "government": 5.4, "help": 5.8, "region": 4.9,
    "close": 5.2, "ally": 3.9, "of": 7.6, "visited": 4.4, "five": 5.4, "times": 5.4, "curate": 2.5,
    "thrift": 2.6, "near": 5.2, "familiar": 4.5,
}


def column(name: str) -> int:
    return dense_feature_names().index(f"language:{name}")


@pytest.fixture(scope="module")
def tables() -> LexicalTables:
    words = (lexical_word_buckets(list(ZIPF)), np.array(list(ZIPF.values()), dtype=np.float32))
    return build_tables(words, ngram_counts(REFERENCE))


def features(tables: LexicalTables, *texts: str) -> np.ndarray:
    return compute_features(list(texts), tables).dense


def test_counts_add_and_subtract_by_bucket() -> None:
    a, b = ngram_counts(REFERENCE[:2]), ngram_counts(REFERENCE[2:4])
    both = ngram_counts(REFERENCE[:4])
    assert (NgramCounts.total([a, b]).triples == both.triples).all()
    assert ((both - b).pairs == a.pairs).all()
    assert a.words.sum() == len("The minister said the economy would grow this year".split()) + 8
    # "minister said the" twice: one triple bucket counted twice; n-grams never cross paragraphs
    assert a.triples.sum() == (9 - 2) + (8 - 2)


def test_triples_seen_once_are_left_out() -> None:
    words = (lexical_word_buckets(list(ZIPF)), np.array(list(ZIPF.values()), dtype=np.float32))
    once = build_tables(words, ngram_counts(REFERENCE[:1]))
    twice = build_tables(words, ngram_counts(REFERENCE[:1] * 2))
    assert len(once.trigram_index) == 0 and len(twice.trigram_index) == 7


def test_seen_wording_is_predictable_and_scrambled_wording_surprising(tables: LexicalTables) -> None:
    seen, scrambled = features(tables, "The minister said the economy would grow this year.",
                               "Year the this grow minister economy said would the.")
    assert seen[column("surprise")] < scrambled[column("surprise")]
    assert seen[column("predictability")] > scrambled[column("predictability")]
    assert seen[column("unseen_trigram_rate")] == 0
    assert scrambled[column("unseen_common_pair_rate")] == 1.0  # every pair of common words in an unseen order


def test_a_spun_synonym_is_surprising_and_unattested(tables: LexicalTables) -> None:
    original, spun = features(tables, "The close ally of the minister visited the region five times.",
                              "The near familiar of the curate visited the region five times.")
    assert spun[column("surprise")] > original[column("surprise")]
    assert original[column("rare_unattested_rate")] == 0
    assert spun[column("rare_unattested_rate")] == pytest.approx(1 / 10)  # "curate" of the 10 lower-case words


def test_rows_do_not_depend_on_the_batch(tables: LexicalTables) -> None:
    texts = ["The minister said the economy would grow.", "Thrift the curate near.", "", "Year"]
    together = features(tables, *texts)
    for i, text in enumerate(texts):
        assert (features(tables, text)[0] == together[i]).all()


def test_without_a_reference_model_the_features_are_defined() -> None:
    words = (lexical_word_buckets(list(ZIPF)), np.array(list(ZIPF.values()), dtype=np.float32))
    bare = LexicalTables(words[0], words[1], np.zeros(0, np.int64), np.zeros(0, np.float32))
    row = features(bare, "The minister said the economy would grow.")[0]
    assert np.isfinite(row).all()
    assert row[column("unseen_common_pair_rate")] == 1.0 and row[column("predictability")] == 0


def test_curly_and_straight_quotes_give_the_same_reference_features(tables: LexicalTables) -> None:
    curly, straight = features(tables, "“The minister said,” the ally’s region", '"The minister said," the ally\'s region')
    assert (curly == straight).all()


def test_names_do_not_move_the_reference_features(tables: LexicalTables) -> None:
    """A name is new to any reference text: only lower-case words are judged, so a paragraph's
    names (its topic) leave these features where they are."""
    reference = [column(name) for name in ("surprise", "predictability", "unseen_trigram_rate",
                                           "unseen_common_pair_rate", "rare_unattested_rate")]
    known, unknown = features(tables, "The minister Putin said the economy would grow.",
                              "The minister Okonkwo said the economy would grow.")
    assert (known[reference] == unknown[reference]).all()
