"""Tests for the command line: `mtdetect score`, `align` and `filter`, in process and as real programs.

In-process runs call ``mtdetect.cli.main([...], out=io.StringIO())``; a few
real runs of ``python -m mtdetect`` and the ``mtdetect`` console script start
together in one fixture, so their start-up costs overlap.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import zstandard

import mtdetect
from mtdetect.annotation import table_score, table_threshold
from mtdetect.cli import ENV_MODEL, build_parser, main
from mtdetect.model import default_model_path, load_model, save_model
from mtdetect.segment import split_paragraphs

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "examples" / "article.txt"
SEEDS = ROOT.parent / "shared" / "data" / "seeds"
SEED_ALIGNMENT = ROOT / "tests" / "cases" / "seed_alignment.tsv"
CONSOLE_SCRIPT = Path(sys.executable).with_name("mtdetect")

CLEAN = "The council met on Tuesday and approved the budget for next year after a long debate."
GARBLED = "The minister said , that the economy. of the region do n't grow 8 % in March. 2022."
SHORT_DOC = f"{CLEAN}\n\n{GARBLED}\n\n...\n"
RECORDS = [{"id": "a", "text": SHORT_DOC}, {"id": "b", "text": CLEAN}]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in process: (exit status, output, standard error)."""
    out = io.StringIO()
    try:
        status = main(args, out=out)
    except SystemExit as exc:  # argparse: -h, --version and usage errors
        status = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return status, out.getvalue() + captured.out, captured.err


def one_line_error(status: int, err: str) -> str:
    assert status == 2
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("mtdetect")
    return err.strip()


def table_heading(table: str) -> str:
    """A table's first document heading, its lines (wrapped to the terminal) joined again."""
    heading = ""
    for line in table.splitlines():
        heading = f"{heading} {line.strip()}".strip()
        if heading.endswith(")"):  # "... (threshold 0.9964)"
            return heading
    raise AssertionError(f"no table heading in {table!r}")


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Input files and a copy of the bundled model whose card says threshold 0.5."""
    root = tmp_path_factory.mktemp("cli")
    paths = {
        "doc": root / "doc.txt",
        "jsonl": root / "docs.jsonl",
        "tsv": root / "docs.tsv",
        "bad_json": root / "bad.jsonl",
        "no_field": root / "nofield.jsonl",
        "empty": root / "empty.txt",
        "garbled": root / "garbled.txt",
        "model": root / "model",
    }
    paths["doc"].write_text(SHORT_DOC, encoding="utf-8")
    paths["jsonl"].write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    paths["tsv"].write_text(f"id\ttext\na\t{SHORT_DOC.replace(chr(10), chr(92) + 'n')}\nb\t{CLEAN}\n", encoding="utf-8")
    paths["bad_json"].write_text(json.dumps(RECORDS[0]) + "\n\n{oops\n", encoding="utf-8")
    paths["no_field"].write_text(json.dumps(RECORDS[0]) + "\n" + json.dumps({"body": CLEAN}) + "\n", encoding="utf-8")
    paths["empty"].write_text("  \n\n", encoding="utf-8")
    paths["garbled"].write_text(GARBLED + "\n", encoding="utf-8")
    bundled = load_model()
    paths["model"].mkdir()
    save_model(dataclasses.replace(bundled, threshold=0.5, card=dict(bundled.card)), paths["model"] / "default")
    return paths


# -- score: output formats ----------------------------------------------------------------------------


def test_score_jsonl_is_the_default_off_a_terminal(files, det, capsys) -> None:
    status, out, err = run(["score", str(files["doc"])], capsys)
    assert status == 0 and err == ""
    rows = jsonl(out)
    segments = split_paragraphs(SHORT_DOC)
    assert [(r["start"], r["end"]) for r in rows] == [(s.start, s.end) for s in segments]
    assert [r["paragraph"] for r in rows] == [1, 2, 3]
    assert {r["source"] for r in rows} == {str(files["doc"])} and {r["line"] for r in rows} == {None}
    scores = det.score_paragraphs([s.text for s in segments])
    assert [r["score"] for r in rows] == [round(float(s), 4) for s in scores]
    assert [r["garbled"] for r in rows] == [False, True, False]
    document = det.score_document(SHORT_DOC).score
    assert {r["document_score"] for r in rows} == {round(document, 4)}
    assert set(rows[0]) == {
        "source", "line", "paragraph", "start", "end", "score", "garbled", "in_context", "document_score", "warnings"
    }
    assert [r["warnings"] for r in rows] == [[], [], []]


def test_score_table(files, det, capsys) -> None:
    status, out, _ = run(["score", "--format", "table", str(files["doc"]), str(files["empty"])], capsys)
    assert status == 0
    threshold = det.threshold
    assert table_heading(out) == (
        f"{files['doc']}: 3 paragraphs, 1 flagged, document score "
        f"{table_score(det.score_document(SHORT_DOC).score, threshold)} (threshold {table_threshold(threshold)})"
    )
    lines = out.splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if line.endswith(")")):]  # the heading's last line first
    assert lines[1].split() == ["#", "score", "verdict", "paragraph"]
    assert lines[2].split()[0] == "1" and lines[2].split()[2] == "ok" and "The council met" in lines[2]
    assert lines[3].split()[0] == "2" and lines[3].split()[2] == "garbled"
    flag_lines = [line.strip() for line in lines if line.strip().startswith("- ")]
    assert any(line.startswith("- mid_sentence_period:") and "economy. of" in line for line in flag_lines)
    assert any(line.startswith("- split_contraction:") and "n't" in line for line in flag_lines)
    assert "why:" not in out
    assert f"{files['empty']}: 0 paragraphs, 0 flagged" in out and "(no text)" in out


def test_score_table_explain(files, capsys) -> None:
    status, out, _ = run(["score", "--format", "table", "--explain", str(files["garbled"])], capsys)
    assert status == 0
    assert "why: artifact:" in out


def test_score_tsv(files, capsys) -> None:
    status, out, _ = run(["score", "--format", "tsv", str(files["jsonl"])], capsys)
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out), delimiter="\t"))
    assert list(rows[0]) == [
        "source", "line", "paragraph", "start", "end", "score", "garbled", "in_context", "document_score", "warnings"
    ]
    assert [r["warnings"] for r in rows] == ["", "", "", ""]
    assert [(r["line"], r["paragraph"]) for r in rows] == [("1", "1"), ("1", "2"), ("1", "3"), ("2", "1")]
    assert [r["garbled"] for r in rows] == ["False", "True", "False", "False"]
    assert all(0 <= float(r["score"]) <= 1 for r in rows)


def test_score_jsonl_and_tsv_inputs_agree(files, capsys) -> None:
    _, from_jsonl, _ = run(["score", "--format", "jsonl", str(files["jsonl"])], capsys)
    _, from_tsv, _ = run(["score", "--format", "jsonl", str(files["tsv"])], capsys)
    a, b = jsonl(from_jsonl), jsonl(from_tsv)
    assert [r["line"] for r in a] == [1, 1, 1, 2] and [r["line"] for r in b] == [2, 2, 2, 3]
    assert [(r["start"], r["end"], r["score"]) for r in a] == [(r["start"], r["end"], r["score"]) for r in b]


def test_score_explain_jsonl(files, capsys) -> None:
    status, out, _ = run(["score", "--explain", "--format", "jsonl", str(files["doc"])], capsys)
    assert status == 0
    rows = jsonl(out)
    garbled = rows[1]
    paragraph = SHORT_DOC[garbled["start"] : garbled["end"]]
    kinds = {f["kind"] for f in garbled["flags"]}
    assert {"mid_sentence_period", "split_contraction", "orphan_punctuation"} <= kinds
    for flag in garbled["flags"]:
        assert paragraph[flag["start"] : flag["end"]] == flag["text"]
        assert flag["message"]
    assert garbled["contributions"] and all({"feature", "value"} == set(c) for c in garbled["contributions"])
    assert rows[0]["flags"] == []
    assert rows[2]["flags"] == [] and rows[2]["contributions"] == []  # "..." has nothing to judge


def test_score_explain_tsv(files, capsys) -> None:
    status, out, _ = run(["score", "--explain", "--format", "tsv", str(files["garbled"]), str(files["empty"])], capsys)
    assert status == 0
    (row,) = csv.DictReader(io.StringIO(out), delimiter="\t")
    assert list(row)[-1] == "flags"
    assert "mid_sentence_period: economy. of" in row["flags"] and "split_contraction: n't" in row["flags"]


@pytest.mark.parametrize("threshold,verdicts", [("0", [True, True, True]), ("0.5", None), ("1.0", None)])
def test_score_threshold(files, det, capsys, threshold: str, verdicts) -> None:
    status, out, _ = run(["score", "--format", "jsonl", "--threshold", threshold, str(files["doc"])], capsys)
    assert status == 0
    rows = jsonl(out)
    scores = det.score_paragraphs([SHORT_DOC[r["start"] : r["end"]] for r in rows])
    expected = verdicts or [bool(s >= float(threshold)) for s in scores]
    assert [r["garbled"] for r in rows] == expected
    _, table, _ = run(["score", "--format", "table", "--threshold", threshold, str(files["empty"])], capsys)
    assert f"(threshold {table_threshold(float(threshold))})" in table_heading(table)


def test_score_model_option_and_environment(files, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    model, empty = files["model"], str(files["empty"])

    def threshold_shown(*args: str) -> str:
        status, out, err = run(["score", "--format", "table", *args, empty], capsys)
        assert status == 0, err
        return table_heading(out).rsplit("(threshold ", 1)[1]

    default = f"{table_threshold(mtdetect.load().threshold)})"
    assert default != "0.50)"
    assert threshold_shown() == default
    assert threshold_shown("--model", str(model)) == "0.50)"
    assert threshold_shown("--model", str(model / "default.npz")) == "0.50)"
    monkeypatch.setenv(ENV_MODEL, str(model / "default.card.json"))
    assert threshold_shown() == "0.50)"
    assert threshold_shown("--model", str(default_model_path())) == default  # --model wins
    assert threshold_shown("--threshold", "0.25") == "0.25)"  # --threshold wins over the card
    status, out, _ = run(["score", "--format", "jsonl", str(files["doc"])], capsys)
    assert [r["garbled"] for r in jsonl(out)] == [r["score"] >= 0.5 for r in jsonl(out)]
    monkeypatch.setenv(ENV_MODEL, str(model / "missing"))
    status, _, err = run(["score", empty], capsys)
    assert "model file not found" in one_line_error(status, err)


def test_empty_model_environment_means_the_bundled_model(files, capsys, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv(ENV_MODEL, "")
    monkeypatch.chdir(tmp_path)
    status, out, err = run(["score", "--format", "jsonl", str(files["doc"])], capsys)
    assert status == 0, err
    assert len(jsonl(out)) == 3


def test_score_stdin(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    for args in (["score", "--format", "jsonl", "-"], ["score", "--format", "jsonl"]):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SHORT_DOC.encode()), encoding="utf-8"))
        status, out, _ = run(args, capsys)
        rows = jsonl(out)
        assert status == 0 and len(rows) == 3
        assert {r["source"] for r in rows} == {"<stdin>"}
        assert [r["garbled"] for r in rows] == [False, True, False]


def test_score_stdin_jsonl(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.dumps({"body": GARBLED}) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode()), encoding="utf-8"))
    status, out, _ = run(["score", "--input-format", "jsonl", "--text-field", "body", "-"], capsys)
    (row,) = jsonl(out)
    assert status == 0 and row["line"] == 1 and row["garbled"] is True


# -- score: errors are one line, exit status 2 ----------------------------------------------------------------


def test_error_missing_file(tmp_path, capsys) -> None:
    missing = tmp_path / "nope.txt"
    message = one_line_error(*run(["score", str(missing)], capsys)[::2])
    assert message == f"mtdetect: error: {missing}: no such file"


def test_error_bad_jsonl_line_names_file_and_line(files, capsys) -> None:
    message = one_line_error(*run(["score", str(files["bad_json"])], capsys)[::2])
    assert message.startswith(f"mtdetect: error: {files['bad_json']}: line 3: not valid JSON")


def test_error_missing_text_field(files, capsys) -> None:
    message = one_line_error(*run(["score", str(files["no_field"])], capsys)[::2])
    assert message == f"mtdetect: error: {files['no_field']}: line 2: no field 'text' (choose it with --text-field)"
    message = one_line_error(*run(["score", "--text-field", "body", str(files["no_field"])], capsys)[::2])
    assert message == f"mtdetect: error: {files['no_field']}: line 1: no field 'body' (choose it with --text-field)"


@pytest.mark.parametrize(
    "value,expected",
    [("1.5", "must be between 0 and 1, not 1.5"), ("-0.1", "must be between 0 and 1"), ("abc", "not a number: 'abc'"),
     ("nan", "must be between 0 and 1")],
)
def test_error_bad_threshold(files, capsys, value: str, expected: str) -> None:
    status, _, err = run(["score", "--threshold", value, str(files["doc"])], capsys)
    message = one_line_error(status, err)
    assert message.startswith("mtdetect score: error: argument --threshold:") and expected in message


def test_error_bad_model_path(files, tmp_path, capsys) -> None:
    missing = tmp_path / "no-model"
    message = one_line_error(*run(["score", "--model", str(missing), str(files["doc"])], capsys)[::2])
    assert message.startswith(f"mtdetect: error: model file not found: {missing}")
    message = one_line_error(*run(["score", "--model", str(files["doc"]), str(files["doc"])], capsys)[::2])
    assert "is damaged: not a JSON card" in message


def test_error_pickled_model_without_trust(tmp_path, files, capsys) -> None:
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(b"not really a pickle")
    message = one_line_error(*run(["score", "--model", str(pickled), str(files["doc"])], capsys)[::2])
    assert "is a pickle" in message and "--trust-pickle" in message


def test_error_no_command(capsys) -> None:
    message = one_line_error(*run([], capsys)[::2])
    assert "COMMAND" in message


def test_score_record_with_a_lone_surrogate(tmp_path, capsys) -> None:
    path = tmp_path / "crawl.jsonl"
    path.write_text('{"text": "Broken emoji \\ud83d here, the minister said."}\n', encoding="utf-8")
    status, out, err = run(["score", "--format", "jsonl", str(path)], capsys)
    assert status == 0, err
    (row,) = jsonl(out)
    assert 0 <= row["score"] <= 1


# -- help and version ----------------------------------------------------------------------------------------


def test_version(capsys) -> None:
    status, out, _ = run(["--version"], capsys)
    assert status == 0 and out.strip() == f"mtdetect {mtdetect.__version__}"


def subcommands() -> dict[str, object]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_every_command_is_documented(capsys) -> None:
    status, out, _ = run(["-h"], capsys)
    assert status == 0 and out.startswith("usage: mtdetect")
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    assert set(subcommands()) == {"score", "align", "filter", "report"} == set(helps)
    for name, text in helps.items():
        assert text and name in out and text.split()[0] in out


@pytest.mark.parametrize(
    "command,options",
    [
        ("score", ["--model", "--threshold", "--explain", "--format", "--text-field", "--column", "--input-format"]),
        ("align", ["--output", "--sentences", "--show", "--source"]),
        ("filter", ["--mode", "--rejects", "--score-field", "--processes", "--model", "--threshold"]),
    ],
)
def test_command_help(capsys, command: str, options: list[str]) -> None:
    status, out, _ = run([command, "-h"], capsys)
    assert status == 0
    assert out.startswith(f"usage: mtdetect {command}")
    for option in options:
        assert option in out
    # Every option of the command has a help text.
    for action in subcommands()[command]._actions:
        assert action.help, action.dest


# -- align ---------------------------------------------------------------------------------------------------

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seed documents not available")


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def expected_alignment() -> list[tuple[str, str]]:
    rows = []
    for line in SEED_ALIGNMENT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            garbled, original = line.split("\t")
            if original != "-":
                rows.append((garbled, original))
    return rows


@needs_seeds
def test_align_seeds(capsys) -> None:
    status, out, _ = run(["align", str(seed("004")), str(seed("001"))], capsys)
    assert status == 0
    pairs = jsonl(out)
    expected = expected_alignment()
    assert len(pairs) == len(expected) == 28
    for pair, (garbled_start, original_start) in zip(pairs, expected):
        assert pair["garbled"].startswith(garbled_start)
        assert pair["original"].startswith(original_start)
        assert pair["kind"] == "paragraph" and pair["source"] == seed("001").name
        assert pair["doc"] == seed("004").stem  # the original's name keeps the document's pairs in one split
        assert 0 < pair["score"] <= 1
    garbled_text = seed("001").read_text(encoding="utf-8")
    assert all(p["garbled"] in garbled_text for p in pairs)


@needs_seeds
def test_align_sentences_and_source(capsys) -> None:
    status, out, _ = run(["align", "--sentences", "--source", "seed-001", str(seed("004")), str(seed("001"))], capsys)
    pairs = jsonl(out)
    assert status == 0 and len(pairs) > 28
    assert {p["kind"] for p in pairs} == {"sentence"} and {p["source"] for p in pairs} == {"seed-001"}
    assert any(p["garbled"].startswith("A analysis Sher's analysis") for p in pairs)


@needs_seeds
def test_align_show(capsys) -> None:
    status, out, _ = run(["align", "--show", str(seed("004")), str(seed("001"))], capsys)
    assert status == 0
    assert out.startswith("#1  score")
    assert "#28  score" in out and "#29" not in out
    assert "[-visit-]" in out and "{+travel" in out


@needs_seeds
def test_align_output_file(tmp_path, capsys) -> None:
    target = tmp_path / "pairs" / "seed.jsonl"
    status, out, err = run(["align", "-o", str(target), str(seed("004")), str(seed("001"))], capsys)
    assert (status, out, err) == (1, "", f"mtdetect: error: cannot write {target}: no such directory: {target.parent}\n")
    target.parent.mkdir()
    status, out, err = run(["align", "-o", str(target), str(seed("004")), str(seed("001"))], capsys)
    assert status == 0 and out == ""
    assert err == f"mtdetect: wrote 28 paragraph pairs to {target}\n"
    pairs = jsonl(target.read_text(encoding="utf-8"))
    assert len(pairs) == 28
    assert [p.name for p in target.parent.iterdir()] == ["seed.jsonl"]  # no temporary file left


def test_align_missing_file(tmp_path, capsys) -> None:
    message = one_line_error(*run(["align", str(tmp_path / "a.txt"), str(ARTICLE)], capsys)[::2])
    assert message == f"mtdetect: error: {tmp_path / 'a.txt'}: no such file"


# -- filter (covered in depth by test_filtering.py) -----------------------------------------------------------


def test_filter_annotates_records(files, capsys) -> None:
    status, out, err = run(["filter", str(files["jsonl"])], capsys)
    assert status == 0
    records = jsonl(out)
    assert [r["id"] for r in records] == ["a", "b"]
    assert all(0 <= r["mtdetect"]["score"] <= 1 for r in records)
    assert err.startswith("mtdetect: ")


# -- real programs ---------------------------------------------------------------------------------------------


class Programs:
    """Real runs, started when the module starts and collected when a test first asks for one."""

    def __init__(self, runs: dict[str, tuple[list[str], str | None, dict[str, str]]]) -> None:
        self.started = {
            name: (
                subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=environment, cwd=ROOT),
                stdin,
            )
            for name, (args, stdin, environment) in runs.items()
        }
        self.results: dict[str, subprocess.CompletedProcess] = {}

    def __getitem__(self, name: str) -> subprocess.CompletedProcess:
        if name not in self.results:
            process, stdin = self.started[name]
            out, err = process.communicate(stdin, timeout=180)
            self.results[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
        return self.results[name]

    def close(self) -> None:
        for name in self.started:
            self[name]


@pytest.fixture(scope="module", autouse=True)
def programs(files):
    """Start the real runs at once, so they overlap with the in-process tests."""
    env = {key: value for key, value in os.environ.items() if key != ENV_MODEL}
    runs = {
        "module_stdin": ([sys.executable, "-m", "mtdetect", "score", "--format", "jsonl", "-"], SHORT_DOC, env),
    }
    if CONSOLE_SCRIPT.exists():
        runs["script_error"] = (
            [str(CONSOLE_SCRIPT), "score", "--format", "tsv", str(files["bad_json"])],
            None,
            # (PYTHONPATH: the wrapper runs this checkout's package, wherever it was installed from)
            {**env, ENV_MODEL: str(files["model"]), "PYTHONPATH": str(ROOT)},
        )
    started = Programs(runs)
    yield started
    started.close()


def test_python_m_mtdetect_reads_stdin(programs) -> None:
    result = programs["module_stdin"]
    assert result.returncode == 0, result.stderr
    rows = jsonl(result.stdout)
    assert [r["garbled"] for r in rows] == [False, True, False]
    assert {r["source"] for r in rows} == {"<stdin>"}
    assert [(r["start"], r["end"]) for r in rows] == [(s.start, s.end) for s in split_paragraphs(SHORT_DOC)]


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="console script not installed beside this Python")
def test_console_script_bad_input_is_one_line_without_traceback(programs, files) -> None:
    result = programs["script_error"]
    message = one_line_error(result.returncode, result.stderr)
    assert message.startswith(f"mtdetect: error: {files['bad_json']}: line 3: not valid JSON")
    # The model came from MTDETECT_MODEL and loaded; the rows of the lines before the bad one are kept.
    lines = result.stdout.splitlines()
    assert lines[0] == "\t".join(
        ("source", "line", "paragraph", "start", "end", "score", "garbled", "in_context", "document_score", "warnings")
    )
    assert lines[1:] and all(int(row.split("\t")[1]) < 3 for row in lines[1:])


@pytest.mark.parametrize("command", [
    ["score"], ["score", "--format", "tsv"], ["filter"], ["filter", "--rejects", "REJECTS"],
    ["report", "--format", "text"], ["align", "ORIGINAL"],
])
@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_every_command_refuses_a_compressed_input_cut_short(tmp_path, capsys, command: list[str], suffix: str) -> None:
    data = "".join(json.dumps(r) + "\n" for r in RECORDS * 400).encode()
    name = "article.txt" if command[0] == "align" else "crawl.jsonl"
    packed = gzip.compress(data) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data)
    cut = tmp_path / (name + suffix)
    cut.write_bytes(packed[: len(packed) // 2])
    args = [str(tmp_path / "rejects.jsonl") if a == "REJECTS" else str(ARTICLE) if a == "ORIGINAL" else a
            for a in command]
    status, _, err = run([*args, str(cut), "-o", str(tmp_path / "out")], capsys)
    message = one_line_error(status, err.splitlines()[-1] + "\n")
    assert message.startswith(f"mtdetect: error: {cut}: cannot read: ")
    assert not (tmp_path / "out").exists()


WIDE_DOC = (
    "We will not stop now, the minister said in a long interview on Tuesday, and we will keep the plan going "
    "for two years. of the region do n't grow 8 % in March. 2022, officials said , that the economy\n\n"
    "这是一个中文段落，用来测试语言警告。这是一个很长的中文段落，用来测试表格的宽度是否按照显示宽度截断，而不是按照字符数截断。"
)


@pytest.mark.parametrize("width", [80, 120])
def test_every_table_line_fits_the_terminal(det, width: int) -> None:
    from mtdetect.annotation import table_lines

    def display_width(line: str) -> int:  # terminal columns: wide East Asian characters take two
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    result = det.score_documents([WIDE_DOC], explain=True)[0]
    lines = table_lines("a-rather-long-folder-name/and-a-long-file-name-too.txt", WIDE_DOC, result,
                        det.threshold, width, why=True)
    assert max(display_width(line) for line in lines) <= width
    chinese = next(line for line in lines if line.lstrip().startswith("2 "))
    assert "这是一个中文段落" in chinese and chinese.endswith("…")
    assert display_width(chinese) > width - 4  # cut by columns: it fills the line, it does not take two
    notes = " ".join(line.strip() for line in lines if line.startswith(" " * 26))
    for flag in result.paragraphs[0].explanation.flags:  # wrapped between words, never inside one
        assert f"{flag.kind}:" in notes and " ".join(flag.message.split()) in " ".join(notes.split())
