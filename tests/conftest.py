from __future__ import annotations

from pathlib import Path

import pytest

import tests._fuzz  # noqa: F401 - loads the Hypothesis profile before any test module
from tests._paths import EXAMPLE_DOCS, FIXTURES


@pytest.fixture
def example_docs() -> Path:
    return EXAMPLE_DOCS


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
