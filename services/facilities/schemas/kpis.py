"""HTTP shapes of the KPIs: care rate at a day with its monthly trend, and bed occupancy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field


class TargetOut(BaseModel):
    due_on: date
    rate: Decimal = Field(description="a fraction: 0.25 is 25%")


class CareRateOut(BaseModel):
    district_code: str | None = Field(description="None: every district in the caller's scope together")
    on: date
    disabled_persons: int = Field(
        description="特困 persons supported that day whose care level was half or full care"
    )
    in_facilities: int = Field(description="of them, how many lived in a care facility that day")
    rate: Decimal | None = Field(description="in_facilities / disabled_persons, four places; None when 0 / 0")
    target_in_force: TargetOut | None = Field(description="the latest target due on or before `on`")
    meets_target: bool | None = Field(description="rate ≥ target_in_force; None without a rate or target")
    next_target: TargetOut | None


class TrendPointOut(BaseModel):
    month: str = Field(description="YYYY-MM, measured on its last day")
    disabled_persons: int
    in_facilities: int
    rate: Decimal | None


class CareRateReportOut(BaseModel):
    overall: CareRateOut = Field(description="the district asked for, or city-wide over the caller's scope")
    districts: list[CareRateOut] = Field(description="per district, when no district was asked for")
    trend: list[TrendPointOut] = Field(description="the overall figure at the end of each month asked for")


class OccupancyOut(BaseModel):
    facility_id: UUID | None = Field(description="None on a district's total")
    name: str | None
    district_code: str
    status: str | None
    beds: int
    available: int = Field(description="beds in service")
    occupied: int
    occupancy: Decimal | None = Field(description="occupied / beds")
    utilisation: Decimal | None = Field(description="occupied / available (DOMAIN.md: bed utilisation)")


class OccupancyReportOut(BaseModel):
    on: date
    facilities: list[OccupancyOut]
    districts: list[OccupancyOut]
