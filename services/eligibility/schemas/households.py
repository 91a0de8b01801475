"""Shapes of the household registry."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.eligibility.domain.income import Income, IncomeCategory, counted_monthly_income
from services.eligibility.schemas.assessments import (
    MAX_MEMBERS,
    AssetsIn,
    ConsumptionIn,
    MemberIn,
    RigidExpensesIn,
)
from services.eligibility.schemas.common import DistrictCode, Relation, Strict
from shared.contracts.types import MAX_FEN, MAX_INTEGER


class HouseholdMemberIn(MemberIn):
    id_number: str = Field(
        max_length=18, description="18-character resident ID (GB 11643); stored encrypted, shown masked"
    )
    name: str = Field(min_length=1, max_length=50, description="stored encrypted, shown masked")


class IncomeIn(Strict):
    """One monthly income, net of tax and social-insurance contributions (fen)."""

    category: IncomeCategory
    monthly_fen: int = Field(ge=0, le=MAX_FEN)
    member_index: int | None = Field(
        default=None, ge=0, lt=MAX_MEMBERS, description="the member who earns it, if one does"
    )


class StoredFacts(Strict):
    """A household's incomes by category, assets, consumption and rigid expenses, as kept with it."""

    incomes: list[IncomeIn] = Field(
        default_factory=list, max_length=50, description="by category; exempt categories are not counted"
    )
    assets: AssetsIn = AssetsIn()
    consumption: ConsumptionIn = ConsumptionIn()
    rigid_expenses_12m_fen: RigidExpensesIn = RigidExpensesIn()
    has_able_supporter: bool = False


class HouseholdFacts(StoredFacts):
    monthly_income_fen: int | None = Field(
        default=None,
        ge=0,
        le=MAX_FEN,
        description="the counted monthly income; computed from `incomes` when they are given",
    )

    @model_validator(mode="after")
    def _one_source_of_income(self) -> HouseholdFacts:
        if self.incomes:
            counted = counted_monthly_income(
                Income(category=i.category, monthly_fen=i.monthly_fen) for i in self.incomes
            )
            if self.monthly_income_fen not in (None, counted):
                raise ValueError(
                    f"monthly_income_fen must equal the counted incomes ({counted}) or be left out"
                )
            self.monthly_income_fen = counted
        elif self.monthly_income_fen is None:
            raise ValueError("give the incomes by category, or the counted monthly_income_fen")
        return self

    @property
    def counted_income_fen(self) -> int:
        assert self.monthly_income_fen is not None  # set by the validator
        return self.monthly_income_fen


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
    members: list[HouseholdMemberIn] = Field(min_length=1, max_length=MAX_MEMBERS)
    reason: str = Field(
        default="registered", min_length=1, max_length=500, description="recorded in the history"
    )

    @model_validator(mode="after")
    def _incomes_of_members(self) -> HouseholdIn:
        for income in self.incomes:
            if income.member_index is not None and income.member_index >= len(self.members):
                raise ValueError(
                    f"an income names member {income.member_index}, beyond the {len(self.members)} members"
                )
        return self


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

    version: int = Field(ge=1, le=MAX_INTEGER)
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
