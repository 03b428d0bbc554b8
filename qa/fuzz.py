"""Fuzz the segmenter, the artifact rules, the language check and the scorer.

Run as ``python -m qa.fuzz``::

    python -m qa.fuzz --examples 20000              # hypothesis, every target
    python -m qa.fuzz --examples 500 --targets score
    python -m qa.fuzz --engine atheris --examples 1000000   # coverage-guided (pip install atheris)
    python -m qa.fuzz --big-line 200                # one 200 MB line through `mtdetect score`

Each target checks invariants, not only "no exception" (see :data:`TARGETS`):

- ``segment``: paragraphs, sentences and tokens slice back to their text, come
  in order without overlapping, and leave out only white space (paragraphs,
  tokens);
- ``rules``: findings slice back, are sorted and lie inside the paragraph;
  :func:`~mtdetect.rules.count_artifacts` agrees with
  :func:`~mtdetect.rules.find_artifacts`, also beside a neighbour in a batch;
  typography folding keeps every offset;
- ``language``: the check gives a verdict with consistent evidence;
- ``score``: scores are probabilities, a document's paragraph scores equal the
  scores of its paragraphs, and scoring twice gives the same numbers.

Inputs are hypothesis strings of three kinds: any Unicode (lone surrogates
included), pieces that trigger the rules (``do n't``, ``said ,``, quote
marks, brackets, ``March. 2022``, NUL, RTL marks, emoji, CJK) and such pieces
laid out as paragraphs. The count printed is the number of inputs each target
was called with (generation and shrinking). A failure prints the smallest
failing input hypothesis found and makes the exit status 1.

``--big-line MB`` writes one line of MB megabytes of news-like words with
artifacts and runs ``mtdetect score`` on it in a child process, printing the
wall time and peak resident memory; ``--memory-limit GB`` caps the child's
address space, to see the out-of-memory message instead of a swapping machine.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TextIO

DEFAULT_EXAMPLES = 2_000
DEFAULT_TARGETS = ("segment", "rules", "language")

PIECES = (
    " ", " ", "  ", "\n", "\n\n", "\n \n", "\r\n", "\r", "\t", ".", ",", ";", ":", "!", "?", "...", "…",
    '"', "'", "“", "”", "‘", "’", "(", ")", "[", "]", "-", "- ", "--", "—", "–", "%", "$", "€", "£",
    "the ", "The ", "a ", "an ", "A ", "said", " said ,", "told", "we ", "We ", "I ", "my ", "he ",
    "do n't", " 's", "n't", "it 's", "cross- border", "economy. of", "March. 2022", "May 6. 2022",
    "Mr. ", "U.S.", "e.g.", "et al.", "8 %", "profit$ 75", "the the", "analysis the analysis",
    "a interview", "an book", "Express ", "Also ", "[the", "(the", "x", "word", "2022", "1,000", "3.5",
    "\x00", "\x1b[31m", "\u200b", "\u202e", "\u2028", "\x85", "\x0c", "\ufeff", "é", "e\u0301", "ß",
    "中文", "Москва", "עברית", "😀", "👍🏽", "\U0001F1FA\U0001F1F8", "\ud800",
)
"""Pieces of text that reach the rules' and the segmenter's corner cases."""


def text_strategy():  # -> hypothesis SearchStrategy[str]
    """Any Unicode, rule-triggering pieces, or such pieces laid out as paragraphs."""
    from hypothesis import strategies as st

    any_unicode = st.text(st.characters(exclude_categories=()), max_size=200)
    pieces = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
    paragraphs = st.lists(pieces, min_size=1, max_size=5).map("\n\n".join)
    return st.one_of(any_unicode, pieces, paragraphs)


# -- the targets -------------------------------------------------------------------


def check_segment(text: str) -> None:
    """Paragraphs, sentences and tokens slice back, in order, leaving out only white space."""
    from mtdetect.segment import split_paragraphs, split_sentences, split_tokens

    position = 0
    for paragraph in split_paragraphs(text):
        assert text[paragraph.start : paragraph.end] == paragraph.text, "paragraph does not slice back"
        assert paragraph.start >= position and paragraph.end > paragraph.start, "paragraphs out of order"
        assert not text[position : paragraph.start].strip(), "text between paragraphs left out"
        assert paragraph.text == paragraph.text.strip(), "paragraph not trimmed"
        position = paragraph.end
        last = paragraph.start
        for sentence in split_sentences(paragraph.text, offset=paragraph.start):
            assert text[sentence.start : sentence.end] == sentence.text, "sentence does not slice back"
            assert sentence.start >= last and sentence.end > sentence.start, "sentences out of order"
            last = sentence.end
    assert not text[position:].strip(), "text after the last paragraph left out"
    position, gaps = 0, []
    for token in split_tokens(text):
        assert text[token.start : token.end] == token.text and token.text, "token does not slice back"
        assert token.start >= position, "tokens out of order"
        gaps.append(text[position : token.start])
        position = token.end
    gaps.append(text[position:])
    assert not "".join(gaps).strip(), "visible text outside every token"


def check_rules(text: str) -> None:
    """Findings slice back and agree with the batch counts, alone and beside a neighbour."""
    from mtdetect.rules import RULES, count_artifacts, find_artifacts
    from mtdetect.typography import fold_characters

    findings = find_artifacts(text)
    for finding in findings:
        assert 0 <= finding.start <= finding.end <= len(text), "finding outside the paragraph"
        assert text[finding.start : finding.end] == finding.text, "finding does not slice back"
        assert finding.message and "\n" not in finding.message, "message is not one line"
    assert [f.start for f in findings] == sorted(f.start for f in findings), "findings not sorted"
    expected = [sum(f.kind == name for f in findings) for name in RULES]
    counts = count_artifacts([text, "He said , that it 's so.", text])
    assert counts[0].tolist() == expected, "count_artifacts disagrees with find_artifacts"
    assert counts[2].tolist() == expected, "a neighbour in the batch changed the counts"
    assert len(fold_characters(text)) == len(text), "typography folding moved offsets"


def check_language(text: str) -> None:
    """The language check gives a verdict whose evidence fits it."""
    from mtdetect.language import check_language as check

    result = check(text)
    assert 0.0 <= result.latin_share <= 1.0, "latin share outside [0, 1]"
    assert result.english == (result.reason == ""), "verdict and reason disagree"
    assert result == check(text), "language check is not deterministic"


@cache
def _detector():  # -> mtdetect.Detector
    import mtdetect

    return mtdetect.load()


def check_score(text: str) -> None:
    """Scores are probabilities, consistent between the document and paragraph calls, and repeatable."""
    import math

    from mtdetect.segment import split_paragraphs

    detector = _detector()
    document = detector.score_document(text)
    paragraphs = [p.text for p in split_paragraphs(text)]
    scores = detector.score_paragraphs(paragraphs).tolist()
    assert [p.score for p in document.paragraphs] == scores, "document and paragraph scores differ"
    assert all(0.0 <= s <= 1.0 for s in scores), "score outside [0, 1]"
    judged = [p for p in document.paragraphs if not p.warnings]
    assert (document.score is None) == (not judged), "a document score without an English paragraph, or none with one"
    assert document.score is None or 0.0 <= document.score <= 1.0, "document score outside [0, 1]"
    assert not any(math.isnan(s) for s in scores), "score is NaN"
    assert detector.score_document(text) == document, "scoring is not deterministic"
    if paragraphs:
        explanation = detector.explain(paragraphs[0])
        assert 0.0 <= explanation.score <= 1.0 and explanation.score == scores[0], "explain disagrees"


TARGETS: dict[str, Callable[[str], None]] = {
    "segment": check_segment,
    "rules": check_rules,
    "language": check_language,
    "score": check_score,
}
"""Every fuzz target: a function of one text that raises AssertionError on a broken invariant."""


# -- running them ------------------------------------------------------------------


@dataclass
class Result:
    """What fuzzing one target found."""

    target: str
    inputs: int = 0
    seconds: float = 0.0
    failure: str | None = None  # the smallest failing input and its error
    failing_input: str | None = field(default=None, repr=False)


def fuzz_target(name: str, examples: int, seed: int) -> Result:
    """Run one target on ``examples`` hypothesis inputs; stop at the first failure, shrunk."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed

    check = TARGETS[name]
    result = Result(name)
    last_error: list[tuple[str, BaseException]] = []

    @hypothesis_seed(seed)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text_strategy())
    def run(text: str) -> None:
        result.inputs += 1
        try:
            check(text)
        except Exception as error:  # every exception is a finding, not only assertions
            last_error[:] = [(text, error)]
            raise

    started = time.perf_counter()
    try:
        run()
    except Exception:
        if not last_error:
            raise
        text, error = last_error[0]  # hypothesis replays the smallest failing input last
        result.failing_input = text
        result.failure = f"{type(error).__name__}: {error} on input {text!r}"
    result.seconds = time.perf_counter() - started
    return result


def fuzz(targets: Sequence[str], examples: int, seed: int, out: TextIO | None = None) -> list[Result]:
    """Fuzz each target, printing one line per target and a total."""
    out = out or sys.stdout
    results = []
    for name in targets:
        result = fuzz_target(name, examples, seed)
        results.append(result)
        status = "ok" if result.failure is None else f"FAILED: {result.failure}"
        out.write(f"{name:10s} {result.inputs:>9,d} inputs  {result.seconds:7.1f} s  {status}\n")
        out.flush()
    total = sum(r.inputs for r in results)
    failures = sum(r.failure is not None for r in results)
    out.write(f"{'total':10s} {total:>9,d} inputs, {failures} failing targets\n")
    return results


def fuzz_atheris(targets: Sequence[str], runs: int) -> None:  # pragma: no cover - needs atheris
    """Coverage-guided fuzzing with atheris (libFuzzer); it exits when done, printing ``Done N runs``."""
    try:
        import atheris
    except ImportError:
        sys.exit("qa.fuzz: atheris is not installed (pip install atheris), or use --engine hypothesis")
    import nltk.tokenize.punkt  # noqa: F401  (imported first: only mtdetect's own code is instrumented)
    import numpy  # noqa: F401
    import scipy.sparse  # noqa: F401

    with atheris.instrument_imports(include=["mtdetect"]):
        import mtdetect.hashing  # noqa: F401
        import mtdetect.language  # noqa: F401
        import mtdetect.rules  # noqa: F401
        import mtdetect.segment  # noqa: F401
        import mtdetect.typography  # noqa: F401
        import mtdetect.wordclass  # noqa: F401
    checks = [TARGETS[name] for name in targets]

    def one_input(data: bytes) -> None:
        text = atheris.FuzzedDataProvider(data).ConsumeUnicode(len(data))
        for check in checks:
            check(text)

    atheris.Setup([sys.argv[0], f"-runs={runs}", "-max_len=4096"], one_input)
    atheris.Fuzz()


# -- one very long line -----------------------------------------------------------

_LINE_WORDS = (
    "the minister said that the economy of the region grew by eight percent in March while "
    "officials warned about prices , do n't a interview cross- border 8 % profit$ 75 economy. of "
    "We will not stop now the minister said ( [ \" ” ’"
).split()


def write_big_line(path: Path, megabytes: float, seed: int = 0) -> int:
    """Write one line of about ``megabytes`` MB of words and artifacts; return its size in bytes."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    block = " ".join(rng.choice(_LINE_WORDS) for _ in range(200_000)).encode()
    written = 0
    with open(path, "wb") as handle:
        while written < target:
            chunk = block[: target - written]
            handle.write(chunk)
            written += len(chunk)
        handle.write(b"\n")
    return written + 1


def big_line(megabytes: float, memory_limit_gb: float | None, out: TextIO | None = None) -> int:
    """Score one line of ``megabytes`` MB with ``mtdetect score`` in a child; print time and memory."""
    out = out or sys.stdout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "line.txt"
        size = write_big_line(path, megabytes)
        limit = None if memory_limit_gb is None else int(memory_limit_gb * 2**30)

        def cap() -> None:
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        command = [sys.executable, "-m", "mtdetect", "score", "--format", "jsonl", str(path)]
        started = time.monotonic()
        child = subprocess.run(command, capture_output=True, text=True, preexec_fn=cap)
        seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = child.stdout.count("\n")
    last = (child.stderr.strip().splitlines() or [""])[-1]
    out.write(
        f"one line of {size / 1e6:,.1f} MB: exit {child.returncode}, {seconds:,.1f} s, "
        f"peak memory {peak_mb:,.0f} MB, {rows} output rows"
        + (f", stderr: {last}" if last else "")
        + "\n"
    )
    return child.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES,
                        help=f"inputs per target (default {DEFAULT_EXAMPLES}; atheris: total runs)")
    parser.add_argument("--targets", nargs="+", choices=sorted(TARGETS), default=list(DEFAULT_TARGETS),
                        help=f"what to fuzz (default: {' '.join(DEFAULT_TARGETS)})")
    parser.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument("--big-line", type=float, default=None, metavar="MB",
                        help="instead of fuzzing, score one line of MB megabytes and report time and memory")
    parser.add_argument("--memory-limit", type=float, default=None, metavar="GB",
                        help="with --big-line: cap the child's address space")
    args = parser.parse_args(argv)
    if args.big_line is not None:
        return big_line(args.big_line, args.memory_limit)
    if args.engine == "atheris":
        fuzz_atheris(args.targets, args.examples)
        return 0
    results = fuzz(args.targets, args.examples, args.seed)
    return 1 if any(r.failure for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
