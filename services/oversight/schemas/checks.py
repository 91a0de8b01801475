"""What the checks API takes and answers: a run's request and result, findings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.contracts.oversight import EvidenceValue, Rule
from shared.contracts.types import DistrictCode


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _unique(rules: list[Rule] | None) -> list[Rule] | None:
    if rules is not None and len(set(rules)) != len(rules):
        raise ValueError("each rule at most once")
    return rules


class ParametersIn(Strict):
    """The policy figures the run applies (money in fen per person per month). The standards and the
    housing-guarantee area change over time and are given each run; the other figures default to DOMAIN.md's."""

    urban_standard_fen: int = Field(ge=1, le=10_000_000, description="dibao standard, urban")
    rural_standard_fen: int = Field(
        ge=1, le=10_000_000, description="dibao standard, rural; also the 漏保 test"
    )
    housing_guarantee_area_m2: int = Field(ge=1, le=1_000, description="R2: the limit is 3 × this per person")
    vehicle_exempt_up_to_fen: int = Field(default=3_000_000, ge=0, le=1_000_000_000, description="R1")
    financial_assets_months: int = Field(default=24, ge=1, le=240, description="R4: × standard per person")
    home_acquired_within_years: int = Field(default=3, ge=1, le=30, description="R10")
    premium_months: int = Field(default=12, ge=1, le=240, description="R10: × standard per person per year")
    split_within_months: int = Field(default=12, ge=1, le=120, description="R11: before the decision")


class CheckRunIn(Strict):
    district_code: DistrictCode | None = Field(
        default=None, description="one district; omitted: city-wide (auditor and admin only)"
    )
    as_of: date | None = Field(default=None, description="default today; from 2018-01-01, not in the future")
    rules: Annotated[list[Rule] | None, AfterValidator(_unique)] = Field(
        default=None,
        min_length=1,
        max_length=15,
        json_schema_extra={"uniqueItems": True},
        description="default: all, R1 to R14 and missed",
    )
    parameters: ParametersIn


class RuleResult(BaseModel):
    rule: Rule
    title: str
    new: int = Field(description="findings this run raised (each published as FindingRaised)")
    again: int = Field(
        description="hits an earlier run had already found: the finding is refreshed, not repeated"
    )


class CheckRunOut(BaseModel):
    id: UUID
    district_code: str | None
    as_of: date
    rules: list[RuleResult]
    findings_new: int
    findings_again: int
    started_by: str
    started_at: datetime


class FindingOut(BaseModel):
    id: UUID
    rule: str
    severity: str
    district_code: str
    case_id: UUID | None
    person_id: UUID | None
    evidence: dict[str, EvidenceValue]
    first_run_id: UUID
    last_run_id: UUID
    first_found_on: date
    last_found_on: date


class FindingPage(BaseModel):
    items: list[FindingOut]
    total: int
