"""HTTP shapes of the eligibility API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

DistrictCode = Field(pattern=r"^[0-9]{6}$", description="GB/T 2260 district code (区/县)")
Relation = Literal["head", "spouse", "child", "parent", "sibling", "grandparent", "grandchild", "other"]
DisabilityKind = Literal["physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
        default=None, description="18-character resident ID; validated (GB 11643) but never echoed"
    )
    birth_date: date
    relation: Relation = "head"


class VehicleIn(Strict):
    value_fen: int = Field(ge=0)
    disabled_mobility: bool = False
    exemption_evidenced: bool = Field(
        default=False, description="evidence for the low-value vehicle exemption"
    )


class AssetsIn(Strict):
    financial_fen: int = Field(default=0, ge=0)
    illness_reserve_fen: int = Field(default=0, ge=0, description="kept for a serious illness, with evidence")
    vehicles: list[VehicleIn] = []
    dwellings: int = Field(default=0, ge=0)
    per_capita_floor_area_m2: float = Field(default=0.0, ge=0)
    shop_front: bool = False
    business: bool = False


class ConsumptionIn(Strict):
    home_acquired_on: date | None = None
    home_exception: Literal["disaster_rebuild", "state_demolition"] | None = None
    study_abroad_self_funded: bool = False
    premiums_and_private_fees_fen_per_year: int = Field(default=0, ge=0)
    nonessential_purchases_6m_fen: int = Field(default=0, ge=0)


class RigidExpensesIn(Strict):
    medical: int = Field(
        default=0, ge=0, description="out-of-pocket serious-illness costs, last 12 months, fen"
    )
    education: int = Field(default=0, ge=0, description="schooling costs, last 12 months, fen")


class TemporaryIn(Strict):
    kind: Literal["emergency", "expenditure"]
    household_class: Literal["A", "B", "C", "D"]
    persons: int = Field(ge=1)
    months: int | None = Field(default=None, ge=1, description="default: the class minimum")


class SinglePersonIn(Strict):
    member_index: int = Field(ge=0)
    monthly_income_fen: int = Field(ge=0)


class AssessmentRequest(Strict):
    """A caseworker's calculator: the same rules the workflow applies, on facts typed in."""

    program: Literal["dibao", "tekun", "temporary"]
    as_of: date = Field(description="ages and the standard in force are taken on this day")
    district_code: str = DistrictCode
    area: Literal["urban", "rural"]
    members: list[MemberIn] = Field(min_length=1, description="for tekun, the first member is the applicant")
    monthly_income_fen: int = Field(ge=0, description="the household's counted monthly income")
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


class StandardIn(Strict):
    """A new city-wide standard; parameters not given keep the values of the standard in force."""

    effective_from: date
    dibao_urban_fen: int = Field(gt=0)
    dibao_rural_fen: int = Field(gt=0)
    tekun_basic_fen: int = Field(gt=0)
    note: str | None = Field(default=None, max_length=500)


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
    started_at: datetime | None
    finished_at: datetime | None


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

    district_code: str = DistrictCode
    township_code: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
    area: Literal["urban", "rural"]
    members: list[HouseholdMemberIn] = Field(min_length=1, max_length=30)
    reason: str = Field(
        default="registered", min_length=1, max_length=500, description="recorded in the history"
    )


class HouseholdChange(HouseholdIn):
    """The household as it is now; `version` must be the one read (optimistic concurrency)."""

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

    household_id: UUID
    program: Literal["dibao", "tekun", "temporary"]
    applied_on: date = Field(description="the day it was received; never in the future")
    township_code: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
    uses_democratic_appraisal: bool = Field(
        default=False, description="the district's procedure includes 民主评议"
    )
    temporary: TemporaryIn | None = Field(default=None, description="required for temporary assistance")
    emergency: bool = Field(
        default=False, description="temporary assistance, emergency kind: help first possible"
    )


class StepDetailsIn(Strict):
    reasons: list[str] = Field(
        default=[], description="refused, rejected, objection_raised, deadline_extended"
    )
    findings: list[str] = Field(
        default=[], description="data_cross_checked results; neighbours_visited notes"
    )
    investigators: list[str] = Field(default=[], description="home_visited: at least two distinct staff ids")
    district_level: bool = Field(
        default=False, description="home_visited by district staff (required for relatives)"
    )
    amount_fen: int | None = Field(default=None, ge=1, description="help_first_paid")


class StepIn(Strict):
    """A step as it happened: entered the day it happened (paper steps may be entered later, in order)."""

    kind: StepKindName
    on: date = Field(description="the day it happened; never in the future, never before the previous step")
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


class BeneficiaryOut(BaseModel):
    person_id: UUID
    active: bool
    add_on_kinds: list[str]
    care_level: str | None
    base_fen: int
    add_on_fen: int
    care_subsidy_fen: int
    total_fen: int
    insurance_categories: list[str]


class CaseOut(BaseModel):
    id: UUID
    application_id: UUID | None
    household_id: UUID
    program: str
    district_code: str
    status: str
    start_month: date
    monthly_amount_fen: int
    standard_id: UUID
    approved_by: str
    approved_on: date
    next_review_due: date | None
    ended_from: date | None
    beneficiaries: list[BeneficiaryOut]


class TerminationIn(Strict):
    reason: Literal[
        "death",
        "income",
        "assets",
        "prison",
        "work_capacity",
        "supporter_able",
        "voluntary",
        "moved",
        "fraud",
        "other",
    ]
    on: date = Field(description="the day of the event; support stops from the next month")


class SuspensionIn(Strict):
    reason_code: Literal["review_overdue", "investigation", "unreachable", "payment_failed", "other"]
    on: date


class RelativeIn(Strict):
    """A relative (近亲属) of assistance staff or a village cadre, filed (备案) in the register."""

    id_number: str = Field(description="the relative's resident ID; kept only as a blind index")
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
