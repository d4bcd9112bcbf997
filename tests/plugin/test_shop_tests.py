"""The example shop's own tests (examples/shop/tests) pass: its clients against stubs served from its
docs by the plugin, with the retries each client really makes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests._paths import EXAMPLE_DOCS

SHOP = EXAMPLE_DOCS.parents[1]


def test_the_shop_tests_pass_against_its_docs() -> None:
    pytest.importorskip("requests", reason="the shop's clients need the 'example' extra")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "tests"],
        cwd=SHOP,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "8 passed" in proc.stdout  # 3 cart, 5 payments (a body that is not a charge)
