"""The MQTT stub: an MQTT 3.1.1 and 5 broker on asyncio streams, enough for aiomqtt/paho and mosquitto's
command-line clients.

CONNECT → CONNACK (any credentials are accepted: the stub has no users; no session is kept, so
``session present`` is always 0), SUBSCRIBE → SUBACK (the QoS asked for), UNSUBSCRIBE → UNSUBACK,
PUBLISH at QoS 0, 1 (PUBACK) and 2 (PUBREC, PUBREL, PUBCOMP) delivered to every matching subscription of
every connection at the lower of the two QoS (retained messages are kept and sent on SUBSCRIBE),
PINGREQ → PINGRESP, DISCONNECT. MQTT 5 properties are read past and none are sent.

One attempt per connection (MQTT has no request of its own; the probe connects and disconnects): the
connection's fault lasts as long as it does. ``timeout`` (no CONNACK, nothing answered), ``disconnect``
(the connection is closed when CONNECT arrives), ``reset`` (the same with a RST), ``garbage`` (bytes that
are not MQTT instead of CONNACK), ``close-mid-body`` (half of CONNACK, then close), ``invalid`` (CONNACK
refuses: 3.1.1 return code 3 "server unavailable", MQTT 5 reason 0x88 "server unavailable"),
``slow:MS`` (CONNACK and every answer MS late). Every packet a client sends is recorded, with its
connection's attempt number.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...secrets import shorten
from .._base import GARBAGE, RunningStub, StubContext, hang, listen, peer_of, reset
from ..faults import Fault, FaultKind
from ..spec import StubSpec
from . import _mqtt_wire as w

__all__ = ["start"]

UNAVAILABLE = {4: 3, 5: 0x88}  # CONNACK "server unavailable": 3.1.1 return code, MQTT 5 reason code
_MAX_SHOWN = 200


@dataclass(eq=False)
class _Client:
    writer: asyncio.StreamWriter
    level: int = 4
    client_id: str = ""
    delay_s: float = 0.0
    subs: dict[str, int] = field(default_factory=dict)  # filter -> granted QoS (MQTT 5: options byte)
    next_id: int = 0

    def packet_id(self) -> int:
        self.next_id = self.next_id % 65535 + 1
        return self.next_id

    async def send(self, data: bytes) -> None:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if not self.writer.is_closing():
            self.writer.write(data)
            await self.writer.drain()


class _Broker:
    def __init__(self) -> None:
        self.clients: list[_Client] = []
        self.retained: dict[str, w.Publish] = {}

    async def deliver(self, message: w.Publish, sender: _Client) -> None:
        if message.retain:
            if message.payload:
                self.retained[message.topic] = message
            else:
                self.retained.pop(message.topic, None)
        for client in list(self.clients):
            granted = [
                options
                for f, options in client.subs.items()
                if w.filter_matches(f, message.topic)
                and not (client is sender and client.level >= 5 and options & 0x04)  # no local
            ]
            if granted:
                await self.send_to(client, message, max(o & 0x03 for o in granted), retain=False)

    async def send_to(self, client: _Client, message: w.Publish, qos: int, *, retain: bool) -> None:
        qos = min(qos, message.qos)
        out = w.Publish(
            message.topic, message.payload, qos, retain, False, client.packet_id() if qos else None
        )
        await client.send(w.publish(out, client.level))


def _request(packet: w.Packet, level: int, details: dict[str, Any]) -> dict[str, Any]:
    return {"packet": packet.name, **({"level": level} if packet.type == w.CONNECT else {}), **details}


def _shown(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    return shorten(text, _MAX_SHOWN)


async def start(spec: StubSpec, ctx: StubContext) -> RunningStub:
    broker = _Broker()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection: int) -> None:
        peer = peer_of(writer)
        attempt, fault = ctx.next_attempt()
        arrived = time.time()
        client = _Client(writer)
        recorded = 0

        def record(request: dict[str, Any], bytes_in: int, bytes_out: int) -> None:
            nonlocal recorded
            recorded += 1
            ctx.recorder.record(
                ts=None if recorded > 1 else arrived,
                attempt=attempt,
                connection=connection,
                peer=peer,
                bytes_in=bytes_in,
                bytes_out=bytes_out,
                request=request,
                fault=fault,
            )

        try:
            if fault is not None and fault.kind is FaultKind.TIMEOUT:
                record({"packet": "(connection)"}, 0, 0)
                await hang(reader, writer)
                return
            if fault is not None and fault.kind is FaultKind.SLOW:
                client.delay_s = (fault.delay_ms or 0) / 1000
            await _serve(client, reader, broker, fault, record)
        finally:
            if client in broker.clients:
                broker.clients.remove(client)
            if not recorded:
                record({"packet": "(connection)"}, 0, 0)

    return await listen(ctx, handle, scheme="mqtt")


async def _serve(
    client: _Client,
    reader: asyncio.StreamReader,
    broker: _Broker,
    fault: Fault | None,
    record: Callable[[dict[str, Any], int, int], None],
) -> None:
    kind = fault.kind if fault is not None else None
    buf = bytearray()
    connected = False
    while True:
        data = await reader.read(65536)
        if not data:
            return
        buf += data
        while buf:
            try:
                got = w.parse_packet(buf)
                if got is None:
                    break
                packet, used = got
                del buf[:used]
                if not connected and packet.type != w.CONNECT:
                    raise w.MqttError(f"{packet.name} before CONNECT")
                if packet.type == w.CONNECT:
                    if connected:
                        raise w.MqttError("a second CONNECT")
                    c = w.parse_connect(packet)
                    client.level, client.client_id = max(c.level, 4), c.client_id
                    request = _request(packet, c.level, {"client_id": c.client_id, "username": c.username})
                    if kind in (FaultKind.DISCONNECT, FaultKind.RESET):
                        record(request, used, 0)
                        if kind is FaultKind.RESET:
                            reset(client.writer)
                        return
                    if kind in (FaultKind.GARBAGE, FaultKind.CLOSE_MID_BODY):
                        answer = w.connack(client.level)
                        assert fault is not None
                        cut = GARBAGE if kind is FaultKind.GARBAGE else answer[: fault.cut_after or 2]
                        record(request, used, len(cut))
                        await client.send(cut)
                        return
                    if kind is FaultKind.INVALID:
                        answer = w.connack(client.level, UNAVAILABLE[5 if client.level >= 5 else 4])
                        record(request, used, len(answer))
                        await client.send(answer)
                        return
                    answer = w.connack(client.level)
                    record(request, used, len(answer))
                    await client.send(answer)
                    connected = True
                    broker.clients.append(client)
                    continue
                if packet.type == w.DISCONNECT:
                    record(_request(packet, client.level, {}), used, 0)
                    return
                out = await _answer(client, packet, broker)
                record(_request(packet, client.level, out[0]), used, out[1])
            except w.MqttError as exc:
                record({"packet": "(malformed)", "error": str(exc)}, len(buf), 0)
                return


async def _answer(client: _Client, packet: w.Packet, broker: _Broker) -> tuple[dict[str, Any], int]:
    """Do what one packet after CONNECT asks: (what to record of it, bytes answered)."""
    level = client.level
    t = packet.type
    if t == w.PUBLISH:
        message = w.parse_publish(packet, level)
        details = {"topic": message.topic, "qos": message.qos, "payload": _shown(message.payload)}
        answer = b""
        if message.qos == 1 and message.packet_id is not None:
            answer = w.ack(w.PUBACK, message.packet_id, level)
        elif message.qos == 2 and message.packet_id is not None:
            answer = w.ack(w.PUBREC, message.packet_id, level)
        if answer:
            await client.send(answer)
        if not (message.qos == 2 and message.dup):  # a resent QoS 2 message is delivered once
            await broker.deliver(message, client)
        return details, len(answer)
    if t == w.SUBSCRIBE:
        sub = w.parse_subscribe(packet, level)
        codes: list[int] = []
        for topic_filter, options in sub.filters:
            client.subs[topic_filter] = options if level >= 5 else options & 0x03
            codes.append(options & 0x03)
        answer = w.suback(sub.packet_id, codes, level)
        await client.send(answer)
        for topic_filter, options in sub.filters:
            for topic, message in list(broker.retained.items()):
                if w.filter_matches(topic_filter, topic):
                    await broker.send_to(client, message, options & 0x03, retain=True)
        return {"topics": [f for f, _ in sub.filters]}, len(answer)
    if t == w.UNSUBSCRIBE:
        packet_id, topics = w.parse_unsubscribe(packet, level)
        for topic in topics:
            client.subs.pop(topic, None)
        answer = w.unsuback(packet_id, len(topics), level)
        await client.send(answer)
        return {"topics": topics}, len(answer)
    if t == w.PUBREL:
        answer = w.ack(w.PUBCOMP, w.parse_ack(packet), level)
        await client.send(answer)
        return {}, len(answer)
    if t == w.PUBREC:  # of a QoS 2 delivery to this client
        answer = w.ack(w.PUBREL, w.parse_ack(packet), level)
        await client.send(answer)
        return {}, len(answer)
    if t == w.PINGREQ:
        answer = w.pingresp()
        await client.send(answer)
        return {}, len(answer)
    if t in (w.PUBACK, w.PUBCOMP, w.AUTH):
        return {}, 0
    raise w.MqttError(f"a client does not send {packet.name}")
