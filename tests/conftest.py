"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

import mtdetect


@pytest.fixture(scope="module")
def det() -> mtdetect.Detector:
    """The bundled model's detector, one per test module (the model itself is read once per process)."""
    return mtdetect.load()
