"""The array tokeniser (:mod:`mtdetect.tokens`) finds exactly the regex's tokens, or says it cannot.

The features' tokens are :data:`~mtdetect.wordclass.TOKEN`'s by definition;
:func:`~mtdetect.tokens.token_spans` must give the very same ones on any
normalised text (or None, and the regex runs), and the vocabulary must give
each token the same row either way, or scores would move.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mtdetect.features import (
    _LEXICAL_WORD,
    _batch_tokens,
    _repeats,
    _Vocabulary,
    _vocabulary,
    normalize_paragraphs,
)
from mtdetect.rules import scan_rules
from mtdetect.tokens import SpanIndex, code_points, span_keys, token_spans
from mtdetect.wordclass import TOKEN
from qa import fuzz

CASES = [
    ("", []),
    ("They do n't know.", ["They", " do", " n't", " know", "."]),
    ("don't rock'n'roll students' union", ["don't", " rock'n'roll", " students", "' ", "union"]),
    ("Putin 's visit, they 're here, 'twas 'S 'RE", ["Putin", " 's", " visit", ", ", "they", " 're", " here", ", ",
                                                   "'", "twas", " 'S", " 'RE"]),
    ("said , that 8 % rise", ["said", " , ", "that", " 8", " % ", "rise"]),
    ("first\nsecond . third", ["first", "\n", "second", " . ", "third"]),
    ("snake_case x² café 中文 ſ 's\ufffd😀", ["snake_case", " x²", " café", " 中文", " ſ", " 's", "\ufffd", "😀"]),
    ("'ſ fine", ["'ſ", " fine"]),
    (" a . \nb ", [" a", " . ", "\n", "b"]),
]


def tokens_of(text: str) -> list[str] | None:
    spans = token_spans(text)
    if spans is None:
        return None
    return [text[s:e] for s, e in zip(*(a.tolist() for a in spans))]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_the_tokens_are_the_regexs(text: str, expected: list[str]) -> None:
    assert TOKEN.findall(text) == expected  # the cases say what the regex does ...
    assert tokens_of(text) == expected  # ... and the arrays do the same


@pytest.mark.parametrize("text", ["'s'd", "x 'm'x", "one\ttwo", ",  b", "a\u00a0b"])
def test_text_the_arrays_do_not_follow_is_left_to_the_regex(text: str) -> None:
    assert token_spans(text) is None


@settings(max_examples=400, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(fuzz.text_strategy(), st.lists(st.sampled_from(["a", "s", "re", "'", " ", "x'y", " 's", "n't", ",", "\n", "_", "²", "ſ"]),
                                                max_size=30).map("".join)))
@example("\ud800 lone \udfff surrogates, the minister said .")
def test_any_normalised_text_gets_the_regexs_tokens_or_the_regex(text: str) -> None:
    normalised = normalize_paragraphs(text.split("\n"))
    found = tokens_of(normalised)
    assert found is None or found == TOKEN.findall(normalised)


def test_equal_spans_get_equal_keys_and_others_differ() -> None:
    text = "the cat and the hat, the end"
    spans = token_spans(text)
    assert spans is not None
    keys = span_keys(code_points(text), *spans).tolist()
    tokens = tokens_of(text)
    assert tokens is not None
    by_token: dict[str, set[int]] = {}
    for token, key in zip(tokens, keys):
        by_token.setdefault(token, set()).add(key)
    assert all(len(k) == 1 for k in by_token.values()) and len({next(iter(k)) for k in by_token.values()}) == len(by_token)


def test_the_span_index_finds_what_it_was_given_as_it_grows() -> None:
    index = SpanIndex()
    keys = np.array([5, 5 + (1 << SpanIndex.FIRST_BITS), 7], dtype=np.uint64)  # the first two share a slot
    index.add(5, 10)
    index.add(5 + (1 << SpanIndex.FIRST_BITS), 11)
    assert index.find(keys).tolist() == [10, 11, -1]
    many = np.arange(100, 100 + 5000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for row, key in enumerate(many.tolist()):
        index.add(key, row)
    assert index.bits > SpanIndex.FIRST_BITS and not index.full  # it doubled, and holds everything
    assert index.find(many).tolist() == list(range(5000)) and index.find(keys).tolist() == [10, 11, -1]


def test_the_vocabulary_gives_a_token_the_same_row_by_span_or_by_string() -> None:
    vocabulary = _Vocabulary()
    text = normalize_paragraphs(["The minister said , that sales do n't grow.", "Putin 's visit , 'twas fine"])
    by_span = vocabulary.text_rows(text)
    by_string = vocabulary.rows(TOKEN.findall(text))
    assert by_span.tolist() == by_string.tolist()
    assert [vocabulary.texts[r] for r in by_span.tolist()] == TOKEN.findall(text)


REPEATS = ["the the", "a analysis the analysis", "had had", "Walla Walla", "it is is", "x x's", "we we'", "the\n\nthe",
           "rock rock rock", "said , that that", "the “the", "Sher's analysis", "de de", "the The", "the the`x",
           "the the´s", "a analysis the analysis′b", "so so‛t", "x\x00x", "\x00", "`"]


@settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(fuzz.text_strategy(), st.lists(st.sampled_from([*REPEATS, " ", ".", "word"]), max_size=12)
                          .map(" ".join)), min_size=1, max_size=6))
@example(["x the the`x y", "we so so‛t it"])  # a mark folded into an apostrophe joins the repeat to what follows
@example(["a analysis the analysis′b", "x the´s the´s"])
@example(["x the\x00the end"])  # the rules blank a NUL to a space; the tokens keep it
def test_the_tokens_narrow_the_repeated_word_rule_without_changing_a_finding(paragraphs: list[str]) -> None:
    """The features' tokens tell which paragraphs can hold a repeated word, and the rule's costliest
    part scans only those: every finding of every rule stays as the full scan finds it."""
    vocabulary = _vocabulary()
    tokens, rows = _batch_tokens(vocabulary, normalize_paragraphs(paragraphs))
    lexical = vocabulary.kind[tokens] == _LEXICAL_WORD
    narrowed = scan_rules(paragraphs, _repeats(vocabulary, tokens, lexical, rows, len(paragraphs)))
    whole = scan_rules(paragraphs)
    everything = range(len(paragraphs))
    assert narrowed.findings(everything) == whole.findings(everything)
    assert (narrowed.counts() == whole.counts()).all()
