"""``wiremap stub``: serve a destination as its doc describes it, record every request, fail on demand.

- :mod:`.faults`: the ``--fault`` grammar, the seeded :class:`FaultPlan`, which faults fit which protocol;
- :mod:`.record`: :class:`Recorded` and the thread-safe :class:`Recorder`;
- :mod:`.spec`: :class:`StubSpec`, what the doc documents;
- :mod:`._base`: :class:`StubContext`, :class:`RunningStub` and the stream listener servers share;
- :mod:`.registry`: protocol -> ``stub/servers/<protocol>.py`` (``async def start(spec, ctx)``);
- :mod:`.proxy`: the fault proxy in front of a real destination (``--proxy-to``).
"""

from __future__ import annotations

from ._base import LOOPBACK, RunningStub, StubContext
from .faults import NO_FAULT, Fault, FaultKind, FaultPlan, Schedule, check_supported, parse_fault
from .record import Recorded, Recorder
from .spec import StubSpec

__all__ = [
    "LOOPBACK",
    "NO_FAULT",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "Recorded",
    "Recorder",
    "RunningStub",
    "Schedule",
    "StubContext",
    "StubSpec",
    "check_supported",
    "parse_fault",
]
