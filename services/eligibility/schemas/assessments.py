"""Shapes of the means-test calculator and of the facts it reads."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.eligibility.schemas.common import DisabilityKind, DistrictCode, Relation, Strict
from shared.contracts.types import MAX_FEN, BirthDate, Day

MAX_MEMBERS = 30
"""The most members a household (or an assessment of one) may list."""


class MemberProfile(Strict):
    """What the rules need to know about a member beyond age: disability, illness, schooling, self-care."""

    disability_grade: int | None = Field(default=None, ge=1, le=4)
    disability_kind: DisabilityKind | None = None
    serious_illness: bool = False
    student: bool = False
    preschool: bool = False
    adl_failed: int | None = Field(
        default=None, ge=0, le=6, description="daily activities the person cannot do"
    )
    orphan: bool = False


class MemberIn(MemberProfile):
    id_number: str | None = Field(
        default=None,
        max_length=18,
        description="18-character resident ID; validated (GB 11643) but never echoed",
    )
    birth_date: BirthDate
    relation: Relation = "head"


class VehicleIn(Strict):
    value_fen: int = Field(ge=0, le=MAX_FEN)
    disabled_mobility: bool = False
    exemption_evidenced: bool = Field(
        default=False, description="evidence for the low-value vehicle exemption"
    )


class AssetsIn(Strict):
    financial_fen: int = Field(default=0, ge=0, le=MAX_FEN)
    illness_reserve_fen: int = Field(
        default=0, ge=0, le=MAX_FEN, description="kept for a serious illness, with evidence"
    )
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=20)
    dwellings: int = Field(default=0, ge=0, le=100)
    per_capita_floor_area_m2: float = Field(default=0.0, ge=0, le=100_000)
    shop_front: bool = False
    business: bool = False


class ConsumptionIn(Strict):
    home_acquired_on: Day | None = None
    home_exception: Literal["disaster_rebuild", "state_demolition"] | None = None
    study_abroad_self_funded: bool = False
    premiums_and_private_fees_fen_per_year: int = Field(default=0, ge=0, le=MAX_FEN)
    nonessential_purchases_6m_fen: int = Field(default=0, ge=0, le=MAX_FEN)


class RigidExpensesIn(Strict):
    medical: int = Field(
        default=0, ge=0, le=MAX_FEN, description="out-of-pocket serious-illness costs, last 12 months, fen"
    )
    education: int = Field(default=0, ge=0, le=MAX_FEN, description="schooling costs, last 12 months, fen")


class TemporaryIn(Strict):
    kind: Literal["emergency", "expenditure"]
    household_class: Literal["A", "B", "C", "D"]
    persons: int = Field(ge=1, le=100)
    months: int | None = Field(default=None, ge=1, le=120, description="default: the class minimum")
    cause: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="what the aid is for (fire, accident, illness…): one grant per person per cause per year; "
        "required on an application",
    )


class SinglePersonIn(Strict):
    member_index: int = Field(ge=0, lt=MAX_MEMBERS)
    monthly_income_fen: int = Field(ge=0, le=MAX_FEN)


class AssessmentRequest(Strict):
    """A caseworker's calculator: the same rules the workflow applies, on facts typed in."""

    program: Literal["dibao", "tekun", "temporary"]
    as_of: Day = Field(description="ages and the standard in force are taken on this day")
    district_code: str = DistrictCode
    area: Literal["urban", "rural"]
    members: list[MemberIn] = Field(
        min_length=1, max_length=MAX_MEMBERS, description="for tekun, the first member is the applicant"
    )
    monthly_income_fen: int = Field(ge=0, le=MAX_FEN, description="the household's counted monthly income")
    assets: AssetsIn = AssetsIn()
    consumption: ConsumptionIn = ConsumptionIn()
    rigid_expenses_12m_fen: RigidExpensesIn = RigidExpensesIn()
    has_able_supporter: bool = False
    single_person: SinglePersonIn | None = None
    temporary: TemporaryIn | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "program": "dibao",
                    "as_of": "2026-11-29",
                    "district_code": "500103",
                    "area": "urban",
                    "members": [
                        {
                            "birth_date": "1950-03-01",
                            "relation": "head",
                            "disability_grade": 2,
                            "disability_kind": "physical",
                        },
                        {"birth_date": "2014-09-01", "relation": "grandchild", "student": True},
                    ],
                    "monthly_income_fen": 60000,
                }
            ]
        },
    )


class ReasonOut(BaseModel):
    code: str
    message: str


class MemberLineOut(BaseModel):
    member_index: int
    base_fen: int
    add_on_fen: int
    add_on_kinds: list[str]
    care_level: str | None
    care_subsidy_fen: int
    total_fen: int


class BreakdownOut(BaseModel):
    standard_fen: int
    per_capita_income_fen: int
    base_fen: int
    add_ons_fen: int
    care_subsidy_fen: int
    covered_members: int
    rigid_expense_deduction_fen: int
    members: list[MemberLineOut]


class AssessmentResponse(BaseModel):
    eligible: bool
    reasons: list[ReasonOut]
    standard_effective_from: date
    monthly_amount_fen: int | None = Field(
        description="dibao and tekun: the monthly amount (0 if not eligible)"
    )
    breakdown: BreakdownOut | None = None
    amount_fen: int | None = Field(default=None, description="temporary: the one-off amount")
    months: int | None = None
    help_first_amount_fen: int | None = None
    requires_case_by_case_approval: bool | None = None
