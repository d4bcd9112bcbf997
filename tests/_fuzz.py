"""Hypothesis profiles: ``make test`` gives the same answer twice, ``make fuzz`` looks further.

- ``ci`` (the default): derandomized — the same examples on every run, no example database — so CI can
  never fail on a commit that passed before.
- ``fuzz`` (``HYPOTHESIS_PROFILE=fuzz``, ``make fuzz``): random, :func:`examples` × 10. What it finds
  becomes an explicit ``@example`` in the test, so ``ci`` keeps checking it.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
settings.register_profile("fuzz", derandomize=False, deadline=None, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
FACTOR = 10 if PROFILE == "fuzz" else 1


def examples(n: int) -> int:
    """``n`` examples under ``ci``, ten times as many under ``fuzz``."""
    return n * FACTOR
