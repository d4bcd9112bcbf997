"""The Python indexer on small, pointed snippets: what is a site, what is not, and what it reaches."""

from __future__ import annotations

import textwrap

from wiremap.code.python import index_python


def _index(src: str):  # type: ignore[no-untyped-def]
    return index_python("m.py", textwrap.dedent(src).encode(), "sha")


def _sites(src: str) -> list[tuple[int, str, str | None, str | None]]:
    return [(s.line, s.client, s.target, s.env) for s in _index(src).sites]


def test_aliases_and_module_functions() -> None:
    got = _sites(
        """
        import requests as rq
        from requests import post as rpost
        from redis import asyncio as aioredis
        rq.get("http://a.example:8080/x")
        rpost("https://b.example/y")
        aioredis.from_url("redis://cache:6379/0")
        """
    )
    assert got == [
        (5, "requests.get", "http://a.example:8080/x", None),
        (6, "requests.post", "https://b.example/y", None),
        (7, "redis.asyncio.from_url", "redis://cache:6379/0", None),
    ]


def test_sessions_on_self_with_and_factories() -> None:
    got = _sites(
        """
        import os
        import aiohttp
        import requests

        def make_session():
            return requests.Session()

        class Client:
            def __init__(self, base_url):
                self.base_url = base_url
                self.session = make_session()

            @classmethod
            def from_env(cls):
                return cls(os.environ["API_URL"])

            def fetch(self):
                return self.session.get(f"{self.base_url}/items")

        async def crawl():
            async with aiohttp.ClientSession() as s:
                await s.post("http://127.0.0.1:9000/crawl")
        """
    )
    # the sessions (lines 7 and 22) hold no destination and open nothing: their requests are the sites
    assert got == [
        (19, "requests.Session.get", "${API_URL}/items", "API_URL"),
        (23, "aiohttp.ClientSession.post", "http://127.0.0.1:9000/crawl", None),
    ]


def test_annotated_parameter_is_followed() -> None:
    got = _sites(
        """
        import httpx

        def ping(client: httpx.Client) -> int:
            return client.get("/ping").status_code
        """
    )
    assert got == [(5, "httpx.Client.get", "/ping", None)]


def test_not_sites_imports_hints_config_objects_and_operations() -> None:
    got = _sites(
        '''
        """Mentions requests.get("http://x") in a docstring."""
        import redis
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        def f(s: requests.Session, r: redis.Redis) -> None:
            # requests.post("http://y")
            r.get("key")
            isinstance(s, requests.Session)
            HTTPAdapter(max_retries=Retry(total=2))
            {"a": 1}.get("a")
            raise requests.RequestException("no")
        '''
    )
    assert got == []


def test_grpc_channel_and_generated_stub() -> None:
    got = _sites(
        """
        import grpc
        from inventory.v1 import inventory_pb2_grpc as inv

        channel = grpc.insecure_channel("inventory:50051")
        stub = inv.InventoryStub(channel)
        """
    )
    assert got == [
        (5, "grpc.insecure_channel", "inventory:50051", None),
        (6, "inventory.v1.inventory_pb2_grpc.InventoryStub", None, None),
    ]


def test_objects_without_target_are_followed_to_their_connect_call() -> None:
    got = _sites(
        """
        import paho.mqtt.client as mqtt
        from nats.aio.client import Client as NATS

        async def run():
            c = mqtt.Client()
            c.connect("broker", 1883)
            nc = NATS()
            await nc.connect(servers=["nats://127.0.0.1:4222"])
        """
    )
    assert [(line, client) for line, client, _, _ in got] == [
        (7, "paho.Client.connect"),
        (9, "nats.Client.connect"),
    ]


def test_env_reads_with_defaults_and_settings_fields() -> None:
    f = _index(
        """
        import os
        from os import environ
        from pydantic import Field
        from pydantic_settings import BaseSettings, SettingsConfigDict

        KEY = "ORDERS_URL"
        a = os.environ["A_URL"]
        b = os.getenv("B_TIMEOUT", "5")
        c = environ.get(KEY)

        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="SHOP_")
            redis_url: str = "redis://localhost:6379/0"
            token: str = Field(validation_alias="SHOP_API_TOKEN")
        """
    )
    assert [(e.line, e.name, e.default) for e in f.env_reads] == [
        (8, "A_URL", None),
        (9, "B_TIMEOUT", "5"),
        (10, "ORDERS_URL", None),
        (14, "SHOP_REDIS_URL", "redis://localhost:6379/0"),
        (15, "SHOP_API_TOKEN", None),
    ]


def test_sqlalchemy_protocol_from_the_url_or_the_driver_imported() -> None:
    got = _index(
        """
        import psycopg
        from sqlalchemy import create_engine
        e1 = create_engine("mysql+pymysql://u@db/x")
        e2 = create_engine(some_url)
        """
    ).sites
    assert [s.protocol for s in got] == ["mysql", "postgresql"]


def test_definitions_have_qualnames_and_spans() -> None:
    f = _index(
        """
        class A:
            def m(self):
                def inner():
                    pass

        async def g():
            pass
        """
    )
    assert [(d.qualname, d.kind, d.line, d.end_line) for d in f.definitions] == [
        ("A", "class", 2, 5),
        ("A.m", "method", 3, 5),
        ("A.m.inner", "function", 4, 5),
        ("g", "function", 7, 8),
    ]


def test_unparseable_input_is_data_not_an_exception() -> None:
    for data in (b"def (:\n", b"\xff\xfe\x00garbage", b"x = (" * 200 + b"\n", b"\x00"):
        f = index_python("bad.py", data, "sha")
        assert f.error, data
        assert f.sites == () and f.definitions == ()
    deep = b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n"
    assert index_python("deep.py", deep, "sha").error


def test_psycopg_pools_of_every_kind_are_sites() -> None:
    """The example shop's orders repository moved to ``NullConnectionPool`` (a connection per
    transaction): discover no longer found it, and called the documented integration undocumented."""
    got = _sites(
        """
        import os
        from psycopg_pool import AsyncNullConnectionPool, ConnectionPool, NullConnectionPool
        NullConnectionPool(os.environ["ORDERS_DATABASE_URL"], max_size=10)
        AsyncNullConnectionPool("postgresql://db:5432/orders")
        ConnectionPool("postgresql://db:5432/orders")
        """
    )
    assert [(line, client) for line, client, _, _ in got] == [
        (4, "psycopg_pool.NullConnectionPool"),
        (5, "psycopg_pool.AsyncNullConnectionPool"),
        (6, "psycopg_pool.ConnectionPool"),
    ]
    assert got[0][3] == "ORDERS_DATABASE_URL" and got[1][2] == "postgresql://db:5432/orders"
