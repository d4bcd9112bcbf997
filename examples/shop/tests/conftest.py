"""The shop's own tests: ``services.*`` importable from anywhere (``pytest examples/shop/tests``).

The clients are tested against stubs served from the shop's integration docs by the wiremap pytest
plugin (``@pytest.mark.wiremap``, fixture ``wiremap``), not against hand-made Mocks: a test passes only
if the client speaks to the destination the way its doc says the destination answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHOP = Path(__file__).resolve().parents[1]
if str(SHOP) not in sys.path:
    sys.path.insert(0, str(SHOP))
