"""HTTP shapes of placement requests, admissions, transfers, discharges and relocation plans."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.facilities.schemas.common import Strict
from shared.contracts.facilities import DischargeReason


class PlacementRequestOut(BaseModel):
    id: UUID
    person_id: UUID
    case_id: UUID
    district_code: str
    care_level: str = Field(
        description="full_care, half_care or self_caring: the person's latest known level"
    )
    requested_on: date
    status: str = Field(description="queued, admitted or withdrawn")
    position: int | None = Field(default=None, description="1-based place in the district's queue listing")


class AdmissionIn(Strict):
    """Admit a queued person into a facility; without `bed_id` the service picks a free suitable bed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"facility_id": "0b6e2f7e-3f1c-4b59-9a3e-5f8f1d2c3b4a"}]},
    )

    facility_id: UUID
    bed_id: UUID | None = None


class TransferIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"to_facility_id": "0b6e2f7e-3f1c-4b59-9a3e-5f8f1d2c3b4a"}]},
    )

    to_facility_id: UUID
    bed_id: UUID | None = None


class DischargeIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "returned_home"}]})

    reason: DischargeReason = Field(
        description="death, returned_home (dispersed support again) or case_ended"
    )


class PlacementOut(BaseModel):
    id: UUID
    person_id: UUID
    case_id: UUID
    request_id: UUID
    facility_id: UUID | None = Field(description="the facility holding the person now; None once discharged")
    bed_id: UUID | None
    admitted_on: date
    discharged_on: date | None
    discharge_reason: str | None


class MoveOut(BaseModel):
    placement_id: UUID
    person_id: UUID
    to_facility_id: UUID
    to_bed_id: UUID
    within_district: bool


class UnplacedOut(BaseModel):
    placement_id: UUID
    person_id: UUID
    reason: str


class RelocationOut(BaseModel):
    """Where each resident of a closing facility goes, and who could not be placed and why."""

    facility_id: UUID
    carried_out: bool = Field(description="true when the moves were made (POST); false for the plan (GET)")
    moves: list[MoveOut]
    unplaced: list[UnplacedOut]
