"""## What it does
Reports a Retry Strategy that retries a call which is not idempotent, an Endpoint whose method is `POST`
or `PATCH` or a published message (AMQP, Kafka, NATS, MQTT, or an exchange/topic/subject Endpoint), when
the doc shows no way to recognise a repeat: no `Idempotency-Key` (or "idempotency key", "dedup",
"exactly-once") in the Error Handling section, the Integration Flow, the Endpoint, the Request or the Code
Example, and, for a message, no `message_id` / `event_id` in the Request. Not reported when the strategy
retries only other methods (urllib3's `allowed_methods`, whose default leaves out POST and PATCH) or
makes a single attempt.

Not reported either when what the strategy runs again only reads or connects: the decorated function or
the body of the retry loop calls `connect`, `subscribe`, `get`, `fetch` … and nothing that writes
(`publish`, `post`, `send`, `insert`, `create` …). A doc that only subscribes (an Endpoint topic with a
wildcard, `devices/+/telemetry`, `orders.#`, `SUBSCRIBE …`, or an Integration Flow that subscribes or
consumes and never publishes or sends) publishes no message to retry, unless the retried code publishes.
The finding points at the Retry Strategy.

## Why is this bad?
A call that timed out may have succeeded. Retrying a POST without a key the destination can deduplicate
on charges twice, creates two orders, sends two e-mails; a republished message is processed twice.

## Example
~~~markdown
**Endpoint:** `POST /v1/charges`
...
**Retry Strategy:**
```python
Retry(total=2, backoff_factor=0.2, allowed_methods=None)
```
~~~

## Use instead
~~~markdown
**Endpoint:** `POST /v1/charges`
...
**Retry Strategy:**
```python
# every charge carries Idempotency-Key: charge-{order_id}, so a retry returns the first charge
Retry(total=2, backoff_factor=0.2, allowed_methods=None)
```
~~~
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...findings import Severity
from ..rule import DocContext, Violation, doc_rule
from ._retry import error_handling_text

_METHOD = re.compile(r"^\s*(POST|PATCH)\b", re.IGNORECASE)
_MESSAGING = frozenset({"amqp", "kafka", "nats", "mqtt"})
_PUBLISH = re.compile(r"\b(?:exchange|topic|subject|routing key)\b", re.IGNORECASE)
_KEY = re.compile(r"idempoten(?:cy|t)[- _]?key|\bdedup|\bde-dup|deduplicat|exactly[- ]once", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"""["']?(?:message|event|msg)[_-]?id["']?\s*:""", re.IGNORECASE)
_BREAKER_ONLY = frozenset({"pybreaker", "circuitbreaker"})
# words of a retried call's name: what makes a repeat visible, and what only reads or sets up
_WRITES = frozenset(
    {
        "publish",
        "post",
        "put",
        "patch",
        "send",
        "produce",
        "insert",
        "create",
        "charge",
        "pay",
        "execute",
        "executemany",
        "commit",
        "write",
        "emit",
        "enqueue",
        "push",
        "submit",
        "update",
        "upsert",
        "delete",
        "save",
        "store",
        "set",
        "add",
        "append",
        "request",
        "call",
        "invoke",
        "xadd",
        "lpush",
        "rpush",
        "incr",
    }
)
_READS = frozenset(
    {
        "connect",
        "reconnect",
        "subscribe",
        "get",
        "fetch",
        "read",
        "recv",
        "receive",
        "consume",
        "poll",
        "ping",
        "select",
        "find",
        "list",
        "describe",
        "open",
        "dial",
        "login",
        "authenticate",
        "declare",
        "bind",
        "head",
        "lookup",
        "resolve",
        "load",
        # a connection, client or channel built ("pika.BlockingConnection(pika.URLParameters(url))" in the
        # retry loop was "retries a published message": new user, round 26)
        "connection",
        "conn",
        "channel",
        "client",
        "pool",
        "session",
        "engine",
        "parameters",
        "params",
        "url",
        "dialer",
    }
)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_WILDCARD = re.compile(r"(?:^|[/.])(?:[+#*>])(?:[/.]|$)")
_SUBSCRIBE_VERB = re.compile(r"^\s*(?:SUBSCRIBE|CONSUME|RECEIVE|LISTEN)\b", re.IGNORECASE)
_SUBSCRIBES = re.compile(r"\b(?:subscrib|consum|listen)\w*", re.IGNORECASE)
_PUBLISHES = re.compile(r"\b(?:publish|produc|send|sent\b|emit|post\b|writes?\b)\w*", re.IGNORECASE)


def _retried(calls: list[str]) -> str | None:
    """``"write"`` when a retried call's name says it writes, ``"read"`` when they only read or connect."""
    words = [{w.lower() for w in _WORD.findall(name)} for name in calls]
    if any(w & _WRITES for w in words):
        return "write"
    if any(w & _READS for w in words):
        return "read"
    return None


def _subscribes_only(endpoint: str, flow: str) -> bool:
    """The doc's integration takes messages and publishes none: a topic with a wildcard, ``SUBSCRIBE x``,
    or a flow that subscribes or consumes and never publishes or sends."""
    if _SUBSCRIBE_VERB.match(endpoint) or any(_WILDCARD.search(token) for token in endpoint.split()):
        return True
    return bool(_SUBSCRIBES.search(flow)) and not _PUBLISHES.search(flow)


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    policy = integ.error_handling.retry
    if policy is None or policy.form in _BREAKER_ONLY or policy.retries == 0:
        return
    if policy.retries is None and policy.max_attempts is None and policy.retried is not True:
        # words that say no count and no retry (only unread sentences), code that sets only timeouts
        # (``nats.connect(connect_timeout=0.5, …)`` "retried a published message": round 50): nothing is
        # known retried
        return
    retried = _retried(policy.retried_calls)
    if retried == "read":
        return
    endpoint = integ.endpoint or ""
    method = _METHOD.match(endpoint)
    message = (integ.protocol in _MESSAGING or bool(_PUBLISH.search(endpoint))) and (
        retried == "write" or not _subscribes_only(endpoint, integ.flow or "")
    )
    if method is None and not message:
        return
    if method is not None and policy.retry_on_methods:
        allowed = {m.upper() for m in policy.retry_on_methods}
        if "*" not in allowed and method.group(1).upper() not in allowed:
            return
    request = integ.request.text if integ.request else ""
    example = integ.code_example.text if integ.code_example else ""
    flow = integ.flow or ""
    if _KEY.search("\n".join((error_handling_text(ctx.doc), flow, endpoint, request, example))):
        return
    if message and _MESSAGE_ID.search(request):
        return
    what = f"{method.group(1).upper()} endpoint" if method else "published message"
    yield Violation(
        integ.line_of("retry_strategy"),
        f"retries a {what} (line {integ.line_of('endpoint')}) but the doc names no idempotency key or "
        "deduplication: a retried call that had succeeded is done twice",
    )


RULE = doc_rule("ERR005", "retry-without-idempotency-key", Severity.WARNING, __doc__)(_check)
