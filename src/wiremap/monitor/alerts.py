"""Webhook alerts on status changes and doc events: retried with backoff, failures logged, never fatal.

A state change to down (after N consecutive failures) or back up (after M successes) is POSTed as JSON
to every configured webhook URL. Deliveries run in the background; a receiver that is down or slow
delays nothing but its own later deliveries.

Credentials in a webhook URL (``https://user:pw@host/…``) are sent as a Basic ``Authorization`` header,
never as part of the URL. Redirects are not followed: a 3xx is a failed delivery (retried like any
other). Logs show a webhook as scheme and host only (:func:`mask_webhook`).

Doc events (:func:`doc_event`) go to the same webhooks: a doc that broke while serve ran
(``integration.doc_broken``, with the finding; its last good version stays monitored), was fixed
(``integration.doc_fixed``) or was removed (``integration.removed``).
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from ..model import Integration
from ..secrets import mask_json, mask_text
from .model import CheckResult, Status, Transition

__all__ = [
    "DOC_BROKEN",
    "DOC_FIXED",
    "REMOVED",
    "Alerter",
    "Webhook",
    "doc_event",
    "mask_webhook",
    "payload",
    "webhook",
]

log = logging.getLogger("wiremap.alerts")


def payload(transition: Transition, integration: Integration, last: CheckResult | None) -> dict[str, Any]:
    """The JSON body of an alert (documented in docs/commands/serve.md), every string masked: an alert's
    door (:func:`~wiremap.secrets.mask_json`; the doc's Purpose, owner and the probe's error can all quote
    a secret)."""
    body: dict[str, Any] = mask_json(
        {
            "event": "integration.status_changed",
            "integration": integration.id,
            "name": integration.name,
            "source": integration.source,
            "destination": integration.destination,
            "protocol": integration.protocol,
            "critical_path": integration.critical_path,
            "old_status": transition.old.value,
            "new_status": transition.new.value,
            "reason": transition.reason,
            "ts": transition.ts,
            "error_kind": last.error_kind if last is not None and not last.ok else None,
            "error": last.message if last is not None and not last.ok else None,
            "doc": integration.path,
            "maintained_by": integration.maintained_by,
        }
    )
    return body


DOC_BROKEN = "integration.doc_broken"
DOC_FIXED = "integration.doc_fixed"
REMOVED = "integration.removed"


def doc_event(
    event: str, integration: Integration, ts: float, finding: str = "", status: Status | None = None
) -> dict[str, Any]:
    """The JSON body of a doc event (docs/commands/serve.md): its doc broke (``finding`` says how; the last
    good version stays monitored), was fixed, or was removed (the integration is no longer monitored)."""
    body: dict[str, Any] = mask_json(
        {
            "event": event,
            "integration": integration.id,
            "name": integration.name,
            "source": integration.source,
            "destination": integration.destination,
            "protocol": integration.protocol,
            "critical_path": integration.critical_path,
            "status": status.value if status is not None else None,
            "finding": finding or None,
            "ts": ts,
            "doc": integration.path,
            "maintained_by": integration.maintained_by,
        }
    )
    return body


def mask_webhook(url: str) -> str:
    """A webhook URL as logs show it: scheme and host only. The credentials are dropped, and the path
    and query hidden (``/…``): webhook paths often are the secret (Slack's ``/services/T…/B…/…``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "(a malformed URL)"
    host = parts.netloc.rpartition("@")[2]
    if not parts.scheme or not host:
        return "(a URL without a host)"
    hidden = parts.path not in ("", "/") or parts.query or parts.fragment
    return mask_text(f"{parts.scheme}://{host}/{'…' if hidden else ''}")


@dataclass(frozen=True)
class Webhook:
    """A webhook ready to POST to: ``url`` without credentials, the Basic ``Authorization`` header made
    of the URL's ``user:password@`` (None without), and ``shown`` (:func:`mask_webhook`) for logs."""

    url: str
    authorization: str | None
    shown: str


def webhook(url: str) -> Webhook:
    """Check and split a webhook URL: http or https, a host, a port from 1 to 65535 if any. Raises
    ValueError with a message that never shows the URL's credentials, path or query."""
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ValueError("has spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("cannot be parsed (a bad port or IPv6 address)") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("must be an http or https URL")
    if not parts.hostname:
        raise ValueError("has no host")
    if port == 0:
        raise ValueError("has port 0")
    userinfo, at, host = parts.netloc.rpartition("@")
    authorization = None
    if at:
        user, _, password = userinfo.partition(":")
        credentials = f"{unquote(user)}:{unquote(password)}".encode()
        authorization = "Basic " + base64.b64encode(credentials).decode("ascii")
    clean = urlunsplit((parts.scheme.lower(), host, parts.path, parts.query, ""))
    return Webhook(clean, authorization, mask_webhook(url))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is a failed delivery: following it could send the alert (and its Authorization) elsewhere."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


def _failure(exc: BaseException, hook: Webhook) -> str:
    """Why a delivery failed, for the log: never the URL's credentials, path or query."""
    if isinstance(exc, urllib.error.HTTPError):
        redirect = 300 <= exc.code < 400
        return f"HTTP {exc.code}" + (" (a redirect: not followed)" if redirect else "")
    text = str(exc.reason) if isinstance(exc, urllib.error.URLError) else str(exc) or type(exc).__name__
    parts = urlsplit(hook.url)
    for secret in (parts.path + ("?" + parts.query if parts.query else ""), parts.query):
        if len(secret) > 1:
            text = text.replace(secret, "/…")
    return mask_text(text)


class Alerter:
    """Queues alerts and delivers them in the background. ``urls``: checked by :func:`webhook`."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        attempts: int = 5,
        backoff_s: float = 1.0,
        timeout_s: float = 5.0,
        on_outcome: Callable[[str], None] | None = None,
    ) -> None:
        """``on_outcome``: told of each delivery's end, ``delivered`` or ``dropped`` (the metrics count
        them: ``wiremap_alerts_total`` had no sample at all, and a rule on drops could never fire)."""
        self.hooks = [webhook(url) for url in urls]
        self.on_outcome = on_outcome
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self.delivered = 0
        self.failed = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._opener = urllib.request.build_opener(_NoRedirect)

    def notify(self, transition: Transition, integration: Integration, last: CheckResult | None) -> None:
        """Send an alert for a change to down, and for a recovery from down, to up or to degraded (the
        receivers were told it is down: it answers again, and they heard nothing of it when it came back
        slow); other changes are shown, not alerted."""
        down = transition.new is Status.DOWN
        recovered = transition.old is Status.DOWN and transition.new in (Status.UP, Status.DEGRADED)
        if not self.hooks or not (down or recovered):
            return  # a first up, degraded and back, skipped: shown on the dashboard, not news to page on
        self.send(payload(transition, integration, last))

    def send(self, body_: dict[str, Any]) -> None:
        """Deliver one JSON body (already masked) to every webhook, in the background."""
        if not self.hooks:
            return
        body = json.dumps(body_).encode()
        for hook in self.hooks:
            task = asyncio.create_task(self._deliver(hook, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, hook: Webhook, body: bytes) -> None:
        delay = self.backoff_s
        for attempt in range(1, self.attempts + 1):
            try:
                await asyncio.to_thread(self._post, hook, body)
                self.delivered += 1
                self._outcome("delivered")
                return
            except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError is an OSError
                log.warning(
                    "alert to %s failed (attempt %d/%d): %s",
                    hook.shown,
                    attempt,
                    self.attempts,
                    _failure(exc, hook),
                )
            if attempt < self.attempts:
                await asyncio.sleep(delay)
                delay *= 2
        self.failed += 1
        self._outcome("dropped")
        log.error("alert to %s dropped after %d attempts", hook.shown, self.attempts)

    def _outcome(self, outcome: str) -> None:
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    def _post(self, hook: Webhook, body: bytes) -> None:
        headers = {"Content-Type": "application/json"}
        if hook.authorization is not None:
            headers["Authorization"] = hook.authorization
        req = urllib.request.Request(hook.url, data=body, method="POST", headers=headers)
        try:
            with self._opener.open(req, timeout=self.timeout_s) as resp:
                if resp.status >= 300:
                    raise OSError(f"HTTP {resp.status}")
        except urllib.error.HTTPError as exc:
            exc.close()
            raise

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Wait a little for deliveries in flight (on shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
