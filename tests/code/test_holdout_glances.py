"""Shapes a third hold-out project (a system monitor with many export backends) showed discover missing:
each was missed before (bench/realcode: glances, blind recall 0.73)."""

from __future__ import annotations

from pathlib import Path

from wiremap.code.index import index_tree


def _sites(tmp_path: Path, files: dict[str, str]) -> dict[str, list[tuple[int, str, str]]]:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    index = index_tree(tmp_path, use_cache=False)
    return {rel: [(s.line, s.client, s.protocol) for s in f.sites] for rel, f in index.files.items()}


def test_a_library_function_another_project_module_re_exports(tmp_path: Path) -> None:
    sites = _sites(
        tmp_path,
        {
            "mon/__init__.py": "",
            "mon/globals.py": (
                "from urllib.request import Request, urlopen\n\n\ndef nativestr(s):\n    return s\n"
            ),
            "mon/outdated.py": (
                "from mon.globals import nativestr, urlopen\n\nURL = 'https://pypi.org/pypi/x/json'\n\n\n"
                "def latest():\n    return nativestr(urlopen(URL, timeout=3).read())\n"
            ),
        },
    )
    assert sites["mon/outdated.py"] == [(7, "urllib.request.urlopen", "http")]


def test_xmlrpc_through_defusedxml_snmp_commands_and_zeroconf(tmp_path: Path) -> None:
    sites = _sites(
        tmp_path,
        {
            "c.py": (
                "from defusedxml import xmlrpc\n\n\ndef proxy(uri, t):\n"
                "    return xmlrpc.xmlrpc_client.ServerProxy(uri, transport=t)\n"
            ),
            "snmp.py": (
                "from pysnmp.entity.rfc3413.oneliner import cmdgen\n\n\nclass Snmp:\n"
                "    def __init__(self, host):\n        self.host = host\n"
                "        self.gen = cmdgen.CommandGenerator()\n\n"
                "    def get(self, oid):\n        return self.gen.getCmd(\n"
                "            cmdgen.CommunityData('public'),\n"
                "            cmdgen.UdpTransportTarget((self.host, 161)), oid\n"
                "        )\n"
            ),
            "mdns.py": "from zeroconf import Zeroconf\n\n\ndef browse():\n    return Zeroconf()\n",
        },
    )
    assert sites["c.py"] == [(5, "defusedxml.xmlrpc.xmlrpc_client.ServerProxy", "http")]
    assert sites["snmp.py"] == [(10, "pysnmp.CommandGenerator.getCmd", "snmp")]
    assert sites["mdns.py"] == [(5, "zeroconf.Zeroconf", "mdns")]


def test_a_listed_client_packages_function_given_an_apis_address(tmp_path: Path) -> None:
    """``litellm.get_valid_models(api_base=…)`` calls that endpoint (a changedetection hold-out miss); a
    function of an unlisted package, or one given no API address, is none."""
    sites = _sites(
        tmp_path,
        {
            "llm.py": (
                "import litellm\nimport somelib\n\n\ndef models(base):\n"
                "    a = litellm.get_valid_models(check_provider_endpoint=True, api_base=base)\n"
                "    b = somelib.get_things(api_base=base)\n"
                "    return a, b, litellm.get_valid_models()\n"
            )
        },
    )
    assert sites["llm.py"] == [(6, "litellm.get_valid_models", "http")]


def test_a_subclass_of_a_client_class_sends_through_its_inherited_methods(tmp_path: Path) -> None:
    """An apprise plugin's subclass posts through the base's ``_send`` and ``super().send`` (a
    changedetection hold-out miss); its own methods, and an operation on a non-HTTP client, are none."""
    sites = _sites(
        tmp_path,
        {
            "plugin.py": (
                "from apprise.plugins.discord import NotifyDiscord\n\n\nclass Colored(NotifyDiscord):\n"
                "    def send(self, body, **kw):\n        if kw:\n            return self._fancy(body)\n"
                "        return super().send(body, **kw)\n\n    def _fancy(self, body):\n"
                "        return self._send({'content': body})\n"
            ),
            "cache.py": (
                "import redis\n\n\nclass Cache(redis.Redis):\n    def price(self, sku):\n"
                "        return self.get(f'price:{sku}')\n"
            ),
        },
    )
    assert [(line, client) for line, client, _ in sites["plugin.py"]] == [
        (8, "apprise.plugins.discord.NotifyDiscord.send"),
        (11, "apprise.plugins.discord.NotifyDiscord._send"),
    ]
    assert sites["cache.py"] == []


def test_a_requests_session_subclass_requests_through_itself(tmp_path: Path) -> None:
    """``self.post(…)`` inside ``class LedgerSession(requests.Session)`` was no site (new user, round 51)."""
    sites = _sites(
        tmp_path,
        {
            "a.py": (
                "import requests\n\n\nclass LedgerSession(requests.Session):\n    def entry(self, e):\n"
                '        return self.post("http://ledger.internal:9101/v1/entries", json=e, timeout=5)\n'
            )
        },
    )
    assert sites["a.py"] == [(6, "requests.Session.post", "http")]
