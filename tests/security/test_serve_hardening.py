"""Attacks on ``wiremap serve``, and on the commands that name files after docs, against real processes.

* DNS rebinding: a page in the user's browser points a name of its own at 127.0.0.1 and reads the
  token-less dashboard. Every request whose ``Host`` is not a loopback name, the ``--host`` address or a
  ``--public-url`` host gets 421 and no data, on every path, ``/healthz`` included.
* Beyond loopback (this machine's own non-loopback address): refused at start without a token, and
  without TLS; with both it answers over HTTPS, only with the token, and still checks ``Host``.
* Tokens: shorter than 16 characters is a one-line exit 2; ``--token generate`` prints one that works.
* Webhooks: ``user:pw@`` becomes a Basic header and never shows in the output; a 3xx is not followed.
* Names: a 300-character Source name gives a file, never exit 3.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.client
import ipaddress
import itertools
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests._paths import EXAMPLE_DOCS, ROOT
from tests.web._live import Destination, Serve, wait_until
from wiremap.catalog import load
from wiremap.cli.main import main
from wiremap.model import Integration
from wiremap.monitor.alerts import Alerter, mask_webhook, webhook
from wiremap.monitor.model import CheckResult, Status, Transition
from wiremap.web.hosts import HostAllowList

DOC = "storefront-to-cart-service"  # probed with GET: serve sends no POST to a --target
TOKEN = "a-test-token-of-32-characters-xx"
_stores = itertools.count()


# --- helpers ----------------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env.pop("WIREMAP_TOKEN", None)
    env.update(extra)
    return env


def _wiremap(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``wiremap ARGS`` to completion (a server that should have refused to start times out)."""
    return subprocess.run(
        [sys.executable, "-m", "wiremap", *args],
        cwd=cwd,
        env=_env(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """Exit 2 with exactly one line on stderr: no traceback, no "internal error"."""
    assert proc.returncode == 2, f"exit {proc.returncode}:\n{proc.stderr}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    return lines[0]


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def _request(
    url: str,
    path: str = "/api/integrations",
    *,
    host: str | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    context: ssl.SSLContext | None = None,
) -> Answer:
    """One request with exactly the ``Host`` given (default: the URL's host and port)."""
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=10, context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", parts.netloc if host is None else host)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        return Answer(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def _raw(url: str, request: bytes) -> bytes:
    """Send ``request`` as is and read until the server closes (or 5 s pass)."""
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    chunks: list[bytes] = []
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as s:
        s.sendall(request)
        try:
            while data := s.recv(65536):
                chunks.append(data)
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def _status(raw: bytes) -> int:
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    assert m, raw[:200]
    return int(m.group(1))


def _no_data(body: bytes) -> None:
    """Nothing of the catalog: no integration id, no name, no JSON."""
    assert DOC.encode() not in body and b"Cart" not in body and b"{" not in body, body[:300]


@dataclass
class Site:
    root: Path
    docs: Path
    destination: Destination
    body: Any  # what the doc documents as the response

    def args(self, *extra: str, target: str | None = None, interval: str = "1s") -> list[str]:
        store = self.root / f"history-{next(_stores)}.db"
        return [
            str(self.docs),
            "--interval",
            interval,
            "--no-watch",
            "--port",
            "0",
            "--store",
            f"sqlite:///{store}",
            "--target",
            f"{DOC}={target or self.destination.url}",
            *extra,
        ]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One doc, probed at a local destination only (``--target``): no traffic leaves the machine."""
    root = tmp_path_factory.mktemp("site")
    docs = root / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLE_DOCS / f"{DOC}.md", docs)
    (doc,) = load([docs])
    destination = Destination(doc.response.json_value if doc.response else None)
    yield Site(root, docs, destination, doc.response.json_value if doc.response else None)
    destination.stop()


@pytest.fixture(scope="module")
def loopback(site: Site) -> Iterator[str]:
    """``wiremap serve`` on 127.0.0.1 without a token (the default): its base URL."""
    serve = Serve(site.args(), cwd=site.root)
    url = serve.start()
    yield url
    assert serve.stop() == 0, serve.output()


def _own_address() -> str | None:
    """This machine's own non-loopback IPv4 address. A UDP ``connect`` only picks the route: no packet
    is sent anywhere."""
    candidates: list[str] = []
    for probe in ("192.0.2.1", "198.51.100.1", "203.0.113.1", "10.255.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                candidates.append(s.getsockname()[0])
        except OSError:
            continue
    with contextlib.suppress(OSError):
        candidates += [str(ai[4][0]) for ai in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    for address in candidates:
        ip = ipaddress.ip_address(address)
        if ip.is_loopback or ip.is_unspecified:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind((address, 0))
        except OSError:
            continue
        return address
    return None


@pytest.fixture(scope="module")
def own_ip() -> str:
    address = _own_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address of its own to listen on")
    return address


@dataclass
class Certificate:
    cert: Path
    key: Path

    def client(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory, own_ip: str) -> Certificate:
    """A self-signed certificate for 127.0.0.1, localhost and this machine's address (openssl CLI)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=wiremap-test",
            "-addext",
            f"subjectAltName=IP:127.0.0.1,IP:{own_ip},DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


# --- DNS rebinding: the Host allow-list -------------------------------------------------------------

PATHS = [
    "/",
    f"/integrations/{DOC}",
    "/graph",
    "/api/integrations",
    f"/api/integrations/{DOC}",
    f"/api/integrations/{DOC}/latency?window=1h",
    "/api/graph",
    "/metrics",
    "/openapi.json",
    "/healthz",
    "/static/style.css",
]
FOREIGN = [
    "attacker.example",
    "attacker.example:{port}",
    "ATTACKER.example.:{port}",
    "127.0.0.1.attacker.example:{port}",
    "localhost.attacker.example",
    "attacker.example:80@127.0.0.1",
    "127.0.0.1:{port}:80",
    "[::1",
    "2130706433",  # 127.0.0.1 as a number: browsers never send it, an attacker's client might
    "",
]


@pytest.mark.parametrize("host", FOREIGN)
def test_a_rebound_name_gets_421_and_no_data(loopback: str, host: str) -> None:
    port = urlsplit(loopback).port
    for path in PATHS:
        answer = _request(loopback, path, host=host.format(port=port), headers={"Accept": "text/html"})
        assert answer.status == 421, (path, answer.body[:300])
        assert answer.headers["content-type"].startswith("text/plain")
        assert answer.headers["x-content-type-options"] == "nosniff"
        _no_data(answer.body)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:{port}",
        "localhost:{port}",
        "LOCALHOST",
        "localhost.:{port}",
        "127.8.9.10:1",
        "[::1]:{port}",
    ],
)
def test_loopback_names_on_any_port_are_answered(loopback: str, host: str) -> None:
    answer = _request(loopback, host=host.format(port=urlsplit(loopback).port))
    assert answer.status == 200 and DOC.encode() in answer.body


def test_a_missing_or_doubled_host_is_refused(loopback: str) -> None:
    path = b"GET /api/integrations "
    # HTTP/1.1 without Host: the HTTP parser answers 400 before the app; either way no data
    raw = _raw(loopback, path + b"HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert _status(raw) in (400, 421)
    _no_data(raw.partition(b"\r\n\r\n")[2])
    raw = _raw(loopback, path + b"HTTP/1.0\r\n\r\n")
    assert _status(raw) == 421
    _no_data(raw.partition(b"\r\n\r\n")[2])
    raw = _raw(
        loopback, path + b"HTTP/1.1\r\nHost: localhost\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"
    )
    assert _status(raw) in (400, 421)
    _no_data(raw.partition(b"\r\n\r\n")[2])


def test_head_and_websocket_with_a_foreign_host(loopback: str) -> None:
    answer = _request(loopback, host="attacker.example", method="HEAD")
    assert answer.status == 421 and answer.body == b""
    raw = _raw(
        loopback,
        b"GET /api/integrations HTTP/1.1\r\nHost: attacker.example\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n",
    )
    assert _status(raw) != 101
    _no_data(raw.partition(b"\r\n\r\n")[2])


def test_a_public_url_host_is_answered_and_nothing_else(site: Site) -> None:
    serve = Serve(site.args("--public-url", "https://Wiremap.Example.com:8443/base"), cwd=site.root)
    url = serve.start()
    try:
        for host in (
            "wiremap.example.com",
            "wiremap.example.com:443",
            "WIREMAP.example.com:8443",
            "localhost",
        ):
            answer = _request(url, host=host)
            assert answer.status == 200 and DOC.encode() in answer.body, host
        for host in ("example.com", "evil.wiremap.example.com", "wiremap.example.com.evil"):
            assert _request(url, host=host).status == 421, host
    finally:
        assert serve.stop() == 0, serve.output()


def test_the_allow_list_reads_host_headers_strictly() -> None:
    allow = HostAllowList(["192.0.2.7", "Dash.Example.org."])
    for ok in (
        "localhost",
        "127.0.0.1",
        "127.255.0.1:80",
        "[::1]",
        "[::1]:8765",
        "192.0.2.7:1",
        "dash.example.org",
    ):
        assert allow.allows(ok), ok
    for bad in (
        None,
        "",
        " ",
        "192.0.2.8",
        "[::2]",
        "::1",
        "dash.example.org:x",
        "localhost:123456",
        "a b",
        "é.org",
    ):
        assert not allow.allows(bad), bad
    wildcard = HostAllowList(["0.0.0.0"])
    assert wildcard.allows("192.0.2.99:8765") and wildcard.allows("[2001:db8::1]")
    assert not wildcard.allows("attacker.example")


# --- beyond loopback: a token and TLS ---------------------------------------------------------------


def test_beyond_loopback_without_a_token_is_refused(site: Site, own_ip: str) -> None:
    line = _one_line_error(_wiremap(["serve", *site.args("--host", own_ip)], site.root))
    assert "--token" in line


@pytest.mark.parametrize("host", ["{ip}", "0.0.0.0"])
def test_beyond_loopback_with_a_token_but_no_tls_is_refused(site: Site, own_ip: str, host: str) -> None:
    proc = _wiremap(["serve", *site.args("--host", host.format(ip=own_ip), "--token", TOKEN)], site.root)
    line = _one_line_error(proc)
    assert "--tls-cert" in line and TOKEN not in line


def test_beyond_loopback_with_a_token_and_tls(site: Site, own_ip: str, certificate: Certificate) -> None:
    tls = ["--tls-cert", str(certificate.cert), "--tls-key", str(certificate.key)]
    serve = Serve(site.args("--host", own_ip, "--token", TOKEN, *tls), cwd=site.root)
    url = serve.start()
    try:
        assert url.startswith(f"https://{own_ip}:")
        client = certificate.client()
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        denied = _request(url, context=client)
        assert denied.status == 401 and DOC.encode() not in denied.body
        answer = _request(url, headers=bearer, context=client)
        assert answer.status == 200 and DOC.encode() in answer.body
        # the address it listens on is its name; any other still gets nothing, token or not
        assert _request(url, host="attacker.example", headers=bearer, context=client).status == 421
        # the cookie set from ?token= is Secure over https
        redirect = _request(url, f"/?token={TOKEN}", context=client)
        assert redirect.status == 303 and "secure" in redirect.headers["set-cookie"].lower()
        # plain HTTP on the TLS port: no answer with data
        raw = _raw(url, b"GET /api/integrations HTTP/1.1\r\nHost: " + own_ip.encode() + b"\r\n\r\n")
        assert DOC.encode() not in raw and not raw.startswith(b"HTTP/1.1 200")
    finally:
        code = serve.stop()
    assert code == 0, serve.output()
    assert TOKEN not in serve.output()


def test_tls_on_loopback(site: Site, certificate: Certificate) -> None:
    tls = ["--tls-cert", str(certificate.cert), "--tls-key", str(certificate.key)]
    serve = Serve(site.args(*tls), cwd=site.root)
    url = serve.start()
    try:
        assert url.startswith("https://127.0.0.1:")
        answer = _request(url, context=certificate.client())
        assert answer.status == 200 and DOC.encode() in answer.body
        assert _request(url, host="attacker.example", context=certificate.client()).status == 421
    finally:
        assert serve.stop() == 0, serve.output()


def test_bad_tls_files_are_one_line(site: Site, certificate: Certificate, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    cert, key = str(certificate.cert), str(certificate.key)
    cases = [
        ["--tls-cert", cert],
        ["--tls-key", key],
        ["--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", key],
        ["--tls-cert", str(garbage), "--tls-key", key],
        ["--tls-cert", cert, "--tls-key", str(garbage)],
        ["--tls-cert", key, "--tls-key", cert],
        ["--tls-cert", str(tmp_path / ("x" * 300)), "--tls-key", key],
    ]
    for case in cases:
        line = _one_line_error(_wiremap(["serve", *site.args(*case)], site.root))
        assert "--tls-" in line, case


# --- tokens -----------------------------------------------------------------------------------------


def test_a_short_token_is_refused(site: Site) -> None:
    for args, env in (
        (["--token", "tiny-secret"], {}),
        (["--token", "fifteen-chars.."], {}),
        ([], {"WIREMAP_TOKEN": "tiny-secret"}),
    ):
        line = _one_line_error(_wiremap(["serve", *site.args(*args)], site.root, **env))
        assert "16 characters" in line and "tiny-secret" not in line and "fifteen" not in line


def test_a_generated_token_is_printed_once_and_works(site: Site) -> None:
    serve = Serve(site.args("--token", "generate"), cwd=site.root)
    url = serve.start()
    try:
        (line,) = [x for x in serve.lines if "generated token" in x]
        token = line.rsplit(" ", 1)[1]
        assert len(token) >= 40 and token != "generate"
        assert _request(url).status == 401
        answer = _request(url, headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 200 and DOC.encode() in answer.body
        assert _request(url, headers={"Authorization": "Bearer generate"}).status == 401
    finally:
        code = serve.stop()
    assert code == 0, serve.output()
    assert serve.output().count(token) == 1


# --- webhooks ---------------------------------------------------------------------------------------


class Receiver:
    """A local webhook receiver: records each POST (path, headers) and answers ``statuses`` in turn
    (the last one from then on), with ``location`` as the Location header."""

    def __init__(self, *statuses: int, location: str = "") -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.statuses = list(statuses) or [204]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append((self.path, dict(self.headers.items())))
                n = len(outer.requests) - 1
                self.send_response(outer.statuses[min(n, len(outer.statuses) - 1)])
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = _answer
            do_GET = _answer

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _down_alert(alerter: Alerter) -> None:
    integration = Integration(id="a-to-b", path="docs/a-to-b.md", source="A", destination="B")
    result = CheckResult("a-to-b", 10.0, False, 3.0, None, "refused", "connection refused")

    async def send() -> None:
        alerter.notify(
            Transition("a-to-b", 10.0, Status.UP, Status.DOWN, "2 failed probes"), integration, result
        )
        await alerter.drain(10)

    asyncio.run(send())


def test_webhook_credentials_become_basic_auth_and_never_show(site: Site) -> None:
    receiver = Receiver(503, 204)  # the first attempt fails: its warning names the (masked) webhook
    destination = Destination(site.body)
    hook = f"http://alice:s3cr%40t-pw@127.0.0.1:{receiver.port}/services/T0001/B0002/hooksecret?token=qsecret"
    args = site.args(
        "--webhook", hook, "--down-after", "1", "--up-after", "1", target=destination.url, interval="0.3s"
    )
    serve = Serve(args, cwd=site.root)
    try:
        url = serve.start()
        wait_until("up", lambda: json.loads(_request(url, f"/api/integrations/{DOC}").body)["status"] == "up")
        destination.stop()
        wait_until("the alert delivered", lambda: len(receiver.requests) >= 2)
    finally:
        destination.stop()
        code = serve.stop()
        receiver.stop()
    assert code == 0, serve.output()
    for path, headers in receiver.requests:
        assert path == "/services/T0001/B0002/hooksecret?token=qsecret"
        assert headers["Authorization"] == "Basic " + base64.b64encode(b"alice:s3cr@t-pw").decode()
    output = serve.output()
    assert f"alert to http://127.0.0.1:{receiver.port}/… failed (attempt 1/5): HTTP 503" in output, output
    for secret in ("alice", "s3cr", "hooksecret", "qsecret", "T0001", "B0002"):
        assert secret not in output, (secret, output)


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirecting_webhook_is_not_followed(code: int, caplog: pytest.LogCaptureFixture) -> None:
    elsewhere = Receiver(204)
    redirecting = Receiver(code, location=f"http://127.0.0.1:{elsewhere.port}/stolen")
    try:
        hook = f"http://bob:pw-secret@127.0.0.1:{redirecting.port}/hook/secretpath"
        alerter = Alerter([hook], attempts=2, backoff_s=0.01)
        _down_alert(alerter)
    finally:
        redirecting.stop()
        elsewhere.stop()
    assert elsewhere.requests == []
    assert len(redirecting.requests) == 2  # a failed delivery, retried like any other
    assert alerter.failed == 1 and alerter.delivered == 0
    assert f"HTTP {code} (a redirect: not followed)" in caplog.text
    assert "pw-secret" not in caplog.text and "secretpath" not in caplog.text and "bob" not in caplog.text


@pytest.mark.parametrize(
    "url",
    [
        "ftp://u:pw-secret@127.0.0.1/x",
        "http://",
        "https:///services/secretpath",
        "http://u:pw-secret@127.0.0.1:99999/secretpath",
        "http://127.0.0.1:port/secretpath",
        "http://127.0.0.1:0/secretpath",
        "http://[::1/secretpath",
        "http://127.0.0.1/secret path",
        "http://127.0.0.1/secret\npath",
        "javascript:alert(1)",
        "127.0.0.1:8080/secretpath",
    ],
)
def test_bad_webhook_urls_are_one_line_at_start(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(EXAMPLE_DOCS), "--port", "0", "--webhook", url]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: --webhook"), err
    assert "secret" not in err and "Traceback" not in err


def test_webhooks_are_shown_without_secrets() -> None:
    assert mask_webhook("https://u:p@hooks.slack.com/services/T0/B0/xyz") == "https://hooks.slack.com/…"
    assert mask_webhook("http://127.0.0.1:9/") == "http://127.0.0.1:9/"
    assert mask_webhook("http://[::1]:9?token=x") == "http://[::1]:9/…"
    hook = webhook("https://user%40corp:p%3Aw@Hooks.Example:8443/a?b=c#frag")
    assert hook.url == "https://Hooks.Example:8443/a?b=c"
    assert hook.authorization == "Basic " + base64.b64encode(b"user@corp:p:w").decode()
    assert webhook("http://token@h/x").authorization == "Basic " + base64.b64encode(b"token:").decode()
    assert webhook("http://h/x").authorization is None


@pytest.mark.parametrize(
    "url",
    ["wiremap.example.com", "ftp://wiremap.example.com", "https://", "https://h:99999/", "https://[::1"],
)
def test_bad_public_urls_are_one_line(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(EXAMPLE_DOCS), "--port", "0", "--public-url", url]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: --public-url"), err


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("letter", ["A", "支"])
def test_new_with_a_300_character_name_writes_a_distinct_file(tmp_path: Path, letter: str) -> None:
    names = [letter * 300, letter * 299 + "B"]
    for name in names:
        proc = _wiremap(["new", name, "Payments API", "-o", str(tmp_path)], tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    files = sorted(tmp_path.glob("*.md"))
    assert len(files) == 2
    for f in files:
        assert len(f.name.encode()) <= 255 - 30  # room for the temp name of an atomic write
    catalog = load([tmp_path])
    assert sorted(i.id for i in catalog) == sorted(f.stem for f in files)  # id = file name, as for any doc
    proc = _wiremap(["new", names[0], "Payments API", "-o", str(tmp_path)], tmp_path)
    assert "exists" in _one_line_error(proc)  # the same name gives the same slug


def test_overlong_output_names_are_one_line(tmp_path: Path) -> None:
    too_long = str(tmp_path / ("x" * 300 + ".md"))
    _one_line_error(_wiremap(["new", "A", "B", "-o", too_long], tmp_path))
    _one_line_error(_wiremap(["index", str(EXAMPLE_DOCS), "-o", too_long], tmp_path))
    _one_line_error(_wiremap(["new", "A", "B", "-o", str(tmp_path / ("x" * 300) / "a.md")], tmp_path))


def test_discover_scaffold_with_overlong_names(tmp_path: Path) -> None:
    service = tmp_path / ("svc" + "b" * 200)
    service.mkdir()
    env_var = "PAYMENTS" + "X" * 200 + "_URL"
    (service / "app.py").write_text(
        f"import os\nimport requests\n\n\ndef pay():\n"
        f'    return requests.get(os.environ["{env_var}"] + "/pay")\n'
    )
    (tmp_path / "docs" / "integrations").mkdir(parents=True)  # none yet (a missing one is exit 2)
    proc = _wiremap(["discover", "--no-cache", "--scaffold", "drafts", "."], tmp_path)
    assert proc.returncode == 0, proc.stderr
    (draft,) = (tmp_path / "drafts").glob("*.md")
    assert len(draft.name.encode()) <= 255
    proc = _wiremap(["discover", "--no-cache", "--scaffold", "x" * 300, "."], tmp_path)
    _one_line_error(proc)
