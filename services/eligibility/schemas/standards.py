"""Shapes of the standards and their recalculations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from services.eligibility.schemas.common import Strict


class StandardIn(Strict):
    """A new standard: the parameters that change; every other keeps the value of the standard in force."""

    effective_from: date
    parameters: dict[str, Any] = Field(
        description='parameter name → new value, e.g. {"dibao_urban_fen": 80000}; names as in GET /v1/standards',
        examples=[{"dibao_urban_fen": 80000, "dibao_rural_fen": 66000, "tekun_basic_fen": 104000}],
    )
    note: str | None = Field(default=None, max_length=500)


class DistrictStandardOut(BaseModel):
    district_code: str
    effective_from: date
    overrides: dict[str, object] = Field(
        description="the district's own values, in force from `effective_from`"
    )
    parameters: dict[str, object] = Field(description="the city-wide standard with the overrides applied")


class StandardOut(BaseModel):
    id: UUID
    effective_from: date
    parameters: dict[str, object]
    published_by: str
    published_at: datetime
    note: str | None


class RecalculationOut(BaseModel):
    standard_id: UUID
    status: str
    cases_total: int
    cases_changed: int
    households_flagged: int = Field(description="near-line households flagged for review when it finished")
    started_at: datetime | None
    finished_at: datetime | None


class ReviewFlagOut(BaseModel):
    """A household the new standard may have made eligible: re-assess it."""

    household_id: UUID
    district_code: str
    per_capita_income_fen: int
    flagged_at: datetime
