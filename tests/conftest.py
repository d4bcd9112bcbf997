from __future__ import annotations

from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS, FIXTURES


@pytest.fixture
def example_docs() -> Path:
    return EXAMPLE_DOCS


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
