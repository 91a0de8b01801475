"""Shapes of the insurer's identity route: the one response in this service with an identity unmasked."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class PolicyYearOut(BaseModel):
    """One roster entry of the person with the calling insurer."""

    policy_year: int
    roster_entry_id: UUID
    district_code: str = Field(description="district whose roster the entry is on")
    cover_from: date | None = Field(description="first day of cover; null if only the removal has arrived")
    cover_until: date | None = Field(description="last day of cover, once removed from the roster")
    removal_reason: str | None = Field(description="why the person left the roster, once removed")


class InsuredIdentityOut(BaseModel):
    """The identity an insurer needs to settle a claim. Personal data: keep it out of logs and caches."""

    person_id: UUID
    name: str
    id_number: str = Field(description="the full 18-character resident ID (GB 11643)")
    birth_date: date
    sex: Literal["male", "female"] = Field(description="as encoded in the resident ID")
    household_district_code: str | None = Field(
        description="district of the person's household in the registry; null if in no household"
    )
    policy_years: list[PolicyYearOut] = Field(description="the person's roster entries with your insurer")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": "0b7f3c1e-4d2a-4f5e-9a61-2c8d7e6f5a43",
                    "name": "张桂兰",
                    "id_number": "500103195003011246",
                    "birth_date": "1950-03-01",
                    "sex": "female",
                    "household_district_code": "500103",
                    "policy_years": [
                        {
                            "policy_year": 2026,
                            "roster_entry_id": "6a1d2f3e-8b4c-4d5e-a6f7-1b2c3d4e5f60",
                            "district_code": "500103",
                            "cover_from": "2026-01-01",
                            "cover_until": "2026-04-30",
                            "removal_reason": "death",
                        }
                    ],
                }
            ]
        }
    )
