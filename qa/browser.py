"""Pages opened in a real browser: Debian's headless Chromium, driven through Playwright.

Used by the tests of HTML reports and by ``make report-example`` for the
README's screenshot. Playwright only drives the browser here; it downloads
nothing (``executable_path`` points at Debian's ``/usr/bin/chromium``, which
``make system-deps`` installs). Chromium starts with a fresh profile and its
background networking off, since a report must load with no network.

    with Browser() as browser:
        page = browser.open(Path("report.html"))
        assert not page.console_errors
        page.page.screenshot(path="report.png")
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["CHROMIUM_FLAGS", "Browser", "Loaded", "chromium_path"]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # the browser runs as root in CI
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",  # no update checks or field trials: the network is closed
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT_MS = 60_000
MISSING = "Chromium is not installed: run `make system-deps` (Debian's chromium package)"


def chromium_path() -> str | None:
    """Debian's Chromium, if it is installed."""
    return shutil.which("chromium")


@dataclass
class Loaded:
    """A page after loading, with what it logged and every URL it asked for."""

    page: Page
    console: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    errors: list[str] = field(default_factory=list)  # uncaught exceptions
    requests: list[str] = field(default_factory=list)

    @property
    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"] + self.errors


class Browser:
    """One headless Chromium with a fresh profile; :meth:`open` loads a file in a new tab."""

    def __init__(self, width: int = 1280, height: int = 900) -> None:
        executable = chromium_path()
        if executable is None:
            raise RuntimeError(MISSING)
        from playwright.sync_api import sync_playwright

        self._profile = tempfile.TemporaryDirectory(prefix="mtdetect-chromium-")
        self._playwright = sync_playwright().start()
        try:
            self._context = self._playwright.chromium.launch_persistent_context(
                self._profile.name,
                executable_path=executable,
                headless=True,
                args=list(CHROMIUM_FLAGS),
                viewport={"width": width, "height": height},
            )
        except Exception:
            self._playwright.stop()
            self._profile.cleanup()
            raise
        self._context.set_default_timeout(TIMEOUT_MS)

    def open(self, path: Path) -> Loaded:
        """Load a local file and wait until it has loaded."""
        page = self._context.new_page()
        loaded = Loaded(page)
        page.on("console", lambda message: loaded.console.append((message.type, message.text)))
        page.on("pageerror", lambda error: loaded.errors.append(str(error)))
        page.on("request", lambda request: loaded.requests.append(request.url))
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        return loaded

    def close(self) -> None:
        try:
            self._context.close()
        finally:
            self._playwright.stop()
            self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
