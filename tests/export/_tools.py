"""The real Prometheus tools: promtool (Debian's ``prometheus``) and blackbox_exporter (Debian's
``prometheus-blackbox-exporter``). Missing: skip with the reason, or fail under WIREMAP_REQUIRE_SERVICES=1
(CI installs them: .ci/run)."""

from __future__ import annotations

import os
import shutil

import pytest

INSTALL = "apt-get install prometheus prometheus-blackbox-exporter"


def tool(*names: str) -> str:
    """The path of the first of ``names`` on PATH, else skip (or fail when services are required)."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    reason = f"{' or '.join(names)} is not installed ({INSTALL})"
    if os.environ.get("WIREMAP_REQUIRE_SERVICES") == "1":
        pytest.fail(f"WIREMAP_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def promtool() -> str:
    return tool("promtool")


def blackbox_exporter() -> str:
    return tool("blackbox_exporter", "prometheus-blackbox-exporter")
