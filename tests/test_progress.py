"""Progress bars: none for quick runs, and never on a line of output or inside the table.

A real terminal (a pseudo-terminal) shows what ``make demo`` shows; a long
run is simulated in process with the bar's delay set to zero, and its
writes replayed on a minimal terminal to see the screen a user would see.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mtdetect import progress, scoring
from mtdetect.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "examples" / "article.txt"
BAR_MARKS = ("doc/s", "doc [", "rec/s", "rec [", "B/s", "%|")


def run_on_a_terminal(args: list[str]) -> str:
    """Run ``python -m mtdetect ARGS`` with standard output and error on one pseudo-terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "mtdetect", *args], stdout=follower, stderr=follower,
                               stdin=subprocess.DEVNULL, cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the program ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8")


def test_a_quick_run_on_a_terminal_shows_no_bar() -> None:
    screen = run_on_a_terminal(["score", str(ARTICLE)])  # what `make demo` runs: a table on a terminal
    assert screen.startswith(f"{ARTICLE}: ")  # the table's first line comes first, with nothing glued to it
    assert not any(mark in screen for mark in BAR_MARKS), screen[:200]
    assert "\r\n    #   score  verdict  paragraph\r\n" in screen


class Terminal:
    """A minimal terminal: text overwrites, ``\\r`` returns to the line's start, ``\\n`` starts a new line."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    def screen(self) -> list[str]:
        lines: list[list[str]] = [[]]
        column = 0
        for character in "".join(self.written):
            if character == "\n":
                lines.append([])
                column = 0
            elif character == "\r":
                column = 0
            else:
                line = lines[-1]
                line.extend(" " * (column - len(line) + 1))
                line[column] = character
                column += 1
        shown = ["".join(line).rstrip() for line in lines]
        while shown and not shown[-1]:
            shown.pop()
        return shown


@pytest.fixture
def eager_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bar that shows at once and redraws at every update, as on a long run."""
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "REFRESH_SECONDS", 0.0)


def test_a_long_run_keeps_the_bar_off_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eager_bar: None
) -> None:
    monkeypatch.setattr(scoring, "PARAGRAPHS_PER_BATCH", 4)  # many batches: the bar is redrawn between them
    records = tmp_path / "docs.jsonl"
    records.write_text("".join(json.dumps({"text": f"Document {i} met the council on Tuesday."}) + "\n"
                               for i in range(30)), encoding="utf-8")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["score", str(records)], out=terminal) == 0  # a terminal: the table
    assert any(mark in "".join(terminal.written) for mark in BAR_MARKS)  # the bar was shown
    screen = terminal.screen()
    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert main(["score", "--format", "table", str(records)], out=plain) == 0  # the same table, no bar
    assert screen == plain.getvalue().rstrip("\n").split("\n")


def test_filter_messages_and_the_bar_keep_to_their_own_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eager_bar: None
) -> None:
    records = tmp_path / "docs.jsonl"
    records.write_text('{"text": "Fine."}\nnot json\n{"text": "Fine too."}\n', encoding="utf-8")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["filter", str(records), "-o", str(tmp_path / "out.jsonl")], out=io.StringIO()) == 1
    assert terminal.screen() == [
        f"mtdetect: {records}: line 2: not valid JSON (expecting value at column 1) "
        "(is this JSONL? choose the format with --input-format)",
        "mtdetect: read 3 records: kept 2, dropped 0, errors 1 (2 paragraphs)",
        "mtdetect: 1 unreadable line was left out; keep it with --rejects FILE",
    ]


def test_no_bar_off_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eager_bar: None) -> None:
    errors = io.StringIO()
    monkeypatch.setattr(sys, "stderr", errors)
    assert main(["score", "--format", "jsonl", str(ARTICLE)], out=io.StringIO()) == 0
    assert errors.getvalue() == ""


def run_reading_a_terminal(args: list[str], typed: bytes) -> tuple[int, str, str]:
    """Run ``python -m mtdetect ARGS`` reading a pseudo-terminal on which ``typed`` is typed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "mtdetect", *args], stdin=follower,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    os.close(follower)
    os.write(leader, typed)
    try:
        out, err = process.communicate(timeout=120)  # a run that waits for more input fails here
    finally:
        process.kill()
        os.close(leader)
    return process.returncode, out.decode("utf-8"), err.decode("utf-8")


@pytest.mark.parametrize("command", ["score", "filter"])
def test_reading_a_terminal_says_so_and_one_ctrl_d_ends_empty_input(command: str) -> None:
    status, out, err = run_reading_a_terminal([command], b"\x04")
    assert status == 0 and out == ""
    assert err.startswith(f"mtdetect: reading standard input (end it with Ctrl-D; mtdetect {command} -h for help)\n")


def test_text_typed_on_a_terminal_is_scored() -> None:
    status, out, err = run_reading_a_terminal(["score", "--format", "jsonl"], b"The council met on Tuesday.\n\x04")
    assert status == 0 and json.loads(out)["end"] == len("The council met on Tuesday.\n") - 1


def bar_shares(written: str) -> list[int]:
    """The percentages a bar showed, in order."""
    return [int(share) for share in re.findall(r"(\d+)%\|", written)]


def test_one_huge_document_moves_the_bar_as_it_is_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eager_bar: None
) -> None:
    from mtdetect import detector

    monkeypatch.setattr(detector, "PROGRESS_CHARS", 2_000)  # scored in parts of about 2,000 characters
    article = ARTICLE.read_text(encoding="utf-8")
    path = tmp_path / "long.txt"
    path.write_text("\n\n".join([article] * 20), encoding="utf-8")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    out = io.StringIO()
    assert main(["score", "--format", "jsonl", str(path)], out=out) == 0
    shares = bar_shares("".join(terminal.written))
    assert any(0 < share < 100 for share in shares), shares  # it moved while the one document was scored
    assert shares == sorted(shares)
    assert terminal.screen() == []  # and left nothing behind


@pytest.mark.parametrize("command", [["score", "--format", "jsonl"], ["filter"], ["report", "--format", "text"]])
def test_a_bar_over_files_shows_their_size_and_the_share_read(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eager_bar: None
) -> None:
    from mtdetect import filtering

    from tqdm import tqdm

    monkeypatch.setattr(scoring, "PARAGRAPHS_PER_BATCH", 100)
    monkeypatch.setattr(filtering, "BLOCK_RECORDS", 100)
    records = tmp_path / "docs.jsonl"
    records.write_text("".join(json.dumps({"text": f"Document {i} met the council on Tuesday."}) + "\n"
                               for i in range(1_000)), encoding="utf-8")  # files are read 8 KB at a time
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    target = ["-o", str(tmp_path / "out")]
    assert main([*command, str(records), *target], out=io.StringIO()) == 0
    written = "".join(terminal.written)
    size = tqdm.format_sizeof(records.stat().st_size, divisor=1024)
    assert f"/{size} [" in written  # the total: the input's size
    unit = "rec" if command[0] == "filter" else "doc"
    assert re.search(rf"\d+ {unit}s\]", written), written[-300:]  # the count beside it
    assert any(0 < share < 100 for share in bar_shares(written))


def test_ctrl_c_leaves_no_bar_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eager_bar: None) -> None:
    from mtdetect.detector import Detector

    monkeypatch.setattr(scoring, "PARAGRAPHS_PER_BATCH", 4)
    records = tmp_path / "docs.jsonl"
    records.write_text("".join(json.dumps({"text": f"Document {i} met the council on Tuesday."}) + "\n"
                               for i in range(30)), encoding="utf-8")
    real, calls = Detector.score_documents, []

    def interrupted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Detector, "score_documents", interrupted)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["score", "--format", "jsonl", str(records)], out=io.StringIO()) == 130
    assert any(mark in "".join(terminal.written) for mark in BAR_MARKS)  # the bar was shown
    assert terminal.screen() == ["mtdetect: interrupted"]
