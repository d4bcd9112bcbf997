"""The system graph with live status: services, integrations between them, and what breaks if one is down.

A service is coloured by the worst status of the integrations *into* it (those whose documented
Destination it is), that is how its callers see it (down > degraded > unknown > up). A service nothing
calls (an entry point such as a storefront) has no status of its own and is drawn neutral; its outgoing
edges carry the colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..catalog import Catalog
from ..model import Integration
from ..monitor.model import Status

__all__ = ["SEVERITY", "Impact", "Link", "Service", "System", "build", "impact", "worst"]

SEVERITY = {Status.UP: 0, Status.SKIPPED: 1, Status.UNKNOWN: 1, Status.DEGRADED: 2, Status.DOWN: 3}


def worst(statuses: list[Status]) -> Status | None:
    return max(statuses, key=SEVERITY.__getitem__) if statuses else None


@dataclass(frozen=True, slots=True)
class Link:
    """One integration as drawn: a bidirectional one is one link with ``bidirectional`` set."""

    integration: Integration
    source: str
    destination: str
    status: Status
    bidirectional: bool


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    status: Status | None
    calls: list[str] = field(default_factory=list)  # ids of integrations out of it
    called_by: list[str] = field(default_factory=list)  # ids of integrations into it


@dataclass(frozen=True, slots=True)
class System:
    services: list[Service]
    links: list[Link]


@dataclass(frozen=True, slots=True)
class Impact:
    service: str
    broken: list[Integration]
    affected: list[str]


def build(catalog: Catalog, statuses: Mapping[str, Status]) -> System:
    """``statuses``: integration id -> status (an integration the monitor does not know is unknown)."""

    def status(i: Integration) -> Status:
        return statuses.get(i.id, Status.UNKNOWN)

    into: dict[str, list[Integration]] = {}
    out: dict[str, list[Integration]] = {}
    names = catalog.service_names()  # one service however its docs spell it
    for i in catalog:  # as documented (Source → Destination), also for a bidirectional integration
        if i.source and i.destination:
            into.setdefault(names[i.destination], []).append(i)
            out.setdefault(names[i.source], []).append(i)
    services = [
        Service(
            name,
            worst([status(i) for i in into.get(name, [])]),
            list(dict.fromkeys(i.id for i in out.get(name, []))),
            list(dict.fromkeys(i.id for i in into.get(name, []))),
        )
        for name in catalog.services()
    ]
    links: list[Link] = []
    seen: set[str] = set()
    for e in catalog.edges():
        i = e.integration
        if i.id in seen:
            continue
        seen.add(i.id)
        bidi = (i.direction or "").strip().lower().startswith("bi")
        links.append(Link(i, e.source, e.destination, status(i), bidi))
    return System(services, links)


def impact(catalog: Catalog, name: str) -> Impact | None:
    """:meth:`Catalog.impact` of the service named (case and punctuation aside); ``None`` if unknown."""
    service = catalog.find_service(name)
    if service is None:
        return None
    broken, affected = catalog.impact(service)
    return Impact(service, broken, affected)
