"""Precision and recall of the Python source indexer on a hand-labelled tree.

``tests/fixtures/accuracy`` is code shaped like real services. Its ``expected.json`` lists, by hand,
every outbound integration call site (``path``, ``line``, ``protocol``) and every environment variable
read (``path``, ``line``, ``name``); its README gives the rules. Sites match on (path, line) and a
wrong protocol on a matched site is a separate failure; env reads match on (path, line, name).
Run with ``pytest -s`` to see the misses and false positives.
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

TREE = FIXTURES / "accuracy"

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


def _load_expected() -> dict[str, Any]:
    return json.loads((TREE / "expected.json").read_text(encoding="utf-8"))


EXPECTED = _load_expected()


@cache
def _source(path: str) -> str:
    return (TREE / path).read_text(encoding="utf-8")


def _line(path: str, line: int) -> str:
    lines = _source(path).splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else "<no such line>"


@cache
def _tree(path: str) -> ast.Module:
    return ast.parse(_source(path), filename=path)


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


# --- the ground truth itself ------------------------------------------------------------------------


def test_ground_truth_points_at_real_code() -> None:
    problems: list[str] = []
    sites = EXPECTED["sites"]
    env_reads = EXPECTED["env_reads"]
    decoys = EXPECTED.get("decoys", [])
    assert 60 <= len(sites) <= 110 and 25 <= len(env_reads) <= 45

    for kind, entries in (("site", sites), ("env", env_reads), ("decoy", decoys)):
        for e in entries:
            where = f"{kind} {e['path']}:{e['line']}"
            if not (TREE / e["path"]).is_file() or not e["path"].endswith(".py"):
                problems.append(f"{where}: no such Python file")
                continue
            if not 1 <= e["line"] <= len(_source(e["path"]).splitlines()):
                problems.append(f"{where}: line out of range")
                continue
            if kind in ("site", "decoy"):
                starts = {n.lineno for n in ast.walk(_tree(e["path"])) if isinstance(n, ast.Call)}
                if e["line"] not in starts:
                    problems.append(f"{where}: no call starts on this line: {_line(e['path'], e['line'])}")
                if not e.get("note"):
                    problems.append(f"{where}: no note")
            if kind == "site" and e["protocol"] not in PROTOCOLS:
                problems.append(f"{where}: unknown protocol {e['protocol']!r}")
            if kind == "env":
                text = _line(e["path"], e["line"])
                is_field = any(
                    isinstance(n, ast.AnnAssign) and n.lineno == e["line"] for n in ast.walk(_tree(e["path"]))
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
    for file in sorted(TREE.rglob("*.py")):
        rel = file.relative_to(TREE).as_posix()
        for node in ast.walk(_tree(rel)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (name in _CONNECTING_NAMES or name.endswith("Stub")) and (rel, node.lineno) not in labelled:
                problems.append(f"unlabelled call {rel}:{node.lineno}: {_line(rel, node.lineno)}")

    assert not problems, "expected.json is wrong:\n" + "\n".join(problems)


# --- the indexer against it ---------------------------------------------------------------------------


@dataclass
class Indexed:
    sites: dict[tuple[str, int], list[Any]] = field(default_factory=dict)
    env_reads: dict[tuple[str, int, str], Any] = field(default_factory=dict)
    path_mismatches: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def indexed() -> Indexed:
    from wiremap.code.index import index_tree

    index = index_tree(Path(TREE), use_cache=False)
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


def test_site_precision_and_recall(indexed: Indexed) -> None:
    expected = {(s["path"], s["line"]): s for s in EXPECTED["sites"]}
    decoys = {(d["path"], d["line"]): d["note"] for d in EXPECTED.get("decoys", [])}
    found = indexed.sites
    hits = expected.keys() & found.keys()
    precision = _ratio(len(hits), len(found))
    recall = _ratio(len(hits), len(expected))

    misses = [
        f"{p}:{ln:<4} {s['protocol']:<13} {s['note']}  | {_line(p, ln)}"
        for (p, ln), s in sorted(expected.items())
        if (p, ln) not in found
    ]
    false_positives = []
    for (p, ln), got in sorted(found.items()):
        if (p, ln) in expected:
            continue
        what = ", ".join(f"{s.client} [{s.protocol}]" for s in got)
        decoy = f"  (decoy: {decoys[p, ln]})" if (p, ln) in decoys else ""
        false_positives.append(f"{p}:{ln:<4} {what}{decoy}  | {_line(p, ln)}")
    report = (
        f"\nsites: expected {len(expected)}, found {len(found)}, matched {len(hits)}; "
        f"precision {precision:.3f} (>= {SITE_PRECISION}), recall {recall:.3f} (>= {SITE_RECALL})"
        + _table("missed sites", misses)
        + _table("false-positive sites", false_positives)
    )
    print(report)
    assert not indexed.path_mismatches, "\n".join(indexed.path_mismatches)
    assert precision >= SITE_PRECISION and recall >= SITE_RECALL, report


def test_site_protocols(indexed: Indexed) -> None:
    mismatches = []
    for s in EXPECTED["sites"]:
        got = indexed.sites.get((s["path"], s["line"]))
        if got and s["protocol"] not in {site.protocol for site in got}:
            found = ", ".join(f"{site.client} [{site.protocol}]" for site in got)
            mismatches.append(f"{s['path']}:{s['line']:<4} expected {s['protocol']}, found {found}")
    report = _table("protocol mismatches on matched sites", mismatches)
    print(report)
    assert not mismatches, report


def test_env_read_precision_and_recall(indexed: Indexed) -> None:
    expected = {(e["path"], e["line"], e["name"]) for e in EXPECTED["env_reads"]}
    found = indexed.env_reads.keys()
    hits = expected & found
    precision = _ratio(len(hits), len(found))
    recall = _ratio(len(hits), len(expected))
    misses = [f"{p}:{ln:<4} {name:<26} | {_line(p, ln)}" for p, ln, name in sorted(expected - found)]
    false_positives = [f"{p}:{ln:<4} {name:<26} | {_line(p, ln)}" for p, ln, name in sorted(found - expected)]
    report = (
        f"\nenv reads: expected {len(expected)}, found {len(found)}, matched {len(hits)}; "
        f"precision {precision:.3f} (>= {ENV_PRECISION}), recall {recall:.3f} (>= {ENV_RECALL})"
        + _table("missed env reads", misses)
        + _table("false-positive env reads", false_positives)
    )
    print(report)
    assert precision >= ENV_PRECISION and recall >= ENV_RECALL, report
