"""Tests for the stable hashing and the batch feature path: fixed buckets, batch = one by one, no sklearn."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtdetect import hashing, typography
from mtdetect.features import (
    LexicalTables,
    compute_features,
    lexical_pair_buckets,
    lexical_word_buckets,
    lexical_words,
    normalize_paragraph,
    normalize_paragraphs,
    word_class_columns,
    word_class_ngrams,
    word_pairs,
)
from mtdetect.wordclass import word_class_tokens

ROOT = Path(__file__).parent.parent


def tables_for(words: dict[str, float], pairs: dict[tuple[str, str], float]) -> LexicalTables:
    """Look-up tables holding exactly these words (Zipf) and pairs (log count)."""
    return LexicalTables(
        word_index=lexical_word_buckets(list(words)),
        word_zipf=np.array(list(words.values()), dtype=np.float32),
        pair_index=lexical_pair_buckets(list(pairs)),
        pair_log_count=np.array(list(pairs.values()), dtype=np.float32),
    )


TABLES = tables_for(
    {"the": 7.0, "economy": 5.0, "minister": 4.5, "fishery": 2.5, "said": 6.0},
    {("the", "economy"): 3.0, ("the", "minister"): 2.0, ("minister", "said"): 1.5},
)


# -- stable hashes: a model's tables and weights depend on these exact values ------------------


def test_string_hash_is_pinned() -> None:
    assert hashing.string_hash("") == 13020603013274838756
    assert hashing.string_hash("economy") == hashing.string_hash("economy", memo=False)


def test_lexical_buckets_are_pinned() -> None:
    assert lexical_word_buckets(["economy", "the"]).tolist() == [1181761, 1434180]
    assert lexical_pair_buckets([("the", "economy")]).tolist() == [2635065]


def test_word_class_columns_are_pinned() -> None:
    assert word_class_columns(["the", "x", ". "]).tolist() == [191117, 898839, 258213, 453325, 338202, 1002448]


def test_hashes_are_the_same_in_another_process() -> None:
    code = "from mtdetect.features import lexical_word_buckets as b; print(b(['economy', 'the']).tolist())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(lexical_word_buckets(["economy", "the"]).tolist())


def test_words_pairs_and_ngrams_hash_apart() -> None:
    # The same strings give different buckets as a word, as a pair and as word-class n-grams.
    assert lexical_word_buckets(["the"])[0] != lexical_pair_buckets([("the", "the")])[0]
    assert lexical_pair_buckets([("a", "b")])[0] != lexical_pair_buckets([("b", "a")])[0]
    columns = word_class_columns(["x", "x"])  # x, x, "x x"
    assert columns[0] == columns[1] != columns[2]


def test_mix_spreads_neighbouring_values() -> None:
    mixed = hashing.mix(np.arange(1000, dtype=np.uint64))
    assert len(set(hashing.buckets(mixed, 20).tolist())) > 990


# -- the batch path equals the one-paragraph path ---------------------------------------------

TEXTS = [
    "The minister said , that the economy. of the region do n't grow.",
    "",
    "   ",
    "...",
    '"We will," the minister said.',
    "The economy grew 8% in 2022, officials said.",
    "\u201cYes,\u201d\n he said\u2026  the\u00a0fishery -- the economy",
]


def assert_rows_equal(texts: list[str]) -> None:
    together = compute_features(texts, TABLES)
    matrix = together.word_class
    assert matrix.shape[0] == len(texts)
    for i, text in enumerate(texts):
        alone = compute_features([text], TABLES)
        np.testing.assert_array_equal(together.dense[i], alone.dense[0])
        assert (matrix[i] != alone.word_class[0]).nnz == 0, (i, text)


def test_batch_features_equal_paragraph_features() -> None:
    assert_rows_equal(TEXTS)
    assert_rows_equal(TEXTS[::-1])


TEXT_PARTS = st.sampled_from(
    list("aZ9 .,;:'\"%$-()\u00e9\u00c9_\n\t\x00\u2019\u201c\u2026\u00a0") + ["the ", "of ", "n't", "economy", "said", "\ud800"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(TEXT_PARTS, max_size=30).map("".join), min_size=1, max_size=6))
def test_batch_features_equal_paragraph_features_for_any_text(texts: list[str]) -> None:
    assert_rows_equal(texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT_PARTS, max_size=40).map("".join))
def test_normalisation_in_one_pass_equals_the_definition(text: str) -> None:
    assert normalize_paragraph(text) == " ".join(typography.normalize_typography(text).split())
    assert normalize_paragraphs([text, text]) == normalize_paragraph(text) + "\n" + normalize_paragraph(text)
    assert typography.fold_characters(text) == text.translate(str.maketrans(typography._CHAR_MAP))


def test_word_class_rows_count_every_ngram_of_the_tokens() -> None:
    paragraph = '"We will," the minister said , that the economy grew.'
    tokens = word_class_tokens(normalize_paragraph(paragraph))
    row = compute_features([paragraph], TABLES).word_class[0]
    n = len(tokens)
    assert row.sum() == pytest.approx((3 * n - 3) / math.sqrt(n), rel=1e-5)
    assert set(row.indices.tolist()) == set(word_class_columns(tokens).tolist())
    assert len(word_class_columns(tokens)) == len(word_class_ngrams(tokens)) == 3 * n - 3


def test_language_features_read_the_lexical_words() -> None:
    text = "The minister said the economy, 2022."
    words = lexical_words(normalize_paragraph(text))
    assert words == ["the", "minister", "said", "the", "economy"]
    dense = compute_features([text], TABLES).dense[0, -10:-5]
    assert dense[0] == pytest.approx((7.0 + 4.5 + 6.0 + 7.0 + 5.0) / 5)  # mean Zipf
    assert dense[1] == 0  # every word known
    seen = [p for p in word_pairs(words) if p in {("the", "economy"), ("the", "minister"), ("minister", "said")}]
    assert dense[3] == pytest.approx((3.0 + 2.0 + 1.5) / 4) and len(seen) == 3
    assert dense[4] == pytest.approx(1 / 4)  # "said the" unseen


def test_fast_scoring_path_equals_the_matrix_path() -> None:
    rng = np.random.default_rng(3)
    weights = rng.normal(size=1 << 20).astype(np.float32)
    batch = compute_features(TEXTS, TABLES)
    assert batch.grams is not None
    fast = batch.word_class_dot(weights)
    slow = batch.word_class @ weights.astype(np.float64)
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-9)
    assert fast.dtype == np.float64 and fast.shape == (len(TEXTS),)


# -- scoring does not load scikit-learn or nltk --------------------------------------------------


def test_import_and_scoring_do_not_import_sklearn() -> None:
    code = (
        "import sys, mtdetect\n"
        "mtdetect.load().score_paragraphs(['The minister said , that the economy grew.', ''])\n"
        "print(sorted(m for m in ('sklearn', 'nltk') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
