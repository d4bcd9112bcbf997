"""JavaScript and TypeScript: p-retry, axios-retry, got and fetch-retry options, and the per-attempt timeout
of axios / fetch / got.

- ``pRetry(fn, {retries: 5, minTimeout: 1000, factor: 2, maxTimeout: 10000, randomize: true,
  maxRetryTime: 30000})``: ``retries`` after the first call (default 10); the pause before retry ``n`` is
  ``minTimeout × factor^(n - 1)`` ms (defaults 1000 and 2), at most ``maxTimeout``; ``maxRetryTime`` bounds
  them all. (p-retry's ``minTimeout`` is a pause, not a timeout.)
- ``axiosRetry(axios, {retries: 3, retryDelay: axiosRetry.exponentialDelay})``: ``retries`` default 3;
  ``exponentialDelay`` waits ``2^n × 100`` ms before retry ``n`` plus up to 20%, no ``retryDelay`` none.
  A ``retryDelay`` that is a number, or an arrow function returning one (``() => 500``) or a multiple of
  its first parameter (``(n) => n * 1000``), is constant or linear.
- got's ``retry: {limit: 2}`` (its defaults: statuses 408, 413, 429, 500, 502-504, 521, 522, 524, the
  idempotent methods, ``2^(n-1) × 1000`` ms before retry n, ``backoffLimit`` its cap); any other
  ``retries: N`` counts retries. axios-retry's default condition retries network errors (not a
  timeout) and a 429 or 5xx.
- Timeouts, in ms: ``timeout: 5000`` (axios, got's ``timeout: {request: 5000}``), ``axios.defaults.timeout =
  5000``, ``AbortSignal.timeout(5000)``, ``setTimeout(() => controller.abort(), 5000)``.
"""

from __future__ import annotations

import re

from ._code import PRODUCT, Code, product
from ._draft import MAX_TEXT, Draft
from .js_loop import read_js_loop

__all__ = ["read_js"]

_TIMEOUTS = (
    re.compile(rf"(?<![\w.$])timeout\s*:\s*(?:\{{\s*(?:request|response)\s*:\s*)?({PRODUCT})\b"),
    re.compile(rf"\.timeout\s*=\s*({PRODUCT})\b"),
    re.compile(rf"\bAbortSignal\.timeout\(\s*({PRODUCT})\s*\)"),
    re.compile(rf"\bsetTimeout\([^;]{{0,120}}?\babort\(\)[^;]{{0,20}}?,\s*({PRODUCT})\s*\)"),
)
_P_RETRY = re.compile(r"\bpRetry\s*\(|['\"]p-retry['\"]")
_AXIOS_RETRY = re.compile(r"\baxiosRetry\s*\(|['\"]axios-retry['\"]")
_RETRIES = re.compile(r"(?<![\w.$])retries\s*:\s*(\d{1,7})\b")
# axios-retry's own condition, to the end of its arrow function's line (its default is network errors and 5xx)
_CONDITION = re.compile(r"(?<![\w.$])retryCondition\s*:\s*([^\n]{1,300})")
_COND_STATUS = re.compile(r"status\s*(===?|>=|>)\s*(\d{3})\b|\[\s*((?:\d{3}\s*,\s*)*\d{3})\s*\]\s*\.includes")
_COND_DEFAULTS = re.compile(
    r"\bis(?:NetworkOrIdempotentRequestError|RetryableError|IdempotentRequestError)\b"
)
_GOT_LIMIT = re.compile(r"(?<![\w.$])retry\s*:\s*\{[^{}]{0,200}?\blimit\s*:\s*(\d{1,7})\b")
_RETRY_DELAY = re.compile(r"(?<![\w.$])retryDelay\s*:\s*([^\n]{1,160})")
_ARROW = re.compile(r"^(?:async\s*)?\(?\s*(\w*)[^)=]{0,60}\)?\s*=>\s*\{?\s*(?:return\s+)?([^,;}]{1,80})")


def _option(name: str, code: Code) -> tuple[float, int] | None:
    m = re.search(rf"(?<![\w.$]){name}\s*:\s*({PRODUCT})\b", code.text)
    if m is None or (value := product(m.group(1))) is None:
        return None
    return value, code.line(m.start())


# got's retry, unless its options say otherwise: the statuses and methods it retries, and its pause
# (``2^(n-1) × 1000`` ms before retry n, plus up to 100 ms of noise)
_GOT_STATUSES = ["408", "413", "429", "500", "502", "503", "504", "521", "522", "524"]
_GOT_METHODS = ["GET", "PUT", "HEAD", "DELETE", "OPTIONS", "TRACE"]


def _got_defaults(d: Draft, code: Code) -> None:
    if not re.search(r"\bstatusCodes\s*:", code.text):
        d.add("retry_on_status", _GOT_STATUSES, d.line)
    methods = re.search(r"\bmethods\s*:\s*\[([^\]]{0,200})\]", code.text)
    if methods is not None:  # ``methods: ['GET']`` was dropped with nothing said (round 55)
        named = [m.upper() for m in re.findall(r"['\"`]([A-Za-z]+)['\"`]", methods.group(1))]
        if named:
            d.add("retry_on_methods", named, code.line(methods.start()))
        else:
            d.unread(f"methods: [{methods.group(1).strip()}]", code.line(methods.start()))
    elif not re.search(r"\bmethods\s*:", code.text):
        d.add("retry_on_methods", _GOT_METHODS, d.line)
    if "backoff.kind" not in d.values and not re.search(r"\bcalculateDelay\s*:", code.text):
        d.set("backoff.kind", "exponential", d.line)
        d.set("backoff.initial_ms", 1000.0, d.line)
        d.set("backoff.multiplier", 2.0, d.line)
        if (limit := _option("backoffLimit", code)) is not None:
            d.set("backoff.max_ms", limit[0], limit[1])


def _p_retry(d: Draft, code: Code, line: int) -> None:
    d.set("backoff.kind", "exponential", line)
    start = _option("minTimeout", code)
    d.set("backoff.initial_ms", start[0] if start else 1000.0, start[1] if start else line)
    factor = _option("factor", code)
    d.set("backoff.multiplier", factor[0] if factor else 2.0, factor[1] if factor else line)
    if cap := _option("maxTimeout", code):
        d.set("backoff.max_ms", cap[0], cap[1])
    if re.search(r"\brandomize\s*:\s*true\b", code.text):
        d.set("backoff.jitter", "proportional", line)
    if total := _option("maxRetryTime", code):
        d.set("deadline_ms", total[0], total[1])


def _retry_delay(d: Draft, code: Code) -> None:
    m = _RETRY_DELAY.search(code.text)
    if m is None:
        return
    raw, line = m.group(1).strip(), code.line(m.start())
    value = raw if "=>" in raw else re.split(r"[,;}]", raw, maxsplit=1)[0].strip()
    if value.endswith("exponentialDelay"):
        d.set("backoff.kind", "exponential", line)
        d.set("backoff.initial_ms", 200.0, line)  # 2^1 × 100 ms before the first retry
        d.set("backoff.multiplier", 2.0, line)
        d.set("backoff.jitter", "additive", line)
    elif re.search(r"linearDelay\b", value):
        d.set("backoff.kind", "linear", line)
    elif (n := product(value)) is not None:
        d.set("backoff.kind", "constant", line)
        d.set("backoff.initial_ms", n, line)
    elif arrow := _ARROW.match(value):
        param, body = arrow.group(1), arrow.group(2).strip()
        if (n := product(body)) is not None:
            d.set("backoff.kind", "constant", line)
            d.set("backoff.initial_ms", n, line)
        elif param and (
            step := re.fullmatch(rf"(?:{param}\s*\*\s*({PRODUCT})|({PRODUCT})\s*\*\s*{param})", body)
        ):
            if (n := product(step.group(1) or step.group(2))) is not None:
                d.set("backoff.kind", "linear", line)
                d.set("backoff.initial_ms", n, line)
                d.set("backoff.increment_ms", n, line)
        elif "**" in body or "Math.pow" in body:
            d.set("backoff.kind", "exponential", line)
        else:
            d.set("backoff.kind", "other", line)
    else:
        d.set("backoff.kind", "other", line)


def _timeout(code: Code) -> tuple[float, int] | None:
    found: list[tuple[int, float]] = []
    for pattern in _TIMEOUTS:
        for m in pattern.finditer(code.text):
            if (ms := product(m.group(1))) is not None and ms > 0:
                found.append((m.start(), ms))
                break
    if not found:
        return None
    pos, ms = min(found)
    return ms, code.line(pos)


def _axios_condition(d: Draft, code: Code) -> None:
    """axios-retry's statuses: its default condition (a network error, or a 5xx to an idempotent request),
    or those its ``retryCondition`` compares (``e.response?.status === 503`` is 503 alone, not every 5xx:
    new user, round 48); a condition read no further is said unread."""
    m = _CONDITION.search(code.text)
    if m is None or _COND_DEFAULTS.search(m.group(1)):
        # axios-retry 4's isNetworkOrIdempotentRequestError: a network error (refused, reset; a timeout,
        # ECONNABORTED, is not one), or a 429 or 5xx answer (round 57: refused, reset and 429 were "not
        # documented" as retried)
        d.add("retry_on_status", ["429", "5xx"], d.line)
        d.add("retry_on_failures", ["connection_refused", "connection_lost", "http_status"], d.line)
        d.add("not_retried_failures", ["timeout"], d.line)
        if m is None:
            return
    statuses: list[str] = []
    for hit in _COND_STATUS.finditer(m.group(1)):
        if hit.group(3):
            statuses += [x.strip() for x in hit.group(3).split(",")]
        elif hit.group(1) in ("===", "=="):
            statuses.append(hit.group(2))
        else:  # ``status >= 500``: the class
            statuses.append(f"{hit.group(2)[0]}xx")
    line = code.line(m.start())
    if statuses:
        d.add("retry_on_status", statuses, line)
        if not re.search(r"\bis\w*(?:Network|Timeout)\w*Error\b|\bcode\b|\bECONN", m.group(1)):
            # only answers are retried: a timeout or a refused connection has no status to match
            d.add("not_retried_failures", ["timeout", "connection_refused", "connection_lost"], line)
    elif not _COND_DEFAULTS.search(m.group(1)):
        said = re.sub(r"\s*\}\s*\)\s*;?\s*$", "", m.group(1)).strip().rstrip(",")
        d.unread(f"retryCondition: {said}", line)


def read_js(text: str, first_line: int) -> Draft | None:
    if len(text) > MAX_TEXT:
        return None
    code = Code(text, first_line)
    p_retry, axios_retry = _P_RETRY.search(code.text), _AXIOS_RETRY.search(code.text)
    retries, got = _RETRIES.search(code.text), _GOT_LIMIT.search(code.text)
    d: Draft | None = None
    if p_retry or axios_retry or retries or got:
        lib = p_retry or axios_retry or retries or got
        assert lib is not None
        form = "p-retry" if p_retry else "axios-retry" if axios_retry else "got" if got else "javascript"
        d = Draft(form, code.line(lib.start()))
        count = retries or got
        if count is not None:
            d.retries(float(count.group(1)), code.line(count.start()))
        else:
            d.retries(10.0 if p_retry else 3.0, d.line)  # the library's default
        if p_retry:
            _p_retry(d, code, d.line)
        else:
            _retry_delay(d, code)
            if axios_retry and "backoff.kind" not in d.values:
                d.set("backoff.kind", "constant", d.line)  # axios-retry's default: no delay
                d.set("backoff.initial_ms", 0.0, d.line)
            if axios_retry:
                _axios_condition(d, code)
            if got and not p_retry and not axios_retry:
                _got_defaults(d, code)
    if d is None:
        # a hand-written loop (``for (let i = 0; i < 3; i++) { try … catch … await sleep(…) }``): rules.md
        # lists it, and it was "could not be read" (round 55)
        d = read_js_loop(code)
    if (t := _timeout(code)) is not None:
        if d is None:
            d = Draft("javascript", t[1])
        d.set("timeout_ms", t[0], t[1])
    return d
