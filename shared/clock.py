"""The clock every use case reads "now" and "today" from: the system's in production, a fixed one in tests.

Business dates and months are Asia/Shanghai dates; timestamps stay UTC (ARCHITECTURE.md, Data). A
process has one clock, held by its runtime and handed to routes as `TodayDep` (`shared.service`), so a
test runs a whole flow on any date by building the app with a `FixedClock`, without patching modules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = ["BUSINESS_ZONE", "Clock", "FixedClock", "SystemClock", "business_date"]

BUSINESS_ZONE = ZoneInfo("Asia/Shanghai")


def business_date(at: datetime) -> date:
    """The Shanghai date of a moment: 2026-01-31T17:00Z is already 1 February in the bureau."""
    return at.astimezone(BUSINESS_ZONE).date()


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        ...

    def today(self) -> date:
        """The bureau's business date now."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return business_date(self.now())


class FixedClock:
    """A clock that stands at one moment until moved; for tests and for replaying a day's work."""

    def __init__(self, at: datetime | date) -> None:
        self.set(at)

    def set(self, at: datetime | date) -> None:
        """Stand at `at`; a bare date means noon of that business day."""
        if not isinstance(at, datetime):
            at = datetime(at.year, at.month, at.day, 12, tzinfo=BUSINESS_ZONE)
        if at.tzinfo is None:
            raise ValueError("a fixed clock needs a timezone-aware moment")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def today(self) -> date:
        return business_date(self._at)
