"""Services of the example online shop.

Each sub-package is one deployable service. Modules are importable on their
own; the third-party clients they use (requests, grpc, psycopg, redis, pika,
aio_pika, websockets, flask) only need to be installed to actually run them.
"""
