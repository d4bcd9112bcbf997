"""Every package uses another's public names only, never its private helpers (``measure.ops.grpc`` once
imported ``_read``, ``_rpc_failure`` and ``_secure`` from the probe; ``web.checks`` a private of the
verify engine). Dunders (``__version__``) are public."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGES = ("wiremap",)


def _module(path: Path) -> str:
    return ".".join(path.relative_to(SRC).with_suffix("").parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _package(module: str) -> str:
    """``wiremap.measure.ops.grpc`` -> ``wiremap.measure``: the second level is the package."""
    return ".".join(module.split(".")[:2])


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


FILES = sorted(p for pkg in PACKAGES for p in (SRC / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_private_names_from_another_package(path: Path) -> None:
    module = _module(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offences = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = _absolute(node, module, path.name == "__init__.py")
        if not source.startswith("wiremap") or _package(source) == _package(module):
            continue
        offences += [f"{source}.{alias.name}" for alias in node.names if _private(alias.name)]
    assert not offences, f"{module} imports private names of another package: {offences}"


def test_the_check_sees_relative_imports() -> None:
    """The resolver on the old offender's form: ``from ...probes.grpc import _read`` in measure.ops.grpc."""
    node = ast.parse("from ...probes.grpc import _read").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _absolute(node, "wiremap.measure.ops.grpc", False) == "wiremap.probes.grpc"
    assert len(FILES) > 200 and _private("_read") and not _private("__version__")
