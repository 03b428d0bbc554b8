"""Fixtures shared by the test modules, and the rule that CI skips nothing."""

from __future__ import annotations

import os

import pytest

import mtdetect

SKIPPED_IN_CI = (
    "skipped under CI, where nothing may be: `make test` installs everything the tests need "
    "(Python packages, Debian packages, ../shared beside the project); the skip said: {reason}"
)


@pytest.fixture(scope="module")
def det() -> mtdetect.Detector:
    """The bundled model's detector, one per test module (the model itself is read once per process)."""
    return mtdetect.load()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under CI (``CI`` set, as ``.ci/run`` sets it), a skipped test fails instead: a test that CI
    skips never runs anywhere. Expected failures (xfail) are not skips and stay as they are."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = SKIPPED_IN_CI.format(reason=reason)
