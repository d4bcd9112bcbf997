"""Storefront web app (Flask, port 8080): product pages, cart and checkout form."""

from __future__ import annotations

import os

import requests
from flask import Flask, abort, redirect, render_template_string, request, session, url_for

from services.storefront.cart_client import CartServiceClient, CartUnavailable

app = Flask(__name__)
app.secret_key = os.environ["STOREFRONT_SESSION_SECRET"]
carts = CartServiceClient.from_env()
CHECKOUT_SERVICE_URL = os.getenv("CHECKOUT_SERVICE_URL", "http://127.0.0.1:8084")

CATALOG = {
    "SKU-MUG-001": ("Enamel mug", 1499),
    "SKU-TEE-042": ("Logo t-shirt", 2499),
    "SKU-CAP-007": ("Canvas cap", 999),
}

PAGE = """<h1>{{ title }}</h1><p>Cart: {{ count if count is not none else "?" }} items</p>
<ul>{% for sku, (name, price) in catalog.items() %}<li>{{ name }} {{ price / 100 }} EUR
<form method="post" action="/cart/items"><input type="hidden" name="sku" value="{{ sku }}">
<button>Add</button></form></li>{% endfor %}</ul>"""


def current_user() -> str:
    return session.setdefault("user_id", "guest")


@app.get("/")
def index():
    count = carts.item_count(current_user())
    return render_template_string(PAGE, title="Shop", catalog=CATALOG, count=count)


@app.post("/cart/items")
def add_to_cart():
    sku = request.form["sku"]
    if sku not in CATALOG:
        abort(404)
    try:
        carts.add_item(current_user(), sku, 1, CATALOG[sku][1])
    except CartUnavailable:
        return "The cart is unavailable, please try again in a moment.", 503
    return redirect(url_for("index"))


@app.post("/checkout")
def checkout():
    user_id = current_user()
    cart = carts.get_cart(user_id)
    response = requests.post(
        f"{CHECKOUT_SERVICE_URL}/v1/checkout",
        json={"user_id": user_id, "items": cart["items"], "payment_method": request.form["pm"]},
        timeout=10,
    )
    if response.status_code == 201:
        carts.clear(user_id)
        return redirect(url_for("index"))
    return f"Checkout failed: {response.json().get('error', 'unknown error')}", response.status_code


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.getenv("STOREFRONT_PORT", "8080")))
