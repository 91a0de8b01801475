"""HTTP shapes of claims: reporting, documents, assessment, settlement and rejection."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.insurance.domain.claims import Channel
from services.insurance.domain.terms import CoverType
from services.insurance.schemas.common import DocumentName, Strict
from shared.contracts.types import MAX_FEN, Day

RejectionCode = Literal[
    "not_insured", "not_covered", "late_report", "documents_incomplete", "duplicate", "other"
]


class ExpensesIn(Strict):
    """Hospitalisation expenses in fen; amounts only, never the diagnosis."""

    total_fen: int = Field(ge=0, le=MAX_FEN)
    basic_insurance_fen: int = Field(ge=0, le=MAX_FEN, description="paid by basic medical insurance")
    medical_assistance_fen: int = Field(ge=0, le=MAX_FEN, description="paid by medical assistance (医疗救助)")
    out_of_list_fen: int = Field(ge=0, le=MAX_FEN, description="outside the medical-insurance list (目录外)")


class ClaimIn(Strict):
    person_id: UUID = Field(description="the insured (for the school-entry grant: the admitted student)")
    cover_type: CoverType
    incident_date: Day = Field(description="accident, admission to hospital, death, or university admission")
    claimed_fen: int = Field(ge=0, le=MAX_FEN)
    channel: Channel | None = Field(
        default=None,
        description="caseworker (default for staff), hospital (staff keying a hospital's notice), insurer",
    )
    expenses: ExpensesIn | None = Field(default=None, description="required for accident and illness covers")
    documents_received: list[DocumentName] = Field(default_factory=list, max_length=20)


class DocumentsIn(Strict):
    received: list[DocumentName] = Field(min_length=1, max_length=20, description="documents now received")


class AssessmentIn(Strict):
    assessed_fen: int = Field(ge=0, le=MAX_FEN, description="amount the insurer accepts to pay")


class SettlementIn(Strict):
    paid_fen: int = Field(ge=0, le=MAX_FEN, description="amount paid; at most the assessed amount")


class RejectionIn(Strict):
    reason_code: RejectionCode
    reason: str = Field(
        min_length=1, max_length=500, description="short explanation; no names, ID numbers or diagnoses"
    )


class ExpensesOut(BaseModel):
    total_fen: int
    basic_insurance_fen: int
    medical_assistance_fen: int
    out_of_list_fen: int


class ClaimOut(BaseModel):
    id: UUID
    roster_entry_id: UUID
    person_id: UUID
    policy_year: int
    insurer_id: UUID
    district_code: str
    cover_type: str
    incident_date: date
    reported_on: date
    channel: str
    reported_by: str
    claimed_fen: int
    expenses: ExpensesOut | None
    status: str = Field(description="reported | documents_complete | assessed | settled | rejected")
    documents_required: list[str]
    documents_missing: list[str]
    assessed_fen: int | None
    assessed_on: date | None
    paid_fen: int | None
    settled_on: date | None
    rejection_code: str | None
    rejection_reason: str | None
    rejected_on: date | None
