"""Generate a varied catalog of integration docs for benchmarks (deterministic for a seed)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from wiremap.document.template import template_text

PROTOCOLS = [
    "HTTPS",
    "HTTP",
    "gRPC",
    "WebSocket (wss)",
    "PostgreSQL",
    "Redis (RESP3)",
    "AMQP 0-9-1",
    "NATS",
    "MQTT",
    "Kafka",
]
WHAT = ["orders", "payments", "events", "invoices"]
SERVICES = [
    "Checkout",
    "Payments",
    "Inventory",
    "Orders DB",
    "Cart Cache",
    "Search",
    "Billing",
    "Ledger",
    "Émail Relay",
    "Notifications",
    "Fraud Scoring",
    "Shipping",
    "Tax",
    "Catalog",
    "Identity",
    "Reporting",
    "Warehouse",
]


def _doc(rng: random.Random, n: int) -> str:
    src, dst = rng.sample(SERVICES, 2)
    text = template_text()
    port = rng.choice([443, 5432, 6379, 5672, 4222, 1883, 8080, 50051, 9092])
    arrow = "->" if n % 7 == 0 else "→"
    slug = src.lower().replace(" ", "_")
    date = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
    values = {
        "# Integration: [Source] → [Destination]": f"# Integration: {src} {n} {arrow} {dst} {n}",
        "[What this integration does]": f"Moves {rng.choice(WHAT)} from {src} to {dst}.",
        "[HTTP/gRPC/WebSocket/etc]": rng.choice(PROTOCOLS),
        "[Unidirectional/Bidirectional]": rng.choice(["Unidirectional", "Bidirectional"]),
        "[Yes/No]": rng.choice(["Yes", "No", "Yes (during month-end close only)"]),
        "[source_file.py:line]": f"services/{slug}/client_{n}.py:{rng.randint(1, 400)}",
        "[Service name] ([host:port])": f"{dst} ({dst.lower().replace(' ', '-')}.internal:{port})",
        "[client_class_or_function]": f"{src.replace(' ', '')}Client",
        "[command to verify integration is working]": f"curl -fsS https://{dst.lower()}.internal/healthz",
        "[URL or method]": f"POST /v{rng.randint(1, 3)}/items/{n}",
        "- Typical: [ms]": f"- Typical: {rng.randint(1, 50)} ms",
        "- P95: [ms]": f"- P95: {rng.randint(50, 200)}ms",
        "- P99: [ms]": f"- P99: {rng.choice(['0.3 s', '250 ms', '[ms]', '~400ms'])}",
        "[requests/sec or similar metric]": rng.choice(
            ["40 requests/sec", "~2,500 RPC/s", "1.2k msgs/sec", "1 file/day"]
        ),
        "**Last Updated:** [Date]": f"**Last Updated:** {date}",
        "[Your name]": rng.choice(["Payments Team (@payments)", "Ünal Öztürk", "[Your name]"]),
    }
    for old, new in values.items():
        text = text.replace(old, new, 1)
    if rng.random() < 0.2:
        text = text.replace("**", "__")
    if rng.random() < 0.1:
        start = text.index("## Code Example")
        text = text[:start] + text[text.index("## Error Handling") :]
    if rng.random() < 0.1:
        text = text.replace('"field2": 123', '"field2": 123,')
    return _vary_layout(rng, text, n)


def _vary_layout(rng: random.Random, text: str, n: int) -> str:
    """What people do to the layout: other bullets, an extra section, CRLF line endings. Every Python
    block gets a line of its own, so no two docs share a block's text (a cache keyed by a block's text
    must not make the bench faster than real docs, whose snippets differ)."""
    text = text.replace("```python\n", f"```python\n# written for doc {n}\n")
    if rng.random() < 0.2:
        text = text.replace("\n- ", "\n* ")
    if rng.random() < 0.15:
        text = text.replace(
            "## Testing", "## Runbook\n\nPage the on-call, then check the dashboard.\n\n---\n\n## Testing"
        )
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    return text


EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples/shop/docs/integrations").glob("*.md"))


def _filled(rng: random.Random, n: int) -> str:
    """A complete doc (one of the example shop's), renamed and re-valued, sometimes with a defect."""
    text = rng.choice(EXAMPLES).read_text(encoding="utf-8")
    src, dst = rng.sample(SERVICES, 2)
    _, _, rest = text.partition("\n")
    text = f"# Integration: {src} {n} → {dst} {n}\n{rest}"
    text = re.sub(r"- Typical: [^\n]*", f"- Typical: {rng.randint(1, 40)} ms", text)
    text = re.sub(r"- P95: [^\n]*", f"- P95: {rng.randint(40, 120)} ms", text)
    text = re.sub(r"- P99: [^\n]*", f"- P99: {rng.randint(120, 900)} ms", text)
    defect = rng.random()
    if defect < 0.05:
        text = text.replace("- P99:", "- P99: [ms] was", 1)
    elif defect < 0.08:
        text = text.replace('": ', '": ,', 1)
    elif defect < 0.10:
        text = text.replace("**Direction:** Unidirectional", "**Direction:** sideways", 1)
    elif defect < 0.12:
        text = text.replace("## Monitoring", "## Observability", 1)
    return _vary_layout(rng, text, n)


def generate(out: Path, count: int = 2000, seed: int = 7, filled: float = 0.7) -> list[Path]:
    """``count`` docs: a share ``filled`` of complete docs, the rest half-filled templates."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        p = out / f"doc-{n:05d}.md"
        text = _filled(rng, n) if rng.random() < filled else _doc(rng, n)
        p.write_bytes(text.encode("utf-8"))
        paths.append(p)
    return paths
