"""The rate limiter behind quiet connection-error logs, driven by a hand-set clock: no sleeps."""

from __future__ import annotations

import logging
from typing import Any

from shared.messaging.connection import BrokerState, ConnectionLog, RateLimiter, RateLimitFilter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Lines:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.lines.append(("warning", event, fields))

    def info(self, event: str, **fields: Any) -> None:
        self.lines.append(("info", event, fields))


def test_one_per_interval_and_the_count_of_the_rest() -> None:
    clock = Clock()
    limiter = RateLimiter(30, clock=clock)
    assert limiter.allow() == 0
    for _ in range(44):
        clock.now += 0.5
        assert limiter.allow() is None
    clock.now = 1030.0
    assert limiter.allow() == 44
    assert limiter.allow() is None


def test_keys_are_limited_separately_and_reset_forgets() -> None:
    clock = Clock()
    limiter = RateLimiter(30, clock=clock)
    assert limiter.allow("a") == 0
    assert limiter.allow("b") == 0
    assert limiter.allow("a") is None
    assert limiter.reset("a") == 1
    assert limiter.allow("a") == 0


def test_an_outage_logs_once_per_interval_then_says_when_the_broker_is_back() -> None:
    clock, lines = Clock(), Lines()
    connection = ConnectionLog("consumer", interval=30, clock=clock, logger=lines)
    for _ in range(90):  # 45 errors a second for two seconds
        connection.failed(ConnectionError("refused"))
        clock.now += 1 / 45
    clock.now = 1031.0
    connection.failed(ConnectionError("refused"))
    clock.now = 1040.0
    connection.succeeded()
    connection.succeeded()  # nothing more to say

    assert [(level, event) for level, event, _ in lines.lines] == [
        ("warning", "broker unreachable"),
        ("warning", "broker unreachable"),
        ("info", "broker reachable again after 40.0 s"),
    ]
    assert lines.lines[0][2]["suppressed"] == 0
    assert lines.lines[1][2]["suppressed"] == 89
    assert lines.lines[1][2]["down_for_s"] == 31.0
    assert lines.lines[2][2] == {"component": "consumer", "after_s": 40.0, "suppressed": 0}
    assert connection.down_for() == 0.0


def test_the_next_outage_starts_afresh() -> None:
    clock, lines = Clock(), Lines()
    connection = ConnectionLog("publisher", interval=30, clock=clock, logger=lines)
    connection.failed("refused")
    clock.now += 1
    connection.succeeded()
    clock.now += 1
    connection.failed("refused")
    assert [event for _, event, _ in lines.lines] == [
        "broker unreachable",
        "broker reachable again after 1.0 s",
        "broker unreachable",
    ]


def test_readiness_names_the_components_out_of_reach_beyond_the_grace() -> None:
    clock = Clock()
    broker = BrokerState(clock=clock)
    probe, publisher = broker.component("probe"), broker.component("publisher")
    assert broker.component("probe") is probe
    probe.failed("refused")
    clock.now += 10
    publisher.failed("refused")
    assert broker.unreachable(30) == []
    clock.now += 25
    assert broker.unreachable(30) == ["probe has not reached the broker for 35 s"]
    probe.succeeded()
    clock.now += 10
    assert broker.unreachable(30) == ["publisher has not reached the broker for 35 s"]


def test_the_client_library_filter_counts_what_it_dropped() -> None:
    clock = Clock()
    quiet = RateLimitFilter(30, clock=clock)

    def record(level: int = logging.ERROR) -> logging.LogRecord:
        return logging.LogRecord(
            "aiokafka.conn", level, __file__, 1, "Unable connect to %r", ("node 1",), None
        )

    assert quiet.filter(record())
    assert not any(quiet.filter(record()) for _ in range(9))
    assert quiet.filter(record(logging.DEBUG))  # below WARNING is the level's business, not ours
    clock.now += 30
    passed = record()
    assert quiet.filter(passed)
    assert passed.getMessage() == "Unable connect to 'node 1' (9 repeats suppressed)"
