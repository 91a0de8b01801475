"""What the supervision API takes and answers: inspection teams, spot-check draws, sampled cases, results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from services.oversight.domain.supervision import (
    DEFAULT_NEW_CASE_RATE_PCT,
    DEFAULT_RELATIVES_RATE_PCT,
    MAX_SEED,
)
from services.oversight.schemas.checks import Strict
from shared.contracts.types import Day, DistrictCode, StaffId


def _unique(items: list[UUID] | list[str] | None) -> list[UUID] | list[str] | None:
    if items is not None and len(set(items)) != len(items):
        raise ValueError("each item at most once")
    return items


class TeamIn(Strict):
    district_code: DistrictCode
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    members: Annotated[list[StaffId], AfterValidator(_unique)] = Field(
        min_length=1, max_length=20, json_schema_extra={"uniqueItems": True}, description="staff accounts"
    )


class TeamOut(BaseModel):
    id: UUID
    district_code: str
    name: str
    members: list[str]
    created_by: str
    created_at: datetime


class TeamPage(BaseModel):
    items: list[TeamOut]
    total: int


class DrawIn(Strict):
    district_code: DistrictCode
    period_from: Day = Field(description="new cases are those approved from this day")
    period_to: Day = Field(description="to this day (inclusive), not after today")
    seed: int | None = Field(
        default=None,
        ge=0,
        le=MAX_SEED,
        description="default: a random one; recorded, so the draw can be redone",
    )
    new_case_rate_pct: int = Field(default=DEFAULT_NEW_CASE_RATE_PCT, ge=0, le=100, description="rounded up")
    relatives_rate_pct: int = Field(
        default=DEFAULT_RELATIVES_RATE_PCT, ge=0, le=100, description="rounded up"
    )


class DrawOut(BaseModel):
    id: UUID
    district_code: str
    period_from: date
    period_to: date
    seed: int
    new_case_rate_pct: int
    relatives_rate_pct: int
    new_cases: int = Field(description="new cases in the period (relatives' cases not counted)")
    relatives_cases: int
    sampled_new_cases: int
    sampled_relatives_cases: int
    drawn_by: str
    drawn_at: datetime


class SpotCheckOut(BaseModel):
    case_id: UUID
    reason: Literal["relative", "new_case"]
    team_id: UUID | None
    assigned_by: str | None
    outcome: Literal["pass", "problem_found"] | None
    note: str | None
    checked_by: str | None
    checked_at: datetime | None
    problem_id: UUID | None


class SamplePage(BaseModel):
    items: list[SpotCheckOut]
    total: int


class AssignmentIn(Strict):
    team_id: UUID = Field(description="a team of the draw's district")
    case_ids: Annotated[list[UUID] | None, AfterValidator(_unique)] = Field(
        default=None,
        min_length=1,
        max_length=1_000,
        json_schema_extra={"uniqueItems": True},
        description="sampled cases to assign; default: every one not assigned yet",
    )


class AssignmentOut(BaseModel):
    team_id: UUID
    assigned: int


class ResultIn(Strict):
    outcome: Literal["pass", "problem_found"]
    note: Annotated[str, StringConstraints(min_length=1, max_length=2_000)] | None = Field(
        default=None, description="required when a problem was found: it becomes the problem's description"
    )
    task_id: UUID | None = Field(
        default=None,
        description="the purchased-service task on this case the problem is about (its provider)",
    )
