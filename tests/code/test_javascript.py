"""The JavaScript/TypeScript indexer on realistic fixture files (every site and env read written down) and
on small pointed snippets: what is a site, what is not, what it reaches, and that no input breaks it."""

from __future__ import annotations

import os
import textwrap

import pytest

from tests._paths import FIXTURES
from wiremap.code.javascript import index_javascript
from wiremap.code.model import CallSite, Definition, EnvRead, FileIndex, ImportRef

JS = FIXTURES / "code" / "js"

Site = tuple[int, str, str, str | None, str | None, str]  # line, client, protocol, target, env, scope


def _fixture(name: str) -> FileIndex:
    return index_javascript(name, (JS / name).read_bytes(), "sha1")


def _sites(index: FileIndex) -> list[Site]:
    assert all(s.path == index.path for s in index.sites)
    return [(s.line, s.client, s.protocol, s.target, s.env, s.scope) for s in index.sites]


def _envs(index: FileIndex) -> list[tuple[int, str, str | None]]:
    assert all(e.path == index.path for e in index.env_reads)
    return [(e.line, e.name, e.default) for e in index.env_reads]


def _snippet(src: str, path: str = "m.ts") -> FileIndex:
    return index_javascript(path, textwrap.dedent(src).encode(), "sha")


# -- fixtures ------------------------------------------------------------------------------------------------


def test_commonjs_service() -> None:
    index = _fixture("orders_service.js")
    assert (index.path, index.language, index.sha, index.lines, index.error) == (
        "orders_service.js",
        "javascript",
        "sha1",
        48,
        None,
    )
    assert index.imports == (
        ImportRef("axios", None, "axios", 4),
        ImportRef("pg", "Pool", "Pool", 5),
        ImportRef("amqplib", None, "amqp", 6),
        ImportRef("ioredis", None, "Redis", 7),
    )
    assert index.definitions == (
        Definition("OrderService", "OrderService", "class", 19, 39),
        Definition("constructor", "OrderService.constructor", "method", 20, 22),
        Definition("price", "OrderService.price", "method", 24, 27),
        Definition("place", "OrderService.place", "method", 29, 38),
        Definition("startConsumer", "startConsumer", "function", 41, 46),
    )
    assert _sites(index) == [
        (12, "axios.create", "http", "http://catalog:8080", "CATALOG_URL", ""),
        (14, "pg.Pool", "postgresql", None, "DATABASE_URL", ""),
        (21, "ioredis.Redis", "redis", "redis:6379", "REDIS_HOST", "OrderService.constructor"),  # host:port
        (25, "axios.Axios.get", "http", "/products/${sku}", None, "OrderService.price"),  # a path, as written
        (37, "axios.post", "http", "https://hooks.example.com/orders", None, "OrderService.place"),
        (42, "amqplib.connect", "amqp", None, "RABBITMQ_URL", "startConsumer"),
    ]
    assert _envs(index) == [
        (9, "CATALOG_URL", "http://catalog:8080"),
        (10, "RABBITMQ_URL", None),
        (10, "REDIS_HOST", "redis"),
        (15, "DATABASE_URL", None),
    ]


def test_typescript_clients() -> None:
    index = _fixture("payments_client.ts")
    assert (index.language, index.lines, index.error) == ("typescript", 49, None)
    assert ImportRef("axios", "AxiosInstance", "AxiosInstance", 1) in index.imports
    assert ImportRef("@grpc/grpc-js", None, "grpc", 6) in index.imports
    assert [(d.qualname, d.kind, d.line, d.end_line) for d in index.definitions] == [
        ("env", "function", 9, 13),
        ("PaymentsClient", "class", 19, 35),
        ("PaymentsClient.constructor", "method", 23, 25),
        ("PaymentsClient.charge", "method", 27, 30),
        ("PaymentsClient.archive", "method", 32, 34),
        ("connectMongo", "function", 43, 45),
    ]
    assert _sites(index) == [
        (21, "@aws-sdk/client-s3.S3Client", "aws", None, "S3_ENDPOINT", "PaymentsClient"),
        # baseURL comes from a constructor parameter whose default reads the env var
        (24, "axios.create", "http", None, "PAYMENTS_API_URL", "PaymentsClient.constructor"),
        (28, "axios.Axios.post", "http", "/charges", None, "PaymentsClient.charge"),
        (37, "kafkajs.Kafka", "kafka", "kafka-1:9092", None, ""),
        (44, "mongodb.MongoClient.connect", "mongodb", None, "MONGO_URL", "connectMongo"),
        (47, "nodemailer.createTransport", "smtp", "smtp.example.com:587", None, ""),  # host:port
        # a client class generated from a .proto, recognised by its grpc.credentials argument
        (49, "@grpc/grpc-js.Client", "grpc", "ledger:50051", "LEDGER_ADDR", ""),
    ]
    # env("NAME", "fallback") is the file's own helper over process.env[name]
    assert _envs(index) == [
        (15, "LEDGER_ADDR", "ledger:50051"),
        (21, "S3_ENDPOINT", None),
        (23, "PAYMENTS_API_URL", None),
        (44, "MONGO_URL", None),
    ]


def test_tsx_component() -> None:
    index = _fixture("dashboard.tsx")
    assert (index.language, index.lines, index.error) == ("typescript", 31, None)
    assert index.definitions == (Definition("Dashboard", "Dashboard", "function", 8, 31),)
    assert _sites(index) == [
        (12, "fetch", "http", "http://localhost:8080", "VITE_API_BASE", "Dashboard"),  # its default
        (15, "socket.io-client.io", "websocket", "wss://live.example.com", None, "Dashboard"),
        (16, "WebSocket", "websocket", "wss://feed.example.com/stream", None, "Dashboard"),
    ]
    assert _envs(index) == [(4, "VITE_API_BASE", "http://localhost:8080")]


def test_es_module_gateway() -> None:
    index = _fixture("gateway.mjs")
    assert (index.language, index.lines, index.error) == ("javascript", 30, None)
    assert ImportRef("node:http", None, "http", 1) in index.imports
    assert ImportRef("nats", "connect", "natsConnect", 7) in index.imports
    assert _sites(index) == [
        (14, "mysql2.createPool", "mysql", "mysql.internal", None, ""),
        (15, "nats.connect", "nats", "nats://nats:4222", "NATS_URL", ""),
        (16, "mqtt.connect", "mqtt", "mqtt://broker.internal:1883", None, ""),
        (17, "redis.createClient", "redis", None, "REDIS_URL", ""),
        (20, "undici.request", "http", None, "INVENTORY_URL", "proxy"),
        (21, "node-fetch", "http", None, None, "proxy"),
        (22, "got.get", "http", "https://status.example.com/health", None, "proxy"),
        (27, "http.get", "http", "http://localhost:9000/ping", None, "ping"),
        (28, "https.request", "http", "api.partner.com", None, "ping"),
        (29, "ws.WebSocket", "websocket", "ws://events.internal:8081", None, "ping"),
    ]
    assert _envs(index) == [
        (12, "INVENTORY_URL", None),
        (15, "NATS_URL", "nats://nats:4222"),
        (17, "REDIS_URL", None),
    ]


def test_negatives_find_nothing() -> None:
    """Imports alone, type annotations, a local ``fetch``, an injected ``WebSocket``, calls in comments
    and strings, a client's query method and a call to a library never imported are not sites."""
    index = _fixture("negatives.ts")
    assert index.error is None
    assert index.sites == ()
    assert index.env_reads == ()
    assert [i.module for i in index.imports] == ["axios", "pg", "kafkajs"]
    assert [d.qualname for d in index.definitions] == ["fetch", "load", "withClient"]


# -- snippets ------------------------------------------------------------------------------------------------


def test_languages_by_extension() -> None:
    src = b"const r = fetch('https://a.example');\n"
    for path, language in [
        ("a.js", "javascript"),
        ("a.mjs", "javascript"),
        ("a.cjs", "javascript"),
        ("a.jsx", "javascript"),
        ("a.ts", "typescript"),
        ("a.mts", "typescript"),
        ("a.cts", "typescript"),
        ("A.TSX", "typescript"),
    ]:
        index = index_javascript(path, src, "s")
        assert (index.language, index.lines) == (language, 1), path
        assert index.sites == (CallSite(path, 1, "fetch", "http", "https://a.example", None, ""),)


def test_jsx_parses_with_the_javascript_grammar() -> None:
    index = _snippet(
        """
        export const App = () => <button onClick={() => fetch("/api/click")}>go</button>;
        """,
        "app.jsx",
    )
    assert [(s.line, s.client, s.target, s.scope) for s in index.sites] == [(2, "fetch", "/api/click", "App")]


def test_instances_aliases_and_destructuring() -> None:
    index = _snippet(
        """
        import * as pg from "pg";
        const got = require("got");
        const { MongoClient: Mongo } = require("mongodb");
        const Pool = pg.Pool;
        const client = got.extend({ prefixUrl: "https://api.example.com" });
        export class Repo {
          api = require("axios").create({ baseURL: "https://repo.example.com" });
          async all() {
            await this.api.request({ url: "/all" });
            await client.post("things");
            return new Pool({ host: "db.internal" });
          }
        }
        new Mongo("mongodb://mongo:27017");
        """
    )
    assert _sites(index) == [
        (6, "got.extend", "http", "https://api.example.com", None, ""),
        (8, "axios.create", "http", "https://repo.example.com", None, "Repo"),
        (10, "axios.Axios.request", "http", "/all", None, "Repo.all"),
        (11, "got.post", "http", "things", None, "Repo.all"),
        (12, "pg.Pool", "postgresql", "db.internal", None, "Repo.all"),
        (15, "mongodb.MongoClient", "mongodb", "mongodb://mongo:27017", None, ""),
    ]
    assert ImportRef("mongodb", "MongoClient", "Mongo", 4) in index.imports
    assert ImportRef("axios", None, "", 8) in index.imports  # an unbound require() is still an import


def test_typed_parameters_and_parameter_properties() -> None:
    """An annotation is no site, but it types the parameter whose methods are (Angular, NestJS, axios)."""
    index = _snippet(
        """
        import { HttpClient } from "@angular/common/http";
        import type { AxiosInstance } from "axios";
        import { Pool } from "pg";

        export class UserService {
          constructor(private readonly http: HttpClient, plain: HttpClient) {}

          list() {
            return this.http.get<string[]>("/api/users");
          }
        }

        export function load(client: AxiosInstance, pool: Pool, base = process.env.BASE) {
          pool.query("SELECT 1");
          return client.get(base);
        }
        """
    )
    assert _sites(index) == [
        (10, "@angular/common/http.HttpClient.get", "http", "/api/users", None, "UserService.list"),
        (16, "axios.Axios.get", "http", None, "BASE", "load"),
    ]


def test_targets_through_constants_objects_and_concatenation() -> None:
    index = _snippet(
        """
        import { createClient } from "redis";
        const HOST = "https://api.example.com";
        const config = { redis: { url: process.env.REDIS_URL } };
        const base = process.env.BASE_URL ?? "http://localhost:3000";
        let later;
        later = "wss://later.example.com";
        fetch(HOST);
        fetch(HOST + "/v1");
        fetch(base + "/v2");
        createClient(config.redis);
        new WebSocket(later);
        fetch(`https://static.example.com/x`);
        fetch(`https://${HOST}/y`);
        """
    )
    assert [(s.line, s.client, s.target, s.env) for s in index.sites] == [
        (8, "fetch", "https://api.example.com", None),
        (9, "fetch", "https://api.example.com/v1", None),
        (10, "fetch", None, "BASE_URL"),
        (11, "redis.createClient", None, "REDIS_URL"),
        (12, "WebSocket", "wss://later.example.com", None),
        (13, "fetch", "https://static.example.com/x", None),
        (14, "fetch", None, None),  # a template with substitutions is no literal target
    ]


def test_env_reads_and_defaults() -> None:
    index = _snippet(
        """
        const a = process.env.A;
        const b = process.env["B"] || "b-default";
        const c = (process.env.C as string) ?? 8080;
        const { D, E: e = "e-default" } = process.env;
        const key = "F";
        const f = process.env[key];
        const dynamic = process.env[name];
        const g = import.meta.env.VITE_G;
        """
    )
    assert _envs(index) == [
        (2, "A", None),
        (3, "B", "b-default"),
        (4, "C", "8080"),
        (5, "D", None),
        (5, "E", "e-default"),
        (7, "F", None),
        (9, "VITE_G", None),
    ]


def test_shadowing_is_scoped() -> None:
    index = _snippet(
        """
        function handler(fetch) {
          return fetch("https://injected.example.com");
        }
        function real() {
          return fetch("https://global.example.com");
        }
        const axios = { get: (u) => u };
        axios.get("https://not-axios.example.com");
        """
    )
    assert [(s.line, s.client, s.scope) for s in index.sites] == [(6, "fetch", "real")]


def test_compiled_typescript_interop() -> None:
    index = _snippet(
        """
        const axios_1 = __importDefault(require("axios"));
        const ioredis_1 = require("ioredis");
        axios_1.default.get("https://compiled.example.com");
        new ioredis_1.default("redis://cache:6379");
        """,
        "dist/app.js",
    )
    assert [(s.line, s.client, s.target) for s in index.sites] == [
        (4, "axios.get", "https://compiled.example.com"),
        (5, "ioredis.Redis", "redis://cache:6379"),
    ]


def test_definitions_nest() -> None:
    index = _snippet(
        """
        export default class Api {
          static #count = 0;
          get size() { return 1; }
          handle = async () => {
            function inner() {}
          };
        }
        const routes = {
          list() {},
        };
        export function* gen() {}
        """
    )
    assert [(d.qualname, d.kind, d.line, d.end_line) for d in index.definitions] == [
        ("Api", "class", 2, 8),
        ("Api.size", "method", 4, 4),
        ("Api.handle", "method", 5, 7),
        ("Api.handle.inner", "function", 6, 6),
        ("list", "function", 10, 10),
        ("gen", "function", 12, 12),
    ]


# -- robustness ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["junk.js", "junk.ts", "junk.tsx"])
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n\n\n",
        b"\x00\x01\x02\xff\xfe\xfd" * 50,
        bytes(range(256)) * 20,
        b"\xc3\x28\xa0\xa1 fetch('https://after-bad-utf8.example.com')\n",
        b"{" * 3000,
        b"a." * 3000 + b"b()",
        b"import axios from 'axios';\naxios.get('https://unterminated.example.com'",
        b"class { constructor( { this.x = ",
    ],
    ids=["empty", "newlines", "binary", "all-bytes", "bad-utf8", "deep", "long-chain", "truncated", "broken"],
)
def test_garbage_never_raises(path: str, data: bytes) -> None:
    index = index_javascript(path, data, "sha")
    assert isinstance(index, FileIndex)
    assert index.error is None
    assert index.path == path
    assert index.lines == data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def test_random_bytes_never_raise() -> None:
    for seed in range(20):
        data = os.urandom(64 + seed * 97)
        assert isinstance(index_javascript("r.js", data, "s"), FileIndex)
        assert isinstance(index_javascript("r.ts", data, "s"), FileIndex)


def test_syntax_errors_keep_what_parses() -> None:
    index = _snippet(
        """
        const API = process.env.API_URL;
        function broken( {
        export async function ok() {
          return fetch("https://still-found.example.com");
        }
        """
    )
    assert EnvRead("m.ts", 2, "API_URL", None) in index.env_reads
    assert [(s.client, s.target) for s in index.sites] == [("fetch", "https://still-found.example.com")]


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    data = b'const s = "\xff\xfe";\nfetch("https://after.example.com/\xc3\x28")\n'
    index = index_javascript("bad.js", data, "s")
    assert [(s.line, s.target) for s in index.sites] == [(2, "https://after.example.com/\ufffd(")]


@pytest.mark.parametrize("op", ["||", "??"])
def test_a_template_string_keeps_the_default_of_its_variable(op: str) -> None:
    """``const URL = process.env.SEARCH_API_URL || "http://…"`` then ``got.get(`${URL}/v1/search`)``: the env
    var was kept and its default dropped (target null), while the same with ``??`` passed directly resolved
    (new user, round 28)."""
    index = _snippet(
        f"""
        import got from "got";
        const SEARCH_URL = process.env.SEARCH_API_URL {op} "http://127.0.0.1:19108";
        export async function search(q: string) {{
          return got.get(`${{SEARCH_URL}}/v1/search`, {{ searchParams: {{ q }} }}).json();
        }}
        """
    )
    assert _sites(index) == [(5, "got.get", "http", "http://127.0.0.1:19108", "SEARCH_API_URL", "search")]
