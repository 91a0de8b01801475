"""Life of a case in months: when benefits start and stop, and when the next review is due."""

from __future__ import annotations

from datetime import date

from shared.contracts.types import YearMonth


def benefit_start_month(approved_on: date) -> date:
    """First month paid (as its first day): the month after approval."""
    return YearMonth.of(approved_on).next().first_day


def termination_effective_month(event_date: date) -> date:
    """First month no longer paid after a termination event (death, income, prison, voluntary exit…)."""
    return YearMonth.of(event_date).next().first_day


def suspension_effective_month(suspended_on: date) -> date:
    """First month withheld after a suspension: as with termination, the month under way stays paid."""
    return YearMonth.of(suspended_on).next().first_day


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
    return YearMonth.of(last_review_on).plus(months).day(last_review_on.day)
