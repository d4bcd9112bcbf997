"""The typed model of one integration document.

One small class per template section. The JSON names are a public contract
(see docs/format.md); ``SCHEMA_VERSION`` changes when they do.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SCHEMA_VERSION",
    "CircuitBreaker",
    "CodeBlock",
    "CodeExample",
    "Directives",
    "EnvVar",
    "ErrorHandling",
    "ExtraSection",
    "FailureKind",
    "FailureMode",
    "Integration",
    "Latency",
    "Metric",
    "Monitoring",
    "Payload",
    "RecentChange",
    "RetryBackoff",
    "RetryPolicy",
    "SourceRef",
    "TypedFailureMode",
]

# 2: direction normalised, with direction_raw and direction_note; 3: error_handling (CHANGELOG.md)
SCHEMA_VERSION = 3


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRef(_Model):
    """``services/checkout/payments_client.py:41``."""

    path: str
    line: int | None = None


class Payload(_Model):
    """A Request or Response example: the block's text and, for JSON, its value."""

    language: str | None = None
    text: str
    json_value: Any = Field(default=None, alias="json", serialization_alias="json")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class CodeExample(_Model):
    language: str | None = None
    text: str


CodeBlock = CodeExample


class FailureMode(_Model):
    """``- **Timeout**: what happens → how to handle``."""

    name: str
    what_happens: str | None = None
    handling: str | None = None


FailureKind = Literal[
    "timeout",
    "connection_refused",
    "connection_lost",  # an open connection reset, closed or dropped (a disconnect)
    "invalid_response",
    "http_status",
    "rate_limited",
    "auth",
    "dns",
    "tls",
    "other",
]


class TypedFailureMode(_Model):
    """A Failure Modes item read into data: ``kind`` from its name, the name as written in ``name``."""

    kind: FailureKind
    name: str
    http_status: list[str] = Field(default_factory=list)  # "503", "5xx", "429"
    what_happens: str | None = None
    handling: str | None = None
    line: int | None = None


class RetryBackoff(_Model):
    """The pause before each retry. Retry ``n`` (1-based) waits, before ``max_ms`` caps it:
    ``constant``: ``initial_ms``; ``linear``: ``initial_ms + (n - 1) * increment_ms``;
    ``exponential``: ``initial_ms * multiplier ** (n - 1)``. ``first_retry_immediate``: retry 1 does not
    wait at all and retry ``n`` waits what the formula gives for ``n`` (urllib3's schedule)."""

    kind: Literal["none", "constant", "linear", "exponential", "other"] | None = None
    initial_ms: float | None = None
    multiplier: float | None = None
    increment_ms: float | None = None
    max_ms: float | None = None
    jitter: Literal["none", "full", "equal", "decorrelated", "additive", "proportional", "yes"] | None = None
    first_retry_immediate: bool = False


class CircuitBreaker(_Model):
    failure_threshold: int | None = None  # consecutive failures that open it
    failure_rate_percent: float | None = None  # or a failure rate, in percent
    cool_down_ms: float | None = None  # how long it stays open


class RetryPolicy(_Model):
    """The Retry Strategy read into data. ``max_attempts`` counts every call, the first one included;
    ``retries`` is ``max_attempts - 1``. ``lines`` maps a field name to the doc line it was read from."""

    form: str
    max_attempts: int | None = None
    retries: int | None = None
    backoff: RetryBackoff = Field(default_factory=RetryBackoff)
    timeout_ms: float | None = None  # per attempt
    # the connect only (opening the connection): it bounds the connect, not the call, so it is no timeout_ms
    connect_timeout_ms: float | None = None
    # the read part of ``timeout_ms`` when a connect and a read timeout are documented apart (their sum is
    # ``timeout_ms``): all an answer that never comes, on a connection made at once, is waited for
    read_timeout_ms: float | None = None
    deadline_ms: float | None = None  # for all attempts together
    retry_on_exceptions: list[str] = Field(default_factory=list)
    retry_on_status: list[str] = Field(default_factory=list)
    # statuses taken out of those retried: "5xx except 501", "(not on 500)"
    not_retried_status: list[str] = Field(default_factory=list)
    retry_on_grpc_codes: list[str] = Field(default_factory=list)
    retry_on_methods: list[str] = Field(default_factory=list)
    retried_calls: list[str] = Field(default_factory=list)  # what the retry runs again, by name
    # failures (their kinds, as Failure Modes are classed) words say are retried, or are not: "We retry
    # timeouts and connection errors", "Invalid responses are never retried"
    retry_on_failures: list[str] = Field(default_factory=list)
    not_retried_failures: list[str] = Field(default_factory=list)
    # failure kind -> retries, where a kind has a limit of its own below ``retries`` (urllib3's ``connect=``,
    # ``read=``, ``status=``: ``Retry(total=4, status=1)`` retries a 503 once: round 57)
    retry_limits: dict[str, int] = Field(default_factory=dict)
    # retried, said without a count ("a couple of times"): True; max_attempts says it when counted
    retried: bool | None = None
    circuit_breaker: CircuitBreaker | None = None
    fallback: str | None = None
    unread: list[str] = Field(default_factory=list)  # sentences holding a duration no reader understood
    line: int | None = None
    lines: dict[str, int] = Field(default_factory=dict)

    def sleeps_ms(self) -> list[float] | None:
        """The pause before each retry, without jitter (the least a jittered pause can reach up to)."""
        if self.retries is None:
            return None
        b = self.backoff
        if b.kind in (None, "none", "other") or b.initial_ms is None:
            return [0.0] * self.retries if b.kind == "none" else None
        out: list[float] = []
        for n in range(1, min(self.retries, 1000) + 1):
            if b.first_retry_immediate and n == 1:
                out.append(0.0)
                continue
            if b.kind == "linear":
                d = b.initial_ms + (n - 1) * (b.increment_ms or 0.0)
            elif b.kind == "exponential":
                d = b.initial_ms * min((b.multiplier or 2.0) ** (n - 1), 1e12)
            else:
                d = b.initial_ms
            out.append(min(d, b.max_ms) if b.max_ms is not None else d)
        return out

    def worst_case_ms(self) -> float | None:
        """Every attempt running to its timeout, plus every pause; pauses not known count as none (so it is
        then the least the worst case can be). ``None`` without attempts or a timeout."""
        if self.max_attempts is None or self.timeout_ms is None:
            return None
        return self.max_attempts * self.timeout_ms + sum(self.sleeps_ms() or [])


class ErrorHandling(_Model):
    """The Error Handling section read into data (``failure_modes`` and ``retry_strategy`` keep the text)."""

    failure_modes: list[TypedFailureMode] = Field(default_factory=list)
    retry: RetryPolicy | None = None


class Latency(_Model):
    """Performance → Latency, in milliseconds whatever the doc wrote."""

    typical: float | None = None
    p95: float | None = None
    p99: float | None = None


class EnvVar(_Model):
    """``export NAME=value  # purpose``."""

    name: str
    value: str | None = None
    purpose: str | None = None


class Metric(_Model):
    name: str
    how: str | None = None


class Monitoring(_Model):
    health_check: str | None = None
    logs: str | None = None
    metrics: list[Metric] = Field(default_factory=list)


class RecentChange(_Model):
    """One dated entry of Recent Changes; ``date`` is ISO when it could be read."""

    date: str
    items: list[str] = Field(default_factory=list)


class ExtraSection(_Model):
    """A section the template does not have, kept in place."""

    title: str
    text: str


class Directives(_Model):
    """``<!-- wiremap: disable=CODE key=value -->`` comments of the doc."""

    disable: list[str] = Field(default_factory=list)
    settings: dict[str, str] = Field(default_factory=dict)
    lines: dict[str, int] = Field(default_factory=dict)  # setting -> the line of its directive


class Integration(_Model):
    """One Source → Destination integration, as documented."""

    schema_version: int = SCHEMA_VERSION
    id: str
    path: str
    source: str | None = None
    destination: str | None = None
    purpose: str | None = None
    protocol: str | None = None
    protocol_raw: str | None = None
    direction: Literal["unidirectional", "bidirectional"] | None = None
    direction_raw: str | None = None
    direction_note: str | None = None
    critical_path: bool | None = None
    critical_path_note: str | None = None
    source_ref: SourceRef | None = None
    destination_service: str | None = None
    destination_host: str | None = None
    destination_port: int | None = None
    client: str | None = None
    health_check: str | None = None
    flow: str | None = None
    endpoint: str | None = None
    request: Payload | None = None
    response: Payload | None = None
    code_example: CodeExample | None = None
    failure_modes: list[FailureMode] = Field(default_factory=list)
    retry_strategy: str | None = None
    error_handling: ErrorHandling = Field(default_factory=ErrorHandling)
    latency_ms: Latency = Field(default_factory=Latency)
    # Performance → Throughput holds two facts: the traffic that flows (its first item that is not a
    # Capacity) and the capacity measured by ``wiremap measure --find-max`` (its ``Capacity:`` item)
    throughput: str | None = None
    throughput_per_s: float | None = None
    capacity: str | None = None
    capacity_per_s: float | None = None
    bottlenecks: list[str] = Field(default_factory=list)
    env_vars: list[EnvVar] = Field(default_factory=list)
    connection_string: str | None = None
    unit_test: str | None = None
    integration_test: str | None = None
    monitoring: Monitoring = Field(default_factory=Monitoring)
    recent_changes: list[RecentChange] = Field(default_factory=list)
    last_updated: str | None = None
    maintained_by: str | None = None
    extra_sections: list[ExtraSection] = Field(default_factory=list)
    tls: bool = False
    lines: dict[str, int] = Field(default_factory=dict)
    directives: Directives = Field(default_factory=Directives)

    @property
    def name(self) -> str:
        """``Source → Destination`` as written in the title."""
        return f"{self.source or '?'} → {self.destination or '?'}"

    @property
    def env_id(self) -> str:
        """The id as used in environment variable names (``CHECKOUT_SERVICE_TO_PAYMENTS_API``)."""
        if self.id.isascii():
            return self.id.upper().replace("-", "_")
        # ``servıce`` (dotless i) upper-cases to ``SERVICE``: a new doc must not inherit another's target
        return "".join(c.upper() if c.isascii() else f"_U{ord(c):04X}_" for c in self.id).replace("-", "_")

    def line_of(self, field: str, default: int = 1) -> int:
        """The doc line a field came from, else ``default``."""
        return self.lines.get(field, default)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (docs/format.md)."""
        return self.model_dump(mode="json", by_alias=True)
