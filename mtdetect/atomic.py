"""Output files: written whole or not at all, and never in place of what is not a regular file.

What an output path names decides how it is written (:func:`output_target`):

- a **regular file**, or a name that does not exist yet: a temporary file beside
  it, renamed over it when the writing succeeds, so an interrupted or failed run
  leaves the old file (or none), never half a file. An existing file keeps its
  permission bits (and, written by root, its owner); a new one gets the mode
  the umask gives. A file the user may not write is refused, as ``cp`` does;
- a **symbolic link**: followed, and its target written as above; the link stays;
- a **device, FIFO or socket**: written straight into (opened, or connected to),
  never replaced;
- an **open file descriptor** (``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``):
  written through a copy of the descriptor, so a shell's ``>>`` still appends;
- a **directory**, or a name in a folder that does not exist: refused. Missing
  folders are created only when asked (``make_parents``: the training
  pipeline's own build folders), never for a command's ``-o``.

Every failure to open, write or finish an output is an
:class:`~mtdetect.errors.OutputError` naming it (:func:`guarded` does the same
for standard output); a broken pipe stays a :class:`BrokenPipeError`, since the
reader leaving is no failure of ours. Outputs are UTF-8, standard output too
(:func:`utf8_text`), whatever the locale.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import re
import socket
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from .errors import OutputError

MAX_LINKS = 40
"""Symbolic links followed at most (as the kernel does) before giving up."""

_OWN_DESCRIPTOR = re.compile(
    r"""/proc/(?P<pid>\d+)          # a process's folder (``/proc/self`` resolves to it)
        (?:/task/\d+)?              # or one of its threads' (``/proc/thread-self``)
        /fd/(?P<fd>\d+)             # one of its open file descriptors""",
    re.VERBOSE,
)
"""Where ``/dev/stdout``, ``/dev/fd/N`` and ``/proc/self/fd/N`` lead once their folders are resolved."""

Kind = Literal["file", "stream", "socket", "descriptor"]


@dataclass(frozen=True, slots=True)
class Target:
    """What an output path names: the path its links lead to, and how it is written.

    ``file``: atomically (``existing`` is the replaced file's status, if any);
    ``stream``: a device or FIFO, opened and written straight; ``socket``:
    connected to; ``descriptor``: the open file descriptor ``fd``, duplicated.
    """

    path: Path
    kind: Kind
    existing: os.stat_result | None = None
    fd: int | None = None


def output_target(path: str | os.PathLike[str], make_parents: bool = False) -> Target:
    """Where writing to ``path`` goes, or an :class:`OutputError` if it cannot go there.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "real.jsonl").write_text("old")
    3
    >>> (folder / "link.jsonl").symlink_to("real.jsonl")
    >>> output_target(folder / "link.jsonl").path.name, output_target("/dev/null").kind
    ('real.jsonl', 'stream')
    >>> output_target(folder)
    Traceback (most recent call last):
    mtdetect.errors.OutputError: cannot write ...: is a directory
    """
    name = str(path)
    try:
        final, fd = _follow_links(Path(path))
        if fd is not None:
            return Target(final, "descriptor", fd=fd)
        try:
            status = os.stat(final)
        except FileNotFoundError:
            _check_folder(final.parent, name, make_parents)
            return Target(final, "file")
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError.of(name, exc) from None
    if stat.S_ISDIR(status.st_mode):
        raise OutputError.of(name, OSError(errno.EISDIR, "is a directory"))
    if stat.S_ISSOCK(status.st_mode):
        return Target(final, "socket")
    if not stat.S_ISREG(status.st_mode):
        return Target(final, "stream")
    if not os.access(final, os.W_OK):
        raise OutputError.of(name, OSError(errno.EACCES, os.strerror(errno.EACCES)))
    return Target(final, "file", existing=status)


def _follow_links(path: Path) -> tuple[Path, int | None]:
    """The path ``path``'s links lead to, or one of this process's file descriptors."""
    for _ in range(MAX_LINKS):
        path = Path(os.path.realpath(path.parent)) / path.name
        own = _OWN_DESCRIPTOR.fullmatch(str(path))
        if own and int(own["pid"]) == os.getpid():
            return path, int(own["fd"])
        if not path.is_symlink():
            return path, None
        path = path.parent / os.readlink(path)
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))


def _check_folder(folder: Path, name: str, make_parents: bool) -> None:
    """Check that a new file's folder exists (or make it); name it in errors as the user did."""
    if folder.is_dir():
        return
    if make_parents and not folder.exists():
        folder.mkdir(parents=True, exist_ok=True)
        return
    given = Path(name).parent
    shown = given if Path(os.path.realpath(given)) == folder else folder
    code, problem = (errno.ENOTDIR, "not a directory") if folder.exists() else (errno.ENOENT, "no such directory")
    raise OutputError.of(name, OSError(code, f"{problem}: {shown}"))


class _OutputFile(io.FileIO):
    """An open output whose every failed write is an :class:`OutputError` naming it."""

    def __init__(self, fd: int, shown: str) -> None:
        super().__init__(fd, "wb", closefd=True)
        self.shown = shown

    def write(self, data: Any) -> int | None:  # type: ignore[override]
        try:
            return super().write(data)
        except OSError as exc:
            raise _failure(self.shown, exc) from None


def _failure(name: str, exc: OSError) -> OSError:
    """What a failed write of ``name`` raises: an :class:`OutputError` naming it, but a broken pipe."""
    return exc if isinstance(exc, (BrokenPipeError, OutputError)) else OutputError.of(name, exc)


@contextmanager
def _naming(name: str) -> Iterator[None]:
    """Turn an OSError (but a broken pipe) in the block into an :class:`OutputError` naming ``name``."""
    try:
        yield
    except OSError as exc:
        raise _failure(name, exc) from None


def _wrap(raw: _OutputFile, mode: str, open_args: dict[str, Any]) -> IO[Any]:
    """``raw`` as :func:`open` would give it for ``mode`` (``"w"`` text, ``"wb"`` binary)."""
    if mode not in ("w", "wt", "wb"):
        raise ValueError(f"an output is opened with mode 'w' or 'wb', not {mode!r}")
    buffered = io.BufferedWriter(raw)
    if "b" in mode:
        return buffered
    open_args.setdefault("encoding", "utf-8")
    return io.TextIOWrapper(buffered, **open_args)


def _open_straight(target: Target) -> int:
    """A descriptor writing straight into a device, FIFO, socket or open descriptor."""
    if target.kind == "descriptor":
        assert target.fd is not None
        return os.dup(target.fd)
    if target.kind == "socket":
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(str(target.path))
            return connection.detach()
    return os.open(target.path, os.O_WRONLY | os.O_NOCTTY)


def _new_file_mode() -> int:
    """What the umask gives a new file (not mkstemp's 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _finish(fd: int, tmp: str, target: Target) -> None:
    """Give the written temporary file the replaced file's mode (and owner), and rename it."""
    os.fsync(fd)
    old = target.existing
    os.chmod(tmp, _new_file_mode() if old is None else stat.S_IMODE(old.st_mode))
    if old is not None and os.geteuid() == 0 and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        os.chown(tmp, old.st_uid, old.st_gid)
    os.replace(tmp, target.path)


@contextmanager
def atomic_writer(
    path: str | os.PathLike[str], mode: str = "w", *, make_parents: bool = True, **open_args: Any
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing as :func:`output_target` says; a file appears only if the block succeeds.

    ``mode`` is ``"w"`` (text, UTF-8 unless ``encoding`` is given) or ``"wb"``.
    Missing folders are created unless ``make_parents`` is false.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_writer(target) as handle:
    ...     _ = handle.write("done")
    >>> target.read_text()
    'done'
    """
    name = str(path)
    target = output_target(path, make_parents)
    tmp = None
    with _naming(name):
        if target.kind == "file":
            fd, tmp = tempfile.mkstemp(dir=target.path.parent, prefix=f".{target.path.name}.", suffix=".tmp")
        else:
            fd = _open_straight(target)
    try:
        handle = _wrap(_OutputFile(fd, name), mode, open_args)
    except BaseException:
        os.close(fd)
        raise
    try:
        yield handle
        handle.flush()
        if tmp is not None:
            with _naming(name):
                _finish(handle.fileno(), tmp, target)
            tmp = None
    except BaseException:
        with suppress(OSError):  # the failure that brought us here is the one to report
            handle.close()
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
    handle.close()


@contextmanager
def open_output(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """A command's output file (``-o``): UTF-8 text, compressed by extension (``.gz``, ``.zst``).

    Written as :func:`atomic_writer` writes, but no folder is created: a
    missing one is an error, as for ``cp`` and ``sort -o``.
    """
    name = str(path)
    with atomic_writer(path, "wb", make_parents=False) as raw:
        if name.endswith(".gz"):
            binary: IO[bytes] = gzip.GzipFile(filename=Path(name).name[:-3], mode="wb", fileobj=raw, mtime=0)
        elif name.endswith(".zst"):
            import zstandard

            binary = zstandard.ZstdCompressor().stream_writer(raw, closefd=False)  # type: ignore[assignment]
        else:
            binary = raw
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n", write_through=False)  # type: ignore[arg-type]
        yield text
        text.flush()
        text.detach()
        if binary is not raw:
            binary.close()  # writes the compressed stream's end; ``raw`` stays open for the rename


class _Guarded:
    """A text stream whose failed writes are :class:`OutputError` naming it (see :func:`guarded`)."""

    def __init__(self, stream: IO[str], name: str) -> None:
        self._stream, self._name = stream, name

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:  # (no context manager: this runs once per output row)
            raise _failure(self._name, exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _failure(self._name, exc) from None

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._stream, attribute)


def guarded(stream: IO[str], name: str = "standard output") -> IO[str]:
    """``stream`` with each failed write or flush an :class:`OutputError` naming it."""
    return stream if isinstance(stream, _Guarded) else _Guarded(stream, name)  # type: ignore[return-value]


def utf8_text(out: IO[str]) -> IO[str]:
    """``out`` itself, writing UTF-8: every output is UTF-8, as files are, whatever the locale says.

    A stream that can be reconfigured (standard output) is switched to UTF-8
    in place; another gets a UTF-8 writer over its bytes. (A second writer over
    standard output would close it when it is collected.)
    """
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    if encoding == "utf8" or not hasattr(out, "buffer"):
        return out
    out.flush()
    if callable(getattr(out, "reconfigure", None)):  # a TextIOWrapper, or a guarded one (:func:`guarded`)
        out.reconfigure(encoding="utf-8", newline="\n")
        return out
    return io.TextIOWrapper(out.buffer, encoding="utf-8", newline="\n", write_through=True)
