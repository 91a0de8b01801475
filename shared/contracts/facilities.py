"""Events the facilities service publishes about care-home placements and facilities."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts.base import Event, registry
from shared.contracts.types import CareLevel, DistrictCode

PLACEMENT_TOPIC = "facilities.placement.v1"

DischargeReason = Literal["death", "returned_home", "case_ended"]
FacilityStatus = Literal["open", "renovating", "closing", "closed"]


class PlacementEvent(Event):
    """Base of the events about one person's place, keyed by person: their moves stay in order."""

    topic: ClassVar[str] = PLACEMENT_TOPIC
    person_id: UUID = Field(
        description="The 特困 person; the Kafka key. Identity only through eligibility's API"
    )
    case_id: UUID = Field(description="The person's 特困 case in eligibility")

    def key(self) -> str:
        return str(self.person_id)


class PlacementRequested(PlacementEvent):
    """A person chose centralised support (集中供养) and joined the district's placement queue."""

    type: Literal["PlacementRequested"] = "PlacementRequested"
    request_id: UUID = Field(description="The placement request")
    district_code: DistrictCode = Field(description="District whose queue the request is on")
    care_level: CareLevel = Field(description="The person's care level when the request was made")
    requested_on: date = Field(description="The day the person chose centralised support")


class ResidentAdmitted(PlacementEvent):
    """A person moved into a bed of a facility; the facility is paid for them from the next month."""

    type: Literal["ResidentAdmitted"] = "ResidentAdmitted"
    placement_id: UUID = Field(description="The person's stay")
    request_id: UUID = Field(description="The placement request the admission answers")
    facility_id: UUID = Field(description="The facility admitting the person")
    district_code: DistrictCode = Field(description="District of the facility")
    admitted_on: date = Field(description="Day of admission")


class ResidentTransferred(PlacementEvent):
    """A resident moved to another facility; the new facility is paid for them from the next month."""

    type: Literal["ResidentTransferred"] = "ResidentTransferred"
    placement_id: UUID = Field(description="The person's stay (it continues across the transfer)")
    from_facility_id: UUID = Field(description="The facility the person left")
    to_facility_id: UUID = Field(description="The facility the person moved to")
    district_code: DistrictCode = Field(description="District of the receiving facility")
    transferred_on: date = Field(description="Day of the move")


class ResidentDischarged(PlacementEvent):
    """A resident left care; unless they died, the person is paid again from the next month."""

    type: Literal["ResidentDischarged"] = "ResidentDischarged"
    placement_id: UUID = Field(description="The person's stay, now ended")
    facility_id: UUID = Field(description="The facility the person left")
    district_code: DistrictCode = Field(description="District of the facility")
    reason: DischargeReason = Field(
        description="death, returned_home (back to dispersed support) or case_ended"
    )
    discharged_on: date = Field(description="Day of discharge")


class FacilityStatusChanged(Event):
    """A facility opened, began renovating, began closing or closed; keyed by facility."""

    topic: ClassVar[str] = PLACEMENT_TOPIC
    type: Literal["FacilityStatusChanged"] = "FacilityStatusChanged"
    facility_id: UUID = Field(description="The facility; the Kafka key")
    district_code: DistrictCode = Field(description="District of the facility")
    status: FacilityStatus = Field(
        description="open, renovating (admits nobody), closing (relocating) or closed"
    )
    changed_on: date = Field(description="Day the status took effect")

    def key(self) -> str:
        return str(self.facility_id)


registry.register(
    PlacementRequested, ResidentAdmitted, ResidentTransferred, ResidentDischarged, FacilityStatusChanged
)
