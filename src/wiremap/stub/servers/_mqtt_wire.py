"""MQTT 3.1.1 and 5 control packets: reading what a client sends, writing what a broker answers.

A packet is a fixed header (type and flags in one byte, then the remaining length as a variable-length
integer) and a body. MQTT 5 adds properties (a length, then the properties) to most packets; the broker
reads past them and writes none. Protocol level 3 (MQTT 3.1, ``MQIsdp``) is read as 3.1.1.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

__all__ = [
    "CONNACK",
    "CONNECT",
    "DISCONNECT",
    "PINGREQ",
    "PINGRESP",
    "PUBACK",
    "PUBCOMP",
    "PUBLISH",
    "PUBREC",
    "PUBREL",
    "SUBACK",
    "SUBSCRIBE",
    "UNSUBACK",
    "UNSUBSCRIBE",
    "Connect",
    "MqttError",
    "Packet",
    "Publish",
    "Subscribe",
    "ack",
    "connack",
    "filter_matches",
    "parse_ack",
    "parse_connect",
    "parse_packet",
    "parse_publish",
    "parse_subscribe",
    "parse_unsubscribe",
    "pingresp",
    "publish",
    "suback",
    "unsuback",
]

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH = range(8, 16)
NAMES = {
    CONNECT: "CONNECT",
    CONNACK: "CONNACK",
    PUBLISH: "PUBLISH",
    PUBACK: "PUBACK",
    PUBREC: "PUBREC",
    PUBREL: "PUBREL",
    PUBCOMP: "PUBCOMP",
    SUBSCRIBE: "SUBSCRIBE",
    SUBACK: "SUBACK",
    UNSUBSCRIBE: "UNSUBSCRIBE",
    UNSUBACK: "UNSUBACK",
    PINGREQ: "PINGREQ",
    PINGRESP: "PINGRESP",
    DISCONNECT: "DISCONNECT",
    AUTH: "AUTH",
}
MAX_PACKET = 16 * 1024 * 1024


class MqttError(ValueError):
    """A malformed packet (a broker closes the connection)."""


@dataclass(frozen=True, slots=True)
class Packet:
    type: int
    flags: int
    body: bytes

    @property
    def name(self) -> str:
        return NAMES.get(self.type, f"type {self.type}")


@dataclass(frozen=True, slots=True)
class Connect:
    protocol: str  # "MQTT" or "MQIsdp"
    level: int  # 3 (3.1), 4 (3.1.1), 5
    client_id: str
    clean: bool
    keepalive: int
    username: str | None = None
    password: bytes | None = None
    will_topic: str | None = None


@dataclass(frozen=True, slots=True)
class Publish:
    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False
    dup: bool = False
    packet_id: int | None = None


@dataclass(frozen=True, slots=True)
class Subscribe:
    packet_id: int
    filters: list[tuple[str, int]] = field(default_factory=list)  # (filter, options byte)


# ---- reading -----------------------------------------------------------------------------------------


def parse_packet(buf: bytes | bytearray) -> tuple[Packet, int] | None:
    """The first packet in ``buf`` and the bytes it took; None while it is incomplete."""
    if len(buf) < 2:
        return None
    length, pos, shift = 0, 1, 0
    while True:
        if pos >= len(buf):
            return None
        byte = buf[pos]
        length |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            break
        shift += 7
        if shift > 21:
            raise MqttError("malformed remaining length")
    if length > MAX_PACKET:
        raise MqttError("packet too large")
    if len(buf) < pos + length:
        return None
    first = buf[0]
    return Packet(first >> 4, first & 0x0F, bytes(buf[pos : pos + length])), pos + length


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def left(self) -> int:
        return len(self.data) - self.pos

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise MqttError("packet ends early")
        self.pos += 1
        return self.data[self.pos - 1]

    def u16(self) -> int:
        if self.left() < 2:
            raise MqttError("packet ends early")
        (value,) = struct.unpack_from("!H", self.data, self.pos)
        self.pos += 2
        return int(value)

    def binary(self) -> bytes:
        size = self.u16()
        if self.left() < size:
            raise MqttError("packet ends early")
        self.pos += size
        return self.data[self.pos - size : self.pos]

    def string(self) -> str:
        try:
            return self.binary().decode("utf-8")
        except UnicodeDecodeError:
            raise MqttError("a string is not UTF-8") from None

    def varint(self) -> int:
        value, shift = 0, 0
        while True:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
            if shift > 21:
                raise MqttError("malformed variable integer")

    def skip_properties(self) -> None:
        size = self.varint()
        if self.left() < size:
            raise MqttError("properties end after the packet")
        self.pos += size

    def rest(self) -> bytes:
        data = self.data[self.pos :]
        self.pos = len(self.data)
        return data


def parse_connect(packet: Packet) -> Connect:
    r = _Reader(packet.body)
    protocol = r.string()
    level = r.byte()
    if protocol not in ("MQTT", "MQIsdp"):
        raise MqttError(f"not MQTT: protocol name {protocol!r}")
    flags = r.byte()
    keepalive = r.u16()
    if level >= 5:
        r.skip_properties()
    client_id = r.string()
    will_topic = None
    if flags & 0x04:
        if level >= 5:
            r.skip_properties()
        will_topic = r.string()
        r.binary()
    username = r.string() if flags & 0x80 else None
    password = r.binary() if flags & 0x40 else None
    return Connect(protocol, level, client_id, bool(flags & 0x02), keepalive, username, password, will_topic)


def parse_publish(packet: Packet, level: int) -> Publish:
    r = _Reader(packet.body)
    qos = (packet.flags >> 1) & 0x03
    if qos == 3:
        raise MqttError("PUBLISH with QoS 3")
    topic = r.string()
    packet_id = r.u16() if qos else None
    if level >= 5:
        r.skip_properties()
    return Publish(topic, r.rest(), qos, bool(packet.flags & 0x01), bool(packet.flags & 0x08), packet_id)


def parse_subscribe(packet: Packet, level: int) -> Subscribe:
    r = _Reader(packet.body)
    packet_id = r.u16()
    if level >= 5:
        r.skip_properties()
    filters: list[tuple[str, int]] = []
    while r.left():
        filters.append((r.string(), r.byte()))
    if not filters:
        raise MqttError("SUBSCRIBE without a topic filter")
    return Subscribe(packet_id, filters)


def parse_unsubscribe(packet: Packet, level: int) -> tuple[int, list[str]]:
    r = _Reader(packet.body)
    packet_id = r.u16()
    if level >= 5:
        r.skip_properties()
    topics: list[str] = []
    while r.left():
        topics.append(r.string())
    return packet_id, topics


def parse_ack(packet: Packet) -> int:
    """The packet id of PUBACK, PUBREC, PUBREL or PUBCOMP (an MQTT 5 reason code after it is ignored)."""
    return _Reader(packet.body).u16()


def filter_matches(topic_filter: str, topic: str) -> bool:
    """``+`` matches one level, a final ``#`` the rest (the parent level too); ``$`` topics only match a
    filter that names them."""
    want, have = topic_filter.split("/"), topic.split("/")
    if topic.startswith("$") and want[0] in ("+", "#"):
        return False
    for i, level in enumerate(want):
        if level == "#":
            return True
        if i >= len(have) or (level != "+" and level != have[i]):
            return False
    return len(want) == len(have)


# ---- writing -----------------------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _packet(type_: int, flags: int, body: bytes) -> bytes:
    return bytes([type_ << 4 | flags]) + _varint(len(body)) + body


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def connack(level: int, code: int = 0, session_present: bool = False) -> bytes:
    """CONNACK: a 3.1.1 return code (0 accepted, 1-5 refused) or an MQTT 5 reason code (0, >= 0x80)."""
    body = bytes([1 if session_present and code == 0 else 0, code])
    if level >= 5:
        body += b"\x00"  # no properties
    return _packet(CONNACK, 0, body)


def ack(type_: int, packet_id: int, level: int) -> bytes:
    """PUBACK, PUBREC, PUBREL (flags 2) or PUBCOMP: success, so MQTT 5 may omit the reason code."""
    return _packet(type_, 2 if type_ == PUBREL else 0, struct.pack("!H", packet_id))


def suback(packet_id: int, codes: list[int], level: int) -> bytes:
    props = b"\x00" if level >= 5 else b""
    return _packet(SUBACK, 0, struct.pack("!H", packet_id) + props + bytes(codes))


def unsuback(packet_id: int, count: int, level: int) -> bytes:
    if level >= 5:
        return _packet(UNSUBACK, 0, struct.pack("!H", packet_id) + b"\x00" + bytes(count))
    return _packet(UNSUBACK, 0, struct.pack("!H", packet_id))


def pingresp() -> bytes:
    return _packet(PINGRESP, 0, b"")


def publish(message: Publish, level: int) -> bytes:
    flags = (message.qos << 1) | (1 if message.retain else 0) | (8 if message.dup else 0)
    body = _string(message.topic)
    if message.qos:
        if message.packet_id is None:
            raise ValueError("a QoS 1 or 2 PUBLISH needs a packet id")
        body += struct.pack("!H", message.packet_id)
    if level >= 5:
        body += b"\x00"
    return _packet(PUBLISH, flags, body + message.payload)
