"""What the purchased-services API takes and answers: providers, contracts, tasks and evaluations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from services.oversight.domain.purchased_services import ServiceKind
from services.oversight.schemas.checks import Strict
from shared.contracts.types import MAX_FEN, Day, DistrictCode

Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def _unique(kinds: list[ServiceKind]) -> list[ServiceKind]:
    if len(set(kinds)) != len(kinds):
        raise ValueError("each kind at most once")
    return kinds


class ProviderIn(Strict):
    district_code: DistrictCode
    name: Text200 = Field(description="the registered name of the provider (承接主体)")
    credit_code: Annotated[str, StringConstraints(pattern=r"^[0-9A-HJ-NP-RTUWXY]{18}$")] = Field(
        description="统一社会信用代码: 18 characters, the last a check character (GB 32100-2015)",
        examples=["91350100M000100Y43"],
    )


class ProviderOut(BaseModel):
    id: UUID
    district_code: str
    name: str
    credit_code: str
    registered_by: str
    registered_at: datetime


class ProviderPage(BaseModel):
    items: list[ProviderOut]
    total: int


class ContractIn(Strict):
    provider_id: UUID = Field(
        description="a provider registered in your district; the contract is the district's"
    )
    scope: Annotated[list[ServiceKind], AfterValidator(_unique)] = Field(
        min_length=1, max_length=4, json_schema_extra={"uniqueItems": True}
    )
    budget_fen: int = Field(ge=1, le=MAX_FEN)
    starts_on: Day
    ends_on: Day = Field(description="not before starts_on")


class ContractOut(BaseModel):
    id: UUID
    provider_id: UUID
    district_code: str
    scope: list[ServiceKind]
    budget_fen: int
    starts_on: date
    ends_on: date
    signed_by: str
    signed_at: datetime


class ContractPage(BaseModel):
    items: list[ContractOut]
    total: int


class TaskIn(Strict):
    kind: ServiceKind = Field(description="one of the contract's scope")
    case_id: UUID = Field(description="a case of the contract's district")
    due_on: Day = Field(description="within the contract's period")


class EvidenceItem(Strict):
    description: Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
    document_ref: Text200 | None = None


class CompletionIn(Strict):
    completed_on: Day = Field(description="not in the future")
    evidence: list[EvidenceItem] = Field(min_length=1, max_length=20)


class TaskOut(BaseModel):
    id: UUID
    contract_id: UUID
    district_code: str
    kind: ServiceKind
    case_id: UUID
    due_on: date
    assigned_by: str
    assigned_at: datetime
    completed_on: date | None
    completed_by: str | None
    evidence: list[dict[str, Any]] | None


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int


class EvaluationIn(Strict):
    as_of: Day | None = Field(default=None, description="default today; not in the future")


class EvaluationOut(BaseModel):
    id: UUID
    contract_id: UUID
    district_code: str
    as_of: date
    tasks_due: int = Field(description="tasks due, or done, by as_of")
    tasks_on_time: int = Field(description="of those, done by their due date")
    quality_problems: int = Field(description="problems from spot checks of the provider's tasks")
    complaints: int = Field(description="problems from complaints about the contract")
    timeliness_points: int = Field(description="60 × on time ÷ due, rounded down (60 when none due)")
    quality_points: int = Field(description="25 − 5 per quality problem, at least 0")
    complaint_points: int = Field(description="15 − 5 per complaint, at least 0")
    score: int = Field(description="the sum, out of 100")
    evaluated_by: str
    evaluated_at: datetime


class EvaluationPage(BaseModel):
    items: list[EvaluationOut]
    total: int
