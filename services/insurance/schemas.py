"""HTTP shapes of the insurance API."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.insurance.domain import DEFAULT_COVERS, Channel, CoverType
from shared.contracts.types import DistrictCode, PolicyYear

RejectionCode = Literal[
    "not_insured", "not_covered", "late_report", "documents_incomplete", "duplicate", "other"
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InsurerIn(Strict):
    name: str = Field(min_length=1, max_length=200, description="the company's registered name")


class InsurerOut(BaseModel):
    id: UUID
    name: str


class CoverIn(Strict):
    cover_type: CoverType
    limit_fen: int = Field(ge=0, description="most paid per claim")
    report_limit_hours: int | None = Field(default=None, ge=1, description="report within this many hours")
    documents: list[str] = Field(min_length=1, max_length=20, description="the claim's documents checklist")


def _default_covers() -> list[CoverIn]:
    return [
        CoverIn(
            cover_type=c.cover_type,
            limit_fen=c.limit_fen,
            report_limit_hours=c.report_limit_hours,
            documents=list(c.documents),
        )
        for c in DEFAULT_COVERS
    ]


class TermIn(Strict):
    """A policy term (a calendar year) with its insurer, premium and covers; defaults as seeded."""

    year: PolicyYear
    insurer_id: UUID
    premium_fen: int = Field(default=12_000, ge=0, description="per person per year; ¥120 by default")
    covers: list[CoverIn] = Field(default_factory=_default_covers, min_length=1)


class CoverOut(BaseModel):
    cover_type: str
    limit_fen: int
    report_limit_hours: int | None
    documents: list[str]


class TermOut(BaseModel):
    year: int
    starts_on: date
    ends_on: date
    insurer_id: UUID
    premium_fen: int
    covers: list[CoverOut]


class RosterEntryOut(BaseModel):
    """One insured person on a term's roster: ids and dates only, identity through eligibility's API."""

    id: UUID
    person_id: UUID
    policy_year: int
    insurer_id: UUID
    district_code: str
    categories: list[str]
    cover_from: date
    cover_until: date | None = Field(description="last day covered; null: to the term's end")
    removal_reason: str | None
    premium_fen: int


class RosterPage(BaseModel):
    entries: list[RosterEntryOut]
    next_after: UUID | None = Field(description="pass as `after` for the next page; null on the last")


class RosterChangesOut(BaseModel):
    """A month's additions (批增, cover from that month) and removals (off the roster from that month)."""

    policy_year: int
    month: str
    district_code: str | None
    added: list[RosterEntryOut]
    removed: list[RosterEntryOut]


class BuildIn(Strict):
    district_code: DistrictCode | None = Field(
        default=None, description="build one district; every district in your scope when left out"
    )


class BuildOut(BaseModel):
    policy_year: int
    districts: list[str] = Field(description="districts built; `*` is every district")
    added: int = Field(description="entries added by this build (0 when repeated)")


class DifferenceOut(BaseModel):
    person_id: UUID
    difference: Literal["not_insured", "not_a_beneficiary", "district_differs"]
    roster_entry_id: UUID | None
    case_district: str | None
    roster_district: str | None


class ReconciliationOut(BaseModel):
    """Roster against active beneficiaries on one day (oversight check R14)."""

    policy_year: int
    as_of: date
    counts: dict[str, int]
    differences: list[DifferenceOut] = Field(description="the first differences, ordered by kind and person")


class ExpensesIn(Strict):
    """Hospitalisation expenses in fen; amounts only, never the diagnosis."""

    total_fen: int = Field(ge=0)
    basic_insurance_fen: int = Field(ge=0, description="paid by basic medical insurance")
    medical_assistance_fen: int = Field(ge=0, description="paid by medical assistance (医疗救助)")
    out_of_list_fen: int = Field(ge=0, description="outside the medical-insurance list (目录外)")


class ClaimIn(Strict):
    person_id: UUID = Field(description="the insured (for the school-entry grant: the admitted student)")
    cover_type: CoverType
    incident_date: date = Field(description="accident, admission to hospital, death, or university admission")
    claimed_fen: int = Field(ge=0)
    channel: Channel | None = Field(
        default=None,
        description="caseworker (default for staff), hospital (staff keying a hospital's notice), insurer",
    )
    expenses: ExpensesIn | None = Field(default=None, description="required for accident and illness covers")
    documents_received: list[str] = Field(default_factory=list, max_length=20)


class DocumentsIn(Strict):
    received: list[str] = Field(min_length=1, max_length=20, description="documents now received")


class AssessmentIn(Strict):
    assessed_fen: int = Field(ge=0, description="amount the insurer accepts to pay")


class SettlementIn(Strict):
    paid_fen: int = Field(ge=0, description="amount paid; at most the assessed amount")


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


class MonthChangesOut(BaseModel):
    month: str
    added: int
    removed: int


class TimelinessOut(BaseModel):
    cover_type: str
    claims: int
    median_days_to_report: float | None
    limit_hours: int | None
    within_limit: int | None
    share_within_limit: float | None


class KpisOut(BaseModel):
    insured_persons: int = Field(description="entries with any cover up to as_of")
    insured_on_as_of: int
    person_years: float = Field(description="covered days up to as_of / days in the term")
    premium_fen: int
    monthly: list[MonthChangesOut]
    claims: int
    claims_by_type: dict[str, int]
    claim_rate: float | None = Field(description="出险率: claims / person_years")
    timeliness: list[TimelinessOut]
    settled: int
    rejected: int
    open: int
    settlement_rate: float | None = Field(description="settled / claims")
    median_days_to_settle: float | None = Field(description="median of settled_on − reported_on")
    paid_fen: int
    paid_fen_by_type: dict[str, int]


class DistrictKpisOut(KpisOut):
    district_code: str


class TermKpisOut(KpisOut):
    policy_year: int
    as_of: date = Field(description="cover is counted up to this day of the term")
    claims_reported_by: date = Field(
        description="claims reported up to this day count: `as_of` if given, else today (so a past term "
        "keeps counting the claims reported after its last day)"
    )
    districts: list[DistrictKpisOut]
