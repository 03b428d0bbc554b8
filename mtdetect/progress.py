"""Progress on standard error: for long runs only, and never on a line of output.

A bar appears only when standard error is a terminal and the run has already
taken :data:`DELAY_SECONDS`, so a quick run (``make demo``) prints none. When
the output goes to a terminal too (the ``score`` table), each block of output
is written inside :meth:`Progress.apart`: the bar is wiped first and drawn
again below the output, so it never shares a line with it or sits inside the
table. Messages for standard error go through :meth:`Progress.message` for
the same reason. The bar leaves nothing behind when it closes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import IO, Any

from .wording import counted

DELAY_SECONDS = 2.0
"""A run shows a bar only once it has taken this long."""
REFRESH_SECONDS = 0.5
"""The bar is redrawn at most this often."""
ECHO_ROOM = 3
"""Columns the bar leaves free at the end of its line: the terminal echoes Ctrl-C there as
``^C``, and on a full line that would push the cursor to the next one, below the wiped bar."""


class Progress:
    """Progress on standard error, shown for runs over :data:`DELAY_SECONDS`.

    With the ``total`` size of the inputs in bytes, a bar of the bytes read
    (:meth:`move_to`) with a share, a rate and the time left, and the count of
    ``unit`` beside it; without it (standard input), the count of ``unit``.
    ``output`` is where the run writes; when it is a terminal, writes to it
    belong inside :meth:`apart`. Off a terminal, or not ``enabled``, the bar
    is a no-op.
    """

    def __init__(
        self,
        unit: str,
        output: IO[str] | None = None,
        stream: IO[str] | None = None,
        enabled: bool = True,
        total: int | None = None,
    ) -> None:
        self._stream = stream or sys.stderr
        self._output_is_terminal = is_terminal(output)
        self._bar: Any = None
        self._unit, self._count = unit, 0
        self._sized = bool(total)  # a bar of bytes, not a count of units
        if enabled and is_terminal(self._stream):
            from tqdm import tqdm

            sizes = {"total": total, "unit": "B", "unit_scale": True, "unit_divisor": 1024} if self._sized else {
                "unit": unit}
            self._bar = tqdm(
                **sizes, file=self._stream, leave=False, mininterval=REFRESH_SECONDS,
                delay=DELAY_SECONDS, ncols=_columns(self._stream) - ECHO_ROOM,
            )

    @property
    def active(self) -> bool:
        """Whether there is a bar to move (on a terminal, enabled)."""
        return self._bar is not None

    @property
    def position(self) -> int:
        """The bytes the bar shows as read (0 without a total)."""
        return int(self._bar.n) if self._bar is not None and self._sized else 0

    @property
    def shown(self) -> bool:
        """Whether the bar has been drawn (a run shorter than the delay never draws it)."""
        bar = self._bar
        return bar is not None and not bar.disable and bar.last_print_t >= bar.start_t + bar.delay

    def update(self, count: int) -> None:
        """``count`` more units done (with a total, shown beside the bar when it next moves)."""
        if self._bar is None:
            return
        if not self._sized:
            self._bar.update(count)
            return
        self._count += count
        self._bar.set_postfix_str(counted(self._count, self._unit), refresh=False)

    def move_to(self, position: float) -> None:
        """The bytes of the inputs read (or scored) so far: the bar moves there (never back)."""
        if self._bar is not None and self._sized:
            step = int(min(position, self._bar.total)) - self._bar.n
            if step > 0:
                self._bar.update(step)

    @contextmanager
    def apart(self, terminal_output: bool | None = None) -> Iterator[None]:
        """Write output to the terminal inside this: the bar is wiped before and redrawn after."""
        wipe = self.shown and (self._output_is_terminal if terminal_output is None else terminal_output)
        if wipe:
            self._bar.clear()
        try:
            yield
        finally:
            if wipe:
                self._bar.refresh()

    def message(self, text: str) -> None:
        """Write a line to standard error, on a line of its own."""
        with self.apart(terminal_output=True):
            self._stream.write(text + "\n")
            self._stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _columns(stream: IO[str]) -> int:
    """The width of the terminal ``stream`` writes to (80 when it cannot be told)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 80


def is_terminal(stream: IO[str] | None) -> bool:
    """Whether ``stream`` is a terminal (False for none, a closed one, or one in memory)."""
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, OSError, ValueError):  # no isatty, or closed
        return False
