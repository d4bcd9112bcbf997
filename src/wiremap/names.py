"""What NAME means on the command line: one integration, named the same way by every command.

measure's NAME, ``--only`` (:meth:`wiremap.catalog.Catalog.get`) and ``--target NAME=URL`` of verify,
measure and serve (:func:`wiremap.verify.targets.target_ids`) all go through :func:`is_named`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path

from .model import Integration
from .values import slugify

__all__ = ["ambiguity", "is_named", "named"]


@functools.lru_cache(maxsize=256)
def _as_id(name: str) -> str:
    return slugify(name.replace("→", " to ").replace("->", " to "))


def is_named(integration: Integration, name: str) -> bool:
    """Whether NAME names ``integration``: its id; ``Source → Destination`` (any arrow, any case:
    read as an id); its doc's path, as printed or any path to the same file; or the doc's file name,
    with or without ``.md``."""
    i = integration
    doc = Path(i.path)
    if name in (i.id, i.path, i.name, doc.stem, doc.name) or _as_id(name) == i.id:
        return True
    given = Path(name)
    if given.name != doc.name or len(given.parts) < 2:
        return False
    return os.path.realpath(given) == os.path.realpath(doc)


def named(integrations: Iterable[Integration], name: str) -> list[Integration]:
    """The integrations NAME names (:func:`is_named`), one per doc, those whose id NAME is first."""
    found: dict[str, Integration] = {}
    for i in integrations:
        if i.path not in found and is_named(i, name):
            found[i.path] = i
    matches = list(found.values())
    return [i for i in matches if i.id == name] + [i for i in matches if i.id != name]


def ambiguity(found: list[Integration], name: str) -> str | None:
    """Why NAME does not name one integration, when it names several: two docs of one file name in two
    folders, or two docs of one id (a duplicate, CAT001). A NAME that is one doc's exact id is that doc."""
    if len(found) < 2 or (found[0].id == name and found[1].id != name):
        return None
    paths = ", ".join(i.path for i in found)
    same_id = len({i.id for i in found}) == 1
    why = "docs of the same id (CAT001)" if same_id else "docs"
    return f"{name!r} names {len(found)} {why} ({paths}): give the doc's path"
