"""Shapes of the working-day calendar: a year as the bureau enters it, and what is known."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.eligibility.domain.calendar import MAX_DAYS, NAME_MAX, NOTICE_MAX
from services.eligibility.schemas.common import Strict
from shared.contracts.types import Day


class CalendarDayIn(Strict):
    date: Day
    kind: Literal["holiday", "working_day"] = Field(
        description="holiday (放假), or working_day: a weekend day worked in exchange (调休上班)"
    )
    name: str = Field(default="", max_length=NAME_MAX, description="e.g. 春节")


class CalendarYearIn(Strict):
    """A year from the State Council's notice on holiday arrangements (国务院办公厅关于…部分节假日安排的通知)."""

    notice: str | None = Field(default=None, max_length=NOTICE_MAX)
    days: list[CalendarDayIn] = Field(
        max_length=MAX_DAYS,
        description="every day off and every weekend day worked; any other Monday–Friday is a working day",
        examples=[
            [
                {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
                {"date": "2027-02-06", "kind": "working_day", "name": "春节调休"},
            ]
        ],
    )


class RecomputationOut(BaseModel):
    """The background recount of open applications' provisional deadlines after a year was loaded."""

    id: UUID
    year: int
    revision: int
    status: Literal["running", "done"]
    applications_total: int
    applications_done: int
    started_at: datetime
    finished_at: datetime | None


class CalendarYearOut(BaseModel):
    year: int
    source: Literal["package", "loaded"] = Field(
        description="package: the chinesecalendar data shipped with the release; loaded: entered by the bureau"
    )
    holidays: int = Field(description="days off listed")
    shifted_working_days: int = Field(description="weekend days worked")
    notice: str | None = None
    file: str | None = Field(default=None, description="the file it was loaded from, or 'api'")
    revision: int | None = None
    loaded_by: str | None = None
    loaded_at: datetime | None = None


class CalendarOut(BaseModel):
    today: date
    known_until: date | None = Field(
        description="the last day of the run of known years that holds today; deadlines past it are provisional"
    )
    warning: str | None = Field(description="set from 60 days before `known_until`: load the next year")
    years: list[CalendarYearOut]


class CalendarLoadOut(BaseModel):
    year: CalendarYearOut
    recomputation: RecomputationOut
