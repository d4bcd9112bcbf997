"""Integrations recognised by convention, not by the client table (issue 15): each shape, and the
look-alikes that are not integrations. Measured on real projects by ``bench/discover_accuracy.py``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wiremap.code.index import index_tree
from wiremap.code.python import index_python


def _sites(src: str) -> list[tuple[int, str, str]]:
    f = index_python("m.py", textwrap.dedent(src).encode(), "sha")
    return [(s.line, s.client, s.protocol) for s in f.sites]


def _envs(src: str) -> list[tuple[int, str]]:
    f = index_python("m.py", textwrap.dedent(src).encode(), "sha")
    return [(e.line, e.name) for e in f.env_reads]


@pytest.mark.parametrize(
    ("src", "want"),
    [
        # DB-API connect through the package or a submodule, listed or not
        ("import snowflake.connector\nsnowflake.connector.connect(user='u')\n", (2, "snowflake")),
        ("import nzpy\nnzpy.connect(host='h')\n", (2, "netezza")),
        ("import acmedb\nacmedb.connect(host='h')\n", (2, "unknown")),  # a driver no table lists
        ("from pyhive import hive\nhive.connect('h')\n", (2, "hive")),
        # a class named as a client, of a package nobody listed
        ("from acme_sdk import AcmeClient\nAcmeClient('https://acme.example')\n", (2, "http")),  # its URL's
        ("from acme_sdk import AcmeClient\nAcmeClient(token='t')\n", (2, "unknown")),
        ("from cassandra.cluster import Cluster\nCluster(['db1'])\n", (2, "cassandra")),
        # the namesake class of a listed package, and factories
        ("from minio import Minio\nMinio('s3.example:9000')\n", (2, "aws")),
        ("from googleapiclient import discovery\ndiscovery.build('bigquery', 'v2')\n", (2, "gcp")),
        (
            "from influxdb import InfluxDBClient\nInfluxDBClient.from_dsn('influxdb://h:8086/db')\n",
            (2, "influxdb"),
        ),
        # a third-party class handed a connection URL by a keyword that says so
        ("from flask_limiter import Limiter\nLimiter(storage_uri='redis://cache:6379')\n", (2, "redis")),
        ("from llama_index.llms.ollama import Ollama\nOllama(base_url='http://llm:11434')\n", (2, "http")),
        # a Celery app given its broker, and the broker's scheme
        ("from celery import Celery\nCelery('app', broker='redis://q:6379/0')\n", (2, "redis")),
    ],
)
def test_a_third_party_client_is_a_site_by_its_name(src: str, want: tuple[int, str]) -> None:
    assert [(line, proto) for line, _, proto in _sites(src)] == [want]


@pytest.mark.parametrize(
    "src",
    [
        "from flask_login import user_logged_in\n\ndef on_login(sender, user): ...\n\n"
        "user_logged_in.connect(on_login)\n",
        "from sqlalchemy.orm import Session\nSession(bind=None)\n",
        "from acme_sdk import AcmeConfig, AcmeError\nAcmeConfig(retries=3)\n",
        "import requests\nrequests.Session()\n",  # no destination, nothing opened
        "from celery import Celery\nCelery('paperless')\n",  # the broker comes from the settings
        "from acme_sdk import AcmeClient\nx: AcmeClient\nisinstance(x, AcmeClient)\n",
        "from minio import Minio\nfrom urllib3 import PoolManager\n"
        "Minio('s3:9000', http_client=PoolManager())\n",
    ],
)
def test_look_alikes_are_not_sites(src: str) -> None:
    sites = _sites(src)
    # the Minio case keeps Minio itself, never its transport
    assert all("PoolManager" not in c and "Session" not in c for _, c, _ in sites), sites
    assert len(sites) <= 1 and all(c == "minio.Minio" for _, c, _ in sites), sites


def test_a_client_built_empty_is_a_site_where_it_connects() -> None:
    got = _sites(
        """
        import paramiko
        from pyignite import Client

        def deploy(host):
            ssh = paramiko.SSHClient()
            ssh.connect(host, 22)

        def query(servers):
            c = Client(username="u")
            c.connect(servers)
        """
    )
    assert [(line, proto) for line, _, proto in got] == [(7, "ssh"), (10, "ignite"), (11, "ignite")]


def test_oauth_token_calls_and_browsers_and_mail() -> None:
    got = _sites(
        """
        from httpx_oauth.clients.google import GoogleOAuth2
        from playwright.async_api import async_playwright
        from django.core.mail import EmailMessage, mail_admins

        async def token(code):
            google = GoogleOAuth2("id", "secret")
            return await google.get_access_token(code, "https://app/cb")

        async def fetch(url):
            async with async_playwright() as p:
                browser = await p.chromium.connect_over_cdp("ws://browser:3000")
                page = await browser.new_page()
                await page.goto(url)

        def notify():
            EmailMessage("s", "b", to=["a@x"]).send()
            mail_admins("s", "b")
        """
    )
    assert [(line, proto) for line, _, proto in got] == [
        (7, "http"),  # a provider's client built with its credentials (two labellers of paperless-ngx)
        (8, "http"),
        (12, "websocket"),
        (14, "http"),
        (17, "smtp"),
        (18, "smtp"),
    ]


def test_a_generic_oauth_client_is_no_site_its_token_call_is() -> None:
    """Only a provider's class is bound to a token endpoint; ``OAuth2Session(client_id)`` goes where its
    ``fetch_token(url)`` says."""
    got = _sites(
        """
        from requests_oauthlib import OAuth2Session
        from authlib.integrations.httpx_client import AsyncOAuth2Client

        def token(code):
            oauth = OAuth2Session("client-id")
            return oauth.fetch_token("https://idp/token", code=code)

        async def other():
            client = AsyncOAuth2Client("id", "secret")
            return await client.fetch_token("https://idp/token")
        """
    )
    assert [(line, proto) for line, _, proto in got] == [(7, "http"), (11, "http")]


def test_env_reads_through_settings_libraries_helpers_and_loops() -> None:
    got = _envs(
        """
        import os
        import click
        from decouple import config
        import environ

        env = environ.Env()

        def envint(name, default):
            return int(os.getenv(name, default))

        def secret(name):
            return os.getenv(name + "_FILE") or os.getenv(name)

        A = config("DECOUPLE_VAR", default="x")
        B = env.str("ENVIRON_VAR")
        C = envint("HELPER_VAR", "1")
        D = secret("DB_PASSWORD")
        for key in ("LOOP_A", "LOOP_B"):
            os.getenv(key)
        for task in [{"env_key": "TASK_CRON"}]:
            os.getenv(task["env_key"])
        if "MEMBER_VAR" in os.environ:
            pass

        @click.option("--url", envvar="CLICK_URL")
        def cli(url): ...
        """
    )
    assert got == [
        (15, "DECOUPLE_VAR"),
        (16, "ENVIRON_VAR"),
        (17, "HELPER_VAR"),
        (18, "DB_PASSWORD"),
        (18, "DB_PASSWORD_FILE"),
        (20, "LOOP_A"),
        (20, "LOOP_B"),
        (22, "TASK_CRON"),
        (23, "MEMBER_VAR"),
        (26, "CLICK_URL"),
    ]


def test_a_partly_unknown_name_is_no_read() -> None:
    assert _envs("import os\n\ndef f(k):\n    return os.getenv('proxy_' + k), os.getenv(k + '_FILE')\n") == []


def test_cross_module_conventions(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/compat.py": "import http.client as httplib\n",
        "app/common.py": "import os\n\ndef getenv_int(name):\n    return int(os.environ.get(name, '0'))\n",
        "app/session.py": (
            "import requests\n\n\nclass ConfiguredSession(requests.Session):\n    pass\n\n\n"
            "requests_session = ConfiguredSession()\n"
        ),
        "app/models.py": "class Connection:\n    def __init__(self, url):\n        self.url = url\n",
        "app/use.py": (
            "from app.compat import httplib\nfrom app.common import getenv_int\n"
            "from app.session import requests_session\nfrom app.models import Connection\n\n"
            "conn = httplib.HTTPSConnection('api.example', 443)\nLIMIT = getenv_int('APP_LIMIT')\n\n\n"
            "def call():\n    requests_session.post('https://hooks.example/x')\n    Connection('x')\n"
        ),
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    index = index_tree(tmp_path, use_cache=False)
    sites = sorted((s.line, s.client) for s in index.sites() if s.path == "app/use.py")
    # the project's own Connection class is no client, though its name says so
    assert sites == [(6, "http.client.HTTPSConnection"), (11, "requests.Session.post")]
    assert ("app/use.py", "APP_LIMIT") in {(e.path, e.name) for e in index.env_reads()}
