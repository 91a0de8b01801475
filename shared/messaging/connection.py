"""What the relay, consumers and publisher know about the broker: quiet failure logs and readiness.

Each component reports every attempt to a `ConnectionLog`: a failure logs at most one line per interval
(with how many repeats it left out), and the first success after failures logs when it came back. The
`BrokerState` of a service collects its components' logs; `/ready` asks it how long the broker has been
out of reach, without a round trip of its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from shared.observability import get_logger

log = get_logger(__name__)

LOG_INTERVAL_S = 30.0
"""At most one connection-error line per component in this many seconds."""

Clock = Callable[[], float]


class RateLimiter:
    """Lets one occurrence of a key through per interval and counts the ones it holds back."""

    def __init__(self, interval: float = LOG_INTERVAL_S, *, clock: Clock = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._last: dict[object, float] = {}
        self._suppressed: dict[object, int] = {}

    def allow(self, key: object = None) -> int | None:
        """None to stay quiet; otherwise how many were suppressed since the last one let through."""
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return None
        self._last[key] = now
        return self._suppressed.pop(key, 0)

    def reset(self, key: object = None) -> int:
        """Forget the key (the trouble is over); returns how many were suppressed since the last line."""
        self._last.pop(key, None)
        return self._suppressed.pop(key, 0)


class ConnectionLog:
    """One component's broker connection: rate-limited failure lines, a recovery line, and since when it is out."""

    def __init__(
        self,
        component: str,
        *,
        interval: float = LOG_INTERVAL_S,
        clock: Clock = time.monotonic,
        logger: Any = None,
        failure: str = "broker unreachable",
        recovery: str = "broker reachable again",
    ) -> None:
        self.component = component
        self._failure, self._recovery = failure, recovery
        self._clock = clock
        self._limiter = RateLimiter(interval, clock=clock)
        self._log = logger if logger is not None else log
        self.down_since: float | None = None

    def failed(self, error: BaseException | str, **context: Any) -> None:
        now = self._clock()
        if self.down_since is None:
            self.down_since = now
        suppressed = self._limiter.allow()
        if suppressed is not None:
            self._log.warning(
                self._failure,
                component=self.component,
                error=error if isinstance(error, str) else repr(error),
                down_for_s=round(now - self.down_since, 1),
                suppressed=suppressed,
                **context,
            )

    def succeeded(self) -> None:
        if self.down_since is None:
            return
        after = self._clock() - self.down_since
        suppressed = self._limiter.reset()
        self.down_since = None
        self._log.info(
            f"{self._recovery} after {after:.1f} s",
            component=self.component,
            after_s=round(after, 1),
            suppressed=suppressed,
        )

    def down_for(self) -> float:
        """Seconds since the first failure of the current outage; 0 while connected."""
        return 0.0 if self.down_since is None else self._clock() - self.down_since


class BrokerState:
    """The connection logs of one service's components; readiness reads how long the broker is out of reach."""

    def __init__(self, *, interval: float = LOG_INTERVAL_S, clock: Clock = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._components: dict[str, ConnectionLog] = {}

    def component(
        self,
        name: str,
        *,
        failure: str = "broker unreachable",
        recovery: str = "broker reachable again",
        **labels: Any,
    ) -> ConnectionLog:
        """The log of one component (made on first use); `labels` go on each of its lines."""
        if name not in self._components:
            self._components[name] = ConnectionLog(
                name,
                interval=self._interval,
                clock=self._clock,
                logger=log.bind(**labels) if labels else log,
                failure=failure,
                recovery=recovery,
            )
        return self._components[name]

    def unreachable(self, grace: float) -> list[str]:
        """The components that have not reached the broker for longer than `grace` seconds."""
        return [
            f"{name} has not reached the broker for {entry.down_for():.0f} s"
            for name, entry in sorted(self._components.items())
            if entry.down_for() > grace
        ]


async def reach(bootstrap_servers: str, *, timeout_s: float) -> None:
    """Open (and close) a TCP connection to the first bootstrap server that answers; raise if none does."""
    errors: list[str] = []
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout_s)
        except (OSError, TimeoutError, ValueError) as exc:
            errors.append(f"{server.strip()}: {exc!r}")
            continue
        writer.close()
        return
    raise ConnectionError("; ".join(errors))


async def watch_broker(
    bootstrap_servers: str, connection: ConnectionLog, *, every: float, timeout_s: float = 2.0
) -> None:
    """Until cancelled: look whether the broker accepts connections, so that an idle service notices too."""
    while True:
        try:
            await reach(bootstrap_servers, timeout_s=timeout_s)
        except ConnectionError as exc:
            connection.failed(str(exc))
        else:
            connection.succeeded()
        await asyncio.sleep(every)


class RateLimitFilter(logging.Filter):
    """For the Kafka client library's own loggers: one line per message template per interval.

    A line let through after repeats says how many were left out.
    """

    def __init__(self, interval: float = LOG_INTERVAL_S, *, clock: Clock = time.monotonic) -> None:
        super().__init__()
        self._limiter = RateLimiter(interval, clock=clock)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        suppressed = self._limiter.allow((record.name, record.msg))
        if suppressed is None:
            return False
        if suppressed:
            record.msg = f"{record.getMessage()} ({suppressed} repeats suppressed)"
            record.args = ()
        return True
