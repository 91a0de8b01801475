"""Household members as the rules see them: age on a day, disability, illness, schooling, self-care."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.eligibility.domain.standards import DisabilityKind, Standards
from shared.contracts.types import CareLevel
from shared.errors import InvalidInput

Relation = Literal["head", "spouse", "child", "parent", "sibling", "grandparent", "grandchild", "other"]

ADL_ACTIVITIES = 6
"""Eating, dressing, getting in/out of bed, toileting, indoor walking, bathing."""


@dataclass(frozen=True, kw_only=True)
class Member:
    """One household member. `id_number` is carried for the caller; no rule reads identity."""

    id_number: str | None = None
    birth_date: date
    relation: Relation = "head"
    disability_grade: int | None = None
    disability_kind: DisabilityKind | None = None
    serious_illness: bool = False
    student: bool = False
    preschool: bool = False
    adl_failed: int | None = None
    orphan: bool = False

    def __post_init__(self) -> None:
        if self.disability_grade is not None and not 1 <= self.disability_grade <= 4:
            raise InvalidInput(f"disability grade must be 1-4, got {self.disability_grade}")
        if self.disability_kind is not None and self.disability_grade is None:
            raise InvalidInput("a disability kind needs a disability grade")
        if self.adl_failed is not None and not 0 <= self.adl_failed <= ADL_ACTIVITIES:
            raise InvalidInput(f"adl_failed counts 0-{ADL_ACTIVITIES} activities, got {self.adl_failed}")

    @property
    def disabled(self) -> bool:
        """Holds a disability certificate of any grade (残疾人证)."""
        return self.disability_grade is not None


def anniversary(start: date, years: int) -> date:
    """The day `years` after `start`; 29 February falls on 1 March in a year without one."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


def age_on(birth_date: date, day: date) -> int:
    """Completed years on `day`; the birthday itself counts, and a 29 February birthday is 1 March
    in common years (born 2008-02-29: 18 on 2026-03-01, still 17 on 2026-02-28)."""
    if day < birth_date:
        raise InvalidInput(f"born {birth_date.isoformat()}, after {day.isoformat()}")
    not_yet = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(not_yet)


def care_level(adl_failed: int, standards: Standards) -> CareLevel:
    """Self-care level from how many of the six daily activities the person cannot do."""
    if not 0 <= adl_failed <= ADL_ACTIVITIES:
        raise InvalidInput(f"adl_failed counts 0-{ADL_ACTIVITIES} activities, got {adl_failed}")
    if adl_failed >= standards.adl_full_care_from:
        return "full_care"
    if adl_failed >= standards.adl_half_care_from:
        return "half_care"
    return "self_caring"


def care_subsidy_fen(level: CareLevel, standards: Standards) -> int:
    """Monthly 特困 care subsidy (护理补贴) for a care level."""
    return {
        "full_care": standards.care_subsidy_full_fen,
        "half_care": standards.care_subsidy_half_fen,
        "self_caring": standards.care_subsidy_self_fen,
    }[level]
