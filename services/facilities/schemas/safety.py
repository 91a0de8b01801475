"""HTTP shapes of safety and fire-safety rectification items."""

from __future__ import annotations

from datetime import date
from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.facilities.domain.safety import Kind, Severity
from services.facilities.schemas.common import Strict, Text60, Text1000
from shared.contracts.types import Day


class SafetyItemIn(Strict):
    """A problem found at a facility, with who must fix it by when."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "fire",
                    "severity": "critical",
                    "description": "second-floor fire exit blocked by stored mattresses",
                    "found_on": "2026-03-02",
                    "responsible_person": "院长 王立",
                    "deadline": "2026-03-09",
                }
            ]
        },
    )

    kind: Kind = Field(description="fire (消防) or other")
    severity: Severity = Field(
        description="minor, major or critical; an open critical fire item stops admissions"
    )
    description: Text1000
    found_on: Day
    responsible_person: Text60 = Field(description="who must rectify it (整改责任人)")
    deadline: Day

    @model_validator(mode="after")
    def _deadline_after_finding(self) -> Self:
        if self.deadline < self.found_on:
            raise ValueError("deadline must not be before found_on")
        return self


class ClosureIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"evidence": "exit cleared; photo and fire brigade check 2026-03-08"}]
        },
    )

    evidence: Text1000 = Field(
        description="what shows the item is fixed; closed by someone other than its opener"
    )


class SafetyItemOut(BaseModel):
    id: UUID
    facility_id: UUID
    district_code: str
    kind: str
    severity: str
    description: str
    found_on: date
    responsible_person: str
    deadline: date
    status: str
    overdue: bool
    opened_by: str
    closed_by: str | None
    closed_on: date | None
    evidence: str | None
