-- Orders database schema used by services/checkout/orders_repository.py.
-- Apply with: psql "postgresql://checkout@127.0.0.1:5432/orders" -f services/checkout/schema.sql

CREATE TABLE IF NOT EXISTS orders (
    id             text        PRIMARY KEY,
    user_id        text        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('paid', 'shipped', 'refunded', 'adjustment')),
    total_cents    integer     NOT NULL CHECK (total_cents >= 0),
    currency       char(3)     NOT NULL,
    charge_id      text        NOT NULL,
    reservation_id text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS order_lines (
    order_id         text    NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    sku              text    NOT NULL,
    quantity         integer NOT NULL CHECK (quantity > 0),
    unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, sku)
);

CREATE INDEX IF NOT EXISTS orders_user_id_created_at ON orders (user_id, created_at DESC);
