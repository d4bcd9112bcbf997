"""Environment variables that drivers and SDKs read on their own, with no read in the project's code.

``PGPASSWORD`` is read by libpq whenever a PostgreSQL connection is opened; ``AWS_SECRET_ACCESS_KEY`` by
every AWS SDK; ``HTTPS_PROXY`` by requests, httpx, curl and Go's net/http. A doc is right to list them,
and SRC005 ("documented, never read") must not call them leftovers.

Each entry applies to the integrations whose protocol it fits (the doc's Protocol, or a call site of the
Source file with that protocol), or to every integration when the variable is read by the SDK or the
standard library whatever the protocol (``protocols`` is None). Kafka clients (librdkafka, kafka-python,
the Java client) read no environment variable on their own, so Kafka has no entry.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

__all__ = ["implicit_reader"]


@dataclass(frozen=True, slots=True)
class _Implicit:
    reader: str
    pattern: re.Pattern[str]
    protocols: frozenset[str] | None  # None: whatever the protocol


def _names(*names: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in names))


_TABLE = (
    # libpq (psycopg, asyncpg, pgx, node-postgres, psql) reads every PG* connection parameter
    _Implicit("libpq", re.compile(r"PG[A-Z_]+"), frozenset({"postgresql"})),
    # libmysqlclient
    _Implicit(
        "the MySQL client library",
        _names("MYSQL_PWD", "MYSQL_HOST", "MYSQL_TCP_PORT", "MYSQL_UNIX_PORT"),
        frozenset({"mysql"}),
    ),
    # the AWS SDKs (boto3, the JS and Go SDKs) and the AWS CLI
    _Implicit(
        "the AWS SDK",
        re.compile(
            r"AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN|REGION|DEFAULT_REGION|PROFILE"
            r"|DEFAULT_PROFILE|CONFIG_FILE|SHARED_CREDENTIALS_FILE|CA_BUNDLE|ROLE_ARN|ROLE_SESSION_NAME"
            r"|WEB_IDENTITY_TOKEN_FILE|STS_REGIONAL_ENDPOINTS|MAX_ATTEMPTS|RETRY_MODE|ENDPOINT_URL(?:_[A-Z0-9_]+)?"
            r"|USE_FIPS_ENDPOINT|USE_DUALSTACK_ENDPOINT|SDK_LOAD_CONFIG|CONTAINER_CREDENTIALS_(?:RELATIVE|FULL)_URI"
            r"|CONTAINER_AUTHORIZATION_TOKEN|EC2_METADATA_DISABLED)"
        ),
        None,
    ),
    # Google's auth libraries (Application Default Credentials)
    _Implicit(
        "Google Application Default Credentials",
        _names(
            "GOOGLE_APPLICATION_CREDENTIALS",
            "GOOGLE_CLOUD_PROJECT",
            "GCLOUD_PROJECT",
            "CLOUDSDK_CORE_PROJECT",
        ),
        None,
    ),
    # azure-identity's DefaultAzureCredential
    _Implicit(
        "the Azure SDK",
        re.compile(
            r"AZURE_(?:CLIENT_ID|TENANT_ID|CLIENT_SECRET|CLIENT_CERTIFICATE_PATH|CLIENT_CERTIFICATE_PASSWORD"
            r"|USERNAME|PASSWORD|AUTHORITY_HOST|FEDERATED_TOKEN_FILE)"
        ),
        None,
    ),
    # certificate bundles: OpenSSL, requests, curl, Node.js, gRPC
    _Implicit("OpenSSL", _names("SSL_CERT_FILE", "SSL_CERT_DIR"), None),
    _Implicit("requests", _names("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"), frozenset({"http", "websocket"})),
    _Implicit("Node.js", _names("NODE_EXTRA_CA_CERTS"), None),
    _Implicit(
        "gRPC",
        re.compile(r"GRPC_(?:DEFAULT_SSL_ROOTS_FILE_PATH|TRACE|VERBOSITY|ENABLE_FORK_SUPPORT|DNS_RESOLVER)"),
        frozenset({"grpc"}),
    ),
    # proxies: requests, httpx, urllib, aiohttp (trust_env), curl, Go net/http, gRPC
    _Implicit(
        "the HTTP client's proxy settings",
        re.compile(r"(?:HTTP|HTTPS|ALL|NO)_PROXY|(?:http|https|all|no)_proxy"),
        None,
    ),
    # the OpenTelemetry SDKs
    _Implicit("the OpenTelemetry SDK", re.compile(r"OTEL_[A-Z0-9_]+"), None),
)


def implicit_reader(name: str, protocols: Collection[str]) -> str | None:
    """Who reads ``name`` on its own for an integration of these ``protocols`` (None: nobody we know of)."""
    for entry in _TABLE:
        if entry.pattern.fullmatch(name) and (entry.protocols is None or entry.protocols & set(protocols)):
            return entry.reader
    return None
