"""Tests for ``mtdetect report`` and ``score --format html`` without a browser (see test_report_browser.py).

Expected figures are computed from the scores themselves (the annotations
that ``mtdetect filter`` writes), never pinned to the shipped model's values.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import mtdetect
from mtdetect.cli import main
from mtdetect.records import Document
from mtdetect.report import DEFAULT_THRESHOLDS, ReportOptions, build_report
from mtdetect.report.collect import ReportData, group_rows, threshold_rows
from mtdetect.report.escape import html_attribute, html_text
from mtdetect.report.samples import SAMPLE_CHARS, BandSamples
from mtdetect.report.scored import parse_annotation
from mtdetect.report.stats import RESOLUTION, Groups, ScoreTally, group_value, score_step
from test_cli import run

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
PARAGRAPHS = [p for p in ARTICLE.split("\n\n") if p.strip()] + [
    "The council met on Tuesday and approved the budget for next year after a long debate.",
    "The minister said , that the economy. of the region do n't grow 8 % in March. 2022.",
    "Der Rat hat den Haushalt nach einer langen Debatte über die Schulen genehmigt und die Pläne vorgestellt.",
    "i think the new pier looks great!!! cant wait for summer , see you all there",
]
SITES = ("harbour.example", "wire.example", "forum.example")


def make_records(n: int, seed: int = 7) -> list[dict]:
    """``n`` records of one to four paragraphs drawn from text written for the tests."""
    rng = random.Random(seed)
    return [
        {"id": i, "site": rng.choice(SITES), "meta": {"lang": rng.choice(["en", "en-GB"])},
         "text": "\n\n".join(rng.choice(PARAGRAPHS) for _ in range(rng.randint(1, 4)))}
        for i in range(n)
    ]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Raw records, and what ``mtdetect filter`` made of them, in two folders under the same name."""
    root = tmp_path_factory.mktemp("report")
    (root / "raw").mkdir()
    (root / "scored").mkdir()
    raw = write_jsonl(root / "raw" / "docs.jsonl", make_records(120))
    scored = root / "scored" / "docs.jsonl"
    assert main(["filter", str(raw), "-o", str(scored)], out=io.StringIO()) == 0
    return {"root": root, "raw": raw, "scored": scored}


def annotations(path: Path, field: str = "mtdetect") -> list[dict]:
    return [json.loads(line)[field] for line in path.read_text(encoding="utf-8").splitlines()]


# -- streaming statistics --------------------------------------------------------------------------

def test_tally_counts_at_or_above_any_threshold_exactly() -> None:
    rng = np.random.default_rng(3)
    scores = np.round(rng.random(20_000) ** 3, 4)
    scores[:50] = 0.9332  # scores sitting exactly on a threshold count as at or above it
    tally = ScoreTally(thresholds=[0.5, 0.9332])
    for s in scores:
        tally.add(score_step(float(s)), 0)
    for t in (0.0, 0.1, 0.5, 0.9332, 0.93324, 0.9333, 0.99, 1.0):
        assert tally.at_or_above(t) == int((scores >= t).sum()), t
    assert tally.total() == len(scores)
    counts = tally.histogram(50)
    assert counts.sum() == len(scores)
    expected = np.bincount(np.minimum((np.rint(scores * RESOLUTION).astype(int) * 50) // RESOLUTION, 49), minlength=50)
    assert counts.tolist() == expected.tolist()


def test_tally_per_group_matches_direct_counts() -> None:
    rng = random.Random(1)
    thresholds = [0.3, 0.6, 0.9]
    tally = ScoreTally(thresholds)
    rows: dict[int, list[float]] = {0: [], 1: [], 2: []}
    for _ in range(5000):
        group, score = rng.randrange(3), round(rng.random(), 4)
        rows[group].append(score)
        tally.add(score_step(score), group)
    above = tally.group_at_or_above(4)  # a fourth group that never had a score
    assert tally.group_totals(4).tolist() == [len(rows[0]), len(rows[1]), len(rows[2]), 0]
    for group, scores in rows.items():
        assert above[group].tolist() == [sum(s >= t for s in scores) for t in thresholds]
    assert above[3].tolist() == [0, 0, 0]
    assert tally.group_histogram(3).sum(axis=1).tolist() == [len(rows[g]) for g in range(3)]


def test_groups_pool_values_past_the_limit() -> None:
    groups = Groups(limit=3)
    indices = [groups.index(v) for v in ["a", "b", "c", "d", "e", "a", "d"]]
    assert indices == [0, 1, 2, 3, 3, 0, 3]
    assert groups.names == ["a", "b", "c", "(other values)"] and groups.pooled_values == 2


@pytest.mark.parametrize(
    "record,field,expected",
    [
        ({"site": "a"}, "site", "a"),
        ({"meta": {"source": "b"}}, "meta.source", "b"),
        ({"meta.source": "dotted key"}, "meta.source", "dotted key"),
        ({"n": 3}, "n", "3"),
        ({"n": None}, "n", "null"),
        ({"tags": ["x", "y"]}, "tags", '["x", "y"]'),
        ({}, "site", "(no site)"),
        ({"site": "x" * 500}, "site", "x" * 199 + "…"),
    ],
)
def test_group_value(record: dict, field: str, expected: str) -> None:
    assert group_value(record, field) == expected


# -- samples ------------------------------------------------------------------------------------

def test_reservoir_keeps_at_most_n_per_band_and_draws_uniformly() -> None:
    """Each of 20 documents in a band is kept by about 5/20 of the seeds."""
    kept: Counter[int] = Counter()
    trials = 2000
    for seed in range(trials):
        bands = BandSamples([0.5], size=5, seed=seed)
        for i in range(20):
            bands.add(0.1, lambda i=i: i)
        bands.add(0.7, lambda: -1)
        assert [len(b.items) for b in bands.bands] == [5, 1]
        assert [b.seen for b in bands.bands] == [20, 1]
        kept.update(bands.bands[0].items)
    for i in range(20):
        assert abs(kept[i] / trials - 0.25) < 0.05, (i, kept[i])


def test_bands_follow_the_candidate_thresholds() -> None:
    bands = BandSamples([0.5, 0.9], size=1)
    assert [(b.low, b.high) for b in bands.bands] == [(0.0, 0.5), (0.5, 0.9), (0.9, 1.0)]
    assert [bands.band_of(s) for s in (0.0, 0.4999, 0.5, 0.8999, 0.9, 1.0)] == [0, 0, 1, 1, 2, 2]


def test_samples_keep_a_bounded_part_of_long_documents() -> None:
    data = ReportData(thresholds=[0.5], threshold=0.5, samples=2)
    text = "word " * (SAMPLE_CHARS // 2)
    result = parse_annotation({"score": 0.1, "paragraphs": [[0, len(text), 0.1]]}, text, 0.5)
    for i in range(10):
        data.add(Document("in", i + 1, text), result)
    (band, _) = data.samples.bands
    assert band.seen == 10 and len(band.items) == 2
    assert all(len(s.text) == SAMPLE_CHARS and s.length == len(text) for s in band.items)


# -- escaping ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text,shown",
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src=x onerror="go()">', '&lt;img src=x onerror="go()"&gt;'),
        ("a\x00b", 'a<span class="esc">\\x00</span>b'),
        ("\x1b[31mred", '<span class="esc">\\x1b</span>[31mred'),
        ("abc\u202edef", 'abc<span class="esc">\\u202e</span>def'),
        ("\u2066x\u2069", '<span class="esc">\\u2066</span>x<span class="esc">\\u2069</span>'),
        ("\ufeffBOM", '<span class="esc">\\ufeff</span>BOM'),
        ("lone \ud800", 'lone <span class="esc">\\ud800</span>'),
        ("line\u2028sep", 'line<span class="esc">\\u2028</span>sep'),
        ("tab\tand\nnew line", "tab\tand\nnew line"),
        ("👩\u200d🔬 café 東京", "👩\u200d🔬 café 東京"),
    ],
)
def test_html_text_escapes_markup_and_shows_hidden_characters(text: str, shown: str) -> None:
    assert html_text(text) == shown
    html_text(text).encode("utf-8")  # lone surrogates are gone


def test_html_attribute_escapes_quotes() -> None:
    assert html_attribute('x" onmouseover="go()') == "x&quot; onmouseover=&quot;go()"
    assert html_attribute("\u202e\x00") == "\\u202e\\x00"


# -- the report's figures -----------------------------------------------------------------------


def judged_scores(note: dict) -> list[float]:
    """The scores of an annotation's paragraphs that carry no warning (those a verdict is given)."""
    warned = {(w[0], w[1]) for w in note["warnings"]}
    return [p[2] for p in note["paragraphs"] if (p[0], p[1]) not in warned]


def test_threshold_rows_equal_direct_counts(corpus: dict[str, Path], det: mtdetect.Detector) -> None:
    data, info = build_report([str(corpus["scored"])], det, ReportOptions())
    notes = annotations(corpus["scored"])
    documents = [n["score"] for n in notes if n["score"] is not None]  # no English paragraph: no score
    paragraphs = [s for n in notes for s in judged_scores(n)]
    assert len(documents) < len(notes)  # the corpus has documents without an English paragraph
    rows = threshold_rows(data, info.model_threshold)
    assert [r.threshold for r in rows] == sorted({*DEFAULT_THRESHOLDS, det.threshold})
    for row in rows:
        assert row.documents == sum(s >= row.threshold for s in documents)
        assert row.paragraphs == sum(s >= row.threshold for s in paragraphs)
        assert row.document_share == pytest.approx(row.documents / len(documents))
    assert data.read_annotations == len(notes) and data.scored_here == 0
    assert data.document_count == len(notes) and data.without_score == len(notes) - len(documents)
    assert data.not_english_paragraphs == sum(len(n["warnings"]) for n in notes) > 0


def test_group_rows_equal_direct_counts(corpus: dict[str, Path], det: mtdetect.Detector) -> None:
    data, _ = build_report([str(corpus["scored"])], det, ReportOptions(group_by="site"))
    records = [json.loads(line) for line in corpus["scored"].read_text(encoding="utf-8").splitlines()]
    rows = group_rows(data)
    sizes = Counter(r["site"] for r in records)
    assert [r.name for r in rows] == sorted(sizes, key=lambda s: (-sizes[s], s))
    for row in rows:
        mine = [r["mtdetect"] for r in records if r["site"] == row.name]
        scored = [m["score"] for m in mine if m["score"] is not None]
        paragraphs = [s for m in mine for s in judged_scores(m)]
        assert row.documents == len(scored) and row.paragraphs == len(paragraphs)
        for t, d, p in zip(data.thresholds, row.document_shares, row.paragraph_shares):
            assert d == pytest.approx(sum(s >= t for s in scored) / len(scored))
            assert p == pytest.approx(sum(s >= t for s in paragraphs) / len(paragraphs))
        assert row.not_english == sum(len(m["warnings"]) for m in mine)


def test_report_from_filter_output_equals_report_from_raw_input(
    corpus: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = {}
    for kind in ("raw", "scored"):
        monkeypatch.chdir(corpus[kind].parent)
        status, page, err = run(["report", "docs.jsonl", "--group-by", "site", "--samples", "3"], capsys)
        assert status == 0, err
        pages[kind] = page
    provenance = re.compile(r'<span id="provenance">.*?</span>')
    assert "scored here" in provenance.search(pages["raw"]).group()
    assert "not rescored" in provenance.search(pages["scored"]).group()
    assert provenance.sub("", pages["raw"]) == provenance.sub("", pages["scored"])


def test_rescore_scores_annotated_input_again(corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", str(corpus["scored"]), "--rescore", "--format", "text"], capsys)
    assert status == 0 and "0 read from mtdetect annotations, 120 scored here" in out


def text_table(out: str) -> dict[float, tuple[int, int]]:
    """The threshold table of ``--format text``: threshold -> (documents, paragraphs) at or above it."""
    rows = re.findall(r"^[* ]\s+(\d\.\d{4})\s+([\d,]+)\s+[\d.]+%\s+([\d,]+)\s+[\d.]+%", out, re.M)
    return {float(t): (int(d.replace(",", "")), int(p.replace(",", ""))) for t, d, p in rows}


def test_text_format_prints_the_summary_and_table(corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", str(corpus["scored"]), "--format", "text", "--thresholds", "0.2,0.6",
                          "--threshold", "0.75", "--group-by", "site"], capsys)
    assert status == 0
    notes = annotations(corpus["scored"])
    assert out.startswith(f"mtdetect report: {len(notes)} documents, {sum(len(judged_scores(n)) for n in notes)} paragraphs")
    table = text_table(out)
    model_threshold = round(mtdetect.load().threshold, 4)
    assert sorted(table) == sorted({0.2, 0.6, 0.75, model_threshold})
    for t, (documents, paragraphs) in table.items():
        exact = t if t != model_threshold else mtdetect.load().threshold
        assert documents == sum(n["score"] is not None and n["score"] >= exact for n in notes)
        assert paragraphs == sum(s >= exact for n in notes for s in judged_scores(n))
    assert re.search(r"^\*\s+0\.7500 .*\(chosen\)$", out, re.M)
    assert "by site: 3 groups" in out


def test_compressed_inputs_and_stdin(
    corpus: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    packed = tmp_path / "docs.jsonl.gz"
    packed.write_bytes(gzip.compress(corpus["scored"].read_bytes()))
    status, from_gzip, _ = run(["report", str(packed), "--format", "text"], capsys)
    assert status == 0
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(corpus["scored"].read_bytes())))
    status, from_stdin, _ = run(["report", "-", "--format", "text"], capsys)
    assert status == 0
    assert text_table(from_gzip) == text_table(from_stdin) and text_table(from_gzip)


def test_plain_text_input_is_scored(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", str(ROOT / "examples" / "article.txt"), "--format", "text"], capsys)
    assert status == 0
    assert f"1 document, {len([p for p in ARTICLE.split(chr(10) * 2) if p.strip()])} paragraphs" in out
    assert "0 read from mtdetect annotations, 1 scored here" in out


def test_annotations_without_paragraphs(corpus: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lean = tmp_path / "lean.jsonl"
    assert main(["filter", str(corpus["raw"]), "--no-paragraphs", "-o", str(lean)], out=io.StringIO()) == 0
    report = tmp_path / "lean.html"
    status, _, err = run(["report", str(lean), "-o", str(report), "--samples", "1"], capsys)
    assert status == 0, err
    page = report.read_text(encoding="utf-8")
    assert "120 documents annotated without paragraph scores" in page
    assert 'class="para unscored"' in page  # shown, split as the scorer splits, without scores


def test_tsv_filter_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = make_records(30)
    raw = tmp_path / "docs.tsv"
    raw.write_text("id\tsite\ttext\n" + "".join(
        f"{r['id']}\t{r['site']}\t{r['text'].replace(chr(10), chr(92) + 'n')}\n" for r in records), encoding="utf-8")
    scored = tmp_path / "scored.tsv"
    assert main(["filter", str(raw), "-o", str(scored)], out=io.StringIO()) == 0
    tables = []
    for path in (raw, scored):
        status, out, err = run(["report", str(path), "--format", "text", "--group-by", "site"], capsys)
        assert status == 0, err
        tables.append(text_table(out))
    assert tables[0] == tables[1] and tables[0]


@pytest.mark.parametrize(
    "annotation,reason",
    [
        ('"high"', "not a number"),
        ("7", "(a JSON number, not a JSON object)"),
        ('{"score": 1.5}', "not a number in [0, 1]"),
        ('{"paragraphs": []}', "no score"),
        ('{"score": 0.5, "paragraphs": [[0, 999, 0.5]]}', "not within the text"),
        ('{"score": 0.5, "paragraphs": "x"}', "not a list"),
    ],
)
def test_bad_annotations_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], annotation: str, reason: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "Fine."}\n' + '{"text": "Fine.", "mtdetect": ' + annotation + "}\n", encoding="utf-8")
    status, _, err = run(["report", str(path), "--format", "text"], capsys)
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "bad.jsonl: line 2: field 'mtdetect' is not an mtdetect annotation" in err and reason in err


def test_html_report_refuses_a_terminal(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    status = main(["report", str(ROOT / "examples" / "article.txt")], out=Terminal())
    err = capsys.readouterr().err
    assert status == 2 and "-o report.html" in err and err.count("\n") == 1


def test_report_file_is_written_whole(corpus: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "report.html"
    status, _, err = run(["report", str(corpus["scored"]), "-o", str(target)], capsys)
    assert (status, err) == (1, f"mtdetect: error: cannot write {target}: no such directory: {target.parent}\n")
    target.parent.mkdir()  # a missing folder is not made, as for every -o
    status, _, err = run(["report", str(corpus["scored"]), "-o", str(target)], capsys)
    assert status == 0 and "wrote a report of 120 documents" in err
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert not list(target.parent.glob(".*.tmp"))


def test_page_loads_nothing_from_outside(corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, page, _ = run(["report", str(corpus["scored"])], capsys)
    assert status == 0
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page and " src=" not in page and "@import" not in page and "url(" not in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert policy.startswith("default-src 'none'; style-src 'sha256-")


def test_score_html_renders_each_document(corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, page, _ = run(["score", "--format", "html", str(ROOT / "examples" / "article.txt")], capsys)
    assert status == 0
    paragraphs = [p for p in ARTICLE.split("\n\n") if p.strip()]
    assert page.count('<article class="doc">') == 1
    assert len(re.findall(r'<div class="para s\d', page)) == len(paragraphs)
    assert "<title>mtdetect: " in page and '<mark class="flag"' in page
    status, page, _ = run(["score", "--format", "html", str(corpus["raw"])], capsys)
    assert status == 0 and page.count('<article class="doc">') == 120
    # A paragraph with a warning gets no verdict, as in the table.
    warned = re.findall(r'<div class="para s\d unjudged"><div class="badge">.*?</div>', page)
    assert warned and all('<span class="verdict">n/a</span>' in badge for badge in warned)
    assert page.count('class="warning"') == len(warned)


def test_report_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", "-h"], capsys)
    assert status == 0
    for option in ("--output", "--format", "--samples", "--group-by", "--groups", "--thresholds", "--score-field",
                   "--rescore", "--seed", "--model", "--threshold", "--text-field", "--input-format"):
        assert option in out
    assert "standard input is jsonl" in " ".join(out.split())  # as it reads it
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "mtdetect report" in readme and "--group-by" in readme and "--format html" in readme


def test_pages_and_records_are_utf8_whatever_the_locale(corpus: dict[str, Path], tmp_path: Path) -> None:
    """Under an ASCII locale, standard output still gets UTF-8 (the page says so) and stays open to the end,
    whatever the command and the format."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    german = "Der Rat hat den Haushalt nach einer langen Debatte über"
    text = tmp_path / "de.txt"
    text.write_text(german + " die Schulen genehmigt.\n", encoding="utf-8")
    for command, needle in (
        (["report", str(corpus["raw"]), "--samples", "0", "--group-by", "site"], "<th>≥ 0.5</th>"),
        (["filter", str(corpus["raw"])], german),
        *((["score", str(text), "--explain", "--format", fmt], "über") for fmt in ("jsonl", "tsv", "table", "html")),
        (["align", str(text), str(text)], german),
        (["align", "--show", str(text), str(text)], "Debatte über die Schulen"),
    ):
        done = subprocess.run([sys.executable, "-m", "mtdetect", *command], capture_output=True, env=env, timeout=120)
        assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode()
        assert needle in done.stdout.decode("utf-8")


def test_a_report_on_the_rejects_counts_the_unreadable_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The rejects of `filter --mode drop` hold dropped records (annotated) and unreadable lines (counted, left out)."""
    crawl = tmp_path / "crawl.jsonl"
    crawl.write_text('{"text": "Fine."}\nnot json\n{"id": 3}\n{"text": "Also fine."}\n', encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    assert main(["filter", str(crawl), "--mode", "drop", "--threshold", "0", "--rejects", str(rejects)],
                out=io.StringIO()) == 0
    capsys.readouterr()
    status, out, err = run(["report", str(rejects), "--format", "text"], capsys)
    assert status == 0, err
    assert out.startswith("mtdetect report: 2 documents, 2 paragraphs")
    assert "2 read from mtdetect annotations, 0 scored here" in out
    assert "2 lines that `mtdetect filter` could not read and set aside, left out" in out
    assert err == ""  # the filter named them when it set them aside


def test_a_report_of_no_document_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crawl = write_jsonl(tmp_path / "crawl.jsonl", [{"body": "Fine."}, {"body": "Also fine."}])
    status, _, err = run(["report", str(crawl), "-o", str(tmp_path / "report.html")], capsys)
    assert status == 2 and err.count("no field 'text'") == 2
    assert err.splitlines()[-1] == (f"mtdetect: error: no document to report in {crawl}: 2 lines, "
                                    "none a readable record (named above)")
    assert not (tmp_path / "report.html").exists()
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    status, _, err = run(["report", str(empty), "--format", "text"], capsys)
    assert (status, err) == (2, f"mtdetect: error: no document to report in {empty}: the input is empty\n")


def test_a_rejects_file_of_unreadable_lines_is_recognised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crawl = tmp_path / "crawl.jsonl"
    crawl.write_text('not json\n{"id": 2}\n{"text": 3}\n', encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    assert main(["filter", str(crawl), "--rejects", str(rejects)], out=io.StringIO()) == 0
    capsys.readouterr()
    status, _, err = run(["report", str(rejects), "--format", "text"], capsys)
    assert (status, err) == (2, f"mtdetect: error: no document to report in {rejects}: 3 lines that "
                                "`mtdetect filter` could not read and set aside (a --rejects file without "
                                "dropped records)\n")


@pytest.mark.parametrize(("command", "instead"), [(["report"], "--format text"),
                                                  (["score", "--format", "html"], "--format table")])
def test_html_refuses_a_terminal_in_every_command(capsys: pytest.CaptureFixture[str], command: list[str], instead: str) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    status = main([*command, str(ROOT / "examples" / "article.txt")], out=out)
    err = capsys.readouterr().err
    assert status == 2 and out.getvalue() == "" and err.count("\n") == 1
    assert err.startswith("mtdetect: error: ") and "is a page, not terminal output: write it with -o " in err
    assert err.endswith(f"(or use {instead})\n")


def test_html_scores_read_as_the_table_writes_them_near_the_threshold() -> None:
    from mtdetect.report.document import document_html

    text = "First paragraph here.\n\nSecond paragraph here."
    note = {"score": 0.9953, "paragraphs": [[0, 21, 0.9961], [23, 45, 0.9966]], "warnings": []}
    page = document_html("a.txt", text, parse_annotation(note, text, 0.9964), 0.9964)
    badges = re.findall(r'<span class="score">([^<]*)</span><span class="verdict">([^<]*)</span>', page)
    assert badges == [("0.9961", "ok"), ("1.00", "garbled")]  # not "1.00 ok" beside "1.00 garbled"
    assert ">0.9953 ok</span>" in page and "at or above 0.9964" in page


def test_a_histogram_of_little_data_labels_more_than_one_count() -> None:
    from mtdetect.report.svg import histogram_svg

    svg = histogram_svg([4, 0, 1, 2], unit="document", label="Document scores")
    ticks = re.findall(r'<text class="tick" x="46" [^>]*>([^<]*)</text>', svg)
    assert ticks == ["0", "1", "2"]  # the tallest bar, 4, lies between 2 and 5
    big = histogram_svg([250_000, 3], unit="document", label="Document scores")
    assert re.findall(r'<text class="tick" x="46" [^>]*>([^<]*)</text>', big) == [
        "0", "1", "10", "100", "1,000", "10,000", "100,000"]
