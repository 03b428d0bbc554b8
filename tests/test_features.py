"""Tests for mtdetect.features: the feature registry, dense columns, hashed word classes, typography."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mtdetect
from mtdetect.rules import RULES
from mtdetect.features import (
    DENSE_FEATURES,
    HASHED_FAMILIES,
    LANGUAGE_FEATURES,
    LEXICAL_HASH_BITS,
    RARE_ZIPF,
    WORD_CLASS_HASH_BITS,
    WORD_HASH_BITS,
    FeatureBatch,
    LexicalTables,
    compute_features,
    dense_feature_names,
    lexical_pair_buckets,
    lexical_word_buckets,
    lexical_words,
    normalize_paragraph,
    word_class_columns,
    word_class_ngrams,
    word_columns,
    word_ngrams,
    word_pairs,
)
from mtdetect.model import feature_layout
from mtdetect.wordclass import word_class_tokens

NAMES = dense_feature_names()
COLUMN = {name: i for i, name in enumerate(NAMES)}


def bucket(key: str) -> int:
    """The lexical bucket of a word, or of a word pair written "first second"."""
    if " " in key:
        first, second = key.split(" ")
        return int(lexical_pair_buckets([(first, second)])[0])
    return int(lexical_word_buckets([key])[0])


def tiny_tables(words: dict[str, float], pairs: dict[str, float]) -> LexicalTables:
    """Look-up tables holding exactly these words (Zipf) and pairs (log count)."""
    word_items = sorted((bucket(w), z) for w, z in words.items())
    pair_items = sorted((bucket(p), c) for p, c in pairs.items())
    return LexicalTables(
        word_index=np.array([b for b, _ in word_items], dtype=np.int64),
        word_zipf=np.array([z for _, z in word_items], dtype=np.float32),
        pair_index=np.array([b for b, _ in pair_items], dtype=np.int64),
        pair_log_count=np.array([c for _, c in pair_items], dtype=np.float32),
    )


@pytest.fixture(scope="module")
def tables() -> LexicalTables:
    return mtdetect.load().model.tables


# -- the registry ----------------------------------------------------------------------


def test_dense_feature_registry() -> None:
    names = [spec.name for spec in DENSE_FEATURES]
    assert len(names) == len(set(names))
    assert names[: len(RULES)] == [f"artifact:{name}" for name in RULES]
    assert DENSE_FEATURES[len(RULES) :] == LANGUAGE_FEATURES
    for spec in DENSE_FEATURES:
        assert spec.family in {"artifact", "language"}
        assert spec.direction in {-1, 0, 1}
        assert spec.description.strip()
    assert all(spec.direction == 1 for spec in DENSE_FEATURES if spec.family == "artifact")
    assert "word_class" in HASHED_FAMILIES


def test_dense_feature_names() -> None:
    assert len(NAMES) == len(DENSE_FEATURES) == len(set(NAMES))
    assert NAMES[0] == f"artifact:{next(iter(RULES))}"
    assert NAMES[-10:] == [
        "language:mean_word_zipf",
        "language:unknown_words",
        "language:rare_word_rate",
        "language:mean_pair_log_count",
        "language:unseen_pair_rate",
        "language:surprise",
        "language:predictability",
        "language:unseen_trigram_rate",
        "language:unseen_common_pair_rate",
        "language:rare_unattested_rate",
    ]
    assert feature_layout()["dense"] == NAMES


def test_word_ngrams_of_a_batch_are_those_of_its_lexical_words(tables: LexicalTables) -> None:
    text = "Sales rose 8% in March, Putin's aides said, and sales rose again."
    batch = compute_features([text, "Other text."], tables)
    words = lexical_words(normalize_paragraph(text))
    assert words[:3] == ["sales", "rose", "in"]  # numbers left out, so "rose in" is a bigram
    mine = batch.word_grams.rows == 0
    assert batch.word_grams.columns[mine].tolist() == word_columns(words).tolist()
    assert len(word_ngrams(words)) == len(word_columns(words)) == 2 * len(words) - 1
    assert ((0 <= batch.word_grams.columns) & (batch.word_grams.columns < 1 << WORD_HASH_BITS)).all()
    # The word family never shares a column hash with the word-class family of the same strings.
    assert word_columns(["the"]).tolist() != word_class_columns(["the"]).tolist()


def test_hashed_buckets_are_in_range_and_deterministic() -> None:
    words = lexical_word_buckets(["economy", "fishery", "the"] * 2)
    assert ((0 <= words) & (words < 1 << LEXICAL_HASH_BITS)).all()
    columns = word_class_columns(["The", "x", " , ", "that", "xs"])
    assert ((0 <= columns) & (columns < 1 << WORD_CLASS_HASH_BITS)).all()
    # Deterministic across calls (the shipped tables depend on it).
    assert bucket("economy") == bucket("economy") != bucket("fishery")


# -- small helpers ------------------------------------------------------------------------


def test_unknown_words_counts_lower_case_words_only() -> None:
    tables = LexicalTables(lexical_word_buckets(["the", "met", "at", "airport", "config"]), np.full(5, 5.0, np.float32),
                           np.zeros(0, np.int64), np.zeros(0, np.float32))
    column = dense_feature_names().index("language:unknown_words")
    names, foreign, code, longer = compute_features(
        ["the O'Neills met Hawai'i's at the airport", "the sindaco met the stadtrat", "the config max_retries mp3",
         "the sindaco met the stadtrat at the airport at the airport"],
        tables,
    ).dense[:, column]
    assert names == 0  # capitalised words are names, not untranslated words
    assert foreign == pytest.approx(math.log1p(2))
    assert code == 0  # words with digits or underscores are codes
    assert longer == foreign  # a count: the same two words are the same evidence in a longer paragraph


def test_lexical_words_and_pairs() -> None:
    assert lexical_words("Sales rose 8% in 2022, Putin's aides said") == ["sales", "rose", "in", "putin", "aides", "said"]
    assert lexical_words("It's the boss's call, they 're sure") == ["it", "the", "boss", "call", "they", "'re", "sure"]
    assert lexical_words("") == []
    assert word_pairs(["a", "b", "c"]) == [("a", "b"), ("b", "c")]
    assert word_pairs(["a"]) == word_pairs([]) == []


def test_word_class_ngrams() -> None:
    assert word_class_ngrams(["the", "x", ". "]) == ["the", "x", ". ", "the\x01x", "x\x01. ", "the\x01x\x01. "]
    assert word_class_ngrams(["x"]) == ["x"]
    assert word_class_ngrams([]) == []


def test_normalize_paragraph() -> None:
    assert normalize_paragraph("\u201cYes,\u201d\n he said\u2026") == '"Yes," he said.'
    assert normalize_paragraph("  a\t\tb\n\nc  ") == "a b c"


@pytest.mark.parametrize(
    "text,normalised",
    [
        ("Buy:\n1. eggs\n2. flour\n10. lemons", "Buy: \u2022 eggs \u2022 flour \u2022 lemons"),
        ("Steps:\n  1) unplug it\n  2) wait", "Steps: \u2022 unplug it \u2022 wait"),
        ("(1) the tenant pays;\n(2) the landlord repairs.", "\u2022 the tenant pays; \u2022 the landlord repairs."),
        ("3. eggs", "\u2022 eggs"),  # a list item scraped as a paragraph of its own
        # not list numbers: inside a line, a decimal, a year, a number without a space after it
        ("It fell by two. of the members", "It fell by two. of the members"),
        ("Sales rose 8. 5 per cent", "Sales rose 8. 5 per cent"),
        ("The total was\n3.5 million.", "The total was 3.5 million."),
        ("It began in\n2022. the year", "It began in 2022. the year"),
        ("Read section\n4.b first", "Read section 4.b first"),
    ],
)
def test_list_numbers_become_bullets(text: str, normalised: str) -> None:
    assert normalize_paragraph(text) == normalised


def test_a_numbered_list_has_the_features_of_the_same_bulleted_list(tables: LexicalTables) -> None:
    numbered = "Shopping list:\n1. eggs\n2. flour\n3. butter (unsalted)"
    bulleted = "Shopping list:\n\u2022 eggs\n\u2022 flour\n\u2022 butter (unsalted)"
    batch = compute_features([numbered, bulleted], tables)
    np.testing.assert_array_equal(batch.dense[0], batch.dense[1])
    assert (batch.word_class[0] != batch.word_class[1]).nnz == 0


# -- dense columns -----------------------------------------------------------------------------


def test_feature_batch_shapes_and_types(tables: LexicalTables) -> None:
    batch = compute_features(["The council met on Tuesday.", "", "..."], tables)
    assert isinstance(batch, FeatureBatch)
    assert batch.dense.shape == (3, len(DENSE_FEATURES)) and batch.dense.dtype == np.float32
    assert batch.word_class.shape == (3, 1 << WORD_CLASS_HASH_BITS)
    assert batch.word_class.dtype == np.float32
    assert not batch.dense[1].any() and batch.word_class[1].nnz == 0
    assert not batch.dense[2].any()


def test_artifact_columns_are_log_counts(tables: LexicalTables) -> None:
    batch = compute_features(
        [
            "The minister said , that the economy. of the region do n't grow.",
            "The council met on Tuesday and approved the budget.",
        ],
        tables,
    )
    row = dict(zip(NAMES, batch.dense[0]))
    assert row["artifact:orphan_punctuation"] == pytest.approx(math.log1p(1))
    assert row["artifact:mid_sentence_period"] == pytest.approx(math.log1p(1))
    assert row["artifact:split_contraction"] == pytest.approx(math.log1p(1))
    assert row["artifact:spaced_hyphen"] == 0
    assert not batch.dense[1, : len(RULES)].any()


def test_language_columns_from_known_tables() -> None:
    tables = tiny_tables({"the": 7.0, "economy": 5.0, "fishery": 2.5}, {"the economy": 3.0})
    batch = compute_features(["The economy grew.", "The fishery.", "2022"], tables)
    row = dict(zip(NAMES, batch.dense[0]))
    # words: the (7.0), economy (5.0), grew (unknown); pairs: "the economy" (3.0), "economy grew" (unseen)
    assert row["language:mean_word_zipf"] == pytest.approx(12.0 / 3)
    assert row["language:unknown_words"] == pytest.approx(math.log1p(1))
    assert row["language:rare_word_rate"] == 0
    assert row["language:mean_pair_log_count"] == pytest.approx(1.5)
    assert row["language:unseen_pair_rate"] == pytest.approx(0.5)
    row = dict(zip(NAMES, batch.dense[1]))
    assert 2.5 < RARE_ZIPF
    assert row["language:mean_word_zipf"] == pytest.approx(9.5 / 2)
    assert row["language:rare_word_rate"] == pytest.approx(0.5)
    assert row["language:unknown_words"] == 0
    assert row["language:unseen_pair_rate"] == pytest.approx(1.0)
    # Numbers are not words: nothing to rate.
    assert not batch.dense[2, len(RULES) :].any()


def test_word_class_rows_are_scaled_counts(tables: LexicalTables) -> None:
    paragraph = "The minister said , that the economy of the region grew."
    batch = compute_features([paragraph], tables)
    n = len(word_class_tokens(normalize_paragraph(paragraph)))
    assert n > 3
    # unigrams + bigrams + trigrams, each row divided by sqrt(token count)
    assert batch.word_class[0].sum() == pytest.approx((3 * n - 3) / math.sqrt(n), rel=1e-5)
    assert (batch.word_class.data > 0).all()


def test_batch_rows_do_not_depend_on_their_neighbours(tables: LexicalTables) -> None:
    texts = [
        "The minister said , that the economy. of the region do n't grow.",
        "A clean sentence about the harbour.",
        "",
        "Sales rose 8 % in March. 2022.",
    ]
    together = compute_features(texts, tables)
    for i, text in enumerate(texts):
        alone = compute_features([text], tables)
        np.testing.assert_array_equal(together.dense[i], alone.dense[0])
        assert (together.word_class[i] != alone.word_class[0]).nnz == 0


def test_empty_batch(tables: LexicalTables) -> None:
    batch = compute_features([], tables)
    assert batch.dense.shape == (0, len(DENSE_FEATURES))
    assert batch.word_class.shape == (0, 1 << WORD_CLASS_HASH_BITS)


# -- typography is not evidence ---------------------------------------------------------------

TYPOGRAPHY_PAIRS = [
    ("\u201cWe will not stop now,\u201d the minister said.", '"We will not stop now," the minister said.'),
    ("It isn\u2019t over, it\u2019s Putin\u2019s war.", "It isn't over, it's Putin's war."),
    ("It isn\u2019t over, it\u2019s Putin\u2019s war.", "It isn`t over, it`s Putin`s war."),
    ("He called it \u2018a mistake\u2019 and left.", "He called it 'a mistake' and left."),
    ("the\u201d zero- tolerance rule\u201d", 'the" zero- tolerance rule"'),
    ("He said\u201d we will appeal.", 'He said" we will appeal.'),
    ("The plan \u2014 which failed \u2014 was dropped.", "The plan -- which failed -- was dropped."),
    ("The plan \u2013 which failed \u2013 was dropped.", "The plan - which failed - was dropped."),
    ("He paused\u2026 then spoke.", "He paused... then spoke."),
    ("Meeting an \u201cold friend\u201d", 'Meeting an "old friend"'),
    (
        "\u201cThere are clear signs that the economic component of the war will be a crucial part of the [the visit],\u201d Sher said.",
        '"There are clear signs that the economic component of the war will be a crucial part of the [the visit]," Sher said.',
    ),
    ("Rates rose in 2019\u20132020.  Then they fell.", "Rates rose in 2019-2020. Then they fell."),
]


@pytest.mark.parametrize("curly,straight", TYPOGRAPHY_PAIRS)
def test_curly_and_straight_give_identical_features(tables: LexicalTables, curly: str, straight: str) -> None:
    batch = compute_features([curly, straight], tables)
    np.testing.assert_array_equal(batch.dense[0], batch.dense[1])
    assert (batch.word_class[0] != batch.word_class[1]).nnz == 0
