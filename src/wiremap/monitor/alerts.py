"""Webhook alerts on status changes: retried with backoff, failures logged, never fatal.

A state change to down (after N consecutive failures) or back up (after M successes) is POSTed as JSON
to every configured webhook URL. Deliveries run in the background; a receiver that is down or slow
delays nothing but its own later deliveries.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from ..model import Integration
from ..secrets import mask_text
from .model import CheckResult, Status, Transition

__all__ = ["Alerter", "payload"]

log = logging.getLogger("wiremap.alerts")

ALERTED = frozenset({Status.DOWN, Status.UP})


def payload(transition: Transition, integration: Integration, last: CheckResult | None) -> dict[str, Any]:
    """The JSON body of an alert (documented in docs/commands/serve.md)."""
    return {
        "event": "integration.status_changed",
        "integration": integration.id,
        "name": integration.name,
        "source": integration.source,
        "destination": integration.destination,
        "protocol": integration.protocol,
        "critical_path": integration.critical_path,
        "old_status": transition.old.value,
        "new_status": transition.new.value,
        "reason": mask_text(transition.reason),
        "ts": transition.ts,
        "error_kind": last.error_kind if last is not None and not last.ok else None,
        "error": mask_text(last.message) if last is not None and not last.ok else None,
        "doc": integration.path,
        "maintained_by": integration.maintained_by,
    }


class Alerter:
    """Queues alerts and delivers them in the background."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        attempts: int = 5,
        backoff_s: float = 1.0,
        timeout_s: float = 5.0,
    ) -> None:
        self.urls = list(urls)
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self.delivered = 0
        self.failed = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def notify(self, transition: Transition, integration: Integration, last: CheckResult | None) -> None:
        """Send an alert for a change to down or up (degraded changes are shown, not alerted)."""
        if not self.urls or transition.new not in ALERTED:
            return
        if transition.old is Status.UNKNOWN and transition.new is Status.UP:
            return  # the first probe of a healthy integration is not news
        body = json.dumps(payload(transition, integration, last)).encode()
        for url in self.urls:
            task = asyncio.create_task(self._deliver(url, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, url: str, body: bytes) -> None:
        delay = self.backoff_s
        for attempt in range(1, self.attempts + 1):
            try:
                await asyncio.to_thread(self._post, url, body)
                self.delivered += 1
                return
            except (OSError, ValueError, urllib.error.URLError) as exc:
                log.warning(
                    "alert to %s failed (attempt %d/%d): %s", mask_text(url), attempt, self.attempts, exc
                )
            if attempt < self.attempts:
                await asyncio.sleep(delay)
                delay *= 2
        self.failed += 1
        log.error("alert to %s dropped after %d attempts", mask_text(url), self.attempts)

    def _post(self, url: str, body: bytes) -> None:
        req = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
            if resp.status >= 300:
                raise OSError(f"HTTP {resp.status}")

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Wait a little for deliveries in flight (on shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
