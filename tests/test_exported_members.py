"""The public API is deliberate: __all__ is sorted, complete and importable (httpx's habit)."""

from __future__ import annotations

import wiremap


def test_all_is_sorted_and_importable() -> None:
    names = wiremap.__all__

    # ruff RUF022's isort-style order: CONSTANTS, then Classes, then functions and dunders
    def kind(n: str) -> int:
        if n.isupper():
            return 0
        return 1 if n[:1].isupper() else 2

    assert names == sorted(names, key=lambda n: (kind(n), n))
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(wiremap, name), name


def test_every_public_name_is_exported() -> None:
    public = {n for n in dir(wiremap) if not n.startswith("_")} - {"annotations"}
    modules = {n for n in public if type(getattr(wiremap, n)).__name__ == "module"}
    assert public - modules == set(wiremap.__all__) - {"__version__"}


def test_load_and_lint_from_python(example_docs: object) -> None:
    catalog = wiremap.load(str(example_docs))
    assert len(catalog) >= 6
    assert catalog.get("Checkout Service → Payments API") is not None
    assert wiremap.lint_catalog(catalog) == []
