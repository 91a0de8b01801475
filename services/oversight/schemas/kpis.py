"""What the KPI API takes and answers: each KPI per district and in total, with its target; a target set."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.oversight.domain.kpis import KpiName, Unit
from shared.contracts.types import Day, DistrictCode


class Figure(BaseModel):
    district_code: str | None = Field(description="null: the total over every district in the answer")
    value: float | None = Field(
        description="numerator ÷ denominator (× 1,000 per 1,000 cases); a count is the numerator; null when "
        "the denominator is 0"
    )
    numerator: float
    denominator: float | None = Field(description="null for a count")
    target: float | None = Field(description="the target in force on `as_of`; null when none is set")
    meets: bool | None = Field(description="value at least the target (at most, when lower is better)")


class KpiOut(BaseModel):
    kpi: KpiName
    title: str
    unit: Unit = Field(description="share (0–1), per_person_year, per_1000_cases or count")
    higher_is_better: bool
    total: Figure
    districts: list[Figure]


class KpiReportOut(BaseModel):
    month: str = Field(description="first month of the period, YYYY-MM")
    through: str = Field(description="last month of the period, YYYY-MM")
    first_day: date
    last_day: date
    as_of: date = Field(description="the day stocks are read on: the period's last day, or today if earlier")
    district_code: str | None = Field(
        description="the one district asked for, or null for every one in scope"
    )
    kpis: list[KpiOut]


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kpi: KpiName
    district_code: DistrictCode | None = Field(
        default=None, description="one district; omitted: the city-wide target (and every district's default)"
    )
    effective_from: Day = Field(description="holds from this day until a later target")
    target: float = Field(
        ge=0, le=1_000_000, allow_inf_nan=False, description="a share is 0 to 1 (0.5 = 50 %)"
    )


class TargetOut(TargetIn):
    set_by: str
