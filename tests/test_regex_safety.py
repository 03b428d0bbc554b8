"""Regex safety: no pattern that runs on user text backtracks catastrophically.

The patterns are found, not listed: every compiled pattern at module level of
the modules that read user text, every part, union and lead of every artifact
detector, and the Punkt patterns the sentence splitter compiles. A pattern
added tomorrow is tested tomorrow; :func:`test_every_pattern_is_classified`
fails until it is placed below.

Each pattern runs over adversarial strings of 100 KB (long runs of
punctuation, quotes, spaces, hyphens, brackets and the motifs the detectors
look for) the way the code runs it: a scan over the whole text, or an
anchored match / a search in a bounded window. The bound is generous (5 s of
CPU for one string) and CPU time is measured, so a busy machine does not fail
the test, while a quadratic or exponential pattern, which takes minutes on
100 KB, does. The public functions get the same strings end to end.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

import mtdetect
from mtdetect import (
    _punkt,
    annotation,
    cli,
    detector,
    features,
    filtering,
    language,
    records,
    rules,
    segment,
    typography,
    wordclass,
)
from mtdetect.features import normalize_paragraph

SIZE = 100_000
LIMIT_SECONDS = 5.0


def _repeat(motif: str) -> str:
    return (motif * (SIZE // len(motif) + 1))[:SIZE]


RUNS = [".", '"', "'", " ", "-", ",", "(", "[", "\n", "😀", "\ud800", "\x1b"]
MOTIFS = [
    ". ", "a. ", "A. ", "U.S.", "“ ”", 'a" ', "a- ", " ,", "the [", " '", "do n't ", "$ 5 % ",
    "We, he said, ", "the Express ", "\n \n", ' ,.;:!?"“”()[]-\'',
]
ADVERSARIAL: dict[str, str] = {f"run {c!r}": _repeat(c) for c in RUNS} | {f"motif {m!r}": _repeat(m) for m in MOTIFS}
ADVERSARIAL |= {
    "long attribution": "I think, " + "Aa " * 33_000 + "said.",
    "quotes then a word": '"' * (SIZE // 2) + "x" * (SIZE // 2),
    "a word then dots": "a" * (SIZE // 2) + "." * (SIZE // 2),
    "unclosed parenthesis then words": "(" + "a " * (SIZE // 2),
    "one huge word": "a" * SIZE,
}


# -- finding the patterns -------------------------------------------------------------

MODULES = (rules, segment, wordclass, typography, features, detector, language, records, filtering, annotation, cli)


def discover() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern that the scoring path, the segmenter, the input readers or the writers hold.

    A pattern imported into several modules (``WORD``) is listed once, under its first name.
    """
    found: dict[str, re.Pattern[str]] = {}
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[-1]
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and all(value is not seen for seen in found.values()):
                found[f"{short}.{name}"] = value
    for name, det in rules.RULES.items():
        found[f"RULES[{name}].pattern"] = det.pattern
        for i, part in enumerate(det.parts):
            found[f"RULES[{name}].parts[{i}]"] = part
        if det.lead is not None:
            found[f"RULES[{name}].lead"] = det.lead
    punkt = _punkt._punkt_patterns()
    found["punkt.period_context"] = punkt.period_context
    found["punkt.word_tokenizer"] = punkt.word_tokenizer
    found["punkt.re_boundary_realignment"] = _punkt._LanguageVars.re_boundary_realignment
    for name in ("_RE_ELLIPSIS", "_RE_NUMERIC", "_RE_INITIAL", "_RE_ALPHA"):
        found[f"punkt.{name}"] = getattr(_punkt._Token, name)
    return found


PATTERNS = discover()

WINDOWED = {"segment._TITLE_END": segment._TITLE_WINDOW} | {
    name: rules._LEAD_WINDOW for name in PATTERNS if name.endswith(".lead")
}
"""Patterns ending in ``\\Z`` that the code only searches in a short window before a position."""

ANCHORED = {
    "punkt.re_boundary_realignment": "matched once at the start of each sentence",
    "punkt._RE_ELLIPSIS": "matched against one token",
    "punkt._RE_NUMERIC": "matched against one token",
    "punkt._RE_INITIAL": "matched against one token",
    "punkt._RE_ALPHA": "matched against one token",
    "rules._PAREN_CLOSER_RE": "matched at one ')' at a time",
    "rules._NEXT_SENTENCE_FIRST_PERSON": "matched at the end of one finding",
}
"""Patterns the code only ever calls ``.match`` with, at one position."""

KNOWN_QUADRATIC: dict[str, str] = {}
"""Patterns known to be slow: each has an xfail test below and a bug report."""

SCANNED = sorted(set(PATTERNS) - set(WINDOWED) - set(ANCHORED) - set(KNOWN_QUADRATIC))


def cpu_seconds(action: Callable[[], object]) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def slowest(cases: Iterator[tuple[str, Callable[[], object]]]) -> tuple[float, str]:
    """Run each case and return the worst CPU time and its name."""
    worst = (0.0, "")
    for name, action in cases:
        worst = max(worst, (cpu_seconds(action), name))
    return worst


def exhaust(iterator: Iterator[object]) -> None:
    for _ in iterator:
        pass


def test_every_pattern_is_classified() -> None:
    assert len(PATTERNS) > 60  # the detectors alone hold more than 40
    classified = set(SCANNED) | set(WINDOWED) | set(ANCHORED) | set(KNOWN_QUADRATIC)
    assert classified == set(PATTERNS)
    for name in WINDOWED:
        assert "\\Z" in PATTERNS[name].pattern, name


@pytest.mark.parametrize("name", SCANNED)
def test_scanning_pattern_is_linear_on_adversarial_text(name: str) -> None:
    pattern = PATTERNS[name]
    seconds, text = slowest((text, lambda t=text: exhaust(pattern.finditer(ADVERSARIAL[t]))) for text in ADVERSARIAL)
    assert seconds < LIMIT_SECONDS, f"{name} took {seconds:.1f} s on {text}"


@pytest.mark.parametrize("name", sorted(WINDOWED))
def test_windowed_pattern_stays_in_its_window(name: str) -> None:
    pattern, window = PATTERNS[name], WINDOWED[name]

    def run(text: str) -> None:
        for end in range(0, len(text), 211):  # about 470 searches per string, as before each finding
            pattern.search(text, max(0, end - window), end)

    seconds, text = slowest((text, lambda t=text: run(ADVERSARIAL[t])) for text in ADVERSARIAL)
    assert seconds < LIMIT_SECONDS, f"{name} took {seconds:.1f} s on {text}"


@pytest.mark.parametrize("name", sorted(ANCHORED))
def test_anchored_pattern_matches_in_linear_time(name: str) -> None:
    pattern = PATTERNS[name]
    seconds, text = slowest((text, lambda t=text: pattern.match(ADVERSARIAL[t])) for text in ADVERSARIAL)
    assert seconds < LIMIT_SECONDS, f"{name} took {seconds:.1f} s on {text}"


def _finishes_in_a_child(pattern: re.Pattern[str], text_expression: str, seconds: float) -> bool:
    """Whether ``pattern.findall(<text>)`` finishes in a fresh interpreter within ``seconds`` (no mtdetect import)."""
    code = (
        "import re, sys\n"
        "pattern = re.compile(sys.argv[1], int(sys.argv[2]))\n"
        f"pattern.findall({text_expression})\n"
    )
    try:
        command = [sys.executable, "-c", code, pattern.pattern, str(int(pattern.flags))]
        subprocess.run(command, timeout=seconds, check=True)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_word_class_token_pattern_is_linear_on_runs_of_symbols() -> None:
    # In a child with a time limit: the former pattern, which glued marks to the next word,
    # took minutes on this (and so did score_paragraphs(["word " + "!" * 100_000])).
    text = "'word ' + '!' * 50_000 + ' ' + '\\U0001F600' * 50_000 + ' ' + '\"' * 50_000 + 'x'"
    assert _finishes_in_a_child(wordclass.TOKEN, text, seconds=2.0)


def test_scoring_a_run_of_symbols_is_fast() -> None:
    seconds = cpu_seconds(lambda: _det.score_paragraphs(["word " + "!" * 100_000]))
    assert seconds < LIMIT_SECONDS, f"scoring took {seconds:.1f} s"


# -- the public functions, end to end -------------------------------------------------

_det = mtdetect.load()

PIPELINE: dict[str, Callable[[str], object]] = {
    "split_paragraphs": segment.split_paragraphs,
    "split_sentences": segment.split_sentences,
    "split_tokens": segment.split_tokens,
    "find_artifacts": rules.find_artifacts,
    "count_artifacts": lambda text: rules.count_artifacts([text, "It is n't so."]),
    "normalize_paragraph": normalize_paragraph,
    "check_language": language.check_language,
    "terminal_safe": annotation.terminal_safe,
    "tsv_cell": records.tsv_cell,
}

END_TO_END = [f"run {c!r}" for c in (".", " ", "\ud800", "\x1b")] + [
    f"motif {m!r}" for m in ("A. ", " ,", 'a" ', ' ,.;:!?"“”()[]-\'')
] + ["long attribution"]
"""The strings that were slowest for some public function, or most varied."""

WORD_CLASS_SAFE = END_TO_END
"""Every end-to-end case, runs of symbols included (word-class tokens are linear on them)."""


def test_end_to_end_cases_exist() -> None:
    assert set(END_TO_END) <= set(ADVERSARIAL) and len(WORD_CLASS_SAFE) >= 4


E2E_SIZE = 50_000
"""End to end, half the length is enough: a quadratic function still takes far over the limit."""


@pytest.mark.parametrize("function", sorted(PIPELINE))
def test_public_function_is_fast_on_adversarial_text(function: str) -> None:
    run = PIPELINE[function]
    seconds, text = slowest((text, lambda t=text: run(ADVERSARIAL[t][:E2E_SIZE])) for text in END_TO_END)
    assert seconds < LIMIT_SECONDS, f"{function} took {seconds:.1f} s on {text}"


def test_word_class_tokens_is_fast_on_adversarial_text_with_words() -> None:
    def tokens(name: str) -> list[str]:
        return wordclass.word_class_tokens(normalize_paragraph(ADVERSARIAL[name][:E2E_SIZE]))

    seconds, text = slowest((text, lambda t=text: tokens(t)) for text in WORD_CLASS_SAFE)
    assert seconds < LIMIT_SECONDS, f"word_class_tokens took {seconds:.1f} s on {text}"


@pytest.mark.parametrize("text", WORD_CLASS_SAFE)
def test_scoring_and_explaining_are_fast_on_adversarial_text(text: str) -> None:
    seconds = cpu_seconds(lambda: _det.score_paragraphs([ADVERSARIAL[text][:E2E_SIZE]]))
    seconds = max(seconds, cpu_seconds(lambda: _det.explain(ADVERSARIAL[text][:10_000])))
    assert seconds < LIMIT_SECONDS, f"scoring took {seconds:.1f} s"
