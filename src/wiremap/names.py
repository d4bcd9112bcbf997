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

__all__ = ["is_named", "named"]


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
    """The integrations NAME names (:func:`is_named`), one per id, the one whose id NAME is first."""
    found: dict[str, Integration] = {}
    for i in integrations:
        if i.id not in found and is_named(i, name):
            found[i.id] = i
    exact = found.pop(name, None)
    return [exact, *found.values()] if exact is not None else list(found.values())
