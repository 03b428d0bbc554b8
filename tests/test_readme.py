"""Every example in the README runs: its shell commands and its Python blocks.

The README's fenced code blocks are read afresh on every run, so a new block
is tested without anyone listing it. A block is named by the heading it sits
under (``Library``; ``Python: records and pandas batches #2`` where a heading
has several). Shell blocks run command by command (``\\``-continued lines
joined) with ``bash -o pipefail`` in one scratch folder holding the files the
examples name (``article.txt``, ``crawl.jsonl.zst``, ``path/to/model.card.json``
...), so later commands can read what earlier ones wrote, as a reader
following along would; ``make`` commands run in the project folder. Python
blocks run in that folder with the names they use but do not define
(``text``, ``records``, ``df`` ...). A command passes when it exits 0 without a
traceback; a Python block when it runs without an exception.

Nothing is left out silently: blocks marked ``<!-- engine: NAME -->`` are the
pipeline engines' snippets, which ``tests/test_engines.py`` runs (the marks
are checked against :data:`qa.engines.SNIPPETS`), and :data:`NOT_RUN` names the
commands too slow or too invasive for a test run, each with its reason; only
those are not collected, and the list is checked against the README so that
it does not go stale.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import zstandard

from qa.engines import SNIPPETS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ARTICLE = ROOT / "examples" / "article.txt"
SHELL = frozenset({"sh", "bash", "shell"})
PYTHON = frozenset({"python", "py"})

NOT_RUN = {
    "make test": "the test run itself",
    "make train": "retrains the model: installs Debian packages and builds pairs for a long time",
    "mtdetect align ../shared/data/seeds/": "needs the shared data beside the project; tests/test_cli.py aligns the seeds",
    "mtdetect score --model models/my-pairs": "scores with the model `make train` writes; tests/test_retrain.py "
                                              "trains and scores that way",
    "make evaluate": "writes the evaluation report and plots over several minutes",
    "make bench": "installs the bench extra and measures for minutes",
    "make reference-scores": "rewrites tests/cases/reference_scores.json",
    ".venv/bin/python -m qa.fuzz": "minutes of fuzzing; tests/test_properties.py runs the same checks",
    "make report-example": "rewrites the example report and its screenshots in docs/ with headless Chromium",
}
"""Commands (by how they start) that no test runs, with the reason."""


# -- reading the README ---------------------------------------------------------------------------

_FENCE = re.compile(r"(?P<indent>\s*)```(?P<language>[\w+-]*)\s*$")
_HEADING = re.compile(r"#{1,6}\s+(?P<title>.+?)\s*$")
_ENGINE = re.compile(r"<!-- engine: (?P<name>\S+) -->")


@dataclass(frozen=True)
class Block:
    """A fenced code block: the heading it sits under, its language, its code and, for an engine's
    snippet, the name of its ``<!-- engine: NAME -->`` mark (on the line before the block)."""

    name: str
    language: str
    code: str
    engine: str | None = None


def readme_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, named by their headings.

    >>> blocks = readme_blocks("# A\\n```sh\\nls\\n```\\n<!-- engine: x -->\\n```python\\nx\\n```\\n## B `c`\\n```sh\\npwd\\n```")
    >>> [(b.name, b.language, b.engine) for b in blocks]
    [('A #1', 'sh', None), ('A #2', 'python', 'x'), ('B c', 'sh', None)]
    """
    found: list[tuple[str, str, str, str | None]] = []
    heading, fence, lines, engine, marked = "", None, [], None, None
    for line in text.splitlines():
        opening = _FENCE.fullmatch(line)
        if fence is None:
            title = _HEADING.fullmatch(line)
            if title:
                heading = title["title"].replace("`", "")
            elif opening:
                fence, lines, marked = opening, [], engine
            mark = _ENGINE.fullmatch(line.strip())
            engine = mark["name"] if mark else None
        elif opening and opening["indent"] == fence["indent"] and not opening["language"]:
            indent = len(fence["indent"])
            found.append((heading, fence["language"], "\n".join(x[indent:] for x in lines) + "\n", marked))
            fence = None
        else:
            lines.append(line)
    counts = {h: [h2 for h2, *_ in found].count(h) for h, *_ in found}
    seen: dict[str, int] = {}
    blocks = []
    for heading, language, code, marked in found:
        seen[heading] = seen.get(heading, 0) + 1
        name = heading if counts[heading] == 1 else f"{heading} #{seen[heading]}"
        blocks.append(Block(name, language, code, marked))
    return blocks


def shell_commands(code: str) -> list[str]:
    """The commands of a shell block: ``\\``-continued lines joined, blank lines and comments left out.

    >>> shell_commands("ls -l   # list\\nmtdetect filter a \\\\\\n    -o b\\n\\n# note\\n")
    ['ls -l   # list', 'mtdetect filter a -o b']
    """
    commands, current = [], ""
    for line in code.splitlines():
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1].rstrip() + " "
            continue
        command = (current + line.strip()).strip()
        current = ""
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def _reason(block: Block, command: str | None = None) -> str | None:
    if block.engine is not None:
        return f"tests/test_engines.py runs it (<!-- engine: {block.engine} -->)"
    if command is not None:
        for start, reason in NOT_RUN.items():
            if command.startswith(start):
                return reason
    return None


def _cases() -> list[object]:
    cases = []
    for block in BLOCKS:
        if block.language in SHELL:
            for command in shell_commands(block.code):
                if not _reason(block, command):
                    cases.append(pytest.param(block, command, id=f"{block.name}: {command[:60]}"))
        elif block.language in PYTHON and not _reason(block):
            cases.append(pytest.param(block, None, id=block.name))
    return cases


# -- the files and names the examples use -------------------------------------------------------------


def _records() -> list[dict]:
    paragraphs = [p for p in ARTICLE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    paragraphs.append("Le conseil municipal a approuvé le budget mardi après un long débat.")
    return [{"id": i, "site": f"site{i % 2}", "text": p, "content": p}  # --group-by site, --text-field content
            for i, p in enumerate(paragraphs)]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the inputs the README's examples name, and ``scored.jsonl`` (filter's output)."""
    folder = tmp_path_factory.mktemp("readme")
    article = ARTICLE.read_text(encoding="utf-8")
    for name in ("article.txt", "a.txt", "b.txt"):
        (folder / name).write_text(article, encoding="utf-8")
    records = _records()
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    tsv = "id\tbody\n" + "".join(f"{r['id']}\t{r['text']}\n" for r in records)
    for name in ("crawl.jsonl", "sample.jsonl"):
        (folder / name).write_bytes(jsonl)
    (folder / "crawl.jsonl.gz").write_bytes(gzip.compress(jsonl))
    for name in ("crawl.jsonl.zst", "sample.jsonl.zst"):
        (folder / name).write_bytes(zstandard.ZstdCompressor().compress(jsonl))
    for name in ("table.tsv", "pages.tsv"):
        (folder / name).write_text(tsv, encoding="utf-8")
    model = folder / "path" / "to"
    model.mkdir(parents=True)
    card = ROOT / "models" / "default.card.json"
    shutil.copy(card, model / "model.card.json")  # its weights_file names the weights beside it
    shutil.copy(card.with_name(json.loads(card.read_text())["weights_file"]), model)
    done = subprocess.run([sys.executable, "-m", "mtdetect", "filter", "sample.jsonl", "-o", "scored.jsonl"],
                          cwd=folder, capture_output=True)  # what `mtdetect report scored.jsonl` reads
    assert done.returncode == 0, done.stderr
    return folder


def python_names() -> dict[str, object]:
    """What the Python examples use without defining it."""
    pandas = pytest.importorskip("pandas")
    records = _records()
    texts = [r["text"] for r in records]
    return {"text": "\n\n".join(texts), "texts": texts, "paragraph": texts[1], "records": records,
            "df": pandas.DataFrame(records)}


# -- the tests -------------------------------------------------------------------------------------------


def test_the_readme_has_examples_and_every_block_is_run_or_accounted_for() -> None:
    assert sum(b.language in SHELL for b in BLOCKS) >= 5 and sum(b.language in PYTHON for b in BLOCKS) >= 3
    names = [b.name for b in BLOCKS]
    assert len(names) == len(set(names))
    other = [b.name for b in BLOCKS if b.language not in SHELL | PYTHON and b.engine is None]
    assert other == [], f"blocks in a language this test does not run: {other}"


def test_the_skip_lists_name_what_the_readme_has() -> None:
    engines = [b.engine for b in BLOCKS if b.engine is not None]
    assert sorted(engines) == sorted(SNIPPETS), "the engine tests run exactly the README's marked blocks, once each"
    commands = [c for b in BLOCKS if b.language in SHELL for c in shell_commands(b.code)]
    stale = [start for start in NOT_RUN if not any(c.startswith(start) for c in commands)]
    assert stale == [], f"commands listed as not run that the README no longer has: {stale}"


@pytest.mark.parametrize(("block", "command"), _cases())
def test_readme_example(block: Block, command: str | None, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if command is not None:
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        cwd = ROOT if command.startswith("make ") else workdir
        done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        assert done.returncode == 0 and "Traceback" not in done.stderr, f"{command}\n{done.stderr[-2000:]}"
        return
    monkeypatch.chdir(workdir)
    namespace = {"__name__": "readme_example", **python_names()}
    exec(compile(block.code, f"README.md: {block.name}", "exec"), namespace)  # noqa: S102 - our own README
