"""A single-node Apache Kafka broker (KRaft) that the project fetches with Maven and runs from a directory.

`artifacts` fetches the jars, `config` lays out the home and writes the broker's configuration,
`process` starts, stops and finds the broker, and `probe` asks it for metadata over the wire.
"""

from shared.local.kafka.config import PID_FILE, PORTS_FILE, KafkaBroker, KafkaBrokerError
from shared.local.kafka.process import start, status, stop

__all__ = ["PID_FILE", "PORTS_FILE", "KafkaBroker", "KafkaBrokerError", "start", "status", "stop"]
