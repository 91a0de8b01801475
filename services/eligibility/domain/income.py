"""Counted income (DOMAIN.md, People and households): what the means tests count, by category."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from shared.errors import InvalidInput

IncomeCategory = Literal[
    "wages",
    "business",
    "property",
    "transfer",
    "veterans_pension",
    "family_planning_award",
    "scholarship",
    "bravery_award",
    "social_assistance",
    "basic_residents_pension",
]
"""Wages, net business, net property and net transfer income count (after tax and social insurance);
the others are named by DOMAIN.md as not counted."""

NOT_COUNTED: frozenset[IncomeCategory] = frozenset(
    {
        "veterans_pension",
        "family_planning_award",
        "scholarship",
        "bravery_award",
        "social_assistance",
        "basic_residents_pension",
    }
)


@dataclass(frozen=True, kw_only=True)
class Income:
    """One monthly income of the household, net of tax and social-insurance contributions."""

    category: IncomeCategory
    monthly_fen: int

    def __post_init__(self) -> None:
        if self.monthly_fen < 0:
            raise InvalidInput(f"{self.category} income must not be negative")


def counted_monthly_income(incomes: Iterable[Income]) -> int:
    """The household income the means tests count (家庭收入): every category but the excluded ones."""
    return sum(income.monthly_fen for income in incomes if income.category not in NOT_COUNTED)
