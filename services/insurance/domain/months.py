"""Month arithmetic of the roster: the 1st of a month, its label, the month after."""

from __future__ import annotations

from datetime import date


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_label(day: date) -> str:
    return day.strftime("%Y-%m")


def next_month(day: date) -> date:
    """The 1st of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def first_day(month: str) -> date:
    """The 1st of a `YYYY-MM` month."""
    return date.fromisoformat(f"{month}-01")
