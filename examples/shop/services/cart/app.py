"""HTTP API of the cart service (Flask, port 8082)."""

from __future__ import annotations

import os

import redis
from flask import Flask, jsonify, request

from services.cart.cart_store import CartStore

app = Flask(__name__)
store = CartStore.from_env()


@app.get("/healthz")
def healthz():
    try:
        store.ping()
    except redis.RedisError:
        return jsonify(status="degraded", redis="unreachable"), 503
    return jsonify(status="ok")


@app.get("/v1/carts/<user_id>")
def get_cart(user_id: str):
    return jsonify(store.get(user_id))


@app.post("/v1/carts/<user_id>/items")
def add_item(user_id: str):
    body = request.get_json(force=True)
    cart = store.add_item(
        user_id, body["sku"], int(body.get("quantity", 1)), int(body["unit_price_cents"])
    )
    return jsonify(cart), 201


@app.delete("/v1/carts/<user_id>")
def clear_cart(user_id: str):
    store.clear(user_id)
    return "", 204


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.getenv("CART_PORT", "8082")))
