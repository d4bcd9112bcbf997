"""Precision and recall of the Python source indexer on hand-labelled trees.

``tests/fixtures/accuracy`` and ``tests/fixtures/accuracy_holdout`` are code shaped like real services.
Each ``expected.json`` lists, by hand, every outbound integration call site (``path``, ``line``,
``protocol``) and every environment variable read (``path``, ``line``, ``name``); the first tree's README
gives the rules, and the held-out tree follows them. The indexer was tuned on the first tree only, so the
held-out tree is the honest measure. Sites match on (path, line) and a wrong protocol on a matched site is
a separate failure; env reads match on (path, line, name). Every test runs on both trees with the same
thresholds. Run with ``pytest -s`` to see the misses and false positives.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests._paths import FIXTURES

TREES = ("accuracy", "accuracy_holdout")

SITE_PRECISION = 0.95
SITE_RECALL = 0.90
ENV_PRECISION = 0.95
ENV_RECALL = 0.90

PROTOCOLS = frozenset(
    {
        "http",
        "grpc",
        "websocket",
        "postgresql",
        "mysql",
        "sqlite",
        "mongodb",
        "elasticsearch",
        "redis",
        "amqp",
        "nats",
        "mqtt",
        "kafka",
        "aws",
        "gcp",
        "smtp",
    }
)

# Last name of a callee that builds a client or opens a connection in one of the libraries of the
# definition. The ground-truth test requires every such call in the tree to be labelled, as a site or
# as a decoy, so a call that was added to a fixture but not to expected.json is caught.
_CONNECTING_NAMES = frozenset(
    {
        "AIOKafkaConsumer",
        "AIOKafkaProducer",
        "AsyncClient",
        "AsyncConnectionPool",
        "AsyncElasticsearch",
        "AsyncIOMotorClient",
        "BlockingConnection",
        "Client",
        "ClientSession",
        "Connection",
        "ConnectionPool",
        "Consumer",
        "Elasticsearch",
        "HTTPConnection",
        "HTTPConnectionPool",
        "HTTPSConnection",
        "HTTPSConnectionPool",
        "KafkaConsumer",
        "KafkaProducer",
        "MongoClient",
        "PoolManager",
        "Producer",
        "PublisherClient",
        "Redis",
        "RedisCluster",
        "SMTP",
        "SMTP_SSL",
        "SelectConnection",
        "Session",
        "SimpleConnectionPool",
        "StrictRedis",
        "SubscriberClient",
        "ThreadedConnectionPool",
        "WebSocketApp",
        "client",
        "connect",
        "connect_async",
        "connect_robust",
        "connection_from_url",
        "create_async_engine",
        "create_connection",
        "create_engine",
        "create_pool",
        "from_url",
        "insecure_channel",
        "resource",
        "secure_channel",
        "session",
        "urlopen",
        "ws_connect",
    }
)


@cache
def _expected(tree: str) -> dict[str, Any]:
    return json.loads((FIXTURES / tree / "expected.json").read_text(encoding="utf-8"))


@cache
def _source(tree: str, path: str) -> str:
    return (FIXTURES / tree / path).read_text(encoding="utf-8")


def _line(tree: str, path: str, line: int) -> str:
    lines = _source(tree, path).splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else "<no such line>"


@cache
def _ast(tree: str, path: str) -> ast.Module:
    return ast.parse(_source(tree, path), filename=path)


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


@pytest.fixture(scope="module", params=TREES)
def tree(request: pytest.FixtureRequest) -> str:
    return request.param


# --- the ground truth itself ------------------------------------------------------------------------


def test_ground_truth_points_at_real_code(tree: str) -> None:
    root = FIXTURES / tree
    expected = _expected(tree)
    problems: list[str] = []
    sites = expected["sites"]
    env_reads = expected["env_reads"]
    decoys = expected.get("decoys", [])
    assert 60 <= len(sites) <= 110 and 25 <= len(env_reads) <= 45

    for kind, entries in (("site", sites), ("env", env_reads), ("decoy", decoys)):
        for e in entries:
            where = f"{kind} {e['path']}:{e['line']}"
            if not (root / e["path"]).is_file() or not e["path"].endswith(".py"):
                problems.append(f"{where}: no such Python file")
                continue
            if not 1 <= e["line"] <= len(_source(tree, e["path"]).splitlines()):
                problems.append(f"{where}: line out of range")
                continue
            if kind in ("site", "decoy"):
                starts = {n.lineno for n in ast.walk(_ast(tree, e["path"])) if isinstance(n, ast.Call)}
                if e["line"] not in starts:
                    text = _line(tree, e["path"], e["line"])
                    problems.append(f"{where}: no call starts on this line: {text}")
                if not e.get("note"):
                    problems.append(f"{where}: no note")
            if kind == "site" and e["protocol"] not in PROTOCOLS:
                problems.append(f"{where}: unknown protocol {e['protocol']!r}")
            if kind == "env":
                text = _line(tree, e["path"], e["line"])
                is_field = any(
                    isinstance(n, ast.AnnAssign) and n.lineno == e["line"]
                    for n in ast.walk(_ast(tree, e["path"]))
                )
                if f'"{e["name"]}"' not in text and not is_field:
                    problems.append(f"{where}: neither {e['name']!r} nor a settings field here: {text}")

    site_keys = [(s["path"], s["line"]) for s in sites]
    env_keys = [(e["path"], e["line"], e["name"]) for e in env_reads]
    decoy_keys = [(d["path"], d["line"]) for d in decoys]
    for kind, keys in (("site", site_keys), ("env read", env_keys), ("decoy", decoy_keys)):
        problems += [f"duplicate {kind} {k}" for k in sorted({k for k in keys if keys.count(k) > 1})]
    problems += [f"decoy on a site's line {k}" for k in sorted(set(site_keys) & set(decoy_keys))]

    labelled = set(site_keys) | set(decoy_keys)
    for file in sorted(root.rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        for node in ast.walk(_ast(tree, rel)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (name in _CONNECTING_NAMES or name.endswith("Stub")) and (rel, node.lineno) not in labelled:
                problems.append(f"unlabelled call {rel}:{node.lineno}: {_line(tree, rel, node.lineno)}")

    assert not problems, f"{tree}/expected.json is wrong:\n" + "\n".join(problems)


# --- the indexer against it ---------------------------------------------------------------------------


@dataclass
class Indexed:
    sites: dict[tuple[str, int], list[Any]] = field(default_factory=dict)
    env_reads: dict[tuple[str, int, str], Any] = field(default_factory=dict)
    path_mismatches: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def indexed(tree: str) -> Indexed:
    from wiremap.code.index import index_tree

    index = index_tree(Path(FIXTURES / tree), use_cache=False)
    out = Indexed()
    for rel, file in sorted(index.files.items()):
        for site in file.sites:
            if site.path != rel:
                out.path_mismatches.append(f"site of {rel} says path {site.path!r}")
            out.sites.setdefault((rel, site.line), []).append(site)
        for env in file.env_reads:
            if env.path != rel:
                out.path_mismatches.append(f"env read of {rel} says path {env.path!r}")
            out.env_reads[(rel, env.line, env.name)] = env
    return out


def _table(title: str, rows: list[str]) -> str:
    return f"\n{title} ({len(rows)}):\n" + ("\n".join(f"  {r}" for r in rows) if rows else "  none")


def test_site_precision_and_recall(tree: str, indexed: Indexed) -> None:
    expected = {(s["path"], s["line"]): s for s in _expected(tree)["sites"]}
    decoys = {(d["path"], d["line"]): d["note"] for d in _expected(tree).get("decoys", [])}
    found = indexed.sites
    hits = expected.keys() & found.keys()
    precision = _ratio(len(hits), len(found))
    recall = _ratio(len(hits), len(expected))

    misses = [
        f"{p}:{ln:<4} {s['protocol']:<13} {s['note']}  | {_line(tree, p, ln)}"
        for (p, ln), s in sorted(expected.items())
        if (p, ln) not in found
    ]
    false_positives = []
    for (p, ln), got in sorted(found.items()):
        if (p, ln) in expected:
            continue
        what = ", ".join(f"{s.client} [{s.protocol}]" for s in got)
        decoy = f"  (decoy: {decoys[p, ln]})" if (p, ln) in decoys else ""
        false_positives.append(f"{p}:{ln:<4} {what}{decoy}  | {_line(tree, p, ln)}")
    report = (
        f"\n[{tree}] sites: expected {len(expected)}, found {len(found)}, matched {len(hits)}; "
        f"precision {precision:.3f} (>= {SITE_PRECISION}), recall {recall:.3f} (>= {SITE_RECALL})"
        + _table("missed sites", misses)
        + _table("false-positive sites", false_positives)
    )
    print(report)
    assert not indexed.path_mismatches, "\n".join(indexed.path_mismatches)
    assert precision >= SITE_PRECISION and recall >= SITE_RECALL, report


def test_site_protocols(tree: str, indexed: Indexed) -> None:
    mismatches = []
    for s in _expected(tree)["sites"]:
        got = indexed.sites.get((s["path"], s["line"]))
        if got and s["protocol"] not in {site.protocol for site in got}:
            found = ", ".join(f"{site.client} [{site.protocol}]" for site in got)
            mismatches.append(f"{s['path']}:{s['line']:<4} expected {s['protocol']}, found {found}")
    report = _table(f"[{tree}] protocol mismatches on matched sites", mismatches)
    print(report)
    assert not mismatches, report


def test_env_read_precision_and_recall(tree: str, indexed: Indexed) -> None:
    expected = {(e["path"], e["line"], e["name"]) for e in _expected(tree)["env_reads"]}
    found = indexed.env_reads.keys()
    hits = expected & found
    precision = _ratio(len(hits), len(found))
    recall = _ratio(len(hits), len(expected))
    misses = [f"{p}:{ln:<4} {name:<26} | {_line(tree, p, ln)}" for p, ln, name in sorted(expected - found)]
    false_positives = [
        f"{p}:{ln:<4} {name:<26} | {_line(tree, p, ln)}" for p, ln, name in sorted(found - expected)
    ]
    report = (
        f"\n[{tree}] env reads: expected {len(expected)}, found {len(found)}, matched {len(hits)}; "
        f"precision {precision:.3f} (>= {ENV_PRECISION}), recall {recall:.3f} (>= {ENV_RECALL})"
        + _table("missed env reads", misses)
        + _table("false-positive env reads", false_positives)
    )
    print(report)
    assert precision >= ENV_PRECISION and recall >= ENV_RECALL, report
