"""Reference scores: the shipped model's exact scores on fixed inputs, to catch any drift.

A refactoring must leave every score bit for bit as it was. This module
defines the inputs (the case files, the example article and some hostile
documents), computes the scores of a model on them and writes them, as exact
``float.hex`` strings, to ``tests/cases/reference_scores.json`` together with
the sha256 of the model's weights. ``tests/test_reference_scores.py`` compares
the shipped model's scores with that file exactly.

A retrained model has other weights and other scores: record them anew with
``make reference-scores`` (``python -m qa.reference_scores``) and commit the
file with the model.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mtdetect

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
REFERENCE_FILE = CASES / "reference_scores.json"
ARTICLE = ROOT / "examples" / "article.txt"
FLAGS_KEPT = 20
"""Flags recorded per explanation (a long random paragraph has hundreds)."""
_WORDS = (
    "the minister said that the economy of the region grew by eight percent in March while "
    "officials warned about prices and wages"
).split()


def case_paragraphs() -> dict[str, list[str]]:
    """The texts of the case files (``human.jsonl``, ``garbled.jsonl``), in file order."""
    out = {}
    for name in ("human", "garbled"):
        lines = (CASES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        out[name] = [json.loads(line)["text"] for line in lines if line.strip()]
    return out


def _news(chars: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(chars // 5 + 10))[:chars]


def hostile_documents() -> dict[str, str]:
    """Documents that stress segmentation, folding and windowing, by name."""
    garbled = "The minister said , that the economy. of the region do n't grow."
    return {
        "empty": "",
        "blank": " \n\t\n \r\n",
        "control_characters": "The \x1b[31mminister\x07 said , that\x1b]0;title\x07 the economy. of it.",
        "nul": "Sales rose\x00 8 % in March. 2022, the the data\x00 show.",
        "right_to_left": "\u202eThe minister said\u202c that \u200fthe economy grew.\n\n\u2067quoted\u2069 text here.",
        "emoji": "Great news!!! 👍🏽😂 The team won , and we do n't care 🎉\n\n👨‍👩‍👧 family day",
        "lone_surrogates": "Half an emoji \ud83d and a low \ude00 half. of the text.",
        "cjk_and_german": "市议会周二在就新校舍进行长时间辩论后批准了预算。\n\n"
        "Der Rat hat den Haushalt nach einer langen Debatte über die Schulen genehmigt.\n\n" + garbled,
        "windows_line_endings": "First line of text.\r\nSecond line , with damage.\r\n\r\nThird. of them.",
        "numbered_list": "Shopping list:\n1. eggs\n2) flour\n(3) milk\n\nIt cost 3. 5 dollars. of course.",
        "typography": "“Yes,” he said… it’s “fine” — really -- it is...",
        "wordless": "!!! ... --- ???\n\n12 34 %\n\n",
        "long_paragraph": _news(150_000, seed=1) + " " + garbled,
        "long_word": "x" * 70_000 + " the economy. of the region",
        "many_paragraphs": "\n\n".join(_news(200 + 17 * i, seed=i) for i in range(40)),
    }


def _hex(values: Sequence[float]) -> list[str]:
    return [float(v).hex() for v in values]


def compute(detector: mtdetect.Detector) -> dict[str, Any]:
    """Every reference score of ``detector``'s model, as ``float.hex`` strings."""
    paragraphs = {name: _hex(detector.score_paragraphs(texts)) for name, texts in case_paragraphs().items()}
    documents = {"article": ARTICLE.read_text(encoding="utf-8"), **hostile_documents()}
    scored = {}
    for name, text in documents.items():
        result = detector.score_document(text)
        scored[name] = {
            "score": None if result.score is None else float(result.score).hex(),
            "paragraphs": [[p.start, p.end, float(p.score).hex()] for p in result.paragraphs],
        }
    return {
        "weights_sha256": detector.model.card["weights_sha256"],
        "threshold": float(detector.threshold).hex(),
        "paragraph_scores": paragraphs,
        "documents": scored,
        "explanations": {name: explanation(detector, text) for name, text in explained_paragraphs().items()},
    }


def explained_paragraphs() -> dict[str, str]:
    """Paragraphs whose explanation is recorded: damaged, clean, foreign and over one window long."""
    cases = case_paragraphs()
    hostile = hostile_documents()
    chosen = {f"garbled {i}": text for i, text in enumerate(cases["garbled"][::6])}
    chosen.update({f"human {i}": text for i, text in enumerate(cases["human"][::15])})
    chosen.update({name: hostile[name] for name in ("emoji", "cjk_and_german", "long_paragraph", "typography")})
    return chosen


def explanation(detector: mtdetect.Detector, paragraph: str) -> dict[str, Any]:
    """A paragraph's explanation: score and verdict, flags, contributions (``float.hex``)."""
    why = detector.explain(paragraph, top=10)
    return {
        "score": float(why.score).hex(),
        "garbled": why.garbled,
        "flag_count": len(why.flags),
        "flags": [[f.kind, f.start, f.end, f.message] for f in why.flags[:FLAGS_KEPT]],
        "contributions": [[c.feature, float(c.value).hex()] for c in why.contributions],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.reference_scores", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="model card, weights or folder (default: the bundled model)")
    parser.add_argument("--out", default=str(REFERENCE_FILE), help="file to write (default: %(default)s)")
    args = parser.parse_args(argv)
    reference = compute(mtdetect.load(args.model))
    Path(args.out).write_text(json.dumps(reference, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    count = sum(map(len, reference["paragraph_scores"].values())) + len(reference["documents"])
    count += len(reference["explanations"])
    print(f"wrote {count} reference scores of model {reference['weights_sha256'][:12]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
