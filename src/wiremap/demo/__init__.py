"""``wiremap demo``: the example shop's destinations on loopback, linted and verified live."""
