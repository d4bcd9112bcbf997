"""Docs are untrusted input: each attack of issue 10, played with real listeners on 127.0.0.1 and on this
machine's own interface address (which stands for "a host the doc picked"), under verify, measure and
serve, with the default flags and with the runner's opt-ins.

Each test asserts what the *listener* received (never only what wiremap printed): no secret reaches a host
it is not bound to, no command runs, no remote load or repeated write is sent.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap.catalog import load
from wiremap.cli.main import main
from wiremap.config import load_config
from wiremap.monitor.service import Monitor, ServeOptions
from wiremap.store import open_store

from ._peers import http_recorder, own_address, postgres_asking_password, tcp_sink

SECRET = "s3cr3t-Production-Token-0a9b8c7d"
PASSWORD = "Pr0d-DB-pa55word-x7y8"
PAYMENTS = "checkout-service-to-payments-api"
REDIS = "cart-service-to-cart-redis"


def _doc(folder: Path, name: str, host: str, port: int, *, directive: str = "", endpoint: str = "") -> Path:
    """An example-shop doc pointed at ``host:port`` (what an attacker edits in a pull request)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (EXAMPLE_DOCS / f"{name}.md").read_text(encoding="utf-8")
    text = re.sub(r"\(127\.0\.0\.1:\d+\)", f"({host}:{port})", text, count=1)
    if endpoint:
        text = re.sub(r"\*\*Endpoint:\*\* `[^`]*`", f"**Endpoint:** `{endpoint}`", text, count=1)
    if directive:
        text = text.replace("\n---\n", f"\n---\n\n<!-- wiremap: {directive} -->\n", 1)
    path = folder / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def _verify_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    capsys.readouterr()
    code = main(["verify", *args, "--format", "json", "--timeout", "2"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def _checks(report: list[dict[str, object]]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for integration in report:
        checks = integration["checks"]
        assert isinstance(checks, list)
        out.extend(checks)
    return out


# 1. Secrets sent to a host the doc picks -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["remote", "loopback"])
def test_headers_from_env_in_a_doc_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    host = own_address() if where == "remote" else "127.0.0.1"
    monkeypatch.setenv("CI_SECRET_TOKEN", SECRET)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    with http_recorder(host) as (port, rec):
        _doc(
            tmp_path / "docs",
            PAYMENTS,
            host,
            port,
            endpoint="GET /healthz",
            directive="headers_from_env=X-Leak=CI_SECRET_TOKEN,Authorization=AWS_SECRET_ACCESS_KEY",
        )
        code, report = _verify_json(capsys, str(tmp_path / "docs"))
    assert not rec.saw(SECRET) and not rec.saw("wJalrXUtnFEMI")
    assert rec.requests == []  # the check did not run at all
    (check,) = _checks(report)
    assert check["ok"] is None
    assert "headers_from_env" in str(check["message"]) and "runner" in str(check["message"])
    assert code == 0  # a skip does not fail


def test_headers_from_env_of_the_runner_go_only_to_the_bound_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner's config grants headers_from_env; the doc still picks the host: the token goes only
    where the runner bound it."""
    remote = own_address()
    monkeypatch.setenv("PAYMENTS_AUTH_HEADER", f"Bearer {SECRET}")
    with http_recorder(remote) as (port, rec):
        docs = tmp_path / "docs"
        _doc(docs, PAYMENTS, remote, port, endpoint="GET /healthz")
        runner = tmp_path / "runner.toml"
        runner.write_text(
            f"[tool.wiremap.integrations.{PAYMENTS}]\n"
            'headers_from_env = "Authorization=PAYMENTS_AUTH_HEADER"\n',
            encoding="utf-8",
        )
        code, report = _verify_json(capsys, str(docs), "--config", str(runner))
        assert not rec.saw(SECRET) and rec.requests == []
        (check,) = _checks(report)
        assert check["ok"] is None
        assert "PAYMENTS_AUTH_HEADER is bound to no host" in str(check["message"])
        assert code == 0

        code, report = _verify_json(
            capsys,
            str(docs),
            "--config",
            str(runner),
            "--bind-secret",
            f"PAYMENTS_AUTH_HEADER={remote}:{port}",
        )
        assert _checks(report)[0]["ok"] is True, _checks(report)  # http passed (its contract may not)
        assert [r[2].get("Authorization") for r in rec.requests] == [f"Bearer {SECRET}"]
        assert SECRET not in json.dumps(report)


# 2. Credentials sent to the wrong host ---------------------------------------------------------------------


def test_redis_password_of_the_env_url_never_goes_to_the_docs_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = own_address()
    monkeypatch.setenv("CART_REDIS_URL", f"redis://:{PASSWORD}@cache.internal:6379/0")
    with tcp_sink(remote) as (port, rec):
        _doc(tmp_path / "docs", REDIS, remote, port)
        code, report = _verify_json(capsys, str(tmp_path / "docs"))
    assert not rec.saw(PASSWORD)
    assert rec.connections == 0
    (check,) = _checks(report)
    assert check["ok"] is None
    assert f"CART_REDIS_URL names cache.internal:6379, the doc's destination is {remote}:{port}" in str(
        check["message"]
    )
    assert "credentials not sent" in str(check["message"])
    assert code == 0


def test_redis_password_goes_to_the_host_its_url_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with tcp_sink("127.0.0.1") as (port, rec):
        monkeypatch.setenv("CART_REDIS_URL", f"redis://:{PASSWORD}@127.0.0.1:{port}/0")
        _doc(tmp_path / "docs", REDIS, "127.0.0.1", port)
        _verify_json(capsys, str(tmp_path / "docs"))
    assert rec.saw(PASSWORD)  # bound: the URL names this very host:port


def test_a_bare_password_variable_needs_a_runner_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ORDERS_DATABASE_PASSWORD`` names no host: sent only to a target the runner gave."""
    monkeypatch.setenv("CART_REDIS_PASSWORD", PASSWORD)
    doc_text = (EXAMPLE_DOCS / f"{REDIS}.md").read_text(encoding="utf-8")
    doc_text = doc_text.replace(
        "export CART_TTL_SECONDS=604800", "export CART_REDIS_PASSWORD=${CART_REDIS_PASSWORD}  # the password"
    )
    with tcp_sink("127.0.0.1") as (port, rec):
        docs = tmp_path / "docs"
        path = _doc(docs, REDIS, "127.0.0.1", port)
        path.write_text(re.sub(r"\(127\.0\.0\.1:\d+\)", f"(127.0.0.1:{port})", doc_text, count=1))
        _, report = _verify_json(capsys, str(docs))
        assert not rec.saw(PASSWORD)
        assert "CART_REDIS_PASSWORD is bound to no host" in str(_checks(report)[0]["message"])
        _verify_json(capsys, str(docs), "--target", f"{REDIS}=redis://127.0.0.1:{port}")
        assert rec.saw(PASSWORD)  # the runner chose this target


def test_libpq_never_sends_the_process_pgpassword_to_the_docs_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """libpq reads $PGPASSWORD by itself; wiremap always passes the password explicitly."""
    remote = own_address()
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    monkeypatch.delenv("ORDERS_DATABASE_URL", raising=False)
    with postgres_asking_password(remote) as (port, rec):
        _doc(tmp_path / "docs", "checkout-service-to-orders-database", remote, port)
        _, report = _verify_json(capsys, str(tmp_path / "docs"))
    assert rec.connections >= 1  # it did connect, and was asked for a password
    assert not rec.saw(PASSWORD)
    (check,) = _checks(report)
    assert check["ok"] is False and "PGPASSWORD" in str(check["message"])


def test_credentials_under_serve_are_bound_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = own_address()
    env = {"CART_REDIS_URL": f"redis://:{PASSWORD}@cache.internal:6379/0"}
    with tcp_sink(remote) as (port, rec):
        docs = tmp_path / "docs"
        _doc(docs, REDIS, remote, port)
        store = open_store(f"sqlite:///{tmp_path / 'h.db'}", default_path=tmp_path / "h.db")
        try:
            monitor = Monitor([docs], load_config(start=docs), store, ServeOptions(timeout_s=1.0), env=env)
            for _ in range(3):
                asyncio.run(monitor._probe(REDIS, time.time()))
            state = monitor.state(REDIS)
        finally:
            store.close()
    assert not rec.saw(PASSWORD) and rec.connections == 0
    assert state is not None and state.status.value == "skipped"  # not checked is not down: no alert
    assert "credentials not sent" in monitor.unmonitored[REDIS]


# 3. A config file in the docs tree turns on shell commands -------------------------------------------------


@pytest.mark.parametrize("config_name", ["wiremap.toml", "pyproject.toml"])
def test_a_discovered_config_cannot_turn_on_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config_name: str
) -> None:
    marker = tmp_path / "pwned"
    docs = tmp_path / "repo" / "docs"
    path = _doc(docs, REDIS, "127.0.0.1", 1)
    text = path.read_text(encoding="utf-8").replace("redis-cli -h 127.0.0.1 -p 6379 ping", f"touch {marker}")
    path.write_text(text, encoding="utf-8")
    table = "run-commands = true\n"
    config = tmp_path / "repo" / config_name
    config.write_text(
        table if config_name == "wiremap.toml" else f"[tool.wiremap]\n{table}", encoding="utf-8"
    )

    code, report = _verify_json(capsys, str(docs))
    assert not marker.exists()
    health = [c for c in _checks(report) if c["name"] == "health-check"]
    assert health and health[0]["ok"] is None
    assert "needs --run-commands" in str(health[0]["message"])

    _verify_json(capsys, str(docs), "--config", str(config))  # the runner names it: now it is theirs
    assert marker.exists()
    marker.unlink()
    _verify_json(capsys, str(docs), "--run-commands")
    assert marker.exists()


def test_a_doc_cannot_turn_on_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    path = _doc(tmp_path / "docs", REDIS, "127.0.0.1", 1, directive="run_commands=true")
    path.write_text(
        path.read_text(encoding="utf-8").replace("redis-cli -h 127.0.0.1 -p 6379 ping", f"touch {marker}"),
        encoding="utf-8",
    )
    _, report = _verify_json(capsys, str(tmp_path / "docs"))
    assert not marker.exists()
    assert any(c["name"] == "health-check" and c["ok"] is None for c in _checks(report))


# 4. A doc lifts the load-test guard; writes need their own opt-in ------------------------------------------


def test_a_doc_cannot_allow_remote_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    remote = own_address()
    with http_recorder(remote) as (port, rec):
        doc = _doc(
            tmp_path / "docs", PAYMENTS, remote, port, endpoint="GET /healthz", directive="allow_remote=true"
        )
        args = ["measure", str(doc), "--rate", "20", "--duration", "0.5", "--warmup", "0"]
        assert main(args) == 2
        assert "only the runner may set" in capsys.readouterr().err
        assert rec.requests == []
        assert main([*args, "--allow-remote", "--format", "json"]) == 0  # the runner's flag
        assert len(rec.requests) >= 5


def test_remote_load_does_not_imply_write_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    remote = own_address()
    with http_recorder(remote) as (port, rec):
        doc = _doc(tmp_path / "docs", PAYMENTS, remote, port)  # POST /v1/charges
        args = ["measure", str(doc), "--rate", "20", "--duration", "0.5", "--warmup", "0", "--allow-remote"]
        assert main(args) == 2
        assert "--allow-writes" in capsys.readouterr().err
        assert rec.requests == []
        assert main([*args, "--allow-writes", "--format", "json"]) == 0
        assert {r[0] for r in rec.requests} == {"POST"}


def test_loopback_write_load_needs_allow_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with http_recorder("127.0.0.1") as (port, rec):
        doc = _doc(tmp_path / "docs", PAYMENTS, "127.0.0.1", port, directive="allow_writes=true")
        assert main(["measure", str(doc), "--rate", "20", "--duration", "0.5", "--warmup", "0"]) == 2
        assert rec.requests == []


# 7. Repeated writes under serve ----------------------------------------------------------------------------


def _serve_rounds(docs: Path, tmp_path: Path, options: ServeOptions, rounds: int = 3) -> Monitor:
    store = open_store(f"sqlite:///{tmp_path / 'h.db'}", default_path=tmp_path / "h.db")
    try:
        monitor = Monitor([docs], load_config(start=docs), store, options, env={})
        for _ in range(rounds):
            asyncio.run(monitor._probe(PAYMENTS, time.time()))
        return monitor
    finally:
        store.close()


def test_serve_never_repeats_a_write_to_loopback(tmp_path: Path) -> None:
    with http_recorder("127.0.0.1") as (port, rec):
        docs = tmp_path / "docs"
        _doc(docs, PAYMENTS, "127.0.0.1", port, directive="allow_writes=true")  # the doc asks: not enough
        monitor = _serve_rounds(docs, tmp_path, ServeOptions(timeout_s=1.0))
        assert rec.requests == []
        state = monitor.state(PAYMENTS)
        assert state is not None and state.status.value == "skipped"
        assert "--allow-writes" in monitor.unmonitored[PAYMENTS]

        monitor = _serve_rounds(
            docs, tmp_path, ServeOptions(timeout_s=1.0, allow_writes=frozenset({PAYMENTS}))
        )
        assert [r[0] for r in rec.requests] == ["POST"] * 3


def test_verify_still_sends_one_write_to_loopback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with http_recorder("127.0.0.1") as (port, rec):
        _doc(tmp_path / "docs", PAYMENTS, "127.0.0.1", port)
        _verify_json(capsys, str(tmp_path / "docs"))
    assert [r[0] for r in rec.requests] == ["POST"]


# Settings: typed, one truth table, never ignored silently --------------------------------------------------


def test_a_misspelled_setting_in_a_config_is_an_error_with_its_line(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE_DOCS, tmp_path / "docs")
    (tmp_path / "wiremap.toml").write_text(
        f'docs = "docs"\n\n[integrations.{PAYMENTS}]\nexpect_staus = [201]\n', encoding="utf-8"
    )
    from wiremap._errors import ConfigError

    with pytest.raises(
        ConfigError, match=r"wiremap\.toml:4: .*unknown setting 'expect_staus' \(did you mean"
    ):
        load_config(start=tmp_path)


def test_runner_only_keys_of_a_repository_config_are_not_used(tmp_path: Path) -> None:
    (tmp_path / "wiremap.toml").write_text(
        "run-commands = true\n\n[bind-secrets]\nPROD_TOKEN = 'attacker.example:443'\n\n"
        f"[integrations.{PAYMENTS}]\nallow_remote = true\ninsecure = true\ninterval = '10s'\n",
        encoding="utf-8",
    )
    config = load_config(start=tmp_path)
    assert config.run_commands is False and config.bind_secrets == {}
    assert config.integrations[PAYMENTS] == {"interval": "10s"}
    assert sorted(config.refused) == [
        "bind-secrets",
        f"integrations.{PAYMENTS}.allow_remote",
        f"integrations.{PAYMENTS}.insecure",
        "run-commands",
    ]
    runner = load_config(tmp_path / "wiremap.toml")
    assert runner.run_commands is True and runner.bind_secrets == {"PROD_TOKEN": ["attacker.example:443"]}
    integ = load(EXAMPLE_DOCS / f"{PAYMENTS}.md").docs[0].integration
    assert runner.settings_for(integ)["allow_remote"] is True
    assert "allow_remote" not in config.settings_for(integ)


def test_a_token_in_the_user_name_of_a_url_is_bound_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``nats://TOKEN@host`` carries its secret where a user name would be."""
    remote = own_address()
    doc = (EXAMPLE_DOCS / f"{REDIS}.md").read_text(encoding="utf-8")
    doc = doc.replace("**Protocol:** Redis", "**Protocol:** NATS").replace("CART_REDIS_URL", "CART_NATS_URL")
    monkeypatch.setenv("CART_NATS_URL", f"nats://{SECRET}@nats.internal:4222")
    with tcp_sink(remote, reply=b'INFO {"server_id":"x","auth_required":true}\r\n') as (port, rec):
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "nats.md").write_text(re.sub(r"\(127\.0\.0\.1:\d+\)", f"({remote}:{port})", doc, count=1))
        _, report = _verify_json(capsys, str(docs))
    assert not rec.saw(SECRET) and rec.connections == 0
    assert "CART_NATS_URL names nats.internal:4222" in str(_checks(report)[0]["message"])


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        ("interval=10ms", "at least 1s"),
        ("ca_bundle=/dev/zero", "not a regular file"),
    ],
)
def test_settings_a_doc_could_use_against_the_runner_are_refused(directive: str, message: str) -> None:
    from wiremap.document import parse_text
    from wiremap.trust.resolve import resolve_settings

    integ = parse_text(f"# Integration: A → B\n\n<!-- wiremap: {directive} -->\n", "x.md").integration
    resolved = resolve_settings(integ, load_config(start=Path("/")))
    key = directive.partition("=")[0]
    assert key not in resolved.values
    assert [p.line for p in resolved.problems] == [3] and message in resolved.problems[0].message


def test_a_source_path_outside_the_project_is_not_read(tmp_path: Path) -> None:
    from wiremap.code.project import Project
    from wiremap.document import parse_text

    (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
    project = Project(tmp_path, use_cache=False)
    for ref, expected in [
        ("app.py:1", "app.py"),
        ("../../../../etc/passwd:1", None),
        ("/etc/passwd:1", None),
    ]:
        text = f"# Integration: A → B\n\n## Quick Reference\n\n**Source:** `{ref}`\n"
        assert project.source_path(parse_text(text, "x.md").integration) == expected


def test_serve_process_with_every_attack_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real ``wiremap serve`` for a few intervals over a docs tree from a pull request: a doc asking for
    headers_from_env, a Redis doc pointed at the attacker with the runner's REDIS_URL in the environment,
    a POST doc on loopback, and a wiremap.toml turning on commands and binding a secret to the attacker."""
    from tests.web._live import Serve

    remote = own_address()
    monkeypatch.setenv("CI_SECRET_TOKEN", SECRET)
    monkeypatch.setenv("CART_REDIS_URL", f"redis://:{PASSWORD}@cache.internal:6379/0")
    marker = tmp_path / "pwned"
    with (
        http_recorder(remote) as (h_port, h_rec),
        tcp_sink(remote) as (r_port, r_rec),
        http_recorder("127.0.0.1") as (w_port, w_rec),
    ):
        repo = tmp_path / "repo"
        docs = repo / "docs"
        _doc(docs, PAYMENTS, "127.0.0.1", w_port)  # POST /v1/charges
        leak = _doc(
            docs / "leak",
            PAYMENTS,
            remote,
            h_port,
            endpoint="GET /healthz",
            directive="headers_from_env=X-Leak=CI_SECRET_TOKEN interval=1s",
        )
        leak.write_text(leak.read_text(encoding="utf-8").replace("Checkout Service", "Leaky Service"))
        cart = _doc(docs, REDIS, remote, r_port)
        cart.write_text(
            cart.read_text(encoding="utf-8").replace("redis-cli -h 127.0.0.1 -p 6379 ping", f"touch {marker}")
        )
        (repo / "wiremap.toml").write_text(
            f"docs = 'docs'\nrun-commands = true\n\n[bind-secrets]\nCI_SECRET_TOKEN = '{remote}:{h_port}'\n"
            f"CART_REDIS_URL = '{remote}:{r_port}'\n",
            encoding="utf-8",
        )
        serve = Serve([str(docs), "--interval", "0.3s", "--port", "0", "--no-watch"], cwd=repo)
        try:
            url = serve.start()
            time.sleep(3)
            import urllib.request

            with urllib.request.urlopen(f"{url}/api/integrations", timeout=5) as resp:
                api = resp.read().decode()
        finally:
            assert serve.stop() == 0
    assert h_rec.requests == [] and not h_rec.saw(SECRET)
    assert r_rec.connections == 0 and not r_rec.saw(PASSWORD)
    assert w_rec.requests == []  # the POST is never repeated without --allow-writes
    assert not marker.exists()
    assert SECRET not in serve.output() + api and PASSWORD not in serve.output() + api
    assert "run-commands" in serve.output() and "bind-secrets" in serve.output()  # told, once
    states = {i["id"]: i for i in json.loads(api)["integrations"]}
    assert all(s["status"] == "skipped" for s in states.values()), states


# Found by a helper attacking the first version ------------------------------------------------------------


@pytest.mark.parametrize(
    ("env_url", "destination"),
    [
        # a name that starts like a loopback address is a name
        ("redis://:{pw}@127.0.0.1:6379/0", "127.0.0.1.attacker.example:6379"),
        # a libpq-style host list is no single host
        ("redis://:{pw}@127.0.0.1:6379/0", "127.0.0.1,{remote}:{port}"),
        # credentials for no host (a socket URL) belong to no destination
        ("redis://:{pw}@/0", "{remote}:{port}"),
        # host matches, port differs
        ("redis://:{pw}@{remote}:16379/0", "{remote}:{port}"),
        # the destination names no port: the probe's default port may be another service
        ("redis://:{pw}@{remote}:6379/0", "{remote}"),
    ],
)
def test_credentials_go_only_to_their_exact_host_and_port(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env_url: str,
    destination: str,
) -> None:
    remote = own_address()
    with tcp_sink(remote) as (port, rec):
        monkeypatch.setenv("CART_REDIS_URL", env_url.format(pw=PASSWORD, remote=remote))
        docs = tmp_path / "docs"
        path = _doc(docs, REDIS, "127.0.0.1", 1)
        dest = destination.format(remote=remote, port=port)
        path.write_text(
            path.read_text(encoding="utf-8").replace("(127.0.0.1:1)", f"({dest})"), encoding="utf-8"
        )
        _, report = _verify_json(capsys, str(docs))
    assert not rec.saw(PASSWORD)
    (check,) = _checks(report)
    assert check["ok"] is None and "not sent" in str(check["message"]), check


def test_a_runner_target_gets_bare_secrets_but_not_another_hosts_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CART_REDIS_URL", f"redis://:{PASSWORD}@cache.internal:6379/0")
    with tcp_sink("127.0.0.1") as (port, rec):
        _doc(tmp_path / "docs", REDIS, "127.0.0.1", 1)
        _, report = _verify_json(
            capsys, str(tmp_path / "docs"), "--target", f"{REDIS}=redis://127.0.0.1:{port}"
        )
        assert not rec.saw(PASSWORD) and "CART_REDIS_URL names cache.internal:6379" in str(report)
        _verify_json(
            capsys,
            str(tmp_path / "docs"),
            "--target",
            f"{REDIS}=redis://127.0.0.1:{port}",
            "--bind-secret",
            f"CART_REDIS_URL=127.0.0.1:{port}",
        )
        assert rec.saw(PASSWORD)  # the runner bound it to this port-forward


def test_a_repository_config_names_paths_of_the_repository_only(tmp_path: Path) -> None:
    from wiremap._errors import ConfigError

    repo = tmp_path / "repo"
    repo.mkdir()
    for key in ("baseline", "root", "docs"):
        (repo / "wiremap.toml").write_text(f'{key} = "../../victim/.bashrc"\n', encoding="utf-8")
        with pytest.raises(
            ConfigError,
            match=rf"wiremap\.toml:1: {key} = .* is outside the config.s folder \(.*, not in a git repo",
        ):
            load_config(start=repo)
        load_config(repo / "wiremap.toml")  # the runner's: its paths are the runner's business


def test_a_look_alike_id_does_not_inherit_another_docs_target() -> None:
    from wiremap.document import parse_text

    real = parse_text("# Integration: Checkout Service → Payments API\n", "a.md").integration
    twin = parse_text("# Integration: Checkout Servıce → Payments API\n", "b.md").integration  # dotless ı
    assert real.env_id == "CHECKOUT_SERVICE_TO_PAYMENTS_API"
    assert twin.env_id != real.env_id and twin.env_id.isascii()


def test_a_websocket_redirect_is_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 3xx to the handshake is the destination's answer; the host it names gets nothing."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    remote = own_address()
    with tcp_sink(remote) as (other_port, other):

        class Redirect(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self.send_response(302)
                self.send_header("Location", f"ws://{remote}:{other_port}/v1/stream")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            port = server.server_address[1]
            name = "notifications-service-to-realtime-gateway"
            _doc(tmp_path / "docs", name, "127.0.0.1", port, endpoint=f"ws://127.0.0.1:{port}/v1/stream")
            _, report = _verify_json(capsys, str(tmp_path / "docs"))
        finally:
            server.shutdown()
            server.server_close()
    assert other.connections == 0
    assert "HTTP 302" in str(_checks(report)[0]["message"])


def test_a_doc_cannot_make_serve_probe_more_often_than_the_runner_said(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _doc(docs, REDIS, "127.0.0.1", 1, directive="interval=1s")
    _doc(docs, PAYMENTS, "127.0.0.1", 1, directive="interval=2m")
    store = open_store(f"sqlite:///{tmp_path / 'h.db'}", default_path=tmp_path / "h.db")
    try:
        monitor = Monitor([docs], load_config(start=docs), store, ServeOptions(interval_s=30.0), env={})
        catalog = {i.integration.id: i.integration for i in monitor.trackers.values()}
        assert monitor.settings(catalog[REDIS])[0] == 30.0  # asked for 1 s: the runner's 30 s holds
        assert monitor.settings(catalog[PAYMENTS])[0] == 120.0  # less often is fine
    finally:
        store.close()
