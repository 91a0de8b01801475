"""Events the eligibility service publishes: cases (decisions, amounts, care levels, reviews), households and
the staff-relatives register (ids, facts and match keys; never names or ID numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.contracts.base import Event, registry
from shared.contracts.types import (
    CareLevel,
    DistrictCode,
    Fen,
    InsuranceCategories,
    Month,
    Months,
    PersonIds,
    Program,
    StaffId,
    SupportMode,
    TerminationReason,
    TownshipCode,
)

CASE_TOPIC = "eligibility.case.v1"
CALENDAR_TOPIC = "eligibility.calendar.v1"
HOUSEHOLD_TOPIC = "eligibility.household.v1"

MATCH_CONTEXT = "match.resident_id"
"""The blind-index context of `MatchKey`: eligibility's `BlindIndex.digest(resident_id, context=MATCH_CONTEXT)`.

Its own context, so a match key is never equal to eligibility's stored person index; the subscriber that
matches other departments' files holds only this context's derived key (docs/oversight.md, Matching)."""

MatchKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A person's match key: the keyed hash (HMAC-SHA256, hex) of the resident ID under `MATCH_CONTEXT`. Not the
ID, and not reversible without the key; equal for equal IDs, so files of other departments can be matched."""

HouseholdRelation = Literal[
    "head", "spouse", "child", "parent", "sibling", "grandparent", "grandchild", "other"
]


class MonthlyAmount(BaseModel):
    """One beneficiary's monthly benefit, split into its components (all in fen)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: UUID = Field(description="The beneficiary; identity is only available through the REST API")
    base_fen: Fen = Field(description="Dibao difference (差额) or tekun basic living (基本生活), per month")
    add_on_fen: Fen = Field(description="Classified add-on (分类施保) per month; 0 if none")
    care_subsidy_fen: Fen = Field(description="Tekun care subsidy (护理补贴) per month; 0 for dibao")
    total_fen: Fen = Field(description="base_fen + add_on_fen + care_subsidy_fen")

    @model_validator(mode="after")
    def _total_is_the_sum(self) -> Self:
        if self.total_fen != self.base_fen + self.add_on_fen + self.care_subsidy_fen:
            raise ValueError("total_fen must equal base_fen + add_on_fen + care_subsidy_fen")
        return self


class ApprovedBeneficiary(MonthlyAmount):
    """A covered member of an approved case, with the insurance categories the approval gives."""

    insurance_categories: InsuranceCategories = Field(
        description="Categories under which the person is insured free (民政惠民济困保)"
    )
    care_level: CareLevel | None = Field(
        default=None,
        description="A tekun beneficiary's self-care ability as assessed at approval; absent for dibao and "
        "before any assessment (a later CareLevelAssessed sets it)",
    )


def _check_case_total(beneficiaries: Sequence[MonthlyAmount], total: int) -> None:
    if total != sum(b.total_fen for b in beneficiaries):
        raise ValueError("monthly_amount_fen must equal the sum of the beneficiaries' total_fen")
    if len({b.person_id for b in beneficiaries}) != len(beneficiaries):
        raise ValueError("a person may appear only once among the beneficiaries")


class CaseEvent(Event):
    """Base of the events keyed by case: one case's events stay in order on one partition."""

    topic: ClassVar[str] = CASE_TOPIC
    case_id: UUID = Field(description="The case (案件); the Kafka key")

    def key(self) -> str:
        return str(self.case_id)


class CaseApproved(CaseEvent):
    """The district approved a dibao or tekun case; benefits start from `start_month`."""

    type: Literal["CaseApproved"] = "CaseApproved"
    household_id: UUID = Field(description="The household (家庭) the case covers")
    program: Program = Field(description="dibao (最低生活保障) or tekun (特困人员救助供养)")
    district_code: DistrictCode = Field(description="District (区/县) that decided the case")
    township_code: TownshipCode | None = Field(
        default=None, description="Township or street (乡镇/街道) that accepted the application"
    )
    start_month: Month = Field(description="First month paid: the month after approval")
    beneficiaries: list[ApprovedBeneficiary] = Field(
        min_length=1, description="Covered members and their monthly amounts"
    )
    monthly_amount_fen: Fen = Field(
        description="The case's monthly total: the sum of the beneficiaries' totals"
    )
    approved_by: StaffId | None = Field(default=None, description="Staff account that approved the case")
    decided_on: date = Field(description="Date of the district decision")
    decision_due: date | None = Field(
        default=None,
        description="The statutory deadline of the decision: working days from acceptance, on eligibility's "
        "working-day calendar (extended where the procedure allows); absent in events from before it was sent",
    )

    @model_validator(mode="after")
    def _totals_add_up(self) -> Self:
        _check_case_total(self.beneficiaries, self.monthly_amount_fen)
        return self


class CaseAmountChanged(CaseEvent):
    """A case's monthly amounts changed from `from_month`; months already paid get the difference."""

    type: Literal["CaseAmountChanged"] = "CaseAmountChanged"
    from_month: Month = Field(description="First month at the new amounts")
    beneficiaries: list[MonthlyAmount] = Field(
        min_length=1, description="The new monthly amounts of every covered member"
    )
    monthly_amount_fen: Fen = Field(description="The case's new monthly total")
    back_pay_months: Months = Field(
        default_factory=list,
        description="Months from `from_month` on already paid at the old rate: each gets the difference",
    )
    reason: Literal["standard_change", "review", "circumstances"] = Field(
        description="standard_change: a new standard (调标); review: periodic review; "
        "circumstances: a reported change in the household"
    )
    standard_id: UUID | None = Field(
        default=None, description="The new standard; required when reason is standard_change"
    )
    decided_on: date = Field(description="Date of the decision")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_case_total(self.beneficiaries, self.monthly_amount_fen)
        if any(month < self.from_month for month in self.back_pay_months):
            raise ValueError("back_pay_months must not be before from_month")
        if self.reason == "standard_change" and self.standard_id is None:
            raise ValueError("standard_id is required when reason is standard_change")
        return self


class CaseSuspended(CaseEvent):
    """Payments of a case are paused from `from_month` until it is resumed or terminated."""

    type: Literal["CaseSuspended"] = "CaseSuspended"
    from_month: Month = Field(description="First month not paid")
    reason_code: Literal["review_overdue", "investigation", "unreachable", "payment_failed", "other"] = Field(
        description="Why payments are paused"
    )
    decided_on: date = Field(description="Date of the decision")


class CaseTerminated(CaseEvent):
    """A case, or some of its members, stopped; anything paid for later months is recovered."""

    type: Literal["CaseTerminated"] = "CaseTerminated"
    effective_month: Month = Field(description="First month not paid")
    reason: TerminationReason = Field(description="Why the case ended")
    person_ids: PersonIds = Field(description="Beneficiaries whose support ends")
    decided_on: date = Field(description="Date of the decision")


class TemporaryAidGranted(CaseEvent):
    """Temporary assistance (临时救助) was granted to a household: a one-off payment."""

    type: Literal["TemporaryAidGranted"] = "TemporaryAidGranted"
    grant_id: UUID = Field(description="The grant")
    household_id: UUID = Field(description="The household helped")
    kind: Literal["emergency", "expenditure"] = Field(
        description="emergency (急难型: fire, accident, sudden illness) or expenditure (支出型)"
    )
    household_class: Literal["A", "B", "C", "D"] = Field(
        description="A: tekun and orphans; B: dibao; C: income < 2 × standard; D: expenditure-type poor"
    )
    amount_fen: Fen = Field(description="Amount granted")
    help_first: bool = Field(description="Paid at once by the township (先行救助), paperwork to follow")
    district_code: DistrictCode = Field(description="District that granted the aid")
    granted_on: date = Field(description="Date of the grant")
    applied_on: date | None = Field(
        default=None,
        description="The day help was asked for (the application's first step); absent in events from before "
        "it was sent",
    )


class CareLevelAssessed(CaseEvent):
    """A tekun person's self-care ability was assessed; it sets the care subsidy."""

    type: Literal["CareLevelAssessed"] = "CareLevelAssessed"
    person_id: UUID = Field(description="The person assessed")
    care_level: CareLevel = Field(
        description="self_caring (生活自理), half_care (半失能) or full_care (失能)"
    )
    adl_failed: int = Field(
        ge=0, le=6, description="How many of the six daily activities the person cannot do"
    )
    assessed_on: date = Field(description="Date of the assessment")


class SupportModeChosen(CaseEvent):
    """A 特困 person chose, or changed, how they are supported; centralised support asks for a care-home place."""

    type: Literal["SupportModeChosen"] = "SupportModeChosen"
    person_id: UUID = Field(description="The person whose choice it is")
    district_code: DistrictCode = Field(description="District of the case")
    support_mode: SupportMode = Field(
        description="centralised: in a care facility (集中供养); dispersed: at home with a named carer (分散供养)"
    )
    care_level: CareLevel = Field(description="The person's care level when they chose")
    chosen_on: date = Field(description="The day the person chose")


class CaseReviewScheduled(CaseEvent):
    """A case's next periodic review (动态管理) was set: at approval, and again at each review."""

    type: Literal["CaseReviewScheduled"] = "CaseReviewScheduled"
    occasion: Literal["approved", "reviewed"] = Field(description="What set the date")
    next_review_due: date = Field(description="The review is overdue after this day (12 or 6 months on)")
    scheduled_on: date = Field(description="Date of the approval or review that set it")


class RecordedMember(BaseModel):
    """A member of a household as registered: an id, a relation and a match key; never a name or an ID."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: UUID = Field(description="The person; identity only through eligibility's REST API")
    relation: HouseholdRelation = Field(description="Relation to the head of the household")
    match_key: MatchKey = Field(
        description="Keyed hash of the resident ID, to match other departments' files"
    )


class DeclaredFacts(BaseModel):
    """What the household declared, as the checks of other departments' data compare it (amounts in fen)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    monthly_income_fen: Fen = Field(description="Declared (counted) monthly household income")
    financial_assets_fen: Fen = Field(description="Declared financial assets of the whole household")
    vehicle_exemption_evidenced: bool = Field(
        description="A vehicle of at most ¥30,000 is exempt with evidence, and the evidence is on file"
    )
    study_abroad_self_funded: bool = Field(description="A member studies abroad at the household's expense")
    premiums_and_private_fees_fen_per_year: Fen = Field(
        description="Commercial insurance premiums and private-school fees per year"
    )


class HouseholdRecorded(Event):
    """A household was registered or changed: its members (ids, relations, match keys) and declared facts.

    Keyed by household; each change carries the whole household at its new `version`, so the latest wins."""

    topic: ClassVar[str] = HOUSEHOLD_TOPIC
    type: Literal["HouseholdRecorded"] = "HouseholdRecorded"
    household_id: UUID = Field(description="The household (家庭); the Kafka key")
    version: int = Field(ge=1, description="1 when registered, one more at each change")
    district_code: DistrictCode = Field(description="District (区/县) of the household")
    township_code: TownshipCode | None = Field(default=None, description="Township or street (乡镇/街道)")
    area: Literal["urban", "rural"] = Field(description="Which standard applies")
    members: list[RecordedMember] = Field(min_length=1, max_length=30, description="Every member")
    declared: DeclaredFacts = Field(description="The household's declared income, assets and consumption")
    recorded_on: date = Field(description="Business date of the registration or change")

    @model_validator(mode="after")
    def _members_once(self) -> Self:
        if len({m.person_id for m in self.members}) != len(self.members):
            raise ValueError("a person may appear only once among the members")
        return self

    def key(self) -> str:
        return str(self.household_id)


class StaffRelativeFiled(Event):
    """A relative (近亲属) of assistance staff or a village cadre was filed (备案) in the register."""

    topic: ClassVar[str] = HOUSEHOLD_TOPIC
    type: Literal["StaffRelativeFiled"] = "StaffRelativeFiled"
    relative_id: UUID = Field(description="The register entry; the Kafka key")
    match_key: MatchKey = Field(description="Keyed hash of the relative's resident ID")
    staff_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] = Field(
        description="The staff member or cadre whose relative it is"
    )
    relation: Literal["spouse", "parent", "child", "sibling", "grandparent", "grandchild"] = Field(
        description="How the person is related to the staff member"
    )
    district_code: DistrictCode = Field(description="District that filed the relative")
    filed_on: date = Field(description="Business date of the filing")

    def key(self) -> str:
        return str(self.relative_id)


class WorkingCalendarYearLoaded(Event):
    """The bureau entered (or corrected) a year of the working-day calendar from the State Council's notice.

    The year replaces whatever a service knew of it; Monday to Friday are working days except
    `holidays`, and `shifted_working_days` are weekend days worked. A later `revision` wins.
    """

    topic: ClassVar[str] = CALENDAR_TOPIC
    type: Literal["WorkingCalendarYearLoaded"] = "WorkingCalendarYearLoaded"
    year: int = Field(ge=2000, le=2100, description="The calendar year; the Kafka key")
    revision: int = Field(ge=1, description="How many times this year has been loaded; the highest wins")
    holidays: list[date] = Field(max_length=366, description="Days off (放假), weekends within them included")
    shifted_working_days: list[date] = Field(max_length=366, description="Weekend days worked (调休上班)")

    def key(self) -> str:
        return str(self.year)


registry.register(
    CaseApproved,
    CaseAmountChanged,
    CaseSuspended,
    CaseTerminated,
    TemporaryAidGranted,
    CareLevelAssessed,
    SupportModeChosen,
    CaseReviewScheduled,
    WorkingCalendarYearLoaded,
    HouseholdRecorded,
    StaffRelativeFiled,
)
