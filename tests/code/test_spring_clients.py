"""Spring clients whose address comes from properties (new user, rounds 60 and 61): each was wrong before."""

from __future__ import annotations

from pathlib import Path

from wiremap.code.discover import discover
from wiremap.code.index import index_tree

YML = (
    "cache:\n  host: ${CACHE_HOST:127.0.0.1}\n  port: ${CACHE_PORT:6380}\n"
    "ledger:\n  url: ${LEDGER_URL:http://127.0.0.1:8097}\npricing:\n  url: ${PRICING_URL:http://127.0.0.1:8098}\n"
)
CACHE = """package com.acme;
import org.springframework.beans.factory.annotation.Value;
import redis.clients.jedis.Jedis;
public class CacheConfig {
    @Value("${cache.host}")
    private String host;
    @Value("${cache.port}")
    private int port;
    public Jedis jedis() {
        return new Jedis(host, port);
    }
}
"""
LEDGER = """package com.acme;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.client.RestClient;
public class LedgerClient {
    private final RestClient client;
    public LedgerClient(@Value("${ledger.url}") String baseUrl) {
        this.client = RestClient.builder().baseUrl(baseUrl).build();
    }
    public String balance(String id) {
        return client.get().uri("/balances/{id}", id).retrieve().body(String.class);
    }
}
"""
PRICING = """package com.acme;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.reactive.function.client.WebClient;
public class PricingClient {
    private final WebClient web;
    public PricingClient(@Value("${pricing.url}") String url) {
        this.web = WebClient.create(url);
    }
    public String price(String sku) {
        return this.web.get().uri("/prices/" + sku).retrieve().bodyToMono(String.class).block();
    }
}
"""


def _sites(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str, str | None, str | None]]:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = discover(index_tree(tmp_path, use_cache=False), [])
    return [
        (
            sc.site.path.rsplit("/", 1)[-1],
            sc.site.line,
            sc.site.client.rsplit(".", 2)[-2],
            sc.site.target,
            sc.site.env,
        )
        for sc in found.sites
    ]


def test_property_clients_have_their_address_their_variable_and_one_site_each(tmp_path: Path) -> None:
    got = _sites(
        tmp_path,
        {
            "src/main/resources/application.yml": YML,
            "src/main/java/com/acme/CacheConfig.java": CACHE,
            "src/main/java/com/acme/LedgerClient.java": LEDGER,
            "src/main/java/com/acme/PricingClient.java": PRICING,
        },
    )
    assert got == [
        # host and port of two @Value fields: both defaults (the port was lost, then the host too)
        ("CacheConfig.java", 10, "jedis", "127.0.0.1:6380", "CACHE_HOST"),
        # a constructor's @Value parameter, a RestClient (it was named WebClient, with no target)
        ("LedgerClient.java", 10, "RestClient", "http://127.0.0.1:8097/balances/{id}", "LEDGER_URL"),
        # WebClient.create(url) opens nothing: its retrieve is the one site (they were two integrations)
        ("PricingClient.java", 10, "WebClient", "http://127.0.0.1:8098/prices/{…}", "PRICING_URL"),
    ]


def test_a_property_host_with_no_default_anywhere_is_no_address(tmp_path: Path) -> None:
    """Without application.yml no default is known: no target, never a marker."""
    got = _sites(tmp_path, {"src/main/java/com/acme/CacheConfig.java": CACHE})
    assert got == [("CacheConfig.java", 10, "jedis", None, "CACHE_HOST")]


PROPS = """package com.acme.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

@ConfigurationProperties(prefix = "ledger")
public class LedgerProperties {
    private String baseUrl;
    private int timeoutMs;
    private int retries;

    public String getBaseUrl() { return baseUrl; }
    public int getTimeoutMs() { return timeoutMs; }
}
"""
CLIENT = """package com.acme.ledger;

import com.acme.config.LedgerProperties;
import org.springframework.web.client.RestTemplate;

public class LedgerClient {
    private final RestTemplate rest = new RestTemplate();
    private final LedgerProperties props;

    public LedgerClient(LedgerProperties props) {
        this.props = props;
    }

    public String balance(String id) {
        int t = props.getTimeoutMs();
        return rest.getForObject(props.getBaseUrl() + "/balances/" + id, String.class);
    }
}
"""
DOC = """# Integration: Orders → Ledger

**Purpose:** Reads balances
**Protocol:** HTTP
**Direction:** Unidirectional
**Critical Path:** No

---

## Quick Reference

**Source:** `src/main/java/com/acme/ledger/LedgerClient.java:16`
**Destination:** Ledger API (http://127.0.0.1:8097)
**Client:** `LedgerClient`

---

## Configuration

**Environment Variables:**
```bash
export LEDGER_BASEURL=http://127.0.0.1:8097  # base URL
```
"""


def test_src006_reads_the_fields_of_another_files_properties_class_the_client_uses(tmp_path: Path) -> None:
    """The client reads ``props.getTimeoutMs()`` of LedgerProperties (another file, another package):
    LEDGER_TIMEOUTMS is the integration's, unlisted; ``retries``, which it never reads, is not."""
    import wiremap

    from ._git import repo_of

    repo = repo_of(
        tmp_path / "repo",
        {
            "wiremap.toml": 'docs = "docs"\nroot = "."\n',
            "src/main/java/com/acme/config/LedgerProperties.java": PROPS,
            "src/main/java/com/acme/ledger/LedgerClient.java": CLIENT,
            "docs/ledger.md": DOC,
        },
    )
    found = wiremap.lint_catalog(wiremap.load(repo / "docs"), select=["SRC006"])
    assert [f.message for f in found] == [
        "src/main/java/com/acme/config/LedgerProperties.java:8 reads environment variable LEDGER_TIMEOUTMS,"
        " which the doc does not list"
    ]
