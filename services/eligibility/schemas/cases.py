"""Shapes of cases, suspensions and terminations."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.eligibility.schemas.common import Strict
from shared.contracts.types import Day, TerminationReason


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
    reason: TerminationReason
    on: Day = Field(description="the day of the event; support stops from the next month")


class SuspensionIn(Strict):
    reason_code: Literal["review_overdue", "investigation", "unreachable", "payment_failed", "other"]
    on: Day


class ReviewIn(Strict):
    """A periodic review (or a reported change of circumstances) re-assessing the household as registered."""

    on: Day = Field(description="the day of the review; a new amount applies from the next month")
    reason: Literal["review", "circumstances"] = "review"


class CareAssessmentIn(Strict):
    """A self-care assessment (six daily activities) of a tekun beneficiary; it sets the care subsidy."""

    person_id: UUID
    adl_failed: int = Field(ge=0, le=6, description="how many of the six activities the person cannot do")
    on: Day


class CaseSummary(BaseModel):
    id: UUID
    household_id: UUID
    program: str
    district_code: str
    status: str = Field(description="active, suspended or terminated")
    start_month: date
    monthly_amount_fen: int
    approved_on: date
    next_review_due: date | None
    ended_from: date | None


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int


class CaseFindingOut(BaseModel):
    """A finding of oversight's checks against the case (`FindingRaised`), and what it did to the case."""

    finding_id: UUID
    rule: str = Field(description="R1–R14: which check found it (docs/oversight.md)")
    severity: str = Field(description="low, medium or high")
    person_id: UUID | None = Field(description="the person concerned, when the rule is about one person")
    found_on: date = Field(description="the day the check was run as of")
    evidence: dict[str, object] = Field(
        description="ids of payments and import rows, amounts (fen), dates, counts"
    )
    action: str = Field(
        description="suspended: this finding paused the case's payments | noted: kept here for the caseworker"
    )


class CaseFindingsOut(BaseModel):
    case_id: UUID
    findings: list[CaseFindingOut] = Field(description="newest check date first")
