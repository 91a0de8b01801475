"""Shapes of a 特困 person's support-mode choice (集中供养 / 分散供养) and its history."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.eligibility.schemas.common import Strict
from shared.contracts.types import CareLevel, Day, SupportMode


class CarerIn(Strict):
    """Who cares for a person supported at home (分散供养); personal data, stored encrypted, shown masked."""

    name: str = Field(min_length=1, max_length=50, description="stored encrypted, shown masked (`李**`)")
    phone: str = Field(
        pattern=r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$",
        description="a mobile (11 digits) or a landline with its area code; stored encrypted, shown masked",
    )


class SupportModeIn(Strict):
    """A 特困 beneficiary's choice of support mode, or a change of it, on the day they chose."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "person_id": "0b7f3c1e-4d2a-4f5e-9a61-2c8d7e6f5a43",
                    "support_mode": "dispersed",
                    "chosen_on": "2026-11-05",
                    "carer": {"name": "李秀英", "phone": "13812345678"},
                },
                {
                    "person_id": "0b7f3c1e-4d2a-4f5e-9a61-2c8d7e6f5a43",
                    "support_mode": "centralised",
                    "chosen_on": "2026-11-20",
                },
            ]
        },
    )

    person_id: UUID = Field(description="an active beneficiary of the case")
    support_mode: SupportMode = Field(
        description="centralised: in a care facility (集中供养); dispersed: at home with a named carer (分散供养)"
    )
    chosen_on: Day = Field(
        description="the day the person chose: not in the future, not before the case's decision nor before "
        "the person's latest choice"
    )
    carer: CarerIn | None = Field(
        default=None, description="required for dispersed support, refused for centralised support"
    )


class CarerOut(BaseModel):
    name_masked: str
    phone_masked: str


class SupportModeChoiceOut(BaseModel):
    support_mode: SupportMode
    chosen_on: date
    care_level: CareLevel = Field(description="the person's care level when they chose, as announced")
    carer: CarerOut | None = Field(default=None, description="dispersed support only; masked")
    recorded_by: str
    recorded_at: datetime


class BeneficiarySupportOut(BaseModel):
    person_id: UUID
    active: bool = Field(description="still a beneficiary of the case")
    current: SupportModeChoiceOut | None = Field(description="the latest choice; null if none is recorded")
    history: list[SupportModeChoiceOut] = Field(description="every choice, oldest first")


class CaseSupportModesOut(BaseModel):
    """The support mode of each 特困 beneficiary of a case, and how it came to be."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_id": "5d0c9a7e-1f2b-4c3d-8e4f-6a7b8c9d0e1f",
                    "district_code": "500103",
                    "beneficiaries": [
                        {
                            "person_id": "0b7f3c1e-4d2a-4f5e-9a61-2c8d7e6f5a43",
                            "active": True,
                            "current": {
                                "support_mode": "centralised",
                                "chosen_on": "2026-11-20",
                                "care_level": "full_care",
                                "carer": None,
                                "recorded_by": "cw-1",
                                "recorded_at": "2026-11-20T02:15:00Z",
                            },
                            "history": [
                                {
                                    "support_mode": "dispersed",
                                    "chosen_on": "2026-11-05",
                                    "care_level": "half_care",
                                    "carer": {"name_masked": "李**", "phone_masked": "138****5678"},
                                    "recorded_by": "cw-1",
                                    "recorded_at": "2026-11-05T03:40:00Z",
                                },
                                {
                                    "support_mode": "centralised",
                                    "chosen_on": "2026-11-20",
                                    "care_level": "full_care",
                                    "carer": None,
                                    "recorded_by": "cw-1",
                                    "recorded_at": "2026-11-20T02:15:00Z",
                                },
                            ],
                        }
                    ],
                }
            ]
        }
    )

    case_id: UUID
    district_code: str
    beneficiaries: list[BeneficiarySupportOut] = Field(description="every beneficiary of the case")
