"""Which indexer reads which file: one registry keyed by language, extensions mapped to it.

The tree-sitter indexers are imported only when a file of theirs is met, so a Python-only tree never
loads a grammar.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from .model import FileIndex

__all__ = ["LANGUAGES", "SPRING_CONFIG", "Indexer", "Language", "indexer_for", "language_of"]

Indexer = Callable[[str, bytes, str], FileIndex]


@dataclass(frozen=True, slots=True)
class Language:
    name: str
    extensions: tuple[str, ...]
    module: str  # wiremap.code.<module>
    function: str
    version: int  # bump when the indexer's output changes: cached entries of older versions are dropped


LANGUAGES: dict[str, Language] = {
    "python": Language("python", (".py", ".pyi"), "python", "index_python", 3),
    "javascript": Language(
        "javascript",
        (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"),
        "javascript",
        "index_javascript",
        2,
    ),
    "go": Language("go", (".go",), "golang", "index_go", 2),
    "java": Language("java", (".java",), "java", "index_java", 1),
    # Spring Boot's application.yml / .properties: by file name (SPRING_CONFIG), not by extension
    "spring": Language("spring", (), "spring", "index_spring", 1),
}
SPRING_CONFIG = re.compile(r"(?:^|/)(?:application|bootstrap)(?:-[\w.-]+)?\.(?:ya?ml|properties)$")

_BY_EXTENSION = {ext: lang for lang in LANGUAGES.values() for ext in lang.extensions}


def language_of(path: str) -> Language | None:
    dot = path.rfind(".")
    if dot < 0 or path.endswith(".d.ts"):
        return None
    found = _BY_EXTENSION.get(path[dot:].lower())
    if found is None and SPRING_CONFIG.search(path):
        return LANGUAGES["spring"]
    return found


_loaded: dict[str, Indexer] = {}


def indexer_for(language: Language) -> Indexer:
    fn = _loaded.get(language.name)
    if fn is None:
        module = importlib.import_module(f"{__package__}.{language.module}")
        fn = cast(Indexer, getattr(module, language.function))
        _loaded[language.name] = fn
    return fn
