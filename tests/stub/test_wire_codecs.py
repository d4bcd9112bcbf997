"""The stub's wire codecs (RESP, NATS, MQTT) on their own: what a client sends, what a server writes."""

from __future__ import annotations

import pytest

from wiremap.stub.servers import _mqtt_wire as mqtt
from wiremap.stub.servers import _nats_wire as nats
from wiremap.stub.servers import _resp as resp

# ---- RESP --------------------------------------------------------------------------------------------


def test_resp_array_of_bulk_strings_incrementally() -> None:
    wire = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\n\r\n\r\n*1\r\n$4\r\nPING\r\n"
    first = resp.parse_command(wire)
    assert first == ([b"SET", b"k", b"v\r\n\r\n"], 31)  # a bulk string may hold CRLF
    used = first[1]
    assert resp.parse_command(wire[used:]) == ([b"PING"], 14)
    for cut in range(used):  # every prefix is "not yet"
        assert resp.parse_command(wire[:cut]) is None


def test_resp_inline_commands() -> None:
    assert resp.parse_command(b"PING\r\n") == ([b"PING"], 6)
    assert resp.parse_command(b"get  key\n") == ([b"get", b"key"], 9)
    assert resp.parse_command(b"\r\n") == ([], 2)
    assert resp.parse_command(b"PIN") is None


@pytest.mark.parametrize(
    "wire",
    [b"*x\r\n", b"*1\r\n:1\r\n", b"*1\r\n$x\r\n", b"*1\r\n$-1\r\n", b"*1\r\n$1\r\nab\r\n"],
)
def test_resp_what_no_client_sends_is_an_error(wire: bytes) -> None:
    with pytest.raises(resp.RespError):
        resp.parse_command(wire)


def test_resp_replies_in_both_versions() -> None:
    assert resp.encode(resp.simple("OK")) == b"+OK\r\n"
    assert resp.encode(resp.error("ERR bad\r\nthing")) == b"-ERR bad  thing\r\n"
    assert resp.encode(7) == b":7\r\n"
    assert resp.encode(b"abc") == resp.encode("abc") == b"$3\r\nabc\r\n"
    assert resp.encode(None, 2) == b"$-1\r\n"
    assert resp.encode(None, 3) == b"_\r\n"
    assert resp.encode([b"a", 1]) == b"*2\r\n$1\r\na\r\n:1\r\n"
    assert resp.encode({"proto": 3}, 3) == b"%1\r\n$5\r\nproto\r\n:3\r\n"
    assert resp.encode({"proto": 2}, 2) == b"*2\r\n$5\r\nproto\r\n:2\r\n"
    assert resp.encode(resp.verbatim("a:b"), 3) == b"=7\r\ntxt:a:b\r\n"
    assert resp.encode(resp.verbatim("a:b"), 2) == b"$3\r\na:b\r\n"


# ---- NATS --------------------------------------------------------------------------------------------


def test_nats_operations() -> None:
    wire = (
        b'CONNECT {"verbose":true}\r\nsub orders.* q 1\r\nSUB x 2\r\nPUB orders.new _INBOX.1 5\r\nhello\r\n'
        b"HPUB a 12 14\r\nNATS/1.0\r\n\r\nhi\r\nUNSUB 1 3\r\nPING\r\n"
    )
    ops: list[nats.Op] = []
    buf = wire
    while buf:
        got = nats.parse_op(buf)
        assert got is not None
        ops.append(got[0])
        buf = buf[got[1] :]
    assert [o.kind for o in ops] == ["CONNECT", "SUB", "SUB", "PUB", "HPUB", "UNSUB", "PING"]
    assert ops[0].options == {"verbose": True}
    assert (ops[1].subject, ops[1].queue, ops[1].sid) == ("orders.*", "q", "1")
    assert (ops[3].subject, ops[3].reply, ops[3].payload) == ("orders.new", "_INBOX.1", b"hello")
    assert (ops[4].headers, ops[4].payload) == (b"NATS/1.0\r\n\r\n", b"hi")
    assert (ops[5].sid, ops[5].max_msgs) == ("1", 3)
    assert nats.parse_op(b"PUB a 5\r\nhel") is None
    assert nats.parse_op(b"PIN") is None


@pytest.mark.parametrize("wire", [b"BOGUS\r\n", b"PUB a\r\n", b"PUB a 2\r\nabc\r\n", b"CONNECT [1]\r\n"])
def test_nats_bad_operations(wire: bytes) -> None:
    with pytest.raises(nats.NatsError):
        nats.parse_op(wire)


def test_nats_server_messages_and_subjects() -> None:
    assert nats.encode_msg("a.b", "1", "", b"hi") == b"MSG a.b 1 2\r\nhi\r\n"
    assert (
        nats.encode_msg("a", "1", "r", b"x", b"NATS/1.0\r\n\r\n")
        == b"HMSG a 1 r 12 13\r\nNATS/1.0\r\n\r\nx\r\n"
    )
    assert nats.encode_err("Unknown Protocol Operation") == b"-ERR 'Unknown Protocol Operation'\r\n"
    assert nats.subject_matches("orders.*", "orders.new")
    assert not nats.subject_matches("orders.*", "orders.new.eu")
    assert nats.subject_matches("orders.>", "orders.new.eu")
    assert not nats.subject_matches("orders.>", "orders")
    assert nats.valid_subject("a.*.>", wildcards=True) and not nats.valid_subject("a.*", wildcards=False)
    assert not nats.valid_subject("a..b", wildcards=True) and not nats.valid_subject("a.>.b", wildcards=True)


# ---- MQTT --------------------------------------------------------------------------------------------


def _connect(level: int, *, user: bool = False, will: bool = False) -> bytes:
    name = b"MQIsdp" if level == 3 else b"MQTT"
    flags = 0x02 | (0xC0 if user else 0) | (0x04 if will else 0)
    body = len(name).to_bytes(2, "big") + name + bytes([level, flags]) + b"\x00\x3c"
    props = b"\x03\x21\x00\x0a" if level == 5 else b""  # receive maximum 10
    body += props + b"\x00\x03cid"
    if will:
        body += (b"\x00" if level == 5 else b"") + b"\x00\x01w" + b"\x00\x02by"
    if user:
        body += b"\x00\x02me" + b"\x00\x02pw"
    return bytes([0x10, len(body)]) + body


@pytest.mark.parametrize("level", [3, 4, 5])
def test_mqtt_connect(level: int) -> None:
    got = mqtt.parse_packet(_connect(level, user=True, will=True))
    assert got is not None
    packet, used = got
    assert packet.type == mqtt.CONNECT and used == len(_connect(level, user=True, will=True))
    c = mqtt.parse_connect(packet)
    assert (c.level, c.client_id, c.clean, c.keepalive) == (level, "cid", True, 60)
    assert (c.username, c.password, c.will_topic) == ("me", b"pw", "w")


def test_mqtt_incomplete_and_long_packets() -> None:
    assert mqtt.parse_packet(b"\x30") is None
    assert mqtt.parse_packet(b"\x30\x80") is None  # the remaining length goes on
    big = mqtt.publish(mqtt.Publish("t", b"x" * 300), 4)
    assert big[1:3] == bytes([0x80 | (303 & 0x7F), 303 >> 7])
    got = mqtt.parse_packet(big)
    assert got is not None and mqtt.parse_publish(got[0], 4).payload == b"x" * 300
    assert mqtt.parse_packet(big[:-1]) is None
    with pytest.raises(mqtt.MqttError):
        mqtt.parse_packet(b"\x30\xff\xff\xff\xff\x01")


@pytest.mark.parametrize("level", [4, 5])
def test_mqtt_publish_subscribe_round_trip(level: int) -> None:
    wire = mqtt.publish(mqtt.Publish("a/b", b"hi", qos=1, retain=True, packet_id=7), level)
    got = mqtt.parse_packet(wire)
    assert got is not None
    pub = mqtt.parse_publish(got[0], level)
    assert (pub.topic, pub.payload, pub.qos, pub.retain, pub.packet_id) == ("a/b", b"hi", 1, True, 7)
    props = b"\x00" if level == 5 else b""
    sub = mqtt.Packet(mqtt.SUBSCRIBE, 2, b"\x00\x09" + props + b"\x00\x03a/+\x01\x00\x01#\x02")
    s = mqtt.parse_subscribe(sub, level)
    assert s.packet_id == 9 and s.filters == [("a/+", 1), ("#", 2)]
    assert mqtt.suback(9, [1, 2], level) == bytes([0x90, 4 + len(props)]) + b"\x00\x09" + props + b"\x01\x02"
    assert mqtt.connack(level, 0) == (b"\x20\x03\x00\x00\x00" if level == 5 else b"\x20\x02\x00\x00")
    assert mqtt.ack(mqtt.PUBREL, 7, level) == b"\x62\x02\x00\x07"
    assert mqtt.pingresp() == b"\xd0\x00"


def test_mqtt_topic_filters() -> None:
    assert mqtt.filter_matches("a/+/c", "a/b/c")
    assert not mqtt.filter_matches("a/+", "a/b/c")
    assert mqtt.filter_matches("a/#", "a") and mqtt.filter_matches("a/#", "a/b/c")
    assert mqtt.filter_matches("#", "a/b")
    assert not mqtt.filter_matches("#", "$SYS/x") and mqtt.filter_matches("$SYS/#", "$SYS/x")


def test_mqtt_not_mqtt() -> None:
    packet = mqtt.Packet(mqtt.CONNECT, 0, b"\x00\x04HTTP\x04\x02\x00\x3c\x00\x00")
    with pytest.raises(mqtt.MqttError):
        mqtt.parse_connect(packet)
