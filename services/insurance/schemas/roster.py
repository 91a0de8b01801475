"""HTTP shapes of the roster: entries, monthly changes, builds and reconciliation."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.insurance.schemas.common import Strict
from shared.contracts.types import DistrictCode


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
