"""Events the insurance service publishes about the 民政惠民济困保 roster and its claims."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from shared.contracts.base import Event, registry
from shared.contracts.types import DistrictCode, Fen, InsuranceCategories, PolicyYear

ENROLLMENT_TOPIC = "insurance.enrollment.v1"
CLAIM_TOPIC = "insurance.claim.v1"


class EnrollmentEvent(Event):
    """Base of the roster events, keyed by person: one person's cover changes stay in order."""

    topic: ClassVar[str] = ENROLLMENT_TOPIC
    roster_entry_id: UUID = Field(description="The person's entry on the policy year's roster")
    person_id: UUID = Field(description="The insured; the Kafka key. Identity only through the REST API")
    policy_year: PolicyYear = Field(description="The policy term (a calendar year)")
    insurer_id: UUID = Field(description="The insurer that holds the policy")
    district_code: DistrictCode = Field(description="District whose roster the person is on")

    def key(self) -> str:
        return str(self.person_id)


class InsuredEnrolled(EnrollmentEvent):
    """A person was added to the roster (January roster or a monthly addition, 批增)."""

    type: Literal["InsuredEnrolled"] = "InsuredEnrolled"
    categories: InsuranceCategories = Field(
        description="Why the person is insured; insured once even with several categories"
    )
    cover_from: date = Field(description="First day of cover: the 1st of the month of confirmation")
    premium_fen: Fen = Field(description="Premium due for this entry, paid centrally")

    @model_validator(mode="after")
    def _cover_starts_on_the_first(self) -> Self:
        if self.cover_from.day != 1 or self.cover_from.year != self.policy_year:
            raise ValueError("cover_from must be the 1st of a month within policy_year")
        return self


class InsuredRemoved(EnrollmentEvent):
    """A person left the roster: their assistance ended, they died, or the entry was a duplicate."""

    type: Literal["InsuredRemoved"] = "InsuredRemoved"
    cover_until: date = Field(description="Last day of cover")
    reason: Literal["case_ended", "death", "duplicate", "moved", "other"] = Field(
        description="Why the person left the roster"
    )

    @model_validator(mode="after")
    def _within_the_policy_year(self) -> Self:
        if self.cover_until.year != self.policy_year:
            raise ValueError("cover_until must fall within policy_year")
        return self


class ClaimEvent(Event):
    """Base of the claim events, keyed by claim: one claim's steps stay in order."""

    topic: ClassVar[str] = CLAIM_TOPIC
    claim_id: UUID = Field(description="The claim; the Kafka key")

    def key(self) -> str:
        return str(self.claim_id)


class ClaimReported(ClaimEvent):
    """A claim was reported (报案) against a roster entry."""

    type: Literal["ClaimReported"] = "ClaimReported"
    roster_entry_id: UUID = Field(description="The roster entry the claim is made under")
    person_id: UUID = Field(description="The insured; identity only through the REST API")
    policy_year: PolicyYear = Field(description="The policy term the incident falls in")
    insurer_id: UUID = Field(description="The insurer that holds the policy")
    cover_type: Literal[
        "accident", "serious_illness", "death_from_illness", "student_critical_illness", "school_entry_grant"
    ] = Field(description="The cover claimed under")
    incident_date: date = Field(description="Date of the accident, illness, death or admission")
    reported_on: date = Field(
        description="Date the claim was reported; timeliness = reported_on − incident_date"
    )
    channel: Literal["caseworker", "hospital", "insurer"] = Field(description="Who reported the claim")
    claimed_fen: Fen = Field(description="Amount claimed")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.incident_date.year != self.policy_year:
            raise ValueError("incident_date must fall within policy_year")
        if self.reported_on < self.incident_date:
            raise ValueError("reported_on must not be before incident_date")
        return self


class ClaimAssessed(ClaimEvent):
    """The insurer assessed a claim whose documents are complete."""

    type: Literal["ClaimAssessed"] = "ClaimAssessed"
    assessed_fen: Fen = Field(description="Amount the insurer accepts to pay")
    assessed_on: date = Field(description="Date of the assessment")


class ClaimSettled(ClaimEvent):
    """The insurer paid a claim."""

    type: Literal["ClaimSettled"] = "ClaimSettled"
    paid_fen: Fen = Field(description="Amount paid")
    settled_on: date = Field(description="Date of payment")


class ClaimRejected(ClaimEvent):
    """The insurer rejected a claim."""

    type: Literal["ClaimRejected"] = "ClaimRejected"
    reason_code: Literal[
        "not_insured", "not_covered", "late_report", "documents_incomplete", "duplicate", "other"
    ] = Field(description="Why the claim was rejected")
    reason: str = Field(
        min_length=1,
        max_length=500,
        description="Short explanation for staff. Must not contain personal data or diagnoses",
    )
    rejected_on: date = Field(description="Date of the rejection")


registry.register(InsuredEnrolled, InsuredRemoved, ClaimReported, ClaimAssessed, ClaimSettled, ClaimRejected)
