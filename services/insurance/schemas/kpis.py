"""HTTP shapes of a term's KPIs, overall and per district."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


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
