"""HTTP shapes of facilities, their beds and their status."""

from __future__ import annotations

from datetime import date
from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.facilities.domain.facilities import Kind, SafetyGrade
from services.facilities.schemas.common import Strict, Text60, Text200
from shared.contracts.facilities import FacilityStatus
from shared.contracts.types import DistrictCode

MAX_BEDS_PER_REQUEST = 2_000


class BedIn(Strict):
    label: Text60 = Field(description="the bed's number, unique in the facility", examples=["2-103-A"])
    room: Text60 = Field(description="room number or name", examples=["2-103"])
    disabled_suitable: bool = Field(
        description="fit for a half- or full-care resident (rails, hoist, access)"
    )


def _unique_labels(beds: list[BedIn]) -> None:
    labels = [b.label for b in beds]
    if len(set(labels)) != len(labels):
        raise ValueError("bed labels must be unique")


class BedsIn(Strict):
    """Beds added to a facility."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"beds": [{"label": "3-201-A", "room": "3-201", "disabled_suitable": True}]}]
        },
    )

    beds: list[BedIn] = Field(min_length=1, max_length=MAX_BEDS_PER_REQUEST)

    @model_validator(mode="after")
    def _labels(self) -> Self:
        _unique_labels(self.beds)
        return self


class FacilityIn(Strict):
    """A care facility as the district registers it, with its beds."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "district_code": "500103",
                    "kind": "township_home",
                    "name": "渝中区化龙桥敬老院",
                    "address": "渝中区化龙桥街道 12 号",
                    "cares_for_disabled": True,
                    "staff_count": 14,
                    "safety_grade": "B",
                    "beds": [
                        {"label": "1-101-A", "room": "1-101", "disabled_suitable": True},
                        {"label": "1-101-B", "room": "1-101", "disabled_suitable": False},
                    ],
                }
            ]
        },
    )

    district_code: DistrictCode
    kind: Kind = Field(description="township_home (乡镇敬老院), district_home (区县福利院) or care_center")
    name: Text200
    address: Text200
    cares_for_disabled: bool = Field(description="has the staff and equipment to care for disabled residents")
    staff_count: int = Field(ge=0, le=10_000)
    safety_grade: SafetyGrade = Field(
        description="building safety grade (房屋安全等级), A best to D dangerous"
    )
    beds: list[BedIn] = Field(default_factory=list, max_length=MAX_BEDS_PER_REQUEST)

    @model_validator(mode="after")
    def _labels(self) -> Self:
        _unique_labels(self.beds)
        return self


class StatusIn(Strict):
    status: FacilityStatus = Field(description="open, renovating, closing or closed")
    reason: Text200 = Field(description="why (audited)", examples=["fire-door replacement, 3 months"])


class BedServiceIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"in_service": False, "reason": "bed frame broken"}]}
    )

    in_service: bool = Field(description="false takes a free bed out of service; true puts it back")
    reason: Text200


class BedOut(BaseModel):
    id: UUID
    label: str
    room: str
    disabled_suitable: bool
    in_service: bool
    occupied: bool


class FacilityOut(BaseModel):
    id: UUID
    district_code: str
    kind: str
    name: str
    address: str
    cares_for_disabled: bool
    staff_count: int
    safety_grade: str
    status: str
    status_since: date
    beds_total: int = Field(description="every bed, in service or not")
    beds_available: int = Field(description="beds in service")
    beds_disabled_suitable: int = Field(description="disabled-suitable beds in service")
    beds_occupied: int = Field(description="beds held by a resident now")


class FacilityDetailOut(FacilityOut):
    beds: list[BedOut]
