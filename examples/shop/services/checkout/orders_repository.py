"""PostgreSQL persistence for orders, using psycopg 3: a connection per transaction (psycopg_pool's
NullConnectionPool, at most ``max_size`` at once), opened in the caller's thread, so that a refused,
slow or broken connection fails that call at once and the retry below is the only one.

Run ``python -m services.checkout.orders_repository`` for a read-only smoke test.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg.rows import dict_row
from psycopg_pool import NullConnectionPool

T = TypeVar("T")
CONNECT_TIMEOUT_SECONDS = 3  # a connection, or a free slot of the pool, within 3 s

INSERT_ORDER = """
    INSERT INTO orders (id, user_id, status, total_cents, currency, charge_id, reservation_id)
    VALUES (%(id)s, %(user_id)s, 'paid', %(total_cents)s, %(currency)s,
            %(charge_id)s, %(reservation_id)s)
    RETURNING id, status, created_at
"""

INSERT_LINE = """
    INSERT INTO order_lines (order_id, sku, quantity, unit_price_cents)
    VALUES (%s, %s, %s, %s)
"""


@dataclass
class NewOrder:
    id: str
    user_id: str
    currency: str
    charge_id: str
    reservation_id: str
    lines: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(quantity * price for _, quantity, price in self.lines)


class OrderRepository:
    """Writes orders and their lines in one transaction."""

    def __init__(self, dsn: str, password: str | None = None, max_size: int = 10) -> None:
        kwargs: dict[str, Any] = {
            "row_factory": dict_row,
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": "-c statement_timeout=5000",
            "application_name": "checkout",
        }
        if password:
            kwargs["password"] = password
        # No background connections, no reconnect loop of the pool's own: the pool's timeout is the
        # connect_timeout it gives each connection (psycopg_pool passes it on).
        self.pool = NullConnectionPool(
            dsn, max_size=max_size, kwargs=kwargs, timeout=CONNECT_TIMEOUT_SECONDS, open=True
        )

    @classmethod
    def from_env(cls) -> OrderRepository:
        return cls(
            os.environ["ORDERS_DATABASE_URL"],
            password=os.getenv("ORDERS_DATABASE_PASSWORD"),
            max_size=int(os.getenv("ORDERS_DB_POOL_SIZE", "10")),
        )

    def create_order(self, order: NewOrder) -> dict[str, Any]:
        params = {
            "id": order.id,
            "user_id": order.user_id,
            "total_cents": order.total_cents,
            "currency": order.currency,
            "charge_id": order.charge_id,
            "reservation_id": order.reservation_id,
        }
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute(INSERT_ORDER, params).fetchone()
            with conn.cursor() as cur:
                cur.executemany(INSERT_LINE, [(order.id, *line) for line in order.lines])
        if row is None:
            raise psycopg.DataError(f"INSERT for order {order.id} returned no row")
        return row

    def get_order(self, order_id: str) -> dict[str, Any] | None:
        with self.pool.connection() as conn:
            return conn.execute(
                "SELECT id, user_id, status, total_cents, currency, created_at"
                " FROM orders WHERE id = %s",
                (order_id,),
            ).fetchone()

    def close(self) -> None:
        self.pool.close()


def with_retry(operation: Callable[[], T], attempts: int = 3) -> T:
    """Run ``operation``, retrying an OperationalError (a refused, timed-out or broken connection, a
    statement past statement_timeout): ``attempts`` tries in all, 0.1 s then 0.2 s apart."""
    for attempt in range(attempts):
        try:
            return operation()
        except psycopg.OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * 2**attempt)
    raise ValueError(f"attempts must be at least 1, not {attempts}")


def create_order_with_retry(
    repository: OrderRepository, order: NewOrder, attempts: int = 3
) -> dict[str, Any] | None:
    """Write ``order``, retrying a lost connection; a retry that finds the order already committed
    (the first try's COMMIT went through, its answer was lost) reads it back instead of failing."""

    def write() -> dict[str, Any] | None:
        try:
            return repository.create_order(order)
        except errors.UniqueViolation:
            return repository.get_order(order.id)

    return with_retry(write, attempts)


def count_orders(repository: OrderRepository) -> int:
    with repository.pool.connection() as conn:
        row = conn.execute("SELECT count(*) AS n FROM orders").fetchone()
    return int(row["n"]) if row else 0


def main() -> None:
    repository = OrderRepository.from_env()
    count = with_retry(lambda: count_orders(repository))  # as the order writes are retried
    print(f"orders table reachable, {count} rows")
    repository.close()


if __name__ == "__main__":
    main()
