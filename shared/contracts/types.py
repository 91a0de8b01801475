"""Small field types the event contracts share, defined once so every topic validates alike."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, Field, StringConstraints


def _no_duplicates(items: list[Any]) -> list[Any]:
    if len(set(items)) != len(items):
        raise ValueError("items must be unique")
    return items


_UNIQUE = AfterValidator(_no_duplicates)

DistrictCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
"""A district-level division (区/县): its GB/T 2260 code, or the internal code of a management area."""

TownshipCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
"""A township or street (乡镇/街道): its 9-digit statistical division code."""

Month = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
"""A calendar month as "YYYY-MM"; benefits are granted, paid and stopped by whole months."""

_MONTH_LABEL = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True, slots=True)
class YearMonth:
    """A calendar month as a value: what `Month` carries on the wire, with its arithmetic.

    Ordered by time (year, then month); `label` is the wire form "YYYY-MM"."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1 to 12, not {self.month}")
        date(self.year, self.month, 1)  # rejects a year the calendar cannot hold

    @classmethod
    def of(cls, day: date) -> YearMonth:
        """The month `day` falls in."""
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, label: str) -> YearMonth:
        """The month of a "YYYY-MM" label (ASCII digits, 2000-01 to 2100-12)."""
        matched = _MONTH_LABEL.fullmatch(label)
        if matched is None or not 2000 <= int(matched[1]) <= 2100:
            raise ValueError(f"{label!r} is not a month as YYYY-MM between 2000-01 and 2100-12")
        return cls(int(matched[1]), int(matched[2]))

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def day(self, number: int) -> date:
        """Its `number`-th day, or its last if it is shorter: a period counted in months ends on the
        corresponding day, or on the month's last (Civil Code art. 202)."""
        return self.first_day.replace(day=min(number, self.last_day.day))

    def plus(self, months: int) -> YearMonth:
        """The month `months` later (earlier if negative), across year ends."""
        year, index = divmod(self.year * 12 + self.month - 1 + months, 12)
        return YearMonth(year, index + 1)

    def next(self) -> YearMonth:
        return self.plus(1)

    def __str__(self) -> str:
        return self.label


Fen = Annotated[int, Field(ge=0)]
"""An amount of money in fen (分, 1/100 yuan); never a float."""

PolicyYear = Annotated[int, Field(ge=2018, le=2100)]
"""An insurance policy term: the calendar year it covers."""

Program = Literal["dibao", "tekun"]
"""Dibao (最低生活保障, minimum living guarantee) or tekun (特困人员救助供养, extreme-poverty support)."""

CareLevel = Literal["self_caring", "half_care", "full_care"]
"""A 特困 person's self-care ability: self_caring (生活自理), half_care (半失能) or full_care (失能)."""

SupportMode = Literal["centralised", "dispersed"]
"""How a 特困 person is supported: in a care facility (集中供养) or at home with a named carer (分散供养)."""

InsuranceCategory = Literal["dibao", "tekun", "orphan", "unsupported_child", "veteran_family"]
"""Why a person is insured free by 民政惠民济困保: one person may qualify through several categories."""

Benefit = Literal["dibao", "tekun", "temporary", "back_pay"]
"""What a payment is for; one payment per beneficiary, benefit and month."""

InsuranceCategories = Annotated[
    list[InsuranceCategory], Field(min_length=1, json_schema_extra={"uniqueItems": True}), _UNIQUE
]
PersonIds = Annotated[list[UUID], Field(min_length=1, json_schema_extra={"uniqueItems": True}), _UNIQUE]
Months = Annotated[list[Month], Field(json_schema_extra={"uniqueItems": True}), _UNIQUE]

StaffId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")]
"""A staff account: the `sub` of its token at the bureau's identity provider (not personal data)."""

TerminationReason = Literal[
    "death",
    "income",
    "assets",
    "prison",
    "work_capacity",
    "supporter_able",
    "voluntary",
    "moved",
    "fraud",
    "other",
]
"""Why a case ended (DOMAIN.md, 特困 termination and dibao dynamic management)."""
