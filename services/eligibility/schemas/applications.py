"""Shapes of applications, their steps and deadlines, and the relatives register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.eligibility.schemas.assessments import TemporaryIn
from services.eligibility.schemas.common import DistrictCode, Strict
from shared.contracts.types import MAX_FEN, Day, StaffId

StepKindName = Literal[
    "accepted",
    "refused",
    "data_cross_checked",
    "home_visited",
    "neighbours_visited",
    "democratic_appraised",
    "township_reviewed",
    "notice_posted",
    "objection_raised",
    "approved",
    "rejected",
    "refusal_notified",
    "deadline_extended",
    "relative_filed",
    "help_first_paid",
    "paperwork_completed",
]


class ApplicationIn(Strict):
    """An application received at the township (受理 follows as a step)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "household_id": "0b6f4c52-6a3e-4d3b-9c1e-2f0a8d1e7c10",
                    "program": "dibao",
                    "applied_on": "2026-10-12",
                }
            ]
        },
    )

    household_id: UUID
    program: Literal["dibao", "tekun", "temporary"]
    applied_on: Day = Field(description="the day it was received; never in the future")
    township_code: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
    uses_democratic_appraisal: bool = Field(
        default=False, description="the district's procedure includes 民主评议"
    )
    temporary: TemporaryIn | None = Field(default=None, description="required for temporary assistance")
    emergency: bool = Field(
        default=False, description="temporary assistance, emergency kind: help first possible"
    )


Note = Annotated[str, StringConstraints(max_length=1000)]
"""A reason or finding, in a sentence or a paragraph."""


class StepDetailsIn(Strict):
    reasons: list[Note] = Field(
        default=[], max_length=20, description="refused, rejected, objection_raised, deadline_extended"
    )
    findings: list[Note] = Field(
        default=[], max_length=20, description="data_cross_checked results; neighbours_visited notes"
    )
    investigators: list[StaffId] = Field(
        default=[], max_length=20, description="home_visited: at least two distinct staff ids"
    )
    district_level: bool = Field(
        default=False, description="home_visited by district staff (required for relatives)"
    )
    amount_fen: int | None = Field(default=None, ge=1, le=MAX_FEN, description="help_first_paid")


class StepIn(Strict):
    """A step as it happened: entered the day it happened (paper steps may be entered later, in order)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "home_visited",
                    "on": "2026-10-14",
                    "details": {"investigators": ["inv-017", "inv-023"]},
                },
                {"kind": "approved", "on": "2026-10-29"},
            ]
        },
    )

    kind: StepKindName
    on: Day = Field(description="the day it happened; never in the future, never before the previous step")
    details: StepDetailsIn = StepDetailsIn()


class StepOut(BaseModel):
    seq: int
    kind: str
    actor: str
    happened_on: date
    details: dict[str, object]
    recorded_at: datetime


class DeadlineOut(BaseModel):
    kind: str
    due_on: date
    met_on: date | None
    overdue: bool
    provisional: bool = Field(
        description="counted Monday to Friday into a year whose holidays nobody has entered yet: `due_on` "
        "moves to the real answer once the year is loaded (PUT /v1/calendar/{year})"
    )
    provisional_reason: str | None = Field(description="why it is provisional, when it is")


class ApplicationOut(BaseModel):
    id: UUID
    household_id: UUID
    program: str
    district_code: str
    township_code: str | None
    state: str
    entered_by: str
    relative_flagged: bool
    decided_by: str | None
    decision: str | None
    case_id: UUID | None
    steps: list[StepOut]
    deadlines: list[DeadlineOut]


class ApplicationSummary(BaseModel):
    id: UUID
    household_id: UUID
    program: str
    district_code: str
    state: str
    decision_due: date | None
    decision_due_provisional: bool = Field(description="see DeadlineOut.provisional")
    created_at: datetime


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    total: int
    page: int
    page_size: int


class OverdueOut(BaseModel):
    application_id: UUID
    district_code: str
    state: str
    overdue: list[DeadlineOut]


class RelativeIn(Strict):
    """A relative (近亲属) of assistance staff or a village cadre, filed (备案) in the register."""

    id_number: str = Field(
        max_length=18, description="the relative's resident ID; kept only as a blind index"
    )
    staff_id: str = Field(min_length=1, max_length=128, description="the staff member or cadre")
    relation: Literal["spouse", "parent", "child", "sibling", "grandparent", "grandchild"]
    district_code: str = DistrictCode


class RelativeOut(BaseModel):
    id: UUID
    staff_id: str
    relation: str
    district_code: str
    filed_by: str
    filed_at: datetime
