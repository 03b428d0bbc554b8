"""Tests for mtdetect.typography: one-for-one folding and the full normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtdetect.typography import fold_characters, normalize_typography

# Every typographic variant the module promises to fold, with the ASCII form it folds to.
VARIANTS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ",
    "\u2026": ".",
}
CURLY = "\u2018\u2019\u201c\u201d\u201a\u201e\u2013\u2014\u2026\u00a0"

# Text made of the characters that matter here: letters, spaces, dots, dashes, quotes of both kinds.
typographic_text = st.text(
    alphabet=st.sampled_from(list("ab .-'\"\t\n") + list(VARIANTS)), max_size=60
)


@pytest.mark.parametrize("char,folded", sorted(VARIANTS.items()))
def test_fold_characters_maps_each_variant(char: str, folded: str) -> None:
    assert fold_characters(f"x{char}y") == f"x{folded}y"


def test_fold_characters_examples() -> None:
    assert fold_characters("\u201cDon\u2019t\u201d \u2014 he said") == '"Don\'t" - he said'
    assert fold_characters("Putin\u2019s \u2018old friend\u2019") == "Putin's 'old friend'"


def test_fold_characters_leaves_ascii_and_other_letters_alone() -> None:
    text = "Plain ASCII: \"quotes\", 'apostrophes', hy-phens, 3.5% -- and ... dots.\nZ\u00fcrich, \u00e9t\u00e9, \u041c\u043e\u0441\u043a\u0432\u0430"
    assert fold_characters(text) == text


@settings(max_examples=100, deadline=None)
@given(typographic_text)
def test_fold_characters_keeps_every_offset(text: str) -> None:
    folded = fold_characters(text)
    assert len(folded) == len(text)
    for original, new in zip(text, folded):
        assert new == VARIANTS.get(original, original)


@settings(max_examples=100, deadline=None)
@given(typographic_text)
def test_normalize_typography_leaves_no_variant(text: str) -> None:
    normalized = normalize_typography(text)
    assert not set(normalized) & set(VARIANTS)
    assert "..." not in normalized and "--" not in normalized and "  " not in normalized


@settings(max_examples=100, deadline=None)
@given(typographic_text)
def test_normalize_typography_is_idempotent(text: str) -> None:
    once = normalize_typography(text)
    assert normalize_typography(once) == once


@settings(max_examples=100, deadline=None)
@given(typographic_text)
def test_curly_and_straight_normalise_alike(text: str) -> None:
    assert normalize_typography(text) == normalize_typography(fold_characters(text))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Wait\u2026  it\u2019s \u201cfine\u201d -- really...", 'Wait. it\'s "fine" - really.'),
        ("He paused... then spoke.", "He paused. then spoke."),
        ("He paused\u2026 then spoke.", "He paused. then spoke."),
        ("a .. b", "a . b"),
        ("the plan --- which failed", "the plan - which failed"),
        ("the plan \u2014 which failed", "the plan - which failed"),
        ("Sales rose.  Costs fell.", "Sales rose. Costs fell."),
        ("tab\t\tseparated", "tab separated"),
        ("8\u00a0%", "8 %"),
    ],
)
def test_normalize_typography_examples(text: str, expected: str) -> None:
    assert normalize_typography(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith met Dr. Jones at 3.30 p.m.",
        "A well-known, long-term plan - not a hoax.",
        "one\ttab and single spaces",
        "Line one.\n\nLine two.\nLine three.",
        "",
    ],
)
def test_normalize_typography_keeps_ordinary_text(text: str) -> None:
    assert normalize_typography(text) == text


def test_normalize_typography_keeps_line_breaks() -> None:
    # Space runs fold, but blank lines (paragraph breaks) are not spaces to fold.
    assert normalize_typography("One.\u00a0\u00a0\n\n\nTwo.") == "One. \n\n\nTwo."
