"""The library's exceptions. Each message says what went wrong and what to do.

The CLI turns these into one-line errors (exit status 2, or 1 for an
:class:`OutputError`); library users can catch :class:`MtdetectError` to
handle them all.
"""

from __future__ import annotations


class MtdetectError(Exception):
    """Base class of every error mtdetect raises on purpose."""


class ModelError(MtdetectError):
    """A model file is missing, damaged, from another version, or untrusted."""


class InputError(MtdetectError):
    """Input text or records cannot be read as asked."""


class MissingDependency(MtdetectError, ImportError):
    """An optional package a call needs is not installed: the message names the extra to install.

    >>> str(MissingDependency.of("pandas", "score_series"))
    "score_series needs pandas, which is not installed: pip install 'mtdetect[pandas]'"
    """

    @classmethod
    def of(cls, package: str, what: str, extra: str | None = None) -> MissingDependency:
        """The error for ``what``, which needs ``package`` (installed by the extra ``extra``, default its name)."""
        error = cls(f"{what} needs {package}, which is not installed: pip install 'mtdetect[{extra or package}]'")
        error.name = package
        return error


class OutputError(MtdetectError, OSError):
    """An output cannot be written: the message names it and says why.

    It is an :class:`OSError` too (with the ``errno`` of the failure, when
    there is one), so code that handles failed writes as such still does.

    >>> str(OutputError.of("out.jsonl", OSError(28, "No space left on device")))
    'cannot write out.jsonl: No space left on device'
    """

    @classmethod
    def of(cls, name: str, exc: OSError) -> OutputError:
        """The error for a failed write of ``name``."""
        error = cls(f"cannot write {name}: {exc.strerror or exc}")
        error.errno, error.filename = exc.errno, name
        return error

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


MODEL_MISSING = (
    "model file not found: {path} (--model, or MTDETECT_MODEL, takes a model card, its .npz weights "
    "or a folder holding default.card.json; leave both unset for the bundled model)"
)
MODEL_CORRUPT = (
    "model file {path} is damaged: {reason} (reinstall mtdetect or retrain with `make train`)"
)
MODEL_CHECKSUM = (
    "model weights {path} do not match the checksum in their card "
    "(the file was truncated or edited; retrain with `make train` or restore it)"
)
MODEL_UNEXPECTED = (
    "model file {path} has sha256 {found}, not the one given with --sha256 "
    "(check the hash, or that this is the model you meant)"
)
MODEL_FORMAT = (
    "model card {path} has format {found!r}, this mtdetect reads {expected!r} "
    "(retrain with `make train`, or use the mtdetect version that wrote it)"
)
MODEL_PICKLE_UNTRUSTED = (
    "{path} is a pickle, which can run code when loaded; pass --trust-pickle "
    "(or trust=True) with --sha256 of the file if you trust its source"
)
MODEL_NOT_A_FILE = (
    "model file {path} is {kind}, not a regular file (--model, or MTDETECT_MODEL, takes a model card, "
    "its .npz weights or a folder holding default.card.json)"
)
MODEL_CARD_TOO_LARGE = (
    "model card {path} is larger than {limit:,} bytes, too large for a model card (is it one?)"
)
MODEL_CARD_EDITED = (
    "model card {path} does not match its weights: its {fields} were edited after the model was saved "
    "(restore the card; for another threshold pass --threshold)"
)
MODEL_CARD_UNSEALED = (
    "model weights {path} hold no checksum of their card (saved by an older mtdetect): "
    "load the model and save it again with mtdetect.model.save_model, or retrain"
)
