"""Retraining on a user's own pairs, the README's way: ``make train DATA=...`` in a copy of the project.

The copy gets a tiny default recipe (``BASE=``: the first rows of each shared data file)
so a run takes seconds, not the full recipe's minutes; the make variables that would
install packages point at the running environment instead (stamps already made, no
Debian packages to check).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from training import train as tr
from training.garble import garble

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
PROJECT_PARTS = ("Makefile", "pyproject.toml", "mtdetect", "training", "models")
BASE_ROWS = 120
"""Lines kept of each shared data file in the tiny default recipe."""

pytestmark = pytest.mark.skipif(not (DATA / "clean").is_dir(), reason="shared data not present")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def garbled_documents(count: int, paragraphs: int = 2) -> list[tuple[str, list[tuple[str, str]]]]:
    """``count`` GUM documents, each as ``(doc, [(original, garbled), ...])`` with the garbler's damage."""
    docs: dict[str, list[str]] = {}
    with open(DATA / "clean" / "gum-ccby-paragraphs.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if len(record["text"].split()) >= 25:
                docs.setdefault(record["doc"], []).append(record["text"])
    out = []
    for doc, texts in sorted(docs.items()):
        pairs = [(text, garble(text, random.Random(text))[0]) for text in texts[:paragraphs]]
        pairs = [(o, g) for o, g in pairs if o != g]
        if pairs:
            out.append((doc.replace("/", "_"), pairs))
        if len(out) == count:
            break
    return out


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def user_jsonl(path: Path, documents: int = 30) -> Path:
    """Pairs in the README's JSONL form with a ``doc`` and no ``genre``."""
    return write_jsonl(path, [
        {"original": o, "garbled": g, "source": "my-crawl", "kind": "repost", "doc": doc}
        for doc, pairs in garbled_documents(documents) for o, g in pairs
    ])


def user_folder(folder: Path, documents: int = 24) -> Path:
    """Pairs as a folder of ``NAME.original.txt`` / ``NAME.garbled.txt`` documents."""
    folder.mkdir()
    for doc, pairs in garbled_documents(documents):
        (folder / f"{doc}.original.txt").write_text("Home | News\n\n" + "\n\n".join(o for o, _ in pairs), encoding="utf-8")
        (folder / f"{doc}.garbled.txt").write_text("\n\n".join(g for _, g in pairs), encoding="utf-8")
    return folder


def head(source: Path, target: Path, lines: int) -> None:
    """The first ``lines`` lines of a (gzip) text file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8") as read, opener(target, "wt", encoding="utf-8") as write:
        for number, line in enumerate(read):
            if number > lines:
                break
            write.write(line)


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    """A shared-data folder with the default recipe's files, each cut to its first lines."""
    base = tmp_path_factory.mktemp("base")
    for source in [*DATA.glob("clean/*.jsonl*"), *DATA.glob("mt/*.jsonl.gz"), DATA / "mqm" / "mqm_ted_zhen.tsv"]:
        head(source, base / source.relative_to(DATA), BASE_ROWS)
    shutil.copytree(DATA / "seeds", base / "seeds")
    return base


@pytest.fixture()
def project(tmp_path) -> Path:
    """A copy of the project; make's install stamps stand ready so nothing gets installed."""
    copy = tmp_path / "project"
    copy.mkdir()
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / part)
    return copy


def make(project: Path, target: str, *variables: str) -> subprocess.CompletedProcess:
    """``make TARGET VARIABLES`` in ``project``, with the running Python as make's environment."""
    stamps = project / "stamps"
    stamps.mkdir(exist_ok=True)
    digest = subprocess.run("cat pyproject.toml | cksum | cut -d' ' -f1", shell=True, cwd=project,
                            capture_output=True, text=True, check=True).stdout.strip()
    for kind in ("base", "dev"):
        (stamps / f".installed-{kind}-{digest}").touch()
    environment = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        ["make", "--no-print-directory", target, *variables, f"VENV={stamps}",
         f"BIN={Path(sys.executable).parent}", "DEBIAN_PACKAGES="],
        cwd=project, env=environment, capture_output=True, text=True, timeout=300,
    )


def score(project: Path, model: str, text: str) -> float:
    result = subprocess.run(
        [sys.executable, "-m", "mtdetect", "score", "--model", model, "--format", "jsonl", "-"],
        cwd=project, input=text, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(project)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[0])["score"]


def test_make_train_adds_jsonl_pairs_without_genre_to_the_recipe(project, tiny_base, tmp_path) -> None:
    shipped = sha256(project / "models" / "default.npz")
    pairs = user_jsonl(tmp_path / "my-pairs.jsonl")
    result = make(project, "train", f"DATA={pairs}", f"BASE={tiny_base}")
    assert result.returncode == 0, result.stderr
    assert "adding your pairs to the default recipe" in result.stderr
    assert "name no genre" in result.stderr and "'your pairs'" in result.stderr
    assert sha256(project / "models" / "default.npz") == shipped
    card = json.loads((project / "models" / "my-pairs.card.json").read_text(encoding="utf-8"))
    added = card["training_data"]["user_pairs_added"]
    assert added["data_files"] == {"my-pairs.jsonl": sha256(pairs)}
    assert added["user_pair_counts"]["kept"] == added["user_pair_counts"]["read"] > 0
    assert "clean/gum-ccby-paragraphs.jsonl" in card["training_data"]["data_files"]  # the recipe's data too
    assert 0 <= score(project, "models/my-pairs", "Sales rose 8 percent in May, the company said.") <= 1


def test_make_train_only_on_a_folder_of_documents(project, tmp_path) -> None:
    shipped = sha256(project / "models" / "default.npz")
    folder = user_folder(tmp_path / "reposts")
    result = make(project, "train", f"DATA={folder}", "ONLY=1", "OUT=models/farm")
    assert result.returncode == 0, result.stderr
    assert "warning: training on your pairs alone:" in result.stderr
    rows = int(result.stderr.split("training on your pairs alone: ")[1].split(" rows")[0])
    assert rows > 40
    card = json.loads((project / "models" / "farm.card.json").read_text(encoding="utf-8"))
    assert card["training_data"]["user_pair_counts"]["documents"] == 24  # each document in one split
    assert card["threshold_rule"].startswith("fallback: 0.5")  # fewer than 100 held-out human paragraphs
    assert "falling back to 0.5" in result.stderr
    assert sha256(project / "models" / "default.npz") == shipped
    assert 0 <= score(project, "models/farm", "Sales rose 8 percent in May, the company said.") <= 1

    result = make(project, "evaluate", f"DATA={folder}", "OUT=models/farm")
    assert result.returncode == 0, result.stderr
    report = (project / "reports" / "farm-evaluation.md").read_text(encoding="utf-8")
    assert report.startswith("# models/farm on your pairs")
    assert "4 document(s): the test split of their documents (15% of them" in report  # 24 documents: 17/3/4
    table = report.split("## Your held-out pairs")[1]
    assert "| models/farm |" in table and "| models/default |" in table and " of " in table  # counts beside rates
    assert "No shared data at ../shared/data" in report


def run_train(args: list[str], capsys) -> tuple[int, str]:
    status = tr.main(args)
    return status, capsys.readouterr().err


def test_pairs_with_the_same_text_on_both_sides_are_refused(tmp_path, capsys) -> None:
    same = "The council met on Tuesday and approved the budget."
    pairs = write_jsonl(tmp_path / "same.jsonl", [{"original": same, "garbled": same, "source": "s", "kind": "k"}] * 3)
    status, err = run_train(["--data", str(pairs), "--only"], capsys)
    assert status == 2
    assert "none of the 3 pairs is usable: 3 with the same text on both sides" in err


def test_too_few_documents_to_train_on_alone_says_how_many_are_needed(tmp_path, capsys) -> None:
    pairs = write_jsonl(tmp_path / "two.jsonl", [
        {"original": o, "garbled": g, "source": "s", "kind": "k"} for _, p in garbled_documents(2, 1) for o, g in p
    ])
    status, err = run_train(["--data", str(pairs), "--only", "--out", str(tmp_path / "m")], capsys)
    assert status == 2
    assert "pairs of 2 document(s); training on pairs alone needs at least 20" in err
    assert not (tmp_path / "m.npz").exists()


def test_user_pairs_never_overwrite_the_shipped_model(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    pairs = user_jsonl(tmp_path / "default.jsonl", documents=2)
    status, err = run_train(["--data", str(pairs), "--out", "models/default"], capsys)
    assert status == 2 and "models/default is the shipped model" in err
    assert tr.user_model_stem(pairs) == Path("models/default-pairs")


def test_left_out_pairs_are_warned_about_and_counted_in_the_card(tmp_path, capsys) -> None:
    from training import sources

    (doc, [(original, garbled), *_]), *_ = garbled_documents(1)
    good = {"original": original, "garbled": garbled, "source": "s", "kind": "k", "doc": doc}
    pairs = write_jsonl(tmp_path / "p.jsonl", [good, good, {**good, "garbled": original}])
    records, description = sources.collect_user_pairs(pairs, seed=13)
    err = capsys.readouterr().err
    assert "warning: " + str(pairs) + ": left out 1 with the same text on both sides" in err
    assert "left out 1 repeated" in err
    assert description["user_pair_counts"] | {"typography_variants": 0} == {
        "read": 3, "kept": 1, "left_out": 2, "without_genre": 1, "documents": 1, "typography_variants": 0}
    assert {r["group"] for r in records} == {doc} and {r["genre"] for r in records} == {sources.USER_GENRE}
