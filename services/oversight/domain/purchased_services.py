"""Government-purchased social-assistance services (政府购买社会救助服务): the provider's unified social credit
code, what a contract may cover, and how a contract's performance is scored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ServiceKind = Literal["household_investigation", "home_visit", "review", "care_visit"]
"""What a contract may cover and a task be: 入户调查, 走访, 复核, 探访照料."""

# GB 32100-2015: 18 characters from these 31 (no I, O, S, V, Z); the last is a check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_problem(code: str) -> str | None:
    """Why `code` is not a unified social credit code (统一社会信用代码), or None when it is one."""
    if len(code) != 18 or any(c not in CREDIT_CODE_ALPHABET for c in code):
        return f"18 characters of {CREDIT_CODE_ALPHABET} (upper case, no I, O, S, V or Z)"
    if code[17] != credit_code_check_character(code[:17]):
        return "the check character (the 18th) does not match the first 17 (GB 32100-2015)"
    return None


def credit_code_check_character(first_17: str) -> str:
    total = sum(
        CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first_17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


TIMELINESS_POINTS = 60
QUALITY_POINTS = 25
COMPLAINT_POINTS = 15
POINTS_PER_PROBLEM = 5
"""What one spot-check problem or one complaint costs, from its part's points, down to zero."""


@dataclass(frozen=True)
class Performance:
    """A contract's score out of 100 and its parts (docs/oversight.md, Purchased services)."""

    tasks_due: int
    tasks_on_time: int
    quality_problems: int
    complaints: int

    @property
    def timeliness_points(self) -> int:
        """60 × the share of tasks due so far that were done by their due date, rounded down; full marks
        when nothing was due yet."""
        if self.tasks_due == 0:
            return TIMELINESS_POINTS
        return TIMELINESS_POINTS * self.tasks_on_time // self.tasks_due

    @property
    def quality_points(self) -> int:
        return max(0, QUALITY_POINTS - POINTS_PER_PROBLEM * self.quality_problems)

    @property
    def complaint_points(self) -> int:
        return max(0, COMPLAINT_POINTS - POINTS_PER_PROBLEM * self.complaints)

    @property
    def score(self) -> int:
        return self.timeliness_points + self.quality_points + self.complaint_points
