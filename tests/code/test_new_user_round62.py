"""discover on a TypeScript service (new user, round 62): each was wrong before."""

from __future__ import annotations

from pathlib import Path

from wiremap.code.discover import discover
from wiremap.code.index import index_tree

from .test_new_user_round48 import _tree

CONFIG = 'export const config = {\n  billingUrl: process.env.BILLING_URL ?? "http://127.0.0.1:9000",\n};\n'
BILLING = (
    'import axios from "axios";\nimport { config } from "./config";\n\n'
    "const api = axios.create({ baseURL: config.billingUrl, timeout: 2000 });\n\n"
    "export async function invoice(id: string) {\n  const res = await api.get(`/invoices/${id}`);\n"
    "  return res.data;\n}\n\n"
    'export async function pay(id: string) {\n  return api.post("/payments", { id });\n}\n'
)


def test_a_client_whose_base_url_is_unknown_is_still_one_integration_with_its_calls(tmp_path: Path) -> None:
    """The base URL read from another module's config object: the create and each call were three
    integrations (a template path was no path, and paths joined only a client that named its peer)."""
    root = _tree(tmp_path, {"src/config.ts": CONFIG, "src/billing.ts": BILLING})
    found = discover(index_tree(root, use_cache=False), [])
    (group,) = found.groups
    assert [(sc.site.line, sc.site.target) for sc in group.sites] == [
        (4, "http://127.0.0.1:9000"),  # config.ts's default: the peer when BILLING_URL is unset
        (7, "/invoices/${id}"),
        (12, "/payments"),
    ]
    assert group.env == "BILLING_URL"


def test_another_modules_object_is_read_through_esm_specifiers_and_unknown_members(tmp_path: Path) -> None:
    """``./config.js`` written for config.ts (ESM in TypeScript); a member the object does not hold is no
    target, never the marker."""
    billing = BILLING.replace('"./config"', '"./config.js"').replace(
        'api.post("/payments"', 'axios.post(config.missing + "/x"'
    )
    root = _tree(tmp_path, {"src/config.ts": CONFIG, "src/billing.ts": billing})
    sites = sorted(index_tree(root, use_cache=False).files["src/billing.ts"].sites, key=lambda s: s.line)
    assert [(s.line, s.target, s.env) for s in sites if s.line in (4, 12)] == [
        (4, "http://127.0.0.1:9000", "BILLING_URL"),
        (12, None, None),
    ]


def test_a_path_call_does_not_join_one_of_two_clients_that_name_no_peer(tmp_path: Path) -> None:
    """Two clients in a file, neither saying where it goes: a path call could be either's (not guessed)."""
    two = BILLING.replace(
        "const api = axios.create({ baseURL: config.billingUrl, timeout: 2000 });\n",
        "const api = axios.create({ baseURL: config.x });\n"
        "const other = axios.create({ baseURL: config.y });\n",
    )
    root = _tree(tmp_path, {"src/config.ts": CONFIG, "src/billing.ts": two})
    found = discover(index_tree(root, use_cache=False), [])
    assert len(found.groups) == 4  # two clients, and the two path calls on their own


def test_a_nested_member_of_another_modules_object(tmp_path: Path) -> None:
    """``config.payments.baseUrl`` (round 63): read two levels into config.ts's object."""
    config = (
        "export const config = {\n  payments: {\n"
        '    baseUrl: process.env.PAYMENTS_API_URL ?? "http://127.0.0.1:24811",\n  },\n};\n'
    )
    api = (
        'import axios from "axios";\nimport { config } from "./config";\n\n'
        "export const payments = axios.create({ baseURL: config.payments.baseUrl });\n"
    )
    root = _tree(tmp_path, {"src/config.ts": config, "src/api.ts": api})
    (site,) = index_tree(root, use_cache=False).files["src/api.ts"].sites
    assert (site.target, site.env) == ("http://127.0.0.1:24811", "PAYMENTS_API_URL")
