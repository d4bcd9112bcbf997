"""HTTP entry point of the checkout service (Flask, port 8084)."""

from __future__ import annotations

import os

from flask import Flask, jsonify, request

from services.checkout.inventory_client import OutOfStock
from services.checkout.payments_client import CardDeclined
from services.checkout.service import CartLine, CheckoutService

app = Flask(__name__)
checkout = CheckoutService.from_env()


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.post("/v1/checkout")
def place_order():
    body = request.get_json(force=True)
    lines = [
        CartLine(item["sku"], int(item["quantity"]), int(item["unit_price_cents"]))
        for item in body["items"]
    ]
    try:
        order_id = checkout.place_order(
            body["user_id"], lines, body.get("currency", "EUR"), body["payment_method"]
        )
    except OutOfStock as exc:
        return jsonify(error="out_of_stock", detail=str(exc)), 409
    except CardDeclined as exc:
        return jsonify(error="card_declined", detail=str(exc)), 402
    return jsonify(order_id=order_id, status="paid"), 201


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.getenv("CHECKOUT_PORT", "8084")))
