"""The pytest plugin: a Source's own unit tests call a stub served from the doc instead of a hand-made Mock.

Registered by the ``pytest11`` entry point ``wiremap``, so it is active wherever wiremap is installed;
it does nothing until a test asks for it (docs/pytest-plugin.md):

- fixture ``wiremap_stub``: a factory, ``stub = wiremap_stub("integration-id", fault=None)`` returns a
  running :class:`WiremapStub` (on 127.0.0.1, in a thread with its own event loop, closed at teardown);
- marker ``@pytest.mark.wiremap("integration-id", fault=None)``: starts the stub before the test and sets
  the doc's env vars (``monkeypatch``) so the code under test reaches it; the stub is the fixture
  ``wiremap`` and ``request.node.wiremap`` (``request.node.wiremap_stubs``: every marked stub by id);
- where the docs are: ``--wiremap-docs DIR``, else the ini key ``wiremap_docs`` (relative to the ini file),
  else the ``docs`` of the wiremap config found upward from the test's folder (``wiremap.toml`` or
  ``[tool.wiremap]``), else ``docs/integrations`` under the rootdir.

A name that names no doc, a doc with nothing servable, a protocol without a stub (PostgreSQL, AMQP) or a
fault the protocol cannot take fails the test with one line that says so (no traceback).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import warnings
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar

import pytest

if TYPE_CHECKING:
    from .catalog import Catalog
    from .faults.syns import SynCounter
    from .model import Integration
    from .stub import Fault, FaultPlan, Recorded, RunningStub, StubContext, StubSpec

__all__ = ["WiremapStub", "WiremapStubFactory", "WiremapWarning"]

T = TypeVar("T")

MARKER = "wiremap"
_MARKER_HELP = (
    'wiremap(name, fault=None, seed=0): serve the doc NAME names (an integration id, "Source → '
    'Destination", its file name or path) on 127.0.0.1 and point its env vars at it; fault: '
    "timeout, status:503, first:2:status:503 … (wiremap stub --fault)"
)
_DOCS_HELP = (
    "Folder of the integration docs the wiremap fixtures read [default: the docs of the wiremap config]."
)
_START_TIMEOUT_S = 30.0
_SETTLE_S = 2.0


class WiremapWarning(pytest.PytestWarning):
    """Something the plugin did not do that a test may rely on (a doc variable it could not point)."""


def _fail(message: str) -> NoReturn:
    """One line, even from inside an ``except``: the error being handled is not shown with it (pytest
    printed "During handling of the above exception, another exception occurred" and the message twice)."""
    try:
        pytest.fail(f"wiremap: {message}", pytrace=False)
    except pytest.fail.Exception as failed:
        raise failed from None


class _Loop:
    """An event loop running in a daemon thread: the stubs serve there while the test blocks."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="wiremap-stub", daemon=True)
        self.thread.start()

    def run(self, make: Callable[[], Awaitable[T]], timeout: float = _START_TIMEOUT_S) -> T:
        async def call() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout)

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        if not self.thread.is_alive():
            self.loop.close()


if TYPE_CHECKING:

    class _Context(StubContext):
        skipped: int


@functools.cache
def _context_class() -> type[_Context]:
    """:class:`StubContext` that also counts the attempts refused (they reach no stub, are never recorded).

    Made on first use: pytest loads this plugin in every run where wiremap is installed, and the stub
    package (and the model under it) is not worth importing for the runs that never use it."""
    from .stub import StubContext

    class Context(StubContext):
        skipped: int = 0

        def skip_attempt(self) -> int:
            self.skipped += 1
            return super().skip_attempt()

    return Context  # type: ignore[return-value]


def _shifted(plan: FaultPlan, offset: int) -> FaultPlan:
    """``plan`` counted from the attempt after ``offset`` (``first:2`` inside a block: the block's first
    two attempts, however many the stub saw before)."""
    from .stub import FaultPlan

    if plan.fault is None or offset == 0:
        return plan

    class _From(FaultPlan):
        __slots__ = ()

        def decide(self, attempt: int) -> Fault | None:
            return FaultPlan.decide(self, attempt - offset)

    return _From(plan.fault, plan.schedule, plan.n, plan.p, plan.seed)


class WiremapStub:
    """A stub of one doc, running: where it listens, what it saw, the env vars that point at it, and
    :meth:`fault` to fail differently for a block."""

    def __init__(
        self,
        integration: Integration,
        spec: StubSpec,
        running: RunningStub,
        ctx: _Context,
        loop: _Loop,
        env: Mapping[str, str],
        was: Mapping[str, str],
    ) -> None:
        self.integration = integration
        self.spec = spec
        self._running = running
        self._ctx = ctx
        self._loop = loop
        self.env: dict[str, str] = dict(env)  # the doc's env vars, rewritten to reach this stub
        self.env_was: dict[str, str] = dict(was)  # what the doc says each of them is
        self._counting: asyncio.Task[None] | None = None
        self._closed = False
        self._cleared = 0  # attempts forgotten by clear()

    # -- where ---------------------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.integration.id

    @property
    def host(self) -> str:
        return self._running.host

    @property
    def port(self) -> int:
        return self._running.port

    @property
    def url(self) -> str:
        """``scheme://127.0.0.1:PORT`` plus the documented path where the protocol has one."""
        return self._running.url

    @property
    def cafile(self) -> str | None:
        """The self-signed certificate a client trusts, for a stub of a TLS destination."""
        return self._running.cafile

    # -- what it saw ---------------------------------------------------------------------------------

    @property
    def requests(self) -> list[Recorded]:
        """Every attempt the stub saw so far (a copy): request, fault applied, connection, bytes. A stub
        records an answered attempt once its answer is written, so this first waits (up to 2 s) for
        every attempt that arrived to be recorded: a client that just got its answer finds it here.
        (The TCP stub records a connection when it ends: not waited for.)"""
        if self.spec.protocol == "tcp":
            return self._ctx.recorder.items
        want = self._ctx.attempts - self._ctx.skipped - self._cleared
        try:
            return self._ctx.recorder.wait_for(want, _SETTLE_S)
        except TimeoutError:
            return self._ctx.recorder.items

    def wait_for(self, n: int, timeout: float = 5.0) -> list[Recorded]:
        """Block until ``n`` attempts are recorded (a client on another thread), then return them all."""
        return self._ctx.recorder.wait_for(n, timeout)

    def clear(self) -> None:
        """Forget what was recorded (attempts keep their numbers: a fault plan counts on)."""
        self.requests  # noqa: B018 - the attempts under way are recorded first, then forgotten
        self._cleared = self._ctx.attempts - self._ctx.skipped
        self._ctx.recorder.clear()

    # -- how it fails --------------------------------------------------------------------------------

    @property
    def plan(self) -> FaultPlan:
        """The fault plan in force (``NO_FAULT``: every attempt answered as documented)."""
        return self._ctx.plan

    @contextlib.contextmanager
    def fault(self, fault: str | None, *, seed: int = 0) -> Iterator[WiremapStub]:
        """Fail this way inside the block, then as before: ``with stub.fault("first:2:status:503"):``.
        A schedule counts the block's attempts from 1; ``None`` answers everything as documented."""
        plan = _plan(fault, seed, self.spec.protocol)
        before = self._ctx.plan
        self._set_plan(_shifted(plan, self._ctx.attempts))
        try:
            yield self
        finally:
            self._set_plan(before)

    def _set_plan(self, plan: FaultPlan) -> None:
        self._ctx.plan = plan
        counter = _syn_counter(plan, self._running.port)  # opened here: its warning is the test's
        self._loop.run(lambda: self._apply_plan(counter))

    async def _apply_plan(self, counter: SynCounter | None) -> None:
        """Listen, or stop listening while the next attempt is to be refused; with ``counter``, count
        refusals at the wire so that a plan that refuses some attempts listens again after them."""
        if self._counting is not None:
            self._counting.cancel()
            await asyncio.gather(self._counting, return_exceptions=True)
            self._counting = None
        await self._running.note_refused(0)
        if counter is not None:
            self._counting = _count_refusals(counter, self._running)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        async def stop() -> None:
            if self._counting is not None:
                self._counting.cancel()
                await asyncio.gather(self._counting, return_exceptions=True)
            await self._running.close()

        self._loop.run(stop)

    def __repr__(self) -> str:
        return f"WiremapStub({self.id!r}, {self.url})"


def _plan(fault: str | None, seed: int, protocol: str) -> FaultPlan:
    from ._errors import UsageError
    from .stub import NO_FAULT, check_supported, parse_fault

    if fault is None:
        return NO_FAULT
    try:
        plan = parse_fault(fault, seed=seed)
        check_supported(plan, protocol)
    except UsageError as exc:
        message = str(exc).removeprefix("--")
    else:
        return plan
    _fail(message)  # outside the except: pytest printed the message twice, chained (round 30)


def _syn_counter(plan: FaultPlan, port: int) -> SynCounter | None:
    """``first:N:refused`` and the like listen again once N refusals are seen at the wire (a packet
    socket, :mod:`wiremap.faults.syns`); where none can be opened the listener stays closed, and a
    :class:`WiremapWarning` says so. ``refused`` alone never opens: nothing to count."""
    from .stub import Schedule
    from .stub.faults import FaultKind

    if plan.kind is not FaultKind.REFUSED or plan.schedule is Schedule.ALWAYS:
        return None
    from .faults.syns import open_syn_counter

    counter = open_syn_counter(port)
    if isinstance(counter, str):
        warnings.warn(
            WiremapWarning(f"{counter}; the stub stays closed after the first refusal"), stacklevel=3
        )
        return None
    return counter


def _count_refusals(counter: SynCounter, stub: RunningStub) -> asyncio.Task[None]:
    """Tell ``stub`` of each SYN that arrives while nothing listens (on the stub's loop)."""
    from .faults.syns import tell_refusals

    return tell_refusals(counter, stub)


# -- finding the doc -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Docs:
    folder: Path
    said_by: str  # how the folder was chosen, for the messages


def _docs_folder(config: pytest.Config, start: Path) -> _Docs:
    from ._errors import WiremapError
    from .config import load_config

    option = config.getoption("wiremap_docs", default=None)
    if option:
        return _Docs(config.invocation_params.dir / option, "--wiremap-docs")
    ini = str(config.getini("wiremap_docs") or "").strip()
    if ini:
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        return _Docs(base / ini, f"wiremap_docs in {config.inipath or 'the ini file'}")
    try:
        found = load_config(start=start)
    except WiremapError as exc:
        _fail(str(exc))
    if found.path is not None:
        return _Docs(found.docs_path, f"docs of {found.path}")
    return _Docs(config.rootpath / found.docs, "the default (no --wiremap-docs, wiremap_docs or config)")


_CATALOGS = pytest.StashKey[dict[Path, "Catalog"]]()


def _catalog(config: pytest.Config, docs: _Docs) -> Catalog:
    from .catalog import load

    folder = docs.folder.resolve()
    cache = config.stash.setdefault(_CATALOGS, {})
    if folder not in cache:
        if not folder.exists():
            _fail(f"the docs folder {docs.folder} ({docs.said_by}) does not exist")
        cache[folder] = load(folder)
    return cache[folder]


def _find(config: pytest.Config, start: Path, name: str) -> Integration:
    from .names import ambiguity, named

    docs = _docs_folder(config, start)
    catalog = _catalog(config, docs)
    # a doc every command rejects is no integration to stub (an untitled doc's stub passed a test, and it
    # was listed among the integrations: round 59); an unreadable one is said by its name
    broken = {f.path: f for f in catalog.problems() if f.code in ("DOC000", "DOC004")}
    usable = [i for i in catalog if i.path not in broken]
    found = named(usable, name)
    if not found:
        said = [f for path, f in broken.items() if Path(path).stem == name or path == name]
        if said:
            _fail(f"{said[0].path}:{said[0].line}: {said[0].code}: {said[0].message}: no integration to stub")
        known = ", ".join(sorted(i.id for i in usable)) or "none"
        _fail(f"no integration {name!r} in {docs.folder} ({docs.said_by}); its integrations: {known}")
    if (why := ambiguity(found, name)) is not None:
        _fail(why)
    return found[0]


def _start(integration: Integration, fault: str | None, seed: int, loop: _Loop) -> WiremapStub:
    from ._errors import UsageError
    from .faults.env import point_at
    from .stub import Recorder, StubSpec
    from .stub.registry import get_server

    try:
        spec = StubSpec.from_integration(integration)
        server = get_server(spec.protocol)
    except UsageError as exc:
        _fail(str(exc))
    plan = _plan(fault, seed, spec.protocol)
    ctx = _context_class()(Recorder(), plan)
    try:
        running = loop.run(lambda: server(spec, ctx))
    except UsageError as exc:
        _fail(f"{integration.id}: {exc}")
    rewrite = point_at(integration, running.host, running.port)
    stub = WiremapStub(integration, spec, running, ctx, loop, rewrite.env, rewrite.was)
    try:
        stub._set_plan(plan)
    except BaseException:
        stub.close()
        raise
    return stub


class WiremapStubFactory(Protocol):
    """The ``wiremap_stub`` fixture: ``wiremap_stub("checkout-service-to-payments-api")``."""

    def __call__(
        self, name: str, fault: str | None = None, *, seed: int = 0, setenv: bool = False
    ) -> WiremapStub: ...


class _Factory:
    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request
        self._loop: _Loop | None = None
        self.stubs: list[WiremapStub] = []

    def __call__(
        self, name: str, fault: str | None = None, *, seed: int = 0, setenv: bool = False
    ) -> WiremapStub:
        """A running stub of the doc ``name`` names; ``setenv``: also point the doc's env vars at it
        for the rest of the test (``monkeypatch.setenv``)."""
        if not isinstance(name, str) or not name.strip():
            _fail(f"wiremap_stub wants an integration id, file name or path, got {name!r}")
        integration = _find(self._request.config, self._request.path.parent, name)
        if self._loop is None:
            self._loop = _Loop()
        stub = _start(integration, fault, seed, self._loop)
        self.stubs.append(stub)
        if setenv:
            _setenv(self._request, stub)
        return stub

    def close(self) -> None:
        try:
            for stub in reversed(self.stubs):
                with contextlib.suppress(Exception):
                    stub.close()
        finally:
            if self._loop is not None:
                self._loop.stop()


def _setenv(request: pytest.FixtureRequest, stub: WiremapStub) -> None:
    if not stub.env:
        warnings.warn(
            WiremapWarning(
                f"{stub.integration.path}: no env var under Configuration holds the destination's address "
                f"({stub.integration.destination_host}:{stub.integration.destination_port}); the code under "
                f"test is not pointed at the stub ({stub.url})"
            ),
            stacklevel=1,
        )
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    for key, value in stub.env.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def wiremap_stub(request: pytest.FixtureRequest) -> Iterator[WiremapStubFactory]:
    """A factory of stubs served from the docs: ``stub = wiremap_stub("integration-id")``."""
    factory = _Factory(request)
    try:
        yield factory
    finally:
        factory.close()


def _marker_args(marker: pytest.Mark) -> tuple[str, str | None, int]:
    extra = set(marker.kwargs) - {"fault", "seed"}
    if len(marker.args) != 1 or not isinstance(marker.args[0], str) or extra:
        _fail(
            "@pytest.mark.wiremap wants one integration name and optionally fault= and seed= "
            f"(got args {marker.args!r}, kwargs {marker.kwargs!r})"
        )
    fault = marker.kwargs.get("fault")
    seed = marker.kwargs.get("seed", 0)
    if fault is not None and not isinstance(fault, str):
        _fail(f"@pytest.mark.wiremap fault= wants a string such as 'status:503', got {fault!r}")
    if not isinstance(seed, int):
        _fail(f"@pytest.mark.wiremap seed= wants an int, got {seed!r}")
    return marker.args[0], fault, seed


@pytest.fixture
def wiremap(request: pytest.FixtureRequest, wiremap_stub: WiremapStubFactory) -> WiremapStub:
    """The stub of the test's ``@pytest.mark.wiremap(...)`` (the closest one when several name
    different docs: each is started and pointed at, all in ``request.node.wiremap_stubs``)."""
    markers = list(request.node.iter_markers(MARKER))
    if not markers:
        _fail(
            "the 'wiremap' fixture serves the doc of @pytest.mark.wiremap('integration-id'); "
            "mark the test, or call the wiremap_stub fixture"
        )
    stubs: dict[str, WiremapStub] = {}
    first: WiremapStub | None = None
    for marker in markers:  # closest first: a test's marker wins over its class's and module's
        name, fault, seed = _marker_args(marker)
        integration = _find(request.config, request.path.parent, name)
        if integration.id in stubs:
            continue
        stub = wiremap_stub(name, fault, seed=seed, setenv=True)
        stubs[integration.id] = stub
        first = first or stub
    assert first is not None
    node: Any = request.node
    node.wiremap = first
    node.wiremap_stubs = stubs
    return first


@pytest.fixture(autouse=True)
def _wiremap_marked(request: pytest.FixtureRequest) -> None:
    """A test marked ``wiremap`` gets its stub (and env vars) before its other fixtures and body."""
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue("wiremap")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wiremap", "wiremap: stubs served from integration docs")
    group.addoption("--wiremap-docs", dest="wiremap_docs", default=None, metavar="DIR", help=_DOCS_HELP)
    parser.addini("wiremap_docs", _DOCS_HELP, default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER_HELP)
