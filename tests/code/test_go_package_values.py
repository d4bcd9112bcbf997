"""Go values spread over the files of a package (new user, round 61): each was wrong before."""

from __future__ import annotations

from pathlib import Path

from wiremap.code.index import index_tree

CONSTS = 'package store\n\nconst defaultCachePort = "6390"\n'
CONFIG = """package store

type Config struct {
	DatabaseURL string `envconfig:"ORDERS_DATABASE_URL" default:"postgres://orders@127.0.0.1:5434/orders"`
	CacheHost   string `envconfig:"CACHE_HOST" default:"127.0.0.1"`
}
"""
STORE = """package store

import (
	"database/sql"
	"net"
	"os"
)

func Open(cfg Config) (*sql.DB, error) {
	return sql.Open("pgx", cfg.DatabaseURL)
}

func cachePort() string {
	if p := os.Getenv("CACHE_PORT"); p != "" {
		return p
	}
	return defaultCachePort
}

func DialCache(cfg *Config) (net.Conn, error) {
	return net.Dial("tcp", net.JoinHostPort(cfg.CacheHost, cachePort()))
}

func Elsewhere(r *http.Request) string {
	return r.URL.Host
}
"""


def test_a_tagged_field_and_a_constant_of_other_files_give_the_address(tmp_path: Path) -> None:
    for rel, text in {"store/consts.go": CONSTS, "store/config.go": CONFIG, "store/store.go": STORE}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    sites = index_tree(tmp_path, use_cache=False).files["store/store.go"].sites
    assert [(s.line, s.target, s.env) for s in sites] == [
        # sql.Open given a field config.go tags: its variable and the tag's default (no target, no env)
        (10, "postgres://orders@127.0.0.1:5434/orders", "ORDERS_DATABASE_URL"),
        # net.JoinHostPort of a tagged field and a function falling back to consts.go's constant: the
        # host's variable, the address both defaults make (no target at all)
        (21, "127.0.0.1:6390", "CACHE_HOST"),
    ]
