"""``wiremap serve`` overloaded: 50 docs at a tarpit (accepts, never answers) and 5 healthy ones, one
second apart, four slots. The healthy ones are probed on time, the tarpit's rounds are skipped and counted,
memory stays flat, and SIGTERM ends the process within the probe timeout + 2 s."""

from __future__ import annotations

import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.monitor._serve import Tarpit, doc_id, get_json, rss_kb, write_docs
from tests.web._live import Destination, Serve, wait_until

TIMEOUT_S = 5.0  # the default probe timeout


def test_a_tarpit_starves_nobody_memory_stays_flat_and_sigterm_is_prompt(tmp_path: Path) -> None:
    tarpit, healthy = Tarpit(), Destination()
    docs = tmp_path / "docs"
    write_docs(docs, [f"t{i:02d}" for i in range(50)], tarpit.port)
    write_docs(docs, [f"h{i}" for i in range(5)], healthy.port)
    args = [str(docs), "--interval", "1s", "--concurrency", "4", "--port", "0", "--no-watch"]
    args += ["--store", f"sqlite:///{tmp_path / 'history.db'}"]
    serve = Serve(args, cwd=tmp_path)
    try:
        url = serve.start()
        pid = serve.proc.pid
        wait_until("the healthy ones up", lambda: get_json(f"{url}/api/integrations")["counts"]["up"] == 5)
        time.sleep(8)  # past the first tarpit timeouts: the steady state of the overload

        rss: list[tuple[float, int]] = []
        t0, before = time.monotonic(), healthy.requests
        while time.monotonic() - t0 < 30:
            rss.append((time.monotonic() - t0, rss_kb(pid)))
            time.sleep(2)
        elapsed, probed = time.monotonic() - t0, healthy.requests - before

        listing = get_json(f"{url}/api/integrations")
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as resp:
            metrics = resp.read().decode()
        stopped_in = _sigterm(serve)
    finally:
        if serve.proc.poll() is None:
            serve.proc.kill()
        serve.stop()
        tarpit.stop()
        healthy.stop()

    report = (
        f"healthy requests {probed} in {elapsed:.1f} s (5 integrations at 1/s), "
        f"RSS kB {[kb for _, kb in rss]}, SIGTERM to exit {stopped_in:.2f} s, tarpit accepted "
        f"{tarpit.accepted}"
    )
    print(report)
    # healthy integrations are probed on time: ~one request per second each
    assert probed >= 0.9 * 5 * elapsed, report
    by_id = {i["id"]: i for i in listing["integrations"]}
    for n in range(5):
        h = by_id[doc_id(f"h{n}")]
        assert h["status"] == "up", h
        assert h["last_check"]["ts"] > time.time() - 10, h  # not stale
        assert h["late_s"] is not None and h["late_s"] < 0.5, h
    # the tarpit's rounds are skipped and counted, per integration, in the API and the metrics
    tarpitted = [by_id[doc_id(f"t{i:02d}")] for i in range(50)]
    assert sum(t["skipped_rounds"] for t in tarpitted) > 1000, report
    skipped = re.findall(
        r'^wiremap_probe_skipped_total\{[^}]*integration="service-t\d\d[^}]*\} (\S+)$', metrics, re.M
    )
    assert len(skipped) == 50 and sum(float(v) for v in skipped) > 1000
    # memory flat: the last samples within 3 MB of the first ones
    first = sum(kb for _, kb in rss[:3]) / 3
    last = sum(kb for _, kb in rss[-3:]) / 3
    assert last - first < 3 * 1024, report
    assert stopped_in <= TIMEOUT_S + 2, report
    assert serve.proc.returncode == 0, serve.output()


def _sigterm(serve: Serve) -> float:
    t = time.monotonic()
    serve.proc.send_signal(signal.SIGTERM)
    try:
        serve.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        return 30.0
    return time.monotonic() - t
