"""An ok without the doc's connection URL says the doc's user and database were not checked.

Found by a new user: with $AMQP_URL and $REDIS_URL unset, 'channel opened as guest on vhost /' and
'PING → PONG (db 0)' read as if the doc's user `jobs` and database /2 had been checked.
"""

from __future__ import annotations

import asyncio

import pytest

import wiremap
from tests.services import require_service
from wiremap.probes._base import ProbeContext, Target
from wiremap.probes.registry import get_probe

CASES = {
    "redis": ("Redis", "JOBS_REDIS_URL", "redis://127.0.0.1:6379/2"),
    "amqp": ("AMQP", "JOBS_AMQP_URL", "amqp://jobs@127.0.0.1:5672/jobs"),
    "nats": ("NATS", "JOBS_NATS_URL", "nats://jobs@127.0.0.1:4222"),
    "mqtt": ("MQTT", "JOBS_MQTT_URL", "mqtt://jobs@127.0.0.1:1883"),
}
# in each protocol's words: NATS and MQTT have no database, AMQP a vhost (new user, round 24)
SAID = {
    "redis": "user and database were",
    "amqp": "user and vhost were",
    "nats": "user was",
    "mqtt": "user was",
}


@pytest.mark.parametrize("service", sorted(CASES))
def test_an_ok_without_the_docs_url_says_so(service: str) -> None:
    host, port = require_service(service)
    protocol, var, value = CASES[service]
    doc = (
        f"# Integration: Worker → Jobs\n\n**Protocol:** {protocol}\n\n## Configuration\n\n"
        f"**Environment Variables:**\n```bash\nexport {var}={value}  # where the jobs go\n```\n"
    )
    integ = wiremap.parse_text(doc, "x.md").integration
    ctx = ProbeContext(integ, Target(host, port), 5.0, env={})
    results = asyncio.run(get_probe(integ.protocol)(ctx))
    assert results[0].ok is True, results[0].message
    # a check of its own, skipped: an "ok" line alone read as if the doc's vhost had been checked (round 36)
    assert len(results) == 2 and results[1].ok is None, results
    assert f"${var} is not set here, so the doc's {SAID[service]} not checked" in results[1].message
    ctx = ProbeContext(integ, Target(host, port), 5.0, env={var: value.replace("jobs@", "")})
    results = asyncio.run(get_probe(integ.protocol)(ctx))
    assert len(results) == 1 and "not set here" not in results[0].message


@pytest.mark.parametrize("service", [*sorted(CASES), "postgresql"])
def test_a_connection_string_in_the_doc_is_said_unchecked(service: str) -> None:
    """The doc's Connection String ``postgresql://postgres@127.0.0.1:5432/test`` is documentation, never
    used: verify connected to the default database and said a plain ok (new user, round 39). It is a
    skipped check of its own, as an unset env var's URL is."""
    host, port = require_service(service)
    protocol, _, value = CASES.get(service, ("PostgreSQL", "", "postgresql://postgres@127.0.0.1:5432/test"))
    doc = f"# Integration: Worker → Jobs\n\n**Protocol:** {protocol}\n\n**Connection String:** `{value}`\n"
    integ = wiremap.parse_text(doc, "x.md").integration
    results = asyncio.run(get_probe(integ.protocol)(ProbeContext(integ, Target(host, port), 5.0, env={})))
    assert results[0].ok is True, results[0].message
    assert len(results) == 2 and results[1].ok is None, results
    said = SAID.get(service, "user and database were").rsplit(" ", 1)[0]
    assert f"the doc's {said} in its Connection String" in results[1].message


@pytest.mark.parametrize("service", sorted(CASES))
def test_a_url_naming_no_user_nor_database_leaves_nothing_unchecked(service: str) -> None:
    """``NATS_URL=nats://127.0.0.1:4222`` names no user: "the doc's user was not checked" was said of a
    user the doc never named (new user, round 40)."""
    host, port = require_service(service)
    protocol, var, value = CASES[service]
    bare = value.replace("jobs@", "")
    bare = bare.rsplit("/", 1)[0] if bare.count("/") > 2 else bare
    doc = (
        f"# Integration: Worker → Jobs\n\n**Protocol:** {protocol}\n\n## Configuration\n\n"
        f"**Environment Variables:**\n```bash\nexport {var}={bare}\n```\n"
    )
    integ = wiremap.parse_text(doc, "x.md").integration
    results = asyncio.run(get_probe(integ.protocol)(ProbeContext(integ, Target(host, port), 5.0, env={})))
    assert len(results) == 1 and results[0].ok is True, results


def test_a_jdbc_url_in_the_env_is_the_url_it_wraps() -> None:
    """``REPORTS_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/nosuchdb`` was not read ("none is set here") and
    a missing database passed (new user, round 42): the database is the JDBC URL's."""
    host, port = require_service("postgresql")
    doc = (
        "# Integration: Reports → Warehouse\n\n**Protocol:** PostgreSQL\n\n## Configuration\n\n"
        "**Environment Variables:**\n```bash\nexport REPORTS_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/test\n```\n"
    )
    integ = wiremap.parse_text(doc, "x.md").integration
    env = {"REPORTS_JDBC_URL": f"jdbc:postgresql://postgres@{host}:{port}/nosuchdb_wiremap"}
    results = asyncio.run(get_probe(integ.protocol)(ProbeContext(integ, Target(host, port), 5.0, env=env)))
    assert results[0].ok is False and "nosuchdb_wiremap" in results[0].message, results
