"""Life of a case in months: when benefits start and stop, and when the next review is due."""

from __future__ import annotations

from calendar import monthrange
from datetime import date


def _first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day if it has none (Civil Code art. 202)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month_index + 1, min(day.day, monthrange(year, month_index + 1)[1]))


def benefit_start_month(approved_on: date) -> date:
    """First month paid (as its first day): the month after approval."""
    return _first_of_next_month(approved_on)


def termination_effective_month(event_date: date) -> date:
    """First month no longer paid after a termination event (death, income, prison, voluntary exit…)."""
    return _first_of_next_month(event_date)


def suspension_effective_month(suspended_on: date) -> date:
    """First month withheld after a suspension: as with termination, the month under way stays paid."""
    return _first_of_next_month(suspended_on)


def next_review_due(
    last_review_on: date,
    irregular_income_or_able_members: bool,
    *,
    stable_months: int = 12,
    irregular_months: int = 6,
) -> date:
    """When the next periodic review (动态管理) is due: yearly for stable households, half-yearly for
    households with irregular income or members able to work."""
    months = irregular_months if irregular_income_or_able_members else stable_months
    return add_months(last_review_on, months)
