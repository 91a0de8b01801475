"""A raw Kafka-protocol Metadata request: is the broker up, in the right cluster, and unfenced?"""

from __future__ import annotations

import socket
import struct

from shared.local.kafka.config import HOST, NODE_ID, KafkaBroker


def _answers_as(broker: KafkaBroker, cluster_id: str, *, timeout_s: float) -> bool:
    answered_cluster, node_ids = _metadata(broker.port, timeout_s)
    return answered_cluster == cluster_id and NODE_ID in node_ids


def _metadata(port: int, timeout_s: float) -> tuple[str | None, list[int]]:
    """Send a Metadata request and return the cluster id and the ids of the live brokers.

    Hand-encoded rather than through aiokafka so it works from sync code and inside a running
    event loop alike. Version 4 is the oldest that Kafka 4 still accepts and 3.9 knows too. A
    KRaft broker lists itself only once it is unfenced, i.e. ready to lead partitions.
    """
    client_id = b"safetynet-local"
    api_key, api_version, correlation_id = 3, 4, 1
    request = struct.pack(">hhih", api_key, api_version, correlation_id, len(client_id)) + client_id
    request += struct.pack(">i?", 0, False)  # no topics, don't create any
    with socket.create_connection((HOST, port), timeout=timeout_s) as connection:
        connection.sendall(struct.pack(">i", len(request)) + request)
        (size,) = struct.unpack(">i", _receive(connection, 4))
        if not 0 < size < 1 << 20:
            raise ValueError(f"implausible response size {size}")
        body = _receive(connection, size)
    reader = _Reader(body)
    if reader.int32() != correlation_id:
        raise ValueError("response to another request")
    reader.int32()  # throttle time
    node_ids: list[int] = []
    for _ in range(reader.int32()):
        node_ids.append(reader.int32())
        reader.string()  # host
        reader.int32()  # port
        reader.string()  # rack
    return reader.string(), node_ids


def _receive(connection: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = connection.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("the broker closed the connection mid-response")
        chunks += chunk
    return bytes(chunks)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    def int32(self) -> int:
        (value,) = struct.unpack_from(">i", self._data, self._offset)
        self._offset += 4
        return int(value)

    def string(self) -> str | None:
        (length,) = struct.unpack_from(">h", self._data, self._offset)
        self._offset += 2
        if length < 0:
            return None
        value = self._data[self._offset : self._offset + length]
        self._offset += length
        return value.decode()
