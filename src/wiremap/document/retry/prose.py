"""A Retry Strategy said in words: "retry up to 5 times, 1 s apart", "3 retries with exponential backoff
starting at 100 ms", "no retries: the nightly run is re-triggered".

"N retries" / "retry N times" count retries; "N attempts" / "tries N times" count every attempt. Read
with regexes, line by line, and nothing is asserted that was not read. Each sentence is understood first
(:class:`_Reading`): what was done before ("we used to retry 3 times") and excluded statuses ("(not on
500)", "No retry on 4xx") are not the policy; a negated bound is a maximum ("do not retry more than 2
times" is 2 retries); a rule for one HTTP method ("No retries for POST; GETs are retried 3 times") is read
for the Endpoint's method and listed unread when that is not known; a lower bound ("more than 3 times")
is listed unread. Settings written ``retries=3 backoff_ms=100`` are read by their keys (the unit a suffix
of the key or of the value; a duration without one is not guessed). A number is an HTTP status only where
the text says so ("on 503", "HTTP 502/503", "503 errors", "5xx"). Any number left that nothing read is
listed in ``unread``, with its sentence.

A "connect timeout" (``connect_timeout_ms``) bounds opening the connection, not the call: it is neither.
A duration is a per-attempt timeout or the deadline of all attempts by the words around it ("2 s
timeout", "times out after 2 s", "give up after 10 s", "overall deadline 5 s", "within 5 s"), then by the
scope its clause names: "per attempt", "each call", "every request" make it a timeout, "overall",
"in total", "all attempts" a deadline (the nearer one when a clause names both). A connect and a read
timeout add up to ``timeout_ms``. A sentence holding a duration that nothing here read is kept in
``unread`` (ERR001 says the strategy was only partly read).
"""

from __future__ import annotations

import itertools
import re

from ...values import compound_durations
from ...values import parse_duration_ms as _parse_duration_ms
from ..failure_kinds import failure_kind
from ._draft import MAX_TEXT, Draft, grpc_codes, status_codes

__all__ = ["read_limits", "read_prose"]

_N = r"(\d{1,6}|one|two|three|four|five|six|seven|eight|nine|ten)"
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "once": 1,
    "twice": 2,
    "thrice": 3,
}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7}
_ORDINAL = r"(first|second|third|fourth|fifth|sixth|seventh|\d{1,3}(?:st|nd|rd|th))"


# a number with a unit (not a run of digits in a longer one: bounded, so a long run is no quadratic scan)
# "1.5k ms" is 1,500 ms; "200µs", "200 us" are microseconds
# a duration in words: "two seconds", "one and a half seconds", "half a second", "a second and a half",
# "a quarter of a second", "a couple of seconds", "a minute", "two hundred milliseconds" (a count in words
# as :data:`_WORDS` reads it, up to the hundreds); "a second" is no duration before a word that makes it
# the ordinal ("a second attempt"). Vague ones ("a few seconds") are no duration: listed unread.
_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NUMBER_WORDS = {
    **{w: i for i, w in enumerate(_ONES, 1)},
    **{w: i for i, w in enumerate(_TEENS, 10)},
    **{w: i for i, w in enumerate(_TENS, 2)},
}
_NUMBER_WORDS.update({w: n * 10 for w, n in _NUMBER_WORDS.items() if w in _TENS})
_W1 = "|".join(_ONES)
_W99 = rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{_W1}))?|{'|'.join(_TEENS)}|{_W1})"
_WNUM = rf"(?:(?:a|{_W1})[- ]hundred(?:\s+(?:and\s+)?{_W99})?|{_W99})"
_WUNIT = r"(?:microseconds?|milliseconds?|millis|ms|seconds?|secs?|minutes?|mins?|hours?|hrs?)"
_WUNIT1 = r"(?:microsecond|millisecond|second|sec|minute|min|hour|hr)"
# after "a second" only words that go on about a duration: else it is the ordinal ("a second attempt")
_AFTER_SECOND = (
    r"(?!\s+(?!(?:and|or|of|apart|between|delay|pause|wait|sleep|back[- ]?off|time[- ]?out|later|after|"
    r"before|then|each|per|in|to|max|at|for|total|overall|deadline|budget|interval|gap|cool[- ]?down|"
    r"is|are|should|will|maximum|minimum|timeout|timeouts)\b)[a-z])"
)
_WORD_DUR = (
    rf"\b(?:{_WNUM}(?:\s+and\s+a\s+half)?\s+{_WUNIT}|"  # "two seconds", "one and a half seconds"
    rf"(?:a|an|one)\s+{_WUNIT1}\s+and\s+a\s+half|"  # "a second and a half"
    rf"(?:a\s+|one\s+)?half\s+(?:of\s+)?(?:a|an|one)\s+{_WUNIT1}|"  # "half a second"
    rf"(?:(?:a|one|{_W1})\s+)?quarters?\s+of\s+(?:a|an|one)\s+{_WUNIT1}|"  # "a quarter of a second"
    rf"(?:an?\s+)?(?:half|quarter)[- ]{_WUNIT1}|"  # "a half-second", "a quarter second"
    rf"a\s+couple\s+(?:of\s+)?{_WUNIT}|"  # "a couple of seconds": two
    rf"(?:a|an)\s+{_WUNIT1}{_AFTER_SECOND})\b"  # "a second", "a minute"
)
# not inside a word ("k8s" is no 8 s: round 32), but "3x100ms" is three of 100 ms
_DUR = (
    r"((?<![\d.])(?<![^\W\dxX])\d{1,9}(?:\.\d{1,6})?\s*(?:k\s*)?"
    r"(?:ns|µs|μs|us|microseconds?|ms|msecs?|millis|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|"
    r"hours?)\b|"
    rf"{_WORD_DUR})"
)
# what every duration of _DUR holds, a digit or a unit's letters (each _LIMITS pattern holds one _DUR); the
# same case folding as _DUR's (re.I: "ſec" is "sec" to both)
_MAY_HOLD_DURATION = re.compile(r"\d|sec|min|hour|hr|ms|millis", re.IGNORECASE)
# a time unit nothing read ("a few seconds apart", "several minutes"): its sentence is listed unread
_UNIT_WORD = re.compile(
    rf"\b(?:micro|milli)?seconds\b|\b(?:micro|milli)?second{_AFTER_SECOND}(?<!\bthe\ssecond)\b|"
    r"\bminutes?\b|\bhours?\b|\bmillis\b|\bms\b|\bsecs?\b|\bmins?\b",
    re.IGNORECASE,
)
_I = re.IGNORECASE

_NONE = re.compile(
    r"\b(?:no (?:automatic |auto[- ])?retr(?:y|ies)|not retried|never retried|without retr(?:y|ies)|"
    r"does not retry|doesn't retry|do not retry|don't retry|is not retried|zero retries|"
    # "Retries: none", "retries = 0", "retry: disabled", "retries are disabled", "retrying is off"
    r"retr(?:y|ies|ying)\s*(?:[:=]|\s(?:is|are|set\s+to))\s*(?:none|no|never|disabled|off|false|0)(?!\w|\.\d)|"
    r"retr(?:y|ies|ying)\s+(?:is\s+|are\s+)?(?:disabled|turned\s+off|switched\s+off)|"
    r"never\s+retry|no\s+longer\s+retr(?:y|ies)|stopped\s+retrying|"
    # "max attempts: 1", "attempts = 1", "a single attempt", "one attempt only"
    r"(?:max(?:imum)?[ _-]?)?attempts\s*[:=]\s*1(?!\w|\.\d)|"
    r"(?:a\s+single|only\s+one)\s+attempt|one\s+attempt\s+only)",
    _I,
)
_RETRIES = re.compile(
    rf"\b(?:(?:retr(?:y|ies|ied)|re-?connect(?:s|ed|ing)?|re-?publish(?:es|ed|ing)?|re-?sen(?:ds?|t)|"
    rf"re-?deliver(?:s|ed|y)?)\s+(?:(?!up\b|at\b|max|after\b|every\b|with\b)[\w/-]{{1,15}}\s+){{0,5}}\(?(?:up\s+to\s+|at\s+most\s+|"
    rf"max(?:imum)?\s+)?{_N}\s*(?:times|x\b)|"
    # (a count is no setting's value: "timeout_ms=2000 retries=0" holds no 2000 retries)
    rf"(?:up\s+to\s+|at\s+most\s+|max(?:imum)?\s+)?(?<!=)(?<!=\s){_N}\s*(?:x\s*)?retr(?:y|ies)|retries\s*[:=]\s*{_N})\b",
    _I,
)
# "retried twice", "retry 5xx twice", "retry it once"
_ONCE = re.compile(
    r"\bretr(?:y|ies|ied)\s+(?:(?!up\b|at\b|max|after\b|every\b|with\b)[\w/-]{1,15}\s+){0,5}(once|twice|thrice)\b",
    _I,
)
_ATTEMPTS = re.compile(
    # "we give up after the third attempt", "stop after the 3rd try": that attempt is the last
    rf"\b(?:giv(?:e|es|ing)\s+up|stop(?:s|ping)?|fail(?:s|ing)?)\s+after\s+the\s+{_ORDINAL}\s+"
    rf"(?:failed\s+)?(?:attempt|try|call|request)\b|"
    rf"\b(?:(?:up\s+to\s+|at\s+most\s+|max(?:imum)?\s+)?{_N}\s+(?:total\s+)?(?:attempts|tries)|"
    rf"tries\s+{_N}\s+times|attempts\s*[:=]\s*{_N}|"
    # "(so 4 calls in total)": the calls counted together are the attempts
    rf"{_N}\s+(?:calls|requests)\s+(?:in\s+total|in\s+all|altogether|overall)|{_N}\s+total\s+(?:calls|requests))\b",
    _I,
)
_APART = re.compile(
    rf"{_DUR}\s+(?:apart|between\s+(?:(?:the|two|each|every)\s+)?(?:attempts?|retries|retry|tries|them|calls|each))|"
    rf"(?:every|wait(?:s|ing)?|pauses?|sleep(?:s|ing)?)\s+(?:of\s+)?{_DUR}|{_DUR}\s+(?:delay|pause|wait)s?\b|"
    # "retry after 1.5 s", "1 retry, after 200 ms" (limits, "give up after", are read before)
    rf"\b(?:retr(?:y|ies|ied|ying)|once|twice|thrice)\b[^.;]{{0,40}}?\bafter\s+(?:a\s+)?{_DUR}",
    _I,
)
# a count of retries with no retry word beside it: "GETs twice", "POSTs 3 times"
# the retried operation is opening the connection: "we reconnect", "retry the connect", "the connection
# is retried" ("retry connection errors" names failures, not what is run again: round 32)
_CONN_OP = (
    r"(?:connect(?:ion)?s?|connecting|dial(?:ing)?)\b"
    r"(?!\s+(?:errors?|failures?|issues?|problems?|refus|resets?|drops?|time))"
)
_RETRIED_CONNECT = re.compile(
    rf"\bre-?connect|\bretr(?:y|ies|ied|ying)\s+(?:the\s+|each\s+|a\s+|every\s+|our\s+|its\s+)?"
    rf"(?:initial\s+|tcp\s+|broker\s+|first\s+)?{_CONN_OP}|"
    r"\b(?:connect(?:ion)?s?|connecting|dial)\s+(?:is|are|gets?|will\s+be)\s+(?:re-?tried|retried)",
    _I,
)
_BARE_COUNT = re.compile(rf"\b(?:(once|twice|thrice)|{_N}\s+times)\b", _I)
# how many times the call is made, said of the call, not of a retry: "We call it once", "it is tried twice"
# ("once" was one retry: round 47)
_CALLED = re.compile(
    rf"\b(?:call(?:s|ed)?|tr(?:y|ies|ied)|attempt(?:s|ed)?|sen[dt]s?|invoked?)\s+"
    rf"(?:(?:it|them|the\s+\w+)\s+)?(?:exactly\s+|only\s+|just\s+)?(?:(once|twice|thrice)|{_N}\s+times)\b"
    r"(?!\s+(?:a|an|per|each|every)\s+(?:day|hour|minute|week|night|run)\b|\s+(?:daily|hourly|nightly))",
    _I,
)
_EXPO = re.compile(
    r"\bexponential(?:ly)?\b|\bexp\.?\s*(?:back[- ]?off|bo)\b|\bdoubling\b|\bdoubles\b|\btripling\b|"
    r"\btriples\b",
    _I,
)
# retries without a pause: "retried twice, immediately", "right away", "with no delay"
_IMMEDIATE = re.compile(
    r"\b(?:immediately|right\s+away|at\s+once|back[- ]to[- ]back|"
    r"without\s+(?:a(?:ny)?\s+)?(?:delay|pause|wait|backoff)|with\s+no\s+(?:delay|pause|wait|backoff))\b",
    _I,
)
# a pause followed by more: "one second, then two, then four seconds"
_THEN_MORE = re.compile(rf"\s*,?\s*(?:and\s+)?then\s+{_N}\b", _I)
_CONSTANT = re.compile(
    r"\b(?:constant|fixed|flat)\b(?=[^.;]{0,30}\b(?:back[- ]?off|delay|pause|wait|interval)s?\b)|"
    # the word after: "2s backoff (constant, no jitter)"
    r"\b(?:back[- ]?off|delay|pause|wait|interval)s?\b\s*[(:,]?\s*(?:is\s+)?(?:constant|fixed|flat)\b",
    _I,
)
# retried with no end: "reconnects forever", "retries indefinitely", "until it succeeds" (a count not
# said, never "no retry": faults judged a client reconnecting forever against "documented 1 attempt")
_FOREVER = re.compile(
    r"\b(?:forever|indefinitely|infinitely|endlessly|unlimited|without\s+(?:a\s+|any\s+)?(?:limit|end)|"
    r"until\s+(?:it\s+|they\s+)?(?:succeed|succeeds|works|connects|reconnects)|until\s+success|"
    r"no\s+(?:max(?:imum)?|limit|cap)\s+(?:on\s+)?(?:the\s+)?(?:number\s+of\s+)?(?:retries|attempts|reconnects))\b",
    _I,
)
# a pause and the word that says it does not grow, side by side: "250ms fixed", "fixed 250ms", "200 ms
# constant backoff", "constant backoff of 1s" (round 27: "2 retries, 250ms fixed, 5xx only" left it unread)
_FIXED_PAUSE = re.compile(
    rf"{_DUR}\s+(?:fixed|constant|flat)\b|"
    rf"\b(?:fixed|constant|flat)\s+(?:(?:back[- ]?off|delay|pause|wait|interval)s?\s+)?(?:of\s+)?{_DUR}",
    _I,
)
_LINEAR = re.compile(r"\blinear(?:ly)?\b", _I)
_START = re.compile(
    rf"(?:start(?:ing|s)?\s+at|initial(?:ly)?(?:\s+(?:backoff|delay|wait))?(?:\s+of)?|from|"
    rf"(?<!max )(?<!maximum )(?<!capped )back(?:ing)?[- ]?off\s*(?:of|[:=])?)\s*{_DUR}|"
    rf"{_DUR}\s+(?:initial|backoff)",
    _I,
)
_CAP = re.compile(
    rf"(?:capped\s+at|cap(?:ped)?\s+of|max(?:imum)?\s+(?:backoff|delay|wait|pause)?\s*(?:of\s+)?|"
    rf"at\s+most\s+)\s*{_DUR}",
    _I,
)
_MULT = re.compile(
    r"(?:multiplier|factor)\s+(?:of\s+)?(\d+(?:\.\d+)?)|\bx\s?(\d+(?:\.\d+)?)\b|×\s?(\d+(?:\.\d+)?)", _I
)
_JITTER = re.compile(r"\b(full|equal|decorrelated)?\s*jitter\b", _I)
_NO_JITTER = re.compile(r"\b(?:no|without|zero)\s+jitter\b|\bjitter\s*[:=]?\s*(?:none|no|off|false|0)\b", _I)
# a schedule written out: "pauses 0.2s and 0.4s", "backoff (1 s, then 2 s)", "exponential 100ms/200ms/400ms"
_PAUSES = re.compile(
    rf"(?:pauses?|wait(?:s|ing)?|sleep(?:s|ing)?|back(?:s|ing)?\s*off|delays?|exponential(?:ly)?|"
    rf"retr(?:y|ies|ied)\s+after|"
    rf"linear(?:ly)?|schedule|intervals?|\bbo|(?:twice|thrice|times)\s*(?=:))\s*[:=]?\s*(?:of\s+|for\s+)?\(?\s*"
    # (a duration per attempt, "2s/try", is no pause: it ends the list); "200ms and then 400ms",
    # "200 ms, followed by 400 ms" (round 40: "and then" ended the list, and a constant 200 ms was asserted)
    rf"({_DUR}(?:\s*(?:,?\s*(?:and\s+)?then(?:\s+after)?|,?\s*followed\s+by|,\s*and|,|and|/|→|->|=>)\s*"
    rf"{_DUR}(?!\s*/\s*(?:try|attempt|call|req)))+)",
    _I,
)
_ONE_DUR = re.compile(_DUR, _I)
_ORDINAL_PAUSE = re.compile(
    rf"{_DUR}\s+(?:before|ahead\s+of|prior\s+to)\s+the\s+(?:first|second|third|fourth|fifth|sixth|next|last|"
    r"\d{1,2}(?:st|nd|rd|th))\b",
    _I,
)


def _pause_list(t: str, said: str | None) -> tuple[str, float, float, Span] | None:
    """An explicit list of pauses ("pauses 0.2s and 0.4s", "waiting 200ms then 400ms then 800ms") as a
    backoff: constant ratios are exponential, constant steps linear (kind, first pause, factor or step);
    the kind ``said`` in words first ("linear backoff (1 s, then 2 s)": two pauses fit both)."""
    m = _PAUSES.search(t)
    if m is not None:
        values = [parse_duration_ms(x.group(0)) for x in _ONE_DUR.finditer(m.group(1))]
        span = m.span(1)
    elif len(each := list(_ORDINAL_PAUSE.finditer(t))) >= 2:
        # "200 ms before the first retry, 400 ms before the second and 800 ms before the third" (its
        # figures were listed unread, ERR001, though the backoff was read from its words: round 34)
        values = [parse_duration_ms(x.group(1)) for x in each]
        span = (each[0].start(), each[-1].end())
    else:
        return None
    ms = [v for v in values if v is not None]
    if len(ms) < 2 or ms[0] <= 0:
        return None
    ratios = {round(b / a, 3) for a, b in itertools.pairwise(ms) if a > 0}
    steps = {round(b - a, 3) for a, b in itertools.pairwise(ms)}
    if len(steps) == 1 and 0.0 in steps:
        return "constant", ms[0], 0.0, span
    if said == "linear" and len(steps) == 1:
        return "linear", ms[0], steps.pop(), span
    if len(ratios) == 1:
        return "exponential", ms[0], ratios.pop(), span
    if len(steps) == 1:
        return "linear", ms[0], steps.pop(), span
    return None


_ARROW_PAIR = re.compile(rf"^\s*{_DUR}\s*(?:→|->|=>|\bto\b|\bup\s+to\b)\s*{_DUR}\s*$", _I)


def _start_to_cap(t: str, pauses: tuple[str, float, float, Span], attempts: int | None) -> float | None:
    """Two pauses joined by an arrow ("0.1s → 0.4s") under more than two retries are where the backoff
    starts and where it is capped, not the whole schedule (three retries need three pauses): the cap, in
    ms; None when they may be the schedule."""
    a, b = pauses[3]
    if attempts is None or attempts - 1 <= 2 or not _ARROW_PAIR.match(t[a:b]):
        return None
    values = [parse_duration_ms(x.group(0)) for x in _ONE_DUR.finditer(t[a:b])]
    return values[-1] if len(values) == 2 else None


_ATTEMPT = (
    r"(?:attempts?|tr(?:y|ies)|calls?|requests?|rpcs?|retr(?:y|ies)|messages?|operations?|commands?|"
    r"quer(?:y|ies)|publish(?:es)?|sends?)"
)
# (pattern, what its duration is when the clause names no scope)
_CONNECT = r"\b(?:connect(?:ion)?|dial(?:ing)?|handshake)[- ]time[- ]?outs?\b"  # Go's net.Dialer: a dial
_READ = r"\bread[- ]time[- ]?outs?\b"
_LIMITS: tuple[tuple[re.Pattern[str], str], ...] = (
    # a connect timeout bounds opening the connection, not the call: no per-attempt timeout
    (re.compile(rf"{_DUR}\s+{_CONNECT}", _I), "connect"),
    (re.compile(rf"{_CONNECT}\s*(?:(?:is|of|at|set\s+to|=|:)\s*)?(?:of\s+)?{_DUR}", _I), "connect"),
    # a read timeout with a connect timeout: both can run out in one attempt (they add up)
    (re.compile(rf"{_DUR}\s+{_READ}", _I), "read"),
    (re.compile(rf"{_READ}\s*(?:(?:is|of|at|set\s+to|=|:)\s*)?(?:of\s+)?{_DUR}", _I), "read"),
    (re.compile(rf"{_DUR}\s+(?:per[- ]{_ATTEMPT}\s+)?time[- ]?outs?\b", _I), "timeout"),
    (
        re.compile(
            rf"\btime[- ]?outs?\b\s*(?:per[- ]{_ATTEMPT}\s*)?(?:(?:is|of|at|set\s+to|after|=|:)\s*)?"
            rf"(?:of\s+)?\(?{_DUR}",  # ("HttpClient.Timeout (10 s) is the overall budget")
            _I,
        ),
        "timeout",
    ),
    (re.compile(rf"\btim(?:es?|ed|ing)\s+out\s+(?:after|at|in)\s+(?:at\s+most\s+)?{_DUR}", _I), "timeout"),
    (
        re.compile(
            rf"\b(?:each|every|per|one|a\s+single)\s+{_ATTEMPT}\s+(?:gets|has|is\s+given|is\s+allowed|"
            rf"is\s+limited\s+to|is\s+capped\s+at|may\s+take|can\s+take|takes|lasts|may\s+last)\s+"
            rf"(?:up\s+to\s+|at\s+most\s+|max(?:imum)?\s+)?{_DUR}",
            _I,
        ),
        "timeout",
    ),
    (re.compile(rf"\bno\s+(?:answer|response|reply|ack)\s+(?:with)?in\s+{_DUR}", _I), "timeout"),
    (re.compile(rf"{_DUR}\s+(?:per|for\s+each|each)\s+{_ATTEMPT}\b", _I), "timeout"),
    (re.compile(rf"{_DUR}\s*/\s*(?:attempt|try|call|req(?:uest)?|rpc)\b", _I), "timeout"),  # "2s/try"
    (re.compile(rf"\bdeadline\s*(?:(?:is|of|at|=|:)\s*)?(?:of\s+)?{_DUR}|{_DUR}\s+deadline", _I), "deadline"),
    (
        re.compile(rf"\bbudget\s*(?:(?:is|of|=|:)\s*)?(?:of\s+)?{_DUR}|{_DUR}\s+(?:retry\s+)?budget", _I),
        "deadline",
    ),
    (re.compile(rf"\bgiv(?:es?|ing)\s+up\s+(?:after|at)\s+{_DUR}", _I), "deadline"),
    # "we never spend more than 10 seconds", "it takes no more than 5 s in all"
    (
        re.compile(
            rf"\b(?:spend(?:s|ing)?|tak(?:e|es|ing)|last(?:s|ing)?)\s+(?:no\s+|not\s+)?(?:more|longer)\s+than\s+"
            rf"{_DUR}",
            _I,
        ),
        "deadline",
    ),
    (re.compile(rf"\bstop(?:s|ping)?\s+(?:retrying\s+)?after\s+{_DUR}", _I), "deadline"),
    (
        re.compile(
            rf"\b(?:retr(?:y|ies|ying|ied)|keeps?\s+(?:re)?trying)\s+for\s+(?:up\s+to\s+|at\s+most\s+)?{_DUR}",
            _I,
        ),
        "deadline",
    ),
    (
        re.compile(
            rf"\b(?:in\s+total|overall|total)\s+(?:of\s+)?{_DUR}|"
            rf"{_DUR}\s+(?:in\s+total|overall|total|altogether|end[- ]to[- ]end)",
            _I,
        ),
        "deadline",
    ),
    (re.compile(rf"\bwithin\s+(?:at\s+most\s+)?{_DUR}", _I), "deadline"),
)
_PER_ATTEMPT = re.compile(
    r"\bper[- ]?(?:attempt|try|call|request|rpc)\b|"
    rf"\b(?:each|every|individual)\s+{_ATTEMPT}\b",
    _I,
)
_COUNTED = re.compile(r"\b(?:attempts|tries|retries|calls|requests|times)\s*$", _I)  # "3 attempts in total"
_OVERALL = re.compile(
    r"\boverall\b|\bin\s+total\b|\btotal\b|\bwhole\b|\baltogether\b|\bend[- ]to[- ]end\b|\bcombined\b|"
    r"\ball\s+(?:the\s+)?(?:attempts|retries|tries|calls)\b|\bacross\b|\bincluding\s+(?:the\s+)?retries\b",
    _I,
)
# clauses: a sentence ends at ". ", ";" or ","; "and", "but", "while" join two clauses
_CLAUSE = re.compile(r"\.(?!\S)|[;,]|\band\b(?!\s+a\s+half\b)|\b(?:but|while|whereas)\b", _I)
_ANY_DUR = re.compile(_DUR, _I)
_STOP = re.compile(r"\.(?!\S)|[;!?]")
_BREAKER = re.compile(r"circuit[- ]?breaker([^.;\n]*)", _I)
_BREAKER_AFTER = re.compile(
    rf"after\s+{_N}\s+(?:consecutive\s+)?(?:failures|errors)|{_N}\s+(?:consecutive\s+)?"
    rf"(?:failures|errors)",
    _I,
)
_BREAKER_OPEN = re.compile(rf"(?:for|cool[- ]?down(?:\s+of)?|open\s+for|reset\s+after)\s+{_DUR}", _I)
_FALLBACK = re.compile(
    r"(?<!\bno\s)(?<!\bnot\s)(?<!\bwithout\s)(?<!\bnever\s)"
    r"(?:fall(?:s|ing)?\s*back\s+(?:to|on)\s+|fallback\s*[:=]?\s*)([^.;\n]+)",
    _I,
)
# words that say what is done instead is a fallback (the caller gets an answer): the text after "no
# retries:" is a fallback only with them ("no retries: we serve the cached price"), else it is read as
# the rest of the strategy ("no retries; connect timeout 3s") or is a reason ("the run is re-triggered")
_FALLBACK_SAID = re.compile(
    r"(?<!\bno\s)(?<!\bnot\s)(?<!\bwithout\s)(?<!\bnever\s)\bfall(?:s|ing)?[\s-]*back\b|"
    r"\b(?:use[sd]?|using|serve[sd]?|serving|return(?:s|ed|ing)?|show(?:s|n|ed|ing)?|keep(?:s|ing)?|answer(?:s|ed)?)\s+"
    r"(?:with\s+)?(?:the\s+|a\s+|an\s+|its\s+|our\s+|their\s+)?"
    r"(?:last[- ]known(?:[- ]good)?|cached|cache|default|stale|previous|placeholder|local\s+cop(?:y|ies))\b|"
    r"\b(?:serve[sd]?|serving|answer(?:s|ed)?|read(?:s|ing)?|return(?:s|ed|ing)?)\s+(?:it\s+|them\s+)?from\s+"
    r"(?:the\s+|a\s+|its\s+|our\s+)?(?:local\s+)?cache\b|"
    r"\b(?:cached|stale|default|last[- ]known)\b[^.;]{0,40}\b(?:is|are)\s+"
    r"(?:served|used|returned|shown|kept)\b|"
    r"\bdegrad(?:e|es|ed|ing)\s+(?:gracefully\b|to\b)|\bgraceful(?:ly)?\s+degrad",
    _I,
)
_NONE_BECAUSE = re.compile(
    r"\bno (?:automatic |auto[- ])?retr(?:y|ies)\b[^:;,—–\n]{0,20}[:;,—–]+\s*([^.\n]+)", _I
)
# "none: the nightly run sends the day again", "No. The job is re-run", "n/a - replayed from the log"
_NONE_ALONE = re.compile(r"\s*(?:none|no|never|disabled|off)\s*[.!]?\s*", _I)
# where a sentence ends: a stop not inside a name or number ("HttpClient.Timeout", "1.5 s"), or a ';'
_SENTENCE_END = re.compile(r"(?:\.(?!\S)|;)\s*")
# "~800 ms", "≈ 2 s": an approximate figure is read as the figure
_APPROX = re.compile(r"[~≈]\s*(?=\d)")
_NONE_LEAD = re.compile(r"^\s*(?:none|no|never|n/a)\s*[:;,.—–-]\s*(.*)$", _I)
_STATUS = re.compile(
    r"\b[1-5](?:\d\d|xx)\b(?!\s*(?:ms|s|sec|secs|seconds?|milliseconds?|m|mins?|minutes?|%)\b)", _I
)
# (a counted reconnect is the retry of a lost or refused connection: "reconnect up to 10 times")
_RETRY_WORD = re.compile(
    r"retr|attempt|backoff|\bback off|\bcircuit|\btries\b|\bre-?connect|\bre-?publish|\bre-?sen[dt]|"
    r"\bre-?deliver",
    _I,
)


def _n(text: str) -> int | None:
    t = text.lower()
    if t[-2:] in ("st", "nd", "rd", "th") and t[:-2].isdigit():
        return int(t[:-2])  # "the 3rd attempt"
    return _WORDS.get(t) or _ORDINALS.get(t) or (int(t) if t.isdigit() else None)


def _first(m: re.Match[str] | None) -> str | None:
    return next((g for g in m.groups() if g), None) if m else None


# a status in the plural, as people say them: "we do not retry 404s", "5xxs are retried" ("404s" read as
# a duration of 404 s, and the sentence as "no retry" for the whole policy: round 33); after a word of time
# ("timeout 500s", "wait 400s") it stays a duration
_STATUS_PLURAL = re.compile(r"\b([45](?:\d\d|xx))s\b", _I)
_TIME_BEFORE = re.compile(
    r"(?:time[- ]?outs?|wait(?:s|ing)?|sleeps?|pauses?|delays?|after|every|caps?(?:ped)?|back[- ]?off|within|"
    r"up\s+to|max(?:imum)?|deadline|budget|of|for|than|at\s+most|at\s+least|[=:~≈<>≤≥])\s*$",
    _I,
)
_TIME_AFTER = re.compile(r"^\s*(?:apart|between|later|each|per|timeout|delay|pause|wait|backoff)\b", _I)


# "For 503s, retry twice": a sentence that starts with its statuses (round 46: "for" made it 503 s)
_FOR_AT_START = re.compile(r"(?:^|[.;:(\n]\s*)(?:for|on)\s+$", _I)


def _status_plural(m: re.Match[str]) -> str:
    before, after = m.string[max(0, m.start() - 30) : m.start()], m.string[m.end() : m.end() + 20]
    if _FOR_AT_START.search(m.string[max(0, m.start() - 8) : m.start()]) and not _TIME_AFTER.match(after):
        return m.group(1) + " "
    if _TIME_BEFORE.search(before) or _TIME_AFTER.match(after):
        return m.group(0)
    return m.group(1) + " "  # the same length: offsets of what follows hold


# a thousands separator in a figure ("2,500 ms" was read as 500 ms: round 46), not in a list of figures
# ("100,200,400 ms"): the comma moved behind the figure, so no clause is cut there (same length)
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,2}|\d{3}(?=,000)),(\d{3})(?![,\d])")


def _thousands(m: re.Match[str]) -> str:
    return m.group(1) + m.group(2) + " "


# the hyphen of a compound duration, "one-second", "2-second", "30-second" (same length: offsets hold)
_HYPHEN_UNIT = re.compile(
    r"\b(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|fifty|"
    r"sixty|ninety|hundred|half)-((?:micro|milli)?seconds?\b|secs?\b|minutes?\b|mins?\b|hours?\b|ms\b)",
    re.IGNORECASE,
)


def read_prose(
    text: str, first_line: int, *, method: str | None = None, labelled: bool = False
) -> Draft | None:
    """``method``: the Endpoint's HTTP method, when known; words for another method are not its policy,
    and without it words for one method are listed unread. ``labelled``: the text is what a Retry Strategy
    label says, so a count needs no retry word beside it ("a couple of times, a few seconds apart":
    round 38). A draft holding only sentences not understood is returned too (ERR001 says the strategy
    was only partly read, and nothing in them is asserted)."""
    if len(text) > MAX_TEXT:
        return None
    text = _APPROX.sub("", text)
    text = _STATUS_PLURAL.sub(_status_plural, text)
    text = _HYPHEN_UNIT.sub(r"\1 \2", text)  # "a one-second timeout": "one second" (unread: round 45)
    text = _THOUSANDS.sub(_thousands, text)
    text = compound_durations(text)  # "1m30s", "PT2S": "90s", "2s" (dropped unread: round 46)
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    if _NONE_ALONE.fullmatch(text):  # "none": the whole strategy is that there is none
        d = Draft("prose", first_line + text.split("\n").index(first))
        d.retries(0, d.line)
        d.set("backoff.kind", "none", d.line)
        return d
    if m := _NONE_LEAD.match(first):
        d = Draft("prose", first_line + text.split("\n").index(first))
        d.retries(0, d.line)
        d.set("backoff.kind", "none", d.line)
        rest = m.group(1).strip().rstrip(".")
        said = _SENTENCE_END.split(rest, maxsplit=1)[0].strip().rstrip(".")  # its first sentence alone
        if said and _FALLBACK_SAID.search(said):  # "None. We don't retry writes." is a reason, not a fallback
            d.set("fallback", said, d.line)
            if said == rest:
                return d
        lines = text.split("\n")
        # "None:" blanked, and a fallback read above ("none — we fall back to the cache. Timeout is half a
        # second.": the timeout was swallowed into the fallback)
        blank = m.start(1) + (m.group(1).index(said) + len(said) if "fallback" in d.values else 0)
        lines[lines.index(first)] = " " * blank + first[blank:]
        for n, line_text in enumerate(lines[:500]):  # the rest is read: "None: connect timeout 3 s"
            _line(d, line_text, first_line + n, method)
        return _finish(d)
    if not labelled and not _RETRY_WORD.search(text):
        return read_limits(text, first_line)
    d = Draft("prose", first_line)
    for n, line_text in _logical_lines(text.split("\n")[:500]):
        _line(d, line_text, first_line + n, method, labelled=labelled)
    return _finish(d)


def read_limits(text: str, first_line: int) -> Draft | None:
    """The timeouts and deadlines of words with no retry word in them (a code comment, ``# each attempt
    times out after 2 s``): a limit names itself ("timeout", "deadline", "times out"), nothing else is read
    there (the comment's timeout was dropped with nothing said: new user, round 45)."""
    d = Draft("prose", first_line)
    for n, line_text in _logical_lines(text.split("\n")[:500]):
        for kind, g in _limits(line_text, []):
            if (ms := parse_duration_ms(g)) is not None:
                d.set(_LIMIT_FIELD[kind], ms, first_line + n)
    return _finish(d) if d.values else None


# a line a sentence goes on from: it ends without a stop ("…exponential backoff:", "…retried after")
# and is no setting ("retries: 3"); the next line goes on with a lower-case word or a number (not a
# list item)
_GOES_ON = re.compile(r"[\w:,)–—-]\s*$")
_SETTING_LINE = re.compile(r"^\s*[-*]?\s*[\w .-]{1,40}\s*[:=]\s*\S")
_CONTINUES = re.compile(r"^\s*(?:[a-z]|\d(?!\d*[.)]\s))")


def _logical_lines(lines: list[str]) -> list[tuple[int, str]]:
    """The lines with a sentence wrapped over several joined into one (at the first one's offset):
    "with exponential backoff:" / "100 ms, 200 ms, then 400 ms" is one schedule."""
    out: list[tuple[int, str]] = []
    for n, text in enumerate(lines):
        if out and text.strip() and _CONTINUES.match(text):
            prev = out[-1][1]
            if _GOES_ON.search(prev) and not _SETTING_LINE.match(prev) and not prev.rstrip().endswith("."):
                out[-1] = (out[-1][0], f"{prev.rstrip()} {text.strip()}")
                continue
        out.append((n, text))
    return out


def read_lines(lines: list[tuple[str, int]]) -> Draft | None:
    """Lines (text, doc line) of a block whose other lines were read as settings, each read as prose:
    that block already says it is a retry strategy, so no retry word is needed in them."""
    if not lines or sum(len(t) for t, _ in lines) > MAX_TEXT:
        return None
    d = Draft("prose", min(n for _, n in lines))
    joined = _logical_lines([text for text, _ in lines[:500]])
    for n, text in joined:
        _line(d, text, lines[n][1])
    return _finish(d)


def _finish(d: Draft) -> Draft | None:
    if d.listed_pauses is not None and "max_attempts" not in d.values and d.values.get("retried") is not True:
        # "we back off 250ms, 500ms, 1s then give up": three pauses are three retries when no count is
        # said (faults judged no count and no pause of it: round 33)
        d.retries(d.listed_pauses[0], d.listed_pauses[1])
    if (read := d.values.get("read_timeout_ms")) is not None:  # with the connect timeout: their sum
        line = d.lines["read_timeout_ms"]
        d.set("timeout_ms", read + (d.values.get("connect_timeout_ms") or 0.0), line)
    if d.values.get("max_attempts") == 1 and d.values.get("backoff.kind") in (None, "none"):
        # no retry waits for anything: "no retry: the next poll (every 30 s) is the retry" is a reason, not
        # a backoff of 30 s beside "none" (new user, round 27)
        for key in [k for k in d.values if k.startswith("backoff.") and k != "backoff.kind"]:
            del d.values[key]
            d.lines.pop(key, None)
    if d.empty() and not d.unread_text:
        return None
    multiplier = d.values.get("backoff.multiplier")
    if "backoff.kind" not in d.values and multiplier is not None:
        d.set("backoff.kind", "exponential" if multiplier > 1 else "constant", d.lines["backoff.multiplier"])
    return d


Span = tuple[int, int]


def _overlaps(span: Span, used: list[Span]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in used)


def _group(m: re.Match[str]) -> int:
    return next(i for i, g in enumerate(m.groups(), 1) if g)


def _take(
    pattern: re.Pattern[str], t: str, used: list[Span], pos: int = 0, end: int | None = None
) -> str | None:
    """The duration of the first match whose duration no other pattern read; it is read now."""
    for m in pattern.finditer(t, pos, len(t) if end is None else end):
        if any(m.groups()) and not _overlaps(span := m.span(_group(m)), used):
            used.append(span)
            return m.group(_group(m))
    return None


def _clauses(t: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for m in _CLAUSE.finditer(t):
        out.append((start, t[start : m.start()]))
        start = m.end()
    out.append((start, t[start:]))
    return out


def _scope(start: int, end: int, clause: str) -> str | None:
    """ "timeout" or "deadline" by the scope the clause names, the nearer one when it names both."""

    def distance(spans: list[Span]) -> int | None:
        return min((max(a - end, start - b, 0) for a, b in spans), default=None)

    per = distance([m.span() for m in _PER_ATTEMPT.finditer(clause)])
    overall = distance(
        [m.span() for m in _OVERALL.finditer(clause) if not _COUNTED.search(clause[: m.start()])]
    )
    if per == overall:  # neither named, or as near
        return None
    if overall is None or (per is not None and per < overall):
        return "timeout"
    return "deadline"


def _limits(t: str, used: list[Span]) -> list[tuple[str, str]]:
    """(``timeout`` or ``deadline``, the duration as written) for each limit the line states, in order."""
    out: list[tuple[str, str]] = []
    for offset, clause in _clauses(t):
        if not _MAY_HOLD_DURATION.search(clause):
            continue  # nine clauses in ten: nineteen scans of a long pattern saved (lint at parse speed)
        found: dict[int, tuple[re.Match[str], str]] = {}
        for pattern, default in _LIMITS:
            for m in pattern.finditer(clause):
                found.setdefault(m.start(_group(m)), (m, default))
        for key in sorted(found):
            m, default = found[key]
            i = _group(m)
            span = (offset + m.start(i), offset + m.end(i))
            if _overlaps(span, used):
                continue
            used.append(span)
            kind = (
                default if default in ("connect", "read") else _scope(m.start(), m.end(), clause) or default
            )
            out.append((kind, m.group(i)))
    return out


def _sentence(t: str, start: int, end: int) -> str:
    """The sentence of ``t`` around ``start:end``."""
    begin = max((m.end() for m in _STOP.finditer(t, max(0, start - 200), start)), default=max(0, start - 200))
    stop = _STOP.search(t, end, end + 200)
    return " ".join(t[begin : stop.start() if stop else min(len(t), end + 200)].split())[:200]


_LIMIT_FIELD = {
    "timeout": "timeout_ms",
    "deadline": "deadline_ms",
    "connect": "connect_timeout_ms",
    "read": "read_timeout_ms",  # added to the connect timeout into ``timeout_ms`` at the end, and kept
}


_EXCLUDED_SUBJECT = re.compile(
    r"\b(?:writes?|posts?|puts?|patch(?:es)?|deletes?|inserts?|requests? with)\b", _I
)
# a status as written in a condition: "503", "5xx" (not "500 ms")
_S = (
    r"[1-5](?:\d\d|xx)\b"
    r"(?!\s*(?:k\s*)?(?:ns|µs|μs|us|ms|s|secs?|seconds?|milliseconds?|m|mins?|minutes?|h|%)\b)"
)
_SLIST = rf"{_S}(?:\s*(?:/|,|\bor\b|\band\b|\|)\s*{_S})*"
# a number is a status where the text says so: "on 503", "HTTP 502/503", "status 429", "503 errors", "5xx"
_STATUS_SAID = re.compile(
    rf"\b(?:on|for|http|status(?:es)?|codes?|returns?|returning|responses?|errors?)\s*[:=]?\s*(?:code\s*)?"
    rf"(?:an?\s+|the\s+)?({_SLIST})|\b({_S})(?=\s*(?:errors?|responses?|status|codes?)\b)|\b([1-5]xx)\b|"
    rf"\b({_SLIST})(?=\s+(?:are|is|get|gets|will\s+be)\s+retried\b)|"  # "429 and 503 are retried"
    rf"\bretr(?:y|ies|ying)\s+(?:HTTP\s+)?({_SLIST})",  # "We retry 503 and 429 up to 3 times" (round 44)
    _I,
)
# statuses taken out of what is retried: "(not on 500)", "except 404", "but never 501"
# (after a negation, "except" / "other than" / "unless" name what *is* retried: "no retries except on 503")
_EXCLUDE = re.compile(
    rf"(?:\bbut\s+)?(?:\b(?:not|never)(?:\s+(?:on|for))?|(?P<but>(?:\bexcept|\bexcluding|\bother\s+than)(?:\s+(?:on|for))?|"
    rf"\bunless\s+(?:(?:the|it|it['’]s|that['’]s|this|error|response|status|code|is|was|an?|gets?|returns?|"
    rf"we|get|see|receive|upstream|server|answers?|with)\s+){{0,5}})|"
    rf"\bbut\s+(?:not|never)(?:\s+(?:on|for))?)\s*(?:HTTP\s+)?{_SLIST}",
    _I,
)
_NEGATED_AFTER = re.compile(r"\b(?:not|never)\s+(?:be\s+)?retried\b|\bno\s+retr", _I)
# failures taken out of what is retried, said without a verb beside a count: "retry up to 3 times, but never
# on timeouts", "3 retries except on connection resets" (round 46: read as retrying timeouts too)
_EXCLUDE_FAILURE = re.compile(
    r"(?:\bbut\s+)?(?:\b(?:not|never)\s+(?:on|for|after|when|if)|\bexcept(?:\s+(?:on|for|after|when))?|"
    r"\bother\s+than|\bexcluding)\s+(?:an?\s+|the\s+|any\s+)?(?P<what>[^.;:(),!?\n]+)",
    _I,
)
# a sentence that takes statuses out: "we do not retry 404", "we never retry a 400 or 404", "404 is not
# retried", "4xx are never retried"
_NOT_RETRIED = re.compile(
    rf"\b(?:(?:do|does|will|would|should|must|shall)\s*n[o'’]?t|never|won['’]t)\s+retry(?:\s+(?:on|for))?\s+"
    rf"(?:an?\s+|the\s+|any\s+)?(?:HTTP\s+)?(?P<codes>{_SLIST})(?:\s+(?:errors?|responses?|status(?:es)?))?|"
    rf"\b(?P<subject>{_SLIST})(?:\s+(?:errors?|responses?))?\s+(?:are|is|get|gets|will\s+be)\s+(?:not|never)\s+"
    rf"retried",
    _I,
)
# a negation that holds only under a condition: "…, in which case we don't retry", "otherwise no retries"
_CONDITIONAL = re.compile(r"^\s*(?:and\s+)?(?:in\s+which\s+case|otherwise|else|if|when|unless|then)\b", _I)
# a negated bound is a maximum: "do not retry more than 2 times", "no more than 3 attempts"
_NEG_MORE = re.compile(
    rf"\b(?:(?:do|does|must|should|shall|will|may|can|wo)\s*n[o']?t\s+|cannot\s+|never\s+|not\s+)(?:be\s+)?"
    rf"retr(?:y|ied|ies)\s+(?:more\s+than|over|beyond)\s+(?:{_N}\s+times|(once|twice|thrice))|"
    rf"\b(?:no|not|never)\s+more\s+than\s+{_N}\s+(?:(retr(?:y|ies)|times)|(?:total\s+)?(?:attempts|tries))",
    _I,
)
# a lower bound is no maximum: "retries more than 3 times", "at least 2 retries"
_LOWER_BOUND = re.compile(
    rf"\b(?P<neg>(?:no|not|never)\s+(?:\w+\s+){{0,2}})?(?:more\s+than|at\s+least|over|beyond)\s+{_N}\b", _I
)


def _lower_bound(text: str) -> bool:
    """A lower bound is said ("retries more than 3 times"), not a negated one ("never spends more than 10
    seconds", "no more than 2 s": a maximum)."""
    return any(m.group("neg") is None for m in _LOWER_BOUND.finditer(text))


# what was done before is not the policy: "(we used to retry 3 times, removed in v2)"
_PAST = re.compile(
    r"\b(?:used\s+to|previously|formerly|in\s+the\s+past|historically|removed\s+in|until\s+(?:v|version\s*)\d|"
    r"before\s+(?:v|version\s*)\d|(?:was|were)\s+(?:retried|removed|dropped|replaced)|(?:we|it|they)\s+retried|"
    r"had\s+been|(?:it|that|this|they|there)\s+(?:was|were|used)|(?:was|were)\s+(?:\d|one|two|three|four|five))\b",
    _I,
)
_PAREN = re.compile(r"\([^()\n]{0,300}\)")
_SEGMENT = re.compile(r"\.(?!\S)|[;!?]")
_COMMA = re.compile(r",|\b(?:but|while|whereas)\b", _I)
# HTTP methods, written as methods (upper case); "writes" / "reads" name them by what they do
_METHOD = re.compile(
    r"\b(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE)(?:s|es)?\b|"
    r"\b((?i:writes?|write\s+requests|mutations?|reads|read\s+requests|read\s+calls))\b"
)
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_POLICY = re.compile(
    rf"{_DUR}|\b{_N}\s+(?:times|retr|attempts|tries)|\b(?:once|twice|thrice)\b|\bexponential|\blinear|"
    rf"\bretr(?:y|ies|ied)\b",
    _I,
)
_LOOSE_STATUS = re.compile(rf"\b{_S}", _I)
_ABOUT_RETRY = re.compile(
    r"\bretr|\battempt|\btries\b|\btimes\b|back[- ]?off|\bdelay|\bwait|\bpause|\bsleep|time[- ]?out|"
    r"\bdeadline|\bbudget|\bapart\b|\binterval|\bjitter|\bcircuit|\bstatus|\bcodes?\b|\bhttp\b|\bmax",
    _I,
)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.]*\d)")
_KILO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*k\s*(\S.*)$", _I)


_UNIT_MS = (
    ("micro", 0.001),
    ("milli", 1.0),
    ("ms", 1.0),
    ("sec", 1000.0),
    ("min", 60_000.0),
    ("h", 3_600_000.0),
)
_WORD_DUR_RE = re.compile(_WORD_DUR, _I)


def _words_ms(text: str) -> float | None:
    """A duration in words (:data:`_WORD_DUR`) in milliseconds: "half a second" is 500."""
    if not _WORD_DUR_RE.fullmatch(text.strip()):
        return None
    words = text.lower().replace("-", " ").split()
    unit = next(w for w in reversed(words) if re.fullmatch(_WUNIT, w))
    factor = next(f for prefix, f in _UNIT_MS if unit.startswith(prefix))
    if "couple" in words:
        amount = 2.0
    elif "quarter" in words or "quarters" in words:
        i = words.index("quarter" if "quarter" in words else "quarters")
        amount = 0.25 * (_NUMBER_WORDS.get(words[i - 1], 1) if i else 1)
    elif "half" in words and "and" not in words:
        amount = 0.5
    else:
        total = 0
        for w in words[: words.index(unit)]:
            if w in ("a", "an"):
                total = total or 1
            elif w == "hundred":
                total = (total or 1) * 100
            elif w in _NUMBER_WORDS:
                total += _NUMBER_WORDS[w]
        amount = (total or 1) + (0.5 if "half" in words else 0.0)
    return round(amount * factor, 6)


def parse_duration_ms(text: str) -> float | None:
    """:func:`wiremap.values.parse_duration_ms`, "1.5k ms" (a thousand of the unit) and a duration in
    words ("two seconds", "half a second", "a minute and a half")."""
    if m := _KILO.match(text):
        ms = _parse_duration_ms(f"{m.group(1)} {m.group(2)}")
        return None if ms is None else round(ms * 1000, 6)
    if text[:1].isalpha():
        return _words_ms(text)
    return _parse_duration_ms(text)


def _sentence_start(t: str, pos: int) -> int:
    return max((m.end() for m in _SEGMENT.finditer(t, 0, pos)), default=0)


def _methods(text: str) -> frozenset[str]:
    out: set[str] = set()
    for m in _METHOD.finditer(text):
        if m.group(1):
            out.add(m.group(1))
        else:
            out |= _READS if m.group(2).lower().startswith("read") else _WRITES
    return frozenset(out)


def _spans(pattern: re.Pattern[str], t: str, start: int, end: int) -> list[Span]:
    """``t[start:end]`` cut where ``pattern`` matches."""
    out, a = [], start
    for m in pattern.finditer(t, start, end):
        out.append((a, m.start()))
        a = m.end()
    out.append((a, end))
    return out


# retried, said without how often: "a couple of times", "a few retries", "several attempts"
_VAGUE_COUNT = re.compile(
    r"\b(?:a\s+couple\s+(?:of\s+)?|a\s+few\s+|several\s+|multiple\s+|a\s+number\s+of\s+|"
    r"some\s+|a\s+handful\s+of\s+|few\s+)(?:more\s+)?(?:times|retries|attempts|tries)\b",
    _I,
)
# a failure named in words: the subject or the object of "retried" ("Invalid responses are never retried",
# "we retry timeouts and connection errors")
_FAILURE_WORD = re.compile(
    r"time[- ]?outs?|timed[\s-]+out|deadline|connect|refus|reset|disconnect|invalid|malformed|garbage|"
    r"corrupt|unparsea?ble|bad\s+(?:response|payload|json|data|reply)|pars(?:e|ing)\s+errors?|decod|unavailable|"
    r"throttl|rate[- ]?limit|errors?\b|exceptions?\b|failures?\b",
    _I,
)
_ITEM_SPLIT = re.compile(r",|/|\band\b|\bor\b|\bnor\b|&", _I)
# where a failure phrase after "retry" ends: a count, a schedule, a condition
_OBJECT_END = re.compile(  # (a status is part of the object: "retry twice for 503 and timeouts": round 46)
    rf"(?!\b[1-5](?:\d\d|xx)s?\b)(?:\b(?:{_N}|once|twice|thrice|up\s+to|at\s+most|max(?:imum)?|with|using|every|after|before|until|"
    r"times|unless|except|but|if|when|on\s+(?:a|an|the)\b|by|in|within|for|apart|exponential|linear)\b|"
    r"(?<!\d)\d|[,.;:(])",
    _I,
)


_OBJECT = re.compile(r"\s*(?:on|for|of|when|after)?\s*(?:an?\s+|the\s+|any\s+)?([^.;:()]*)", _I)


# words a negation's subject may have and still be about every call ("We do not retry", "Requests are
# never retried", "The client itself does not retry")
_GENERIC_SUBJECT = frozenset(
    {
        "we",
        "i",
        "it",
        "they",
        "this",
        "that",
        "these",
        "those",
        "the",
        "a",
        "an",
        "our",
        "their",
        "its",
        "itself",
        "themselves",
        "all",
        "any",
        "every",
        "each",
        "request",
        "requests",
        "call",
        "calls",
        "client",
        "clients",
        "service",
        "services",
        "operation",
        "operations",
        "retry",
        "retries",
        "retrying",
        "nothing",
        "none",
        "everything",
        "message",
        "messages",
        "so",
        "and",
        "but",
        "also",
        "otherwise",
        "else",
        "then",
        "currently",
        "still",
        "here",
        "there",
        "at",
        "moment",
        "sdk",
        "library",
        "app",
        "application",
        "job",
        "jobs",
        "worker",
        "code",
        "integration",
        "are",
        "is",
        "was",
        "were",
        "be",
        "been",
        "being",
        "will",
        "would",
        "should",
        "must",
        "can",
        "may",
        "might",
        "do",
        "does",
        "did",
        "get",
        "gets",
        "got",
        "ever",
        "automatically",
    }
)


def _other_operation(subject: str) -> bool:
    """The negation's subject names an operation or a thing, not every call ("Publishing itself", "The
    outbox flush"): a word outside :data:`_GENERIC_SUBJECT` (methods are :meth:`_Reading._conditions`')."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", subject)}
    return bool(words - _GENERIC_SUBJECT) and not _METHOD.search(subject)


def _other_object(clause: str, negation: re.Match[str]) -> bool:
    """The negation's object names an operation or a thing, not every call: "No retries for publishes",
    "we don't retry the outbox flush" (failures and statuses are read before this is asked)."""
    obj = _OBJECT.match(clause, negation.end())
    if obj is None:
        return False
    end = _OBJECT_END.search(obj.group(1))
    return _other_operation(obj.group(1)[: end.start() if end else None])


def _counts_elsewhere(t: str, a: int, b: int) -> bool:
    """Outside ``t[a:b]`` the text gives a count of retries ("reconnect up to 5 times")."""
    rest = t[:a] + " " * (b - a) + t[b:]
    return any(p.search(rest) for p in (_RETRIES, _ATTEMPTS, _ONCE))


def _negated_failures(clause: str, negation: re.Match[str]) -> list[str]:
    """The failures a negated clause is about: its subject ("Invalid responses are never retried") or
    its object ("we don't retry on timeouts"); none when it is about every call ("No retries")."""
    if _SETTING.search(negation.group()) or _SETTING.search(clause):
        return []  # ``retries=0 timeout_ms=2000``: settings, each read by its key, about every call
    if kinds := _failure_kinds(clause[: negation.start()], other=True):
        return kinds
    obj = _OBJECT.match(clause, negation.end())
    return _failure_kinds(obj.group(1), other=True) if obj is not None else []


# a ``key=value`` or ``key: value`` setting (what the settings reader reads, not words about a failure)
_SETTING = re.compile(r"[\w-]\s*[=:]\s*[\w\"']")


# a failure of no known kind, named by what qualifies it: "validation errors", "business exceptions"
# (not "all errors", "any failure": those are every failure)
_QUALIFIED = re.compile(
    r"\b(?!(?:all|any|the|some|other|these|those|such|every|each|most|many|an?)\b)[a-z][\w-]+\s+"
    r"(?:errors?|exceptions?|failures?)\b",
    _I,
)


def _failure_kinds(phrase: str, *, other: bool = False) -> list[str]:
    """The failure kinds a phrase names, item by item ("timeouts and connection errors" -> timeout,
    connection_refused, connection_lost); an item naming no failure ("requests", "it") names none, and
    a failure of no known kind ("validation errors") is ``other`` when ``other`` is asked for."""
    out: list[str] = []
    for item in _ITEM_SPLIT.split(phrase):
        item = item.strip()
        if not item or _FAILURE_WORD.search(item) is None:
            continue
        kind, statuses = failure_kind(item)
        if kind == "other" and not statuses:
            if other and _QUALIFIED.search(item):
                out.append("other")
            continue
        out.append(kind)
        if kind == "connection_refused" and re.search(
            r"connection\s+(?:error|failure|issue|problem)", item, _I
        ):
            out.append("connection_lost")  # "connection errors": refused and lost alike
    return list(dict.fromkeys(out))


class _Reading:
    """One line being read: what it says is understood clause by clause before its fields are read; a
    clause understood as not the policy (the past, an excluded status, another method's rule) is blanked,
    one the model cannot hold is listed as unread and blanked: nothing in either is read as the policy.
    Blanked, not cut, so the offsets of what remains stay as they were."""

    def __init__(self, d: Draft, t: str, line: int, method: str | None) -> None:
        self.d, self.t, self.line, self.method = d, t, line, method
        self.excluded: list[int] = []  # where statuses were taken out of what is retried

    def blank(self, a: int, b: int) -> None:
        self.t = self.t[:a] + " " * (b - a) + self.t[b:]

    def take_out(self, m: re.Match[str], codes: str) -> None:
        """Statuses ``codes`` (said by ``m``) taken out of what is retried: kept, not only blanked ("5xx
        except 501" retried a 501 for faults: round 30)."""
        self.excluded.append(m.start())
        self.d.add("not_retried_status", _STATUS.findall(codes), self.line)
        self.blank(*m.span())

    def unread(self, a: int, b: int) -> None:
        if text := " ".join(self.t[a:b].split()).strip(" ,"):
            self.d.unread(text, self.line)
        self.blank(a, b)

    def understand(self) -> str:
        for m in _PAREN.finditer(self.t):  # "(we used to retry 3 times)"
            if _PAST.search(m.group()):
                self.blank(*m.span())
        for m in _EXCLUDE.finditer(self.t):  # "(not on 500)": the rest says what is retried
            before = self.t[_sentence_start(self.t, m.start()) : m.start()]
            if m.group("but") and (neg := _NONE.search(before)):  # "no retries except on 503": on 503
                start = m.start() - len(before)
                # "we do not retry 4xx responses, except 429": the 4xx go with the negation (only 429 is)
                negated = _LOOSE_STATUS.search(before, neg.end()) is not None
                self.blank(start + neg.start(), m.start("but") if negated else start + neg.end())
                self.blank(m.start("but"), m.end("but"))
                self.t = self.t[: m.start("but")] + "on" + self.t[m.start("but") + 2 :]
            elif m.group("but") and _NEGATED_AFTER.search(self.t, m.end(), _sentence_end(self.t, m.end())):
                # "4xx other than 429 are never retried": 429 is the exception to the negation, not a
                # status taken out of what is retried (faults called a client retrying 429 wrong: round 44)
                self.blank(*m.span())
            else:
                self.take_out(m, m.group())
        for m in _EXCLUDE_FAILURE.finditer(self.t):
            what = m.group("what")
            if (
                _LOOSE_STATUS.search(what) is None
                and (kinds := _failure_kinds(what))
                and _counts_elsewhere(self.t, *m.span())
            ):
                self.d.add("not_retried_failures", kinds, self.line)
                self.blank(*m.span())
        for m in _NOT_RETRIED.finditer(self.t):
            # "2 retries, 1s apart. We do not retry 404s.": one status taken out of a policy said elsewhere
            # (the sentence was "no retry" for every call: round 33); alone, it stays the whole policy
            if _counts_elsewhere(self.t, *m.span()):
                self.take_out(m, m.group("codes") or m.group("subject"))
        for m in _NEG_MORE.finditer(self.t):  # "do not retry more than 2 times": at most 2 retries
            n = _n(m.group(1) or m.group(2) or m.group(3) or "")
            if m.group(3) and not m.group(4):  # "no more than 3 attempts"
                self.d.attempts(n, self.line)
            else:
                self.d.retries(n, self.line)
            self.blank(*m.span())
        for a, b in _spans(_SEGMENT, self.t, 0, len(self.t)):
            if _PAST.search(self.t[a:b]):
                self.blank(a, b)
                continue
            self._conditions(a, b)
        return self.t

    def _conditions(self, a: int, b: int) -> None:
        """Per-status and per-method conditions of one sentence. A method's rule runs from the clause
        naming it to the next clause naming one ("No retries for POST, GETs 3 times, 200 ms apart")."""
        clauses = _spans(_COMMA, self.t, a, b)
        for ca, cb in clauses:  # "No retry on 4xx" / "4xx is not retried": an exclusion, not the policy
            bare = _PAREN.sub(lambda m: " " * len(m.group()), self.t[ca:cb])
            if (
                (m := _NONE.search(bare))
                and (
                    _LOOSE_STATUS.search(
                        self.t[ca : ca + m.start()]
                    )  # "Client errors (4xx) are never retried"
                    or re.match(
                        rf"\s*(?:on|for|of|with|when|if)?\s*(?:an?\s+|the\s+)?(?:HTTP\s+)?{_S}",
                        bare[m.end() :],
                        _I,
                    )
                )
            ):
                self.blank(ca, cb)
            elif m and (kinds := _negated_failures(bare, m)):
                # "Invalid responses are never retried", "we don't retry on timeouts": one failure's rule
                self.d.add("not_retried_failures", kinds, self.line)
                self.blank(ca, cb)
            elif (
                m
                and (_other_operation(bare[: m.start()]) or _other_object(bare, m))
                and _counts_elsewhere(self.t, a, b)
            ):
                # "We reconnect up to 5 times. Publishing itself is not retried": a rule for one operation
                # beside the policy, which the model cannot hold: listed, not read as the policy
                self.unread(ca, cb)
            elif m and _CONDITIONAL.match(bare):  # "…, in which case we don't retry": not the policy
                if any(a <= x < b for x in self.excluded) or _LOOSE_STATUS.search(self.t[a:b]):
                    self.blank(ca, cb)
                else:
                    self.unread(ca, cb)
        scopes: list[tuple[int, int, frozenset[str]]] = []
        for ca, cb in clauses:
            named = _methods(self.t[ca:cb])
            if named or not scopes:
                scopes.append((ca, cb, named))
            else:
                scopes[-1] = (scopes[-1][0], cb, scopes[-1][2])
        for sa, sb, named in scopes:
            text = self.t[sa:sb]
            if not named or not _POLICY.search(text):
                if not _NONE.search(text) and _lower_bound(text) and _RETRY_WORD.search(text):
                    self.unread(sa, sb)  # "retry more than 3 times": no maximum the model can hold
                continue
            if self.method is not None:
                if self.method.upper() not in named:
                    self.blank(sa, sb)  # another method's rule
            elif _NONE.search(text) or _EXCLUDED_SUBJECT.search(text):
                self.blank(sa, sb)  # "writes are not retried": what is retried excludes them
            else:
                self.unread(sa, sb)  # "GETs are retried 3 times": for which method is not known


_KV = re.compile(
    r"(?<![\w.-])(?P<key>[A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)+|[A-Za-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+|"
    r"[A-Za-z]+)\s*[=:]\s*(?P<value>\d{1,9}(?:\.\d{1,6})?)(?![\d.])"
    r"(?:\s*(?P<unit>ns|µs|μs|us|ms|s|secs?|seconds?|mins?|minutes?|h)\b)?"
)
_KEY_UNITS = {
    "ms": 1.0,
    "msec": 1.0,
    "millis": 1.0,
    "milliseconds": 1.0,
    "s": 1000.0,
    "sec": 1000.0,
    "secs": 1000.0,
    "seconds": 1000.0,
    "us": 0.001,
    "micros": 0.001,
    "min": 60_000.0,
    "mins": 60_000.0,
    "minutes": 60_000.0,
}


def _kv_field(words: list[str]) -> str | None:
    """The field a setting's key names (its words, unit suffix removed), or ``None``."""
    w = set(words)
    if w & {"timeout", "deadline", "budget"}:
        if "connect" in w or "connection" in w:
            return "connect_timeout_ms"
        if "read" in w:
            return "read_timeout_ms"
        if w & {"deadline", "budget", "total", "overall"}:
            return "deadline_ms"
        return "timeout_ms"
    if w & {"backoff", "delay", "interval", "wait", "sleep", "pause"}:
        if w & {"multiplier", "factor"}:
            return "backoff.multiplier"
        return "backoff.max_ms" if w & {"max", "cap", "maximum"} else "backoff.initial_ms"
    if w & {"multiplier", "factor"}:
        return "backoff.multiplier"
    if w & {"retries", "retry"}:
        return "retries"
    if w & {"attempts", "tries"}:
        return "attempts"
    return None


def _settings(d: Draft, t: str, line: int, used: list[Span]) -> None:
    """``retries=3 backoff_ms=100 timeout_ms=1500``: keys in snake, camel or kebab case, the unit a suffix
    of the key (``_ms``, ``Ms``, ``Seconds``) or of the value. A duration without a unit is not guessed."""
    for m in _KV.finditer(t):
        if _overlaps(m.span("value"), used):
            continue
        words = [x.lower() for x in re.split(r"[_-]|(?<=[a-z0-9])(?=[A-Z])", m.group("key")) if x]
        factor = None
        if len(words) > 1 and words[-1] in _KEY_UNITS:
            factor = _KEY_UNITS[words.pop()]
        if (field := _kv_field(words)) is None:
            if factor is not None or m.group("unit"):
                d.unread(_sentence(t, m.start(), m.end()), line)
                used.append(m.span())
            continue
        used.append(m.span())
        value = float(m.group("value"))
        if field in ("retries", "attempts", "backoff.multiplier"):
            if factor is not None or m.group("unit"):
                d.unread(_sentence(t, m.start(), m.end()), line)
            elif field == "retries":
                d.retries(value, line)
            elif field == "attempts":
                d.attempts(value, line)
            else:
                d.set(field, value, line)
            continue
        if m.group("unit"):
            ms = parse_duration_ms(f"{m.group('value')} {m.group('unit')}")
            factor = None if ms is None else 1.0
            value = ms or 0.0
        if factor is None:
            d.unread(_sentence(t, m.start(), m.end()), line)
        else:
            d.set(field, round(value * factor, 6), line)


# a count of retries and what it is for: "2 times on timeouts", "twice for connection errors"
_AFTER_COUNT = re.compile(  # ("Retries: 3 on 503 or timeout": round 46)
    rf"\b(?:{_N}\s+(?:times|retries|attempts)|once|twice|thrice|retr(?:y|ies)\s*[:=]\s*{_N})\s+"
    r"(?:on|for|when|after|in\s+case\s+of)\s+"
    r"(?:an?\s+|the\s+|any\s+)?",
    _I,
)
# what alone is retried: "(timeouts and connection errors only, never on 500)", "only on timeouts"
_ONLY = re.compile(
    r"(?:^|[(,;:/]|\b(?:retr(?:y|ies)|retried)\b)\s*(?:on\s+|for\s+)?([^(),;:.]{3,80}?)\s+only\b|"
    r"\bonly\s+(?:on\s+|for\s+|when\s+)?((?:(?!\b(?:but|except|unless|never|not)\b)[^(),;:.]){3,80})",
    _I,
)


_LEADING_ON = re.compile(
    r"(?:^|[.;]\s*)(?:on|for|after|upon|in\s+case\s+of)\s+([^,.;]{3,80}?)\s*,?\s+(?=we\b|the\s+client\b|it\b|retr|make\b|try\b)",
    _I,
)


def _sentence_end(t: str, at: int) -> int:
    m = re.compile(r"[.;](?:\s|$)").search(t, at)
    return m.start() if m else len(t)


def _retried_failures(d: Draft, t: str, line: int) -> None:
    """The failures the line says are retried: the object of "retry" ("we retry timeouts and connection
    errors 3 times") or the subject of "are retried" ("Timeouts and 503s are retried twice")."""
    for m in re.finditer(r"\bretr(?:y|ies)\s+(?:on\s+|for\s+)?(?:an?\s+|the\s+|any\s+)?", t, _I):
        end = _OBJECT_END.search(t, m.end())
        if kinds := _failure_kinds(t[m.end() : end.start() if end else len(t)]):
            d.add("retry_on_failures", kinds, line)
    for m in _AFTER_COUNT.finditer(t):  # "we retry 2 times on timeouts", "retried twice for refusals"
        end = _OBJECT_END.search(t, m.end())
        if kinds := _failure_kinds(t[m.end() : end.start() if end else len(t)]):
            d.add("retry_on_failures", kinds, line)
    for m in _ONLY.finditer(t):  # "(timeouts and connection errors only)", "only on timeouts"
        if kinds := _failure_kinds(m.group(1) or m.group(2)):
            d.add("retry_on_failures", kinds, line)
    # the failures first, then what is done: "On connection errors and timeouts we make up to 3 attempts",
    # "For 503s, retry twice" (they were dropped with nothing said unread: new user, round 43)
    for m in _LEADING_ON.finditer(t):
        if _RETRY_WORD.search(t, m.end(), _sentence_end(t, m.end())) and (
            kinds := _failure_kinds(m.group(1))
        ):
            d.add("retry_on_failures", kinds, line)
    for m in re.finditer(r"\b(?:is|are|get|gets|will\s+be|get\s+)\s*retried\b", t, _I):
        start = _sentence_start(t, m.start())
        clause_start = max([start, *(c.end() for c in _COMMA.finditer(t, start, m.start()))])
        if kinds := _failure_kinds(t[clause_start : m.start()]):
            d.add("retry_on_failures", kinds, line)


# "OkHttp timeouts: connect 500 ms, read 2 s": each kind named before its duration, the word said once
_TIMEOUT_LIST = re.compile(
    rf"\btime[- ]?outs?\s*[:=—–-]?\s*((?:connect(?:ion)?|read|write|call|request)\s+{_DUR}"
    rf"(?:\s*(?:,|/|;|\band\b)\s*(?:connect(?:ion)?|read|write|call|request)\s+{_DUR})+)",
    _I,
)
_TIMEOUT_ITEM = re.compile(r"\b(connect(?:ion)?|read|write|call|request)(\s+)", _I)


def _timeout_list(t: str) -> str:
    """ "timeouts: connect 500 ms, read 2 s" as "timeouts: connect timeout 500 ms, read timeout 2 s"."""
    return _TIMEOUT_LIST.sub(
        lambda m: m.group(0)[: m.start(1) - m.start(0)] + _TIMEOUT_ITEM.sub(r"\1 timeout\2", m.group(1)), t
    )


# a count said as what usually happens is no count: "we usually do 2 retries" (round 30: read as a firm 3
# attempts, and faults would hold a client to it)
_HEDGE = re.compile(
    r"\b(?:usually|typically|normally|generally|mostly|often|sometimes|occasionally)\b"
    r"[^.;:]{0,40}?\b(?:\d+|once|twice|thrice|two|three|four|five|six)\b",  # the count in its clause
    _I,
)


def _line(d: Draft, t: str, line: int, method: str | None = None, *, labelled: bool = False) -> None:
    counted = "max_attempts" in d.values
    _read_line(d, t, line, method, labelled=labelled)
    hedged = _HEDGE.search(t) and _RETRY_WORD.search(t) and not _NONE.search(t)
    if not counted and d.values.get("max_attempts", 1) > 1 and hedged:
        del d.values["max_attempts"]
        d.lines.pop("max_attempts", None)
        d.set("retried", True, line)
        d.unread(f"{t.strip()} (a usual count, not a rule: how many times is not said)", line)


def _read_line(d: Draft, t: str, line: int, method: str | None = None, *, labelled: bool = False) -> None:
    used: list[Span] = []  # what was read (durations, counts, statuses), so the rest is known unread
    t = _timeout_list(t)
    says_retry = labelled or re.search(r"\bretr", t, _I) is not None
    t = _Reading(d, t, line, method).understand()
    if m := _NONE.search(t):
        used.append(m.span())
        d.retries(0, line)
        d.set("backoff.kind", "none", line)
        if (m := _NONE_BECAUSE.search(t)) and (said := _FALLBACK_SAID.search(m.group(1))):
            # the fallback is the clause saying it, to the sentence's end: "No retries; timeout 1 s, we
            # fall back to the default rate" leaves "timeout 1 s" to be read
            clause = max((c.end() for c in re.finditer(r"[;,]", m.group(1)[: said.start()])), default=0)
            start = m.start(1) + clause
            d.set("fallback", t[start : m.end(1)].strip(" ,;").rstrip(".") or None, line)
            used.append((start, m.end(1)))
    # an attempts count is unambiguous and read first: "retry up to 3 times total (3 attempts)" is 3
    # attempts ("retry N times" alone is N retries)
    if (m := _ATTEMPTS.search(t)) and (g := _first(m)) is not None:
        used.append(m.span())
        d.attempts(_n(g), line)
    if (m := _RETRIES.search(t)) and (g := _first(m)) is not None:
        used.append(m.span())
        d.retries(_n(g), line)
        if re.match(r"re-?connect", m.group(0), _I):  # a reconnect retries a lost or refused connection
            d.add("retry_on_failures", ["connection_lost", "connection_refused"], line)
        if _RETRIED_CONNECT.search(t):  # what is run again is the connect, not the call (ERR005 reads it)
            d.add("retried_calls", ["connect"], line)
    if m := _ONCE.search(t):
        used.append(m.span(1))
        d.retries(_WORDS[m.group(1).lower()], line)
    if (
        (m := _CALLED.search(t))
        and not _RETRY_WORD.search(t[m.start() : m.end()])
        and not _overlaps(m.span(), used)
    ):
        used.append(m.span())
        d.attempts(_n(m.group(2)) if m.group(2) else _WORDS[m.group(1).lower()], line)
    if says_retry and "max_attempts" not in d.values and not _NONE.search(t):
        # a count with no retry word beside it, in a line about retrying: "GETs twice" (the method's rule)
        for m in _BARE_COUNT.finditer(t):
            if not _overlaps(m.span(), used) and not _lower_bound(t[max(0, m.start() - 12) : m.end()]):
                used.append(m.span())
                d.retries(_n(m.group(1) or m.group(2)), line)
                break
    if not _NONE.search(t):
        _retried_failures(d, t, line)
        if _FOREVER.search(t) and _RETRY_WORD.search(t) and not _NONE.search(t):
            d.set("retried", True, line)  # no end to it: how many times is no number
        if (m := _VAGUE_COUNT.search(t)) and (labelled or _RETRY_WORD.search(t)):
            d.set("retried", True, line)  # how often is not said: max_attempts stays unknown
            d.unread(f"{_sentence(t, m.start(), m.end())} (how many times is not said)", line)
    if _IMMEDIATE.search(t) and not _NONE.search(t):  # "we retry once, immediately": no pause
        d.set("backoff.kind", "none", line)
    if _CONSTANT.search(t) and not _NONE.search(t):  # "constant 200 ms backoff", "a fixed 1 s delay"
        d.set("backoff.kind", "constant", line)
    if _EXPO.search(t):
        d.set("backoff.kind", "exponential", line)
        if re.search(r"doubl", t, _I):
            d.set("backoff.multiplier", 2.0, line)
        elif re.search(r"\btripl", t, _I):
            d.set("backoff.multiplier", 3.0, line)
    elif _LINEAR.search(t):
        d.set("backoff.kind", "linear", line)
    for kind, g in _limits(t, used):
        d.set(_LIMIT_FIELD[kind], parse_duration_ms(g), line)
    if m := _BREAKER.search(t):
        if (after := _BREAKER_AFTER.search(m.group(1))) and (g := _first(after)) is not None:
            used.append((m.start(1) + after.start(), m.start(1) + after.end()))
            d.set("breaker.failure_threshold", _n(g), line)
        else:  # the count first: "After 5 consecutive failures the circuit breaker opens" (round 34)
            start = _sentence_start(t, m.start())
            before = _BREAKER_AFTER.search(t, start, m.start())
            if before is not None and (g := _first(before)) is not None:
                used.append(before.span())
                d.set("breaker.failure_threshold", _n(g), line)
        if (g := _take(_BREAKER_OPEN, t, used, m.start(1), m.end(1))) is not None:
            d.set("breaker.cool_down_ms", parse_duration_ms(g), line)
    if g := _take(_START, t, used):
        d.set("backoff.initial_ms", parse_duration_ms(g), line)
    pauses = _pause_list(t, d.values.get("backoff.kind"))
    if pauses is not None and (cap := _start_to_cap(t, pauses, d.values.get("max_attempts"))) is not None:
        used.append(pauses[3])  # "3 retries (exp. backoff 0.1s → 0.4s)": from 0.1 s up to 0.4 s
        d.set("backoff.initial_ms", pauses[1], line)
        d.set("backoff.max_ms", cap, line)
    elif pauses is not None:
        kind, first, factor, span = pauses  # "pauses 0.2s and 0.4s", "waiting 200ms then 400ms"
        used.append(span)
        if d.listed_pauses is None and not _ARROW_PAIR.match(t[span[0] : span[1]]):  # (0.1s → 0.4s: a range)
            d.listed_pauses = (len(list(_ONE_DUR.finditer(t[span[0] : span[1]]))), line)
        d.set("backoff.kind", kind, line)
        d.set("backoff.initial_ms", first, line)
        if kind == "exponential":
            d.set("backoff.multiplier", factor, line)
        elif kind == "linear":
            d.set("backoff.increment_ms", factor, line)
    elif (g := _take(_APART, t, used)) and not _THEN_MORE.match(t, used[-1][1]):
        d.set("backoff.kind", "constant", line)
        d.set("backoff.initial_ms", parse_duration_ms(g), line)
    elif g:  # "waiting one second, then two, then four seconds": a schedule not read, no constant pause
        used.pop()
    if "backoff.initial_ms" not in d.values and (g := _take(_FIXED_PAUSE, t, used)) and not _NONE.search(t):
        d.set("backoff.kind", "constant", line)
        d.set("backoff.initial_ms", parse_duration_ms(g), line)
    if g := _take(_CAP, t, used):
        d.set("backoff.max_ms", parse_duration_ms(g), line)
    if (m := _MULT.search(t)) and (g := _first(m)):
        used.append(m.span())
        d.set("backoff.multiplier", float(g), line)
    if _NO_JITTER.search(t):  # "no jitter", "without jitter", "jitter: none"
        d.set("backoff.jitter", "none", line)
    elif m := _JITTER.search(t):
        d.set("backoff.jitter", (m.group(1) or "yes").lower(), line)
    if m := _FALLBACK.search(t):
        d.set("fallback", m.group(1).strip() or None, line)
        used.append(m.span(1))
    elif "fallback" not in d.values and (m := _FALLBACK_SAID.search(t)):  # "then serve the cached price"
        end = _STOP.search(t, m.end())
        d.set("fallback", t[m.start() : end.start() if end else len(t)].strip() or None, line)
    if says_retry and not _NONE.search(t):  # "No retries (4xx and 5xx go to the caller)": none retried
        for m in _STATUS_SAID.finditer(t):
            used.append(m.span())
            d.add("retry_on_status", status_codes(_STATUS.findall(m.group(0))), line)
        d.add("retry_on_grpc_codes", grpc_codes(re.findall(r"\b[A-Z][A-Z_]{4,}\b", t)), line)
    _settings(d, t, line, used)
    # a number nothing above read (a duration in a unit not known, a count not understood) is not dropped
    listed: list[Span] = []  # the sentences listed: one entry each, however many numbers they hold
    # (a time unit nothing read, "a few seconds apart", is a duration not understood)
    for m in itertools.chain(
        _ANY_DUR.finditer(t), _UNIT_WORD.finditer(t), _NUMBER.finditer(t), _BARE_COUNT.finditer(t)
    ):
        if len(d.unread_text) >= 20:
            break
        if _overlaps(m.span(), used) or _overlaps(m.span(), listed):
            continue
        sentence = _sentence(t, m.start(), m.end())
        if m.re is not _NUMBER or _ABOUT_RETRY.search(sentence):  # "see RFC 7231" says nothing of retries
            d.unread(sentence, line)
            begin = max((x.end() for x in _STOP.finditer(t, max(0, m.start() - 200), m.start())), default=0)
            stop = _STOP.search(t, m.end(), m.end() + 200)
            listed.append((begin, stop.start() if stop else min(len(t), m.end() + 200)))
