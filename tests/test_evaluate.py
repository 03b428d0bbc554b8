"""Tests for training.evaluate and training.plots: the dev-set protocol, metrics, caches and rendering.

Everything runs on tiny synthetic inputs (no classifier is trained here).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import mtdetect
from training import evaluate as ev
from training import plots
from training import train as tr
from training.dataset import Row
from mtdetect.features import REFERENCE_FEATURES
from training.train import Matrices

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


# --- sets, refits and the baseline ------------------------------------------------------------


def test_row_source_names_what_the_ablation_leaves_out():
    def row(source: str, kind: str, label: int = 1) -> Row:
        return Row("x", label, source, kind, f"{source}:d")

    assert ev.row_source(row("htvsmt", "mt:deepl-2021")) == "htvsmt"
    assert ev.row_source(row("htvsmt", "garble:split_date")) == "garble"  # damage on a real-MT human window
    assert ev.row_source(row("wmt24", "human:wmt24", 0)) == "web"
    assert ev.row_source(row("gum", "roundtrip:spa")) == "roundtrip"
    assert ev.row_source(row("mqm", "original", 0)) == "mqm"


def test_family_columns_cover_the_design():
    n_dense = len(ev.DENSE_FEATURES)
    cols = ev.family_columns(n_dense, 10, 5)
    assert set(cols) == {"artifact", "language", "word_class", "word"}
    joined = np.sort(np.concatenate(list(cols.values())))
    assert np.array_equal(joined, np.arange(n_dense + 15))


def test_ablation_tasks_leave_out_one_source_or_family_each():
    rows = [Row(f"t{i}", i % 2, source, kind, f"{source}:d{i}")
            for i, (source, kind) in enumerate([("htvsmt", "mt:a"), ("htvsmt", "human:english-original"),
                                                ("ewt", "human:ewt"), ("gum", "garble:x"), ("gum", "roundtrip:spa")] * 4)]
    extra = np.array([r.kind == "roundtrip:spa" for r in rows])
    tasks = {t.name: t for t in ev.ablation_tasks(rows, extra, (len(ev.DENSE_FEATURES), 4, 3), 100, 1)}
    everything = tasks["all sources, all features"]
    assert all(rows[i].kind != "roundtrip:spa" for i in everything.rows)  # round trips are not in the recipe
    assert all(ev.row_source(rows[i]) != "web" for i in tasks["without web"].rows)
    assert any(rows[i].kind == "roundtrip:spa" for i in tasks["with Apertium round trips"].rows)
    # the classifier as it ships: the reference model's features are the repost detector's
    assert len(tasks["without word features"].columns) == len(ev.DENSE_FEATURES) - len(REFERENCE_FEATURES) + 4
    assert len(everything.columns) == len(ev.DENSE_FEATURES) - len(REFERENCE_FEATURES) + 4 + 3


def test_real_mt_dev_pairs_each_system_with_its_human_kind(tmp_path):
    import gzip
    import json

    records = [
        {"text": "Human ref.", "label": "human", "kind": "human-reference", "system": "human", "doc_id": "a", "split": "dev"},
        {"text": "Machine.", "label": "mt", "kind": "mt-output", "system": "deepl", "doc_id": "a", "split": "dev"},
        {"text": "Original.", "label": "human", "kind": "english-original", "system": "human", "doc_id": "b", "split": "dev"},
        {"text": "Round.", "label": "mt", "kind": "round-trip", "system": "de>deepl", "doc_id": "b", "split": "dev"},
        {"text": "Trained on.", "label": "mt", "kind": "mt-output", "system": "deepl", "doc_id": "c", "split": "train"},
    ]
    path = tmp_path / "mt" / "htvsmt-deen-windows.jsonl.gz"
    path.parent.mkdir()
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    data, against = ev.real_mt_dev(tmp_path, "htvsmt")
    assert data.texts == ["Human ref.", "Machine.", "Original.", "Round."]  # the train split is never read
    assert against == {"deepl": "human-reference", "de>deepl": "english-original"}
    assert data.labels.tolist() == [0, 1, 0, 1]
    assert len(set(data.docs)) == 4  # one document per article and system


def test_measured_document_auc_uses_document_scores():
    scorer = ev.Scorer("s", lambda texts: np.array([1.0 if "mt" in t else -1.0 for t in texts]), 0.5, (1.0, 0.0, 0.0))
    data = ev.TextSet("set", ["mt one", "mt two", "human one", "human two"], np.array([1, 1, 0, 0]),
                      ["sys", "sys", "human-reference", "human-reference"], ["d1", "d1", "d2", "d3"])
    out = ev.Measured("s", 0.5)
    ev.measure_real_mt(scorer, data, {"sys": "human-reference"}, out)
    assert out.real_mt["set"].paragraph_auc == 1.0
    assert out.real_mt["set"].document_auc == 1.0
    assert out.real_mt["set: sys"].machine_rows == 2 and out.real_mt["set: sys"].human_rows == 2


def test_calibrate_fits_threshold_on_original_human_rows_only():
    rng = np.random.default_rng(0)
    rows, decisions = [], []
    for i in range(400):
        label = i % 2
        genre = "" if label else ("translation" if i % 4 == 0 else "news")
        rows.append(Row(f"text {i} " + "word " * 30, label, "htvsmt", "mt:a" if label else "human:x",
                        f"htvsmt:d{i // 8}", genre))
        decisions.append(rng.normal(2.0 * label, 1.0) + (3.0 if genre == "translation" else 0.0))
    cal = ev.calibrate(np.array(decisions), rows)
    scores = 1 / (1 + np.exp(-(cal.calibration[0] * np.array(decisions) + cal.calibration[1])))
    news = np.array([r.genre == "news" for r in rows])
    assert (scores[news] >= cal.threshold).mean() <= 0.02
    assert cal.threshold_rates["news"]["rows"] == news.sum()
    assert len(cal.document_calibration) == 3


def test_calibrate_counts_cross_fitted_rows_and_long_paragraphs_only():
    """The threshold rule pools the cross-fitted training paragraphs with the calibration split's,
    and counts paragraphs of 25 words or more only."""
    rows = [Row(("word " * 30 if i % 2 else "short"), i % 2, "htvsmt", "mt:a", f"htvsmt:d{i}", "") for i in range(40)]
    rows += [Row("word " * 30, 0, "ewt", "original", f"ewt:d{i}", "web:reviews") for i in range(60)]
    rows += [Row("short text", 0, "ewt", "original", f"ewt:s{i}", "web:reviews") for i in range(60)]
    decisions = np.r_[np.linspace(-1, 1, 40), np.zeros(60), np.full(60, 9.0)]
    held_out = tr.HeldOutHuman(np.r_[np.zeros(97), np.full(3, 5.0), np.full(20, 9.0)], ["web:email"] * 120,
                               [f"ewt:e{i}" for i in range(120)], np.full(120, 150.0),
                               np.r_[np.ones(100, dtype=bool), np.zeros(20, dtype=bool)])
    cal = ev.calibrate(decisions, rows, held_out)
    assert cal.threshold_rates["web:reviews"]["rows"] == 60  # the 60 short ones (scored 9.0) do not count
    assert cal.threshold_rates["web:email"]["rows"] == 100  # nor do the 20 cross-fitted short ones
    assert cal.threshold_rates["web:email"]["flagged"] <= 0.02  # three of 100 at 5.0 would be 3%
    assert cal.document_rates["all"]["rows"] == 60 + 120 + 60  # every held-out human document counts


def test_cross_fitted_human_holds_each_fold_out_once():
    rows = [Row("word " * 30, int(i % 3 == 0), "ewt", "original", f"ewt:d{i}", "" if i % 3 == 0 else "web:email")
            for i in range(60)]
    seen: list[set[int]] = []

    def fit_and_decide(train: np.ndarray, held: np.ndarray) -> np.ndarray:
        assert not set(train) & set(held)
        seen.append(set(held.tolist()))
        return held.astype(float)

    held_out = tr.cross_fitted_human(rows, fit_and_decide, jobs=1)
    human = [i for i, r in enumerate(rows) if r.genre]
    assert sorted(held_out.decisions.tolist()) == [float(i) for i in human]
    assert sorted(i for part in seen for i in part) == human and held_out.genres == ["web:email"] * len(human)


# --- caches --------------------------------------------------------------------------------


def _matrices(n: int = 3) -> Matrices:
    word_class = sp.csr_matrix(np.array([[0, 1.5], [0, 0], [2, 0]], dtype=np.float32)[:n])
    words = sp.csr_matrix(np.array([[1.0, 0, 0], [0, 0, 2.0], [0, 0, 0]], dtype=np.float32)[:n])
    return Matrices(np.arange(2 * n, dtype=np.float32).reshape(n, 2), word_class, words,
                    np.array([0, 1, 1], dtype=np.int8)[:n], ["htvsmt", "ewt", "garble"][:n])


def test_matrices_cache_round_trip_and_stale_digest(tmp_path):
    m = _matrices()
    path = tmp_path / "f.npz"
    ev.save_matrices(path, m, "abc")
    back = ev.load_matrices(path, "abc")
    assert back is not None
    assert np.array_equal(back.dense, m.dense) and np.array_equal(back.labels, m.labels)
    assert (back.word_class != m.word_class).nnz == 0 and (back.words != m.words).nnz == 0
    assert back.families == m.families
    assert ev.load_matrices(path, "other texts") is None
    assert ev.load_matrices(tmp_path / "missing.npz", "abc") is None


def test_cached_features_computes_once(tmp_path):
    calls = []
    rows = [Row("a", 0, "s", "human:s", "s:d"), Row("b", 1, "s", "mt:x", "s:d")]

    def compute():
        calls.append(1)
        return _matrices(2)

    for _ in range(2):
        ev.cached_features(tmp_path / "c.npz", rows, compute)
    assert len(calls) == 1
    ev.cached_features(tmp_path / "c.npz", [rows[0], Row("b", 0, "s", "human:s", "s:d")], compute)  # other labels
    assert len(calls) == 2


# --- rendering --------------------------------------------------------------------------------


def test_markdown_table_shape_and_escaping():
    table = ev.markdown_table(["a", "b", "c"], [[1, "x|y", None]], align="lrr").splitlines()
    assert table[0] == "| a | b | c |"
    assert table[1] == "|:--|--:|--:|"
    assert table[2] == "| 1 | x\\|y | None |"


def test_acceptance_block():
    block = ev.render_acceptance(
        [ev.Target("auc", 0.74, 0.75), ev.Target("fpr", 0.009, 0.01, at_most=True), ev.Target("seed", None, 0.9)],
        as_percent=["fpr"],
    )
    lines = block.splitlines()
    assert lines[2] == "| auc | >= 0.750 | 0.740 | FAIL |"
    assert lines[3] == "| fpr | <= 1.0% | 0.9% | PASS |"
    assert lines[4].endswith("| – | N/A |")


def _measured(auc: float, flagged: float) -> ev.Measured:
    m = ev.Measured("m", 0.9)
    m.real_mt = {"htvsmt": ev.SystemFigures(10, 10, auc, auc + 0.05), "htvsmt: a": ev.SystemFigures(10, 10, auc - 0.1, None)}
    m.human = {"web text (all)": (100, flagged), "web text: reviews": (50, flagged * 2)}
    m.dev = {"potet": ev.set_metrics(np.array([0, 1, 0, 1]), np.array([0.1, 0.95, 0.2, 0.4]), 0.9)}
    m.seed = {"001 flagged": 0.8, "001 document": 0.95, "004 flagged": 0.0, "004 document": 0.1}
    return m


def test_acceptance_targets_read_the_measured_figures():
    targets = {t.name: t for t in ev.acceptance_targets(_measured(0.8, 0.01))}
    assert targets["real-MT dev: paragraph ROC-AUC, all systems"].verdict == "FAIL"
    assert targets["real-MT dev: paragraph ROC-AUC, lowest system"].value == pytest.approx(0.7)
    assert targets["web text dev: flagged, highest genre"].value == pytest.approx(0.02)
    assert targets["dev set: newstest2014 ROC-AUC"].verdict == "N/A"
    assert targets["seed 001: document score, at least the threshold"].verdict == "PASS"
    assert targets["seed 004: document score, under the threshold"].verdict == "PASS"


def test_beats_baseline_compares_every_row():
    rows = ev.beats_baseline(_measured(0.8, 0.01), _measured(0.7, 0.005))
    verdicts = {name: verdict for name, _, _, verdict in rows}
    assert verdicts["htvsmt paragraph ROC-AUC"] == "yes"
    assert verdicts["web text (all) flagged"] == "no"  # more flagged than the baseline is worse
    assert "potet ROC-AUC" in verdicts
    assert verdicts["seed 004 flagged"] == "yes"  # equal shares of the original flagged: not behind


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
    bars = plots.flagged_bars(["a", "b"], [0.01, 0.04], [0.02, 0.0], tmp_path / "bars.png", "test",
                              limit=0.02, limit_label="2%: the rule", counts=[100, 25])
    for path in (roc, hist, bars):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 5000


def test_roc_panel_shows_the_threshold_off_the_origin_with_its_counts():
    """A threshold that flags 1 of 400 human paragraphs and 4 of 400 machine ones sits at rates of
    0.25% and 1%: on the symlog axes that is well inside the panel, and the legend gives the counts."""
    import matplotlib.pyplot as plt

    labels = np.repeat([0, 1], 400)
    scores = np.r_[np.linspace(0, 0.5, 399), 0.99, np.linspace(0.2, 0.8, 396), np.full(4, 0.99)]
    fig, ax = plt.subplots()
    plots.draw_roc(ax, [plots.Curve("set", labels, scores)], threshold=0.95)
    assert ax.get_xscale() == ax.get_yscale() == "symlog"
    dot = ax.lines[1]
    assert (dot.get_xdata()[0], dot.get_ydata()[0]) == (1 / 400, 4 / 400)
    x_axes, y_axes = ax.transLimits.transform((1 / 400, 4 / 400))  # 0..1 across the panel
    assert x_axes > 0.2 and y_axes > 0.3  # a linear axis would put it at 0.0025, 0.01: on the origin
    assert ax.get_legend_handles_labels()[1] == ["set (4 of 400 garbled, 1 of 400 clean flagged)"]
    plt.close(fig)


def test_report_leads_with_headline_figures_and_no_development_targets():
    ours, base = _measured(0.8, 0.01), _measured(0.7, 0.005)
    res = ev.Results(Path("models/default.card.json"), {}, ours, base, [], 0, {}, [], 12.0, "abc", ["a note"])
    report = ev.render_report(res)
    assert report.index("## Headline figures") < report.index("## Real machine translation")
    assert "| real MT (htvsmt dev): paragraph ROC-AUC | 0.800 | 0.700 | 10 MT, 10 human paragraphs |" in report
    assert "| human web text (dev): flagged | 1.0% | 0.5% | 100 paragraphs |" in report
    assert "Acceptance" not in report and "FAIL" not in report and "PASS" not in report


def test_main_rejects_a_missing_data_folder(tmp_path, capsys):
    assert ev.main(["--data", str(tmp_path / "nothing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


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


def test_a_saved_model_still_loads_after_its_dev_metrics_are_recorded(tmp_path: Path) -> None:
    """What ``make train`` then ``make evaluate`` write: the card's metrics change, the sealed fields do not."""
    from mtdetect.model import load_model, save_model

    model = mtdetect.load().model
    _, card_path = save_model(dataclasses.replace(model, card=dict(model.card)), tmp_path / "trained")
    ev.record_dev_metrics(card_path, {"note": "recorded"})
    loaded = load_model(card_path)
    assert loaded.card["metrics"]["dev_set"] == {"note": "recorded"} and loaded.threshold == model.threshold
