"""A TypeScript service reading its configuration through a zod module (new user, round 55)."""

from __future__ import annotations

from pathlib import Path

from wiremap.code.index import index_tree

ENV_TS = """import { z } from "zod";

export const env = z
  .object({
    DATABASE_URL: z.string().default("postgresql://app@127.0.0.1:5432/orders"),
    USERS_URL: z.string().url(),
  })
  .parse(process.env);
"""
DB_TS = """import { Pool } from "pg";
import { env } from "./env";

export const pool = new Pool({ connectionString: env.DATABASE_URL });
"""


def test_a_config_module_s_variable_and_its_default_reach_the_call(tmp_path: Path) -> None:
    """``z.object({…}).parse(process.env)`` chained gave no env read, and ``new Pool({ connectionString:
    env.DATABASE_URL })`` in another module no env and no target: the doc's :5433 was no mismatch."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src/env.ts").write_text(ENV_TS)
    (tmp_path / "src/db.ts").write_text(DB_TS)
    index = index_tree(tmp_path, use_cache=False)
    reads = [(e.line, e.name, e.default) for e in index.files["src/env.ts"].env_reads]
    assert reads == [(5, "DATABASE_URL", "postgresql://app@127.0.0.1:5432/orders"), (6, "USERS_URL", None)]
    (site,) = index.files["src/db.ts"].sites
    assert (site.target, site.env) == ("postgresql://app@127.0.0.1:5432/orders", "DATABASE_URL")
