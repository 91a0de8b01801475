"""Events the oversight service publishes: findings of its checks against the roster and other departments'
data (DOMAIN.md, Oversight). Ids and facts only: evidence names cases, payments and import rows, never a person."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts.base import Event, registry
from shared.contracts.types import DistrictCode

FINDING_TOPIC = "oversight.finding.v1"

Rule = Literal[
    "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "missed"
]
"""R1 vehicle, R2 property, R3 business, R4 financial assets, R5 public employee, R6 deceased, R7 prison,
R8 duplicate, R9 unfiled relative, R10 consumption, R11 household split, R12 wrong amount, R13 overdue review,
R14 insurance roster, missed (漏保): people in poverty lists who meet the test but have no case."""

Severity = Literal["low", "medium", "high"]

EvidenceValue = str | int | bool | None | list[str] | list[int]


class FindingRaised(Event):
    """A check found a case (or, for 漏保, a person of another department's list) that breaks its rule.

    Raised once per rule and subject: the same hit in a later run adds no event."""

    topic: ClassVar[str] = FINDING_TOPIC
    type: Literal["FindingRaised"] = "FindingRaised"
    finding_id: UUID = Field(description="The finding; the Kafka key")
    run_id: UUID = Field(description="The check run that found it first")
    rule: Rule = Field(description="Which check (DOMAIN.md, Oversight)")
    severity: Severity = Field(description="How urgent the follow-up is")
    district_code: DistrictCode = Field(description="District whose problem list it goes on")
    case_id: UUID | None = Field(
        description="The case at fault; null for 漏保 and a roster entry without a case"
    )
    person_id: UUID | None = Field(description="The person concerned, when the rule is about one person")
    suspend_case: bool = Field(
        description="The rule stops payment until checked (deceased, prison, duplicate): eligibility suspends"
    )
    evidence: Annotated[dict[str, EvidenceValue], Field(max_length=20)] = Field(
        description="What was matched: ids of payments, overpayments and import rows, amounts (fen), dates, counts"
    )
    found_on: date = Field(description="The day the check was run as of")

    def key(self) -> str:
        return str(self.finding_id)


registry.register(FindingRaised)
