"""What the problem-list API takes and answers: problems, their rectification, evidence and sign-off."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from services.oversight.domain.problems import ProblemSource, ProblemStatus
from services.oversight.schemas.checks import Strict
from shared.contracts.types import Day, DistrictCode, StaffId

Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=2_000)]
DocumentRef = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ProblemIn(Strict):
    """A problem entered by hand; a check's finding goes on the list by `POST /v1/findings/{id}/problem`."""

    district_code: DistrictCode
    source: Literal["self_inspection", "supervision", "complaint"] = Field(
        description="self_inspection (自查), supervision (a supervision visit), complaint (投诉举报)"
    )
    title: Title
    description: Note
    case_id: UUID | None = Field(default=None, description="a case of the district it is about")
    contract_id: UUID | None = Field(
        default=None, description="a purchased-service contract of the district it is about (a complaint)"
    )


class RectificationIn(Strict):
    responsible_person: StaffId = Field(description="the staff account answerable for the rectification")
    measures: Note
    deadline: Day = Field(description="not before today; overdue from the day after it")


class EvidenceIn(Strict):
    description: Note
    document_ref: DocumentRef | None = Field(default=None, description="where the document is filed")


class ClosureIn(Strict):
    note: Note = Field(description="the sign-off: what was checked before closing")


class EvidenceOut(BaseModel):
    id: UUID
    description: str
    document_ref: str | None
    added_by: str
    added_at: datetime


class ProblemOut(BaseModel):
    id: UUID
    district_code: str
    source: ProblemSource
    title: str
    description: str
    finding_id: UUID | None
    case_id: UUID | None
    contract_id: UUID | None
    task_id: UUID | None
    status: ProblemStatus
    opened_by: str
    opened_at: datetime
    responsible_person: str | None
    measures: str | None
    deadline: date | None
    rectification_by: str | None
    rectification_at: datetime | None
    overdue: bool = Field(description="past its deadline and not closed, on today's date")
    days_overdue: int | None
    escalated_on: date | None = Field(description="the day it was reported to the municipal level")
    closed_by: str | None
    closed_at: datetime | None
    closing_note: str | None


class ProblemDetail(ProblemOut):
    evidence: list[EvidenceOut]


class ProblemPage(BaseModel):
    items: list[ProblemOut]
    total: int


class EscalationOut(BaseModel):
    as_of: date
    escalated: list[UUID] = Field(description="problems overdue today and reported now; earlier ones stay")
