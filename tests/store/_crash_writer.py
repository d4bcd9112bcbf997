"""Helper of test_crash.py: write numbered batches of a known size in a tight loop until killed.

    python -m tests.store._crash_writer URL [SCHEMA]

Batch ``n`` is ``BATCH`` results whose message is ``str(n)``; "ready" is printed once the first batch
is committed, so the test kills a process that is really writing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from wiremap.monitor.model import CheckResult
from wiremap.store import open_store

BATCH = 250


def main() -> None:
    url = sys.argv[1]
    schema = sys.argv[2] if len(sys.argv) > 2 else None
    store = open_store(url, default_path=Path("unused.db"), pg_schema=schema)
    n = 0
    while True:
        store.add_results(
            [
                CheckResult(f"crash-{i % 5}", 1_700_000_000.0 + n + i / BATCH, True, 1.0, None, None, str(n))
                for i in range(BATCH)
            ]
        )
        if n == 0:
            print("ready", flush=True)
        n += 1


if __name__ == "__main__":
    main()
