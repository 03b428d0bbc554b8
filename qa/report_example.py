"""The README's example report: a made-up crawl of four sites, filtered, reported and photographed.

Run as ``python -m qa.report_example`` (``make report-example``). All
text is the project's own: the news templates of :mod:`qa.bench`
(damaged the way machine translation damages text, more often on the
content farm), ``examples/article.txt``, and the forum posts and foreign
paragraphs below. Steps:

1. write ``crawl.jsonl`` (fixed seed) under ``--out``;
2. ``mtdetect filter`` it, then ``mtdetect report --group-by site`` on the
   annotated records (``report.html``), and ``mtdetect score --format html``
   on ``examples/article.txt`` (``article.html``);
3. with ``--screenshots DIR``, open both pages in headless Chromium and save
   ``report-overview.png`` (summary, histograms, thresholds) and
   ``report-article.png`` (the article, paragraph by paragraph) there, in a
   palette of 96 colours to keep the files small.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from mtdetect.cli import main as mtdetect

from .bench import _damage, _sentence

ROOT = Path(__file__).resolve().parents[1]
SEED = 13
SITES = {  # site -> (documents, share of paragraphs damaged)
    "harbour-gazette.example": (180, 0.04),
    "newswire-mirror.example": (120, 0.7),
}
FORUM = "island-forum.example"
FORUM_POSTS = (
    "anyone know if the ferry is running tomorow?? the website says nothing and i need to get to the mainland",
    "lol the new pier looks great!!! cant wait for summer , see you all there :)",
    "My nan used to take us on that boat every sunday. so glad its coming back....",
    "Does anybody have the timetable for the winter? i think it changed in october but im not sure",
    "honestly the council should of fixed the road first, it floods every single year",
    "Thanks for the info Mairi! will pop into the bakery on saturday",
    "is the temporary pontoon ok for wheelchairs? asking for my dad",
    "This is the third time they've promised it. I'll believe it when i see it!!",
)
FOREIGN = "noticias-islas.example"
FOREIGN_PARAGRAPHS = (
    "El ayuntamiento aprobó el martes la reconstrucción del muelle, que las tormentas dañaron hace dos inviernos.",
    "Los vecinos de las islas llevan meses esperando una decisión sobre el transbordador y el nuevo horario.",
    "La obra costará unos cuatro millones de euros y debería terminar en dieciocho meses, según el puerto.",
)
FORUM_DOCUMENTS = 60
FOREIGN_DOCUMENTS = 12


def paragraph(rng: random.Random, damage: float) -> str:
    text = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
    return _damage(text, rng) if rng.random() < damage else text


def crawl(seed: int = SEED) -> Iterator[dict[str, object]]:
    """The example records, the same for the same seed."""
    rng = random.Random(seed)
    records: list[dict[str, object]] = []
    for site, (documents, damage) in SITES.items():
        for _ in range(documents):
            text = "\n\n".join(paragraph(rng, damage) for _ in range(rng.randint(2, 5)))
            records.append({"site": site, "text": text})
    for _ in range(FORUM_DOCUMENTS):
        records.append({"site": FORUM, "text": "\n\n".join(rng.sample(FORUM_POSTS, rng.randint(1, 3)))})
    for _ in range(FOREIGN_DOCUMENTS):
        records.append({"site": FOREIGN, "text": "\n\n".join(rng.sample(FOREIGN_PARAGRAPHS, 2))})
    article = (ROOT / "examples" / "article.txt").read_text(encoding="utf-8")
    records.append({"site": "newswire-mirror.example", "text": article})
    rng.shuffle(records)
    for number, record in enumerate(records):
        yield {"id": f"page-{number:04d}", **record}


def screenshots(report: Path, article: Path, folder: Path) -> list[Path]:
    from .browser import Browser

    folder.mkdir(parents=True, exist_ok=True)
    overview, view = folder / "report-overview.png", folder / "report-article.png"
    with Browser(width=1200, height=900) as browser:
        for page in (report, article):
            loaded = browser.open(page)
            if loaded.console_errors:
                raise RuntimeError(f"{page}: the browser reported errors: {loaded.console_errors}")
            tab = loaded.page
            if page == report:
                bottom = tab.eval_on_selector("#thresholds", "e => e.getBoundingClientRect().bottom + window.scrollY")
                tab.screenshot(path=str(overview), clip={"x": 0, "y": 0, "width": 1200, "height": bottom + 16},
                               full_page=True)
            else:
                tab.screenshot(path=str(view), full_page=True)
    for path in (overview, view):
        _shrink(path)
    return [overview, view]


def _shrink(path: Path, colours: int = 96) -> None:
    """Rewrite a screenshot with a palette of ``colours``: a third of the size, text still crisp."""
    from PIL import Image

    with Image.open(path) as image:
        palette = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.save(path, optimize=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("build/report-example"))
    parser.add_argument("--screenshots", type=Path, default=None, help="save the page's screenshots in this folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    raw, scored, page = args.out / "crawl.jsonl", args.out / "crawl-scored.jsonl", args.out / "report.html"
    article = args.out / "article.html"
    raw.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in crawl()), encoding="utf-8")
    for command in (
        ["filter", str(raw), "-o", str(scored)],
        ["report", str(scored), "--group-by", "site", "--samples", "3", "-o", str(page)],
    ):
        status = mtdetect(command)
        if status != 0:
            return status
    with open(article, "w", encoding="utf-8") as out:
        # A path relative to the working folder: the page shows it.
        status = mtdetect(["score", "--format", "html", os.path.relpath(ROOT / "examples" / "article.txt")], out=out)
        if status != 0:
            return status
    print(f"report: {page}\ndocument view: {article}")
    if args.screenshots is not None:
        for path in screenshots(page, article, args.screenshots):
            print(f"screenshot: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
