"""Reports rendered in a real browser: Debian's headless Chromium, driven by Playwright.

One browser serves the whole module. Without Chromium the tests are skipped,
except under CI, where they fail: ``make system-deps`` installs it.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import mtdetect
from mtdetect.cli import main
from mtdetect.report.page import HISTOGRAM_BINS
from mtdetect.report.samples import SAMPLE_CHARS
from qa.browser import MISSING, Browser, Loaded, chromium_path

from test_report import PARAGRAPHS, make_records, write_jsonl

MARKER = "__mtdetect_pwned"
HOSTILE = [
    f"<script>window.{MARKER} = 1; document.title = 'pwned';</script> The council met on Tuesday.",
    f'A photo <img src=x onerror="window.{MARKER} = 2"> of the new pier , that do n\'t open.',
    f'<a href="javascript:window.{MARKER} = 3">click here</a> and <svg onload="window.{MARKER} = 4"></svg>',
    f'<iframe srcdoc="<script>parent.{MARKER} = 5</script>"></iframe><style>body {{ display: none }}</style>',
    "Right-to-left override: \u202eevil text\u202c then NUL \x00 and escape \x1b[2J and bell \x07.",
    'Quotes " and \' and </article></div></main><h1>fake heading</h1> and &amp; entities &lt;b&gt;.',
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    with Browser() as running:
        yield running


def report(tmp_path: Path, records: list[dict], *args: str, name: str = "docs.jsonl") -> tuple[Path, Path]:
    """Write records, let ``mtdetect filter`` annotate them, and report on its output; return (scored, page)."""
    raw = write_jsonl(tmp_path / name, records)
    scored = tmp_path / f"scored-{name}"
    assert main(["filter", str(raw), "-o", str(scored)], out=io.StringIO()) == 0
    page = tmp_path / f"{name}.html"
    assert main(["report", str(scored), "-o", str(page), *args], out=io.StringIO()) == 0
    return scored, page


def assert_clean_load(loaded: Loaded, path: Path) -> None:
    assert loaded.console_errors == []
    assert loaded.requests == [path.resolve().as_uri()]  # the file itself, nothing else


def screenshot_is_not_blank(loaded: Loaded) -> None:
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(loaded.page.screenshot(full_page=False)), format="png")
    colours = np.unique(pixels.reshape(-1, pixels.shape[-1]).round(2), axis=0)
    not_white = (pixels[..., :3] < 0.95).any(axis=-1).mean()
    assert len(colours) > 20 and not_white > 0.02, (len(colours), not_white)


def test_report_loads_with_bars_samples_and_table(browser: Browser, tmp_path: Path) -> None:
    records = make_records(150)
    scored, path = report(tmp_path, records, "--samples", "4", "--group-by", "site")
    loaded = browser.open(path)
    assert_clean_load(loaded, path)
    page = loaded.page
    notes = [json.loads(line)["mtdetect"] for line in scored.read_text(encoding="utf-8").splitlines()]
    documents = np.array([n["score"] for n in notes if n["score"] is not None])  # no English paragraph: no score
    warned = [{(w[0], w[1]) for w in n["warnings"]} for n in notes]
    paragraphs = np.array([p[2] for n, w in zip(notes, warned) for p in n["paragraphs"] if (p[0], p[1]) not in w])

    def bins(scores: np.ndarray) -> int:
        return len(np.unique(np.minimum((np.rint(scores * 10_000).astype(int) * HISTOGRAM_BINS) // 10_000,
                                        HISTOGRAM_BINS - 1)))

    bars = page.eval_on_selector_all("svg.histogram", "svgs => svgs.map(s => s.querySelectorAll('rect.bar').length)")
    assert bars == [bins(documents), bins(paragraphs)]

    table = page.eval_on_selector_all(
        "table.thresholds tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    model_threshold = mtdetect.load().threshold
    thresholds = [model_threshold if "model default" in row[0] else float(row[0].split()[0]) for row in table]
    assert f"{model_threshold:.4f}" in " ".join(row[0] for row in table)

    # Samples: up to 4 per band between the candidate thresholds.
    edges = [0.0, *thresholds, 1.01]
    expected = sum(min(4, int(((documents >= lo) & (documents < hi)).sum())) for lo, hi in zip(edges, edges[1:]))
    assert page.locator("#samples article.doc").count() == expected > 0

    # The threshold table equals counts taken from the scores directly.
    for row, t in zip(table, thresholds):
        assert int(row[1].replace(",", "")) == int((documents >= t).sum())
        assert row[2] == f"{100 * (documents >= t).mean():.2f}%"
        assert int(row[4].replace(",", "")) == int((paragraphs >= t).sum())
        assert row[5] == f"{100 * (paragraphs >= t).mean():.2f}%"
    assert page.locator("table.groups tbody tr").count() == len({r["site"] for r in records})
    assert page.locator("svg.histogram line.marker").count() == 2
    screenshot_is_not_blank(loaded)


def test_hostile_text_stays_text(browser: Browser, tmp_path: Path) -> None:
    big = ("The pier will reopen next spring . " * 30_000)[: 1 << 20]  # a 1 MB paragraph
    records = [
        {"text": "\n\n".join(HOSTILE), "site": HOSTILE[0]},
        {"text": big + "\n\n" + HOSTILE[4], "site": "<b>bold</b>\u202e"},
        {"text": "\n\n".join(PARAGRAPHS[:3]), "site": "javascript:alert(1)"},
    ]
    _, path = report(tmp_path, records, "--samples", "5", "--group-by", "site", name="<img src=x>.jsonl")
    html = path.read_text(encoding="utf-8")
    assert html.count("<script") == 0 and html.count("<style>") == 1

    loaded = browser.open(path)
    assert_clean_load(loaded, path)  # a script or event attribute would have broken the security policy
    page = loaded.page
    assert page.evaluate(f"window.{MARKER}") is None
    assert page.title().startswith("mtdetect report")
    counts = page.evaluate(
        "['script', 'img', 'iframe', 'a', 'style', '[onerror]', '[onload]']"
        ".map(s => document.querySelectorAll(s).length)"
    )
    assert counts == [0, 0, 0, 0, 1, 0, 0]
    # The visible text, without the flags' footnote numbers that follow marked spans.
    text = page.evaluate("document.querySelectorAll('sup').forEach(s => s.remove()) || document.body.innerText")
    for needle in (
        f"<script>window.{MARKER} = 1;",
        f'onerror="window.{MARKER} = 2"',
        f'<a href="javascript:window.{MARKER} = 3">',
        "<style>body { display: none }</style>",
        "</article></div></main><h1>fake heading</h1>",
        "\\u202eevil text\\u202c",  # the override is shown, not applied
        "NUL \\x00 and escape \\x1b[2J and bell \\x07",
        "<b>bold</b>\\u202e",
        "<img src=x>.jsonl",
        big[:200],
        f"Only the first {SAMPLE_CHARS:,} of {len(big) + 2 + len(HOSTILE[4]):,} characters are shown",
    ):
        assert needle in text, needle
    assert page.inner_text("h1") == "mtdetect report"  # nothing reordered or replaced the heading

    # Escaping alone keeps it inert: without the security policy, nothing runs either.
    open_page = path.with_name("no-policy.html")
    open_page.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html), encoding="utf-8")
    unguarded = browser.open(open_page)
    assert unguarded.console_errors == [] and unguarded.page.evaluate(f"window.{MARKER}") is None
    assert unguarded.page.title().startswith("mtdetect report")


def test_score_html_page(browser: Browser, tmp_path: Path) -> None:
    article = Path(__file__).resolve().parents[1] / "examples" / "article.txt"
    path = tmp_path / "article.html"
    with open(path, "w", encoding="utf-8") as out:
        assert main(["score", "--format", "html", str(article)], out=out) == 0
    loaded = browser.open(path)
    assert_clean_load(loaded, path)
    page = loaded.page
    paragraphs = [p for p in article.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    assert page.locator("article.doc").count() == 1
    assert page.locator("article.doc .para").count() == len(paragraphs)
    flags = page.locator("mark.flag")
    assert flags.count() > 0
    assert ":" in flags.first.get_attribute("title")  # the flag's message, on hover
    screenshot_is_not_blank(loaded)


def test_the_group_table_fits_a_1280_pixel_window(browser: Browser, tmp_path: Path) -> None:
    _, path = report(tmp_path, make_records(150), "--group-by", "site", "--threshold", "0.85")
    page = browser.open(path).page
    scroll_width, client_width = page.eval_on_selector("#groups .scroll", "d => [d.scrollWidth, d.clientWidth]")
    assert scroll_width <= client_width  # no horizontal scrolling: every threshold's column is in view
    headers = page.eval_on_selector_all("table.groups thead th", "cells => cells.map(c => c.innerText.trim())")
    assert "≥ 0.85" in headers and any(h.startswith("≥ 0.99") for h in headers)
