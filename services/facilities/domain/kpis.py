"""The care rate (集中供养率) and bed figures: fractions, targets and the months of a trend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from shared.contracts.types import YearMonth

MAX_TREND_MONTHS: Final = 120
_FOUR_PLACES = Decimal("0.0001")


def share(part: int, whole: int) -> Decimal | None:
    """part / whole to four places (half up), or None when there is nothing to divide by."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Target:
    due_on: date
    rate: Decimal


def target_in_force(targets: Sequence[Target], on: date) -> Target | None:
    """The latest target due on or before `on`: the one a district should have met by then."""
    due = [t for t in targets if t.due_on <= on]
    return max(due, key=lambda t: t.due_on) if due else None


def next_target(targets: Sequence[Target], on: date) -> Target | None:
    """The first target due after `on`: the one a district is working towards."""
    ahead = [t for t in targets if t.due_on > on]
    return min(ahead, key=lambda t: t.due_on) if ahead else None


def trend_days(first: YearMonth, last: YearMonth) -> list[date]:
    """The last day of each month from `first` to `last`: where a monthly trend is measured."""
    if last < first:
        raise ValueError("the trend's last month is before its first")
    days: list[date] = []
    month = first
    while month <= last:
        days.append(month.last_day)
        month = month.next()
    if len(days) > MAX_TREND_MONTHS:
        raise ValueError(f"a trend covers at most {MAX_TREND_MONTHS} months")
    return days
