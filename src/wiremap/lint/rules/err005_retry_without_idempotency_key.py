"""## What it does
Reports a Retry Strategy that retries a call which is not idempotent, an Endpoint whose method is `POST`
or `PATCH` or a published message (AMQP, Kafka, NATS, MQTT, or an exchange/topic/subject Endpoint), when
the doc shows no way to recognise a repeat: no `Idempotency-Key` (or "idempotency key", "dedup",
"exactly-once") in the Error Handling section, the Integration Flow, the Endpoint, the Request or the Code
Example, and, for a message, no `message_id` / `event_id` in the Request. Not reported when the strategy
retries only other methods (urllib3's `allowed_methods`, whose default leaves out POST and PATCH) or
makes a single attempt.
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


def _check(ctx: DocContext) -> Iterator[Violation]:
    integ = ctx.integration
    policy = integ.error_handling.retry
    if policy is None or policy.form in _BREAKER_ONLY or policy.retries == 0:
        return
    endpoint = integ.endpoint or ""
    method = _METHOD.match(endpoint)
    message = integ.protocol in _MESSAGING or bool(_PUBLISH.search(endpoint))
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
