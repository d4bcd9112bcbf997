"""What the doc promises a client does under one fault, what it did, and the verdict.

The doc's promise comes from its Error Handling section read into data (:class:`RetryPolicy`, the
Failure Modes): how many attempts, the pause before each retry, the per-attempt timeout, the overall
deadline, whether this failure is retried at all, and whether a fallback lets the caller succeed.
What the client did comes from the wire: the start of every attempt the stub (or the SYN counter, for
refusals) saw, and the command's exit. Intervals are compared with a tolerance of ±20 % + 50 ms
(:data:`TOLERANCE`, :data:`SLACK_MS`); a jittered backoff is compared with the range its jitter allows.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..model import Integration, RetryBackoff, RetryPolicy, TypedFailureMode
from ..stub.faults import Fault, FaultKind, FaultPlan, Schedule
from ..values import parse_duration_ms

__all__ = [
    "EXIT_SLACK_MS",
    "SLACK_MS",
    "TOLERANCE",
    "Expected",
    "Judgement",
    "Observed",
    "Verdict",
    "expected",
    "judge",
]

TOLERANCE = 0.2
# an interval between attempt starts holds the client's own work between them too (a new HTTP client per
# attempt, an interpreter under load: 100 ms documented came 126 ms, then 140 ms in one run: round 57)
SLACK_MS = 50.0
EXIT_SLACK_MS = 300.0  # after its last attempt, a client still reports and exits (an interpreter's teardown)

Verdict = Literal["ok", "mismatch", "not-documented", "skipped"]

# which failure modes of the doc a fault is (TypedFailureMode.kind)
_MODE_OF: dict[FaultKind, tuple[str, ...]] = {
    FaultKind.TIMEOUT: ("timeout",),
    FaultKind.REFUSED: ("connection_refused",),
    # a reset before any answer is a lost connection, never an invalid answer (a doc's "Invalid Response:
    # not retried" judged a reset urllib3 retries: round 57); a disconnect may cut an answer short too
    FaultKind.RESET: ("connection_lost", "connection_refused"),
    FaultKind.DISCONNECT: ("connection_lost", "connection_refused", "invalid_response"),
    FaultKind.GARBAGE: ("invalid_response",),
    FaultKind.INVALID: ("invalid_response",),
    FaultKind.CLOSE_MID_BODY: ("connection_lost", "invalid_response"),
    FaultKind.STATUS: ("http_status", "rate_limited", "invalid_response"),
    FaultKind.GRPC: ("invalid_response", "other"),
}
# words of an exception name a retry-on list would use for each fault
_EXC_WORDS: dict[FaultKind, tuple[str, ...]] = {
    FaultKind.TIMEOUT: ("timeout", "deadline", "timedout"),
    FaultKind.REFUSED: ("connect", "refused", "oserror", "unavailable", "network", "socket"),
    FaultKind.RESET: ("connection", "reset", "oserror", "protocol", "remotedisconnected", "network"),
    FaultKind.DISCONNECT: ("connection", "disconnect", "oserror", "network", "closed"),
    FaultKind.GARBAGE: ("protocol", "invalid", "decode", "parse", "badstatusline", "response"),
    FaultKind.INVALID: ("invalid", "decode", "value", "key", "validation", "response", "json"),
    FaultKind.CLOSE_MID_BODY: ("incomplete", "chunked", "protocol", "connection", "read", "response"),
}
_F = FaultKind
_TRANSPORT = frozenset({_F.TIMEOUT, _F.REFUSED, _F.RESET, _F.DISCONNECT})
_ANSWERED = frozenset({_F.INVALID, _F.STATUS})  # a well-formed answer: no transport error is raised
# well-known exception names (the last part: builtins, redis-py, requests, httpx, socket): the faults each
# is raised for, and those it is not; a fault in neither is left to the name's words
_KNOWN_EXC: dict[str, tuple[frozenset[FaultKind], frozenset[FaultKind]]] = {
    "connectionerror": (frozenset({_F.REFUSED, _F.RESET, _F.DISCONNECT}), _ANSWERED | {_F.TIMEOUT}),
    "connecterror": (frozenset({_F.REFUSED}), _ANSWERED | {_F.TIMEOUT, _F.RESET, _F.DISCONNECT}),
    "connectionrefusederror": (frozenset({_F.REFUSED}), _ANSWERED | {_F.TIMEOUT, _F.RESET, _F.DISCONNECT}),
    "connectionreseterror": (frozenset({_F.RESET}), _ANSWERED | {_F.TIMEOUT, _F.REFUSED}),
    **dict.fromkeys(
        ("timeouterror", "timeout", "readtimeout", "readtimeouterror", "timeoutexception", "sockettimeout"),
        (frozenset({_F.TIMEOUT}), _ANSWERED | {_F.REFUSED, _F.RESET, _F.DISCONNECT}),
    ),
    # httpx's and requests' bases of every failure to get an answer (a loop catching httpx.TransportError
    # was "not-documented" for a reset and a refusal: round 57)
    **dict.fromkeys(
        ("transporterror", "requesterror", "requestexception"),
        (_TRANSPORT | {_F.GARBAGE, _F.CLOSE_MID_BODY}, frozenset({_F.INVALID})),
    ),
    "networkerror": (frozenset({_F.REFUSED, _F.RESET, _F.DISCONNECT}), _ANSWERED | {_F.TIMEOUT}),
    **dict.fromkeys(
        ("jsondecodeerror", "decodeerror", "valueerror", "validationerror", "keyerror", "invalidresponse"),
        (frozenset(), _TRANSPORT | {_F.STATUS}),
    ),
}
_NOT_RETRIED = re.compile(r"\b(?:never|not|no|don'?t|do not|without)\b[^.;→]{0,20}\bretr", re.IGNORECASE)
# a counted reconnect is the retry of a lost or refused connection ("reconnect up to 5 times", "re-establish
# the connection", "redial"); a bare "reconnect" may be the next message's, and says nothing
_RETRIED = re.compile(
    r"\bretr(?:y|ied|ies|ying)\b|\bback(?:s|ing)?[- ]?off\b|\btr(?:y|ies)\s+again\b|\bre-?sen(?:d|ds|t)\b|"
    r"\bre-?connect(?:s|ed|ing)?\s+(?:up\s+to|at\s+most|\d+\s*(?:times|x)\b|once|twice)|"
    r"\bre-?establish(?:es|ed|ing)?\b|\bre-?dial(?:s|l?ed|l?ing)?\b",
    re.IGNORECASE,
)
# how many times a failure mode's words say it is retried: "reconnect up to 5 times", "retried 3 times"
_RETRY_COUNT = re.compile(
    r"\b(?:retr(?:y|ied|ies)|re-?connect(?:s|ed)?|re-?establish(?:es|ed)?|re-?dial(?:s|l?ed)?)\b"
    r"[^.;,→]{0,30}?\b(?:up\s+to\s+|at\s+most\s+|max(?:imum)?\s+(?:of\s+)?)?"
    r"(\d{1,3}|once|twice|one|two|three|four|five)\s*(?:times|x\b|retries|attempts)?",
    re.IGNORECASE,
)
_COUNT_WORDS = {"once": 1, "one": 1, "twice": 2, "two": 2, "three": 3, "four": 4, "five": 5}
# what a failure mode says is done instead of a retry: "→ give up", "→ job fails", "→ dropped"
_GIVES_UP = re.compile(
    r"\bgiv(?:e|es|ing)\s+up\b|\bdrop(?:s|ped)?\b|\babort(?:s|ed)?\b|"
    r"\bsurface[sd]?\b|\bre-?rais(?:e|es|ed)\b|\bpropagat(?:e|es|ed)\b|\bbubbles?\s+up\b|\bcancel(?:s|l?ed)?\b",
    re.IGNORECASE,
)
# "fail" is read in its phrase, for what it says of retrying (True: the caller gives up, no retry; None:
# nothing) and of the caller (True: it carries on, the command succeeds; False: it surfaces the error;
# None: neither). The first phrase that matches a place wins: "fail open" says the caller carries on and
# nothing of retrying, "fail fast" that nothing is retried.
_FAIL = r"\bfail(?:s|ed|ing)?"
_FAIL_PHRASES: tuple[tuple[re.Pattern[str], bool | None, bool | None], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), gives_up, carries_on)
    for pattern, gives_up, carries_on in (
        (_FAIL + r"[\s-]+open\b", None, True),
        (_FAIL + r"[\s-]+(?:silently|quietly|soft(?:ly)?|gracefully)\b", None, True),
        (_FAIL + r"[\s-]+(?:closed?|shut)\b", None, False),
        (_FAIL + r"[\s-]*over\b", None, None),  # to another instance: neither
        (_FAIL + r"[\s-]+fast\b", True, False),
        (r"\bfail(?:s|ed)?\b", True, False),  # "the job fails", "fail the request"
    )
)


def _fail_phrases(text: str) -> list[tuple[bool | None, bool | None]]:
    """What each "fail" of ``text`` says, read in its phrase (:data:`_FAIL_PHRASES`); one after a
    negation ("never fails open") says nothing."""
    taken: list[tuple[int, int]] = []
    out: list[tuple[bool | None, bool | None]] = []
    for pattern, gives_up, carries_on in _FAIL_PHRASES:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            if not _NEGATED.search(text[max(0, m.start() - 24) : m.start()]):
                out.append((gives_up, carries_on))
    return out


# what a failure mode's action says of the caller, once the failure is not (or no longer) retried: it
# carries on (the command succeeds) or it surfaces the error (the command fails); a mode that says neither
# leaves the exit unjudged. A word after a negation ("never fails", "no fallback") says neither.
_CARRIES_ON = re.compile(
    r"\bignor(?:e|es|ed|ing)\b|\bskip(?:s|ped|ping)?\b|\bswallow(?:s|ed|ing)?\b|\bdiscard(?:s|ed)?\b|"
    r"\bdrop(?:s|ped)?\b|\btreat(?:s|ed)?\s+(?:it\s+)?as\s+(?:an?\s+)?(?:success|ok|done|delivered|created)\b|"
    r"\b(?:continue[sd]?|continuing|carr(?:y|ies|ied)\s+on|mov(?:e|es|ed)\s+on|proceed(?:s|ed)?)\b|"
    r"\b(?:use[sd]?|serve[sd]?|return(?:s|ed)?|show(?:s|n|ed)?|keep(?:s)?)\s+(?:the\s+|a\s+|an\s+|its\s+)?"
    r"(?:last[- ]known(?:[- ]good)?|cached|cache|default|fallback|stale|empty|local|previous|null|none)\b|"
    r"\b(?:cached|stale|default|fallback|flat|fixed|static|placeholder|estimated)\b[^.;]{0,40}\b(?:is|are)\s+"
    r"(?:served|used|returned|shown|kept)\b|"  # "then a flat rate is shown" (round 30: exit not judged)
    r"\bfall(?:s|ing)?\s*back\b|\bidempotent\b|\bno[- ]op\b|\bbest[- ]effort\b|"
    r"\bdegrad(?:e|es|ed|ing)\b|\bsucceed(?:s|ed)?\b|\b(?:as\s+(?:a\s+)?success|counts?\s+as\s+(?:ok|success))\b|"
    # the page goes on without it: "we hide the widget", "the section is omitted", "render without prices"
    r"\bhid(?:e|es|den|ing)\s+(?:the\s+|a\s+|its\s+)?(?:widget|section|panel|block|box|banner|card|"
    r"component|module|tile|recommendations?|feature)\b|\bomit(?:s|ted)?\b|\brender(?:s|ed)?\s+without\b|"
    # kept to be sent later: "the sale is queued locally", "buffered on disk", "parked in the outbox"
    r"\b(?:queue[sd]?|buffer(?:s|ed)?|spool(?:s|ed)?|stor(?:e|es|ed)|sav(?:e|es|ed)|park(?:s|ed)?|kept)\b"
    r"[^.;]{0,30}?\b(?:locally|for\s+later|(?:to\s+)?(?:retry|send|replay)\s+later|on\s+disk|"
    r"in\s+(?:an?\s+|the\s+)?(?:local\s+)?(?:outbox|spool|buffer))\b",
    re.IGNORECASE,
)
_SURFACES = re.compile(
    r"\babort(?:s|ed)?\b|\bcrash(?:es|ed)?\b|\bre-?rais(?:e|es|ed)\b|"
    r"\brais(?:e|es|ed)\b|\b(?:re-?)?throw(?:s|n)?\b|"
    r"\breturn(?:s|ed)?\s+(?:an?\s+)?(?:error|failure)\b|\berror\s+(?:is\s+)?(?:returned|shown|raised)\b|"
    r"\b(?:answer(?:s|ed)?|respond(?:s|ed)?|return(?:s|ed)?)\s+(?:with\s+)?(?:an?\s+)?(?:HTTP\s+)?[45](?:\d\d|xx)\b|"
    r"\b[45](?:\d\d|xx)\s+(?:to|for)\s+the\s+(?:user|caller|client|customer)\b|"
    r"\bpropagat(?:e|es|ed)\b|\bsurface[sd]?\b|\bbubbles?\s+up\b|\bexit(?:s)?\s+(?:non-?zero|1)\b|"
    # the caller's operation is turned down: "bad JSON → order rejected", "payment declined" (a fallback of
    # the policy for timeouts made it "should succeed": new user, round 29)
    r"\breject(?:s|ed)?\b|\bdeclin(?:e|es|ed)\b|\bden(?:y|ies|ied)\b|"
    r"\bpag(?:e|es|ed)\s+(?:the\s+)?on[- ]?call\b|\bon[- ]?call\s+(?:is\s+|gets\s+)?paged\b|"
    # "not JSON → not retried, error": a clause that is the word alone; "it errors out"
    r"\berror(?:s|ed)?\s+out\b|(?:^|[,;:→>–—]|\s-)\s*(?:an?\s+|the\s+)?error\s*(?:[.;,!)]|$)",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:not|never|no|without|nothing|n't)\s+(?:\w+\s+)?$", re.IGNORECASE)


def _says(pattern: re.Pattern[str], text: str) -> bool:
    return any(not _NEGATED.search(text[max(0, m.start() - 24) : m.start()]) for m in pattern.finditer(text))


def _outcome(modes: list[TypedFailureMode]) -> tuple[bool | None, str]:
    """Whether the failure modes' actions say the command succeeds (the caller carries on: ignore, skip,
    serve the cached value, log and continue), fails (the caller surfaces the error: fails, raises, returns
    an error, answers 503, pages the on-call), or neither (``None``, with why in words)."""
    found: set[bool] = set()
    for m in modes:
        action = m.handling if m.handling is not None else m.what_happens
        if not action:
            continue
        fails = _fail_phrases(action)
        on = _says(_CARRIES_ON, action) or any(c is True for _, c in fails)
        up = _says(_SURFACES, action) or any(c is False for _, c in fails)
        if on != up:
            found.add(on)
        elif on:
            return None, f"failure mode {m.name!r} says both that the caller carries on and that it fails"
    if len(found) == 1:
        return found.pop(), ""
    if found:
        return None, "the failure modes disagree on whether the caller carries on or fails"
    return None, "the doc does not say whether the caller carries on or fails"


# the gRPC status a client sees for a fault that is no gRPC status (gRPC retries by status only)
_GRPC_SEEN: dict[FaultKind, str] = {
    FaultKind.REFUSED: "UNAVAILABLE",
    FaultKind.RESET: "UNAVAILABLE",
    FaultKind.DISCONNECT: "UNAVAILABLE",
    FaultKind.GARBAGE: "UNAVAILABLE",
    FaultKind.TIMEOUT: "DEADLINE_EXCEEDED",
    FaultKind.INVALID: "INTERNAL",
}
# urllib3 retries a 413, 429 or 503 that carries Retry-After whatever status_forcelist says
_URLLIB3_RETRY_AFTER = frozenset({413, 429, 503})
# urllib3 reads errors after the request was sent as read errors: retried only for retry_on_methods
_URLLIB3_READ = frozenset(
    {FaultKind.TIMEOUT, FaultKind.RESET, FaultKind.DISCONNECT, FaultKind.GARBAGE, FaultKind.CLOSE_MID_BODY}
)
_METHOD = re.compile(r"^\s*`?\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Expected:
    """What the doc promises under one fault; ``None`` where the doc does not say."""

    attempts: int | None
    sleeps_ms: list[float] | None  # the pause before retry 1, 2 …
    fail_ms: float  # how long one failing attempt takes before the client sees the failure
    timeout_ms: float | None
    deadline_ms: float | None
    succeeds: bool | None  # the command should succeed (the caller carries on, a fallback, a later attempt
    # answered) or fail (the caller surfaces the error); None: the doc does not say, the exit is not judged
    retried: bool | None
    jitter: str | None
    because: str  # where the promise comes from, in words
    conflict: str = ""  # where the doc's parts disagree on this failure, in words
    exit_unjudged: str = ""  # why the exit is not judged (succeeds is None), in words
    # a timeout fault under a documented timeout: how long the last attempt should wait before the client
    # gives up on it (the earlier ones are in the intervals)
    attempt_timeout_ms: float | None = None

    def describe(self) -> str:
        note = f" ({self.conflict})" if self.conflict else ""
        if self.attempts is None:
            return self.because + note
        retries = self.attempts - 1
        words = f"{retries} retr{'y' if retries == 1 else 'ies'}" if retries else "no retry"
        if retries and self.sleeps_ms:
            words += f" with {'/'.join(_ms(x) for x in self.sleeps_ms)} ms backoff"
            if self.jitter not in (None, "none"):
                words += f" ({self.jitter} jitter)"
        return f"documented {words}{note}"


@dataclass(frozen=True, slots=True)
class Observed:
    """What the client did: attempt starts (seconds, one clock), and how the command ended."""

    starts_s: Sequence[float] | None  # None: attempts could not be observed (``why``)
    exit_code: int | None  # None: the command was stopped at its time bound
    gave_up_after_ms: float | None  # first attempt → the command's exit
    why: str = ""

    @property
    def attempts(self) -> int | None:
        return None if self.starts_s is None else len(self.starts_s)

    def intervals_ms(self) -> list[float]:
        s = list(self.starts_s or ())
        return [(b - a) * 1000.0 for a, b in itertools.pairwise(s)]


@dataclass(frozen=True, slots=True)
class Judgement:
    verdict: Verdict
    message: str
    differences: list[str] = field(default_factory=list)


def _ms(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:.1f}".rstrip("0").rstrip(".")


def _modes(integration: Integration, fault: Fault, mode: str | None = None) -> list[TypedFailureMode]:
    """The doc's Failure Modes this fault is: the one it was planned from (``mode``, its name), else for
    a status those that name the code (``402``, ``502/503/504``, ``5xx``) whatever their kind, else those
    of the fault's kind."""
    every = integration.error_handling.failure_modes
    if mode is not None and (own := [m for m in every if m.name == mode]):
        # "Connection Closed → retried" planned as `disconnect`: the Invalid Response mode (a kind a
        # disconnect may also be) saying "never retried" speaks of another failure
        return own
    kinds = _MODE_OF.get(fault.kind, ())
    modes = [m for m in every if m.kind in kinds]
    if fault.kind is FaultKind.GRPC and fault.grpc_code:
        # the modes that name the code, in any case ("**Unavailable**: the server answers UNAVAILABLE"):
        # the Invalid Response mode (NOT_SERVING) spoke for it and said "not retried" (new user, round 53)
        said = re.compile(rf"\b{re.escape(fault.grpc_code).replace('_', '[_ ]')}\b", re.IGNORECASE)
        if named_code := [m for m in every if said.search(f"{m.name} {m.what_happens or ''}")]:
            return named_code
    if fault.kind is FaultKind.STATUS and fault.status is not None:
        code = str(fault.status)
        named = re.compile(rf"(?<![\d.]){code}(?![\d.])|(?<![\d.]){code[0]}xx\b", re.IGNORECASE)
        exact = [
            m
            for m in every
            if any(_status_matches(s, code) for s in m.http_status)
            or named.search(f"{m.name} {m.what_happens}")
        ]
        if exact:
            return exact
        # a mode that names other statuses speaks of those: "HTTP 503 → retried" beside "HTTP 404 → not
        # retried" said nothing of a 500, whose answer the Retry Strategy gives (round 37: "the doc
        # disagrees with itself" of "retry on any failure except 404s")
        modes = [m for m in modes if not m.http_status]
        if fault.status == 429:
            return [m for m in modes if m.kind == "rate_limited"] or modes
    return modes


def _status_matches(pattern: str, code: str) -> bool:
    pattern = pattern.strip().lower()
    return pattern == code or (len(pattern) == 3 and pattern.endswith("xx") and pattern[0] == code[0])


_NEXT = re.compile(r"\bnext\s+\w+\s+(?:will\s+)?$", re.IGNORECASE)


# what is retried is a whole unit of work later, not the call: "(Laravel retries the job, not the call)"
_OTHER_UNIT = re.compile(
    # (not "the message": on a message bus retrying the message is retrying the call, the publish)
    r"\s+(?:the\s+|a\s+|its\s+|whole\s+)*(?:queue\s+)?(?:jobs?|tasks?|batch(?:es)?|workflows?|"
    r"pipelines?|runs?)\b",
    re.IGNORECASE,
)


def _retried_now(text: str) -> bool:
    """Words of a retry by the client, not a later run's ("the next poll tries again") nor one of a whole
    unit of work ("Laravel retries the job, not the call")."""
    return any(
        not _NEXT.search(text[max(0, m.start() - 30) : m.start()]) and not _OTHER_UNIT.match(text, m.end())
        for m in _RETRIED.finditer(text)
    )


# the answer is no failure to the caller: "409 Conflict: already posted → treat as success" (a policy naming
# no condition was read as retrying it 3 times: new user, round 48)
_AS_SUCCESS = re.compile(
    r"\btreat(?:s|ed)?\s+(?:it\s+|this\s+|that\s+)?as\s+(?:an?\s+)?(?:success|ok|done|delivered|created|"
    r"accepted)\b|\bcounts?\s+as\s+(?:an?\s+)?(?:ok|success|done)\b|\bis\s+not\s+an?\s+(?:error|failure)\b",
    re.IGNORECASE,
)


def _mode_says(modes: list[TypedFailureMode]) -> bool | None:
    """What the failure modes' own words say: ``→ never retried``, ``→ give up`` or ``→ fail fast`` (no
    retry), ``→ retried``, ``reconnect`` or ``backoff``; ``None`` when they say neither. "fail" is read in
    its phrase: ``→ fail open`` (the caller carries on) says nothing of retrying."""
    for m in modes:
        if any(_NOT_RETRIED.search(part or "") for part in (m.what_happens, m.handling)):
            return False
    if any(_retried_now(part or "") for m in modes for part in (m.handling, m.what_happens)):
        return True
    for m in modes:
        # the action, after the arrow (or the whole text when there is none): "→ give up, user polls"
        action = m.handling if m.handling is not None else m.what_happens
        if action and (_GIVES_UP.search(action) or any(g for g, _ in _fail_phrases(action))):
            return False
        if action and _says(_AS_SUCCESS, action) and _client_error(m):
            return (
                False  # (a 5xx or a timeout "treated as success" is so once its retries are spent: fail open)
            )
    return None


def _client_error(mode: TypedFailureMode) -> bool:
    """The mode is about a client error the server will answer again (409, 404, 422: not 408 or 429)."""
    codes = [c for c in mode.http_status if c[:1] == "4"]
    return bool(codes) and len(codes) == len(mode.http_status) and not {"408", "429", "4xx"} & set(codes)


# a failure left to a later run, not retried now: "job fails, rerun in the morning"
_LATER = re.compile(
    r"\bre-?run\b|\blater\b|\bnext\s+(?:run|day|cycle|poll|batch|night)\b|\bin\s+the\s+morning\b|"
    r"\bmanual(?:ly)?\b|\btomorrow\b|\bre-?tri(?:gger|ed\s+by)\b|\bdead[- ]?letter|"
    r"\breleased\s+back\s+to\s+the\s+queue\b",
    re.IGNORECASE,
)


def _only_fails(modes: list[TypedFailureMode]) -> bool:
    """The modes say no retry only by a bare "fails" ("the order page fails"): no "not retried", no "give
    up", no "fail fast"."""
    for m in modes:
        for part in (m.what_happens, m.handling):
            if part and (
                _NOT_RETRIED.search(part)
                or _GIVES_UP.search(part)
                or _LATER.search(part)
                or (_AS_SUCCESS.search(part) and _client_error(m))
            ):
                return False
        action = m.handling if m.handling is not None else m.what_happens
        if action and any(g for g, _ in _fail_phrases(action)) and re.search(r"fail[\s-]+fast", action, re.I):
            return False
    return True


def _pause_said(modes: list[TypedFailureMode]) -> RetryBackoff | None:
    """The pause between retries a failure mode's words give ("retried 3 times, 0.25 s apart"), when one
    mode gives one."""
    from ..document.retry import read_retry

    for m in modes:
        said = read_retry(" ".join(p for p in (m.what_happens, m.handling) if p), None, 1)
        if said is not None and said.backoff.initial_ms is not None:
            return said.backoff
    return None


def _count_said(modes: list[TypedFailureMode]) -> int | None:
    """The retries a failure mode's words count ("reconnect up to 5 times, 2 s apart" -> 5), when they
    count one number."""
    found: set[int] = set()
    for m in modes:
        for part in (m.what_happens, m.handling):
            for hit in _RETRY_COUNT.finditer(part or ""):
                word = hit.group(1).lower()
                found.add(_COUNT_WORDS[word] if word in _COUNT_WORDS else int(word))
    return found.pop() if len(found) == 1 else None


def _exceptions_say(policy: RetryPolicy, modes: list[TypedFailureMode], fault: Fault) -> bool | None:
    """Whether a retry-on list of exceptions (all that is retried) covers this fault: a name raised for
    it, or with its words, does; when every name is a well-known one not raised for it (redis-py's
    ConnectionError and TimeoutError for an invalid reply) none does; any other name leaves it unknown."""
    words = _EXC_WORDS.get(fault.kind, ())
    names = [e.rsplit(".", 1)[-1].lower() for e in policy.retry_on_exceptions]
    if any(n in ("exception", "baseexception") for n in names) or _names_retried(policy, modes):
        return True
    ruled_out = 0
    for n in names:
        covers, not_covers = _KNOWN_EXC.get(n, (frozenset(), frozenset()))
        if fault.kind in covers:
            return True
        if fault.kind in not_covers:
            ruled_out += 1
        elif any(w in n for w in words):
            return True
    return False if names and ruled_out == len(names) else None


# the kind of failure each fault is, first of all (what "Invalid responses are never retried" names)
_PRIMARY: dict[FaultKind, str] = {kind: kinds[0] for kind, kinds in _MODE_OF.items()}


def _words_say(policy: RetryPolicy, fault: Fault) -> bool | None:
    """What the strategy's words say of this failure's kind: "invalid responses are never retried"
    (no), "we retry timeouts and connection errors" (those yes, any other no); ``None`` when they name
    no failure."""
    kinds = {_PRIMARY.get(fault.kind, "")}
    if fault.kind is FaultKind.STATUS and fault.status == 429:
        kinds.add("rate_limited")
    if kinds & set(policy.not_retried_failures):
        return False
    if policy.retry_on_failures and not (fault.kind is FaultKind.STATUS and policy.retry_on_status):
        return bool(kinds & set(policy.retry_on_failures))
    return None


def _policy_says(
    integration: Integration, policy: RetryPolicy, modes: list[TypedFailureMode], fault: Fault
) -> bool | None:
    """Whether the Retry Strategy retries this fault, by what its words name ("invalid responses are
    never retried"), then what its library retries: its retry-on lists (statuses, gRPC codes,
    exceptions), or what the library retries when the doc names none."""
    if (by_words := _words_say(policy, fault)) is not None:
        return by_words
    if fault.kind is FaultKind.STATUS:
        code = fault.status or 0
        if policy.form == "urllib3" and not _method_retried(integration, policy):
            return False  # urllib3 retries a status for its allowed_methods only (POST is not: round 52)
        if str(code) in policy.retry_on_status and str(code) not in policy.not_retried_status:
            return True  # a status named beats its class: "retry 429 … 4xx other than 429 never" (round 44)
        if any(_status_matches(s, str(code)) for s in policy.not_retried_status):  # "5xx except 501"
            return False
        if policy.retry_on_status and any(_status_matches(s, str(code)) for s in policy.retry_on_status):
            return True
        if policy.form == "urllib3":  # status_forcelist, and a Retry-After on 413/429/503 (the default)
            return (
                _method_retried(integration, policy)
                and fault.retry_after_s is not None
                and code in _URLLIB3_RETRY_AFTER
            )
        if policy.retry_on_status:
            return False
        if policy.retry_on_exceptions:
            return _exceptions_say(policy, modes, fault)
        # a policy that names no failure retries every failure, a status as much as a timeout (the
        # documented rule): "// retries: 2" is read for a 503 as for a timeout
        return True
    if fault.kind is FaultKind.GRPC or (policy.form == "grpc_service_config" and policy.retry_on_grpc_codes):
        seen = fault.grpc_code if fault.kind is FaultKind.GRPC else _GRPC_SEEN.get(fault.kind)
        if policy.retry_on_grpc_codes and seen is not None:
            return seen.upper() in {c.upper() for c in policy.retry_on_grpc_codes}
        return None
    if policy.form == "urllib3" and not policy.retry_on_exceptions:
        if fault.kind is FaultKind.INVALID:
            return False  # a well-formed answer of another shape: urllib3 never reads the body
        # a read error (after the request was sent) is retried for the allowed methods only
        return fault.kind not in _URLLIB3_READ or _method_retried(integration, policy)
    if policy.retry_on_exceptions:
        return _exceptions_say(policy, modes, fault)
    # a policy that names no failure retries every failure (tenacity, backoff loops); one that names the
    # statuses retried ("3 retries on 503", a config's ``retry_on_status: [503]``) names what is retried, and
    # a timeout is not it (a JSON config's list was held to retry timeouts too: round 52)
    return not policy.retry_on_status


def retried(integration: Integration, kind: FaultKind) -> bool | None:
    """Whether the doc retries a failure of ``kind`` — its Failure Modes first, then its Retry Strategy —
    as a fault run holds it to; ``None`` when the doc does not say."""
    fault = Fault(kind)
    policy = integration.error_handling.retry
    return _retried(integration, policy, _modes(integration, fault), fault)[0]


def _method_retried(integration: Integration, policy: RetryPolicy) -> bool:
    """urllib3's allowed_methods: the Endpoint's method, when it names one, is among them."""
    m = _METHOD.match(integration.endpoint or "")
    allowed = {x.upper() for x in policy.retry_on_methods}
    return m is None or not allowed or "*" in allowed or m.group(1).upper() in allowed


def _retried(
    integration: Integration, policy: RetryPolicy | None, modes: list[TypedFailureMode], fault: Fault
) -> tuple[bool | None, str]:
    """Does the doc retry this failure? Its Failure Modes first (``→ never retried``, ``→ give up``,
    ``→ retried``), then what the policy retries; ``None`` when neither says. The second value names a
    disagreement between the two ("" when they agree or one is silent): the doc's parts contradict each
    other, and the verdict says so rather than following one silently."""
    said = _mode_says(modes)
    if policy is None or not policy.max_attempts:
        # retried without a count ("→ we retry a couple of times", a strategy "retried a few times"):
        # whether it is retried can be held to, how often cannot
        uncounted = policy is not None and policy.retried is True and _words_say(policy, fault) is not False
        if said is None and uncounted:
            return True, ""
        return said, ""
    if policy.max_attempts == 1:
        by_policy: bool | None = False
    elif not policy.max_attempts:
        by_policy = None
    else:
        by_policy = _policy_says(integration, policy, modes, fault)
    if said is None:
        return by_policy, ""
    if by_policy is None or by_policy == said:
        return said, ""
    if said is False and by_policy and _only_fails(modes):
        # "→ the call raises and the order page fails" under "Timeouts are retried twice": what happens
        # once the retries are spent, not a word against retrying
        return True, ""
    judged = (
        said if (said is False or policy.max_attempts > 1) else None
    )  # retried, but 1 attempt: how often?
    names = ", ".join(repr(m.name) for m in modes)
    where = f" (line {policy.line})" if policy.line else ""
    conflict = (
        f"the doc disagrees with itself: Failure Modes {names} say{'s' if len(modes) == 1 else ''} "
        f"this failure is {'' if said else 'not '}retried, the Retry Strategy{where} "
        f"{'retries' if by_policy else 'does not retry'} it"
        + ("; judged by the failure mode" if judged is not None else "")
    )
    return judged, conflict


def _names_retried(policy: RetryPolicy, modes: list[TypedFailureMode]) -> bool:
    """The failure mode says the failure becomes an exception the policy retries: "no answer within
    1.5 s raises `CartUnavailable`" with a loop that retries on ``CartUnavailable``."""
    for name in policy.retry_on_exceptions:
        short = name.rsplit(".", 1)[-1]
        if len(short) < 4 or short.lower() in ("exception", "error", "oserror"):
            continue
        said = re.compile(rf"(?<![\w.]){re.escape(short)}(?!\w)")
        if any(said.search(f"{m.what_happens or ''} {m.handling or ''}") for m in modes):
            return True
    return False


_RETRY_AFTER = re.compile(r"retry[- ]after", re.IGNORECASE)
# forms whose library waits what a Retry-After header says by default (urllib3: respect_retry_after_header)
_RETRY_AFTER_FORMS = frozenset({"urllib3"})


def _honours_retry_after(policy: RetryPolicy | None, modes: list[TypedFailureMode]) -> bool:
    """Whether the doc says the client waits what Retry-After says: its failure mode's words, or a
    policy form whose library does so by default."""
    if any(_RETRY_AFTER.search(f"{m.what_happens or ''} {m.handling or ''}") for m in modes):
        return True
    return policy is not None and policy.form in _RETRY_AFTER_FORMS


# a duration in figures or in words ("after two seconds", "half a second": round 35)
_DURATION_IN_TEXT = re.compile(
    r"(?<![\w.])(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|half\s+a)\s*"
    r"(?:ms|milliseconds?|s|secs?|seconds?)\b",
    re.IGNORECASE,
)


def _timeout_in_text(modes: list[TypedFailureMode]) -> float | None:
    """The per-attempt timeout a Timeout failure mode states, when it states exactly one duration."""
    found = {
        ms
        for m in modes
        # the name's parenthetical too: "**Timeout** (SocketTimeoutException, after two seconds)"
        for hit in _DURATION_IN_TEXT.findall(f"{m.name} {m.what_happens or ''}")
        if (ms := parse_duration_ms(hit)) is not None
    }
    return found.pop() if len(found) == 1 else None


_LIMIT_KIND: dict[FaultKind, str] = {
    FaultKind.STATUS: "http_status",
    FaultKind.REFUSED: "connection_refused",
    FaultKind.RESET: "connection_lost",
    FaultKind.DISCONNECT: "connection_lost",
    FaultKind.TIMEOUT: "timeout",
}


def _limit(policy: RetryPolicy, kind: FaultKind) -> int | None:
    """The retries the policy allows this fault's failure kind, when it has a limit of its own."""
    key = _LIMIT_KIND.get(kind)
    return policy.retry_limits.get(key) if key is not None else None


def expected(
    integration: Integration, plan: FaultPlan, *, stub_fail_ms: float = 0.0, mode: str | None = None
) -> Expected:
    """The doc's promise for ``integration`` under ``plan`` (``always`` or ``first:N``); ``mode``: the
    name of the failure mode the fault stands for (:class:`~.plan.Planned`), whose words come first."""
    fault = plan.fault
    assert fault is not None
    policy = integration.error_handling.retry
    modes = _modes(integration, fault, mode)
    count = _count_said(modes)
    if count is not None and (policy is None or not policy.max_attempts):
        # "→ reconnect up to 5 times, 2 s apart, then crash": the failure mode counts what the Retry
        # Strategy leaves uncounted, and its pause with it (the count alone was held to: a 1.5 s pause
        # passed as "ok" against "0.25 s apart": new user, round 50)
        counted: dict[str, object] = {"max_attempts": count + 1, "retries": count}
        said_pause = _pause_said(modes) if policy is None or policy.backoff.initial_ms is None else None
        if said_pause is not None:
            counted["backoff"] = said_pause
        policy = policy.model_copy(update=counted) if policy else RetryPolicy(form="failure mode", **counted)
    retried, conflict = _retried(integration, policy, modes, fault)
    timeout = policy.timeout_ms if policy is not None else None
    if timeout is None:  # "no answer within PAYMENTS_TIMEOUT_SECONDS (5 s)" in the Timeout mode
        timeout = _timeout_in_text(
            [m for m in integration.error_handling.failure_modes if m.kind == "timeout"]
        )
    deadline = policy.deadline_ms if policy is not None else None
    if fault.kind is FaultKind.TIMEOUT and policy is not None and policy.read_timeout_ms is not None:
        # the stub accepts at once and never answers: the connect timeout cannot run out, the read one does
        timeout = policy.read_timeout_ms
    if fault.kind is FaultKind.TIMEOUT:
        fail_ms = timeout if timeout is not None else 0.0
    elif fault.kind is FaultKind.SLOW:
        fail_ms = float(fault.delay_ms or 0)
    else:
        fail_ms = stub_fail_ms
    fallback = bool(policy is not None and policy.fallback)
    if retried is None:
        what = "the doc does not say whether this failure is retried"
        # what the caller then does may still be said ("503 → serve the cached catalog"): judged (a client
        # that crashed there passed as "not-documented": new user, round 52)
        succeeds, unjudged = _outcome(modes)
        if succeeds is None and fallback:
            succeeds, unjudged = True, ""
        if plan.schedule is not Schedule.ALWAYS:
            succeeds = None  # whether a later attempt is made is not said: nor is the exit
        return Expected(None, None, fail_ms, timeout, deadline, succeeds, None, None, what, conflict)
    if retried and (policy is None or not policy.max_attempts):  # retried, how often not said
        succeeds, unjudged = _outcome(modes)
        if succeeds is None and fallback:
            succeeds, unjudged = True, ""
        if plan.schedule is not Schedule.ALWAYS:
            succeeds, unjudged = True, ""  # a later attempt is answered: the client that retries succeeds
        what = "documented as retried (how many times is not said, so the count is not judged)"
        jitter = policy.backoff.jitter if policy is not None else None
        return Expected(
            None, None, fail_ms, timeout, deadline, succeeds, True, jitter, what, conflict, unjudged
        )
    budget = (policy.max_attempts or 1) if (policy is not None and retried) else 1
    if policy is not None and (limit := _limit(policy, fault.kind)) is not None:
        budget = min(budget, limit + 1)  # urllib3's ``status=1`` under ``total=4``: one retry of a 503
    sleeps = (policy.sleeps_ms() if policy is not None else None) if retried else []
    if sleeps is None and retried and policy is not None and budget > 1 and policy.backoff.kind is None:
        # "retries=3 backoff_ms=100": how later pauses grow is not said, the first one is (a 700 ms pause
        # passed unjudged: round 32); only it is compared
        sleeps = [policy.backoff.initial_ms] if policy.backoff.initial_ms is not None else None
    if sleeps is not None:
        sleeps = sleeps[: budget - 1]
    attempts = budget
    # the failure mode's own action first ("→ ignore", "→ the order fails"), then a fallback of the policy
    succeeds, unjudged = _outcome(modes)
    if succeeds is None and fallback:
        succeeds, unjudged = True, ""
    if plan.schedule is not Schedule.ALWAYS:
        # first:N, every:N, p:P: the plan says which attempt is answered first (a p: plan is seeded, and
        # a stub numbers attempts from 1 in every run): the client stops there, and succeeds
        answered = next((n for n in range(1, budget + 1) if plan.decide(n) is None), None)
        if answered is not None:
            attempts, succeeds = answered, True
            if sleeps is not None:
                sleeps = sleeps[: attempts - 1]
    retry_after = fault.retry_after_s if fault.kind is FaultKind.STATUS else None
    if retry_after is not None and _honours_retry_after(policy, modes):
        if sleeps is None and retried and attempts > 1:  # "we honour Retry-After": that is the pause
            sleeps = [0.0] * (attempts - 1)
        if sleeps is not None:
            sleeps = [max(pause, retry_after * 1000.0) for pause in sleeps]
    if deadline is not None and sleeps is not None and attempts > 1 and len(sleeps) >= attempts - 1:
        # attempts the deadline leaves room for: a client stops retrying once the deadline has passed
        used, allowed = fail_ms, 1
        after_attempt = policy is not None and policy.form == "tenacity"
        for pause in sleeps:
            # tenacity's stop_after_delay is read when an attempt has failed, before its pause (an attempt
            # may start past the deadline: its own docs say so; it was held to stop before: round 52)
            if after_attempt and used >= deadline:
                break
            used += pause
            if not after_attempt and used >= deadline:
                break
            used += fail_ms
            allowed += 1
        if allowed < attempts:
            attempts, sleeps = allowed, sleeps[: allowed - 1]
    jitter = policy.backoff.jitter if policy is not None else None
    where = f"line {policy.line}" if policy is not None and policy.line else "the doc"
    because = f"Retry Strategy ({policy.form}, {where})" if policy is not None else "Failure Modes"
    unjudged = "" if succeeds is not None else unjudged
    waits = (
        timeout
        if fault.kind is FaultKind.TIMEOUT and timeout is not None and plan.schedule is Schedule.ALWAYS
        else None
    )
    return Expected(
        attempts,
        sleeps,
        fail_ms,
        timeout,
        deadline,
        succeeds,
        retried,
        jitter,
        because,
        conflict,
        unjudged,
        waits,
    )


def _interval_range(pause: float, fail_ms: float, jitter: str | None) -> tuple[float, float]:
    if jitter in (None, "none"):
        low, high = pause, pause
    elif jitter == "equal":
        low, high = pause / 2, pause
    elif jitter in ("full", "yes"):
        low, high = 0.0, pause
    elif jitter == "decorrelated":
        low, high = 0.0, pause * 3
    else:  # additive / proportional: an unknown amount on top
        low, high = pause, pause * 2 + 1000.0
    low, high = low + fail_ms, high + fail_ms
    return max(0.0, low * (1 - TOLERANCE) - SLACK_MS), high * (1 + TOLERANCE) + SLACK_MS


def _exit_differs(promise: Expected, seen: Observed) -> str | None:
    """How the command's exit contradicts what the doc says the caller does, or None."""
    if promise.succeeds is None or seen.exit_code is None or (seen.exit_code == 0) == promise.succeeds:
        return None
    said = "succeed" if promise.succeeds else "fail"
    did = "succeeded" if seen.exit_code == 0 else f"failed (exit {seen.exit_code})"
    return f"the command should {said} by the doc, it {did}"


def judge(promise: Expected, seen: Observed) -> Judgement:
    """One verdict: ``ok``, ``mismatch`` (what differs, in numbers), ``not-documented``."""
    attempts = seen.attempts
    observed_words = _observed_words(seen)
    if promise.attempts is None and (promise.retried is not True or attempts is None):
        message = f"{promise.describe()}; observed {observed_words}"
        if (diff := _exit_differs(promise, seen)) is not None:
            return Judgement("mismatch", f"{message}: {diff}", [diff])
        return Judgement("not-documented", message)
    diffs: list[str] = []
    if promise.attempts is None:  # retried, how often not said: retried at least once
        if attempts is not None and attempts < 2:
            diffs.append("documented as retried, observed no retry")
    elif attempts is not None and attempts != promise.attempts:
        diffs.append(f"attempts: documented {promise.attempts}, observed {attempts}")
    if attempts is not None and promise.sleeps_ms is not None and attempts > 1:
        for n, (got, pause) in enumerate(zip(seen.intervals_ms(), promise.sleeps_ms, strict=False), 1):
            low, high = _interval_range(pause, promise.fail_ms, promise.jitter)
            if not low <= got <= high:
                want = pause + promise.fail_ms
                diffs.append(
                    f"retry {n} came {_ms(got)} ms after the attempt before it, "
                    f"documented {_ms(want)} ms (allowed {_ms(low)}–{_ms(high)} ms)"
                )
    if (diff := _exit_differs(promise, seen)) is not None:
        diffs.append(diff)
    if seen.exit_code is None:
        diffs.append("the command did not end within its time bound: the client had not given up by then")
    elif promise.attempt_timeout_ms is not None and seen.gave_up_after_ms is not None and attempts:
        # the last attempt: from its start to the command's exit (a process's own exit after it included)
        last = seen.gave_up_after_ms - sum(seen.intervals_ms())
        low = promise.attempt_timeout_ms * (1 - TOLERANCE) - SLACK_MS
        high = promise.attempt_timeout_ms * (1 + TOLERANCE) + EXIT_SLACK_MS
        if not low <= last <= high:
            diffs.append(
                f"the last attempt waited {_ms(last)} ms before the client gave up, documented timeout "
                f"{_ms(promise.attempt_timeout_ms)} ms (allowed {_ms(max(0.0, low))}–{_ms(high)} ms)"
            )
    message = f"{promise.describe()}; observed {observed_words}"
    if promise.sleeps_ms is None and attempts is not None and attempts > 1:
        message += " (pauses not judged: the doc states none wiremap could read)"
    if promise.succeeds is None and seen.exit_code is not None:
        message += f" (exit not judged: {promise.exit_unjudged or 'the doc does not say'})"
    if diffs:
        return Judgement("mismatch", message + ": " + "; ".join(diffs), diffs)
    if attempts is None:
        return Judgement("ok", f"{message} (attempts not observed: {seen.why})")
    return Judgement("ok", message)


def _observed_words(seen: Observed) -> str:
    attempts = seen.attempts
    if attempts is None:
        head = f"attempts not observed ({seen.why})" if seen.why else "attempts not observed"
    else:
        retries = attempts - 1
        head = f"{retries} retr{'y' if retries == 1 else 'ies'}" if retries > 0 else "no retry"
        if attempts == 0:
            head = "no attempt"
        intervals = seen.intervals_ms()
        if intervals:
            head += " after " + "/".join(_ms(x) for x in intervals) + " ms"
    if seen.gave_up_after_ms is not None and seen.exit_code not in (None, 0):
        head += f", gave up after {_ms(seen.gave_up_after_ms)} ms"
    return head
