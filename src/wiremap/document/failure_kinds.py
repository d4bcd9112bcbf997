"""A failure's kind by its words: ``Timeout``, ``Read timeout`` and ``DEADLINE_EXCEEDED`` are all
``timeout``; an HTTP status in the name is kept (``HTTP 5xx`` -> ``["5xx"]``) and makes the kind
``http_status`` unless it says more (429 is ``rate_limited``, 401 and 403 ``auth``). Shared by the Failure
Modes and the Retry Strategy's words ("Invalid responses are never retried")."""

from __future__ import annotations

import re

from ..model import FailureKind

__all__ = ["failure_kind"]

_I = re.IGNORECASE
# the first kind whose words the name uses; order matters ("TLS handshake timeout" is tls)
_KINDS: tuple[tuple[FailureKind, re.Pattern[str]], ...] = (
    (
        "rate_limited",
        re.compile(r"rate[- ]?limit|throttl|too many requests|quota|resource[_ ]exhausted|\b429\b", _I),
    ),
    (
        "auth",
        re.compile(
            r"\bauth|unauthori[sz]ed|unauthenticated|forbidden|permission[_ ]denied|"
            r"(?:expired|invalid|bad) (?:token|credentials?|api key)|\b40[13]\b|"
            # the servers' own words for it (verify classes them auth): AMQP's ACCESS_REFUSED, Redis's
            # NOAUTH/WRONGPASS, WebSocket close 1008, a login or password refused (round 42)
            r"access[_ ]refused|\bnoauth\b|\bwrongpass\b|\b1008\b|policy violation|"
            r"(?:login|password|credentials?|token)s? (?:rejected|refused|denied|missing|rotated|wrong)|"
            r"(?:rejects?|refuses?|denies) (?:the )?(?:login|password|credentials?|token)|wrong password",
            _I,
        ),
    ),
    ("tls", re.compile(r"\btls\b|\bssl\b|certificate|\bcert\b|handshake", _I)),
    ("dns", re.compile(r"\bdns\b|name resolution|resolv|nxdomain|host not found|unknown host", _I)),
    (
        "timeout",
        re.compile(
            r"time[- ]?out|timed[- ]?out|deadline[_ ]exceeded|deadline|slow response|"
            # a wait that ran out, in other words: "not confirmed in time", "Slow redis (>5s)"
            r"\bin time\b|\bslow\b[^.;]*?>\s*\d|took (?:too )?long|too slow",
            _I,
        ),
    ),
    # an HTTP status by its reason phrase: "Service Unavailable" is a 503, no refused connection
    ("http_status", re.compile(r"\bservice unavailable\b|\bbad gateway\b", _I)),
    (
        "connection_lost",
        re.compile(
            r"disconnect|connection (?:lost|dropped|closed|reset|drop|interrupted|broken)|"
            r"(?:lost|dropped|closed|broken) connection|connection is (?:lost|dropped|closed|reset)|"
            r"\breset\b|econnreset|broken pipe|epipe|socket (?:closed|hang up)|hang ?up|"
            r"broker (?:restart|goes away|went away)",
            _I,
        ),
    ),
    (
        "connection_refused",
        re.compile(
            r"connection (?:refused|error|failed|failure)|refused|cannot connect|"
            r"can't connect|unreachable|\bunavailable\b|econnrefused|\bdown\b|ehostunreach|enetunreach|"
            r"no route to host",
            _I,
        ),
    ),
    (
        "invalid_response",
        re.compile(
            r"invalid|malformed|bad (?:response|payload|data|body|reply|json|xml)|unexpected (?:response|"
            r"payload|format|body|reply)|(?:parse|parsing|decode|decoding|deseriali[sz]ation) (?:error|"
            r"failure)|schema|corrupt|garbage|garbled|gibberish|junk|unparsea?ble|"
            r"(?:can ?not|can't|cannot|fail(?:s|ed)? to|unable to)\s+(?:be\s+)?"
            r"(?:pars|decod|deseriali[sz]|read)|"
            r"\bnot (?:valid )?(?:json|xml|protobuf)\b|wrong (?:shape|format|content[- ]type)|"
            r"protocol error|truncated",
            _I,
        ),
    ),
    ("http_status", re.compile(r"\b[1-5](?:\d\d|xx)\b|\bhttp\b|server error|client error", _I)),
)
_STATUS = re.compile(r"\b([1-5](?:\d\d|xx))\b", _I)


def failure_kind(name: str, what_happens: str | None = None) -> tuple[FailureKind, list[str]]:
    """``"HTTP 5xx"`` -> ``("http_status", ["5xx"])``; ``"Timeout"`` -> ``("timeout", [])``. A name whose
    words are none of the kinds ("Bad JSON back") is classed by what it says happens ("ledger answered
    garbage"): the kind is what the failure is, however it is named. Statuses come from the name only."""
    statuses = list(dict.fromkeys(s.lower() for s in _STATUS.findall(name)))
    for text in (name, what_happens or ""):
        for kind, pattern in _KINDS:
            if kind == "http_status" and text is not name:
                continue  # "returns 409" in the text: a status the name does not give (plan reads it there)
            if pattern.search(text):
                return kind, statuses
    return "other", statuses
