"""How far a service's working-day calendar reaches: a Prometheus gauge to alert on, and `/health`'s warning."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Gauge

from shared.clock import BUSINESS_ZONE
from shared.workdays import calendar_warning

if TYPE_CHECKING:
    from shared.service import ServiceRuntime


class CalendarWatch:
    """How far the working-day calendar reaches: a metric to alert on, and the warning `/health` shows."""

    def __init__(self, runtime: ServiceRuntime, registry: CollectorRegistry) -> None:
        assert runtime.definition.working_days is not None
        self._runtime, self._read = runtime, runtime.definition.working_days
        self._last_day = Gauge(
            "safetynet_calendar_known_until_timestamp_seconds",
            "Start (Asia/Shanghai) of the last day the working-day calendar knows; 0 if today's year is unknown",
            registry=registry,
        )
        self._days_ahead = Gauge(
            "safetynet_calendar_known_days_ahead",
            "Days from today to the last known calendar day; negative if today's year is unknown",
            registry=registry,
        )

    async def __call__(self) -> list[str]:
        uow = self._runtime.unit_of_work()
        async with uow:
            calendar = await self._read(uow.session)
        today = self._runtime.clock.today()
        until = calendar.known_until(today)
        if until is None:
            self._last_day.set(0)
            self._days_ahead.set(-1)
        else:
            self._last_day.set(datetime.combine(until, time(), BUSINESS_ZONE).timestamp())
            self._days_ahead.set((until - today).days)
        warning = calendar_warning(calendar, today)
        return [warning] if warning else []
