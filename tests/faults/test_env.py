"""Which env vars point a Source at a stub, read from the doc's documented values."""

from __future__ import annotations

from tests._paths import EXAMPLE_DOCS
from wiremap import parse_text
from wiremap.faults.env import point_at
from wiremap.model import Integration


def _example(stem: str) -> Integration:
    path = EXAMPLE_DOCS / f"{stem}.md"
    return parse_text(path.read_text(encoding="utf-8"), str(path)).integration


def _doc(exports: str, destination: str = "Billing API") -> Integration:
    text = (
        f"# Integration: Shop → {destination}\n\n"
        f"## Overview\n\n**Destination:** {destination} at db.internal:5432\n\n"
        f"## Configuration\n\n**Environment Variables:**\n```bash\n{exports}\n```\n"
    )
    return parse_text(text, "x.md").integration


def test_a_url_keeps_its_scheme_path_and_user_and_only_the_address_changes() -> None:
    got = point_at(_example("checkout-service-to-payments-api"), "127.0.0.1", 40001)
    assert dict(got.env) == {"PAYMENTS_API_URL": "http://127.0.0.1:40001"}
    got = point_at(_example("checkout-service-to-orders-database"), "127.0.0.1", 40002)
    # and its query: the doc's sslmode=disable still holds at the stub
    want = "postgresql://checkout@127.0.0.1:40002/orders?sslmode=disable"
    assert dict(got.env) == {"ORDERS_DATABASE_URL": want}
    assert got.was["ORDERS_DATABASE_URL"] == "postgresql://checkout@127.0.0.1:5432/orders?sslmode=disable"
    got = point_at(_example("notifications-service-to-realtime-gateway"), "127.0.0.1", 40003)
    assert dict(got.env) == {"REALTIME_WS_URL": "ws://127.0.0.1:40003/v1/stream"}


def test_host_port_values_and_host_plus_port_pairs() -> None:
    got = point_at(_example("checkout-service-to-inventory-service"), "127.0.0.1", 40004)
    assert dict(got.env) == {"INVENTORY_GRPC_ADDR": "127.0.0.1:40004"}
    exports = "export DB_HOST=db.internal  # host\nexport DB_PORT=5432  # port\nexport POOL=5432  # pool size"
    integ = _doc(exports)
    got = point_at(integ, "127.0.0.1", 40005, host="db.internal", port=5432)
    assert dict(got.env) == {"DB_HOST": "127.0.0.1", "DB_PORT": "40005"}


def test_a_host_alone_is_not_rewritten_and_other_hosts_are_left_alone() -> None:
    integ = _doc("export DB_HOST=db.internal  # host\nexport OTHER_URL=http://other.internal:5432/x  # other")
    got = point_at(integ, "127.0.0.1", 40006, host="db.internal", port=5432)
    assert dict(got.env) == {}  # the port would stay the destination's
    assert got.describe() == "nothing"


def test_a_different_port_on_the_same_host_is_another_destination() -> None:
    integ = _doc("export API_URL=http://127.0.0.1:8081  # api\nexport ADMIN_URL=http://127.0.0.1:9000  # a")
    got = point_at(integ, "127.0.0.1", 40007, host="localhost", port=8081)
    assert dict(got.env) == {"API_URL": "http://127.0.0.1:40007"}


def test_a_password_holding_a_slash_or_hash_still_names_the_destination() -> None:
    """``mqtt://sensor:p@ss/w0rd!@host:1883``: the password runs to the last ``@`` (as the masker reads
    it); RFC 3986 would end the authority at the ``/`` and find no destination (faults then said no env var
    holds its address). A ``@`` in a path after a real host is left alone."""
    for url in (
        "postgresql://app:p@ss/w0rd!@db.internal:5432/app",
        "postgresql://app:p#w@db.internal:5432/x",
    ):
        got = point_at(_doc(f"export DB_URL={url}"), "127.0.0.1", 40005, host="db.internal", port=5432)
        user = url.split("//")[1].rpartition("@")[0]
        assert dict(got.env) == {"DB_URL": f"postgresql://{user}@127.0.0.1:40005/" + url.rsplit("/", 1)[1]}
    other = _doc("export DB_URL=http://other:5432/a@db.internal:5432")
    assert dict(point_at(other, "127.0.0.1", 1, host="db.internal", port=5432).env) == {}


def test_a_variable_the_shell_or_a_runtime_reads_is_never_pointed_at_the_stub() -> None:
    """Round 68: PATH, PYTHONPATH, LD_PRELOAD … holding the destination's address are the doc's to name,
    never to set (any case); an address variable of the doc's own is set as before."""
    from wiremap.trust.env_names import runtime_variable

    refused = ("PATH", "pythonpath", "LD_PRELOAD", "NODE_OPTIONS", "WIREMAP_TARGET_X", "HTTP_PROXY")
    exports = "\n".join(
        f"export {name}=postgresql://app@db.internal:5432/shop" for name in (*refused, "DB_URL")
    )
    rewrite = point_at(_doc(exports), "127.0.0.1", 9999, host="db.internal", port=5432)
    assert list(rewrite.env) == ["DB_URL"]
    assert set(rewrite.refused) == set(refused)
    assert "not set: PATH (read by the shell" in rewrite.describe()
    for name in ("PAYMENTS_API_URL", "REDIS_HOST", "KAFKA_BROKERS", "GOOGLE_PUBSUB_URL", "NODE1_URL"):
        assert runtime_variable(name) is None, name
    for name in ("PATH", "GOFLAGS", "JAVA_TOOL_OPTIONS", "PYTEST_ADDOPTS", "BASH_ENV", "bash_func_x%%"):
        assert runtime_variable(name) is not None, name
