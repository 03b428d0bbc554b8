"""The model format: fitted parameters stored as data, beside a model card.

A model is two files with one stem: ``NAME.npz`` holds the weights as plain
arrays (no pickled code, readable by any numpy), ``NAME.card.json`` holds the
model card: format version, feature layout, threshold, training data, metrics
and the sha256 of the weights, checked on every load.

Scoring is ``p = sigmoid(a * z + b)`` with the linear decision value
``z = scaled_dense · dense_coef + word_class · word_class_coef + words · word_ngram_coef + intercept``
and the calibration ``(a, b)`` fitted on held-out pairs; ``a * z + b`` is the
paragraph's calibrated log-odds. A document's score combines its paragraphs'
calibrated log-odds with a second calibration fitted on held-out documents
(:func:`mtdetect.results.document_score`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import sys
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any

import numpy as np

from . import errors
from .atomic import atomic_writer
from .features import (
    FEATURE_VERSION,
    LEXICAL_HASH_BITS,
    TRIGRAM_HASH_BITS,
    WORD_CLASS_HASH_BITS,
    WORD_CLASS_NGRAMS,
    WORD_HASH_BITS,
    WORD_NGRAMS,
    FeatureBatch,
    LexicalTables,
    dense_feature_names,
)
from .lexicon import FUNCTION_WORDS
from .results import logistic
from .wordclass import SUFFIX_CLASSES

ENV_MODEL = "MTDETECT_MODEL"
"""The environment variable naming the model :func:`mtdetect.load` loads by default."""
MODEL_FORMAT = "mtdetect-model/1"
"""The format this version reads and writes; a card with another format is refused."""
DEFAULT_MODEL_NAME = "default"
CARD_SUFFIX = ".card.json"
WEIGHTS_SUFFIX = ".npz"
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")
LOAD_EVENT = "mtdetect.load_model"
"""Audit event (:func:`sys.audit`) raised with the path each time a model is read from disk."""
MAX_CARD_BYTES = 1 << 22
"""A model card is a few kilobytes of JSON; a larger "card" is some other file, refused unread."""
SHARED_MODELS = 4
"""Models :func:`shared_model` keeps per process; the least recently used one goes first."""

_ARRAYS = (
    "dense_mean",
    "dense_scale",
    "dense_coef",
    "word_class_index",
    "word_class_coef",
    "word_ngram_index",
    "word_ngram_coef",
    "intercept",
    "calibration",
    "document_calibration",
    "repost_coef",
    "repost_calibration",
    "word_index",
    "word_zipf",
    "pair_index",
    "pair_log_count",
    "count_index",
    "count_log_count",
    "trigram_index",
    "trigram_log_count",
)


CARD_SEAL = "card_sha256"
"""The array of a model's weights holding :func:`card_digest` of its card: the card's fields that
change decisions are then covered by the weights' own checksum (the card's ``weights_sha256``, or
``--sha256``)."""
SEALED_CARD_FIELDS = ("format", "threshold", "features")
"""The card fields a loaded model decides by (calibrations and weights live in the ``.npz``)."""


def card_digest(card: Mapping[str, Any]) -> str:
    """The sha256 of a card's :data:`SEALED_CARD_FIELDS`, written as canonical JSON.

    >>> card_digest({"format": "f", "threshold": 0.5, "features": {}}) == card_digest(
    ...     {"features": {}, "threshold": 0.5, "format": "f", "metrics": {"any": "thing"}})
    True
    """
    sealed = {key: card.get(key) for key in SEALED_CARD_FIELDS}
    return hashlib.sha256(json.dumps(sealed, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def feature_layout() -> dict[str, Any]:
    """What the features of this version look like; a model must match it.

    >>> feature_layout()["word_class_hash_bits"]
    20
    """
    return {
        "version": FEATURE_VERSION,
        "dense": dense_feature_names(),
        "lexical_hash_bits": LEXICAL_HASH_BITS,
        "word_class_hash_bits": WORD_CLASS_HASH_BITS,
        "word_class_ngrams": list(WORD_CLASS_NGRAMS),
        "trigram_hash_bits": TRIGRAM_HASH_BITS,
        "word_hash_bits": WORD_HASH_BITS,
        "word_ngrams": list(WORD_NGRAMS),
        "word_classes_sha256": hashlib.sha256(
            json.dumps([sorted(FUNCTION_WORDS), SUFFIX_CLASSES]).encode()
        ).hexdigest(),
    }


@dataclass
class Model:
    """Fitted parameters of the paragraph classifier."""

    dense_mean: np.ndarray
    dense_scale: np.ndarray
    dense_coef: np.ndarray
    word_class_coef: np.ndarray  # dense vector over 2**WORD_CLASS_HASH_BITS columns
    word_ngram_coef: np.ndarray  # dense vector over 2**WORD_HASH_BITS columns
    intercept: float
    calibration: tuple[float, float]
    tables: LexicalTables
    threshold: float
    document_calibration: tuple[float, float, float] = (1.0, 0.0, 0.0)
    card: dict[str, Any] = field(default_factory=dict)
    repost_coef: np.ndarray | None = None
    """The repost detector: weights of the standardised dense features, then its intercept (None:
    a model without one). It sees broken word choice and order (spinners, round trips)."""
    repost_calibration: tuple[float, float] = (1.0, 0.0)

    def standardised(self, batch: FeatureBatch) -> np.ndarray:
        """The batch's dense features, standardised as both detectors read them (float64)."""
        return (batch.dense.astype(np.float64) - self.dense_mean) / self.dense_scale

    def decision(self, batch: FeatureBatch, dense: np.ndarray | None = None) -> np.ndarray:
        """The linear decision value of each row (before calibration); ``dense``: :meth:`standardised`
        of the batch, when the caller has it already."""
        # Row by row in float64 (no BLAS matrix product, whose rounding depends on
        # the batch shape): a paragraph gets the same score in any batch.
        dense = self.standardised(batch) if dense is None else dense
        z = (
            (dense * self.dense_coef).sum(axis=1)
            + batch.word_class_dot(self.word_class_coef)
            + batch.words_dot(self.word_ngram_coef)
        )
        return np.asarray(z, dtype=np.float64) + self.intercept

    def repost_decision(self, batch: FeatureBatch, dense: np.ndarray | None = None) -> np.ndarray | None:
        """The repost detector's decision value of each row (None without one)."""
        if self.repost_coef is None:
            return None
        dense = self.standardised(batch) if dense is None else dense
        return (dense * self.repost_coef[:-1]).sum(axis=1) + float(self.repost_coef[-1])

    def log_odds(self, batch: FeatureBatch) -> np.ndarray:
        """The calibrated log-odds of each row: ``a * decision + b`` of the classifier, combined with
        the repost detector's calibrated log-odds (when the model has one) by :func:`combine`."""
        a, b = self.calibration
        dense = self.standardised(batch)
        machine = a * self.decision(batch, dense) + b
        reposted = self.repost_decision(batch, dense)
        if reposted is None:
            return machine
        ra, rb = self.repost_calibration
        return combine(machine, ra * reposted + rb)

    def probability(self, batch: FeatureBatch) -> np.ndarray:
        """Calibrated P(garbled) of each row."""
        return probability(self.log_odds(batch))

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The weights as named arrays (sparse word-class weights kept sparse)."""
        nonzero = np.flatnonzero(self.word_class_coef).astype(np.int32)
        word_nonzero = np.flatnonzero(self.word_ngram_coef).astype(np.int32)
        return {
            "dense_mean": self.dense_mean.astype(np.float32),
            "dense_scale": self.dense_scale.astype(np.float32),
            "dense_coef": self.dense_coef.astype(np.float32),
            "word_class_index": nonzero,
            "word_class_coef": self.word_class_coef[nonzero].astype(np.float32),
            "word_ngram_index": word_nonzero,
            "word_ngram_coef": self.word_ngram_coef[word_nonzero].astype(np.float32),
            "intercept": np.array([self.intercept], dtype=np.float64),
            "calibration": np.array(self.calibration, dtype=np.float64),
            "document_calibration": np.array(self.document_calibration, dtype=np.float64),
            "repost_coef": (np.zeros(0) if self.repost_coef is None else self.repost_coef).astype(np.float64),
            "repost_calibration": np.array(self.repost_calibration, dtype=np.float64),
            "word_index": self.tables.word_index.astype(np.int32),
            "word_zipf": self.tables.word_zipf.astype(np.float16),
            "pair_index": self.tables.pair_index.astype(np.int32),
            "pair_log_count": self.tables.pair_log_count.astype(np.float16),
            "count_index": self.tables.count_index.astype(np.int32),
            "count_log_count": self.tables.count_log_count.astype(np.float16),
            "trigram_index": self.tables.trigram_index.astype(np.int32),
            "trigram_log_count": self.tables.trigram_log_count.astype(np.float16),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], card: dict[str, Any]) -> Model:
        """Rebuild a model from its arrays and card."""
        coef = np.zeros(1 << WORD_CLASS_HASH_BITS, dtype=np.float32)
        coef[arrays["word_class_index"]] = arrays["word_class_coef"]
        word_coef = np.zeros(1 << WORD_HASH_BITS, dtype=np.float32)
        word_coef[arrays["word_ngram_index"]] = arrays["word_ngram_coef"]
        tables = LexicalTables(
            word_index=np.asarray(arrays["word_index"], dtype=np.int64),
            word_zipf=np.asarray(arrays["word_zipf"], dtype=np.float32),
            pair_index=np.asarray(arrays["pair_index"], dtype=np.int64),
            pair_log_count=np.asarray(arrays["pair_log_count"], dtype=np.float32),
            count_index=np.asarray(arrays["count_index"], dtype=np.int64),
            count_log_count=np.asarray(arrays["count_log_count"], dtype=np.float16),
            trigram_index=np.asarray(arrays["trigram_index"], dtype=np.int64),
            trigram_log_count=np.asarray(arrays["trigram_log_count"], dtype=np.float16),
        )
        a, b = (float(x) for x in arrays["calibration"])
        doc_a, doc_b, doc_c = (float(x) for x in arrays["document_calibration"])
        return cls(
            dense_mean=np.asarray(arrays["dense_mean"], dtype=np.float32),
            dense_scale=np.asarray(arrays["dense_scale"], dtype=np.float32),
            dense_coef=np.asarray(arrays["dense_coef"], dtype=np.float32),
            word_class_coef=coef,
            word_ngram_coef=word_coef,
            intercept=float(arrays["intercept"][0]),
            calibration=(a, b),
            tables=tables,
            threshold=float(card["threshold"]),
            document_calibration=(doc_a, doc_b, doc_c),
            card=card,
            repost_coef=np.asarray(arrays["repost_coef"], dtype=np.float64) if len(arrays["repost_coef"]) else None,
            repost_calibration=tuple(float(x) for x in arrays["repost_calibration"]),
        )


def combine(machine: np.ndarray, reposted: np.ndarray) -> np.ndarray:
    """Two detectors' calibrated log-odds as one: ``log(exp(m) + exp(r))``, the odds that either
    kind of damage is there. Each alone can only raise it, so neither kind of evidence is traded for
    the other: fluent machine translation keeps its score where the repost detector sees nothing,
    and a spun paragraph is caught however fluent it looks to the classifier.

    >>> combine(np.array([-4.0, 2.0]), np.array([-4.0, -9.0])).round(3).tolist()
    [-3.307, 2.0]
    """
    return np.logaddexp(machine, reposted)


def probability(log_odds: np.ndarray) -> np.ndarray:
    """P(garbled) from calibrated log-odds: the logistic function.

    >>> probability(np.array([0.0])).tolist()
    [0.5]
    """
    return logistic(log_odds)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_npz(handle: IO[bytes], arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays as a compressed ``.npz`` whose bytes depend only on the arrays.

    (``numpy.savez_compressed`` stamps the current time into the archive, so the
    same model would get a new checksum at every training run.)
    """
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            archive.writestr(info, buffer.getvalue())


def save_model(model: Model, stem: Path) -> tuple[Path, Path]:
    """Write ``stem.npz`` and ``stem.card.json``; return both paths.

    The card gets the feature layout, threshold and weights checksum; other
    card fields (training data, metrics) are taken from ``model.card``. The
    weights hold the checksum of the card's fields that change decisions
    (:func:`card_digest`), so the loader refuses a card edited after saving.
    """
    weights = stem.with_name(stem.name + WEIGHTS_SUFFIX)
    card_path = stem.with_name(stem.name + CARD_SUFFIX)
    card = dict(model.card)
    card.update(
        {"format": MODEL_FORMAT, "weights_file": weights.name, "threshold": model.threshold, "features": feature_layout()}
    )
    arrays = {**model.to_arrays(), CARD_SEAL: np.array([card_digest(card)])}
    with atomic_writer(weights, "wb") as handle:
        write_npz(handle, arrays)
    card["weights_sha256"] = _sha256(weights)
    write_card(card_path, card)
    model.card = card
    return weights, card_path


def write_card(card_path: Path, card: Mapping[str, Any]) -> None:
    """Write a model card as the project writes every card: sorted keys, indented, atomically."""
    with atomic_writer(card_path) as handle:
        handle.write(json.dumps(card, indent=2, sort_keys=True) + "\n")


def default_model_path() -> Path:
    """The card of the model that ships inside the package."""
    return Path(str(resources.files("mtdetect.models").joinpath(DEFAULT_MODEL_NAME + CARD_SUFFIX)))


def card_path_for(path: Path) -> Path:
    """The card of a model given as its card, its weights, its folder or its path stem
    (``models/NAME`` for ``models/NAME.card.json``, as training names it)."""
    if path.is_dir():
        return path / (DEFAULT_MODEL_NAME + CARD_SUFFIX)
    if path.name.endswith(CARD_SUFFIX):
        return path
    if path.suffix == WEIGHTS_SUFFIX:
        return path.with_name(path.name[: -len(WEIGHTS_SUFFIX)] + CARD_SUFFIX)
    stem_card = path.with_name(path.name + CARD_SUFFIX)
    if not path.exists() and stem_card.is_file():
        return stem_card
    return path


_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)
"""What a model path may name besides a regular file, in words."""


def check_regular_file(path: Path, status: os.stat_result | None = None) -> os.stat_result:
    """``path``'s status if it is a regular file (through links), else a :class:`~mtdetect.errors.ModelError`.

    Nothing is opened, so a device (``/dev/zero``) is never read and a FIFO never waited on.

    >>> check_regular_file(Path("/dev/zero"))
    Traceback (most recent call last):
    mtdetect.errors.ModelError: model file /dev/zero is a character device, not a regular file ...
    """
    if status is None:
        try:
            status = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            raise errors.ModelError(errors.MODEL_MISSING.format(path=path)) from None
        except OSError as exc:
            raise errors.ModelError(errors.MODEL_CORRUPT.format(path=path, reason=exc.strerror or str(exc))) from None
    for test, kind in _FILE_KINDS:
        if test(status.st_mode):
            raise errors.ModelError(errors.MODEL_NOT_A_FILE.format(path=path, kind=kind))
    return status


def read_card_bytes(card_path: Path) -> bytes:
    """The bytes of a model card: a regular file of at most :data:`MAX_CARD_BYTES`, checked before
    it is read (and again on the open file, should the name change in between)."""
    check_regular_file(card_path)
    try:
        fd = os.open(card_path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise errors.ModelError(errors.MODEL_CORRUPT.format(path=card_path, reason=exc.strerror or str(exc))) from None
    with open(fd, "rb") as handle:
        status = check_regular_file(card_path, os.fstat(fd))
        data = handle.read(MAX_CARD_BYTES + 1) if status.st_size <= MAX_CARD_BYTES else b""
    if status.st_size > MAX_CARD_BYTES or len(data) > MAX_CARD_BYTES:
        raise errors.ModelError(errors.MODEL_CARD_TOO_LARGE.format(path=card_path, limit=MAX_CARD_BYTES))
    return data


def read_card(card_path: Path) -> dict[str, Any]:
    """Read and check a model card (format and feature layout)."""
    try:
        card = json.loads(read_card_bytes(card_path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.ModelError(
            errors.MODEL_CORRUPT.format(path=card_path, reason=f"not a JSON card ({exc})")
        ) from None
    if not isinstance(card, dict):
        raise errors.ModelError(errors.MODEL_CORRUPT.format(path=card_path, reason="not a JSON object"))
    found = card.get("format")
    if found != MODEL_FORMAT:
        raise errors.ModelError(
            errors.MODEL_FORMAT.format(path=card_path, found=found, expected=MODEL_FORMAT)
        )
    if card.get("features") != feature_layout():
        raise errors.ModelError(
            errors.MODEL_CORRUPT.format(
                path=card_path,
                reason="its feature layout differs from this mtdetect version's",
            )
        )
    for key in ("weights_file", "weights_sha256", "threshold"):
        if key not in card:
            raise errors.ModelError(errors.MODEL_CORRUPT.format(path=card_path, reason=f"no {key!r}"))
    name = card["weights_file"]
    if not isinstance(name, str) or not name or Path(name).name != name:
        raise errors.ModelError(
            errors.MODEL_CORRUPT.format(path=card_path, reason="weights_file must be a file name beside the card")
        )
    threshold = card["threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise errors.ModelError(
            errors.MODEL_CORRUPT.format(path=card_path, reason="threshold must be a number between 0 and 1")
        )
    return card


def load_model(path: str | os.PathLike[str] | None = None, *, trust: bool = False, sha256: str | None = None) -> Model:
    """Load a model: the bundled default, a card, a weights file or a folder.

    Pickled models (``.pkl``, ``.joblib``) can run code when loaded, so they
    load only with ``trust=True`` and a matching ``sha256`` of the file. Any
    other model given a ``sha256`` loads only if its weights (the ``.npz``
    file) have it.
    """
    if path is None:
        path = default_model_path()
    path = Path(path)
    sys.audit(LOAD_EVENT, str(path))
    if path.suffix in PICKLE_SUFFIXES:
        return _load_pickle(path, trust=trust, sha256=sha256)
    card_path = card_path_for(path)
    card = read_card(card_path)
    weights = card_path.with_name(card["weights_file"])
    check_regular_file(weights)
    digest = _sha256(weights)
    if digest != card["weights_sha256"]:
        raise errors.ModelError(errors.MODEL_CHECKSUM.format(path=weights))
    if sha256 is not None and digest != sha256.lower():
        raise errors.ModelError(errors.MODEL_UNEXPECTED.format(path=weights, found=digest))
    try:
        with np.load(weights, allow_pickle=False) as data:
            arrays = {name: data[name] for name in _ARRAYS}
            seal = str(data[CARD_SEAL].reshape(-1)[0]) if CARD_SEAL in data.files else None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise errors.ModelError(errors.MODEL_CORRUPT.format(path=weights, reason=str(exc) or type(exc).__name__)) from None
    check_card_seal(card, seal, card_path, weights)
    problem = shape_problem(arrays)
    if problem:
        raise errors.ModelError(errors.MODEL_CORRUPT.format(path=weights, reason=problem))
    return Model.from_arrays(arrays, card)


def check_card_seal(card: Mapping[str, Any], seal: str | None, card_path: Path, weights: Path) -> None:
    """Refuse a card whose decision fields differ from those its weights were saved with."""
    if seal is None:
        raise errors.ModelError(errors.MODEL_CARD_UNSEALED.format(path=weights))
    if seal != card_digest(card):
        fields = ", ".join(SEALED_CARD_FIELDS[:-1]) + f" or {SEALED_CARD_FIELDS[-1]}"
        raise errors.ModelError(errors.MODEL_CARD_EDITED.format(path=card_path, fields=fields))


def shape_problem(arrays: Mapping[str, np.ndarray]) -> str | None:
    """What is wrong with the shapes of a model's arrays, or None."""
    n_dense = len(dense_feature_names())
    for name in ("dense_mean", "dense_scale", "dense_coef"):
        if arrays[name].shape != (n_dense,):
            return f"{name} has shape {arrays[name].shape}, expected ({n_dense},)"
    if arrays["intercept"].shape != (1,) or arrays["calibration"].shape != (2,):
        return "intercept or calibration has the wrong shape"
    if arrays["document_calibration"].shape != (3,):
        return "document_calibration has the wrong shape"
    if arrays["repost_coef"].shape not in ((0,), (n_dense + 1,)) or arrays["repost_calibration"].shape != (2,):
        return "repost_coef or repost_calibration has the wrong shape"
    for index, values, bits in (
        ("word_class_index", "word_class_coef", WORD_CLASS_HASH_BITS),
        ("word_ngram_index", "word_ngram_coef", WORD_HASH_BITS),
        ("word_index", "word_zipf", LEXICAL_HASH_BITS),
        ("pair_index", "pair_log_count", LEXICAL_HASH_BITS),
        ("count_index", "count_log_count", LEXICAL_HASH_BITS),
        ("trigram_index", "trigram_log_count", TRIGRAM_HASH_BITS),
    ):
        idx, val = arrays[index], arrays[values]
        if idx.ndim != 1 or idx.shape != val.shape:
            return f"{index} and {values} do not match"
        if len(idx) and (idx.min() < 0 or idx.max() >= 1 << bits):
            return f"{index} points outside the hashed space"
    return None


def _load_pickle(path: Path, *, trust: bool, sha256: str | None) -> Model:
    if not trust or not sha256:
        raise errors.ModelError(errors.MODEL_PICKLE_UNTRUSTED.format(path=path))
    check_regular_file(path)
    digest = _sha256(path)
    if digest != sha256.lower():
        raise errors.ModelError(errors.MODEL_UNEXPECTED.format(path=path, found=digest))
    import joblib

    model = joblib.load(path)
    if not isinstance(model, Model):
        raise errors.ModelError(
            errors.MODEL_CORRUPT.format(path=path, reason=f"holds a {type(model).__name__}, not an mtdetect Model")
        )
    return model


_SHARED: dict[tuple, Model] = {}
_SHARED_LOCK = threading.Lock()
"""Held while the shared models are looked up or read: threads that ask for a model at once
wait for one read of it instead of each reading it."""


def shared_model(path: str | os.PathLike[str] | None = None, *, trust: bool = False, sha256: str | None = None) -> Model:
    """:func:`load_model`, but a process reads each model file once and shares the result.

    A Detector shipped to a worker (Spark, Ray, Dask, datatrove or dolma tasks)
    loads through this, so a worker that runs many tasks reads the model once.
    The card's text and the weights file's size and time are part of the key:
    a model rewritten on disk is read again. Loaded models are not modified. Threads asking at
    once wait for a single read.
    """
    key = _file_key(Path(default_model_path() if path is None else path), trust, sha256)
    if key is None:  # unreadable: let load_model say why
        return load_model(path, trust=trust, sha256=sha256)
    with _SHARED_LOCK:
        model = _SHARED.pop(key, None)
        if model is None:
            model = load_model(path, trust=trust, sha256=sha256)
        _SHARED[key] = model  # most recently used last
        while len(_SHARED) > SHARED_MODELS:
            del _SHARED[next(iter(_SHARED))]
        return model


def _file_key(path: Path, trust: bool, sha256: str | None) -> tuple | None:
    """What identifies a model load (None if unreadable): the card's text, which holds the
    weights' sha256, and the weights file's identity, size and time, or a pickle's identity;
    and the ``trust`` and ``sha256`` asked for, so a pinned hash is checked on its own load.
    """
    try:
        if path.suffix in PICKLE_SUFFIXES:
            return (_file_state(path), trust, sha256)
        card_path = card_path_for(path)
        card = read_card_bytes(card_path)
        weights = card_path.with_name(str(json.loads(card)["weights_file"]))
        return (str(card_path.resolve()), card, _file_state(weights), trust, sha256)
    except (OSError, ValueError, KeyError, TypeError, errors.ModelError):
        return None


def _file_state(path: Path) -> tuple[str, int, int, int]:
    state = path.stat()
    return (str(path.resolve()), state.st_ino, state.st_size, state.st_mtime_ns)
