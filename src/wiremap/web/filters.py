"""The catalog's filters, the same for the page (``/``) and the API (``/api/integrations``), from the query
string alone (no script needed): ``?status=down&owner=payments-team&critical=1&q=cart``.

* ``status``: one or more of up, down, degraded, skipped, unknown (repeated, or comma-separated);
* ``owner``: the doc's Maintained By, exactly (case-insensitive); ``owner=-`` for no owner;
* ``critical``: ``1`` (critical path only) or ``0`` (not on it);
* ``q``: a case-insensitive substring of the name, id, source or destination.

An empty value (a form's "any") is no filter; a bad one is a 422 that says what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import HTTPException, Query

from ..monitor.model import IntegrationState, Status

__all__ = ["NO_OWNER", "STATUS_ORDER", "Filters", "owners", "query_filters"]

NO_OWNER = "-"
STATUS_ORDER = (Status.DOWN, Status.DEGRADED, Status.UP, Status.SKIPPED, Status.UNKNOWN)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class Filters:
    status: tuple[Status, ...] = ()
    owner: str = ""
    critical: bool | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return bool(self.status or self.owner or self.critical is not None or self.q)

    def matches(self, state: IntegrationState) -> bool:
        i = state.integration
        if self.status and state.status not in self.status:
            return False
        if self.owner:
            owner = (i.maintained_by or "").strip().casefold()
            if owner != ("" if self.owner == NO_OWNER else self.owner.casefold()):
                return False
        if self.critical is not None and bool(i.critical_path) is not self.critical:
            return False
        if self.q:
            needle = self.q.casefold()
            return any(needle in (v or "").casefold() for v in (i.name, i.id, i.source, i.destination))
        return True

    def apply(self, states: Iterable[IntegrationState]) -> list[IntegrationState]:
        return [s for s in states if self.matches(s)]

    def params(self) -> list[tuple[str, str]]:
        out = [("status", s.value) for s in self.status]
        if self.owner:
            out.append(("owner", self.owner))
        if self.critical is not None:
            out.append(("critical", "1" if self.critical else "0"))
        if self.q:
            out.append(("q", self.q))
        return out

    def query(self) -> str:
        """``?status=down&owner=…`` (empty without a filter), for links that keep the filter."""
        params = self.params()
        return "?" + urlencode(params) if params else ""

    def describe(self) -> list[str]:
        """The filter in words, one part each: ``status down or degraded``, ``owner payments-team``."""
        out = []
        if self.status:
            out.append("status " + " or ".join(s.value for s in self.status))
        if self.owner:
            out.append("no owner" if self.owner == NO_OWNER else f"owner {self.owner}")
        if self.critical is not None:
            out.append("critical path" if self.critical else "not on the critical path")
        if self.q:
            out.append(f"name, id, source or destination contains “{self.q}”")
        return out


def _statuses(values: Sequence[str]) -> tuple[Status, ...]:
    out: list[Status] = []
    for value in values:
        for part in value.split(","):
            part = part.strip().lower()
            if not part:
                continue
            try:
                status = Status(part)
            except ValueError:
                allowed = ", ".join(s.value for s in STATUS_ORDER)
                raise HTTPException(422, f"status must be one of {allowed}; got {part!r}") from None
            if status not in out:
                out.append(status)
    return tuple(out)


def _critical(value: str | None) -> bool | None:
    v = (value or "").strip().lower()
    if not v:
        return None
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise HTTPException(422, f"critical must be 1 (critical path only) or 0 (not on it); got {value!r}")


def query_filters(
    status: Annotated[
        list[str] | None,
        Query(description="up, down, degraded, skipped or unknown; repeat it or separate with commas"),
    ] = None,
    owner: Annotated[
        str | None, Query(description="the doc's Maintained By, exactly (case-insensitive); `-` for none")
    ] = None,
    critical: Annotated[str | None, Query(description="1: on the critical path only; 0: not on it")] = None,
    q: Annotated[
        str | None, Query(description="a substring of the name, id, source or destination (case-insensitive)")
    ] = None,
) -> Filters:
    """The FastAPI dependency: the query string as :class:`Filters`."""
    return Filters(_statuses(status or []), (owner or "").strip(), _critical(critical), (q or "").strip())


def owners(states: Iterable[IntegrationState]) -> list[str]:
    """Every owner named in the catalog, sorted, for the filter's choices."""
    return sorted({o for s in states if (o := (s.integration.maintained_by or "").strip())}, key=str.casefold)
