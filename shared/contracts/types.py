"""Small field types the event contracts share, defined once so every topic validates alike."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints


def _no_duplicates(items: list[Any]) -> list[Any]:
    if len(set(items)) != len(items):
        raise ValueError("items must be unique")
    return items


_UNIQUE = AfterValidator(_no_duplicates)

DistrictCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
"""A district-level division (区/县): its GB/T 2260 code, or the internal code of a management area."""

TownshipCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
"""A township or street (乡镇/街道): its 9-digit statistical division code."""

MONTH_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]
"""A calendar month as "YYYY-MM", 2000-01 to 2100-12; benefits are granted, paid and stopped by whole months."""

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: object) -> object:
    """Parse "YYYY-MM-DD" here: lenient parsing would read "0" as 1970-01-01 (a Unix time), and a strict one
    would refuse a day in a query string."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return date.fromisoformat(value)


def _iso_instant(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise ValueError("an instant is written YYYY-MM-DDTHH:MM:SS with its UTC offset")
    return datetime.fromisoformat(value)


def _day_between(first: date, last: date) -> AfterValidator:
    def within(day: date) -> date:
        if not first <= day <= last:
            raise ValueError(f"must be between {first} and {last}")
        return day

    return AfterValidator(within)


def _instant_between(first: date, last: date) -> AfterValidator:
    def within(instant: datetime) -> datetime:
        if not first <= instant.date() <= last:
            raise ValueError(f"must be between {first} and {last}")
        return instant

    return AfterValidator(within)


Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    _day_between(date(2000, 1, 1), date(2100, 12, 31)),
    Field(json_schema_extra={"pattern": r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"}),
]
"""A business day sent by a client, 2000-01-01 to 2100-12-31 (the years the calendar and the months span)."""

Instant = Annotated[
    datetime,
    BeforeValidator(_iso_instant),
    _instant_between(date(2000, 1, 1), date(2100, 12, 31)),
    Field(json_schema_extra={"pattern": r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}T"}),
]
"""A moment sent by a client, in ISO 8601, within the years of `Day`."""

BirthDate = Annotated[
    date,
    BeforeValidator(_iso_day),
    _day_between(date(1900, 1, 1), date(2100, 12, 31)),
    Field(json_schema_extra={"pattern": r"^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"}),
]
"""A person's date of birth, 1900-01-01 to 2100-12-31."""

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

MAX_FEN = 10**12
"""The most one amount a client sends may be: ten billion yuan, past any real one, and small enough that the
sums of millions of them stay within PostgreSQL's BIGINT."""

MAX_INTEGER = 2**31 - 1
"""PostgreSQL's INTEGER: the bound of a count or version a client sends, where nothing tighter applies."""

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
