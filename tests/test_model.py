"""Tests for mtdetect.model: the weights-as-data format, its card and every integrity check.

Most tests build a small model from arrays, save it to a temporary folder and
damage it on purpose; a few check the bundled model's card.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

import mtdetect
from mtdetect import errors
from mtdetect.features import (
    DENSE_FEATURES,
    WORD_CLASS_HASH_BITS,
    WORD_HASH_BITS,
    LexicalTables,
    compute_features,
    lexical_pair_buckets,
    lexical_word_buckets,
)
from mtdetect.model import (
    CARD_SEAL,
    LOAD_EVENT,
    MAX_CARD_BYTES,
    MODEL_FORMAT,
    SHARED_MODELS,
    Model,
    card_digest,
    default_model_path,
    feature_layout,
    load_model,
    read_card,
    save_model,
    shared_model,
    write_npz,
)

N_DENSE = len(DENSE_FEATURES)
PARAGRAPHS = [
    "The minister said , that the economy. of the region do n't grow.",
    "The council met on Tuesday and approved the budget.",
    "A analysis the analysis of customs data shows 8 % growth.",
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bucket(key: str) -> int:
    """The lexical bucket of a word, or of a word pair written "first second"."""
    if " " in key:
        first, second = key.split(" ")
        return int(lexical_pair_buckets([(first, second)])[0])
    return int(lexical_word_buckets([key])[0])


def small_model(threshold: float = 0.7) -> Model:
    """A model built from arrays whose values survive the float32/float16 storage exactly."""
    rng = np.random.default_rng(7)
    words = sorted((bucket(w), z) for w, z in {"the": 7.5, "economy": 5.0, "council": 4.5, "fishery": 2.5}.items())
    pairs = sorted((bucket(p), c) for p, c in {"the economy": 3.0, "the council": 2.5}.items())
    coef = np.zeros(1 << WORD_CLASS_HASH_BITS, dtype=np.float32)
    coef[rng.choice(coef.size, 500, replace=False)] = rng.integers(-8, 9, 500) / 4
    word_coef = np.zeros(1 << WORD_HASH_BITS, dtype=np.float32)
    word_coef[rng.choice(word_coef.size, 300, replace=False)] = rng.integers(-8, 9, 300) / 4
    return Model(
        dense_mean=(rng.integers(0, 8, N_DENSE) / 8).astype(np.float32),
        dense_scale=(rng.integers(1, 8, N_DENSE) / 4).astype(np.float32),
        dense_coef=(rng.integers(-4, 9, N_DENSE) / 4).astype(np.float32),
        word_class_coef=coef,
        word_ngram_coef=word_coef,
        intercept=-1.25,
        calibration=(0.75, -0.5),
        document_calibration=(0.5, -0.25, 0.125),
        tables=LexicalTables(
            word_index=np.array([b for b, _ in words], dtype=np.int64),
            word_zipf=np.array([z for _, z in words], dtype=np.float32),
            pair_index=np.array([b for b, _ in pairs], dtype=np.int64),
            pair_log_count=np.array([c for _, c in pairs], dtype=np.float32),
        ),
        threshold=threshold,
        card={"name": "tiny", "metrics": {"note": "made in a test"}},
    )


@pytest.fixture()
def saved(tmp_path: Path) -> tuple[Model, Path, Path]:
    """A small model saved as tmp/tiny.npz + tmp/tiny.card.json."""
    model = small_model()
    weights, card = save_model(model, tmp_path / "tiny")
    return model, weights, card


def rewrite_card(card_path: Path, **changes) -> None:
    card = json.loads(card_path.read_text())
    for key, value in changes.items():
        if value is ...:
            del card[key]
        else:
            card[key] = value
    card_path.write_text(json.dumps(card))


def model_error(path, **kwargs) -> str:
    with pytest.raises(errors.ModelError) as info:
        load_model(path, **kwargs)
    assert isinstance(info.value, errors.MtdetectError)
    message = str(info.value)
    assert "\n" not in message
    return message


# -- round trip ---------------------------------------------------------------------------------


def test_save_writes_weights_and_card(saved) -> None:
    model, weights, card_path = saved
    assert weights.name == "tiny.npz" and card_path.name == "tiny.card.json"
    card = json.loads(card_path.read_text())
    assert card["format"] == MODEL_FORMAT
    assert card["weights_file"] == "tiny.npz"
    assert card["weights_sha256"] == sha256(weights)
    assert card["threshold"] == 0.7
    assert card["features"] == feature_layout()
    assert card["name"] == "tiny" and card["metrics"] == {"note": "made in a test"}
    assert model.card == card


def test_weights_are_plain_arrays_without_pickles(saved) -> None:
    model, weights, _ = saved
    with np.load(weights, allow_pickle=False) as data:
        names = set(data.files)
        # Word-class weights are stored sparse: only the non-zero ones.
        assert data["word_class_index"].size == np.count_nonzero(model.word_class_coef) > 400
        assert data["word_ngram_index"].size == np.count_nonzero(model.word_ngram_coef) > 200
        assert all(data[name].dtype != object for name in names)
    assert {"dense_mean", "dense_scale", "dense_coef", "word_class_index", "word_class_coef", "word_ngram_index",
            "word_ngram_coef", "intercept", "calibration", "document_calibration", "word_index", "word_zipf",
            "pair_index", "pair_log_count"} <= names


@pytest.mark.parametrize("which", ["card", "weights", "stem"])
def test_round_trip(saved, which: str) -> None:
    """A model loads from its card, its weights or the path stem training wrote it to (``models/NAME``)."""
    model, weights, card_path = saved
    loaded = load_model({"card": card_path, "weights": weights, "stem": weights.with_suffix("")}[which])
    for name in ("dense_mean", "dense_scale", "dense_coef", "word_class_coef", "word_ngram_coef"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name))
    assert loaded.document_calibration == model.document_calibration
    for name in ("word_index", "word_zipf", "pair_index", "pair_log_count"):
        np.testing.assert_array_equal(getattr(loaded.tables, name), getattr(model.tables, name))
    assert loaded.intercept == model.intercept and loaded.calibration == model.calibration
    assert loaded.threshold == model.threshold
    assert loaded.card == model.card
    batch = compute_features(PARAGRAPHS, loaded.tables)
    np.testing.assert_array_equal(loaded.probability(batch), model.probability(batch))


def test_folder_loads_its_default_model(tmp_path: Path) -> None:
    model = small_model(threshold=0.25)
    save_model(model, tmp_path / "default")
    assert load_model(tmp_path).threshold == 0.25
    assert mtdetect.load(tmp_path).threshold == 0.25


def test_saving_is_deterministic(tmp_path: Path) -> None:
    a, _ = save_model(small_model(), tmp_path / "a")
    b, _ = save_model(small_model(), tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()


def test_write_npz_is_readable_by_numpy(tmp_path: Path) -> None:
    arrays = {"b": np.arange(5, dtype=np.int32), "a": np.array([0.5, 1.5], dtype=np.float16)}
    with open(tmp_path / "x.npz", "wb") as handle:
        write_npz(handle, arrays)
    with np.load(tmp_path / "x.npz", allow_pickle=False) as data:
        assert sorted(data.files) == ["a", "b"]
        np.testing.assert_array_equal(data["b"], arrays["b"])
        np.testing.assert_array_equal(data["a"], arrays["a"])


def test_probability_is_the_documented_formula() -> None:
    model = small_model()
    batch = compute_features(PARAGRAPHS, model.tables)
    z = ((batch.dense - model.dense_mean) / model.dense_scale) @ model.dense_coef
    z = z + batch.word_class @ model.word_class_coef + batch.words @ model.word_ngram_coef + model.intercept
    a, b = model.calibration
    expected = 1 / (1 + np.exp(-(a * z + b)))
    np.testing.assert_allclose(model.decision(batch), z, rtol=1e-6)
    np.testing.assert_allclose(model.probability(batch), expected, rtol=1e-6)
    assert ((0 < expected) & (expected < 1)).all() and np.ptp(expected) > 0


def test_saved_files_follow_the_umask(saved) -> None:
    _, weights, card_path = saved
    umask = os.umask(0)
    os.umask(umask)
    for path in (weights, card_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


# -- integrity: checksum, truncation, edits, versions, missing files -------------------------------


def test_checksum_mismatch(saved) -> None:
    _, weights, card_path = saved
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    message = model_error(card_path)
    assert message == errors.MODEL_CHECKSUM.format(path=weights)


def test_truncated_weights(saved) -> None:
    _, weights, card_path = saved
    weights.write_bytes(weights.read_bytes()[:1000])
    assert "do not match the checksum" in model_error(card_path)


def test_truncated_weights_with_a_matching_checksum(saved) -> None:
    _, weights, card_path = saved
    weights.write_bytes(weights.read_bytes()[:1000])
    rewrite_card(card_path, weights_sha256=sha256(weights))
    assert "is damaged" in model_error(card_path)


def replace_weights(weights: Path, card_path: Path, arrays: dict[str, np.ndarray], seal: bool = True) -> None:
    """Write other arrays as the weights, sealed with the card's checksum (unless ``seal`` is false),
    and re-sign the card, so only the arrays are wrong."""
    card = json.loads(card_path.read_text())
    with open(weights, "wb") as handle:
        write_npz(handle, {**arrays, CARD_SEAL: np.array([card_digest(card)])} if seal else arrays)
    rewrite_card(card_path, weights_sha256=sha256(weights))


def test_weights_missing_an_array(saved) -> None:
    model, weights, card_path = saved
    arrays = model.to_arrays()
    del arrays["dense_coef"]
    replace_weights(weights, card_path, arrays)
    assert "is damaged" in model_error(card_path)


def test_weights_with_the_wrong_shape(saved) -> None:
    model, weights, card_path = saved
    arrays = model.to_arrays()
    arrays["dense_coef"] = arrays["dense_coef"][:-1]
    replace_weights(weights, card_path, arrays)
    assert "is damaged" in model_error(card_path)


@pytest.mark.parametrize(("key", "edit"), [
    ("threshold", lambda card: card["threshold"] - 0.1),  # 0.9964 -> 0.8964: one byte of the card
    ("metrics", lambda card: {"note": "edited"}),  # what the card only tells people: loads
])
def test_a_card_edited_where_it_changes_decisions_is_refused(saved, key: str, edit) -> None:
    _, _, card_path = saved
    card = json.loads(card_path.read_text())
    rewrite_card(card_path, **{key: edit(card)})
    if key != "threshold":
        assert load_model(card_path).threshold == card["threshold"]
        return
    assert model_error(card_path) == errors.MODEL_CARD_EDITED.format(
        path=card_path, fields="format, threshold or features")
    assert model_error(card_path, sha256=sha256(card_path.with_name(card["weights_file"])))  # pinned: refused too


def test_the_bundled_card_edited_by_one_byte_is_refused(tmp_path: Path) -> None:
    card = default_model_path()
    shutil.copy(card.with_name("default.npz"), tmp_path / "default.npz")
    text = card.read_text(encoding="utf-8")
    shown = json.dumps(json.loads(text)["threshold"])
    edited = text.replace(f'"threshold": {shown}', f'"threshold": {shown[:2]}{(int(shown[2]) + 9) % 10}{shown[3:]}')
    assert edited != text and len(edited) == len(text)
    (tmp_path / "default.card.json").write_text(edited, encoding="utf-8")
    assert "does not match its weights" in model_error(tmp_path)


def test_a_new_threshold_is_saved_with_the_model(saved) -> None:
    model, _, card_path = saved
    model.threshold = 0.3
    save_model(model, card_path.with_name("tiny"))
    assert load_model(card_path).threshold == 0.3


def test_weights_saved_without_the_card_checksum_are_refused(saved) -> None:
    model, weights, card_path = saved
    replace_weights(weights, card_path, model.to_arrays(), seal=False)
    assert model_error(card_path) == errors.MODEL_CARD_UNSEALED.format(path=weights)


def test_edited_card_checksum(saved) -> None:
    _, weights, card_path = saved
    rewrite_card(card_path, weights_sha256="0" * 64)
    assert model_error(card_path) == errors.MODEL_CHECKSUM.format(path=weights)


def test_edited_card_feature_layout(saved) -> None:
    _, _, card_path = saved
    card = json.loads(card_path.read_text())
    card["features"]["dense"] = card["features"]["dense"][::-1]
    card_path.write_text(json.dumps(card))
    assert "feature layout differs" in model_error(card_path)
    rewrite_card(card_path, features=...)
    assert "feature layout differs" in model_error(card_path)


@pytest.mark.parametrize("key", ["weights_file", "weights_sha256", "threshold"])
def test_card_missing_a_key(saved, key: str) -> None:
    _, _, card_path = saved
    rewrite_card(card_path, **{key: ...})
    assert f"no {key!r}" in model_error(card_path)


@pytest.mark.parametrize("found", ["mtdetect-model/2", "mtdetect-model/0", None])
def test_card_of_another_format_version(saved, found) -> None:
    _, _, card_path = saved
    rewrite_card(card_path, format=found)
    message = model_error(card_path)
    assert message == errors.MODEL_FORMAT.format(path=card_path, found=found, expected=MODEL_FORMAT)
    assert repr(found) in message and MODEL_FORMAT in message


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "", "\udcff"])
def test_card_that_is_not_a_json_object(saved, text: str) -> None:
    _, _, card_path = saved
    card_path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert "is damaged" in model_error(card_path)


@pytest.mark.parametrize("name", ["sub/tiny.npz", "/etc/passwd", None])
def test_card_with_a_bad_weights_file(saved, name) -> None:
    _, _, card_path = saved
    rewrite_card(card_path, weights_file=name)
    assert "is damaged" in model_error(card_path)


@pytest.mark.parametrize("threshold", ["high", 1.5, -1])
def test_card_with_a_bad_threshold(saved, threshold) -> None:
    _, _, card_path = saved
    rewrite_card(card_path, threshold=threshold)
    assert "is damaged" in model_error(card_path)


def test_missing_card(tmp_path: Path) -> None:
    path = tmp_path / "nothing.card.json"
    assert model_error(path) == errors.MODEL_MISSING.format(path=path)
    assert model_error(tmp_path) == errors.MODEL_MISSING.format(path=tmp_path / "default.card.json")
    assert model_error(tmp_path / "nothing.npz") == errors.MODEL_MISSING.format(path=path)


def test_missing_weights(saved) -> None:
    _, weights, card_path = saved
    weights.unlink()
    assert model_error(card_path) == errors.MODEL_MISSING.format(path=weights)


def test_load_reports_errors_at_once(tmp_path: Path) -> None:
    with pytest.raises(errors.ModelError, match="model file not found"):
        mtdetect.load(tmp_path / "missing.card.json")


@pytest.mark.parametrize(("make", "kind"), [
    (lambda path: path.symlink_to("/dev/zero"), "a character device"),  # read, it never ends
    (lambda path: os.mkfifo(path), "a FIFO"),  # opened, it waits for a writer that never comes
])
def test_a_model_that_is_no_regular_file_is_refused_unread(tmp_path: Path, make, kind: str) -> None:
    for name in ("model.card.json", "model.joblib"):
        path = tmp_path / name
        make(path)
        done = subprocess.run([sys.executable, "-m", "mtdetect", "score", "--model", str(path), "--trust-pickle",
                               "--sha256", "0" * 64, "-"], input=b"Hello.", capture_output=True, timeout=60)
        assert (done.returncode, done.stderr.decode()) == (
            2, "mtdetect: error: " + errors.MODEL_NOT_A_FILE.format(path=path, kind=kind) + "\n"), name
        path.unlink()


def test_a_card_too_large_for_one_is_refused_unread(saved) -> None:
    _, _, card_path = saved
    with open(card_path, "ab") as card:
        card.truncate(MAX_CARD_BYTES + 1)
    assert model_error(card_path) == errors.MODEL_CARD_TOO_LARGE.format(path=card_path, limit=MAX_CARD_BYTES)
    with pytest.raises(errors.ModelError, match="too large for a model card"):
        shared_model(card_path)


# -- pickles: refused unless trusted, with a checksum ------------------------------------------------


@pytest.fixture()
def pickled(tmp_path: Path) -> tuple[Model, Path]:
    model = small_model(threshold=0.4)
    path = tmp_path / "tiny.joblib"
    joblib.dump(model, path)
    return model, path


def test_pickle_refused_without_trust(pickled) -> None:
    _, path = pickled
    digest = sha256(path)
    untrusted = errors.MODEL_PICKLE_UNTRUSTED.format(path=path)
    assert model_error(path) == untrusted
    assert model_error(path, sha256=digest) == untrusted
    assert model_error(path, trust=True) == untrusted  # trust alone is not enough
    with pytest.raises(errors.ModelError, match="is a pickle"):
        mtdetect.load(path)


def test_pickle_with_the_wrong_checksum(pickled) -> None:
    _, path = pickled
    assert model_error(path, trust=True, sha256="ab" * 32) == errors.MODEL_UNEXPECTED.format(path=path, found=sha256(path))


def test_pickle_loaded_with_trust_and_checksum(pickled) -> None:
    model, path = pickled
    for digest in (sha256(path), sha256(path).upper()):
        loaded = load_model(path, trust=True, sha256=digest)
        assert loaded.threshold == 0.4
        batch = compute_features(PARAGRAPHS, loaded.tables)
        np.testing.assert_array_equal(loaded.probability(batch), model.probability(batch))
    detector = mtdetect.load(path, trust=True, sha256=sha256(path))
    assert detector.threshold == 0.4
    np.testing.assert_array_equal(
        detector.score_paragraphs(PARAGRAPHS), model.probability(compute_features(PARAGRAPHS, model.tables))
    )


@pytest.mark.parametrize("suffix", [".pkl", ".pickle"])
def test_pickle_of_something_else(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"other{suffix}"
    joblib.dump({"not": "a model"}, path)
    assert "holds a dict, not an mtdetect Model" in model_error(path, trust=True, sha256=sha256(path))


def test_missing_pickle(tmp_path: Path) -> None:
    path = tmp_path / "gone.pkl"
    assert model_error(path, trust=True, sha256="0" * 64) == errors.MODEL_MISSING.format(path=path)


# -- the bundled model ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_card() -> dict:
    return read_card(default_model_path())


def test_bundled_card(bundled_card: dict) -> None:
    path = default_model_path()
    assert path.name == "default.card.json" and path.is_file()
    assert bundled_card["format"] == MODEL_FORMAT
    assert bundled_card["features"] == feature_layout()
    assert bundled_card["weights_sha256"] == sha256(path.with_name(bundled_card["weights_file"]))
    assert 0 < bundled_card["threshold"] < 1
    assert bundled_card["mtdetect_version"] == mtdetect.__version__
    assert {"numpy", "python", "scikit-learn"} <= set(bundled_card["versions"])
    assert bundled_card["training_data"]["data_files"]
    assert all(len(h) == 64 for h in bundled_card["training_data"]["data_files"].values())
    assert bundled_card["metrics"]


def test_bundled_card_has_dev_set_metrics(bundled_card: dict) -> None:
    """`make evaluate` records the dev-set figures (scored only, never trained on) in the card."""
    dev = bundled_card["metrics"]["dev_set"]
    for testset in ("newstest2014", "potet"):
        figures = dev[testset]
        assert 0.5 < figures["roc_auc"] <= 1 and 0 < figures["average_precision"] <= 1
        assert 0 <= figures["false_positive_rate"] <= 1 and 0 <= figures["true_positive_rate"] <= 1
        assert figures["garbled"] > 100 and figures["clean"] > 100


def test_bundled_model_keeps_dev_set_out_of_training(bundled_card: dict) -> None:
    assert not [name for name in bundled_card["training_data"]["data_files"] if name.startswith("dev/")]


def test_bundled_model_arrays_and_weight_signs() -> None:
    model = load_model()
    assert model.dense_coef.shape == model.dense_mean.shape == model.dense_scale.shape == (N_DENSE,)
    assert (model.dense_scale > 0).all()
    assert model.word_class_coef.shape == (1 << WORD_CLASS_HASH_BITS,)
    assert model.word_ngram_coef.shape == (1 << WORD_HASH_BITS,)
    for table in ("word_index", "pair_index"):
        index = getattr(model.tables, table)
        assert (np.diff(index) > 0).all(), f"{table} must be sorted and unique"
    # Each dense weight stays on the side its FeatureSpec allows.
    for spec, weight in zip(DENSE_FEATURES, model.dense_coef):
        assert spec.direction * weight >= 0, (spec.name, weight)


def test_bundled_model_loads_from_a_copy(tmp_path: Path) -> None:
    source = default_model_path()
    card = json.loads(source.read_text())
    shutil.copy(source, tmp_path / source.name)
    shutil.copy(source.with_name(card["weights_file"]), tmp_path / card["weights_file"])
    assert mtdetect.load(tmp_path).threshold == card["threshold"]
    assert mtdetect.load(tmp_path / card["weights_file"]).threshold == card["threshold"]


def test_sha256_pins_a_card_model_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--sha256 is checked for every model format: for a card, a weights file or a folder, against the weights."""
    card = default_model_path()
    weights = card.with_name(json.loads(card.read_text(encoding="utf-8"))["weights_file"])
    digest = sha256(weights)
    for given in (card, weights, card.parent):
        assert load_model(given, sha256=digest.upper()).card["weights_sha256"] == digest
        assert model_error(given, sha256="ab" * 32) == errors.MODEL_UNEXPECTED.format(path=weights, found=digest)
    from mtdetect.cli import main

    text = tmp_path / "a.txt"
    text.write_text("The council met on Tuesday.\n", encoding="utf-8")
    assert main(["score", "--sha256", "ab" * 32, str(text)]) == 2
    assert capsys.readouterr().err.startswith(f"mtdetect: error: model file {weights} has sha256 {digest}, not the one")


# -- one read per process --------------------------------------------------------------------------

_LOADS: list[str] = []


def _count_loads(event: str, args: tuple) -> None:
    if event == LOAD_EVENT:
        _LOADS.append(args[0])


sys.addaudithook(_count_loads)  # audit hooks stay for the process; this one only appends to a list


def loads_of(path: Path) -> int:
    return sum(1 for p in _LOADS if Path(p).resolve().parent == path.resolve().parent)


def test_shared_model_reads_a_file_once(saved) -> None:
    _, weights, card_path = saved
    first = shared_model(card_path)
    assert shared_model(card_path) is first and shared_model(weights) is first  # card or weights: one model
    assert mtdetect.load(card_path).model is first
    assert loads_of(card_path) == 1


def test_shared_model_reads_a_rewritten_model_again(saved) -> None:
    model, weights, card_path = saved
    first = shared_model(card_path)
    model.threshold = 0.25
    save_model(model, card_path.with_name("tiny"))  # the card's text is part of the key
    assert shared_model(card_path).threshold == 0.25
    arrays = model.to_arrays()
    arrays["intercept"] = arrays["intercept"] + 1
    replace_weights(weights, card_path, arrays)
    assert shared_model(card_path).intercept == first.intercept + 1
    assert loads_of(card_path) == 3


def test_shared_model_errors_are_load_errors(saved) -> None:
    _, weights, card_path = saved
    shared_model(card_path)
    weights.write_bytes(b"not a zip")  # the card still names it: the new file is read and refused
    with pytest.raises(errors.ModelError, match="do not match the checksum"):
        shared_model(card_path)
    with pytest.raises(errors.ModelError, match="model file not found"):
        shared_model(card_path.with_name("missing.card.json"))


def test_shared_model_checks_a_given_sha256_every_time(saved) -> None:
    _, weights, card_path = saved
    shared_model(card_path)  # shared without a pinned hash ...
    with pytest.raises(errors.ModelError):  # ... is not handed out for a wrong one
        shared_model(card_path, sha256="ab" * 32)
    assert shared_model(card_path, sha256=sha256(weights)).card["weights_sha256"] == sha256(weights)


def test_shared_model_keeps_a_few_models(tmp_path: Path) -> None:
    paths = [save_model(small_model(threshold=0.5 + i / 100), tmp_path / f"m{i}")[1] for i in range(SHARED_MODELS + 1)]
    models = [shared_model(p) for p in paths]
    assert shared_model(paths[-1]) is models[-1]
    assert shared_model(paths[0]) is not models[0]  # the oldest was let go
