"""HTTP shapes of the 5-year plan's actions."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.facilities.schemas.common import Strict, Text200, Text1000
from shared.contracts.types import Day, DistrictCode

Action = Literal["keep", "renovate", "close", "new_build"]


class PlanActionIn(Strict):
    """A facility's action in the district's plan, or a new build (no facility yet)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_code": "500103",
                    "facility_id": "0b6e2f7e-3f1c-4b59-9a3e-5f8f1d2c3b4a",
                    "plan_start_year": 2021,
                    "action": "renovate",
                    "target_start": "2022-03-01",
                    "target_end": "2023-06-30",
                    "progress_percent": 40,
                }
            ]
        },
    )

    district_code: DistrictCode
    facility_id: UUID | None = Field(default=None, description="required unless the action is new_build")
    plan_start_year: int = Field(ge=2016, le=2100, description="first year of the five-year plan")
    action: Action = Field(description="keep, renovate (renovate/upgrade), close or new_build")
    project_name: Text200 | None = Field(default=None, description="required for a new build")
    target_start: Day
    target_end: Day
    progress_percent: int = Field(default=0, ge=0, le=100)
    note: Text1000 | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.target_end < self.target_start:
            raise ValueError("target_end must not be before target_start")
        if (self.action == "new_build") != (self.facility_id is None):
            raise ValueError("a new build has no facility_id; every other action needs one")
        if self.action == "new_build" and self.project_name is None:
            raise ValueError("a new build needs a project_name")
        return self


class ProgressIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"progress_percent": 60, "note": "roof done"}]}
    )

    progress_percent: int = Field(ge=0, le=100)
    note: Text1000 | None = None


class PlanActionOut(BaseModel):
    id: UUID
    district_code: str
    facility_id: UUID | None
    plan_start_year: int
    action: str
    project_name: str | None
    target_start: date
    target_end: date
    progress_percent: int
    note: str | None
    updated_by: str
