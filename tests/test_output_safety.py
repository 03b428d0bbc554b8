"""Output safety: what ``-o``, ``--rejects`` and standard output point at is never clobbered,
and a write that fails is one line and exit status 1, never a traceback.

The hostile-output battery runs ``score``, ``filter``, ``align`` and
``report`` as real programs against each kind of target:

| target                         | expected                                                        |
|--------------------------------|-----------------------------------------------------------------|
| a symbolic link                | exit 0; the link stays, its target gets the output              |
| a copy of the null device      | exit 0; still the same character device (made with mknod)       |
| a FIFO read by another process | exit 0; the reader gets the whole output; still a FIFO          |
| ``/dev/stdout``                | exit 0; output on standard output (a shell's ``>>`` appends)    |
| a directory                    | exit 1, one line; the directory untouched                       |
| a directory the user cannot write | exit 1, one line (run unprivileged; or a read-only sysfs)    |
| a full device (``/dev/full``)  | exit 1, one line; a device copy stays a device                  |
| a file in a missing folder     | exit 1, one line; no folder made                                |
| a file over the size limit     | exit 1, one line; no partial file, no temporary file            |

and no run leaves a file behind in the target's folder that was not there before.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mtdetect.atomic import (
    atomic_writer,
    guarded,
    open_output,
    output_target,
    remove_stale_temporaries,
)
from mtdetect.errors import OutputError

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("score", "filter", "align", "report")
NOBODY = 65534
FILE_SIZE_LIMIT = 200
"""Bytes a process may write to one file in the size-limit test (every command writes more)."""
ORIGINAL = "The council met on Tuesday.\n\nIt approved the budget after a long debate about schools.\n"
GARBLED = "The council met on Tuesday .\n\nIt approved the budget after a long debate. about the schools.\n"


# -- running the commands --------------------------------------------------------------------


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Inputs every user can read (an unprivileged run reads them too)."""
    folder = Path(tempfile.mkdtemp(prefix="mtdetect-output-"))
    folder.chmod(0o755)
    records = "".join(json.dumps({"id": i, "text": f"{ORIGINAL}\n{GARBLED}"}) + "\n" for i in range(20))
    paths = {"records": folder / "in.jsonl", "original": folder / "original.txt", "garbled": folder / "garbled.txt"}
    paths["records"].write_text(records, encoding="utf-8")
    paths["original"].write_text(ORIGINAL, encoding="utf-8")
    paths["garbled"].write_text(GARBLED, encoding="utf-8")
    for path in paths.values():
        path.chmod(0o644)
    yield paths
    shutil.rmtree(folder)


def arguments(command: str, inputs: dict[str, Path], target: str | None) -> list[str]:
    """The command's arguments, writing to ``target`` (None: standard output)."""
    given = {
        "score": ["score", "--format", "jsonl", str(inputs["records"])],
        "filter": ["filter", str(inputs["records"])],
        "align": ["align", str(inputs["original"]), str(inputs["garbled"])],
        "report": ["report", "--format", "text", str(inputs["records"])],
    }[command]
    return given if target is None else [*given, "-o", target]


def mtdetect(args: list[str], prefix: list[str] = (), **options) -> subprocess.CompletedProcess:  # type: ignore[assignment]
    """Run ``python -m mtdetect`` as a program (tracebacks and exit statuses are real)."""
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("cwd", ROOT)
    return subprocess.run([*prefix, sys.executable, "-m", "mtdetect", *args], stderr=subprocess.PIPE,
                          timeout=120, **options)


def expected_output(command: str, inputs: dict[str, Path]) -> bytes:
    """What the command writes to standard output."""
    done = mtdetect(arguments(command, inputs, None))
    assert done.returncode == 0 and done.stdout, done.stderr
    return done.stdout


def one_line_failure(done: subprocess.CompletedProcess, reason: str) -> str:
    """Exit status 1, one line on standard error naming the reason, no traceback."""
    err = done.stderr.decode()
    assert "Traceback" not in err, err
    assert done.returncode == 1, err
    lines = [line for line in err.splitlines() if not line.startswith("mtdetect: read ")]  # filter's counts
    assert len(lines) == 1 and lines[0].startswith("mtdetect: error: cannot write "), err
    assert reason in lines[0], err
    return lines[0]


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def make_device(path: Path, like: str) -> None:
    """A character device node with the numbers of ``like`` (/dev/null, /dev/full), or skip."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.stat(like).st_rdev)
    except PermissionError:
        pytest.skip("making a device node (mknod) is not permitted here")


def assert_same_device(path: Path, like: str) -> None:
    status = os.lstat(path)
    assert stat.S_ISCHR(status.st_mode) and status.st_rdev == os.stat(like).st_rdev, f"{path} was replaced"


# -- the hostile-output battery ------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_a_symlink_is_followed_and_stays_a_link(command: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    real, link = tmp_path / "real.out", tmp_path / "link.out"
    real.write_text("old\n")
    real.chmod(0o640)
    link.symlink_to(real.name)
    done = mtdetect(arguments(command, inputs, str(link)))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == real.name
    assert real.read_bytes() == expected_output(command, inputs)
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the file keeps its permission bits
    assert entries(tmp_path) == ["link.out", "real.out"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_device_copy_is_written_into_not_replaced(command: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    device = tmp_path / "null"
    make_device(device, "/dev/null")
    done = mtdetect(arguments(command, inputs, str(device)))
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert_same_device(device, "/dev/null")
    assert entries(tmp_path) == ["null"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_fifo_is_written_into_for_its_reader(command: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    fifo, received = tmp_path / "pipe", tmp_path / "received"
    os.mkfifo(fifo)
    with open(received, "wb") as sink:
        reader = subprocess.Popen(["cat", str(fifo)], stdout=sink)
        done = mtdetect(arguments(command, inputs, str(fifo)))
        assert reader.wait(timeout=60) == 0
    assert done.returncode == 0, done.stderr
    assert received.read_bytes() == expected_output(command, inputs)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert entries(tmp_path) == ["pipe", "received"]


@pytest.mark.parametrize("command", COMMANDS)
def test_dev_stdout_writes_to_standard_output_and_keeps_appending(
    command: str, inputs: dict[str, Path], tmp_path: Path
) -> None:
    expected = expected_output(command, inputs)
    done = mtdetect(arguments(command, inputs, "/dev/stdout"))
    assert done.returncode == 0 and done.stdout == expected, done.stderr
    log = tmp_path / "log"
    log.write_bytes(b"earlier\n")
    with open(log, "ab") as appending:  # the shell's >>
        done = mtdetect(arguments(command, inputs, "/dev/stdout"), stdout=appending)
    assert done.returncode == 0, done.stderr
    assert log.read_bytes() == b"earlier\n" + expected


@pytest.mark.parametrize("command", COMMANDS)
def test_a_directory_is_refused(command: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    line = one_line_failure(mtdetect(arguments(command, inputs, str(folder))), "is a directory")
    assert line == f"mtdetect: error: cannot write {folder}: is a directory"
    assert entries(tmp_path) == ["folder"] and entries(folder) == []


def unprivileged() -> list[str] | None:
    """A command prefix that runs as an unprivileged user, if root can use one here, else None."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    probe = subprocess.run([*prefix, sys.executable, "-c", "import mtdetect"], cwd="/", capture_output=True)
    return prefix if probe.returncode == 0 else None


@pytest.fixture(scope="module")
def unwritable_folder() -> Iterator[tuple[Path, list[str]]]:
    """A folder the user running the command may not write, and the prefix that runs it as that user."""
    prefix = unprivileged()
    if prefix is None:  # root without a way to drop privileges: sysfs refuses new files even to root
        if not os.path.ismount("/sys"):
            pytest.skip("no way to run unprivileged, and no sysfs")
        yield Path("/sys"), []
        return
    outer = Path(tempfile.mkdtemp(prefix="mtdetect-unwritable-"))
    outer.chmod(0o755)
    folder = outer / "read-only"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    yield folder, prefix
    shutil.rmtree(outer)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unwritable_directory_is_a_one_line_error(
    command: str, inputs: dict[str, Path], unwritable_folder: tuple[Path, list[str]]
) -> None:
    folder, prefix = unwritable_folder
    before = entries(folder)
    target = folder / "out.jsonl"
    done = mtdetect(arguments(command, inputs, str(target)), prefix=prefix, cwd="/")
    assert one_line_failure(done, "Permission denied") == f"mtdetect: error: cannot write {target}: Permission denied"
    assert entries(folder) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_device_is_a_one_line_error(command: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:  # standard output on the system's /dev/full: we only write to it
        done = mtdetect(arguments(command, inputs, None), stdout=full)
    line = one_line_failure(done, "No space left on device")
    assert line == "mtdetect: error: cannot write standard output: No space left on device"
    device = tmp_path / "full"
    make_device(device, "/dev/full")  # -o: a copy of the device, so the system's node is never at risk
    one_line_failure(mtdetect(arguments(command, inputs, str(device))), f"{device}: No space left on device")
    assert_same_device(device, "/dev/full")
    assert entries(tmp_path) == ["full"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_folder_is_a_one_line_error(command: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "out.jsonl"
    line = one_line_failure(mtdetect(arguments(command, inputs, str(target))), "no such directory")
    assert line == f"mtdetect: error: cannot write {target}: no such directory: {target.parent}"
    assert entries(tmp_path) == []


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write over the limit fails (EFBIG) instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


@pytest.mark.parametrize("command", COMMANDS)
def test_a_write_failing_midway_leaves_no_partial_file(command: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    old, new = tmp_path / "old.out", tmp_path / "new.out"
    old.write_text("old\n")
    assert len(expected_output(command, inputs)) > FILE_SIZE_LIMIT
    for target in (old, new):
        done = mtdetect(arguments(command, inputs, str(target)), preexec_fn=_limit_file_size)
        one_line_failure(done, "File too large")
    assert entries(tmp_path) == ["old.out"] and old.read_text() == "old\n"


# -- more targets and rules ------------------------------------------------------------------------------


def test_filter_refuses_the_same_file_for_output_and_rejects(inputs: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "real.jsonl").write_text("")
    (tmp_path / "link.jsonl").symlink_to("real.jsonl")
    done = mtdetect(["filter", str(inputs["records"]), "-o", str(tmp_path / "real.jsonl"),
                     "--rejects", str(tmp_path / "link.jsonl")])
    assert done.returncode == 2 and done.stderr.decode().startswith("mtdetect: error: -o and --rejects name the same")


SAME_FILE_RUNS = {
    "score -o": ["score", "--format", "jsonl", "{input}", "-o", "{output}"],
    "report -o": ["report", "{input}", "-o", "{output}"],
    "filter -o": ["filter", "{input}", "-o", "{output}"],
    "filter --rejects": ["filter", "{input}", "--mode", "drop", "-o", "{other}", "--rejects", "{output}"],
    "align -o": ["align", "{input}", "{input}", "-o", "{output}"],
}


@pytest.mark.parametrize("link", ["same name", "symbolic link", "hard link"])
@pytest.mark.parametrize("run", SAME_FILE_RUNS)
def test_an_output_that_is_an_input_is_refused(run: str, link: str, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": GARBLED}) + "\n" for i in range(3)))
    before = source.read_bytes()
    output = {"same name": source, "symbolic link": tmp_path / "link.jsonl", "hard link": tmp_path / "hard.jsonl"}[link]
    if link == "symbolic link":
        output.symlink_to(source.name)
    elif link == "hard link":
        output.hardlink_to(source)
    present = entries(tmp_path)
    args = [a.format(input=source, output=output, other=tmp_path / "kept.jsonl") for a in SAME_FILE_RUNS[run]]
    done = mtdetect(args)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err == f"mtdetect: error: {output}: input file is output file (write to another name, then rename it if you like)\n"
    assert source.read_bytes() == before and entries(tmp_path) == present


def test_standard_input_or_output_redirected_to_an_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": GARBLED}) + "\n")
    with open(source, "rb") as given:
        done = mtdetect(["filter", "-", "-o", str(source)], stdin=given)
    assert done.returncode == 2 and b"input file is output file" in done.stderr
    with open(source, "ab") as appended:
        done = mtdetect(["score", "--format", "jsonl", str(source)], stdout=appended)
    assert done.returncode == 2 and done.stderr.startswith(b"mtdetect: error: standard output: input file is output")
    assert source.read_text() == json.dumps({"text": GARBLED}) + "\n"


STOPPED_RUNS = {
    "filter -o": ["filter", "{input}", "-o", "{output}"],
    "filter --rejects": ["filter", "{input}", "--mode", "drop", "-o", "{other}", "--rejects", "{output}"],
    "score -o": ["score", "--format", "jsonl", "{input}", "-o", "{output}"],
    "report -o": ["report", "{input}", "-o", "{output}"],
}


def _hangup_as_in_a_terminal() -> None:
    """In the child: SIGHUP at its default, as a run started from a terminal has it (under ``nohup``
    the test run itself ignores it, and mtdetect rightly leaves an ignored signal ignored)."""
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def started_on_a_fifo(args: list[str], fifo: Path, records: bytes) -> tuple[subprocess.Popen, int]:
    """Start a command reading the FIFO ``fifo``; return once it reads (its outputs are open by then),
    with ``records`` written and the FIFO held open, so the command waits for more."""
    process = subprocess.Popen([sys.executable, "-m", "mtdetect", *args], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=_hangup_as_in_a_terminal)
    deadline = time.monotonic() + 120
    while True:
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # fails until the command opens it
            break
        except OSError as exc:
            assert exc.errno == errno.ENXIO and process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the command never opened its input"
            time.sleep(0.05)
    os.set_blocking(writer, True)
    os.write(writer, records)
    return process, writer


@pytest.mark.parametrize(
    ("run", "signum"),
    [(run, signal.SIGTERM) for run in STOPPED_RUNS] + [("filter -o", signal.SIGHUP)]
    + [(run, signal.SIGKILL) for run in STOPPED_RUNS],
    ids=lambda value: value.name if isinstance(value, signal.Signals) else value,
)
def test_a_stopped_or_killed_run_leaves_the_old_output_and_no_temporary_file(
    run: str, signum: signal.Signals, tmp_path: Path
) -> None:
    fifo, output, other = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "kept.jsonl"
    os.mkfifo(fifo)
    output.write_text("old\n")
    other.write_text("other\n")
    args = [a.format(input=fifo, output=output, other=other) for a in STOPPED_RUNS[run]]
    records = "".join(json.dumps({"id": i, "text": GARBLED}) + "\n" for i in range(600)).encode()
    process, writer = started_on_a_fifo(args, fifo, records)
    try:
        process.send_signal(signum)
        status = process.wait(timeout=60)
        err = process.stderr.read().decode()
    finally:
        os.close(writer)
    if signum == signal.SIGKILL:  # the killed run cannot clean up: the next run writing there does
        assert status == -signum
        assert output.read_text() == "old\n" and other.read_text() == "other\n"
        fifo.unlink()
        fifo.write_bytes(records.split(b"\n", 1)[0] + b"\n")
        done = mtdetect(args)
        assert done.returncode == 0, done.stderr
        assert entries(tmp_path) == ["in.jsonl", "kept.jsonl", "out.jsonl"]
        return
    assert status == 128 + signum and err == f"mtdetect: stopped by {signum.name}\n", err
    assert entries(tmp_path) == ["in.jsonl", "kept.jsonl", "out.jsonl"]
    assert output.read_text() == "old\n" and other.read_text() == "other\n"


def living_children(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` and that have not ended (zombies have)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended while we looked
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_filter_workers_end_with_their_parent(signum: signal.Signals, tmp_path: Path) -> None:
    fifo, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    records = "".join(json.dumps({"id": i, "text": GARBLED}) + "\n" for i in range(600)).encode()  # a block and more
    process, writer = started_on_a_fifo(["filter", "-p", "2", str(fifo), "-o", str(output)], fifo, records)
    workers: list[int] = []
    try:
        wait_for(lambda: len(living_children(process.pid)) == 2, "the workers never started")
        workers = living_children(process.pid)
        process.send_signal(signum)
        process.wait(timeout=60)
        wait_for(lambda: not any(_alive(worker) for worker in workers), "a worker outlived its parent")
    finally:
        os.close(writer)
        for worker in filter(_alive, workers):  # the test failed: leave no worker behind
            os.kill(worker, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended but not yet collected, does not)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_only_temporary_files_no_process_writes_are_removed_as_stale(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    (tmp_path / ".out.jsonl.abcd_123.tmp").write_text("left by a killed run")
    (tmp_path / ".other.jsonl.abcd_123.tmp").write_text("another output's")
    with atomic_writer(target) as handle:
        handle.write("x\n")
        assert remove_stale_temporaries(target) == []  # the one being written is locked: kept
        assert len(entries(tmp_path)) == 2
    assert entries(tmp_path) == [".other.jsonl.abcd_123.tmp", "out.jsonl"]


def test_a_unix_socket_is_connected_to(inputs: dict[str, Path]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="mtdetect-socket-"))  # short: socket paths have a length limit
    path, received = folder / "s", bytearray()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            while chunk := connection.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        done = mtdetect(arguments("filter", inputs, str(path)))
        thread.join(timeout=60)
        assert done.returncode == 0, done.stderr
        assert bytes(received) == expected_output("filter", inputs)
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()
        shutil.rmtree(folder)


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        with open_output(tmp_path / "new.jsonl") as out:
            out.write("x\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.jsonl").stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_root_keeps_the_owner_of_a_replaced_file(tmp_path: Path) -> None:
    target = tmp_path / "theirs.jsonl"
    target.write_text("old\n")
    os.chown(target, NOBODY, NOBODY)
    with atomic_writer(target) as handle:
        handle.write("new\n")
    assert (target.stat().st_uid, target.stat().st_gid, target.read_text()) == (NOBODY, NOBODY, "new\n")


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: p.write_text(""), "file"),
        (lambda p: None, "file"),
        (lambda p: os.mkfifo(p), "stream"),
        (lambda p: p.symlink_to("/dev/null"), "stream"),
    ],
    ids=["regular", "new", "fifo", "link to a device"],
)
def test_output_target_kinds(tmp_path: Path, make: Callable[[Path], None], kind: str) -> None:
    make(tmp_path / "out")
    assert output_target(tmp_path / "out").kind == kind


def test_output_target_names_descriptors_and_loops(tmp_path: Path) -> None:
    assert output_target("/dev/stdout").fd == 1 and output_target("/dev/fd/2").fd == 2
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OutputError) as raised:
        output_target(tmp_path / "a")
    assert raised.value.errno == errno.ELOOP and str(raised.value).startswith(f"cannot write {tmp_path / 'a'}: ")


def test_a_file_the_user_may_not_write_is_refused_though_its_folder_is_open(inputs: dict[str, Path]) -> None:
    prefix = unprivileged()
    if not prefix:
        pytest.skip("no way to run as another user than the file's owner")
    folder = Path(tempfile.mkdtemp(prefix="mtdetect-locked-"))
    try:
        folder.chmod(0o777)  # a rename over the file would succeed: the file's own bits must stop it
        target = folder / "theirs.jsonl"
        target.write_text("old\n")
        target.chmod(0o644)
        done = mtdetect(arguments("filter", inputs, str(target)), prefix=prefix, cwd="/")
        one_line_failure(done, f"{target}: Permission denied")
        assert entries(folder) == ["theirs.jsonl"] and target.read_text() == "old\n"
    finally:
        shutil.rmtree(folder)


def test_training_outputs_still_make_their_folders(tmp_path: Path) -> None:
    with atomic_writer(tmp_path / "build" / "pairs" / "x.jsonl") as handle:
        handle.write("{}\n")
    assert (tmp_path / "build" / "pairs" / "x.jsonl").read_text() == "{}\n"


class _Full:
    """A stream that cannot be written, as standard output on /dev/full."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_guarded_names_the_output_but_lets_a_broken_pipe_through() -> None:
    with pytest.raises(OutputError, match="^cannot write standard output: No space left on device$"):
        guarded(_Full()).write("x")  # type: ignore[arg-type]

    class Gone(_Full):
        def write(self, text: str) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    with pytest.raises(BrokenPipeError):
        guarded(Gone()).write("x")  # type: ignore[arg-type]
