"""Counted income: wages, business, property and transfer income count; the exempt categories do not."""

from __future__ import annotations

import pytest

from services.eligibility.domain.income import NOT_COUNTED, Income, counted_monthly_income
from shared.errors import InvalidInput


def test_the_four_kinds_of_income_count() -> None:
    incomes = [
        Income(category="wages", monthly_fen=150_000),
        Income(category="business", monthly_fen=20_000),
        Income(category="property", monthly_fen=5_000),
        Income(category="transfer", monthly_fen=3_000),
    ]
    assert counted_monthly_income(incomes) == 178_000


@pytest.mark.parametrize("category", sorted(NOT_COUNTED))
def test_each_exempt_income_is_left_out(category: str) -> None:
    incomes = [Income(category="wages", monthly_fen=60_000), Income(category=category, monthly_fen=99_900)]  # type: ignore[arg-type]
    assert counted_monthly_income(incomes) == 60_000


def test_the_exempt_list_is_the_one_domain_md_names() -> None:
    assert {
        "veterans_pension",
        "family_planning_award",
        "scholarship",
        "bravery_award",
        "social_assistance",
        "basic_residents_pension",
    } == NOT_COUNTED


def test_negative_income_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Income(category="wages", monthly_fen=-1)
