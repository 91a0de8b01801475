"""Shapes of the household registry."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.eligibility.schemas.assessments import AssetsIn, ConsumptionIn, MemberIn, RigidExpensesIn
from services.eligibility.schemas.common import DistrictCode, Relation, Strict


class HouseholdMemberIn(MemberIn):
    id_number: str = Field(description="18-character resident ID (GB 11643); stored encrypted, shown masked")
    name: str = Field(min_length=1, max_length=50, description="stored encrypted, shown masked")


class StoredFacts(Strict):
    """A household's assets, consumption and rigid expenses, as kept with the household."""

    assets: AssetsIn = AssetsIn()
    consumption: ConsumptionIn = ConsumptionIn()
    rigid_expenses_12m_fen: RigidExpensesIn = RigidExpensesIn()
    has_able_supporter: bool = False


class HouseholdFacts(StoredFacts):
    monthly_income_fen: int = Field(ge=0, description="the household's counted monthly income")


class HouseholdIn(HouseholdFacts):
    """A household (家庭) and its members, as a caseworker registers it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_code": "500103",
                    "township_code": "500103001",
                    "area": "urban",
                    "members": [
                        {
                            "id_number": "11010519491231002X",
                            "name": "张桂兰",
                            "birth_date": "1949-12-31",
                            "relation": "head",
                            "disability_grade": 2,
                            "disability_kind": "physical",
                        },
                    ],
                    "monthly_income_fen": 30000,
                    "assets": {"financial_fen": 500000},
                    "reason": "registered at the street office",
                }
            ]
        },
    )

    district_code: str = DistrictCode
    township_code: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
    area: Literal["urban", "rural"]
    members: list[HouseholdMemberIn] = Field(min_length=1, max_length=30)
    reason: str = Field(
        default="registered", min_length=1, max_length=500, description="recorded in the history"
    )


class HouseholdChange(HouseholdIn):
    """The household as it is now; `version` must be the one read (optimistic concurrency)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_code": "500103",
                    "area": "urban",
                    "members": [
                        {
                            "id_number": "11010519491231002X",
                            "name": "张桂兰",
                            "birth_date": "1949-12-31",
                            "relation": "head",
                        }
                    ],
                    "monthly_income_fen": 45000,
                    "version": 3,
                    "reason": "pension increase reported by the household",
                }
            ]
        },
    )

    version: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=500, description="why it changed; recorded in the history")


class MemberOut(BaseModel):
    person_id: UUID
    id_number_masked: str
    name_masked: str
    birth_date: date
    relation: Relation
    profile: dict[str, object]


class HouseholdOut(BaseModel):
    id: UUID
    district_code: str
    township_code: str | None
    area: str
    version: int
    monthly_income_fen: int
    facts: dict[str, object]
    members: list[MemberOut]
    updated_by: str
    updated_at: datetime


class HouseholdSummary(BaseModel):
    id: UUID
    district_code: str
    township_code: str | None
    area: str
    version: int
    members: int
    updated_at: datetime


class HouseholdPage(BaseModel):
    items: list[HouseholdSummary]
    total: int
    page: int
    page_size: int


class HouseholdVersionOut(BaseModel):
    version: int
    changed_by: str
    changed_at: datetime
    reason: str
    snapshot: dict[str, object]
