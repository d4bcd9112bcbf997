"""What the tree-sitter indexers share: the client-API record, traced values and scoped name bindings.

A *scope* is the qualname of the enclosing definition (``""`` for the module, ``handler``,
``Service.load``); the scopes around ``Service.load`` are ``Service`` and ``""``. Names are bound per
scope without flow analysis: a name bound once in the nearest scope that binds it is known, a name
bound more than once there is declared but unknown (``let url = a; url = b``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = [
    "MAX_BINDINGS",
    "Api",
    "Bindings",
    "Value",
    "agreed",
    "api_lookup",
    "env_with_fallback",
    "outer_scopes",
    "sql_protocol",
]

T = TypeVar("T")

# a name bound more often than this in one scope is not worth following
MAX_BINDINGS = 4

_SQL_SCHEMES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "mssql": "mssql",
}


@dataclass(frozen=True, slots=True)
class Api:
    """One client API: calling (or constructing) it means ``protocol``.

    ``client`` is the name reported when it differs from the resolved one (``ws`` default export →
    ``ws.WebSocket``); ``returns`` names the object type a call creates, whose methods may be rows too
    (``axios.create`` → ``axios.Axios`` → ``axios.Axios.get``); ``site=False`` rows only type objects.
    The target is argument ``target_arg`` or, when that is an options object / struct literal, its first
    key of ``target_keys`` (``a.b`` reaches into a nested object) that has a value; ``via`` names option
    builder methods whose first argument is the target (Go ``ApplyURI``, ``AddBroker``), searched in all
    arguments; ``driver_arg`` is the argument naming a SQL driver, which then decides the protocol.
    """

    protocol: str
    client: str | None = None
    site: bool = True
    returns: str | None = None
    target_arg: int | None = 0
    target_keys: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    driver_arg: int | None = None


@dataclass(frozen=True, slots=True)
class Value:
    """What an expression evaluates to as far as the file tells: a literal, the env var it comes from and
    that variable's default when the code spells one out."""

    literal: str | None = None
    env: str | None = None
    default: str | None = None

    @property
    def target(self) -> str | None:
        return self.literal if self.literal is not None else self.default

    def __bool__(self) -> bool:
        return self.literal is not None or self.env is not None or self.default is not None


def outer_scopes(scope: str) -> Iterator[str]:
    """``A.b`` → ``A.b``, ``A``, ``""``."""
    while scope:
        yield scope
        scope = scope.rpartition(".")[0]
    yield ""


class Bindings(Generic[T]):
    """Names bound per scope; :meth:`lookup` answers what the nearest binding scope holds."""

    __slots__ = ("_map",)

    def __init__(self) -> None:
        self._map: dict[tuple[str, str], list[T]] = {}

    def bind(self, scope: str, name: str, value: T) -> None:
        self._map.setdefault((scope, name), []).append(value)

    def declared_in(self, scope: str, name: str) -> str | None:
        """The nearest scope around ``scope`` that binds ``name``."""
        for s in outer_scopes(scope):
            if (s, name) in self._map:
                return s
        return None

    def items(self) -> Iterator[tuple[tuple[str, str], list[T]]]:
        """Every ``((scope, name), values)`` bound."""
        return iter(self._map.items())

    def lookup(self, scope: str, name: str) -> tuple[list[T], str] | None:
        """The values ``name`` is bound to in the nearest scope that binds it, and that scope."""
        for s in outer_scopes(scope):
            values = self._map.get((s, name))
            if values is not None:
                return values, s
        return None


def agreed(values: Iterable[T | None]) -> T | None:
    """The one value all bindings of a name lead to (``let c; if (a) c = x(); else c = x();``), else None."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def env_with_fallback(values: Iterable[Value]) -> Value | None:
    """A name bound to an env var and, elsewhere, to one literal: the literal is the variable's fallback
    (Go's ``base := os.Getenv("GEO_URL"); if base == "" { base = "http://…" }`` was no target at all:
    new user, round 32). None for any other mix."""
    vals = list(values)
    envs = [v for v in vals if v.env and v.literal is None and v.default is None]
    literals = {v.literal for v in vals if v.env is None and v.literal is not None}
    if len(envs) != 1 or len(literals) != 1 or len(envs) + sum(1 for v in vals if v.literal) != len(vals):
        return None
    return Value(env=envs[0].env, default=literals.pop())


def api_lookup(
    table: dict[str, Api], prefixes: tuple[tuple[str, str, Api], ...]
) -> Callable[[str | None], Api | None]:
    """A finder over a language's table: exact dotted names first, then ``(prefix, suffix, api)`` rules
    for families such as ``@aws-sdk/client-*`` → ``…Client``."""

    def find(symbol: str | None) -> Api | None:
        if not symbol:
            return None
        api = table.get(symbol)
        if api is not None:
            return api
        for prefix, suffix, rule in prefixes:
            if symbol.startswith(prefix) and symbol.endswith(suffix) and "." in symbol[len(prefix) :]:
                return rule
        return None

    return find


def sql_protocol(url: str | None) -> str:
    """A generic SQL client's protocol from its URL's scheme (``postgres://…`` → postgresql), else ``sql``."""
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower() if url and "://" in url else ""
    return _SQL_SCHEMES.get(scheme, "sql")
