"""Tests for training.evaluate and training.plots: the dev-set protocol, metrics, caches and rendering.

Everything runs on tiny synthetic inputs (no classifier is trained here).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from training import evaluate as ev
from training import plots
from training.dataset import split_of

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def dev_record(group: str, doc: str, label: str, system: str, text: str, testset: str = "potet") -> dict:
    return {"group_id": group, "doc_id": doc, "label": label, "system": system, "text": text, "testset": testset}


DEV_RECORDS = [
    dev_record("g1", "d1", "human", "ref", "The council approved the budget."),
    dev_record("g1", "d1", "mt", "sysA", "The council has approved the budget."),
    dev_record("g1", "d1", "mt", "sysB", "Council approved budget."),
    dev_record("g1", "d1", "mt_postedited", "post", "The council approved its budget."),
    dev_record("g2", "d2", "human", "ref", "The council approved the budget."),  # same reference text again
    dev_record("g2", "d2", "mt", "sysA", "The council it approved the budget."),
    dev_record("g3", "d3", "human", "ref", "Rain is expected tomorrow."),
    dev_record("g3", "d3", "mt_postedited", "post", "Rain expected tomorrow."),
]


# --- the dev-set protocol ----------------------------------------------------------------


def test_sample_dev_takes_one_human_and_one_mt_per_group():
    rows = ev.sample_dev(DEV_RECORDS)
    by_group: dict[str, list[int]] = {}
    for row in rows:
        by_group.setdefault(row.group_id, []).append(row.label)
    assert sorted(by_group["g1"]) == [0, 1]
    assert by_group["g3"] == [0]  # only a post-edited MT row: no MT paragraph taken
    assert all(r.system != "post" for r in rows)


def test_sample_dev_deduplicates_human_texts():
    rows = ev.sample_dev(DEV_RECORDS)
    humans = [r.text for r in rows if r.label == 0]
    assert len(humans) == len(set(humans)) == 2
    assert [r.label for r in rows if r.group_id == "g2"] == [1]


def test_sample_dev_is_deterministic_and_order_free():
    first = ev.sample_dev(DEV_RECORDS)
    second = ev.sample_dev(list(reversed(DEV_RECORDS)))
    assert first == second
    picks = {ev.sample_dev(DEV_RECORDS, salt=f"s{i}")[1].system for i in range(30)}
    assert picks == {"sysA", "sysB"}  # the MT pick depends on the hash, not on position


def test_dev_samples_halves_split_documents():
    records = [dev_record(f"g{i}", f"doc{i % 7}", label, "ref" if label == "human" else "m", f"text {i} {label}")
               for i in range(40) for label in ("human", "mt")]
    samples = ev.dev_samples(records)
    assert set(samples) == {"potet", "potet, even doc_ids", "potet, odd doc_ids"}
    even = {r.doc_id for r in samples["potet, even doc_ids"]}
    odd = {r.doc_id for r in samples["potet, odd doc_ids"]}
    assert even and odd and not even & odd
    assert len(samples["potet, even doc_ids"]) + len(samples["potet, odd doc_ids"]) == len(samples["potet"]) == 80
    assert all(ev.doc_half(d) == "even" for d in even)


# --- metrics -------------------------------------------------------------------------


def test_set_metrics_perfect_separation():
    m = ev.set_metrics(np.array([0, 0, 1, 1, 1]), np.array([0.1, 0.2, 0.7, 0.8, 0.95]), 0.75)
    assert (m.rows, m.garbled, m.clean) == (5, 3, 2)
    assert m.roc_auc == 1.0 and m.average_precision == 1.0
    assert m.true_positive_rate == pytest.approx(2 / 3)
    assert m.false_positive_rate == 0.0


def test_set_metrics_threshold_is_inclusive_and_one_class_sets_have_no_auc():
    clean_only = ev.set_metrics(np.zeros(4, dtype=int), np.array([0.1, 0.5, 0.5, 0.9]), 0.5)
    assert clean_only.roc_auc is None and clean_only.average_precision is None
    assert clean_only.true_positive_rate is None
    assert clean_only.false_positive_rate == 0.75


def test_inverted_scores_give_low_auc():
    labels = np.array([0, 1, 0, 1])
    assert ev.roc_auc_or_none(labels, -np.array([0.1, 0.9, 0.2, 0.8])) == 0.0
    assert ev.roc_auc_or_none(np.ones(3), np.zeros(3)) is None


# --- held-out sets and sources ---------------------------------------------------------------


def _doc_in(split: str) -> str:
    return next(f"d{i}" for i in range(1000) if split_of(f"s:d{i}") == split)


def test_heldout_sets_by_pivot_and_corruption():
    doc, other = _doc_in("test"), _doc_in("train")
    pairs = [
        {"original": "A b c.", "garbled": "A b c .", "kind": "garble:orphan_punctuation+split_date",
         "source": "s", "doc": doc},
        {"original": "A b c.", "garbled": "B a c.", "kind": "roundtrip:spa", "source": "s", "doc": doc},
        {"original": "A b c.", "garbled": "B a, c.", "kind": "roundtrip:spa+garble", "source": "s", "doc": doc},
        {"original": "A b c.", "garbled": "A  b c.", "kind": "typography", "source": "s", "doc": doc},
        {"original": "Other.", "garbled": "Other .", "kind": "garble:orphan_punctuation", "source": "s", "doc": other},
    ]
    sets = ev.heldout_sets(pairs)
    assert set(sets) == {("synthetic damage", "orphan_punctuation"), ("synthetic damage", "split_date"),
                         ("round trips", "spa"), ("round trips + damage", "spa")}
    assert sets[("synthetic damage", "orphan_punctuation")] == [("A b c.", 0), ("A b c .", 1)]  # train doc left out


def test_row_sources_and_kind_helpers():
    pairs = [
        {"original": "X y.", "garbled": "X, y.", "kind": "garble:orphan_punctuation", "source": "s", "doc": "d"},
        {"original": "X y.", "garbled": "X y!", "kind": "typography", "source": "s", "doc": "d"},
    ]
    made = ev.row_sources(pairs)
    assert made[("X y.", 0, "s:d")] == {"garble", "typography"}
    assert made[("X y!", 0, "s:d")] == {"typography"}  # typography variants are clean rows
    assert ev.corruption_names("garble:a+b") == ["a", "b"]
    assert ev.source_of_kind("roundtrip:epo+garble") == "roundtrip+garble"
    assert ev.source_of_kind("mqm") == "mqm"


def test_mqm_test_rows_find_the_held_out_mqm_pairs_in_the_test_split():
    from types import SimpleNamespace

    def pair(doc: str, original: str, garbled: str, kind: str = "mqm") -> dict:
        return {"original": original, "garbled": garbled, "kind": kind, "source": "mqm", "doc": doc}

    test_doc = next(d for d in (f"talk{i}" for i in range(100)) if split_of(f"mqm:{d}") == "test")
    train_doc = next(d for d in (f"talk{i}" for i in range(100)) if split_of(f"mqm:{d}") == "train")
    pairs = [pair(test_doc, "Human one.", "Machine one."), pair(test_doc, "Human one.", "Machine two."),
             pair(test_doc, "Human one.", "Human one, typed.", kind="typography"),
             pair(train_doc, "Human two.", "Machine three.")]
    rows = [SimpleNamespace(text=t) for t in ("Other.", "Machine two.", "Human one.", "Machine one.")]
    index, labels = ev.mqm_test_rows(SimpleNamespace(pairs=pairs, test_rows=rows))
    assert sorted(zip(index.tolist(), labels.tolist())) == [(1, 1), (2, 0), (3, 1)]


def test_recipe_weighting_follows_the_card():
    labels = np.array([0, 0, 1, 1, 1, 1])
    kinds = ["original", "original", "roundtrip:spa", "roundtrip:spa", "roundtrip:spa", "mqm"]
    family = ev.sample_weights(labels, kinds, ev.recipe_weighting({"classifier": {"type": "square root"}}))
    balanced = ev.sample_weights(labels, kinds, ev.recipe_weighting({}))
    assert family[5] > family[2]  # the small family weighs more per row
    assert balanced[5] == balanced[2]
    for w in (family, balanced):
        assert w[labels == 0].sum() == pytest.approx(w[labels == 1].sum())


def test_family_columns_cover_the_design():
    cols = ev.family_columns(len(ev.DENSE_FEATURES) + 10)
    assert set(cols) == {"artifact", "language", "word_class"}
    joined = np.sort(np.concatenate(list(cols.values())))
    assert np.array_equal(joined, np.arange(len(ev.DENSE_FEATURES) + 10))


# --- caches --------------------------------------------------------------------------------


def test_matrices_cache_round_trip_and_stale_digest(tmp_path):
    word_class = sp.csr_matrix(np.array([[0, 1.5], [0, 0], [2, 0]], dtype=np.float32))
    m = ev.Matrices(np.arange(6, dtype=np.float32).reshape(3, 2), word_class, np.array([0, 1, 1], dtype=np.int8))
    path = tmp_path / "f.npz"
    ev.save_matrices(path, m, "abc")
    back = ev.load_matrices(path, "abc")
    assert back is not None
    assert np.array_equal(back.dense, m.dense) and np.array_equal(back.labels, m.labels)
    assert (back.word_class != m.word_class).nnz == 0
    assert ev.load_matrices(path, "other texts") is None
    assert ev.load_matrices(tmp_path / "missing.npz", "abc") is None


def test_cached_features_computes_once(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return ev.Matrices(np.ones((2, 1), dtype=np.float32), sp.csr_matrix((2, 3), dtype=np.float32),
                           np.array([0, 1], dtype=np.int8))

    for _ in range(2):
        ev.cached_features(tmp_path / "c.npz", ["a", "b"], [0, 1], compute)
    assert len(calls) == 1
    ev.cached_features(tmp_path / "c.npz", ["a", "b"], [1, 1], compute)  # other labels: recomputed
    assert len(calls) == 2


# --- rendering --------------------------------------------------------------------------------


def test_markdown_table_shape_and_escaping():
    table = ev.markdown_table(["a", "b", "c"], [[1, "x|y", None]], align="lrr").splitlines()
    assert table[0] == "| a | b | c |"
    assert table[1] == "|:--|--:|--:|"
    assert table[2] == "| 1 | x\\|y | None |"


def test_metric_row_and_acceptance_block():
    m = ev.set_metrics(np.array([0, 1]), np.array([0.2, 0.9]), 0.5)
    expected = ["dev set", "potet", "2", "1", "1", "1.000", "1.000", "100.0%", "0.0%"]
    assert ev.metric_row("dev set", "potet", m) == expected
    block = ev.render_acceptance(
        [ev.Target("auc", 0.74, 0.75), ev.Target("fpr", 0.009, 0.01, at_most=True), ev.Target("seed", None, 0.9)],
        as_percent=["fpr"],
    )
    lines = block.splitlines()
    assert lines[2] == "| auc | >= 0.750 | 0.740 | FAIL |"
    assert lines[3] == "| fpr | <= 1.0% | 0.9% | PASS |"
    assert lines[4].endswith("| – | N/A |")


def test_acceptance_targets_read_the_right_sets():
    sets = [
        ev.EvalSet("dev set", "newstest2014", np.array([0, 1]), np.array([0.1, 0.9])),
        ev.EvalSet("dev set", "newstest2014, even doc_ids", np.array([0, 1]), np.array([0.9, 0.1])),
        ev.EvalSet("clean", "all clean held-out paragraphs", np.zeros(4, dtype=int), np.array([0.1, 0.2, 0.3, 0.99])),
    ]
    targets = {t.name: t for t in ev.acceptance_targets(sets, threshold=0.95)}
    assert targets["dev ROC-AUC, newstest2014"].value == 1.0
    assert targets["dev ROC-AUC, potet"].verdict == "N/A"
    assert targets["clean false-positive rate at the default threshold"].value == 0.25


def test_top_ngrams_recovered_from_hashed_columns():
    texts = ["The minister said , that sales rose.", "Sales rose in March."]
    columns = ev.ngram_columns(texts)
    coef = np.zeros(1 << 20)
    target = next(c for c, grams in columns.items() if any(" , " in g for g in grams))
    coef[target] = 3.0
    low = next(c for c in columns if c != target)
    coef[low] = -2.0
    pos, neg = ev.top_ngrams(coef, columns, k=5)
    assert pos[0][0] == target and pos[0][1] == 3.0
    assert any("␣,␣" in ev.display_ngram(g) for g in pos[0][2])
    assert [n[0] for n in neg] == [low]


def test_training_time_and_duration():
    assert ev.training_time({"training_seconds": 605}) == "10 min 5 s"
    assert ev.training_time({"classifier": {"C": 3}}) is None


# --- plots ------------------------------------------------------------------------------------


def test_plots_write_png_files(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 50)
    curves = [plots.Curve(f"set {i}", labels, np.clip(rng.normal(0.35 + 0.3 * labels, 0.2), 0, 1)) for i in range(12)]
    curves.append(plots.Curve("clean only", np.zeros(5, dtype=int), np.linspace(0, 1, 5)))
    roc = plots.roc_pr_figure(curves, tmp_path / "roc.png", "test", threshold=0.9)
    hist = plots.histogram_grid(curves[:3], tmp_path / "hist.png", "test", threshold=0.9)
    for path in (roc, hist):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 5000


# --- the seed plan (reads the shared seeds) --------------------------------------------------------


@pytest.mark.skipif(not (DATA / "seeds").is_dir(), reason="shared data not available")
def test_seed_plan_leaves_out_each_fold_and_its_round_trips():
    round_trip = {"original": "", "garbled": "A round trip of the first paragraph.", "kind": "roundtrip:spa"}
    from training.pairs import seed_pairs

    first = seed_pairs(DATA)[0]
    round_trip["original"] = first["original"]
    plan = ev.seed_plan(DATA, [round_trip], folds=3)
    assert sorted(set(plan.fold.tolist())) == [0, 1, 2]
    assert plan.labels.sum() == len(plan.labels) // 2
    for k in range(3):
        for text, fold in zip(plan.texts, plan.fold):
            assert (" ".join(text.split()) in plan.excluded[k]) == (fold == k)
    owner = int(plan.fold[plan.texts.index(first["original"])])
    assert round_trip["garbled"] in plan.excluded[owner]


def test_main_rejects_a_missing_data_folder(tmp_path, capsys):
    assert ev.main(["--data", str(tmp_path / "nothing")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_record_dev_metrics_writes_only_the_dev_block(tmp_path: Path) -> None:
    import json
    import shutil

    from mtdetect.errors import ModelError
    from mtdetect.model import card_path_for, default_model_path

    card_path = tmp_path / "default.card.json"
    shutil.copy(card_path_for(default_model_path()), card_path)
    before = json.loads(card_path.read_text(encoding="utf-8"))
    block = {"protocol": "test", "evaluated_at_commit": "abc"}
    ev.record_dev_metrics(card_path, block)
    after = json.loads(card_path.read_text(encoding="utf-8"))
    assert after["metrics"]["dev_set"] == block
    after["metrics"]["dev_set"] = before["metrics"]["dev_set"]
    assert after == before  # every other field as it was
    (tmp_path / "broken.card.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError):
        ev.record_dev_metrics(tmp_path / "broken.card.json", block)  # not a model card: refused, not rewritten
